"""Whose plan is it? Places named in questions and documents, and which documents a question is about.

With several plans indexed (a national report beside a district plan) the same words answer
different questions: "全国的粮食产量" belongs to the national document, "区里的5G基站" to the
district's. A document's scope is read from its own title (and opening lines when the title
names no place): the places it names, or national when it names none but speaks for the
country. A question's scope is the places it names, or national when it speaks of the whole
country. Place names are recognised by the segmenter's place tags and the usual suffixes, not
by a list of any one document's places.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from index.geo import PROVINCES
from index.textnorm import normalize

CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
_SUFFIX_RE = re.compile(f"([{CJK}]{{2,4}}?)(?:省|自治区|自治州|县)")
_NOT_PLACE = ("全", "本", "该", "各", "外", "邻", "周边", "市", "郊", "城")
_ADMIN_TAIL = "省市区县州"
_MODALS = frozenset(["要", "将", "已", "再", "拟", "会", "能", "还要", "计划", "准备", "正在", "已经", "需要", "可以", "继续", "重新", "全面"])
# Ordinary words the tagger's dictionary lists as place names ("需要准备什么东西", "美丽乡村"): the most
# frequent two-character "ns" entries of jieba's dictionary that are not places.
_COMMON_NS = frozenset([
    "东西", "城市", "平原", "外国", "爱国", "英雄", "哥哥", "太阳", "海洋", "湖泊", "大桥", "高原", "上市", "建国", "美丽", "山区", "江湖", "大街",
    "王国", "开国", "城镇", "庆典", "深度", "山脉", "回国", "治安", "大国", "新鲜", "古城", "海峡", "冰川", "长度", "山水", "长大", "莫非", "普及",
    "商城", "古典", "阴阳", "江山", "高山", "大海", "山坡", "上马", "福利", "日志", "云集", "青春", "山河", "神圣", "中路", "新建", "中断", "山洞",
    "都城", "关联", "广义", "上山", "江水", "新城", "海关", "大洋", "山峰", "下山", "上台", "山寨", "契约", "入口", "入市", "都市", "广布", "重镇",
    "千古", "城堡", "江河", "深山", "伦理", "泉水", "渡江", "大河", "大湖", "大江", "治国", "中和", "天黑", "法典", "池塘", "加盟", "登山", "密封",
    "安宁", "上门", "立马", "海滨", "环海", "阿哥", "二哥", "内河", "河口", "河谷", "河水", "湖水", "沿河", "城南", "黄沙", "南门", "北门", "西门",
    "入境", "出境", "台风"
])
# "哪一个国家" and "几个国家" count countries, "老城中央" is a town's centre: neither is the state
NATIONAL_Q = re.compile(
    r"全国|我国|全中国|中国(?!石油|石化|移动|电信|联通|银行|人民银行)|(?<![个些哪各])国家(?![级重标])|国内生产总值|"
    r"(?<![城场湖区街岛池院厅楼台园山谷河镇村])中央|国务院"
)
NATIONAL_DOC = re.compile(r"国务院|全国人民代表大会|全国人大|政府工作报告|中华人民共和国|国家(?:发展和改革委员会|发展改革委)|中共中央")


@lru_cache(maxsize=1)
def _posseg():
    import jieba
    import jieba.posseg as posseg

    jieba.setLogLevel(60)
    return jieba, posseg


def dictionary_freq(word: str) -> int:
    """How often the segmenter's general dictionary counts ``word`` (0: not a word of its own)."""
    jieba, _ = _posseg()
    jieba.dt.check_initialized()
    return jieba.dt.FREQ.get(word) or 0


@lru_cache(maxsize=8192)
def find_places(text: str) -> tuple[str, ...]:
    """Place names in ``text`` (normalised), without their administrative suffix where it is one."""
    text = normalize(text)
    _, posseg = _posseg()
    out: list[str] = []

    def add(name: str) -> None:
        name = name.strip()
        keep_tail = name[-1:] in ("区", "县") and name[:-1] in PROVINCES  # 河北区 is not 河北
        if len(name) >= 3 and name[-1] in _ADMIN_TAIL and not keep_tail and not name.endswith(("新区", "地区", "城区", "市区", "社区")):
            name = name[:-1]
        if len(name) < 2 or name.startswith(_NOT_PLACE):
            return
        if any(name in o for o in out):
            return
        out[:] = [o for o in out if o not in name]
        out.append(name)

    words = posseg.lcut(text)
    for w in words:
        if len(w.word) == 3 and w.word[-1] in "区县" and w.word[:2] in PROVINCES:
            add(w.word)
    for p in PROVINCES:
        if p in text:
            add(p)
    for i, w in enumerate(words):
        if w.flag == "ns" and len(w.word) >= 2 and w.word not in _COMMON_NS:
            # "要新建多少个" uses a word the tagger also knows as a county as a verb
            if len(w.word) == 2 and w.word not in PROVINCES and i > 0 and words[i - 1].word in _MODALS:
                continue
            add(w.word)
        elif len(w.word) == 3 and w.word[-1] in "区县":
            head = w.word[:2]
            flag = posseg.lcut(head)[0].flag if head else ""
            if flag in ("nr", "ns", "nz") or dictionary_freq(head) < 50:
                add(w.word)
    # a name before 省/县/自治区 counts where it is one word, with the suffix or before it: "湖北省",
    # "延庆/县"; not "杭州/省立", "多少个/行省" or "是/哪/一个/省"
    spans, pos = set(), 0
    for w in words:
        spans.add((pos, pos + len(w.word)))
        pos += len(w.word)
    for m in _SUFFIX_RE.finditer(text):
        a, b = m.span(1)
        if (a, m.end()) in spans or ((a, b) in spans and (b, m.end()) in spans):
            add(m.group(1))
    return tuple(out)


@dataclass(frozen=True)
class DocScope:
    doc_id: str
    places: tuple[str, ...]
    national: bool
    years: tuple[int, ...] = ()  # the years the document speaks for (see ``document_years``)


TITLE_LINE = 60  # a line this short at the top of a document can be its title
# A five-year plan by its number ("十四五" = 2021–2025) and a period written out ("2021—2025年").
_FIVE_YEAR = re.compile(r"(?:第)?(十[一二三四五六七八九]|二十)(?:个)?五(?:年)?(?:规划|计划|”|\"|时期|期间)")
_PERIOD = re.compile(r"((?:19|20)\d{2})\s*(?:—|-|－|–|～|~|至|到)\s*((?:19|20)\d{2})\s*年")
_NUMERAL = {"十一": 11, "十二": 12, "十三": 13, "十四": 14, "十五": 15, "十六": 16, "十七": 17, "十八": 18,
            "十九": 19, "二十": 20}
_YEAR_IN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")


def document_years(title: str, opening: str) -> tuple[int, ...]:
    """The years a document speaks for, read from its title and the short lines it opens with.

    A dated report (政府工作报告 of year Y, delivered early in Y) reviews Y−1 and plans Y: both
    are its years. A plan speaks for its whole period ("十四五" → 2021–2025, "2021—2025年"), so
    a question "到2025年…" is about the goals of a 2021–2025 plan even where a passage does not
    repeat the year.
    """
    head = [title]
    for line in opening.splitlines()[:4]:
        if len(line.strip()) <= TITLE_LINE:
            head.append(line)
    text = normalize(" ".join(head))
    named = normalize(title)  # a period from the title only: a plan's first heading reviews the last one
    out: set[int] = set()
    for m in _PERIOD.finditer(named):
        a, b = int(m.group(1)), int(m.group(2))
        if 0 < b - a <= 15:
            out.update(range(a, b + 1))
    for m in _FIVE_YEAR.finditer(named):
        n = _NUMERAL.get(m.group(1))
        if n:
            start = 1966 + 5 * (n - 3)  # the third plan began in 1966, after three years of adjustment
            out.update(range(start, start + 5))
    if not out:
        dated = [int(y) for y in _YEAR_IN.findall(text)]
        if dated:
            y = dated[0]
            out.update((y - 1, y))
    return tuple(sorted(out))


def document_scope(doc_id: str, title: str, opening: str) -> DocScope:
    """The places a document's title names (else the short lines it opens with), or national.

    Only title lines: a place the body text happens to mention first ("…引进英国技术") is not
    what the document is about.
    """
    years = document_years(title, opening)
    places = find_places(title)
    national = not places and bool(NATIONAL_DOC.search(normalize(title + " " + opening[:400])))
    if not places and not national:
        head = []
        for line in opening.splitlines()[:3]:
            if len(line.strip()) > TITLE_LINE:
                break
            head.append(line)
        places = find_places(" ".join(head)) if head else ()
    return DocScope(doc_id, places, national, years)


def place_in_scope(place: str, doc: DocScope | None) -> bool:
    """The document is about ``place`` (or the place is part of its name: 海南岛 for 海南)."""
    return doc is not None and any(place in sp or sp in place for sp in doc.places)


@dataclass(frozen=True)
class QuestionScope:
    places: tuple[str, ...]
    national: bool


def question_scope(text: str, places: Iterable[str] | None = None) -> QuestionScope:
    names = tuple(places) if places is not None else find_places(text)
    return QuestionScope(names, bool(NATIONAL_Q.search(_without_organisations(normalize(text)))) and not names)


@lru_cache(maxsize=4096)
def _without_organisations(text: str) -> str:
    """``text`` with the organisations named 中国… (中国科大, 中国人民大学) blanked: they are not the country."""
    _, posseg = _posseg()
    return "".join(
        "□" * len(w.word) if w.flag == "nt" and w.word.startswith("中国") and len(w.word) > 2 else w.word
        for w in posseg.cut(text)
    )


def preferred_documents(q: QuestionScope, scopes: Sequence[DocScope]) -> list[str] | None:
    """The documents whose scope matches the question, when that singles out some but not all.

    None means no preference (one document, or the question names no scope, or no document
    matches it — the answer stage then checks the named place against the evidence).
    """
    if len(scopes) < 2:
        return None
    if q.places:
        hit = [s.doc_id for s in scopes if any(p in sp or sp in p for p in q.places for sp in s.places)]
    elif q.national:
        hit = [s.doc_id for s in scopes if s.national]
    else:
        return None
    return hit if 0 < len(hit) < len(scopes) else None


def conflicts(q: QuestionScope, doc: DocScope, named: Callable[[str], bool] | None = None) -> bool:
    """The document is about somewhere else than the question: a district's plan for a question
    about the country, or another place than the one named.

    ``named(place)`` says whether the cited evidence (its paragraph, headings and title) names a
    place: a document about a city answers for a town in it when its passage names the town (贡寮
    in an article on 新北市), which no title can show without a gazetteer.
    """
    if q.national:
        return bool(doc.places)
    if q.places and doc.places:
        if any(p in sp or sp in p for p in q.places for sp in doc.places):
            return False
        return named is None or not all(named(p) for p in q.places)
    return False
