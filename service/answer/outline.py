"""Questions about the plan's own structure, answered from its headings.

"规划提出了哪些保障措施？" is answered by the sub-headings of "六、保障措施", and "一核指的是什么？"
by the heading "（一）一核：滨海经开区". Body text rarely lists these in one sentence, so the
extractive composer would miss them. Only questions that are about a heading and nothing else
are taken; each named sub-heading cites the first passage under it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from index.textnorm import normalize
from index.types import Hit
from ingest.model import Document, Heading, Passage
from service.answer import scope
from service.answer import text as T
from service.answer.question import DESCRIPTION, ENTITY, LIST, Question

OUTLINE = "outline"

_NUMBERING = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.．、]|[—-]+)\s*")
# Words that ask about a heading without adding anything the answer must hold.
_ABOUT = T.words(
    "规划 提出 包括 包含 哪些 哪几 哪几个 哪几项 方面 内容 主要 具体 有 是 什么 分别 几个 几项 几方面 领域 部分 "
    "方向 指 指的是 涵盖 涉及 哪 全区 全市 本区 本市 十四五 重点 列出 介绍 概括 总结 构成 组成"
)


@dataclass(frozen=True)
class OutlineAnswer:
    text: str
    citations: list[Hit]


def label(heading: str) -> str:
    """A heading without its numbering, as written: "（一）健全组织协调机制" → "健全组织协调机制"."""
    return _NUMBERING.sub("", heading).strip()


def _key(heading: str) -> str:
    return normalize(label(heading))


def _children(headings: tuple[Heading, ...], i: int) -> list[int]:
    level = headings[i].level
    out: list[int] = []
    child_level: int | None = None
    for j in range(i + 1, len(headings)):
        h = headings[j]
        if h.level <= level:
            break
        if child_level is None:
            child_level = h.level
        if h.level == child_level:
            out.append(j)
    return out


def _first_passage(doc: Document, heading: Heading) -> Passage | None:
    """The first body passage after a heading (what a reader lands on)."""
    for p in doc.passages:
        if p.kind == "paragraph" and p.span[0] >= heading.span[1]:
            return p
    return None


_COUNTED = re.compile(r"^[一二两三四五六七八九十几\d]+[个项大种类条点]?$")


def _only_about(q: Question, name: str, home: tuple[str, ...] = ()) -> bool:
    """The question names the heading and otherwise only asks ("有哪些", "包括哪几个方面")."""
    if q.english:
        joined = "".join(q.terms)
        return name in joined and all(t in name or t in _ABOUT for t in q.terms)
    rest = q.text.replace(name, " ")
    for place in (*q.places, *home):  # the document's own place adds nothing to what is asked
        rest = rest.replace(place, " ")
    return all(t in _ABOUT or t in name or _COUNTED.match(t) or t in "区市县省" for t in T.content_terms(rest))


def _asks(q: Question) -> bool:
    if q.kind in (LIST, ENTITY):
        return True
    return q.kind == DESCRIPTION and bool(re.search(r"什么|哪|包括|包含|怎样|如何|what|which", q.text))


def _leads(doc: Document, heading: Heading, end: int) -> list[Passage]:
    """Paragraphs under a heading that open with a short label sentence ("动能转换、双轮驱动。")."""
    out: list[Passage] = []
    seen: set[str] = set()
    for p in doc.passages:
        if p.kind != "paragraph" or not heading.span[1] <= p.span[0] < end or p.paragraph_id in seen:
            continue
        seen.add(p.paragraph_id)
        first = T.sentences(p.text)
        if first and p.sentences[0] == 0 and first[0][1] - first[0][0] <= 20 and p.text[first[0][1] - 1] == "。":
            out.append(p)
    return out


def _end_of(headings: tuple[Heading, ...], i: int, doc: Document) -> int:
    for h in headings[i + 1 :]:
        if h.level <= headings[i].level:
            return h.span[0]
    return len(doc.text)


def answer_from_outline(q: Question, docs: Iterable[Document]) -> OutlineAnswer | None:
    """Sub-headings of the heading the question is about, or a "X：Y" heading that defines X."""
    if q.empty or not _asks(q):
        return None
    best: tuple[int, Document, int, str] | None = None
    for doc in docs:
        for i, h in enumerate(doc.headings):
            name = _key(h.text)
            if len(name) < 2:
                continue
            defined = re.split(r"[:：]", name, maxsplit=1)[0] if re.search(r"[:：]", name) else ""
            for key in (name, defined):
                found = len(key) >= 2 and (key in q.text or q.english) and _only_about(q, key, scope.find_places(doc.title))
                if found and (best is None or len(key) > best[0]):
                    best = (len(key), doc, i, key)
    if best is None:
        return None
    _, doc, i, key = best
    heading = doc.headings[i]
    name = label(heading.text)
    if key != _key(heading.text):  # "一核" → "（一）一核：滨海经开区"
        p = _first_passage(doc, heading)
        if p is None:
            return None
        return OutlineAnswer(f"{name}[1]。", [Hit(passage=p, score=1.0)])
    items: list[str] = []
    cites: list[Hit] = []
    kids = _children(doc.headings, i)
    if len(kids) >= 2:
        for j in kids:
            p = _first_passage(doc, doc.headings[j])
            if p is None:
                return None
            cites.append(Hit(passage=p, score=1.0))
            items.append(f"{label(doc.headings[j].text)}[{len(cites)}]")
    else:
        for p in _leads(doc, heading, _end_of(doc.headings, i, doc)):
            a, b = T.sentences(p.text)[0]
            cites.append(Hit(passage=p, score=1.0, highlights=((a, b - 1),)))
            items.append(f"{p.text[a : b - 1]}[{len(cites)}]")
        if len(items) < 2:
            return None
    return OutlineAnswer(f"{name}包括{len(items)}个方面：" + "；".join(items) + "。", cites)
