"""Is the answer supported? "Not in the document" is an answer too, and a better one than a guess.

An extractive answer stands only when its evidence mentions every place, year and number the
question names, covers enough of the question's weighted vocabulary, and (for "how many / how
much") actually holds a figure. Otherwise the answer says the documents do not state it and the
nearest passages are still listed so the reader can check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from index.textnorm import normalize
from service.answer import scope
from service.answer import text as T
from service.answer.compose import PERCENT_HINT, Evidence, match
from service.answer.question import LIST, Question

# Share of the question's weighted vocabulary the evidence (with its heading) must hold.
MIN_COVERAGE = 0.5
# Share that the answering clauses themselves must hold, so an answer is not a near-miss sentence.
MIN_WINDOW_COVERAGE = 0.3


@dataclass(frozen=True)
class Verdict:
    grounded: bool
    reason: str = ""
    missing: tuple[str, ...] = ()


# A share is often written "占…N%" without the word 比重; growth "增长N%" without 增速.
_FOCUS_ALIASES = {
    "比重": ("占", "比例", "占比", "%"),
    "比例": ("占", "比重", "占比", "%"),
    "占比": ("占", "比重", "比例", "%"),
    "增速": ("增长",),
    "增幅": ("增长",),
    "增长率": ("增长",),
    "数量": ("家", "个", "项"),
}


def _focus_named(focus: str, text: str) -> bool:
    if match(focus, text) >= 0.5:
        return True
    return any(a in text for a in _FOCUS_ALIASES.get(focus, ()))


def _mentioned(item: str, context: str) -> bool:
    return T.squash(item) in T.squash(context)


# The generic feature a place name can end in: "舟山群岛" is named by "舟山市" and "群岛".
_GEO_TAIL = re.compile(r"(群岛|半岛|列岛|山脉|海峡|平原|盆地|高原|流域|地区)$")


def _abbreviates(short: str, context: str) -> bool:
    """``short`` is a contraction of a longer name in ``context``: its characters in order, from
    where the name starts, within a span at most two longer ("伦大" in "伦敦大学")."""
    n = len(short)
    # a name the dictionary knows is meant as written ("中国" is not "中美两国"); a contraction
    # ("伦大") is not a word of its own
    if n < 2 or scope.dictionary_freq(short) > 0:
        return False
    start = 0
    while (i := context.find(short[0], start)) >= 0:
        j, k = i + 1, 1
        while k < n and j < min(len(context), i + n + 2):
            if context[j] == short[k]:
                k += 1
            j += 1
        if k == n:
            return True
        start = i + 1
    return False


def place_mentioned(place: str, context: str) -> bool:
    """The evidence names the place: as written, as a contraction, or as its name and feature."""
    ctx = T.squash(context)
    place = T.squash(place)
    if place in ctx or _abbreviates(place, ctx):
        return True
    m = _GEO_TAIL.search(place)
    head = place[: m.start()] if m else ""
    return bool(m and len(head) >= 2 and head in ctx and m.group() in ctx)


def _enumerates(focus: str, sentence: str) -> bool:
    """A clause names several of the asked-for things ("A、B等优势企业"), or one "A等企业"."""
    for a, b in T.clauses(sentence):
        c = sentence[a:b]
        if match(focus, c) >= 0.5 and ("、" in c or f"等{focus}" in c or re.search(r"等\S{0,4}" + re.escape(focus), c)):
            return True
    return False


_COUNTRY = ("中国", "我国", "全国", "中华人民共和国")


def unmentioned(q: Question, ev: Evidence, doc: scope.DocScope | None = None) -> Verdict:
    """A place, year or number the question names that the evidence (with its context) never mentions.

    With the document's scope (``doc``), a place the document is about and a year it speaks for
    count as mentioned: a provincial report's passages are about that province, the goals of a
    2021–2025 plan answer "到2025年", a national report answers for 中国.
    """
    ctx = ev.context + " " + normalize(ev.passage_text)
    places = [p for p in q.places if not place_mentioned(p, ctx) and not scope.place_in_scope(p, doc)
              and not (doc is not None and doc.national and p in _COUNTRY)]
    if places:
        return Verdict(False, "相关段落没有提到" + "、".join(f"“{p}”" for p in places), tuple(places))
    years = [str(y) for y in q.years if not _mentioned(str(y), ctx) and not (doc is not None and y in doc.years)]
    if years:
        return Verdict(False, "相关段落没有提到" + "、".join(f"{y}年" for y in years), tuple(years))
    nums = [n for n in q.numbers if not _mentioned(n, ctx)]
    if nums:
        return Verdict(False, "相关段落没有出现" + "、".join(nums), tuple(nums))
    return Verdict(True)


# "要涨多少", "占多大份额", "投入强度多少": a share answers these as well as an amount would
_SHARE_WORDS = re.compile(r"涨|份额|占|几成|几倍|强度|水平")
# how much a thing changed ("降了多少", "要压减多少", "多了多少", "砍掉多少") is said as often by a
# share as by an amount: "资费降低20%", "游客增长14%"
_CHANGE_ASKED = re.compile(r"[涨升降减增加调提压砍缩削少多翻让省善]了?掉?(?:多少|几)(?![元亿万吨人辆个家所座条台套户斤公里平方米])")


def asks_share(q: Question) -> bool:
    """Whether a share or a rate can answer the question (it asks for one, or a change, or is in English)."""
    return q.english or bool(PERCENT_HINT.search(q.text) or _SHARE_WORDS.search(q.text)
                             or _CHANGE_ASKED.search(q.text))


def uncovered(q: Question, corpus: Any) -> Verdict:
    """A place or year the question names that no indexed document speaks of.

    A place is spoken of when a document is about it (its title) or any sentence names it; a year
    when a document speaks for it (a dated report, a plan's period) or any sentence names it.
    Whether the cited passage itself does is weighed by the evidence model, not decided here.
    """
    scopes = corpus.scopes()
    places = [p for p in q.places
              if corpus.df(p) == 0 and not any(scope.place_in_scope(p, s) for s in scopes)]
    if places:
        return Verdict(False, "文档中没有关于" + "、".join(f"“{p}”" for p in places) + "的内容", tuple(places))
    years = [y for y in q.years if corpus.df(f"{y}") == 0 and not any(y in s.years for s in scopes)]
    if years:
        return Verdict(False, "文档中没有涉及" + "、".join(f"{y}年" for y in years) + "的内容", tuple(str(y) for y in years))
    return Verdict(True)


def check(q: Question, ev: Evidence | None, focus: str | None = None) -> Verdict:
    """Whether the chosen evidence supports answering ``q``, and if not, why.

    ``focus`` overrides the question's own head noun (the engine repairs it against the corpus).
    """
    focus = q.focus if focus is None else focus
    if q.empty:
        return Verdict(False, "问题为空")
    if ev is None:
        return Verdict(False, "没有检索到相关内容")
    named = unmentioned(q, ev)
    if not named.grounded:
        return named
    if focus:
        # the thing asked about must be named where the answer is, not only somewhere near
        sentence = normalize(ev.sentence_text)
        if not _focus_named(focus, sentence + " " + ev.heading):
            return Verdict(False, f"相关段落没有提到“{focus}”", (focus,))
        if q.kind == LIST and not q.english and not _enumerates(focus, sentence) and match(focus, ev.heading) < 0.5:
            return Verdict(False, f"相关段落没有列出具体的{focus}", (focus,))
    if q.english:
        if q.wants_number and focus and not _figure_with(focus, normalize(ev.sentence_text)):
            # "population" is not answered by "密集人口区域": the asked-for noun needs its figure
            return Verdict(False, f"相关段落没有给出“{focus}”的具体数字", (focus,))
        return Verdict(True)
    if ev.content_coverage < MIN_COVERAGE or ev.window_coverage < MIN_WINDOW_COVERAGE:
        return Verdict(False, "只找到相关度较低的段落")
    if q.wants_number and not ev.has_quantity:
        return Verdict(False, "相关段落没有给出具体数字")
    if shares_for_amount(q, ev.window_text):
        return Verdict(False, SHARES_ONLY)
    return Verdict(True)


def _figure_with(focus: str, sentence: str) -> bool:
    """A clause names the asked-for noun and holds a figure."""
    for a, b in T.clauses(sentence):
        c = sentence[a:b]
        if match(focus, c) >= 0.5 and T.has_quantity(c):
            return True
    return False


SHARES_ONLY = "相关段落只给出了比例，没有给出所问的数值"


def shares_for_amount(q: Question, window: str) -> bool:
    """An amount asked and only shares given: "GDP目标是多少" is not answered by "占全区GDP比重保持在
    35%以上", while "占多大份额", "涨多少" or "降了多少" are (``asks_share``)."""
    return q.wants_number and not asks_share(q) and only_shares(window)


def only_shares(window: str) -> bool:
    """Every figure in the clauses is a share (N%, N个百分点), none an amount."""
    nums = [m for m in T.NUMBER_RE.finditer(window) if window[m.end() : m.end() + 1] != "年"]
    if not nums or T.CN_NUMBER_RE.search(window):
        return False
    return all(m.group().endswith(("%", "％")) or window[m.end() : m.end() + 4].startswith("个百分点") for m in nums)


_MEASURE = "[个家项届条座名次级年所位种处辆台]"
_QWORDS = re.compile(
    rf"(请问|[是有为]?多少{_MEASURE}?|是什么|有什么|有哪些|是哪些|哪些|哪几{_MEASURE}?|哪个|哪家|什么|是谁|谁|"
    rf"几{_MEASURE}?|如何|怎么样|怎样|怎么|吗|呢|是否|何时)"
)


def topic(q: Question) -> str:
    """The question with its question words removed: what the documents do not state."""
    # markers in the question must not read as citations of this answer
    marker = r"[\[【［]\s*\d*\s*[\]】］]"
    if q.english:
        return re.sub(marker, "", q.raw).strip().rstrip("?？. ")[:120]
    raw = q.raw[: T.MAX_QUESTION_CHARS]
    # normalised (Simplified, half-width) but with the asker's Latin letters as typed ("5G")
    shown = "".join(r if r.isascii() and r.isalpha() else n for r, n in zip(raw, normalize(raw), strict=False))
    t = re.sub(marker, "", shown).strip()
    t = _QWORDS.sub("", t)
    t = re.sub(r"[？?！!。，,；;：:\s]+$", "", t)
    t = re.sub(r"\s+", "", t)
    t = re.sub(r"(的|是|有|为|了)$", "", t)
    return t[:60]


def not_found_text(q: Question, verdict: Verdict) -> str:
    """The answer when the documents do not support one."""
    if q.empty:
        return "问题为空，请输入要查询的内容。"
    subject = topic(q)
    head = f"文档中没有找到关于“{subject}”的信息" if subject else "文档中没有找到相关信息"
    if verdict.reason:
        return f"{head}（{verdict.reason}）。以下是最相近的段落，供核对。"
    return f"{head}。以下是最相近的段落，供核对。"
