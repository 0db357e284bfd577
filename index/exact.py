"""Exact-phrase search: every occurrence of a phrase, in document order, highlighted.

It searches the normalised cleaned text of each document (so a Traditional or full-width query
matches), counts every non-overlapping occurrence, and attaches each to the passage containing
it. A table row's text is a natural-reading rendering of its cells, so an occurrence inside the
row's cell block is mapped to the same cell inside the row's text.

Text no passage covers (headings, table titles, header cells) still counts: such lines become
synthesised passages (``{doc_id}#h{n}``, numbered in document order, kind ``paragraph``, with the
heading path above them) that the index resolves by id like any passage.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from index.textnorm import normalize
from index.types import Hit
from ingest.model import Document, Heading, Passage

_NON_SPACE_RUN = re.compile(r"\S(?:[^\n]*\S)?")


def section_at(headings: Sequence[Heading], pos: int, include_at: bool = True) -> tuple[str, ...]:
    """The heading path in force at ``pos`` (headings starting at ``pos`` only if ``include_at``)."""
    stack: list[Heading] = []
    for h in headings:
        if h.span[0] > pos or (h.span[0] == pos and not include_at):
            break
        while stack and stack[-1].level >= h.level:
            stack.pop()
        stack.append(h)
    return tuple(h.text for h in stack)


def synthesize_uncovered(doc: Document) -> list[Passage]:
    """Passages for the lines of ``doc.text`` that no passage covers (headings, titles, labels)."""
    covered = sorted(p.span for p in doc.passages)
    out: list[Passage] = []
    text = doc.text
    cursor = 0
    gaps: list[tuple[int, int]] = []
    for a, b in covered:
        if a > cursor:
            gaps.append((cursor, a))
        cursor = max(cursor, b)
    if cursor < len(text):
        gaps.append((cursor, len(text)))
    for ga, gb in gaps:
        for m in _NON_SPACE_RUN.finditer(text, ga, gb):
            s, e = m.span()
            seg = text[s:e]
            out.append(Passage(
                id=f"{doc.doc_id}#h{len(out)}", doc_id=doc.doc_id, kind="paragraph", text=seg,
                section=section_at(doc.headings, s, include_at=False), span=(s, e), paragraph_id="",
            ))
    return out


@dataclass(frozen=True, slots=True)
class ExactResult:
    """Every occurrence (up to a limit) as hits in document order, plus the full counts."""

    query: str
    hits: tuple[Hit, ...]
    total: int
    per_doc: dict[str, int] = field(default_factory=dict)


def _row_highlight(doc_text: str, p: Passage, s: int, e: int) -> tuple[int, int] | None:
    """Map the occurrence ``[s, e)`` in a row's cell block to the same cell inside ``p.text``.

    Cells appear in order in the block; in the row's text a cell reads ``header：value``.
    """
    assert p.row is not None
    cursor, block_end = p.span
    for cell in p.row.cells:
        if not cell.text:
            continue
        cs = doc_text.find(cell.text, cursor, block_end)
        if cs < 0:
            continue
        ce = cs + len(cell.text)
        cursor = ce
        if not cs <= s < ce:
            continue
        label = p.text.find(f"{cell.header}：")
        if label < 0:
            return None
        pos = p.text.find(cell.text, label + len(cell.header) + 1)
        if pos < 0:
            return None
        return (pos + s - cs, pos + min(e, ce) - cs)
    return None


class ExactPhraseSearch:
    """Exact, normalised phrase search over the documents' cleaned text."""

    def __init__(self, documents: Iterable[Document], synthesized: Iterable[Passage] = ()) -> None:
        self.documents = list(documents)
        self._norm = {d.doc_id: normalize(d.text) for d in self.documents}
        extra: dict[str, list[Passage]] = {}
        for p in synthesized:
            extra.setdefault(p.doc_id, []).append(p)
        self._spans: dict[str, tuple[list[int], list[Passage]]] = {}
        for d in self.documents:
            ps = sorted([*d.passages, *extra.get(d.doc_id, ())], key=lambda p: (p.span[0], -p.span[1]))
            self._spans[d.doc_id] = ([p.span[0] for p in ps], ps)
        self._docs = {d.doc_id: d for d in self.documents}

    def _passage_at(self, doc_id: str, s: int, e: int) -> Passage | None:
        starts, ps = self._spans[doc_id]
        i = bisect.bisect_right(starts, s) - 1
        best: Passage | None = None
        # Passages do not nest, so the container is among the last few starting at or before s;
        # prefer one that holds the whole occurrence.
        for j in range(i, max(i - 8, -1), -1):
            p = ps[j]
            if p.span[0] <= s < p.span[1]:
                if e <= p.span[1]:
                    return p
                best = best or p
        return best

    def _highlight(self, doc: Document, p: Passage, s: int, e: int, phrase: str) -> tuple[int, int]:
        if p.row is not None:
            hl = _row_highlight(doc.text, p, s, e)
            if hl is not None:
                return hl
            pos = normalize(p.text).find(phrase)
            if pos >= 0:
                return (pos, pos + len(phrase))
        a, b = p.span
        return (s - a, min(e, b) - a)

    def find(self, query: str, doc_ids: Sequence[str] | None = None, limit: int | None = None) -> ExactResult:
        """All occurrences of ``query``; ``hits`` holds the first ``limit`` (all when None)."""
        phrase = normalize(query).strip()
        if not phrase:
            return ExactResult(query, (), 0, {})
        wanted = set(doc_ids) if doc_ids is not None else None
        hits: list[Hit] = []
        per_doc: dict[str, int] = {}
        total = 0
        for doc in self.documents:
            if wanted is not None and doc.doc_id not in wanted:
                continue
            norm = self._norm[doc.doc_id]
            s = norm.find(phrase)
            while s >= 0:
                e = s + len(phrase)
                total += 1
                per_doc[doc.doc_id] = per_doc.get(doc.doc_id, 0) + 1
                if limit is None or len(hits) < limit:
                    p = self._passage_at(doc.doc_id, s, e)
                    if p is not None:
                        hits.append(Hit(p, 1.0, (self._highlight(doc, p, s, e, phrase),)))
                s = norm.find(phrase, e)
        return ExactResult(query, tuple(hits), total, per_doc)

    def search(self, query: str, top_k: int = 10, doc_ids: list[str] | None = None) -> list[Hit]:
        """The first ``top_k`` occurrences in document order."""
        return list(self.find(query, doc_ids, limit=top_k).hits)
