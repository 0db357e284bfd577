"""Questions with several asks: "生物医药有哪些项目？总投资多少？" is two questions, each answered.

A question is split where one ask ends and another begins: between sentences, between clauses
joined by a comma or by 以及/并且/和 when each side asks something ("有哪些项目，总投资多少"),
and over the items of a coordination with 分别 ("A和B的总投资分别是多少" is asked of A and of B;
"A的总投资和建设年限分别是多少" asks two columns of A). A clause that asks nothing ("小微企业交
企业所得税，今年有什么新的减免？") is context for the ask after it, not an ask of its own, and
an ask about the document itself ("报告怎么说") is none.

An ask that names no subject of its own — only an attribute or a predicate ("总投资多少",
"比上年增长了多少", "如何实施") — leans on the first ask and inherits its subject; the engine
answers it over the rows the ask before it listed when that was a table answer. An ask with a
subject of its own keeps the first ask's place and time unless it names its own.
``joined`` puts the answers together.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from index.textnorm import normalize
from service.answer import followup, scope
from service.answer import text as T

EARLIER_ROWS = "上述项目"  # how an ask over the rows the ask before listed names them
MAX_PARTS = 6  # more "asks" than this is a list of words, not a list of questions

# a question word (几乎 is "almost"); 列出/列举 ask as much as 哪些 does
_JI = r"(?<![这那好十几])几(?![乎十百千万])"  # 这几项, 好几个, 几十 ask nothing
_ASK = re.compile(rf"多少|{_JI}|哪(?!怕)|什么|啥|谁|如何|怎么|怎样|何时|何地|何处|为何|为什么|是否|是不是|有没有|能否|可否|吗|呢|列出|列举")
# the question phrase with what it leans on: "有多少家", "是哪些", "是什么时候"
_ASK_PHRASE = re.compile(
    r"(?:是|有|为|在)?(?:多少|" + _JI + r")[个家项条座辆名所批类处位届次种年亿万元]*"
    r"|为什么|为何|为啥"
    r"|(?:是|有|在)?哪(?:一|几)?(?:个|些|家|项|年|里|儿)?"
    r"|(?:是|有)?什么(?:时候)?|如何|怎么样|怎样|怎么|谁|是否|是不是|有没有|能否|可否|吗|呢|^请问|^请|列出|列举"
)
_SENTENCE_END = re.compile(r"[？?！!。；;]+")
_COMMA = re.compile(r"[，,]")
# a conjunction between two asks inside one clause: "总投资多少以及何时开工"
_ASK_JOIN = re.compile(r"以及|并且|同时|此外|另外|还有|和|与")
_ASK_AT_END = re.compile(r"(?:多少|几|哪些|哪个|什么|谁|如何|怎样|怎么样|何时|是否|吗|呢)[个家项条亿万元年些]{0,2}$")
_COORD = re.compile(r"以及|和|与|及|跟|同|、")
# the words that open an ask leaning on the one before ("其中…", "比上年…", "分别…")
_LEANING_OPEN = re.compile(
    r"^(?:那么|那|其中|这其中|它们|它|他们|其|这些|那些|这个|那个|上述|以上|该(?!区|市|县|省)|分别|各自|各|同比|环比|比|较|占)"
)
_LEAD = re.compile(
    r"^(?:那么|那|另外|此外|还有|并且|同时|以及|而且)?\s*(?:其中|这其中|里面|当中)?\s*"
    r"(?:它们|它|他们|其|这些|那些|这个|那个|上述|以上|该(?!区|市|县|省))?(?:的)?"
)
# nouns that name a property of something, not the something: an ask made only of them has no subject
_ATTRIBUTES = T.words(
    """
    投资 总投资 投资额 金额 资金 费用 成本 产值 总产值 增加值 营收 营业收入 收入 税收 利税 利润 产能 产量 销量 规模
    面积 占地 数量 个数 总数 人数 比重 占比 比例 增速 增长 增长率 增幅 速度 时间 年限 起止 期限 工期 年份 日期 时期
    期间 年度 当年 上年 去年 同期 单位 法人 主体 业主 地点 位置 地址 内容 目标 名称 类别 类型 性质 方式 来源 情况
    进度 效果 作用 意义 原因 措施 举措 计划 预计 主要 具体 项目 工程 企业 公司 多少 程度 水平 标准 要求 任务 重点
    政策 办法 做法 方向 态度 说法 动作 安排 排名 名次 排位 人次 次数 人均 定位 关系 地位
    """
)
_NOUN_FLAGS = ("n", "j", "l", "i", "s", "eng", "a")
# an ask about the document rather than the matter ("报告怎么说", "文件里有没有提") adds nothing
_META_WORDS = T.words("政府工作报告 报告 文件 规划 文档 文中 原文 方案 通知 意见 里面 里 说法 说 提到 提 讲 写 分别 各自 有个")
# words that say where or when, not what
_SETTING_WORDS = T.words("全国 全省 全市 全区 全县 国内 国际 当地 本地 上年 去年 今年 明年 同期 目前 现在")
# when a question is set: its year, 去年/今年, a five-year plan period
_TIME = re.compile(
    r"(?:到|截至|截止)?(?:19|20)\d{2}年(?:底|末)?|去年|今年|明年|前年|上半年|下半年|“?十[一二三四五六七八九]五”?(?:期间|时期|末)?"
)
# heads a coordination's last item shares with the items before it: "生物医药和新材料类项目"
_SHARED_HEAD = re.compile(r"类[\u4e00-\u9fff]{0,4}$|(?:项目|工程)$")


@dataclass(frozen=True)
class Part:
    """One ask of a question: as written, and as answered (a leaning ask completed with the subject)."""

    asked: str
    question: str
    leans: bool = False


def asks(text: str) -> bool:
    return bool(_ASK.search(text))


def _finish(s: str) -> str:
    s = s.strip(" ，,、")
    return s if not s or s[-1] in "？?！!。" else s + "？"


def _clauses(question: str) -> list[str]:
    """Sentences and comma clauses, each ask with the context clauses before it."""
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(question):
        for clause in _COMMA.split(sentence):
            pieces.extend(_split_joined(clause.strip()))
    out: list[str] = []
    context = ""
    for p in pieces:
        if not p:
            continue
        if asks(p):
            out.append(context + p)
            context = ""
        else:
            context += p + "，"
    if context and out:
        out[-1] = out[-1] + "，" + context.rstrip("，")
    return out


def _split_joined(clause: str) -> list[str]:
    """"总投资多少以及何时开工" → two asks; "天钢和钢管公司的产能压减到了多少" stays one."""
    for m in _ASK_JOIN.finditer(clause):
        left, right = clause[: m.start()], clause[m.end() :]
        # 以及/并且 join clauses; 和/与 join words too, so the ask must end right before them
        clause_level = m.group(0) not in ("和", "与")
        if (asks(left) if clause_level else _ASK_AT_END.search(left)) and asks(right):
            return [left, *_split_joined(right)]
    return [clause]


@lru_cache(maxsize=1)
def _posseg():
    try:
        import jieba.posseg as pg

        return pg
    except Exception:
        return None


def _tagged(text: str) -> list[tuple[str, str]]:
    """Words with their part of speech."""
    pg = _posseg()
    if pg is None:
        return [(w, "n") for w in T.content_terms(text)]
    return [(w, f) for w, f in pg.lcut(text) if w.strip()]


def _is_attribute(word: str, flag: str, known: Callable[[str], bool]) -> bool:
    """A word that names no thing of its own: an attribute, a verb, a number, a particle.

    A one-character noun ("钱", "人") is too vague to be a subject, and a place is where, not what.
    """
    if not flag.startswith(_NOUN_FLAGS) or word in _ATTRIBUTES or known(word) or len(word) < 2:
        return True
    if flag.startswith("ns") or scope.find_places(word) or word in _SETTING_WORDS:
        return True
    return bool(T.sub_terms(word)) and all(p in _ATTRIBUTES or known(p) for p in T.sub_terms(word))


def _names_column(word: str, flag: str, known: Callable[[str], bool]) -> bool:
    """A word of a column's name as written ("预计", "总投资"), not a thing that has columns."""
    return not flag.startswith(_NOUN_FLAGS) or word in _ATTRIBUTES or known(word)


def leans(asked: str, known: Callable[[str], bool] = lambda w: False) -> bool:
    """The ask names no subject of its own: an attribute or a predicate of the one before."""
    s = normalize(asked).strip()
    if followup.is_followup(s) or _LEANING_OPEN.match(s):
        return True
    rest = _ASK_PHRASE.sub(" ", s)
    words = [(w, f) for w, f in _tagged(rest) if T.has_cjk(w) or re.search(r"[A-Za-z]", w)]
    return all(_is_attribute(w, f, known) for w, f in words)


def subject(asked: str) -> str:
    """What an ask is about: "生物医药有哪些项目" → 生物医药项目, "什么是河长制" → 河长制."""
    s = normalize(asked).strip()
    s = _SENTENCE_END.sub("", s)
    s = _ASK_PHRASE.sub("", s)
    s = re.sub(r"^[是有为]+", "", s).strip(" ，,、")
    if s.endswith("得"):  # "新能源车卖得怎么样" → 新能源车: the verb before 得 says how, not what
        words = _tagged(s[:-1])
        if words and words[-1][1].startswith("v") and s[:-1].endswith(words[-1][0]):
            s = s[: -1 - len(words[-1][0])]
    s = re.sub(r"[的是有为了要将在得]+$", "", s)
    return s.strip(" ，,、")


def complete(asked: str, subj: str) -> str:
    """A leaning ask with the subject it leans on: "总投资多少" + 生物医药项目 → 生物医药项目的总投资多少."""
    rest = _LEAD.sub("", asked.strip(), count=1).strip()
    rest = re.sub(r"^(?:分别|各自)", "", rest)
    if not subj or not rest:
        return asked
    if subj in rest:
        return rest
    first = _tagged(rest)[:1]
    if re.match(r"^(?:\d|哪|有|已|在)", rest):
        joiner = "中"
    elif first and first[0][1].startswith(("n", "b", "vn")) and not rest.startswith(("比", "较", "占")):
        joiner = "的"
    else:
        joiner = ""
    return f"{subj}{joiner}{rest}"


def content_of(asked: str) -> list[str]:
    """What an ask names beyond question words, times and the document itself."""
    rest = _TIME.sub(" ", _ASK_PHRASE.sub(" ", asked))
    for w in sorted(_META_WORDS, key=len, reverse=True):
        rest = rest.replace(w, " ")
    return T.content_terms(rest)


def _context(text: str) -> list[tuple[int, str, str]]:
    """The places and times a question is set in: (position, kind, text as written)."""
    found = [(m.start(), "time", m.group(0)) for m in _TIME.finditer(text)]
    for p in scope.find_places(text):
        at = text.find(p)
        if at >= 0:
            end = at + len(p)
            end += 1 if text[end : end + 1] in ("省", "市", "区", "县") else 0
            found.append((at, "place", text[at:end]))
    return sorted(found)


def with_context(asked: str, first: str) -> str:
    """An ask with its own subject, set where and when the first ask is unless it says otherwise.

    "安徽去年工业增速多少？在工业大省里排第几？" — the second is about 安徽, 去年 too.
    """
    own = {kind for _, kind, _ in _context(asked)}
    missing = [t for _, kind, t in _context(first) if kind not in own]
    return "".join(dict.fromkeys(missing)) + asked if missing else asked


def _coordinated(ask: str, known: Callable[[str], bool]) -> list[str]:
    """"A和B的C分别是多少" → A的C, B的C; "A的C和D分别是多少" → A的C, A的D."""
    at = ask.find("分别")
    if at <= 0:
        return [ask]
    head, tail = ask[:at], ask[at + 2 :]
    comma = max(head.rfind("，"), head.rfind(","))
    lead = ""
    if comma >= 0 and _COORD.search(head[comma + 1 :]):
        lead, head = head[: comma + 1], head[comma + 1 :]  # "…证书里，“1”和“X”分别指什么"
    if not _COORD.search(head):
        return [ask]
    de = head.rfind("的")
    things = True  # the items are things asked the same, not columns of one thing
    if de > 0 and _COORD.search(head[:de]):
        items, shared, prefix = _COORD.split(head[:de]), head[de:], ""
    elif de > 0:
        prefix, items, shared, things = head[: de + 1], _COORD.split(head[de + 1 :]), "", False
    else:
        items, shared, prefix = _COORD.split(head), "", ""
        later = [w for i in items[1:] for w in _tagged(i)]
        if later and all(_is_attribute(w, f, known) for w, f in later):
            # columns of one thing: the first item's attribute words are its column, the rest its owner
            words = _tagged(items[0])
            cut = len(words)
            while cut > 1 and _names_column(*words[cut - 1], known):
                cut -= 1
            owner = "".join(w for w, _ in words[:cut])
            if len(re.findall(f"[{T.CJK}]", owner)) >= 2 and items[0].startswith(owner):
                prefix, items[0], things = owner, items[0][len(owner) :], False
        else:
            m = _SHARED_HEAD.search(items[-1])
            if m and m.start() > 0:
                shared, items[-1] = m.group(0), items[-1][: m.start()]
    items = [i.strip() for i in items]
    if len(items) < 2 or any(len(i) < 2 for i in items):
        return [ask]
    if things:
        items = _distributed(items)
    return [f"{lead}{prefix}{i}{shared}{tail}" for i in items]


def _distributed(items: list[str]) -> list[str]:
    """"花生播种和收获" is 花生播种 and 花生收获: a one-word item parallel to the first item's last
    word (as long as it) takes the words before it."""
    first = _tagged(items[0])
    if len(first) < 2:
        return items
    before, last = "".join(w for w, _ in first[:-1]), first[-1][0]
    out = [items[0]]
    for item in items[1:]:
        words = _tagged(item)
        parallel = len(words) == 1 and len(item) == len(last) and items[0].endswith(last)
        out.append(before + item if parallel else item)
    return out


def split(question: str, known: Callable[[str], bool] = lambda w: False) -> list[Part]:
    """The asks of a question, in order; one part when it asks one thing.

    ``known(word)`` says whether a word names a column of the documents' tables (an attribute).
    """
    text = normalize(question or "").strip()[: T.MAX_QUESTION_CHARS]
    if not text or T.is_english(text):
        return [Part(question, question)]
    # each ask with the index of the first item of its 分别 group (itself when not coordinated)
    raw: list[tuple[str, int]] = []
    for clause in _clauses(text):
        first = len(raw)
        raw.extend((item, first) for item in _coordinated(clause, known))
    if len(raw) < 2 or len(raw) > MAX_PARTS:
        return [Part(question, question)]
    parts: list[Part] = []
    leaning: dict[int, bool] = {}
    subj = ""
    for i, (a, group) in enumerate(raw):
        asked = _finish(a)
        if i == 0:
            parts.append(Part(asked, asked))
            subj = subject(asked)
            leaning[0] = False
            continue
        if not content_of(asked):
            continue  # "有哪些，分别是什么", "报告怎么说": nothing asked beyond the ask before
        # the items of one 分别 lean or stand as the group's first item does
        leaning[i] = leaning.get(group, False) if group != i else leans(asked, known)
        if leaning[i]:
            parts.append(Part(asked, _finish(complete(asked, subj)), leans=True))
        else:
            parts.append(Part(asked, _finish(with_context(asked, parts[0].asked))))
    if len(parts) < 2:
        return [Part(question, question)]
    return [Part(p.asked.replace("?", "？"), p.question.replace("?", "？"), p.leans) for p in parts]


__all__ = ["EARLIER_ROWS", "Part", "complete", "content_of", "leans", "split", "subject", "with_context"]
