"""Questions across a run of dated documents: 历年…分别, 对比 two years, 哪一年首次, 哪几年提到.

Such a question has no one answer sentence: each year's report holds its own value, and joining
them into one paragraph would hide which year says what. So it is answered document by
document, in date order, each line naming its year and citing its own passage (a table when
every line has a short value); a question about a phrase's first use, or the years that use it,
is answered by where the phrase occurs. Which documents take part comes from their identities
(year, kind) and the years the question names; nothing here names a document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from index.textnorm import normalize
from service.answer.when import DocTime, question_years, tense

# "每年" alone is often part of what is asked ("每年至少实践一个月"): it counts only with a span
SERIES = re.compile(r"历年|历次|历届|各年|逐年|每年的(?:政府工作)?报告|每一?份(?:政府工作)?报告|历份")
EACH = re.compile(r"每年|每一年")
COMPARE = re.compile(r"对比|比较|相比|变化|有何不同|有什么不同|有哪些不同|差别|区别")
FIRST = re.compile(r"首次|第一次|最早|最先|从哪一?年(?:开始|起)|哪一?年开始|始于哪一?年")
WHICH = re.compile(r"哪几年|哪些年份?|哪几份|哪些报告")
MENTION = re.compile(r"(?:提到|提出|出现|写入|写进|列入|纳入|谈到|提及|使用|用到)(?:了|过)?")
RANGE = re.compile(r"((?:19|20)\d{2})\s*年?\s*(?:到|至|—|-|－|~|～)\s*((?:19|20)\d{2})\s*年")
SINCE = re.compile(r"((?:19|20)\d{2})\s*年(?:以来|起|开始)")
QUOTED = re.compile(r"[“\"「『]([^”\"」』]{1,24})[”\"」』]")
_FRAME_FIRST = re.compile(r"(?:是|在|于)?(?:从)?(?:哪一?年|什么时候|何时|哪份|哪一份).*$")
_TERM_TAIL = re.compile(r"(?:这一?个?(?:说法|提法|词|概念|表述)|一词|的说法|的提法|的表述|概念)$")
_CHANGE = re.compile(r"(?:有什么|有哪些|发生了什么|是怎么|是如何|是怎样|如何|怎么|怎样)?(?:的)?变化(?:的)?|有何不同|有什么不同|有哪些不同")
MAX_DOCUMENTS = 30


@dataclass(frozen=True)
class Across:
    """A question across documents: ``values`` (ask ``sub`` of each), ``first`` or ``which`` (of ``terms``)."""

    kind: str
    sub: str = ""
    terms: tuple[str, ...] = ()
    years: tuple[int, ...] = ()  # named years (a comparison)
    span: tuple[int | None, int | None] = (None, None)  # a range of years (from, to)
    tense: str | None = None
    reports: bool = False  # the question names reports


def classify(text: str) -> Across | None:
    """What kind of question across documents this is, or None for a question about one."""
    t = normalize(text)
    names_reports = "报告" in t
    if FIRST.search(t) and MENTION.search(t) and re.search(r"哪一?年|什么时候|何时|哪份|哪一份", t):
        terms = _terms(t, first=True)
        return Across("first", terms=terms, reports=names_reports) if terms else None
    if WHICH.search(t) and MENTION.search(t):
        terms = _terms(t, first=False)
        return Across("which", terms=terms, reports=names_reports) if terms else None
    years = question_years(t)
    rng = RANGE.search(t)
    since = SINCE.search(t)
    span: tuple[int | None, int | None] = (None, None)
    if rng:
        a, b = sorted((int(rng.group(1)), int(rng.group(2))))
        span = (a, b)
    elif since:
        span = (int(since.group(1)), None)
    spanned = bool(rng or since)
    series = bool(SERIES.search(t)) or (spanned and bool(EACH.search(t))) or (
        "历年" in t or ("这些年" in t or "近几年" in t or "这几年" in t) and len(years) != 1)
    compare = bool(COMPARE.search(t)) and len(years) >= 2
    if not (series or compare or (spanned and (COMPARE.search(t) or "分别" in t))):
        return None  # "2021—2025年要建多少" asks about a period, not each year of it
    sub = _sub_question(t)
    if len(sub) < 2:
        return None
    return Across("values", sub=sub, years=years if compare and not rng else (), span=span,
                  tense=tense(t), reports=names_reports)


def _terms(t: str, first: bool) -> tuple[str, ...]:
    quoted = [q.strip() for q in QUOTED.findall(t) if q.strip()]
    if quoted:
        return tuple(dict.fromkeys(quoted))
    if first:
        body = _FRAME_FIRST.sub("", t)
        body = re.sub(r"^(?:请问|你知道)", "", body)
    else:
        m = MENTION.search(t)
        body = t[m.end():] if m else ""
    body = re.sub(r"[？?。！!，,]+$", "", body).strip()
    body = _TERM_TAIL.sub("", body).strip("的了是“”\" ")
    parts = [p for p in re.split(r"[、，,]", body) if len(p) >= 2]
    return tuple(parts[:3])


def _sub_question(t: str) -> str:
    """The question one document answers: the years, the series words and 分别 taken out."""
    s = RANGE.sub("", t)
    s = SINCE.sub("", s)
    s = re.sub(r"(?:(?:19|20)\d{2}\s*年\s*(?:和|与|跟|同|、|及)?\s*)+(?:的)?", "", s)
    s = SERIES.sub("", s)
    s = re.sub(r"历年|这些年|近几年|这几年", "", EACH.sub("", s))
    s = re.sub(r"(?:的)?政府工作报告(?:中|里|都|上)?|(?:的)?报告(?:中|里)", "", s)
    s = re.sub(r"^(?:对比|比较|相比)(?:一下)?", "", s)
    s = s.replace("分别", "")
    s = _CHANGE.sub("是多少", s)
    s = re.sub(r"^[，,、的把是在了\s]+", "", s)
    return s.strip()


def documents(a: Across, times: Sequence[DocTime]) -> list[tuple[DocTime, int | None]]:
    """The documents a values question is asked of, oldest first, each with the year it answers for.

    A target (目标, 安排) of year Y is in the report of Y; what happened in Y (实际, 增长了) in
    the report of Y+1. A question naming reports takes only reports; otherwise reports when
    there are any, since a run of years is a run of reports.
    """
    dated = [d for d in times if d.year is not None]
    reports = [d for d in dated if d.report]
    pool = longest_series(reports if (a.reports or reports) else dated)
    shift = 1 if a.tense == "fact" else 0
    out: list[tuple[DocTime, int | None]] = []
    if a.years:
        for y in a.years:
            got = [d for d in pool if d.year == y + shift] or [d for d in pool if d.year == y]
            out += [(d, d.year - shift if d.year == y + shift else d.year) for d in got]
    else:
        lo, hi = a.span
        for d in pool:
            asked = d.year - shift if d.year is not None else None
            if asked is None or (lo is not None and asked < lo) or (hi is not None and asked > hi):
                continue
            out.append((d, asked))
    out.sort(key=lambda x: (x[0].year or 0, x[0].name))
    seen: set[str] = set()
    uniq = [(d, y) for d, y in out if not (d.doc_id in seen or seen.add(d.doc_id))]
    return uniq[:MAX_DOCUMENTS]


def longest_series(docs: Sequence[DocTime]) -> list[DocTime]:
    """The documents of the run spanning the most years ("历年" of the national reports, not
    twenty provincial reports of one year beside them); all of them when no run is longer."""
    years: dict[str, set[int]] = {}
    for d in docs:
        if d.year is not None:
            years.setdefault(d.series, set()).add(d.year)
    if not years:
        return list(docs)
    best = max(len(v) for v in years.values())
    keep = {k for k, v in years.items() if len(v) == best}
    return list(docs) if len(keep) == len(years) else [d for d in docs if d.series in keep]


def find_terms(terms: Sequence[str], docs: Sequence[DocTime],
               paragraphs: Callable[[str], Sequence[tuple[object, str]]]) -> list[tuple[DocTime, list[object]]]:
    """The documents holding every term (oldest first), each with the first passage holding each term."""
    wanted = [normalize(t) for t in terms]
    out = []
    for d in sorted((d for d in docs if d.year is not None), key=lambda d: (d.year or 0, d.name)):
        firsts: list[object] = []
        for term in wanted:
            hit = next((p for p, text in paragraphs(d.doc_id) if _word_at(text, term)), None)
            if hit is None:
                break
            if hit not in firsts:
                firsts.append(hit)
        else:
            out.append((d, firsts))
    return out


def _word_at(text: str, term: str) -> bool:
    """``term`` occurs in ``text`` starting at a word boundary: "新发展理念" is not in "创新发展理念"."""
    i = text.find(term)
    if i < 0:
        return False
    import jieba

    while i >= 0:
        start = max(0, i - 12)
        pos, bounds = start, set()
        for w in jieba.lcut(text[start:i + len(term)]):
            bounds.add(pos)
            pos += len(w)
        if i == 0 or i in bounds:
            return True
        i = text.find(term, i + 1)
    return False


def sentence_with(text: str, term: str, width: int = 60) -> str:
    """The sentence of ``text`` holding ``term``, cut to about ``width`` characters around it."""
    i = text.find(term)
    if i < 0:
        text, term = normalize(text), normalize(term)
        i = text.find(term)
    if i < 0:
        return text[:width]
    stops = "。；！？!?;"
    a = max(text.rfind(c, 0, i) for c in stops) + 1
    b = min([j for j in (text.find(c, i) for c in stops) if j >= 0] or [len(text) - 1])
    a = max(a, i - width // 2)
    b = min(b + 1, i + len(term) + width // 2)
    return ("…" if a > 0 and text[a - 1] not in stops else "") + text[a:b].strip()


@dataclass(frozen=True)
class Joined:
    """An answer across documents: its text, the citations its ``[n]`` refer to, how many answered."""

    text: str
    citations: list
    answered: int
    asked: int


def join_values(chosen: Sequence[tuple[DocTime, int | None]], answers: Sequence[object | None]) -> Joined:
    """One line (or table row) per document, in date order, each citing only its own passages.

    ``answers[i]`` is the answer of ``chosen[i]``'s document, or None where it gave none. A table
    when every answer gives a figure (the figures then line up by year); the cell holds the
    answer's own words, not a span cut from them, so "6%以上" keeps its 以上.
    """
    cites: list = []
    index: dict[str, int] = {}

    def renumber(ans: object) -> str:
        text, old = ans.text, ans.citations  # type: ignore[attr-defined]

        def mark(m: re.Match[str]) -> str:
            n = int(m.group(1))
            if not 0 < n <= len(old):
                return ""
            pid = old[n - 1].passage.id
            if pid not in index:
                cites.append(old[n - 1])
                index[pid] = len(cites)
            return f"[{index[pid]}]"

        return re.sub(r"\[(\d+)\]", mark, text)

    bodies = [renumber(a) if a is not None else None for a in answers]
    answered = [b for b in bodies if b is not None]
    table = bool(answered) and all(re.search(r"\d", re.sub(r"\[\d+\]", "", b)) for b in answered)
    rows: list[str] = []
    for (d, y), body in zip(chosen, bodies, strict=True):
        label = f"{y}年" if y is not None else d.name
        if table:
            cell = body.replace("|", "｜").replace("\n", " ") if body is not None else "没有找到"
            rows.append(f"| {label} | 《{d.name}》 | {cell} |")
        else:
            rows.append(f"{label}（《{d.name}》）：{body if body is not None else '没有找到。'}")
    head = f"按年份逐份回答（{len(chosen)}份文件，{len(answered)}份有答案）："
    if table:
        rows = ["| 年份 | 文件 | 答案 |", "|---|---|---|", *rows]
    return Joined("\n".join([head, *rows]), cites, len(answered), len(chosen))


def join_mentions(a: Across, found: Sequence[tuple[DocTime, list[object]]], searched: int) -> Joined:
    """Where the phrase is used: the first document (``first``) or every one (``which``), each cited."""
    cites: list = []
    phrase = "”“".join(a.terms)
    lines = []
    for d, passages in (found[:1] if a.kind == "first" else found):
        marks = []
        for p in passages:
            cites.append(p)
            marks.append(f"[{len(cites)}]")
        hit = passages[0]
        sentence = sentence_with(hit.passage.text, a.terms[0])  # type: ignore[attr-defined]
        lines.append(f"{d.year}年（《{d.name}》）：{sentence}{''.join(marks)}")
    if a.kind == "first":
        d = found[0][0]
        later = "、".join(f"{x.year}年" for x, _ in found[1:])
        text = f"在{searched}份有日期的文件中，“{phrase}”最早出现在{d.year}年的《{d.name}》：\n{lines[0]}"
        if later:
            text += f"\n此后见于：{later}。"
        return Joined(text, cites, 1, searched)
    head = f"在{searched}份有日期的文件中，提到“{phrase}”的有{len(found)}份："
    return Joined("\n".join([head, *lines]), cites, len(found), searched)
