"""Follow-up questions: "那其中2021年开工的有哪些？" read against the question before it.

The server keeps no conversation; the caller sends the earlier questions. A question is a
follow-up when it leans on something said before: it opens with a pronoun or "那/其中", or is a
bare "X呢？" fragment. It is completed with the subject of the last full question (that
question without its question words and predicate): "首钢集团有哪些项目，总投资多少？" then
"那其中2021年开工的有哪些？" becomes "首钢集团项目中2021年开工的有哪些？".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.textnorm import normalize

_LEAD = re.compile(
    r"^(?:那么|那|这样的话|另外|还有|再问一下|请问)?\s*(?:其中|这其中|里面|当中)?\s*"
    r"(?:它们|它|他们|其|这些|那些|这个|那个|该|此)?(?:的)?"
)
_ELLIPTIC_OPEN = re.compile(r"^(?:那么|那|其中|这其中|它们|它|其|这些|那些|这个|那个|该(?!区|市|县|省))")
_BARE = re.compile(r"^[^，,。？?]{1,10}呢[？?]?$")
_QWORDS = re.compile(
    r"(请问|是多少|有多少|多少|有哪些|是哪些|哪些|哪几个|哪个|哪家|是什么|有什么|什么|如何|怎么样|怎样|怎么|几个|几家|几项|是否|有没有|吗|呢)"
)
_TAIL = re.compile(r"(的|是|有|为|了|要|将|在)+$")


def is_followup(question: str) -> bool:
    q = normalize(question).strip()
    return bool(_ELLIPTIC_OPEN.match(q) or _BARE.match(q))


def subject(question: str) -> str:
    """What a question is about: its first clause without question words or a trailing verb."""
    q = question.strip()
    first = re.split(r"[，,；;。？?！!]", q, maxsplit=1)[0]
    s = _QWORDS.sub("", first)
    s = _TAIL.sub("", s.strip())
    return s


def resolve(question: str, history: Sequence[str] | None) -> str | None:
    """The follow-up completed from ``history`` (oldest first), or None when it stands alone."""
    if not history or not is_followup(question):
        return None
    prev = None
    for earlier in reversed(history):
        if earlier and earlier.strip():
            prev = earlier
            break
    if prev is None:
        return None
    if is_followup(prev):
        prev = resolve(prev, history[: list(history).index(prev)]) or prev
    subj = subject(prev)
    if not subj:
        return None
    rest = _LEAD.sub("", question.strip(), count=1).strip()
    if not rest:
        return None
    if _BARE.match(normalize(question).strip()):
        # "总投资呢？" → "…的总投资是多少？"
        core = rest.rstrip("？?").removesuffix("呢")
        return f"{subj}的{core}是多少？" if core else None
    joiner = "中" if re.match(r"^(?:\d|20\d\d|[一二三四五六七八九十]|哪|有|已|在|属于)", rest) else "的"
    if subj.endswith(("中", "的")):
        joiner = ""
    return f"{subj}{joiner}{rest}"
