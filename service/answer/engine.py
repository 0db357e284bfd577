"""The one entry point the HTTP API, CLI and UI call: a question in, a cited answer out.

Order of work: table questions (lookups and aggregates over all typed rows) first, because they
have exact answers; otherwise an extractive answer from retrieved passages, checked for
grounding; then, if an LLM is configured, an optional rewording that must pass the same
citations and numbers. The LLM never turns "not in the document" into an answer.

A question with several asks ("有哪些项目？总投资多少？") goes through these steps ask by ask
(``parts``), and the answers are joined with one citation list (``joined``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from index.types import Hit, Retriever
from ingest.model import Document, Passage
from service.answer import across, followup, grounding, joined, parts, scope, when
from service.answer import evidence as E
from service.answer.compose import definition_focus
from service.answer.corpus import Corpus, DocumentSource
from service.answer.extractive import Extractor
from service.answer.llm import LLMClient, llm_answer
from service.answer.outline import OUTLINE, OutlineAnswer, answer_from_outline
from service.answer.question import Question, analyse
from service.answer.tables import LOOKUP, TableAnswer, answer_from_tables
from service.answer.tables.rowset import answer_over_rows

log = logging.getLogger(__name__)

POOL = 20
MAX_TOP_K = 50


@dataclass(frozen=True)
class Answer:
    """A cited answer: ``[n]`` in ``text`` refers to ``citations[n-1]``."""

    question: str
    text: str
    grounded: bool
    citations: list[Hit]
    kind: str  # "table_lookup" | "aggregate" | "outline" | "extractive" | "llm" | "parts" | "not_found"
    notes: list[str] = field(default_factory=list)
    llm_used: bool = False
    llm_rejected_reason: str | None = None
    short_answer: str | None = None  # the minimal answer span, a verbatim slice of citations[0].text
    resolved: str | None = None  # the question as answered, when a follow-up was completed from history


class AnswerEngine:
    """Answers questions over an index's documents with a retriever; an LLM is optional."""

    def __init__(
        self,
        index: DocumentSource | Mapping[str, Document],
        retriever: Retriever | None,
        llm: LLMClient | None = None,
        pool: int = POOL,
        reader: Any | None = None,
        evidence_model: E.EvidenceModel | None = None,
    ) -> None:
        self.corpus = Corpus(index)
        self.retriever = retriever
        self.llm = llm
        self.reader = reader  # a span reader (service.reader); None = sentence answers only
        self.evidence_model = evidence_model if evidence_model is not None else E.default_model()
        self.pool = max(1, pool)
        dense = dense_view(index)
        if evidence_model is None and not E.fits_embedder(self.evidence_model, dense.embedder):
            # the fitted model reads the cosines of the embedding model it was fitted with; without
            # them (no embedder, or another model) the hand weights are the better judge
            self.evidence_model = None
        self.extractor = Extractor(self.corpus, retriever, dense, self.evidence_model, self.pool, reader=reader)
        warm()

    # ---- public ---------------------------------------------------------------------------------
    def ask(
        self, question: str, top_k: int = 5, doc_ids: list[str] | None = None, history: Sequence[str] | None = None
    ) -> Answer:
        """Answer one question; never raises for any input text.

        ``history`` holds the user's earlier questions in this conversation, oldest first; an
        elliptical follow-up is read against them. The engine keeps no state between calls.
        """
        raw = question if isinstance(question, str) else str(question)
        top_k = max(1, min(int(top_k or 5), MAX_TOP_K))
        try:
            return self._ask_in_context(raw, top_k, doc_ids, history)
        except Exception as e:  # a bad question must never take the service down
            log.exception("answering failed")
            return Answer(raw, "处理该问题时出错，未能给出答案。", False, [], "not_found", [f"error: {type(e).__name__}"])

    def stream(
        self, question: str, top_k: int = 5, doc_ids: list[str] | None = None, history: Sequence[str] | None = None
    ) -> Iterator[str | Answer]:
        """The answer text in small chunks, then the final ``Answer`` (for SSE and chat UIs).

        The whole answer is checked before the first chunk goes out, so a streamed answer is
        never one that would have been rejected.
        """
        ans = self.ask(question, top_k=top_k, doc_ids=doc_ids, history=history)
        yield from _chunks(ans.text)
        yield ans

    # ---- steps ----------------------------------------------------------------------------------
    def _ask_in_context(
        self, raw: str, top_k: int, doc_ids: list[str] | None, history: Sequence[str] | None
    ) -> Answer:
        """Complete a follow-up, answer each ask of the question, say which document it is from."""
        resolved = followup.resolve(raw, history) if history else None
        text = resolved or raw
        asks = parts.split(text, known=self._column_word)
        if len(asks) > 1:
            ans, reading = self._ask_parts(text, asks, top_k, doc_ids)
        else:
            ans, reading = self._ask_one(text, top_k, doc_ids), text
        if resolved:
            ans = _with(ans, notes=[f"follow-up read as: {resolved}", *ans.notes])
        if reading != text:
            resolved = reading  # how each ask was read
        return _with(ans, question=raw, resolved=resolved, text=self._with_source(ans))

    def _ask_one(self, text: str, top_k: int, doc_ids: list[str] | None) -> Answer:
        """Spell out short names, prefer the documents the question is about, answer."""
        expanded, names = self.corpus.aliases().expand(text, known=lambda w: self.corpus.df(w) > 0)
        notes = [f"“{a}” read as “{b}”" for a, b in names.items()]
        q = analyse(expanded)
        qscope = scope.question_scope(expanded, q.places)
        scopes = {s.doc_id: s for s in self.corpus.scopes() if not doc_ids or s.doc_id in doc_ids}
        scoped = scope.preferred_documents(qscope, list(scopes.values()))
        allowed = scoped if scoped is not None else list(scopes)
        spread = across.classify(expanded)
        if spread is not None:
            got = self._ask_across(spread, top_k, allowed)
            if got is not None:
                return _with(got, notes=[*notes, *got.notes])
        timed = self._ask_in_time(q, top_k, allowed)
        if timed is not None:
            return _with(timed, notes=[*notes, *timed.notes])
        ans = self._ask(q, top_k, scoped if scoped is not None else doc_ids)
        if scoped is not None and not ans.grounded:
            # the other documents may still answer, unless they are about another place: a question
            # about the country is not answered from a district's plan, nor the reverse
            wider = self._ask(q, top_k, doc_ids)
            if wider.grounded and not any(self._elsewhere(qscope, scopes, h) for h in wider.citations[:1]):
                ans = wider
        elif scoped is not None:
            notes.append("read in the documents the question is about: " + ", ".join(scoped))
        return _with(ans, notes=[*notes, *ans.notes])

    def _ask_in_time(self, q: Question, top_k: int, allowed: list[str]) -> Answer | None:
        """A question naming a year (or 今年) asked of the documents that speak for it, in turn.

        An answer stands when its first citation speaks for the year asked (a report's review of
        the year before, its plans for its own year). When none of them answers, the other
        documents may, but only with evidence naming the year (the grounding checks see to that);
        failing those too, the decline of the first attempt stands. None: time narrows nothing.
        """
        times = self.corpus.times()
        ts = when.time_scope(q.raw)
        tp = when.plan(ts, [times[d] for d in allowed if d in times])
        if tp is None:
            return None
        if not tp.attempts:  # "2024年政府工作报告里…" with no report of 2024 indexed
            why = f"没有收录{ts.report_year}年的报告"
            names = "、".join(f"{y}年" for y in sorted({t.year for t in times.values() if t.report and t.year}))
            text = f"文档中{why}，无法回答这个问题（已收录的报告：{names}）。"
            return Answer(q.raw, text, False, [], "not_found", [why])
        year = tp.year
        first: Answer | None = None
        tried: set[str] = set()
        keep = _speaking_for(year, times)
        for ids in tp.attempts:
            tried.update(ids)
            ans = self._ask(q, top_k, list(ids), keep=keep)
            first = first or ans
            if ans.grounded and _first_cited(ans, year, keep):
                if not tp.newest or not ans.citations:
                    return ans
                used = times.get(ans.citations[0].passage.doc_id)
                note = f"按最新的《{used.name if used else ''}》理解“{ts.relative_word}”"
                return _with(ans, notes=[note, *ans.notes], text=f"{ans.text}（{note}）")
        skip = tried | set(tp.covered)  # a plan for the year is not asked what happened in it
        others = [d for d in allowed if d not in skip] if ts.report_year is None else []
        if others:
            ans = self._ask(q, top_k, others)
            if ans.grounded and _first_cited(ans, year, keep):
                return ans
        assert first is not None
        if first.grounded:  # answered, but from a part of a report about another year
            why = f"相关段落说的不是{year}年的情况"
            return Answer(q.raw, grounding.not_found_text(q, grounding.Verdict(False, why)), False,
                          first.citations, "not_found", [*first.notes, why])
        return first

    def _ask_across(self, a: across.Across, top_k: int, allowed: list[str]) -> Answer | None:
        """Asked of each document in date order (``across``); None when fewer than two are dated."""
        times = self.corpus.times()
        docs = [times[d] for d in allowed if d in times]
        if sum(d.year is not None for d in docs) < 2:
            return None
        if a.kind in ("first", "which"):
            pool = [d for d in docs if d.report] if a.reports and any(d.report for d in docs) else docs
            pool = across.longest_series(pool)
            found = across.find_terms(a.terms, pool, self.corpus.searchable_in)
            if not found:
                return None  # the phrase is in no dated document: answered (or declined) as usual
            hits = [(d, [_term_hit(p, a.terms) for p in ps]) for d, ps in found]
            j = across.join_mentions(a, hits, sum(d.year is not None for d in pool))
            return Answer(a.terms[0], j.text, True, j.citations, "across", [f"searched for: {'、'.join(a.terms)}"])
        chosen = across.documents(a, docs)
        if len(chosen) < 2:
            return None
        sub = analyse(a.sub)
        got: list[Answer | None] = []
        for d, year in chosen:
            keep = _speaking_for(year, times)
            ans = self._ask(sub, top_k, [d.doc_id], keep=keep)
            got.append(ans if ans.grounded and _first_cited(ans, year, keep) else None)
        j = across.join_values(chosen, got)
        note = f"asked of each document: {a.sub}"
        return Answer(a.sub, j.text, j.answered > 0, j.citations, "across" if j.answered else "not_found", [note])

    def _ask_parts(
        self, text: str, asks: list[parts.Part], top_k: int, doc_ids: list[str] | None
    ) -> tuple[Answer, str]:
        """Each ask answered on its own; an ask leaning on a table answer is asked of the rows it gave.

        An ask that finds no answer alone may still be answered by the sentence that answers the
        whole question ("交通、水利分别投多少" in one sentence): when the question as a whole gets
        an answer from the text and what it cites holds what the ask names, that answer stands for
        the ask. Returns the joined answer and the question as it was read, ask by ask.
        """
        answers: list[Answer] = []
        reading: list[str] = []
        for p in asks:
            got = self._over_rows(p, answers[-1], top_k, doc_ids) if p.leans and answers else None
            answers.append(got or self._ask_one(p.question, top_k, doc_ids))
            reading.append(parts.complete(p.asked, parts.EARLIER_ROWS) if got else p.question)
        nearby: list[Hit] = []
        if not all(a.grounded for a in answers):
            whole = self._ask_one(text, top_k, doc_ids)
            if whole.grounded and whole.kind in ("extractive", "llm"):
                for i, a in enumerate(answers):
                    if not a.grounded and joined.covers(whole, asks[i]):
                        answers[i] = _with(whole, notes=["answered with the whole question", *whole.notes])
                        reading[i] = asks[i].asked
            if not whole.grounded:
                nearby = whole.citations  # the passages nearest the whole question, for checking
        j = joined.join(asks, answers, top_k, nearby=nearby)
        return Answer(asks[0].asked, j.text, j.grounded, j.citations, j.kind, j.notes), "".join(reading)

    def _over_rows(self, p: parts.Part, before: Answer, top_k: int, doc_ids: list[str] | None) -> Answer | None:
        rows = joined.cited_rows(before) if before.grounded else []
        if not rows:
            return None
        q = analyse(p.asked)
        docs = self.corpus.docs(doc_ids)
        try:
            t = answer_over_rows(q, docs, rows, parts.EARLIER_ROWS)
        except Exception:
            log.exception("table answering over earlier rows failed")
            return None
        return self._from_table(q, t, top_k, doc_ids, []) if t is not None else None

    def _column_word(self, word: str) -> bool:
        """The word is part of a column header of the documents' tables (an attribute, not a subject)."""
        return any(word in h for d in self.corpus.docs(None) for t in d.tables for h in t.headers)

    def _elsewhere(self, qscope: scope.QuestionScope, scopes: Mapping[str, scope.DocScope], hit: Hit) -> bool:
        """The hit's document is about another place than the question, and its evidence does not name it."""
        doc = scopes.get(hit.passage.doc_id)
        context = self.corpus.context(hit.passage)
        return doc is not None and scope.conflicts(qscope, doc, lambda p: grounding.place_mentioned(p, context))

    def _with_source(self, ans: Answer) -> str:
        """With several documents indexed, a grounded answer says which document it is from."""
        if not ans.grounded or len(self.corpus.documents) < 2:
            return ans.text
        cited = [int(m) for m in re.findall(r"\[(\d+)\]", ans.text)]
        doc_ids = list(dict.fromkeys(ans.citations[n - 1].passage.doc_id for n in cited if 0 < n <= len(ans.citations)))
        titles = [self.corpus.title(d) or d for d in doc_ids]
        if not titles:
            return ans.text
        return ans.text + ("\n" if ans.kind == "across" else "") + source_suffix(titles)

    def _ask(
        self, q: Question, top_k: int, doc_ids: list[str] | None, keep: Callable[[Hit], bool] | None = None
    ) -> Answer:
        if q.empty:
            return Answer(q.raw, grounding.not_found_text(q, grounding.Verdict(False)), False, [], "not_found")
        docs = self.corpus.docs(doc_ids)
        notes: list[str] = []
        table = self._table(q, docs, notes)
        if table is not None:
            ans = self._from_table(q, table, top_k, doc_ids, notes)
            if ans is not None:
                return self._maybe_llm(q, ans)
        outline = self._outline(q, docs, notes)
        if outline is not None:
            return Answer(q.raw, outline.text, True, outline.citations, OUTLINE, notes)
        return self._maybe_llm(q, self._extractive(q, top_k, doc_ids, notes, keep))

    def _outline(self, q: Question, docs: list[Document], notes: list[str]) -> OutlineAnswer | None:
        try:
            return answer_from_outline(q, docs)
        except Exception as e:
            log.exception("outline answering failed")
            notes.append(f"outline answering failed: {type(e).__name__}")
            return None

    def _retrieve(self, q: Question, k: int, doc_ids: list[str] | None, notes: list[str]) -> list[Hit]:
        return self.extractor.retrieve(q.text if q.text.strip() else q.raw, k, doc_ids, notes)

    def _table(self, q: Question, docs: list[Document], notes: list[str]) -> TableAnswer | None:
        try:
            return answer_from_tables(q, docs)
        except Exception as e:
            log.exception("table answering failed")
            notes.append(f"table answering failed: {type(e).__name__}")
            return None

    def _from_table(
        self, q: Question, t: TableAnswer, top_k: int, doc_ids: list[str] | None, notes: list[str]
    ) -> Answer | None:
        hits: list[Hit] = []
        for i, row in enumerate(t.rows):
            marks = t.marks[i] if i < len(t.marks) else ()
            h = self.corpus.row_hit(row, score=1.0, marks=marks)
            if h is None:
                return None  # the row has no passage to cite: answer from the text instead
            hits.append(h)
        if t.kind == LOOKUP and len(hits) < top_k:
            seen = {h.passage.id for h in hits}
            for h in self._retrieve(q, top_k, doc_ids, notes):
                if h.passage.id not in seen and len(hits) < top_k:
                    hits.append(h)
                    seen.add(h.passage.id)
        return Answer(q.raw, t.text, t.grounded, hits, t.kind if t.grounded else "not_found", notes + list(t.notes))

    def _extractive(
        self, q: Question, top_k: int, doc_ids: list[str] | None, notes: list[str],
        keep: Callable[[Hit], bool] | None = None,
    ) -> Answer:
        q = definition_focus(q, self.corpus)
        got = self.extractor.answer(q, top_k, doc_ids, notes, keep)
        kind = "extractive" if got.grounded else "not_found"
        return Answer(q.raw, got.text, got.grounded, got.citations, kind, got.notes, short_answer=got.short_answer)

    def _maybe_llm(self, q: Question, ans: Answer) -> Answer:
        if self.llm is None:
            return ans
        if not ans.grounded:
            return _with(ans, llm_rejected_reason="not asked: the documents do not support an answer")
        if ans.kind not in ("extractive", LOOKUP):
            return _with(ans, llm_rejected_reason=f"not asked: {ans.kind} answers are computed exactly")
        text, reason = llm_answer(self.llm, q.raw, ans.citations)
        if text is None:
            note = f"LLM answer rejected ({reason}); showing the extractive answer"
            return _with(ans, notes=[*ans.notes, note], llm_rejected_reason=reason)
        return Answer(q.raw, text, True, ans.citations, "llm", ans.notes, llm_used=True)


def _speaking_for(year: int | None, times: Mapping[str, when.DocTime]) -> Callable[[Hit], bool]:
    """Whether a passage speaks for ``year`` (any passage, with no year to check): the one test
    for the candidates of a year's question and for the passage its answer cites first."""

    def keep(h: Hit) -> bool:
        p = h.passage
        return year is None or when.speaks_for(year, p.section, p.text, times.get(p.doc_id))

    return keep


def _first_cited(ans: Answer, year: int | None, keep: Callable[[Hit], bool]) -> bool:
    """With a year to check, the answer's first citation passes ``keep`` (one citing nothing does not)."""
    return year is None or (bool(ans.citations) and keep(ans.citations[0]))


def _term_hit(p: Passage, terms: Sequence[str]) -> Hit:
    """A passage cited for the phrases it holds, each occurrence highlighted."""
    spans = [(m.start(), m.end()) for t in terms for m in re.finditer(re.escape(t), p.text)]
    return Hit(passage=p, score=1.0, highlights=tuple(sorted(set(spans))))


def warm() -> None:
    """Load the word segmenter and tagger now, not on the first question."""
    analyse("2020年全区工业增加值是多少？")


def source_suffix(titles: Sequence[str]) -> str:
    """The line naming the documents an answer is from; evaluation strips it again."""
    return "（出自" + "、".join(f"《{t}》" for t in titles) + "）"


SOURCE_RE = re.compile(r"（出自(?:《[^》]*》、?)+）$")


def dense_view(index: Any) -> E.DenseView:
    """Dense features from the index's embedder, passage vectors read back from FAISS."""
    dense = getattr(index, "dense", None)
    embedder = getattr(dense, "embedder", None)
    indexed = getattr(index, "indexed", None)
    if dense is None or embedder is None or indexed is None:
        return E.DenseView(None)
    positions = {p.id: i for i, p in enumerate(indexed)}

    def vector(p: Any) -> Any:
        i = positions.get(p.id)
        if i is None:
            return None
        try:
            return dense.index.reconstruct(i)
        except Exception:  # an index that cannot give vectors back (e.g. some HNSW builds)
            return None

    return E.DenseView(embedder, vector)


def _with(ans: Answer, **changes: object) -> Answer:
    from dataclasses import replace

    return replace(ans, **changes)  # type: ignore[arg-type]


def _chunks(text: str, size: int = 24) -> Iterator[str]:
    """Split at punctuation or after ``size`` characters, never inside a ``[n]`` marker."""
    parts = re.findall(r"\[\d+\]|[^\[]+|\[", text)
    buf = ""
    for part in parts:
        if part.startswith("[") and part.endswith("]"):
            buf += part
            continue
        for ch in part:
            buf += ch
            if ch in "，。；：！？、,.;:!?" or len(buf) >= size:
                yield buf
                buf = ""
    if buf:
        yield buf
