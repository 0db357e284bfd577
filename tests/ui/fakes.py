"""A hand-made document and a runtime with the same methods as ``service.runtime.Runtime``.

The UI tests render and drive the interface against these, independent of the index and the
answer engine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from index.filters import DocFilter
from index.types import Hit
from ingest.errors import InvalidRequest, NotFound
from ingest.model import Cell, Document, Heading, Identity, Paragraph, Passage, Table, TableRow
from service.runtime import SearchResult
from service.timeline import Timeline, build_timeline

DOC_ID = "demo-plan"
TITLE = "示例区“十四五”工业发展规划"

H1 = "五、重点任务"
H2 = "（六）强化新型基础设施建设"
H2B = "（一）培育壮大优势产业集群"
P_5G = "到2025年，建设完成4000个5G基站，实现重点区域的5G深度覆盖。智能电表覆盖率达到100%。"
P_CHAIN = "实施串链补链强链工程，探索实现重点产业链“链长制”，推动“一链一策一方案”集中攻坚。"
P_TRICKY = "特殊字符 <script>alert(1)</script> & {{x}} ${y} 也要原样显示。"
H_APPX = "附件1：重大项目列表"


def _build_document() -> Document:
    parts: list[tuple[str, str]] = [
        ("h1", H1), ("h2", H2B), ("p", P_CHAIN), ("h2", H2), ("p", P_5G), ("p", P_TRICKY), ("h1", H_APPX),
    ]
    text = ""
    spans = []
    for kind, s in parts:
        spans.append((kind, s, (len(text), len(text) + len(s))))
        text += s + "\n"
    table_start = len(text)
    headers = ("序号", "项目名称", "预计总投资", "建设起止年限")
    raw_rows = [
        (("一、战略性新兴产业", "（一）高端装备制造"), ("1", "永磁直驱系统系列产品生产项目", "3.5", "2020-2022")),
        (("一、战略性新兴产业", "（一）高端装备制造"), ("2", "科技园项目", "1.2", "2021-2023")),
        (("二、传统产业",), ("3", "钢铁 <改造> 项目", "12", "2021-2022")),
    ]
    rows = []
    for i, (cat, vals) in enumerate(raw_rows):
        cells = tuple(Cell(h, v, float(v) if h in ("序号", "预计总投资") else None) for h, v in zip(headers, vals, strict=True))
        rows.append(TableRow("t1", i, cat, cells))
    rows.append(TableRow("t1", 3, (), (Cell("序号", "总计"), Cell("预计总投资", "16.7", 16.7)), is_total=True))
    text += "（表格）\n"
    table = Table("t1", DOC_ID, "东丽区“十四五”时期工业重大项目列表", (H_APPX,), headers, "亿元",
                  ("预计总投资",), tuple(rows), (table_start, len(text)))

    headings, paragraphs, passages = [], [], []
    section: list[str] = []
    for kind, s, span in spans:
        if kind in ("h1", "h2"):
            level = 1 if kind == "h1" else 2
            headings.append(Heading(level, s, span))
            section = [*section[: level - 1], s]
        else:
            pid = f"{DOC_ID}#p{len(paragraphs)}"
            paragraphs.append(Paragraph(pid, DOC_ID, tuple(section), span, s))
            passages.append(Passage(f"{pid}.s0", DOC_ID, "paragraph", s, tuple(section), span, pid))
    for r in rows[:3]:
        rtext = "；".join([f"类别：{' › '.join(r.category)}", *(f"{c.header}：{c.text}" for c in r.cells)])
        passages.append(Passage(f"{DOC_ID}#t1.r{r.index}", DOC_ID, "table_row", rtext,
                                (H_APPX,), table.span, "t1", row=r))
    return Document(DOC_ID, TITLE, "demo.txt", text, tuple(headings), tuple(paragraphs), (table,),
                    tuple(passages))


DOCUMENT = _build_document()


def passage(pid: str) -> Passage:
    return next(p for p in DOCUMENT.passages if p.id == pid)


@dataclass
class FakeAnswer:
    question: str
    text: str
    grounded: bool
    citations: list[Hit]
    kind: str = "extractive"
    notes: list[str] = field(default_factory=list)
    short_answer: str | None = None
    resolved: str | None = None


class FakeIndex:
    """Just what ``/healthz`` reads."""

    documents = {DOC_ID: DOCUMENT}
    passage_count = len(DOCUMENT.passages)
    manifest: dict[str, str] = {"model": "fake", "created": "2025-01-01T00:00:00"}


REPORT_ID = "demo-report"
REPORT_NAME = "2019年示例市政府工作报告"
P_REPORT = "今年要抓好重点工作，地区生产总值增长6%左右，建成5G基站2000个。"


def _report() -> Document:
    """A second, short document of another kind and year, for the filters."""
    text = P_REPORT + "\n"
    pid = f"{REPORT_ID}#p0"
    span = (0, len(P_REPORT))
    return Document(REPORT_ID, REPORT_NAME, "report.txt", text, (), (Paragraph(pid, REPORT_ID, (), span, P_REPORT),),
                    (), (Passage(f"{pid}.s0", REPORT_ID, "paragraph", P_REPORT, (), span, pid),),
                    identity=Identity(name=REPORT_NAME, year=2019, region="示例市", kind="政府工作报告",
                                      issuer="示例市人民政府", date="2019-01-20"))


REPORT = _report()

MANY_KINDS = ("政府工作报告", "意见", "方案", None)
MANY_REGIONS = ("安徽省", "福建省", "甘肃省", "广西壮族自治区", "贵州省", "河北省", "河南省", "湖北省")


def many_documents(n: int) -> list[Document]:
    """``n`` short documents of several kinds, years (2013 onwards) and regions; every ninth has
    no year and every fourth no kind, as collections have."""
    docs = []
    for k in range(n):
        kind, region = MANY_KINDS[k % len(MANY_KINDS)], MANY_REGIONS[k % len(MANY_REGIONS)]
        year = None if k % 9 == 8 else 2013 + k % 13
        name = f"{f'{year}年' if year else ''}{region}{kind or '工作要点'}（第{k + 1}号）"
        doc_id, para = f"many-{k + 1:02d}", f"{region}第{k + 1}份文档的正文。"
        text = f"一、总体要求\n{para}\n"
        h = Heading(1, "一、总体要求", (0, 6))
        pid = f"{doc_id}#p0"
        span = (7, 7 + len(para))
        docs.append(Document(doc_id, name, f"{doc_id}.txt", text, (h,), (Paragraph(pid, doc_id, (h.text,), span, para),),
                             (), (Passage(f"{pid}.s0", doc_id, "paragraph", para, (h.text,), span, pid),),
                             identity=Identity(name=name, year=year, region=region, kind=kind)))
    return docs
PLAN_IDENTITY = Identity(name=TITLE, year=2021, region="示例区", kind="规划", period=(2021, 2025))


class FakeRuntime:
    """Answers the 5G question from the fixture, says "not found" otherwise; exact search is real.

    ``collection=True`` adds a second document (a 2019 work report) with identities on both, for
    the year, region and kind filters; ``extra`` documents follow them (a large collection)."""

    def __init__(self, delay: float = 0.0, collection: bool = False, extra: Sequence[Document] = ()) -> None:
        self.index = FakeIndex()
        self.delay = delay
        self.calls: list[tuple[str, Any]] = []
        self.docs = [replace(DOCUMENT, identity=PLAN_IDENTITY), REPORT] if collection else [DOCUMENT]
        self.docs += list(extra)

    def load(self) -> None:  # the app's lifespan calls this only when ``index`` is None
        pass

    def documents(self) -> list[Document]:
        return list(self.docs)

    def document(self, doc_id: str) -> Document:
        for d in self.docs:
            if d.doc_id == doc_id:
                return d
        raise NotFound(f"no document with id '{doc_id}'")

    def doc_title(self, doc_id: str) -> str:
        return next((d.name for d in self.docs if d.doc_id == doc_id), doc_id)

    def _selected(self, doc_ids: list[str] | None, filters: DocFilter | None) -> list[Document]:
        known = {d.doc_id for d in self.docs}
        if doc_ids and not set(doc_ids) <= known:
            raise NotFound(f"no document with id '{next(d for d in doc_ids if d not in known)}'")
        return [d for d in self.docs if (not doc_ids or d.doc_id in doc_ids) and (filters is None or filters.matches(d))]

    def passage(self, passage_id: str) -> Hit:
        try:
            return Hit(passage(passage_id), 0.0)
        except StopIteration:
            raise NotFound(f"no passage with id '{passage_id}'") from None

    def search(self, query: str, mode: str = "hybrid", top_k: int = 10,
               doc_ids: list[str] | None = None, filters: DocFilter | None = None) -> SearchResult:
        self.calls.append(("search", (query, mode, top_k, doc_ids)))
        if filters is not None:
            self.calls.append(("filters", filters))
        if mode not in ("hybrid", "semantic", "keyword", "exact"):
            raise InvalidRequest(f"unknown mode '{mode}'")
        hits = []
        total = 0
        per_doc: dict[str, int] = {}
        for p in [p for d in self._selected(doc_ids, filters) for p in d.passages]:
            ranges = []
            start = p.text.find(query)
            while start >= 0:
                ranges.append((start, start + len(query)))
                start = p.text.find(query, start + len(query))
            if ranges and mode == "exact":  # like the real index: one hit per occurrence
                total += len(ranges)
                hits.extend(Hit(p, 1.0, (r,)) for r in ranges)
            elif ranges:
                total += 1
                hits.append(Hit(p, float(len(ranges)), tuple(ranges)))
            if ranges:
                per_doc[p.doc_id] = per_doc.get(p.doc_id, 0) + (len(ranges) if mode == "exact" else 1)
        return SearchResult(query, mode, total, 1.5, hits[:top_k], per_doc)

    def timeline(self, phrase: str, doc_ids: list[str] | None = None, filters: DocFilter | None = None) -> Timeline:
        """Like the runtime's: this fake's exact counts over the selected documents."""
        docs = self._selected(doc_ids, filters)
        per_doc = self.search(phrase, "exact", 0, [d.doc_id for d in docs]).per_doc if docs else {}
        return build_timeline(phrase, per_doc, docs)

    def _answer(self, question: str, history: list[str] | None = None) -> FakeAnswer:
        if history and question.startswith("那"):  # an elliptical follow-up: read against the last question
            resolved = f"{history[-1].rstrip('？?')}，{question[1:]}"
            ans = self._answer(resolved)
            ans.question, ans.resolved = question, resolved
            return ans
        if "5G" in question:
            p = DOCUMENT.passages[1]
            a = p.text.index("到2025年")
            b = p.text.index("。") + 1
            return FakeAnswer(question, "到2025年，建设完成4000个5G基站[1]。", True, [Hit(p, 0.9, ((a, b),))],
                              short_answer="4000个")
        if "项目" in question:
            rows = []
            every = "所有" in question
            for p in [p for p in DOCUMENT.passages if p.kind == "table_row"][:3 if every else 2]:
                name = p.row.cell("项目名称").text
                a = p.text.index(name)
                rows.append(Hit(p, 0.8, ((a, a + len(name)),)))
            if every:
                return FakeAnswer(question, "重大项目共 3 个[1][2][3]，预计总投资合计 16.7 亿元。", True, rows,
                                  kind="aggregate")
            return FakeAnswer(question, "高端装备制造类重大项目共 2 个[1][2]。", True, rows, kind="aggregate")
        return FakeAnswer(question, "文档中没有找到与该问题相关的内容。", False, [], kind="none")

    def _filtered(self, question: str, history: list[str] | None, doc_ids: list[str] | None,
                  filters: DocFilter | None) -> FakeAnswer:
        """The answer; with filters, the report's paragraph when it alone is selected."""
        if filters is None:
            return self._answer(question, history)
        self.calls.append(("filters", filters))
        docs = self._selected(doc_ids, filters)
        if [d.doc_id for d in docs] == [REPORT_ID]:
            p = REPORT.passages[0]
            return FakeAnswer(question, f"{P_REPORT}[1]（出自《{REPORT_NAME}》）", True, [Hit(p, 0.9, ((0, len(P_REPORT)),))])
        if not docs:
            return FakeAnswer(question, "没有符合筛选条件的文档，请放宽年份、地区或类型。", False, [], kind="not_found")
        return self._answer(question, history)

    def ask(self, question: str, top_k: int = 5, doc_ids: list[str] | None = None,
            history: list[str] | None = None, filters: DocFilter | None = None) -> FakeAnswer:
        self.calls.append(("ask", (question, top_k, doc_ids, history)))
        return self._filtered(question, history, doc_ids, filters)

    def ask_stream(self, question: str, top_k: int = 5, doc_ids: list[str] | None = None,
                   history: list[str] | None = None, filters: DocFilter | None = None) -> Iterator[str | FakeAnswer]:
        self.calls.append(("ask_stream", (question, top_k, doc_ids, history)))
        ans = self._filtered(question, history, doc_ids, filters)
        for i in range(0, len(ans.text), 4):
            if self.delay:
                time.sleep(self.delay)
            yield ans.text[i:i + 4]
        yield ans
