"""Extractive answers from retrieved passages: learned evidence ranking, abstention, answer forms.

Every sentence of the retrieved passages is a candidate; the fitted evidence model
(``evidence.py``) ranks them and says whether the documents answer at all. Hard rules remain
only for contradictions: a place, year or figure the question names and the evidence does not.
The answer is copied verbatim: for a figure, date or name the clauses holding it (and the
reader's short span when one is loaded); for how / what measures / is there, the one to three
most relevant whole sentences, each with its ``[n]``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from index.textnorm import normalize
from index.types import Hit, Retriever
from service.answer import evidence as E
from service.answer import grounding
from service.answer import text as T
from service.answer.compose import (
    Evidence,
    answer_text,
    cited,
    evidence_for,
    lexical_candidates,
    refine_focus,
)
from service.answer.corpus import Corpus
from service.answer.question import DESCRIPTION, ENTITY, QUANTITY, TIME, Question

log = logging.getLogger(__name__)

FACTOID = (QUANTITY, TIME, ENTITY)
MAX_SENTENCES = 3
MAX_SENTENCE_CHARS = 220
# A further sentence joins the answer when the model rates it at least this share of the best.
RELATIVE_KEEP = 0.85
MAX_ANSWER_CHARS = 260
# The shipped reader's span scores are flat (P(start)·P(end) over hundreds of tokens), so no cut-off:
# the sentence holding its span joins the answer after the evidence model's when the two differ
# (the reader finds the answer where the evidence model does not often enough on CMRC2018 dev, and
# the other way round on the plan documents).
READER_MIN_SCORE = 0.0
MAX_SHORT_CHARS = 40
READ_PASSAGES = 3  # distinct passages the reader is given, best first (its window caps may take fewer)
# When the evidence model's best sentence leads the next by this much, the reader reads that sentence
# alone (for its short span) instead of the best passages: a read costs about one query embedding
# per 100 characters, and a confident evidence model is rarely overruled. Chosen on CMRC2018 trial
# (training data), 600 questions: answer contains gold 0.725 reading passages always, 0.718 with
# this margin, while the reader's time per question fell from 69 to 47 ms (mean) and from 78 to
# 24 ms (median) (``python -m evaluation.reader_gate``).
CONFIDENT_MARGIN = 0.5
# A clause whose two-character pieces nearly all come from the question only repeats it
# ("张学良开始吸食鸦片" for "张学良在哪一年开始吸食鸦片？"): the whole sentence is shown instead.
ECHO_SHARE = 0.8
# A sentence this short is shown whole for a figure, date or name: cutting it saves little and can
# cut the answer off ("岭北行省……，元帝对这个地区给予了特别的关注" for "元帝对哪一个地区……").
# Chosen on DRCD dev and CMRC2018 trial (training data), 400 questions each: answer contains gold
# +2 and +3, median answer +7 and +2 characters.
SHORT_SENTENCE = 60
# How far back an answer sentence that leans on what precedes it may reach for what it leans on.
LEAN_BACK = 2


@dataclass(frozen=True)
class Extracted:
    """What the extractive path decided, before the engine wraps it as an ``Answer``."""

    text: str
    grounded: bool
    citations: list[Hit]
    notes: list[str] = field(default_factory=list)
    short_answer: str | None = None
    scored: E.Scored | None = None


class Extractor:
    def __init__(
        self,
        corpus: Corpus,
        retriever: Retriever | None,
        dense: E.DenseView,
        model: E.EvidenceModel | None,
        pool: int,
        reader: Any | None = None,
        confident_margin: float = CONFIDENT_MARGIN,
    ) -> None:
        self.corpus = corpus
        self.retriever = retriever
        self.dense = dense
        self.model = model
        self.pool = pool
        self.reader = reader
        self.confident_margin = confident_margin

    # ---- candidates ------------------------------------------------------------------------------
    def retrieve(self, query: str, k: int, doc_ids: list[str] | None, notes: list[str]) -> list[Hit]:
        if self.retriever is None:
            return []
        try:
            return list(self.retriever.search(query, top_k=k, doc_ids=doc_ids or None))
        except Exception as e:
            log.warning("retrieval failed: %s", e)
            notes.append(f"retrieval failed: {type(e).__name__}")
            return []

    def candidates(
        self, q: Question, doc_ids: list[str] | None, notes: list[str],
        keep: Callable[[Hit], bool] | None = None,
    ) -> tuple[list[Hit], int]:
        """Retrieved passages (then lexical extras); ``keep`` drops passages (the removed-gold test)."""
        query = q.text if q.text.strip() else q.raw
        extra = 5 if keep is not None else 0
        retrieved = self.retrieve(query, self.pool + extra, doc_ids, notes)
        if q.english and q.terms:
            # a Chinese keyword query from the lexicon, interleaved with the cross-lingual hits
            zh = self.retrieve(" ".join(q.terms), self.pool + extra, doc_ids, notes)
            retrieved = _interleave(retrieved, zh)
        if keep is not None:
            retrieved = [h for h in retrieved if keep(h)]
        retrieved = retrieved[: self.pool if not q.english else 2 * self.pool]
        hits = list(retrieved)
        if not q.english:
            seen = {h.passage.id for h in hits}
            for h in lexical_candidates(q, self.corpus, doc_ids):
                if h.passage.id not in seen and (keep is None or keep(h)):
                    hits.append(h)
                    seen.add(h.passage.id)
        return hits, len(retrieved)

    def score(
        self, q: Question, doc_ids: list[str] | None, notes: list[str],
        keep: Callable[[Hit], bool] | None = None,
    ) -> E.Scored:
        hits, n = self.candidates(q, doc_ids, notes, keep)
        ev = evidence_for(q, hits, self.corpus, retrieved=n, every_sentence=True)
        return E.score(q, ev, self.dense, self.model)

    # ---- answering -------------------------------------------------------------------------------
    def answer(
        self, q: Question, top_k: int, doc_ids: list[str] | None, notes: list[str],
        keep: Callable[[Hit], bool] | None = None,
    ) -> Extracted:
        """The answer from the retrieved passages (``keep`` drops some, for testing abstention)."""
        scored = self.score(q, doc_ids, notes, keep)
        ranked = scored.ranked
        if self.model is None:
            return self._hand_answer(q, ranked, top_k, notes, scored)
        best = ranked[0] if ranked else None
        verdict = contradiction(q, best, self.corpus)
        if best is not None and verdict.grounded and scored.answers:
            return self._compose(q, scored, top_k, notes)
        if best is not None and verdict.grounded:
            verdict = grounding.Verdict(False, "相关段落不足以回答这个问题")
        nearest = _passages(ranked, top_k)
        if verdict.reason:
            notes = [*notes, f"not grounded: {verdict.reason} (answerable {scored.answerable:.2f})"]
        return Extracted(grounding.not_found_text(q, verdict), False, nearest, notes, None, scored)

    def _hand_answer(
        self, q: Question, ranked: list[Evidence], top_k: int, notes: list[str], scored: E.Scored
    ) -> Extracted:
        """The rules of old, when no fitted model is available."""
        best = ranked[0] if ranked else None
        verdict = grounding.check(q, best, refine_focus(q, self.corpus))
        if verdict.grounded and best is not None:
            return Extracted(answer_text(best, 1), True, [cited(best)] + _passages(ranked[1:], top_k - 1, {best.hit.passage.id}),
                             notes, None, scored)
        nearest = _passages(ranked, top_k)
        if verdict.reason:
            notes = [*notes, f"not grounded: {verdict.reason}"]
        return Extracted(grounding.not_found_text(q, verdict), False, nearest, notes, None, scored)

    def _compose(self, q: Question, scored: E.Scored, top_k: int, notes: list[str]) -> Extracted:
        ranked, probs = scored.ranked, scored.probs
        best = ranked[0]
        factoid = q.kind in FACTOID and not (q.kind == ENTITY and not q.wants_number and _long(best))
        picked = [best] if factoid else _pick_sentences(ranked, probs)
        short = self._short_answer(q, ranked, probs) if q.kind in (*FACTOID, DESCRIPTION) else None
        if short is not None and short[0].hit.passage.doc_id != best.hit.passage.doc_id:
            short = None  # an answer speaks from one document: another's span is not joined to it
        host: Evidence | None = None  # the reader's sentence, shown whole: it holds the span
        if short is not None and not any(_same_sentence(short[0], e) for e in picked):
            # The reader found the answer in another sentence than the evidence model did: both are
            # shown, the evidence model's first (it ranks the citations), the reader's after it.
            host = short[0]
            picked = _fit([*picked, host])
        elif short is not None:
            # the span sits in a chosen sentence: its clauses are shown with the chosen ones
            picked = [_widen(e, short[2]) if _same_sentence(short[0], e) else e for e in picked]
        citations: list[Hit] = []
        marker: dict[str, int] = {}

        def cite(e: Evidence, clause: bool) -> int:
            """The ``[n]`` of ``e``'s passage, citing the passage at its first use."""
            pid = e.hit.passage.id
            if pid not in marker:
                marker[pid] = len(citations) + 1
                citations.append(_cite(e, clause))
            return marker[pid]

        parts: list[str] = []
        for e in picked:
            n = cite(e, factoid and e is not host)
            clause = factoid and e is not host and _clause_stands(q, e)
            parts.append(answer_text(e, n) if clause else _sentence_text(e, n))
        # the sentences the answer leans on are shown before it; its own passage keeps marker [1]
        lead = [_sentence_text(e, cite(e, False)) for e in self._antecedents(q, picked[0])
                if not any(_same_sentence(e, o) for o in picked)]
        text = "".join([*lead, *parts])
        seen = set(marker)
        citations += _passages(ranked, max(0, top_k - len(citations)), seen)
        return Extracted(text, True, citations, notes, short[1] if short else None, scored)

    def _antecedents(self, q: Question, e: Evidence) -> list[Evidence]:
        """The sentences before ``e`` that it leans on, in order; none when it stands alone.

        A sentence that opens with a pronoun or a relative time ("同年11月9日，柏林围墙倒塌",
        "这一天也标志着……") is read with the one before it; when a date is asked and the sentence
        names no year, with the sentences back to the one that does (at most ``LEAN_BACK``).
        """
        sent = e.sentence_text
        opener = _LEANS.match(T.strip_punct(sent))
        asked = q.kind == TIME and bool(_WHEN_ASKED.search(q.raw))
        when = not T.has_date(sent) and (asked or bool(opener and opener.group("time")))
        if not when and not opener:
            return []
        out: list[Evidence] = []
        size = len(e.sentence_text)
        for prev in self._sentences_before(e, LEAN_BACK):
            size += len(prev.sentence_text)
            if size > MAX_ANSWER_CHARS:
                return []
            out.insert(0, prev)
            if not when or T.has_date(prev.sentence_text):
                return out
        return []

    def _sentences_before(self, e: Evidence, n: int) -> list[Evidence]:
        """Up to ``n`` sentences before ``e``, nearest first, crossing into the passage before it."""
        out: list[Evidence] = []
        passage, end = e.hit.passage, e.sentence[0]
        while passage is not None and len(out) < n:
            spans = [(a, b) for a, b in T.sentences(normalize(passage.text)) if b <= end]
            for a, b in reversed(spans):
                hit = e.hit if passage.id == e.hit.passage.id else Hit(passage=passage, score=e.hit.score)
                out.append(replace(e, hit=hit, sentence=(a, b), window=(a, b)))
                if len(out) >= n:
                    break
            passage = self.corpus.passage_before(passage)
            end = len(passage.text) if passage is not None else 0
        return out

    def _short_answer(
        self, q: Question, ranked: list[Evidence], probs: np.ndarray
    ) -> tuple[Evidence, str, tuple[int, int]] | None:
        """The reader's span, the candidate sentence holding it and where it is in the passage.

        The reader reads the best-ranked passages, or only the best sentence when the evidence
        model is confident in it (``confident_margin``).
        """
        if self.reader is None or not ranked:
            return None
        margin = float(probs[0] - probs[1]) if len(probs) > 1 else 1.0
        if margin >= self.confident_margin:
            best = ranked[0]
            texts, starts = [best.sentence_text], [best.sentence[0]]
            hosts = [best.hit.passage]
        else:
            passages: list[Evidence] = []
            seen: set[str] = set()
            for e in ranked:  # best first: the reader reads as many as its window caps allow
                if e.hit.passage.id not in seen:
                    passages.append(e)
                    seen.add(e.hit.passage.id)
                if len(passages) >= READ_PASSAGES:
                    break
            texts, starts = [e.hit.passage.text for e in passages], [0] * len(passages)
            hosts = [e.hit.passage for e in passages]
        try:
            spans = self.reader.read(q.raw if q.english else q.text, texts, top_n=1)
        except Exception as ex:
            log.warning("the reader failed: %s", ex)
            return None
        if not spans or spans[0].score < READER_MIN_SCORE or len(spans[0].text) > MAX_SHORT_CHARS:
            return None
        sp = spans[0]
        host, offset = hosts[sp.text_index], starts[sp.text_index]
        start, end = offset + sp.start, offset + sp.end
        # the candidate sentence holding the span is what the answer shows
        for e in ranked:
            if e.hit.passage.id == host.id and e.sentence[0] <= start < e.sentence[1]:
                return e, host.text[start:end], (start, end)
        return None


def contradiction(q: Question, ev: Evidence | None, corpus: Corpus | None = None) -> grounding.Verdict:
    """What no weighing of evidence can overcome: an empty question, nothing retrieved, a place or
    year that no indexed document speaks of, or that neither the evidence nor its document's scope
    covers (a provincial report speaks for its province, a plan for its period, a dated report for
    its year and the one it reviews), an amount asked and only shares given, a figure asked and no
    figure-like text at all.
    """
    if q.empty:
        return grounding.Verdict(False, "问题为空")
    if ev is None:
        return grounding.Verdict(False, "没有检索到相关内容")
    if corpus is not None:
        uncovered = grounding.uncovered(q, corpus)
        if not uncovered.grounded:
            return uncovered
    named = grounding.unmentioned(q, ev, corpus.scope(ev.hit.passage.doc_id) if corpus is not None else None)
    if not named.grounded:
        return named
    if grounding.shares_for_amount(q, ev.window_text):
        return grounding.Verdict(False, grounding.SHARES_ONLY)
    if q.kind == QUANTITY and q.wants_number and not q.english and not _FIGURE_LIKE.search(ev.sentence_text):
        # "计划引进多少名人才" is not answered by "引进高端人才"
        return grounding.Verdict(False, "相关段落没有给出所问的数值")
    return grounding.Verdict(True)


# anything that could state a count or amount: a digit, a Chinese numeral, an enumeration to count
_FIGURE_LIKE = re.compile(r"[0-9０-９〇零一二两三四五六七八九十百千万亿、]")


_BARE_TIME = re.compile(r"^(?:到|至|截至|截止|在|于|从)?\s*(?:(?:19|20)\d{2}年(?:底|末|前|以来)?|“?十[一二三四五六七八九]五”?(?:时期|期间|末)?)[，,。\s]*$")


# a time an answer can name: a year, month or day, a decade, a century
_TIME_IN = re.compile(r"\d+\s*(?:年|月|日|世纪)|[〇零一二两三四五六七八九十百千]+(?:年|月|日|世纪)|年代")


# A sentence that leans on the one before it: it opens (perhaps after a connective) with a pronoun
# or a time relative to an earlier one.
_LEANS = re.compile(
    r"^(?:但是?|而且?|不过|然而|因此|于是|后来|并且?)?[，,]?"
    r"(?:这[一个些里时样次]|此[时后前举]|该|其[中后次余他]|随后|之后|(?P<time>同年|当年|次年|翌年|是年|同月|当月|次月))"
)
# a date question, not a duration
_WHEN_ASKED = re.compile(r"哪一?年|何年|何时|什么时候|什么时间|哪个时期|哪一天|哪天|何日")


def _clause_stands(q: Question, e: Evidence) -> bool:
    """The answering clauses say something on their own.

    A short sentence is shown whole. Otherwise the clauses must not be a bare time; must hold a
    figure when one is asked and a time when a time is asked (when the sentence has one); must say
    more than the question's own words.
    """
    if len(T.strip_punct(e.sentence_text)) <= SHORT_SENTENCE:
        return False
    window = T.strip_punct(e.window_text).strip()
    if len(window) < 6 or _BARE_TIME.match(window):
        return False
    if q.kind == TIME and not _TIME_IN.search(window) and _TIME_IN.search(e.sentence_text):
        return False
    if _echoes(q, window):
        return False
    return not (q.wants_number and not T.has_quantity(window) and T.has_quantity(e.sentence_text))


def _echoes(q: Question, window: str) -> bool:
    """Nearly every two-character piece of ``window`` is in the question."""
    asked = T.squash(q.text)
    grams = {g for g in (window[i : i + 2] for i in range(len(window) - 1)) if T.has_cjk(g) and T.strip_punct(g) == g}
    return bool(grams) and sum(g in asked for g in grams) >= ECHO_SHARE * len(grams)


def _widen(e: Evidence, span: tuple[int, int]) -> Evidence:
    """``e`` with its clause window grown to the clauses of its sentence that hold ``span``."""
    a, b = e.window
    start, end = span
    if a <= start and end <= b:
        return e
    sa, sb = e.sentence
    norm = normalize(e.hit.passage.text)
    for ca, cb in T.clauses(norm[sa:sb]):
        if sa + ca < end and sa + cb > start:
            a, b = min(a, sa + ca), max(b, sa + cb)
    return replace(e, window=(a, b))


def _fit(chosen: list[Evidence]) -> list[Evidence]:
    """``chosen`` within ``MAX_ANSWER_CHARS``: the last but one dropped until it fits (the first stays)."""
    out = list(chosen)
    while len(out) > 2 and sum(len(e.sentence_text) for e in out) > MAX_ANSWER_CHARS:
        del out[-2]
    return out


def _long(e: Evidence) -> bool:
    return len(e.sentence_text) > MAX_SENTENCE_CHARS


def _pick_sentences(ranked: list[Evidence], probs: np.ndarray) -> list[Evidence]:
    """The best sentence, then up to two more the model rates nearly as high (best first).

    A further sentence must be rated at least ``RELATIVE_KEEP`` of the best, come from the same
    document (two reports' sentences read as one answer would mix their years) and, with what
    is already chosen, stay within ``MAX_ANSWER_CHARS``.
    """
    best = float(probs[0])
    out = [ranked[0]]
    size = len(ranked[0].sentence_text)
    for e, p in zip(ranked[1:], probs[1:], strict=False):
        if len(out) >= MAX_SENTENCES or float(p) < RELATIVE_KEEP * best:
            break
        if e.hit.passage.doc_id != ranked[0].hit.passage.doc_id:
            continue
        if any(_same_sentence(e, o) for o in out) or _near_duplicate(e, out):
            continue
        if size + len(e.sentence_text) > MAX_ANSWER_CHARS:
            continue
        out.append(e)
        size += len(e.sentence_text)
    return out


def _same_sentence(a: Evidence, b: Evidence) -> bool:
    return a.hit.passage.id == b.hit.passage.id and a.sentence == b.sentence


def _near_duplicate(e: Evidence, chosen: Sequence[Evidence]) -> bool:
    s = T.squash(e.sentence_text)
    return any(s in T.squash(o.sentence_text) or T.squash(o.sentence_text) in s for o in chosen)


def _sentence_text(e: Evidence, marker: int) -> str:
    """One whole sentence verbatim, its end punctuation after the marker."""
    body = e.sentence_text.strip()
    if len(body) > 2 * MAX_SENTENCE_CHARS:
        return answer_text(e, marker)
    body = body.rstrip("。；;！!？?，, ")
    return f"{body}[{marker}]。"


def _cite(e: Evidence, factoid: bool) -> Hit:
    if factoid:
        return cited(e)
    p = e.hit.passage
    a, b = e.sentence
    while a < b and p.text[a] in " \t\n":
        a += 1
    while b > a and p.text[b - 1] in "。；;，, \t\n":
        b -= 1
    return Hit(passage=p, score=e.hit.score, highlights=((a, b),) if b > a else e.hit.highlights)


def _passages(ranked: Sequence[Evidence], k: int, seen: set[str] | None = None) -> list[Hit]:
    """The passages of the best-ranked evidence, once each, up to ``k``."""
    seen = set() if seen is None else seen
    out: list[Hit] = []
    for e in ranked:
        if len(out) >= k:
            break
        if e.hit.passage.id not in seen:
            seen.add(e.hit.passage.id)
            out.append(e.hit)
    return out


def _interleave(a: list[Hit], b: list[Hit]) -> list[Hit]:
    out: list[Hit] = []
    seen: set[str] = set()
    for i in range(max(len(a), len(b))):
        for lst in (a, b):
            if i < len(lst) and lst[i].passage.id not in seen:
                out.append(lst[i])
                seen.add(lst[i].passage.id)
    return out
