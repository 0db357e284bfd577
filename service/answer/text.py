"""Small text helpers shared by the answer modules: sentences, numbers, terms.

Text is normalised by ``index.textnorm.normalize``, the normaliser the index uses.

Everything here is deterministic and cheap; the answer core works on a CPU without a model,
so sentence splitting and number finding are plain regular expressions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from index.units import sentence_spans

# Longest text the analysers look at; longer questions are cut, never rejected.
MAX_QUESTION_CHARS = 600

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")
_LATIN_RE = re.compile(r"[A-Za-z]")

_CLAUSE_RE = re.compile(r"[^，,。！？!?；;：:\n]+[，,。！？!?；;：:]*")

CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
MEASURES = "个家届项条座所台辆名人次年倍元亩米吨件套处批类级期个大"
NUMBER_RE = re.compile(r"(?<![A-Za-z0-9.])\d+(?:\.\d+)?(?![A-Za-z\d.])(?:%|％)?")
# "四届", "五大", "两个", "十二项" — but not the article-like "一批", "一个"
CN_NUMBER_RE = re.compile(f"(?:[{CN_DIGITS}]{{2,}}|[二两三四五六七八九十])(?=[{MEASURES}])")
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# a date an answer can be placed by: a year of any era (1388年, 民国38年, 昭和四十九年), a reign's
# years (同治年间), a century or decade
DATE_RE = re.compile(
    r"(?<!\d)\d{3,4}\s*年|(?:民国|公元前?|昭和|明治|大正|平成)\s*\d{1,3}\s*年|[〇零一二三四五六七八九十百]{2,5}年(?![级度])|(?<![这那])年间|\d{1,2}\s*世纪|[一二三四五六七八九十]{1,3}世纪|\d{2,4}\s*年代"
)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def is_english(text: str) -> bool:
    """A question written mostly in Latin letters (and not just a code like "5G")."""
    latin = len(_LATIN_RE.findall(text))
    cjk = len(_CJK_RE.findall(text))
    return latin >= 6 and cjk * 4 < latin


def has_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a sentence ends at 。！？ or a line break (as the index splits)."""
    return sentence_spans(text)


def clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause: a sentence cut further at commas and colons."""
    return [(m.start(), m.end()) for m in _CLAUSE_RE.finditer(text) if m.group().strip()]


def strip_punct(text: str) -> str:
    return text.strip().strip("，,。；;：:、 \t\n")


def numbers(text: str) -> list[str]:
    """Every Arabic number in the text as written (``235.1``, ``6%``)."""
    return [m.group() for m in NUMBER_RE.finditer(text)]


def has_quantity(text: str) -> bool:
    return bool(NUMBER_RE.search(text) or CN_NUMBER_RE.search(text))


def has_date(text: str) -> bool:
    """The text places something in time by its year (not only by month, day or "同年")."""
    return bool(DATE_RE.search(text))


def years(text: str) -> list[int]:
    return [int(y) for y in YEAR_RE.findall(text)]


def to_decimal(text: str | float | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(str(text).strip().rstrip("%％"))
    except (InvalidOperation, ValueError):
        return None


def fmt_decimal(value: Decimal | float | int) -> str:
    """A number without trailing zeros or exponent: 2.790 → 2.79, 1E+1 → 10."""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if d == d.to_integral():
        return str(d.quantize(Decimal(1)))
    s = format(d.normalize(), "f")
    return s


_CN_VAL = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}


def cn_to_number(text: str) -> float | None:
    """Parse simple Chinese numerals (五, 十二, 三百, 1.5万, 5000万); None if it is not one."""
    text = text.strip()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([十百千万亿]*)", text)
    if m:
        v = float(m.group(1))
        for ch in m.group(2):
            v *= _CN_UNIT[ch]
        return v
    if not text or any(ch not in _CN_VAL and ch not in _CN_UNIT for ch in text):
        return None
    total, section, digit = 0, 0, 0
    for ch in text:
        if ch in _CN_VAL:
            digit = _CN_VAL[ch]
        else:
            unit = _CN_UNIT[ch]
            if unit >= 10_000:
                section = (section + digit) * unit
                total += section
                section, digit = 0, 0
            else:
                section += (digit or 1) * unit
                digit = 0
    return float(total + section + digit)


def words(text: str) -> frozenset[str]:
    """A set of whitespace-separated words (keeps long word lists readable)."""
    return frozenset(text.split())


# Words that carry no content of their own in a question.
STOPWORDS = words(
    """
    的 了 是 在 有 和 与 及 或 等 为 对 于 把 被 将 就 都 也 还 又 而 并 其 之 所 从 向 到 由 以 要 会 能 可 该 此 这 那
    吗 呢 吧 啊 呀 么 请问 请 问 告诉 我 你 我们 他们 它 哪 哪些 哪个 哪家 哪几 哪几个 哪几家 哪一 什么 多少 几 几个 几家
    怎么 怎样 如何 为何 为什么 何时 什么时候 是否 是不是 谁 哪里 哪儿 多大 多高 多长 多久 一共 总共 共 合计 总计 共计
    分别 具体 主要 哪方面 方面 情况 内容 文档 文件 规划 文中 提到 提出 表述 描述 说 讲 写 里 中 上 下 内 其中
    一下 有关 关于 相关 一些 那些 这些 各 每 个 家 项 年 是什么 有没有 有多少 目前 现在 预计 大约 约 左右 达到 达
    怎么样 啥 呢 对于 安排 举措 措施 做法 办法 部署 打算 途径 对策 要求 计划 。 ， ？ ! ？ ！ 、 “ ” ‘ ’ （ ） ( ) 《 》 : ： ; ； . , ?
    """
)

SUFFIXES = frozenset("率量额数制")


@lru_cache(maxsize=1)
def _jieba():
    try:
        import logging

        import jieba  # type: ignore[import-not-found]

        jieba.setLogLevel(logging.WARNING)
        return jieba
    except Exception:
        return None


def _tokenize(text: str) -> list[str]:
    jb = _jieba()
    if jb is None:
        return re.findall(f"[{CJK}]{{2}}|[A-Za-z0-9.%+]+", text)
    try:
        return jb.lcut(text)
    except Exception:
        return re.findall(f"[{CJK}]{{2}}|[A-Za-z0-9.%+]+", text)


_ASKING = re.compile(r"(是什么|是多少|是哪|是谁|是否|是不是|是指|指的是|有哪些|有什么|有没有|有多少)")
# "几届", "多少项", "哪几类": a question word with its measure word asks for a count; it is not content
_COUNT_ASKED = re.compile(r"(?:几|多少|哪几)[个家届项条座辆级倍名人次年亿万元台所批类处种位块只件轮期]")


def content_terms(text: str) -> list[str]:
    """The content words of a question, in order, without duplicates.

    CJK words of one character are dropped (too ambiguous); Latin/digit tokens such as
    "5G", "L4" or "2020" are kept.
    """
    out: list[str] = []
    seen: set[str] = set()
    # "链长制是什么": cut before the question phrase, or jieba may glue "制是" into one word
    toks = _tokenize(_ASKING.sub(r" \1 ", text[:MAX_QUESTION_CHARS]))
    merged: list[str] = []
    for tok in toks:
        if merged and tok.startswith("年") and len(tok) > 1 and re.fullmatch(r"\d{4}", merged[-1]):
            merged.append(tok[1:])  # "2020" + "年产值": the 年 belongs to the year
            continue
        # "增加值" + "率" is another quantity than "增加值": keep such suffixes on the word
        if merged and len(tok) == 1 and tok in SUFFIXES and has_cjk(merged[-1]) and merged[-1] not in STOPWORDS:
            merged[-1] += tok
        else:
            merged.append(tok)
    for tok in merged:
        tok = tok.strip()
        if not tok or tok in STOPWORDS or tok in seen or _COUNT_ASKED.fullmatch(tok):
            continue
        if has_cjk(tok):
            if len(tok) < 2:
                continue
        elif not re.search(r"[A-Za-z0-9]", tok):
            continue
        seen.add(tok)
        out.append(tok)
    return out


@lru_cache(maxsize=8192)
def _sub_terms(term: str) -> tuple[str, ...]:
    return tuple(_split_term(term))


def sub_terms(term: str) -> list[str]:
    """Finer pieces of a CJK term (search-mode words, else bigrams) for partial matching."""
    return list(_sub_terms(term))


def _split_term(term: str) -> list[str]:
    if not has_cjk(term) or len(term) <= 2:
        return [term]
    jb = _jieba()
    pieces: list[str] = []
    if jb is not None:
        try:
            pieces = [p for p in jb.lcut_for_search(term) if len(p) >= 2 and p != term]
        except Exception:
            pieces = []
    if not pieces:
        pieces = [term[i : i + 2] for i in range(len(term) - 1)]
    return pieces


def bigrams(text: str) -> set[str]:
    t = re.sub(r"[\s，,。！？!?；;：:、“”‘’\"'（）()《》【】\[\]]", "", text)
    return {t[i : i + 2] for i in range(len(t) - 1)}


def contains_any(text: str, items: Iterable[str]) -> bool:
    return any(i in text for i in items)
