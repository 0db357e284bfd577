"""The little the answer core needs from an index, and lookups built over it.

The engine depends only on ``DocumentSource`` (documents by id) and a ``Retriever``; the real
``SearchIndex`` satisfies both, and tests pass small fakes. Lookups (passage of a table row,
paragraph of a passage, term rarity) are rebuilt whenever the set of documents changes.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping
from typing import Protocol

from index.textnorm import normalize
from index.types import Hit
from ingest.model import Document, Paragraph, Passage, TableRow
from service.answer import text as T
from service.answer.aliases import AliasIndex
from service.answer.scope import DocScope, document_scope
from service.answer.when import DocTime

MAX_RARITY_SENTENCES = 20_000


class DocumentSource(Protocol):
    """Anything holding the indexed documents by id (the loaded ``SearchIndex`` does)."""

    @property
    def documents(self) -> Mapping[str, Document]: ...


class Corpus:
    """Read-only lookups over the documents of a ``DocumentSource``."""

    def __init__(self, source: DocumentSource | Mapping[str, Document]) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._sig: tuple = ()
        self._passages: dict[str, Passage] = {}
        self._rows: dict[tuple[str, int], Passage] = {}
        self._paragraphs: dict[str, Paragraph] = {}
        self._before: dict[str, Passage] = {}
        self._sentences: list[str] = []
        self._searchable: list[tuple[Passage, str]] = []
        self._df: dict[str, int] = {}
        self._contexts: dict[str, str] = {}
        self._derived: dict[str, object] = {}

    # ---- documents ----------------------------------------------------------------------------
    @property
    def documents(self) -> Mapping[str, Document]:
        src = self._source
        docs = src if isinstance(src, Mapping) else getattr(src, "documents", None)
        return docs if isinstance(docs, Mapping) else {}

    def docs(self, doc_ids: Iterable[str] | None = None) -> list[Document]:
        docs = self.documents
        if not doc_ids:
            return list(docs.values())
        return [docs[d] for d in doc_ids if d in docs]

    def title(self, doc_id: str) -> str:
        """The name the document is cited under (distinct within the collection)."""
        doc = self.documents.get(doc_id)
        return doc.name if doc is not None else ""

    # ---- lookups ------------------------------------------------------------------------------
    def _refresh(self) -> None:
        docs = self.documents
        sig = tuple((d, id(doc), len(doc.passages)) for d, doc in docs.items())
        if sig == self._sig:
            return
        with self._lock:
            if sig == self._sig:
                return
            passages: dict[str, Passage] = {}
            rows: dict[tuple[str, int], Passage] = {}
            paragraphs: dict[str, Paragraph] = {}
            before: dict[str, Passage] = {}
            sents: list[str] = []
            searchable: list[tuple[Passage, str]] = []
            for doc in docs.values():
                for para in doc.paragraphs:
                    paragraphs[para.id] = para
                    norm = normalize(para.text)
                    sents.extend(norm[a:b] for a, b in T.sentences(norm))
                last: dict[str, Passage] = {}  # the latest passage of each paragraph, in document order
                for p in sorted(doc.passages, key=lambda x: (x.span[0], x.id)):
                    passages[p.id] = p
                    if p.kind == "paragraph":
                        searchable.append((p, normalize(p.text)))
                        prev = last.get(p.paragraph_id)
                        if prev is not None and prev.span[1] <= p.span[0]:
                            before[p.id] = prev
                        last[p.paragraph_id] = p
                    if p.row is not None:
                        rows[(p.row.table_id, p.row.index)] = p
                        sents.append(normalize(p.text))
            if len(sents) > MAX_RARITY_SENTENCES:
                # term rarity is estimated on an even sample: a large corpus stays fast to ask
                step = len(sents) / MAX_RARITY_SENTENCES
                sents = [sents[int(i * step)] for i in range(MAX_RARITY_SENTENCES)]
            self._passages, self._rows, self._paragraphs = passages, rows, paragraphs
            self._before = before
            self._sentences, self._df, self._contexts = sents, {}, {}
            self._searchable = searchable
            self._derived = {}
            self._sig = sig

    def passage(self, passage_id: str) -> Passage | None:
        self._refresh()
        return self._passages.get(passage_id)

    def passage_before(self, passage: Passage) -> Passage | None:
        """The passage just before ``passage`` in the same paragraph (None at a paragraph's start)."""
        self._refresh()
        return self._before.get(passage.id)

    def row_passage(self, row: TableRow) -> Passage | None:
        self._refresh()
        return self._rows.get((row.table_id, row.index))

    def paragraph(self, paragraph_id: str) -> Paragraph | None:
        self._refresh()
        return self._paragraphs.get(paragraph_id)

    def context(self, passage: Passage) -> str:
        """Normalised text a passage stands in: its paragraph, heading path and document title."""
        got = self._contexts.get(passage.id)
        if got is not None:
            return got
        para = self.paragraph(passage.paragraph_id)
        body = para.text if para is not None else passage.text
        got = normalize(" ".join((*passage.section, self.title(passage.doc_id), body)))
        if len(self._contexts) < 200_000:
            self._contexts[passage.id] = got
        return got

    def row_hit(self, row: TableRow, score: float = 1.0, marks: Iterable[str] = ()) -> Hit | None:
        """The citation for a table row, highlighting the given cell texts."""
        p = self.row_passage(row)
        if p is None:
            return None
        spans: list[tuple[int, int]] = []
        for m in marks:
            if m:
                i = p.text.find(m)
                if i >= 0:
                    spans.append((i, i + len(m)))
        return Hit(passage=p, score=score, highlights=tuple(sorted(set(spans))))

    def searchable(self) -> list[tuple[Passage, str]]:
        """Every paragraph passage with its normalised text, in document order."""
        self._refresh()
        return self._searchable

    def searchable_in(self, doc_id: str) -> list[tuple[Passage, str]]:
        """One document's paragraph passages with their normalised text, in document order."""
        self._refresh()
        got = self._derived.get("searchable_by_doc")
        if got is None:
            got = {}
            for p, text in self._searchable:
                got.setdefault(p.doc_id, []).append((p, text))
            self._derived["searchable_by_doc"] = got
        return got.get(doc_id, [])  # type: ignore[union-attr]

    def aliases(self) -> AliasIndex:
        """Organisation names of the corpus, for resolving short names (built once per corpus)."""
        self._refresh()
        got = self._derived.get("aliases")
        if got is None:
            got = self._derived["aliases"] = AliasIndex.from_documents(self.documents.values())
        return got  # type: ignore[return-value]

    def scopes(self) -> list[DocScope]:
        """Each document's scope: the places its title names, or national."""
        self._refresh()
        got = self._derived.get("scopes")
        if got is None:
            got = self._derived["scopes"] = [
                document_scope(d.doc_id, d.title, d.text[:400]) for d in self.documents.values()
            ]
        return got  # type: ignore[return-value]

    def scope(self, doc_id: str) -> DocScope | None:
        """One document's scope (None for an unknown id)."""
        self.scopes()
        got = self._derived.get("scope_by_id")
        if got is None:
            got = self._derived["scope_by_id"] = {s.doc_id: s for s in self.scopes()}
        return got.get(doc_id)  # type: ignore[union-attr]

    def times(self) -> dict[str, DocTime]:
        """Each document's dates: the year it is dated, the years it speaks for, whether a yearly report."""
        self._refresh()
        got = self._derived.get("times")
        if got is None:
            got = {}
            for s in self.scopes():
                doc = self.documents[s.doc_id]
                ident = getattr(doc, "identity", None)
                year = getattr(ident, "year", None)
                kind = getattr(ident, "kind", None) or ""
                period = getattr(ident, "period", None)
                report = year is not None and "报告" in kind and not period
                region = getattr(ident, "region", None) or ""
                got[s.doc_id] = DocTime(s.doc_id, self.title(s.doc_id), year, s.years, report, f"{kind}|{region}")
            self._derived["times"] = got
        return got  # type: ignore[return-value]

    # ---- term rarity --------------------------------------------------------------------------
    def df(self, term: str) -> int:
        """In how many sentences of the corpus a term occurs (substring match)."""
        self._refresh()
        got = self._df.get(term)
        if got is None:
            got = sum(1 for s in self._sentences if term in s)
            if len(self._df) < 100_000:
                self._df[term] = got
        return got

    def idf(self, term: str) -> float:
        df = self.df(term)
        n = max(1, len(self._sentences))
        return math.log(1.0 + n / (1.0 + df))

    @property
    def n_sentences(self) -> int:
        self._refresh()
        return len(self._sentences)
