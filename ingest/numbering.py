"""Word's automatic list numbering: the visible "一、", "（一）", "1." that are not in the text runs.

A .docx heading numbered by Word keeps its number in ``numbering.xml`` (an abstract list
definition per list, one format and text pattern per level) and only a reference in the
paragraph (``w:numPr``: list id and level, on the paragraph or on its style). Without the
number a heading "一、发展回顾" reads "发展回顾", the numbering that tells the levels apart is
gone, and a reader's "（三）" matches nothing. ``Numbering.label`` counts through the document
the way Word does and gives each numbered paragraph its visible label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

_CN_DIGITS = "〇一二三四五六七八九"
_CN_TRAD = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (as Word's chineseCounting)."""
    if n <= 0:
        return _CN_DIGITS[0]
    if n >= 10000:
        return str(n)
    units = ((1000, "千"), (100, "百"), (10, "十"))
    out = ""
    rest = n
    zero = False
    for value, name in units:
        d, rest = divmod(rest, value)
        if d:
            if zero:
                out += "零"
                zero = False
            out += ("" if (value == 10 and d == 1 and not out) else _CN_DIGITS[d]) + name
        elif out:
            zero = True
    if rest:
        out += ("零" if zero and out else "") + _CN_DIGITS[rest]
    return out


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out


def _letters(n: int) -> str:
    # Word repeats the letter: a … z, aa … zz.
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """A counter value in one of Word's ``w:numFmt`` formats (decimal for unknown ones)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "taiwaneseCounting",
               "taiwaneseCountingThousand", "japaneseCounting"):
        return chinese_number(n)
    if fmt == "ideographDigital":
        return "".join(_CN_DIGITS[int(d)] for d in str(n))
    if fmt == "ideographTraditional":
        return _CN_TRAD[(n - 1) % 10]
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 1 <= n <= len(_CIRCLED) else str(n)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    return str(n)


@dataclass(frozen=True, slots=True)
class Level:
    start: int
    fmt: str
    text: str  # e.g. "%1、", "（%2）"
    legal: bool = False  # w:isLgl: every counter shown as decimal
    suffix: str = ""


def _val(el: Any, tag: str) -> str | None:
    child = el.find(W + tag) if el is not None else None
    return child.get(W + "val") if child is not None else None


class Numbering:
    """The list definitions of one document and the counters of a pass through it."""

    def __init__(self, numbering_xml: Any, styles_xml: Any = None) -> None:
        self.levels: dict[str, dict[int, Level]] = {}
        self.num_abstract: dict[str, str] = {}
        self.overrides: dict[str, dict[int, int]] = {}
        self.style_num: dict[str, tuple[str, int]] = {}
        self.style_parent: dict[str, str] = {}
        if numbering_xml is not None:
            for an in numbering_xml.iter(W + "abstractNum"):
                levels: dict[int, Level] = {}
                for lvl in an.iter(W + "lvl"):
                    suff = _val(lvl, "suff")
                    levels[int(lvl.get(W + "ilvl", "0"))] = Level(
                        start=int(_val(lvl, "start") or 1),
                        fmt=_val(lvl, "numFmt") or "decimal",
                        text=_val(lvl, "lvlText") or "",
                        legal=lvl.find(W + "isLgl") is not None,
                        suffix=" " if suff == "space" else "",
                    )
                self.levels[an.get(W + "abstractNumId", "")] = levels
            for num in numbering_xml.iter(W + "num"):
                num_id = num.get(W + "numId", "")
                self.num_abstract[num_id] = _val(num, "abstractNumId") or ""
                for ov in num.iter(W + "lvlOverride"):
                    start = _val(ov, "startOverride")
                    if start is not None:
                        self.overrides.setdefault(num_id, {})[int(ov.get(W + "ilvl", "0"))] = int(start)
        if styles_xml is not None:
            for st in styles_xml.iter(W + "style"):
                sid = st.get(W + "styleId", "")
                parent = _val(st, "basedOn")
                if parent:
                    self.style_parent[sid] = parent
                num_pr = st.find(f"{W}pPr/{W}numPr")
                if num_pr is not None and _val(num_pr, "numId"):
                    self.style_num[sid] = (_val(num_pr, "numId") or "", int(_val(num_pr, "ilvl") or 0))
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[tuple[str, int]] = set()

    def _reference(self, p: Any) -> tuple[str, int] | None:
        ppr = p.find(W + "pPr")
        num_pr = ppr.find(W + "numPr") if ppr is not None else None
        if num_pr is not None and _val(num_pr, "numId") is not None:
            return _val(num_pr, "numId") or "", int(_val(num_pr, "ilvl") or 0)
        style = _val(ppr, "pStyle") if ppr is not None else None
        seen: set[str] = set()
        while style and style not in seen:
            seen.add(style)
            if style in self.style_num:
                num_id, ilvl = self.style_num[style]
                if num_pr is not None and _val(num_pr, "ilvl") is not None:
                    ilvl = int(_val(num_pr, "ilvl") or 0)
                return num_id, ilvl
            style = self.style_parent.get(style)
        return None

    def label(self, p: Any) -> str:
        """The visible number of paragraph element ``p`` ("" if not numbered); advances the count."""
        ref = self._reference(p)
        if ref is None or ref[0] in ("", "0"):
            return ""
        num_id, ilvl = ref
        abstract = self.num_abstract.get(num_id)
        levels = self.levels.get(abstract or "")
        if not levels or ilvl not in levels:
            return ""
        level = levels[ilvl]
        if level.fmt in ("bullet", "none"):
            return ""
        counters = self.counters.setdefault(abstract or "", {})
        override = self.overrides.get(num_id, {}).get(ilvl)
        if override is not None and (num_id, ilvl) not in self.started:
            counters[ilvl] = override
        else:
            counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        self.started.add((num_id, ilvl))
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        text = level.text
        for k in range(ilvl, -1, -1):
            lv = levels.get(k)
            if lv is None:
                continue
            value = counters.get(k, lv.start)
            fmt = "decimal" if level.legal and k != ilvl else lv.fmt
            text = text.replace(f"%{k + 1}", format_number(value, fmt))
        return text + level.suffix if text else ""


__all__ = ["Numbering", "chinese_number", "format_number"]
