"""The user dictionary, built from the documents at index time.

jieba's general dictionary splits the names a plan is about (projects, companies, parks,
programmes, coined slogans) into fragments that also occur everywhere else; entered as words,
they become distinctive tokens, so a question naming a project finds its table row first.

Sources: table cells that name things (项目名称, …单位/企业/公司) and their main parts (the
company's brand without region and legal form, the project without ``…项目``); names ending in
园区/高新区/经开区/中心/基地/… found in the text; terms in “…” quotes; the curated list in
``index/data/terms.txt``. The result is saved as ``userdict.txt`` (one word a line) in the index
directory and its hash is recorded in the manifest.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from index.geo import PROVINCES
from index.textnorm import normalize
from index.tokenize import curated_terms, stopwords
from ingest.model import Document

MIN_LEN, MAX_LEN = 2, 24

_NAME_HEADER = re.compile(r"名称|单位|企业|公司|法人")
_QUOTED = re.compile(r"[“\"「『]([^“”\"「」『』\n]{2,16})[”\"」』]")
_PLACE_SUFFIX = (
    "产业园区|工业园区|科技园区|园区|产业园|科技园|高新区|经开区|开发区|示范区|集聚区|功能区|经济区|"
    "创新中心|研发中心|技术中心|运营中心|服务中心|中心|基地|孵化器|实验室|研究院"
)
# Characters/words a name does not start with: a name begins after the last of these.
_BREAKERS = re.compile(
    r"[^\u4e00-\u9fffA-Za-z0-9]|建设|打造|依托|推进|推动|加快|支持|围绕|聚焦|发挥|提升|培育|引进|建成|"
    r"创建|成立|设立|入驻|落地|实施|开展|形成|构建|完善|争创|申报|获批|认定|以及|和|与|及|的|在|为|是|"
    r"等|个|家|了|将|向|对|把|从|由|到|至|其|各|新建|积极|大力|全力|重点|加强|强化|共建|谋划|布局|"
    r"成为|作为|进入|推广|一批|若干|所|座|级|主要包括|包括|购置|利用|完成|明确|深化|规范|高水平|多元化|专业化"
)
_PLACE = re.compile(rf"([\u4e00-\u9fffA-Za-z0-9]{{1,20}}?)({_PLACE_SUFFIX})")
_REGION_PREFIX = re.compile(
    r"^(中国|[\u4e00-\u9fff]{2,3}(?:省|市|自治区)|[\u4e00-\u9fff]{2}(?:区|县)|"
    + "|".join(sorted(PROVINCES, key=len, reverse=True)) + ")"
)
_PAREN = re.compile(r"[（(][^）)]*[）)]")
_LEGAL_SUFFIX = re.compile(r"(股份有限公司|有限责任公司|有限公司|集团公司|集团|公司|分公司|厂)$")
_TRADE_WORDS = re.compile(
    r"(科技|电力|设备|新能源|发展|工业|制造|材料|生物|医药|医疗|汽车|电子|机械|环保|能源|智能|信息|技术|"
    r"实业|投资|重工|热电|钢管|钢铁|航空|航天|装备|电气|电机|化工|食品|建材|物流|贸易|自行车|精密|精工)"
)
_PROJECT_SUFFIX = re.compile(
    r"(新建厂房项目|建设项目|生产项目|改造项目|研发项目|扩建项目|技改项目|产业化项目|项目|工程)$"
)
_PHASE = re.compile(r"[（(][一二三四五六七八九十\d]+期[）)]")


def _ok(word: str) -> bool:
    return (
        MIN_LEN <= len(word) <= MAX_LEN
        and not word.isdigit()
        and bool(re.search(r"[\u4e00-\u9fff]", word))
        and word not in stopwords()
        and not any(c.isspace() for c in word)
    )


def company_parts(name: str) -> list[str]:
    """A company name and its main parts: without parentheses/legal form, and the brand alone."""
    name = name.strip()
    out = [name]
    core = _PAREN.sub("", name)
    core = _LEGAL_SUFFIX.sub("", core)
    out.append(core)
    core = _REGION_PREFIX.sub("", core)
    out.append(core)
    m = _TRADE_WORDS.search(core)
    if m and m.start() >= 2:
        out.append(core[: m.start()])
    return out


def project_parts(name: str) -> list[str]:
    """A project name and its main part without ``…项目`` / phase markers."""
    name = name.strip()
    out = [name]
    core = _PHASE.sub("", name)
    out.append(core)
    core = _PROJECT_SUFFIX.sub("", core)
    out.append(core)
    return out


def place_names(text: str) -> list[str]:
    """Park, platform and programme names (…园区, …高新区, …中心, …基地) in ``text``."""
    out: list[str] = []
    for m in _PLACE.finditer(text):
        prefix, suffix = m.group(1), m.group(2)
        # Start the name after the last breaker word inside the prefix.
        start = 0
        for b in _BREAKERS.finditer(prefix):
            start = b.end()
        name = prefix[start:] + suffix
        if len(name) > len(suffix) and len(name) >= 3:
            out.append(name)
    return out


def quoted_terms(text: str) -> list[str]:
    """Terms in quotation marks with no inner punctuation: 链长制, 双智战略, 专精特新 …"""
    out = []
    for m in _QUOTED.finditer(text):
        t = m.group(1).strip()
        if not re.search(r"[，。、；：,.;:！？!?]", t):
            out.append(t)
    return out


def build_user_words(documents: Iterable[Document]) -> list[str]:
    """The user dictionary of ``documents``: normalised, de-duplicated, sorted."""
    words: set[str] = set(curated_terms())
    for doc in documents:
        text = normalize(doc.text)
        words.update(quoted_terms(text))
        words.update(place_names(text))
        for table in doc.tables:
            for row in table.rows:
                for cell in row.cells:
                    if not cell.text or not _NAME_HEADER.search(cell.header):
                        continue
                    value = normalize(cell.text)
                    if re.search(r"单位|企业|公司|法人", cell.header):
                        words.update(company_parts(value))
                    else:
                        words.update(project_parts(value))
    return sorted(w for w in words if _ok(w))


def write_userdict(words: Iterable[str], path: Path) -> str:
    """Write one word a line; return the file's sha256."""
    data = "".join(f"{w}\n" for w in words).encode("utf-8")
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def read_userdict(path: Path) -> list[str]:
    return [w for w in path.read_text(encoding="utf-8").splitlines() if w.strip()]
