"""The vocabulary of Chinese government documents and the small readings identity is made of:
dates (in digits or Chinese numerals), plan periods (``十四五``, ``2021—2025年``), the 文种 a
title ends with, the region a name starts with, and how a bare title is qualified.

Nothing here is about one document: it is what any reader of such documents knows.
"""

from __future__ import annotations

import re

# 文种, most specific first; each maps to the kind it is filed under.
KINDS: tuple[tuple[str, str], ...] = (
    ("政府工作报告", "政府工作报告"), ("规划纲要", "规划"), ("规划", "规划"), ("纲要", "规划"),
    ("实施方案", "方案"), ("工作方案", "方案"), ("方案", "方案"), ("指导意见", "意见"), ("实施意见", "意见"),
    ("意见", "意见"), ("通知", "通知"), ("决定", "决定"), ("办法", "办法"), ("条例", "条例"), ("规定", "规定"),
    ("细则", "细则"), ("行动计划", "计划"), ("计划", "计划"), ("通报", "通报"), ("公告", "公告"),
    ("批复", "批复"), ("报告", "报告"), ("讲话", "讲话"), ("白皮书", "白皮书"),
)
# Provincial-level divisions by the short name people use.
PROVINCES: dict[str, str] = {
    "北京": "北京市", "天津": "天津市", "上海": "上海市", "重庆": "重庆市", "河北": "河北省", "山西": "山西省",
    "辽宁": "辽宁省", "吉林": "吉林省", "黑龙江": "黑龙江省", "江苏": "江苏省", "浙江": "浙江省", "安徽": "安徽省",
    "福建": "福建省", "江西": "江西省", "山东": "山东省", "河南": "河南省", "湖北": "湖北省", "湖南": "湖南省",
    "广东": "广东省", "海南": "海南省", "四川": "四川省", "贵州": "贵州省", "云南": "云南省", "陕西": "陕西省",
    "甘肃": "甘肃省", "青海": "青海省", "台湾": "台湾省", "内蒙古": "内蒙古自治区", "广西": "广西壮族自治区",
    "西藏": "西藏自治区", "宁夏": "宁夏回族自治区", "新疆": "新疆维吾尔自治区", "香港": "香港特别行政区",
    "澳门": "澳门特别行政区",
}
NATIONAL = "全国"
UNIT = r"(?:特别行政区|自治区|自治州|自治县|地区|省|市|州|盟|县|区|旗)"
CN_ORD = "一二三四五六七八九十"
_SUBLEVEL = re.compile(r"^[\u4e00-\u9fff]{1,6}?(?:自治州|自治县|地区|市|州|盟|县|区|旗)")

_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0, "О": 0}
_YEAR = r"((?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})"
_NUM = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
DATE = re.compile(rf"{_YEAR}\s*年\s*{_NUM}\s*月(?:\s*{_NUM}\s*日)?")
DATE_LINE = re.compile(rf"^[（(]?\s*{DATE.pattern}\s*[）)]?$")
YEAR_WORD = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*年")
DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,12})\s*[〔［\[【(（]\s*((?:19|20)\d{2})\s*[〕］\]】)）]\s*(\d{1,4})\s*号"
)
_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[）)]$")
_FIVE_YEAR = re.compile(rf"[“\"]?([{CN_ORD}]{{1,3}})五[”\"]?(?:规划|时期|期间|计划)?|第([{CN_ORD}]{{1,3}})个五年")
_RANGE = re.compile(r"((?:19|20)\d{2})\s*[-－—–~～至到]{1,2}\s*((?:19|20)\d{2})\s*年")


def _cn_int(s: str) -> int:
    """A number written in digits or in Chinese (``二〇一九``, ``十二``, ``二十四``)."""
    if s.isdigit():
        return int(s)
    if len(s) == 4 and all(c in _CN_DIGIT for c in s):
        return int("".join(str(_CN_DIGIT[c]) for c in s))
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGIT.get(tens, 1) if tens else 1) * 10 + (_CN_DIGIT.get(ones, 0) if ones else 0)
    return _CN_DIGIT.get(s, 0)


def _iso(year: int, month: int | None = None, day: int | None = None) -> str:
    if month and 1 <= month <= 12:
        if day and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}"


def find_date(text: str) -> tuple[str, int] | None:
    """The first date in ``text`` as (ISO date, year)."""
    m = DATE.search(text)
    if m is None:
        return None
    year = _cn_int(m.group(1))
    if not 1900 <= year <= 2100:
        return None
    return _iso(year, _cn_int(m.group(2)), _cn_int(m.group(3)) if m.group(3) else None), year


def five_year_period(ordinal: int) -> tuple[int, int] | None:
    """The years of the N-th five-year plan (from the third on they follow each other: 1966–1970 …)."""
    if ordinal < 3:
        return None
    start = 1966 + 5 * (ordinal - 3)
    return start, start + 4


def plan_period(title: str) -> tuple[int, int] | None:
    """The years a plan's title says it covers: ``（2021—2025年）``, ``“十四五”``, ``第十四个五年``."""
    m = _RANGE.search(title)
    if m and int(m.group(1)) < int(m.group(2)):
        return int(m.group(1)), int(m.group(2))
    m = _FIVE_YEAR.search(title)
    if m:
        return five_year_period(_cn_int(m.group(1) or m.group(2)))
    return None


def kind_of(title: str) -> str | None:
    """The kind of document a title names: the 文种 it ends with (after a trailing note in brackets)."""
    t = title.strip()
    while _TRAILING_NOTE.search(t) and not _TRAILING_NOTE.fullmatch(t):
        t = _TRAILING_NOTE.sub("", t).strip()
    for word, kind in KINDS:
        if word == "政府工作报告" and word in t:
            return kind
        if t.endswith(word):
            return kind
    return None


def region_of_place(text: str) -> str | None:
    """The region a name starts with: a province (by its short or full name) and a place under it."""
    s = re.sub(r"^\s*(?:19|20)\d{2}\s*年", "", text).strip()
    if s.startswith(("中华人民共和国", "全国", "国家", "国务院", "中共中央")):
        return NATIONAL
    for short in sorted(PROVINCES, key=len, reverse=True):
        if not s.startswith(short):
            continue
        full = PROVINCES[short]
        rest = s[len(full):] if s.startswith(full) else s[len(short):]
        if s.startswith(short + "省") or s.startswith(short + "市"):
            rest = s[len(short) + 1:]
        sub = _SUBLEVEL.match(rest)
        if sub and not rest.startswith(("政府", "人民政府", "人民代表大会", "省", "市委")):
            return full + sub.group(0)
        return full
    return None


def matches_region(wanted: str, region: str | None) -> bool:
    """Whether a region asked for (``安徽``, ``安徽省``, ``全国``, ``东丽区``) covers ``region``."""
    if not region:
        return False
    w = wanted.strip()
    if w in ("全国", "国家", "中央", "national"):
        return region == NATIONAL
    full = PROVINCES.get(w, w)
    return full in region or w in region


def iso_date(s: str) -> tuple[str, int] | None:
    """An ISO date or a PDF date (``D:20190305…``) as (ISO date, year)."""
    m = re.match(r"^(?:D:)?((?:19|20)\d{2})-?(\d{2})?-?(\d{2})?", s.strip())
    if not m:
        return None
    year = int(m.group(1))
    return _iso(year, int(m.group(2)) if m.group(2) else None, int(m.group(3)) if m.group(3) else None), year


def qualified_title(title: str, kind: str | None, year: int | None, region: str | None) -> str:
    """A title that only names its kind ("政府工作报告") gets the year and (below the national
    level) the region in front, as such documents are cited: "2019年政府工作报告"."""
    bare = re.sub(r"[\s\u3000]+", "", title)
    if kind is None or bare not in {w for w, k in KINDS if k == kind} | {kind}:
        return title
    place = region if region and region != NATIONAL and region not in bare else ""
    when = f"{year}年" if year and str(year) not in bare else ""
    return f"{when}{place}{bare}"


__all__ = [
    "CN_ORD",
    "DATE",
    "DATE_LINE",
    "DOC_NUMBER",
    "KINDS",
    "NATIONAL",
    "PROVINCES",
    "UNIT",
    "YEAR_WORD",
    "find_date",
    "five_year_period",
    "iso_date",
    "kind_of",
    "matches_region",
    "plan_period",
    "qualified_title",
    "region_of_place",
]
