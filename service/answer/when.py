"""Which year a question is about, and which dated documents answer for it.

A run of yearly reports says "今年" in every one of them: the 2019 report's "今年…预期目标"
is 2019's target, and its review of "过去一年" is 2018's outcome. So a question naming a year
is answered from the reports that speak for that year — the report of the year for a target
or plan (目标, 安排, 计划), the next year's report for what happened (实际, 完成了, 减少了) —
and "今年 / 去年 / 明年" without a year is read against the newest document, which the answer
then names. Plans speak for every year of their period. Nothing here names a document: years
come from the documents' identities and scopes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.textnorm import normalize

# a four-digit year, or a two-digit one where it can only be a year ("13年温家宝作报告"): not
# "近10年", "过去20年", "10年来", "30年代"
YEAR4 = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
YEAR2 = re.compile(r"(?<![\d.近过去前后这那最第数几十百多余整])([0-3]\d)年(?![来间内后前代多余左底度以中])")
RELATIVE = re.compile(r"今年|本年度|去年|上一?年(?!度)|明年|下一?年(?!度)|当年")
REPORT_NAMED = re.compile(r"((?:19|20)?\d{2})\s*年[^，。？！；,?!]{0,8}?(?:报告|讲话|公报)")
TARGET = re.compile(r"目标|预期|预计|计划|规划|拟|安排|打算|准备|部署|任务|要求|定为|定在|定的|提出|措施|举措|办法|怎么|怎样|如何|"
                    r"还会|会不会|将会|是否会|(?<![需重主只还])要(?!求)|将")
FACT = re.compile(r"实际|完成了|达到|实现了|(?<!安排)(?<!计划)了多少|回顾|过去|比上年|一共|总共|共计|全年.*了|(?:增长|减少|新增|下降|增加|提高|降低|改造|增产)了")


@dataclass(frozen=True)
class DocTime:
    """What the time scope needs of one document."""

    doc_id: str
    name: str
    year: int | None  # the year it is dated (a report of year Y reviews Y-1 and plans Y)
    years: tuple[int, ...]  # every year it speaks for (see ``scope.document_years``)
    report: bool  # a yearly report (dated, reviews one year and plans the next)
    series: str = ""  # documents of one run share it: the same kind for the same region


@dataclass(frozen=True)
class TimeScope:
    years: tuple[int, ...]  # years the question names
    relative: bool  # 今年 / 去年 / 明年 and no year named
    report_year: int | None  # "2013年政府工作报告里…": that year's report itself
    tense: str | None  # "target" | "fact" | None (cannot tell)
    relative_word: str = ""  # the 今年 / 去年 / 明年 the question says, when it names no year

    @property
    def empty(self) -> bool:
        return not self.years and not self.relative and self.report_year is None


def full_year(text: str) -> int:
    y = int(text)
    return y if y >= 100 else 2000 + y


def question_years(text: str) -> tuple[int, ...]:
    """The years a question names, in order; two-digit years only where nothing else is meant."""
    t = normalize(text)
    out = [int(y) for y in YEAR4.findall(t)]
    out += [2000 + int(y) for y in YEAR2.findall(t)]
    return tuple(dict.fromkeys(out))


def tense(text: str) -> str | None:
    """Whether a question asks for a target or plan, or for what happened; None when both or neither."""
    t = normalize(text)
    target, fact = bool(TARGET.search(t)), bool(FACT.search(t))
    if target and not fact:
        return "target"
    if fact and not target:
        return "fact"
    if target and fact:
        if re.search(r"实际|完成了|实现了|达到了", t):
            return "fact"
        if re.search(r"目标|预期|计划|拟|打算|准备", t):
            return "target"  # "目标定了多少"
    return None


HORIZON = re.compile(r"(?:到|至|截至|截止到?)\s*((?:19|20)\d{2})\s*年|((?:19|20)\d{2})\s*年(?:前|以前|之前|底前|末前)")


def time_scope(text: str) -> TimeScope:
    """The years a question is about; a horizon ("到2025年", "2030年前") is a goal's deadline,
    set in any document, so it does not point to a year's report."""
    t = normalize(text)
    horizons = {int(a or b) for a, b in HORIZON.findall(t)}
    years = tuple(y for y in question_years(t) if y not in horizons)
    m = REPORT_NAMED.search(t)
    report_year = full_year(m.group(1)) if m and full_year(m.group(1)) in years else None
    rel = RELATIVE.search(t) if not years else None
    return TimeScope(years, rel is not None, report_year, tense(t), rel.group(0) if rel else "")


@dataclass(frozen=True)
class TimePlan:
    """Document sets to ask in turn (the first that answers stands), and a note for the reader."""

    attempts: tuple[tuple[str, ...], ...]  # empty: the report the question names is not indexed
    newest: bool = False  # 今年 read against the newest reports: the answer names the one it used
    year: int | None = None  # the year an answer must speak for (None: the documents decide)
    covered: tuple[str, ...] = ()  # every document speaking for the year, asked or deliberately not


def plan(ts: TimeScope, docs: Sequence[DocTime]) -> TimePlan | None:
    """The documents a question's years point to, in the order to ask them, and the year an
    answer must speak for; None when time neither narrows the documents nor checks an answer.

    Yearly reports come before other documents speaking for the year: a plan covers a span,
    while a report says which year it speaks of. With no document speaking for the year, None:
    the grounding checks then see that the evidence does not speak of it.
    """
    if ts.empty or not docs:
        return None
    every = tuple(d.doc_id for d in docs)
    if ts.report_year is not None:
        named = tuple(d.doc_id for d in docs if d.report and d.year == ts.report_year)
        if named:
            # the report named: a target asked of it is in its plans; another year named with it
            # ("2022年粮食收成咋样？（2023年报告）") is the year its answer must speak for
            other = [y for y in ts.years if y != ts.report_year]
            year = other[0] if len(other) == 1 else ts.report_year if ts.tense == "target" else None
            return _plan((named,), docs, year=year)
        if any(d.report for d in docs):
            return TimePlan(())
    if ts.relative:
        dated = [d for d in docs if d.year is not None]
        dated = [d for d in dated if d.report] or dated  # 今年 is how a yearly report speaks
        if not dated:
            return None
        newest = max(d.year for d in dated if d.year is not None)
        ids = tuple(d.doc_id for d in dated if d.year == newest)
        word = ts.relative_word
        year = newest - 1 if re.search(r"去年|上一?年", word) else newest if re.search(r"今年|本年度|当年", word) else None
        return _plan((ids,), docs, len(dated) > 1 and set(ids) != set(every), year)
    if len(ts.years) != 1:
        return None  # several years: a question across years (``across``) or a range
    y = ts.years[0]
    speaking = [d for d in docs if y in d.years]
    if not speaking:
        return None
    planned = tuple(d.doc_id for d in speaking if d.report and d.year == y)
    reviewed = tuple(d.doc_id for d in speaking if d.report and d.year == y + 1)
    rest = tuple(d.doc_id for d in speaking if d.doc_id not in planned + reviewed)
    if ts.tense == "target":
        order: tuple[tuple[str, ...], ...] = (planned, rest, reviewed)
    elif ts.tense == "fact":
        order = (reviewed, rest)  # a plan for the year cannot say what happened in it
    else:
        # cannot tell: the review of the year first. Each answer is checked to speak for the
        # year, so a plan of the next year ("今年赤字…") does not pass for it.
        order = (reviewed, planned, rest)
    return _plan(order, docs, year=y, covered=tuple(d.doc_id for d in speaking))


def _plan(order: Sequence[tuple[str, ...]], docs: Sequence[DocTime], newest: bool = False,
          year: int | None = None, covered: tuple[str, ...] = ()) -> TimePlan | None:
    attempts = tuple(a for a in order if a)
    every = {d.doc_id for d in docs}
    narrows = bool(attempts) and not (len(attempts) == 1 and set(attempts[0]) >= every)
    if not attempts or (not narrows and year is None):
        return None
    return TimePlan(attempts, newest, year, covered)


REVIEW = re.compile(r"回顾|过去")
SPAN = re.compile(r"年均|累计|五年来|五年|十年|多年来")
FIVE = re.compile(r"五年|5年")


def passage_years(section: Sequence[str], doc: DocTime) -> tuple[int, ...]:
    """The years a passage of a dated report speaks for, read from its heading path.

    The nearest heading naming a year decides ("一、2013年工作回顾", "二、2014年工作总体部署";
    "今年" is the report's year); a review heading naming none speaks for the year before
    (the five before, for "过去五年"); any other passage speaks for the report's year. A
    document that is not a dated report speaks for all its years.
    """
    if not doc.report or doc.year is None:
        return doc.years
    for head in reversed([normalize(h) for h in section]):
        named = {int(y) for y in YEAR4.findall(head)}
        if "今年" in head:
            named.add(doc.year)
        if named:
            return tuple(sorted(named))
        if REVIEW.search(head):
            back = 5 if FIVE.search(head) else 1
            return tuple(range(doc.year - back, doc.year))
    return doc.years  # no heading says: any year the report speaks for


def speaks_for(year: int, section: Sequence[str], text: str, doc: DocTime | None) -> bool:
    """Whether a cited passage answers for ``year``: its part of the report is about that year,
    or it names the year itself."""
    if doc is None or not doc.report:
        return True
    t = normalize(text)
    if str(year) in t:
        return True
    years = passage_years(section, doc)
    if len(years) > 1 and SPAN.search(t):
        return False  # a review of several years, in sums over them ("五年年均增长5.2%")
    return year in years
