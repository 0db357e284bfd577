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
from dataclasses import dataclass

from index.types import Hit
from service.answer import text as T
from service.answer.corpus import Corpus
from service.answer.question import DESCRIPTION, ENTITY, LIST, QUANTITY, TIME, YESNO, Question

MAX_WINDOW = 160
_CONNECTIVE = set("达到为是至突破超过约共有实现完成累计增长提高降低减少增加了的年均建成设完力争已经将新")
_MEASURE_ASKED = re.compile(r"(?:多少|几)(亿元|万元|亿|万|个|家|届|项|条|座|所|台|辆|名|人|次|年|倍|元|亩|吨|件|套|处|级|批|类|平方米|公里|千米|米)")
_PERCENT_HINT = re.compile(r"率|比重|比例|占比|百分|增速|增幅|增长|提高|下降|降低|%")
_TIME_LEAD = re.compile(r"^(到|至|截至|截止|在|于)?\s*((?:19|20)\d{2}年(底|末)?|“?十[一二三四五六七八九]五”?(时期|期间|末)?)")

# English words of plan documents → Chinese, so an English question can pick a sentence and be
# checked against it; retrieval itself is cross-lingual through the dense model.
GLOSSARY = {
    "industry": "产业", "industries": "产业", "industrial": "工业", "leading": "主导", "pillar": "支柱",
    "target": "目标", "targets": "目标", "goal": "目标", "investment": "投资", "invest": "投资",
    "project": "项目", "projects": "项目", "enterprise": "企业", "enterprises": "企业", "company": "公司",
    "companies": "企业", "growth": "增长", "grow": "增长", "output": "产值", "value": "产值", "added": "增加值",
    "gdp": "生产总值", "park": "园区", "parks": "园区", "zone": "区", "cluster": "集群", "clusters": "集群",
    "manufacturing": "制造", "equipment": "装备", "materials": "材料", "material": "材料", "new": "新",
    "biomedicine": "生物医药", "biomedical": "生物医药", "pharmaceutical": "医药", "medical": "医疗",
    "devices": "器械", "automobile": "汽车", "automotive": "汽车", "vehicle": "汽车", "vehicles": "汽车",
    "car": "汽车", "intelligent": "智能", "smart": "智能", "connected": "网联", "green": "绿色",
    "energy": "能源", "saving": "节能", "carbon": "碳", "steel": "钢", "aviation": "航空", "aerospace": "航空",
    "robot": "机器人", "robots": "机器人", "innovation": "创新", "technology": "技术", "digital": "数字",
    "internet": "互联网", "cloud": "云", "base": "基站", "stations": "基站", "station": "基站", "5g": "5G",
    "development": "发展", "principles": "原则", "principle": "原则", "layout": "布局", "spatial": "空间",
    "tasks": "任务", "measures": "措施", "safety": "安全", "talent": "人才", "talents": "人才",
    "brand": "品牌", "quality": "质量", "standard": "标准", "standards": "标准", "infrastructure": "基础设施",
    "four": "四", "three": "三", "two": "二", "five": "五", "six": "六", "one": "一",
    "high-end": "高端", "advanced": "先进", "strategic": "战略", "emerging": "新兴", "hydrogen": "氢",
    "battery": "电池", "batteries": "电池", "welding": "焊接", "fiber": "纤维", "airport": "机场",
    "logistics": "物流", "environment": "环境", "business": "营商", "land": "土地", "funding": "资金",
}


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

    @property
    def passage_text(self) -> str:
        return self.hit.passage.text

    @property
    def window_text(self) -> str:
        a, b = self.window
        return self.hit.passage.text[a:b]


def question_weights(q: Question, corpus: Corpus) -> dict[str, float]:
    """Each question term weighted by its rarity in the corpus (unknown terms weigh most)."""
    terms = _terms(q)
    return {t: max(0.2, corpus.idf(t)) for t in terms}


def _terms(q: Question) -> list[str]:
    if q.english:
        out = []
        for w in q.terms:
            zh = GLOSSARY.get(w.lower())
            if zh and zh not in out:
                out.append(zh)
            elif re.fullmatch(r"\d+(?:\.\d+)?", w) and w not in out:
                out.append(w)
        return out
    return list(q.terms)


def occurs(term: str, text: str) -> bool:
    """``term`` occurs as itself, not as the head of another quantity ("增加值" in "增加值率")."""
    i = text.find(term)
    while i >= 0:
        nxt = text[i + len(term) : i + len(term) + 1]
        if not (nxt and nxt in T.SUFFIXES and T.has_cjk(term) and term[-1] not in T.SUFFIXES):
            return True
        i = text.find(term, i + 1)
    return False


def _match(term: str, text: str) -> float:
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
        m = _match(t, text)
        if m < 1.0 and context:
            # a year heading a paragraph ("2020年，…") scopes all of it
            cw = max(ctx_weight, 0.9) if T.YEAR_RE.fullmatch(t) else ctx_weight
            m = max(m, cw * _match(t, context))
        got += w * m
    return got / total


def _number_fit(q: Question, weights: dict[str, float], clause: str, measure: str) -> float:
    """How well a number in the clause answers "how much of X": X right before it, the asked unit after."""
    best = 0.0
    total = sum(weights.values()) or 1.0
    wants_percent = bool(_PERCENT_HINT.search(q.text))
    for m in list(T.NUMBER_RE.finditer(clause)) + list(T.CN_NUMBER_RE.finditer(clause)):
        before = clause[: m.start()]
        after = clause[m.end() : m.end() + 4]
        # weight of the question terms in the clause before the number, and the gap after the last
        near = 0.0
        last_end = -1
        for t, w in weights.items():
            i = before.rfind(t)
            if i >= 0 and occurs(t, before[i:]):
                near += w
                last_end = max(last_end, i + len(t))
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
        best = max(best, s)
    return best


def _type_fit(q: Question, clause: str) -> float:
    if q.kind == LIST:
        return 0.15 if ("、" in clause or "等" in clause) else 0.0
    if q.kind == TIME:
        return 0.15 if T.years(clause) else 0.0
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
    m = _MEASURE_ASKED.search(q.text)
    measure = m.group(1) if m else ""
    scored: list[float] = []
    for a, b in spans:
        c = norm[a:b]
        s = _coverage(weights, c, ctx_weight=0.0)
        if q.kind == QUANTITY:
            s += _number_fit(q, weights, c, measure) if T.has_quantity(c) else -0.3
        else:
            s += _type_fit(q, c)
        scored.append(s)
    best = max(range(len(spans)), key=lambda i: scored[i])
    lo = hi = best

    def covered(a: int, b: int) -> set[str]:
        return {t for t in weights if t in norm[a:b]}

    have = covered(*spans[best])
    changed = True
    while changed:
        changed = False
        for j in (lo - 1, hi + 1):
            if not 0 <= j < len(spans):
                continue
            gain = covered(*spans[j]) - have
            needs_number = q.kind == QUANTITY and not T.has_quantity(norm[spans[lo][0] : spans[hi][1]])
            useful = bool(gain) or (needs_number and T.has_quantity(norm[spans[j][0] : spans[j][1]]))
            width = max(spans[hi][1], spans[j][1]) - min(spans[lo][0], spans[j][0])
            if useful and width <= MAX_WINDOW:
                lo, hi = min(lo, j), max(hi, j)
                have |= gain
                changed = True
    return (spans[lo][0], spans[hi][1]), scored[best]


def _passage_context(corpus: Corpus, hit: Hit) -> str:
    p = hit.passage
    return corpus.context(p)


def evidence_for(q: Question, hits: list[Hit], corpus: Corpus, retrieved: int) -> list[Evidence]:
    """The best sentence of each candidate passage, best first.

    ``retrieved`` is how many of ``hits`` came from the retriever (the rest are lexical extras);
    retrieved passages get a small prior by rank.
    """
    weights = question_weights(q, corpus)
    out: list[Evidence] = []
    for rank, hit in enumerate(hits):
        p = hit.passage
        norm = T.normalize(p.text)
        context = _passage_context(corpus, hit)
        heading = T.normalize(" ".join((*p.section, corpus.title(p.doc_id))))
        prior = 0.12 / (1.0 + rank) if rank < retrieved else 0.0
        local = {t: w for t, w in weights.items() if not occurs(t, heading)} or weights
        # places, years and numbers the question names are hard constraints (see grounding)
        whole = T.squash(context + norm)
        required = [*q.places, *(str(y) for y in q.years), *q.numbers]
        unmet = sum(1 for r in required if T.squash(r) not in whole)
        qyears = {str(y) for y in q.years}
        best: Evidence | None = None
        for a, b in T.sentences(norm) or [(0, len(norm))]:
            sent = norm[a:b]
            cov = _coverage(weights, sent, context) if weights else 0.0
            window, wscore = _windows(q, local, norm, a, b)
            head_cov = _coverage(weights, heading, ctx_weight=0.0) if weights else 0.0
            score = 0.55 * cov + 0.35 * wscore + 0.1 * head_cov + prior - 0.4 * unmet
            sent_years = {str(y) for y in T.years(sent)}
            if qyears and sent_years and not (qyears & sent_years):
                score -= 0.15  # the sentence is about another year
            if q.english:
                score = cov * 0.3 + (0.5 / (1.0 + rank) if rank < retrieved else 0.0)
            if best is None or score > best.score:
                wtext = norm[window[0] : window[1]]
                best = Evidence(
                    hit=hit,
                    rank=rank,
                    window=window,
                    score=score,
                    coverage=cov,
                    window_coverage=_coverage(weights, wtext, context) if weights else 0.0,
                    has_quantity=T.has_quantity(wtext),
                    context=context,
                )
        if best is not None:
            out.append(best)
    out.sort(key=lambda e: (-e.score, e.rank))
    return out


def lexical_candidates(q: Question, corpus: Corpus, doc_ids: list[str] | None, limit: int = 8) -> list[Hit]:
    """Passages holding the most weighted question words, whatever the retriever thought."""
    weights = question_weights(q, corpus)
    if not weights:
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
    if not first:
        return ""
    a, b = first[0]
    clause = norm[sent_start + a : sent_start + b]
    if len(clause) <= 14 and _TIME_LEAD.search(clause.strip()):
        return original[sent_start + a : sent_start + b].strip()
    return ""


def answer_text(ev: Evidence, marker: int = 1) -> str:
    """The evidence clauses verbatim, with a time lead-in when the sentence opens with one."""
    text = ev.hit.passage.text
    norm = T.normalize(text)
    a, b = ev.window
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
