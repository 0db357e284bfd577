"""The answers to a question's asks joined into one, and the checks the engine makes on them.

Citations are renumbered into one list without repeats, each ask's ``[n]`` kept pointing at its
own sources; two asks answered by one sentence show it once. The answer is grounded only when
every ask is, and an ask the documents do not answer is named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from index.textnorm import normalize
from index.types import Hit
from ingest.model import TableRow
from service.answer import text as T
from service.answer.parts import Part, content_of


class PartAnswer(Protocol):
    text: str
    grounded: bool
    citations: list[Hit]
    kind: str
    notes: list[str]


@dataclass(frozen=True)
class Joined:
    """The parts' answers as one: ``[n]`` in ``text`` refers to ``citations[n-1]``."""

    text: str
    grounded: bool
    citations: list[Hit]
    kind: str
    notes: list[str]


_MARKER = re.compile(r"\[(\d+)\]")


def cited(ans: PartAnswer) -> list[Hit]:
    """The citations an answer's text refers to, in order of first reference."""
    out: list[Hit] = []
    for m in _MARKER.finditer(ans.text):
        n = int(m.group(1))
        if 1 <= n <= len(ans.citations) and ans.citations[n - 1] not in out:
            out.append(ans.citations[n - 1])
    return out


def cited_rows(ans: PartAnswer) -> list[TableRow]:
    """The table rows an answer cites in its text (not the nearby passages it adds for reading)."""
    return [h.passage.row for h in cited(ans) if h.passage.row is not None and not h.passage.row.is_total]


def covers(ans: PartAnswer, part: Part, share: float = 0.5) -> bool:
    """The passages an answer cites hold most of what ``part`` names beyond its question words.

    Checks that an answer to the whole question speaks to an ask that found no answer alone:
    "常住人口" is nowhere in a sentence about output, "水利" is in "交通、水利…投资分别达…".
    """
    chars = [c for t in content_of(part.asked) for c in t if T.has_cjk(c) or c.isalnum()]
    if not chars:
        return True
    text = normalize("".join(h.passage.text for h in cited(ans)))
    return sum(c in text for c in chars) >= share * len(chars)


def _not_found(part: Part, ans: PartAnswer) -> str:
    head = re.split(r"(?<=。)", ans.text, maxsplit=1)[0].strip()
    head = head.removesuffix("。").removesuffix("以下是最相近的段落，供核对")
    return f"“{part.asked.rstrip('？?')}”：{head or '文档中没有找到相关信息'}。"


_ONE_ROW = re.compile(r"(?P<row>“[^”]+”的)(?P<said>[^\[\]“”。；]+)(?P<mark>\[\d+\])。")


def _add(texts: list[str], body: str) -> None:
    """Add a part's text unless another part already says it; a fuller text replaces one it contains.

    Two asks answered by one sentence ("是多少？比上年增长了多少？") are shown once.
    """
    def bare(t: str) -> str:
        return T.squash(_MARKER.sub("", t)).rstrip("。；")

    def marks(t: str) -> set[str]:
        return set(_MARKER.findall(t))

    for i, old in enumerate(texts):
        if bare(body) in bare(old) and marks(body) <= marks(old):
            return
        if bare(old) in bare(body) and marks(old) <= marks(body):
            texts[i] = body
            return
    # two columns of one row ("“A”的总投资为…[1]。", "“A”的建设年限为…[1]。") read as one sentence
    last = _ONE_ROW.fullmatch(texts[-1]) if texts else None
    this = _ONE_ROW.fullmatch(body)
    if last and this and last["row"] == this["row"] and last["mark"] == this["mark"]:
        texts[-1] = f"{last['row']}{last['said']}，{this['said']}{last['mark']}。"
        return
    texts.append(body)


def join(
    parts: Sequence[Part], answers: Sequence[PartAnswer], top_k: int = 5, nearby: Sequence[Hit] = ()
) -> Joined:
    """One answer from the parts' answers; citations shared by parts are listed once.

    ``nearby`` are passages to offer for checking beside the cited ones, before the parts' own.
    """
    citations: list[Hit] = []
    where: dict[str, int] = {}

    def number(h: Hit) -> int:
        i = where.get(h.passage.id)
        if i is None:
            where[h.passage.id] = i = len(citations)
            citations.append(h)
        else:
            old = citations[i]
            marks = tuple(sorted(set(old.highlights) | set(h.highlights)))
            citations[i] = replace(old, highlights=marks, score=max(old.score, h.score))
        return i + 1

    texts: list[str] = []
    notes: list[str] = []
    for i, (p, a) in enumerate(zip(parts, answers, strict=True), start=1):
        if a.grounded:
            local = a.citations

            def renumber(m: re.Match[str], local: list[Hit] = local) -> str:
                n = int(m.group(1))
                return f"[{number(local[n - 1])}]" if 1 <= n <= len(local) else m.group(0)

            body = _MARKER.sub(renumber, a.text.strip())
        else:
            body = _not_found(p, a)
        _add(texts, body)
        notes.append(f"part {i}: {p.question}" + (f" ({a.kind})" if a.kind else ""))
        notes.extend(f"part {i}: {n}" for n in a.notes)
    # sources the parts offered beside the ones they cite, while there is room
    for h in [*nearby, *(h for a in answers for h in a.citations)]:
        if h.passage.id not in where and len(citations) < top_k:
            number(h)
    grounded = all(a.grounded for a in answers)
    kinds = {a.kind for a in answers}
    kind = "not_found" if not grounded else (kinds.pop() if len(kinds) == 1 else "parts")
    return Joined("\n".join(texts), grounded, citations, kind, notes)


__all__ = ["Joined", "PartAnswer", "cited", "cited_rows", "covers", "join"]
