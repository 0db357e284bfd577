"""Short names found in the documents themselves: 首钢 → 首都钢铁集团有限公司, 经开区 → 滨海经开区.

Plans name an organisation in full in a table and by a short form in questions (and sometimes
in the text). Nothing here lists any document's names: the entities are read from the corpus
(table cells that name organisations or projects, quoted terms, heading terms) and a question
word resolves to one of them when it is a Chinese-style abbreviation of it:

- the name without its legal form or region prefix ("飞鸽" in 上海飞鸽自行车工业有限公司);
- a tail of the name after a place prefix ("经开区" in 滨海经开区);
- the first character of each of its leading words, in order ("首钢" = 首都 + 钢铁).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from index.geo import PROVINCES
from index.textnorm import normalize
from ingest.model import Document
from service.answer.scope import dictionary_freq

# Legal forms and generic heads that a short name drops; generic Chinese company vocabulary.
LEGAL_FORMS = re.compile(r"(股份有限公司|有限责任公司|有限公司|集团公司|集团|公司)$")
REGION_PREFIX = re.compile(r"^(中国|[\u4e00-\u9fff]{2,3}(?:省|市|自治区|区|县))")
_ORG_TAIL = re.compile(
    r"(公司|集团|中心|研究院|研究所|大学|学院|医院|园区|产业园|基地|项目|工厂|厂|实验室|平台|开发区|经开区|高新区|新区|示范区)$"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,16})[”\"」』]")
MIN_SHORT, MAX_SHORT = 2, 6


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    return jieba


@lru_cache(maxsize=4096)
def _word_starts(name: str) -> tuple[int, ...]:
    """Offsets where a word of ``name`` begins, long words also split into their parts."""
    starts: set[int] = set()
    for w in _jieba().lcut_for_search(name, HMM=False):
        i = name.find(w)
        while i >= 0:
            starts.add(i)
            i = name.find(w, i + 1)
    return tuple(sorted(starts))


@lru_cache(maxsize=4096)
def _is_place(word: str) -> bool:
    import jieba.posseg as posseg

    tags = posseg.lcut(word)
    return len(tags) == 1 and tags[0].flag == "ns"


def _core(name: str) -> str:
    """The distinctive middle of a name: no region prefix, no legal form."""
    core = LEGAL_FORMS.sub("", name)
    stripped = REGION_PREFIX.sub("", core)
    for place in PROVINCES:
        if stripped.startswith(place) and len(stripped) - len(place) >= 2:
            stripped = stripped[len(place) :]
            break
    return stripped if len(stripped) >= 2 else core


def abbreviates(short: str, full: str) -> bool:
    """Whether ``short`` is a usual short form of ``full`` (both compared normalised).

    True for the name without legal form or region ("飞鸽", "钢铁集团"), for a tail after a
    short place prefix ("经开区" of 滨海经开区), and for the first characters of the leading
    words ("首钢" of 首都钢铁集团有限公司, "中石化" of 中国石油化工集团有限公司). A generic word
    ("公司", "有限") or a place name alone ("天津") never is.
    """
    s, f = normalize(short).strip(), normalize(full).strip()
    if not (MIN_SHORT <= len(s) <= MAX_SHORT) or len(f) <= len(s) or not _CJK.search(s):
        return False
    if LEGAL_FORMS.fullmatch(s) or s in ("有限", "股份", "集团") or _is_place(s):
        return False
    if s in f:
        if f.endswith(s):
            # a tail after a short prefix: 滨海 + 经开区
            return len(f) - len(s) <= 4 and bool(_ORG_TAIL.search(s))
        # a piece of the distinctive part, long enough to mean something
        core = _core(f)
        return s in core and (len(s) >= 3 or core.startswith(s))
    # initials: each character of the short form opens a word of the name, in order
    starts = _word_starts(f)
    pos = [i for i in starts if i < len(f)]
    if not pos or f[0] != s[0]:
        return False
    i = 0
    last = -1
    for ch in s:
        while i < len(pos) and (pos[i] <= last or f[pos[i]] != ch):
            i += 1
        if i == len(pos):
            return False
        last = pos[i]
    # the initials come from the leading words, not from anywhere in a long name
    return last < len(LEGAL_FORMS.sub("", f))


COMMON_WORD_FREQ = 50


_PROPER = ("nr", "ns", "nt", "nz", "j")


@lru_cache(maxsize=4096)
def _common_word(word: str) -> bool:
    """A word of the general vocabulary ("智能", "新能源") is not anybody's short name.

    Frequent dictionary words are common whatever their tag; rarer ones unless tagged as a
    proper name or an abbreviation.
    """
    import jieba.posseg as posseg

    freq = dictionary_freq(word)
    if freq >= COMMON_WORD_FREQ:
        return True
    if freq == 0:
        return False
    tags = posseg.lcut(word)
    return not (len(tags) == 1 and tags[0].flag in _PROPER)


@dataclass
class AliasIndex:
    """Organisation and project names of a corpus, and how often each occurs."""

    names: Counter[str] = field(default_factory=Counter)

    @classmethod
    def from_documents(cls, docs: Iterable[Document]) -> AliasIndex:
        names: Counter[str] = Counter()
        for d in docs:
            for t in d.tables:
                for row in t.rows:
                    for c in row.cells:
                        text = normalize(c.text).strip()
                        if c.number is None and 4 <= len(text) <= 40 and _ORG_TAIL.search(text):
                            names[text] += 1
            for h in d.headings:
                for piece in re.split(r"[：:，,、\s（）()]", normalize(h.text)):
                    piece = re.sub(r"^[一二三四五六七八九十\d]+[、.．]", "", piece)
                    if 3 <= len(piece) <= 20 and _ORG_TAIL.search(piece):
                        names[piece] += 1
            for m in _QUOTED.finditer(normalize(d.text)):
                if _ORG_TAIL.search(m.group(1)):
                    names[m.group(1)] += 1
        return cls(names)

    def resolve(self, short: str) -> list[str]:
        """Names ``short`` abbreviates, the most often named first; [] when it is a name itself."""
        s = normalize(short).strip()
        if s in self.names:
            return []
        found = [n for n in self.names if abbreviates(s, n)]
        found.sort(key=lambda n: (-self.names[n], len(n), n))
        return found

    def expand(self, text: str, known: Callable[[str], bool] = lambda w: False) -> tuple[str, dict[str, str]]:
        """``text`` with each short name spelled out as the one full name it stands for.

        A short name the documents never use is replaced; one they also use ("首钢" in the text,
        the full name in a table) keeps its place and gets the full name after it in brackets.
        Only when exactly one name, or one clearly most frequent name, fits.
        """
        out = text
        done: dict[str, str] = {}
        words = _jieba().lcut(normalize(text))
        for w in sorted(set(words), key=len, reverse=True):
            if not (MIN_SHORT <= len(w) <= MAX_SHORT) or not _CJK.search(w) or w not in out:
                continue
            if any(w in full for full in done.values()) or _common_word(w):
                continue
            names = self.resolve(w)
            if not names:
                continue
            if len(names) > 1 and self.names[names[0]] <= self.names[names[1]]:
                continue  # ambiguous: leave the question as asked
            full = names[0]
            if full in out:
                continue  # the question already names it in full
            out = out.replace(w, f"{w}（{full}）" if known(w) else full, 1)
            done[w] = full
        return out, done
