"""Question understanding without a model: what kind of answer is wanted, and about what.

The kind decides how evidence is read: a quantity wants a number with its unit, a list wants
an enumeration, an entity wants a name, a time wants years. Places, years and numbers named in
the question are kept apart because the evidence has to mention them for the answer to stand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from index.textnorm import normalize
from service.answer import glossary, scope
from service.answer import text as T

QUANTITY = "quantity"
LIST = "list"
ENTITY = "entity"
TIME = "time"
DESCRIPTION = "description"
YESNO = "yesno"

_TIME_CUES = ("何时", "什么时候", "哪年", "哪一年", "几年", "年限", "起止", "开工时间", "建设期", "时间", "多久", "期限")
_LIST_CUES = ("哪些", "哪几", "有什么", "列出", "列举", "包括什么", "包含什么", "包括哪")
_ENTITY_CUES = ("谁", "哪家", "哪个", "哪一个", "哪一家", "哪一项", "什么企业", "什么公司", "什么单位", "哪所", "哪座")
# Strong cues ask for a figure; weak ones ("目标") only when nothing asks for a description.
_NUMBER_CUES = re.compile(r"多少|几[个家届项条座辆级倍名人次年亿万元台所批类处]|多大|多高|多长|比重|比例|占比|增速|增长率|增幅|百分之几")
_QUANTITY_CUES = (
    "多少",
    "几个",
    "几家",
    "几届",
    "几项",
    "几条",
    "几级",
    "几倍",
    "几座",
    "几辆",
    "几",
    "比重",
    "比例",
    "占比",
    "增速",
    "增长率",
    "增幅",
    "多大",
    "多高",
    "多长",
    "规模",
    "金额",
    "数量",
    "目标",
    "达到",
)
_DESCRIPTION_CUES = ("什么", "如何", "怎么", "怎样", "哪方面", "为何", "为什么", "内容", "措施", "举措")
_YESNO_CUES = ("是否", "有没有", "是不是", "吗")

# "what is the population of …" asks for a figure as much as "how many people …" does
_EN_AMOUNT = r"\bhow (many|much)\b|\bwhat (is|was|were|are) the (population|gdp|output|revenue|income|area|investment)\b"

_EN_CUES = (
    (QUANTITY, r"\bhow (many|much)\b|\bwhat (is|was) the (number|amount|share|rate|value|target|total)\b|\bpercentage\b"),
    (QUANTITY, _EN_AMOUNT),
    (TIME, r"\bwhen\b|\bwhich year\b|\bwhat year\b"),
    (ENTITY, r"\bwho\b|\bwhich (company|firm|enterprise|project|unit)\b"),
    (LIST, r"\bwhat are\b|\bwhich\b|\blist\b|\bname the\b"),
    (YESNO, r"^(is|are|does|do|did|was|were|will|can)\b"),
)

# English spellings of provinces and big cities map to the Chinese name.
EN_PLACES = {
    "beijing": "北京", "tianjin": "天津", "shanghai": "上海", "chongqing": "重庆", "hebei": "河北",
    "guangzhou": "广州", "shenzhen": "深圳", "guangdong": "广东", "jiangsu": "江苏", "zhejiang": "浙江",
    "shandong": "山东", "hangzhou": "杭州", "nanjing": "南京", "wuhan": "武汉", "chengdu": "成都",
    "xi'an": "西安", "xian": "西安", "suzhou": "苏州", "qingdao": "青岛", "dalian": "大连",
    "hong kong": "香港", "macau": "澳门", "taiwan": "台湾",
}


@dataclass(frozen=True)
class Question:
    """A question as the answer core understands it."""

    raw: str
    text: str
    english: bool
    kind: str
    terms: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    places: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    cues: tuple[str, ...] = field(default=())
    focus: str = ""

    @property
    def empty(self) -> bool:
        return not T.squash(self.text)

    @property
    def wants_number(self) -> bool:
        """The question asks for a figure ("多少", "几个", "比重"), not just about a target."""
        if self.english:
            return self.kind == QUANTITY and bool(re.search(_EN_AMOUNT, self.text.lower()))
        return bool(_NUMBER_CUES.search(self.text))


def _kind_zh(q: str) -> tuple[str, tuple[str, ...]]:
    found: list[str] = []

    def hit(cues: tuple[str, ...]) -> bool:
        got = [c for c in cues if c in q]
        found.extend(got)
        return bool(got)

    # Order matters: "哪几个" is a list, "几级" a quantity, "年限" a time.
    if hit(_LIST_CUES):
        return LIST, tuple(found)
    if hit(_TIME_CUES) and not re.search(r"多少(亿|万)?元|投资", q):
        return TIME, tuple(found)
    if hit(_ENTITY_CUES):
        return ENTITY, tuple(found)
    if _NUMBER_CUES.search(q):
        hit(_QUANTITY_CUES)
        return QUANTITY, tuple(found)
    if hit(_DESCRIPTION_CUES):
        return DESCRIPTION, tuple(found)
    if hit(_QUANTITY_CUES):
        return QUANTITY, tuple(found)
    if hit(_YESNO_CUES):
        return YESNO, tuple(found)
    return DESCRIPTION, ()


def _kind_en(q: str) -> str:
    low = q.lower().strip()
    for kind, pattern in _EN_CUES:
        if re.search(pattern, low):
            return kind
    return DESCRIPTION


def find_places(q: str) -> tuple[str, ...]:
    """Place names mentioned in a (normalised) question, Chinese or English."""
    out = list(scope.find_places(q))
    low = q.lower()
    for en, zh in EN_PLACES.items():
        if re.search(rf"\b{re.escape(en)}\b", low) and zh not in out:
            out.append(zh)
    return tuple(out)


def question_numbers(q: str) -> tuple[str, ...]:
    """Numbers in the question other than years (those are checked as years)."""
    yrs = {str(y) for y in T.years(q)}
    return tuple(n for n in T.numbers(q) if n not in yrs)


def analyse(raw: str) -> Question:
    """Normalise the question (Traditional → Simplified, full-width → half-width) and read it."""
    raw = raw if isinstance(raw, str) else str(raw)
    text = normalize(raw[: T.MAX_QUESTION_CHARS])
    # citation markers typed into a question are not part of what is asked
    text = re.sub(r"[\[【［]\s*\d*\s*[\]】］]", " ", text).strip()
    english = T.is_english(text)
    if english:
        kind, cues = _kind_en(text), ()
    else:
        kind, cues = _kind_zh(text)
    terms = tuple(T.content_terms(text)) if not english else tuple(glossary.translate(text))
    return Question(
        raw=raw,
        text=text,
        english=english,
        kind=kind,
        terms=terms,
        years=tuple(dict.fromkeys(T.years(text))),
        places=find_places(text),
        numbers=question_numbers(text),
        cues=cues,
        focus=_focus_en(text) if english else _focus_zh(text),
    )


_QWORD_RE = re.compile(r"多少|几|什么|哪|谁|如何|怎么|怎样|何时")
_NOUNISH = ("n", "vn", "j", "nz", "nt", "nr", "ns", "eng", "l", "i")
_META = T.words(
    "目标 情况 数据 数字 数值 指标 内容 方面 具体 计划 规划 问题 多少 表述 描述 预计 主要 规模 水平 程度 类型 方式 形式 级别 样子 "
    "措施 举措 任务 工作 要求 方法 途径 手段 作用 意义 特点 原因 目的 思路 路径 做法"
)
_COPULA = T.words("是 为 指 叫 叫做 称为 有 包括 包含")
_SKIP_AFTER = set("个家项届条座所台辆名人次年倍种类样的些批级")


@lru_cache(maxsize=1)
def _posseg():
    try:
        import logging

        import jieba
        import jieba.posseg as pg

        jieba.setLogLevel(logging.WARNING)
        return pg
    except Exception:
        return None


def _pos_tokens(text: str) -> list[tuple[str, str]]:
    pg = _posseg()
    if pg is None:
        return [(t, "n") for t in T.content_terms(text)]
    try:
        toks = [(w, f) for w, f in pg.lcut(text)]
    except Exception:
        return [(t, "n") for t in T.content_terms(text)]
    merged: list[tuple[str, str]] = []
    for w, f in toks:
        if merged and len(w) == 1 and w in T.SUFFIXES and T.has_cjk(merged[-1][0]):
            merged[-1] = (merged[-1][0] + w, "n")  # "可靠"+"率" is a noun: 可靠率
        elif merged and w.startswith("年") and len(w) > 1 and re.fullmatch(r"\d{4}", merged[-1][0]):
            merged.append(("年", "m"))  # "2020" + "年产值": the year takes its 年
            merged.append((w[1:], f))
        else:
            merged.append((w, f))
    return merged


def _is_head(w: str, f: str) -> bool:
    return f.startswith(_NOUNISH) and w not in _META and w not in T.STOPWORDS and (len(w) > 1 or not T.has_cjk(w))


def _focus_zh(text: str) -> str:
    """The head noun of what is asked: "安装了多少个充电设施" → 设施, "增加值是多少" → 增加值."""
    m = _QWORD_RE.search(text)
    if not m:
        return ""
    before, after = text[: m.start()], text[m.end() :]
    tokens = _pos_tokens(re.split(r"[，,。？?！!；;：:]", after)[0])
    while tokens and (tokens[0][0] in _SKIP_AFTER or tokens[0][0] in ("少", "么")):
        tokens = tokens[1:]  # "多少个项目" → 项目; "几届" → nothing after
    head = ""
    for w, f in tokens:
        if _is_head(w, f):
            head = w
        elif head:
            break
    if head:
        return head
    counting = m.group() in ("多少", "几")
    for w, f in reversed(_pos_tokens(re.split(r"[，,。；;：:]", before)[-1])):
        if _is_head(w, f):
            return w
        if not counting and f.startswith("v") and w not in _COPULA:
            # "率先完成了什么": what is asked is the object, which the question does not name
            return ""
    return ""


_EN_BREAK = re.compile(
    r"\b(of|for|in|on|at|by|to|from|with|does|do|did|will|would|is|are|was|were|has|have|had|can|should|"
    r"be|been|there|that|which|who|"
    # past forms end the subject ("how many enterprises completed …"), adjectives in -ed do not
    r"(?!(?:advanced|added|connected|integrated|designated|specialized|based|speed|need)\b)[a-z]+ed)\b"
)


def _focus_en(text: str) -> str:
    """The head noun of the asked-for phrase: "how many 5G base stations will…" → 基站."""
    low = text.lower()
    m = re.search(r"\b(how many|how much|what is the|what are the|what was the|what were the|which|who|what)\b", low)
    tail = low[m.end() :] if m else low
    for phrase in _EN_BREAK.split(tail):
        if not phrase or _EN_BREAK.fullmatch(phrase.strip()):
            continue
        heads = [zh for zh in glossary.translate(phrase) if len(zh) >= 2 and T.has_cjk(zh) and zh not in _META]
        if heads:
            return heads[-1]
    return ""


_EN_STOP = T.words(
    "a an the of in on at to for and or is are was were be been what which who whom when where why how many much "
    "does do did will would can could should plan plans planned district city there their its it this that these "
    "those by with from as about according document say says said"
)


def _english_terms(q: str) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z'\-]+|\d+(?:\.\d+)?", q)
    return list(dict.fromkeys(w for w in words if w.lower() not in _EN_STOP))
