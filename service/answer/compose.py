"""Extractive answers: pick the evidence sentence, cut out the clauses that answer, cite them.

Candidates are the retrieved passages plus the passages that share the most rare question words
(a lexical safety net when retrieval ranks the evidence low). Every sentence is scored on how
much of the question's weighted vocabulary it (and its heading) holds, and on whether it has
the kind of thing asked for: a figure with the asked-for measure word right after the asked-for
noun, an enumeration, a year. The answer is the best clause window copied verbatim, so numbers
are never rewritten; the passage holding it is cited first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from index.textnorm import normalize
from index.types import Hit
from service.answer import text as T
from service.answer.corpus import Corpus
from service.answer.question import DESCRIPTION, ENTITY, LIST, QUANTITY, TIME, YESNO, Question
from service.answer.scope import place_in_scope

MAX_WINDOW = 160
_CONNECTIVE = set("达到为是至突破超过约共有实现完成累计增长提高降低减少增加了的年均建成设完力争已经将新")
_MEASURE_ASKED = re.compile(r"(?:多少|几)(亿元|万元|亿|万|个|家|届|项|条|座|所|台|辆|名|人|次|年|倍|元|亩|吨|件|套|处|级|批|类|平方米|公里|千米|米)")
PERCENT_HINT = re.compile(r"率|比重|比例|占比|百分|增速|增幅|涨幅|降幅|幅度|增长|提高|下降|降低|%")
_TARGET_Q = re.compile(r"目标|到20\d\d|(?<!\d)20(2[1-9]|[3-9]\d)年|计划|力争|规划|将要|预计|十四五|未来|要[达打建实培形突提]")
_TARGET_S = re.compile(r"到20\d\d年|力争|目标|预计|将")
_TIME_LEAD = re.compile(r"^(到|至|截至|截止|在|于)?\s*((?:19|20)\d{2}年(底|末)?|“?十[一二三四五六七八九]五”?(时期|期间|末)?)")

@dataclass(frozen=True)
class Evidence:
    """The best sentence of one candidate passage and how well it answers."""

    hit: Hit
    rank: int
    window: tuple[int, int]
    score: float
    coverage: float
    window_coverage: float
    has_quantity: bool
    context: str
    sentence: tuple[int, int] = (0, 0)
    content_coverage: float = 0.0
    heading: str = ""
    features: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def passage_text(self) -> str:
        return self.hit.passage.text

    @property
    def window_text(self) -> str:
        a, b = self.window
        return self.hit.passage.text[a:b]

    @property
    def sentence_text(self) -> str:
        a, b = self.sentence
        return self.hit.passage.text[a:b]


def question_weights(q: Question, corpus: Corpus) -> dict[str, float]:
    """Each question term weighted by its rarity in the corpus (unknown terms weigh most)."""
    return {t: max(0.2, corpus.idf(t)) for t in refine_terms(list(q.terms), corpus)}


def refine_focus(q: Question, corpus: Corpus) -> str:
    """The asked-for noun, repaired when segmentation cut it wrongly ("一核指" → "一核").

    A focus the corpus never contains is kept (that is how "常住人口" shows it is not there),
    unless a string of the question at least as long, overlapping it, does occur.
    """
    f = q.focus
    if not f or q.english or corpus.df(f) > 0:
        return f
    text = q.text
    i = text.find(f)
    if i < 0:
        return f
    best = ""
    for a in range(max(0, i - 4), i + len(f)):
        for b in range(max(a + len(f), i + 1), min(len(text), i + len(f) + 4) + 1):
            piece = text[a:b]
            if len(piece) > len(best) and T.has_cjk(piece) and corpus.df(piece) > 0:
                best = piece
    return best or f


_DEFINITION = (
    re.compile(r"^(?:请问)?(?:什么是|何为|何谓)(?P<x>.+?)[？?。！!\s]*$"),
    re.compile(r"^(?:请问)?(?P<x>.+?)(?:指的是|是指|的含义是|的意思是|的定义是|具体是|是|指)(?:什么|啥|何意|哪些内容)(?:意思|含义)?[？?。！!\s]*$"),
    re.compile(r"^(?:请问)?(?P<x>.+?)(?:的含义|的意思|的定义|的内涵)[？?。！!\s]*$"),
)
_QUOTES = "“”\"'‘’「」『』《》"


def definition_focus(q: Question, corpus: Corpus) -> Question:
    """"链长制是什么": the asked term as one word when the documents hold it verbatim.

    A segmenter cuts unseen coinages ("链长" + "制是"); the term itself, written exactly so in
    the corpus, is both what is asked about and what the answering sentence must contain.
    """
    if q.english or q.kind not in (DESCRIPTION, LIST):
        return q
    for rx in _DEFINITION:
        m = rx.match(q.text.strip())
        if m:
            break
    else:
        return q
    x = m.group("x").strip().strip(_QUOTES).strip()
    if not (2 <= len(x) <= 12) or not T.has_cjk(x) or re.search(r"[，,；;、\s]", x) or any(c in x for c in _QUOTES):
        return q
    if corpus.df(x) == 0:
        return q
    span = q.text.find(x)
    rest = [t for t in q.terms if t not in x and not (span >= 0 and _overlaps(q.text, t, span, span + len(x)))]
    return replace(q, terms=(x, *rest), focus=x)


def _overlaps(text: str, term: str, a: int, b: int) -> bool:
    i = text.find(term)
    return i >= 0 and i < b and i + len(term) > a


def refine_terms(terms: list[str], corpus: Corpus) -> list[str]:
    """Undo segmentation slips the corpus disproves: "可靠" + "率要" → "可靠率" (+ "要", dropped)."""
    out: list[str] = []
    for t in terms:
        if out and corpus.df(t) == 0 and t[:1] in T.SUFFIXES and T.has_cjk(t):
            joined = out[-1] + t[0]
            if corpus.df(joined) > 0:
                out[-1] = joined
                t = t[1:]
                if len(t) < 2 or t in T.STOPWORDS:
                    continue
        if t not in out:
            out.append(t)
    return out


def occurs(term: str, text: str) -> bool:
    """``term`` occurs as itself, not as the head of another quantity ("增加值" in "增加值率")."""
    i = text.find(term)
    while i >= 0:
        nxt = text[i + len(term) : i + len(term) + 1]
        if not (nxt and nxt in T.SUFFIXES and T.has_cjk(term) and term[-1] not in T.SUFFIXES):
            return True
        i = text.find(term, i + 1)
    return False


@lru_cache(maxsize=1 << 14)  # a few questions' worth of (term, text) pairs
def match(term: str, text: str) -> float:
    """1 when the term occurs, half the share of its pieces that occur otherwise.

    Memoised: one question matches its terms against the same passage context and heading once per
    sentence.
    """
    if occurs(term, text):
        return 1.0
    subs = T.sub_terms(term)
    if len(subs) <= 1:
        return 0.0
    got = sum(1 for s in subs if occurs(s, text))
    return 0.5 * got / len(subs)


def _coverage(weights: dict[str, float], text: str, context: str = "", ctx_weight: float = 0.6) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    got = 0.0
    for t, w in weights.items():
        m = match(t, text)
        if m < 1.0 and context:
            # a year heading a paragraph ("2020年，…") scopes all of it
            cw = max(ctx_weight, 0.9) if T.YEAR_RE.fullmatch(t) else ctx_weight
            m = max(m, cw * match(t, context))
        got += w * m
    return got / total


def _number_fit(q: Question, weights: dict[str, float], clause: str, measure: str, lead: str = "") -> float:
    """How well a number in the clause answers "how much of X": X right before it, the asked unit after.

    ``lead`` is the text of the same "；" part before the clause: "工业增加值达235.1亿元，占全区GDP
    比重36.1%" states the share of 工业增加值 although the noun sits in the clause before.
    """
    best = 0.0
    total = sum(weights.values()) or 1.0
    wants_percent = bool(PERCENT_HINT.search(q.text))
    for m in list(T.NUMBER_RE.finditer(clause)) + list(T.CN_NUMBER_RE.finditer(clause)):
        before = clause[: m.start()]
        after = clause[m.end() : m.end() + 4]
        # weight of the question terms before the number, and the gap after the last of them
        near = 0.0
        last_end = -1
        for t, w in weights.items():
            i = before.rfind(t)
            if i >= 0 and occurs(t, before[i:]):
                near += w
                last_end = max(last_end, i + len(t))
            elif lead and occurs(t, lead):
                near += 0.7 * w
        s = near / total
        if last_end >= 0:
            gap = before[last_end:]
            if gap and len(gap) <= 4 and all(ch in _CONNECTIVE for ch in gap):
                s += 0.25  # "X达N": the figure is stated as X's value
            elif not gap:
                s += 0.15
            elif len(gap) <= 6:
                s += 0.05
        if measure and (after.startswith(measure) or re.match(r"[万亿千百]" + re.escape(measure), after)):
            s += 0.35
        is_percent = m.group().endswith(("%", "％")) or after.startswith(("%", "个百分点"))
        if is_percent and not wants_percent:
            s -= 0.15
        elif is_percent and wants_percent and not measure:
            s += 0.1
        best = max(best, s)
    return best


def _is_target(sentence: str) -> bool:
    return bool(_TARGET_S.search(sentence))


_COUNT_Q = re.compile(r"([两二三四五六七八九十]|\d{1,2})(?:大|个|类|项|种|条|方面)")
_CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九十")} | {"两": 2}


def asked_count(q: Question) -> int:
    """"四大主导产业是什么" asks for four things."""
    m = _COUNT_Q.search(q.text)
    if not m or q.kind == QUANTITY:
        return 0
    n = m.group(1)
    return int(n) if n.isdigit() else _CN_DIGIT.get(n, 0)


def _phrases(q: Question) -> list[str]:
    """Neighbouring question words written together ("重点" + "发展" → 重点发展)."""
    out = []
    for a, b in zip(q.terms, q.terms[1:], strict=False):
        if a + b in q.text and T.has_cjk(a + b):
            out.append(a + b)
    return out


def _enum_fit(q: Question, clause: str) -> float:
    """An enumeration of the asked number of things next to the asked noun, or after the asked verb."""
    n = asked_count(q)
    s = 0.0
    phrases = _phrases(q)
    for a, b in T.clauses(clause):
        c = clause[a:b]
        if "、" not in c:
            continue
        items = c.count("、") + 1
        if n and q.focus and match(q.focus, c) >= 0.5:
            s = max(s, 0.3 if items == n else 0.15)
        if q.kind == LIST and any(p in c for p in phrases):
            s = max(s, 0.15)
    return s


def _type_fit(q: Question, clause: str) -> float:
    extra = _enum_fit(q, clause) if q.kind != QUANTITY else 0.0
    return extra + _kind_fit(q, clause)


def _kind_fit(q: Question, clause: str) -> float:
    if q.kind == LIST:
        # best: the enumeration sits with the asked-for noun ("A、B、C等优势企业")
        for a, b in T.clauses(clause):
            c = clause[a:b]
            if "、" in c and q.focus and match(q.focus, c) >= 0.5:
                return 0.25
        return 0.15 if ("、" in clause or "等" in clause) else 0.0
    if q.kind == TIME:
        return 0.15 if T.has_date(clause) else 0.0
    if q.kind == ENTITY:
        return 0.1 if re.search(r"“[^”]+”|[、等]|项目|企业|公司|集群|中心|园", clause) else 0.0
    if q.kind in (DESCRIPTION, YESNO):
        return 0.05 if re.search(r"“[^”]+”|、", clause) else 0.0
    return 0.0


def _windows(q: Question, weights: dict[str, float], norm: str, start: int, end: int) -> tuple[tuple[int, int], float]:
    """The clause window of one sentence that best answers, and its score.

    ``weights`` should leave out what the heading already says: under "1.先进钢铁材料" the
    clause answering "先进钢铁材料重点发展什么产品" is the one about products.
    """
    spans = [(start + a, start + b) for a, b in T.clauses(norm[start:end])] or [(start, end)]
    if q.english:
        return (start, end), 0.0
    m = _MEASURE_ASKED.search(q.text)
    measure = m.group(1) if m else ""
    # a clause is read with the others of its "；" part: "企业数量148家，占全区比重的75.1%"
    cuts = [start] + [start + c.end() for c in re.finditer(r"[；;]", norm[start:end])] + [end]
    scored: list[float] = []
    for a, b in spans:
        c = norm[a:b]
        seg_a = max(x for x in cuts if x <= a)
        seg_b = min(x for x in cuts if x >= b) if any(x >= b for x in cuts) else end
        s = _coverage(weights, c, ctx_weight=0.0) + 0.3 * _coverage(weights, norm[seg_a:seg_b], ctx_weight=0.0)
        if q.kind == QUANTITY:
            s += _number_fit(q, weights, c, measure, norm[seg_a:a]) if T.has_quantity(c) else -0.3
        else:
            s += _type_fit(q, c)
        scored.append(s)
    pool = range(len(spans))
    if q.kind == QUANTITY and any(T.has_quantity(norm[a:b]) for a, b in spans):
        # "how much" is answered by a clause with a figure; its subject may sit next to it
        pool = [i for i, (a, b) in enumerate(spans) if T.has_quantity(norm[a:b])]
    best = max(pool, key=lambda i: scored[i])
    lo = hi = best

    def covered(a: int, b: int) -> set[str]:
        return {t for t in weights if t in norm[a:b]}

    have = covered(*spans[best])
    while True:
        # grow by the neighbour that adds most of what the question asks; on a tie the following
        # clause, which usually goes on about the same subject ("…产值6.4亿元，同比增长204%")
        options: list[tuple[float, int, int]] = []
        for order, j in enumerate((hi + 1, lo - 1)):
            if not 0 <= j < len(spans):
                continue
            gain = covered(*spans[j]) - have
            needs_number = q.kind == QUANTITY and not T.has_quantity(norm[spans[lo][0] : spans[hi][1]])
            brings_number = needs_number and T.has_quantity(norm[spans[j][0] : spans[j][1]])
            width = max(spans[hi][1], spans[j][1]) - min(spans[lo][0], spans[j][0])
            if (gain or brings_number) and width <= MAX_WINDOW:
                options.append((sum(weights[t] for t in gain) + (0.5 if brings_number else 0.0), -order, j))
        if not options:
            break
        _, _, j = max(options)
        have |= covered(*spans[j])
        lo, hi = min(lo, j), max(hi, j)
    return (spans[lo][0], spans[hi][1]), scored[best]


def evidence_for(
    q: Question, hits: list[Hit], corpus: Corpus, retrieved: int, every_sentence: bool = False
) -> list[Evidence]:
    """The best sentence of each candidate passage (or, with ``every_sentence``, all), best first.

    ``retrieved`` is how many of ``hits`` came from the retriever (the rest are lexical extras).
    Each evidence carries the lexical and question-type measurements the learned scorer reads
    (``features``); ``score`` is their hand-weighted sum, the fallback when no scorer is loaded.
    """
    weights = question_weights(q, corpus)
    wants_target = bool(_TARGET_Q.search(q.text))
    top_score = max((h.score for h in hits[:retrieved]), default=0.0)
    out: list[Evidence] = []
    for rank, hit in enumerate(hits):
        p = hit.passage
        norm = normalize(p.text)
        context = corpus.context(p)
        heading = normalize(" ".join((*p.section, corpus.title(p.doc_id))))
        is_retrieved = rank < retrieved
        prior = 0.12 / (1.0 + rank) if is_retrieved else 0.0
        local = {t: w for t, w in weights.items() if not occurs(t, heading)} or weights
        # places, years and numbers the question names and the evidence does not: a place is met
        # by a document about it, a year by a document that speaks for it (a 2021–2025 plan's goals
        # answer "到2025年" where the passage does not repeat the year)
        whole = T.squash(context + norm)
        dscope = corpus.scope(p.doc_id)
        unmet = sum(1 for r in q.places if T.squash(r) not in whole and not place_in_scope(r, dscope))
        unmet += sum(1 for y in q.years if str(y) not in whole and not (dscope and y in dscope.years))
        unmet += sum(1 for r in q.numbers if T.squash(r) not in whole)
        required = [*q.places, *(str(y) for y in q.years), *q.numbers]
        qyears = {str(y) for y in q.years}
        constraints = set(required)
        # what is asked about, without the places, years and figures that only scope it ("海淀区" with
        # the place "海淀")
        content = {t: w for t, w in weights.items() if not any(c in t for c in constraints)} or weights
        head_cov = _coverage(weights, heading, ctx_weight=0.0) if weights else 0.0
        best: Evidence | None = None
        spans = T.sentences(norm) or [(0, len(norm))]
        for si, (a, b) in enumerate(spans):
            sent = norm[a:b]
            cov = _coverage(weights, sent, context) if weights else 0.0
            window, wscore = _windows(q, local, norm, a, b)
            score = 0.55 * cov + 0.35 * wscore + 0.1 * head_cov + prior - 0.4 * unmet
            sent_years = {str(y) for y in T.years(sent)}
            year_clash = bool(qyears and sent_years and not (qyears & sent_years))
            target_clash = not q.english and _is_target(sent) != wants_target
            if year_clash:
                score -= 0.15  # the sentence is about another year
            if target_clash:
                score -= 0.2  # "是多少" asks what was achieved, "目标" what is planned
            if q.english:
                # the lexicon is partial: retrieval rank counts as much as the matched words
                score = 0.6 * cov + _type_fit(q, sent) + (0.2 / (1.0 + rank) ** 0.5 if is_retrieved else 0.0)
            if not every_sentence and best is not None and score <= best.score:
                continue
            wtext = norm[window[0] : window[1]]
            content_cov = _coverage(content, sent, heading) if content else 0.0
            feats = {
                "hand": score, "cov": cov, "window": wscore, "head_cov": head_cov, "content_cov": content_cov,
                "window_cov": _coverage(weights, wtext, context) if weights else 0.0,
                "rank_prior": 1.0 / (1.0 + rank) if is_retrieved else 0.0,
                "retrieved": float(is_retrieved),
                "fused_gap": (hit.score - top_score) if is_retrieved else -1.0,
                "unmet": float(unmet), "year_clash": float(year_clash), "target_clash": float(target_clash),
                "has_quantity": float(T.has_quantity(sent)), "type_fit": _type_fit(q, sent),
                "first_sentence": float(si == 0), "passage_sentences": float(len(spans)),
                "table_row": float(p.kind == "table_row"),
            }
            ev = Evidence(
                hit=hit, rank=rank, window=window, score=score, coverage=cov,
                window_coverage=feats["window_cov"], has_quantity=T.has_quantity(wtext), context=context,
                sentence=(a, b), content_coverage=content_cov, heading=heading, features=feats,
            )
            if every_sentence:
                out.append(ev)
            else:
                best = ev
        if best is not None:
            out.append(best)
    out.sort(key=lambda e: (-e.score, e.rank))
    return out


LEXICAL_SCAN_LIMIT = 20_000


def lexical_candidates(q: Question, corpus: Corpus, doc_ids: list[str] | None, limit: int = 8) -> list[Hit]:
    """Passages holding the most weighted question words, whatever the retriever thought.

    A safety net for small collections; above ``LEXICAL_SCAN_LIMIT`` passages only the retriever
    is trusted, so a large index is not scanned on every question.
    """
    weights = question_weights(q, corpus)
    if not weights or len(corpus.searchable()) > LEXICAL_SCAN_LIMIT:
        return []
    total = sum(weights.values())
    scored: list[tuple[float, int, Hit]] = []
    allowed = set(doc_ids) if doc_ids else None
    for i, (p, norm) in enumerate(corpus.searchable()):
        if allowed is not None and p.doc_id not in allowed:
            continue
        got = sum(w for t, w in weights.items() if t in norm)
        if got > 0:
            scored.append((got / total, i, Hit(passage=p, score=got / total)))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [h for _, _, h in scored[:limit]]


def _lead(norm: str, original: str, window: tuple[int, int]) -> str:
    """A short time phrase opening the sentence ("到2025年，"), kept when the window starts later."""
    sent_start = 0
    for a, b in T.sentences(norm):
        if a <= window[0] < b:
            sent_start = a
            break
    if sent_start >= window[0]:
        return ""
    first = T.clauses(norm[sent_start : window[0]])
    if len(first) != 1:
        return ""  # only when the window follows the time phrase directly
    a, b = first[0]
    clause = norm[sent_start + a : sent_start + b]
    if len(clause) <= 14 and _TIME_LEAD.search(clause.strip()):
        return original[sent_start + a : sent_start + b].strip()
    return ""


def answer_text(ev: Evidence, marker: int = 1) -> str:
    """The evidence clauses verbatim, with a time lead-in when the sentence opens with one."""
    text = ev.hit.passage.text
    norm = normalize(text)
    a, b = ev.window
    if b - a > 2 * MAX_WINDOW:
        b = a + 2 * MAX_WINDOW
        while b > a and text[b - 1] not in "，,；;、":
            b -= 1
        b = b if b > a else a + 2 * MAX_WINDOW
    body = T.strip_punct(text[a:b])
    lead = _lead(norm, text, ev.window)
    if lead:
        body = lead.rstrip("，,") + "，" + body
    return f"{body}[{marker}]。"


def cited(ev: Evidence) -> Hit:
    """The evidence hit with the answering clauses highlighted."""
    a, b = ev.window
    p = ev.hit.passage
    while a < b and p.text[a] in " \t\n":
        a += 1
    while b > a and p.text[b - 1] in "，,。；;：: \t\n":
        b -= 1
    return Hit(passage=p, score=ev.hit.score, highlights=((a, b),) if b > a else ev.hit.highlights)
