"""Rows asked for by what they hold: "哪个项目要建设中试车间？" names no project, only a cell.

A question that asks which row ("哪个项目", "哪些企业", "谁") and describes it by the content of
one of its cells (the construction content, the owner, any text column) is answered with the
row's name and the cell that matched, citing the row. The words the question describes the row
with must all be in one row: a question about the plan's text shares a word or two with many
rows but all of its words with none, and is left to the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.textnorm import normalize
from ingest.model import TableRow
from service.answer import text as T
from service.answer.question import Question
from service.answer.tables.columns import AGGREGATE, CATEGORY, LOOKUP, TableAnswer, TableView, column_label

# "哪个项目", "哪几个重点项目", "什么企业", "哪一项", "谁": the question asks which row
_ROW_ASKED = re.compile(
    r"(?:哪(?:一|几)?(?:个|些|家|项|所|座)?|什么|啥|(?:多少|几)(?:个|项|家))"
    r"(?:[\u4e00-\u9fff]{0,4}?)(?:项目|工程|企业|公司|单位|机构)"
    r"|哪一?项|谁"
)
_COUNT_ASKED = re.compile(r"(?:多少|几)(?:个|项|家)")
# verbs that only say how a row relates to what it holds ("负责建设", "涉及", "用于")
_PHRASING = T.words(
    """
    项目 工程 企业 公司 单位 机构 建设 新建 负责 承担 承建 实施 打算 准备 计划 将要 主要 涉及 包含 包括 进行 开展 用于
    重点 重大 其中 表中 列表 附件 哪个 哪些 什么 分别 都 有 是 要 将 会 能 在
    """
)
MAX_ROWS = 10  # more rows than this holding the words: the question is not about one or a few rows


def _terms(q: Question) -> list[str]:
    """The words describing the row: the question without its asking phrase and phrasing verbs."""
    rest = _ROW_ASKED.sub(" ", q.text)
    rest = _COUNT_ASKED.sub(" ", rest)
    return [t for t in T.content_terms(rest) if t not in _PHRASING and not re.fullmatch(r"[\d.%]+", t)]


def _covered(terms: Sequence[str], text: str) -> float:
    """Share of the terms' characters found in ``text``; a term counts by its pieces when split."""
    total = sum(len(t) for t in terms) or 1
    got = 0.0
    for t in terms:
        if t in text:
            got += len(t)
        else:
            pieces = T.sub_terms(t)
            found = [p for p in pieces if p in text]
            if pieces and len(found) == len(pieces):
                got += len(t) * 0.9
    return got / total


def _best_cell(v: TableView, r: TableRow, terms: Sequence[str]) -> tuple[str | None, float]:
    """The text column of the row that holds most of the terms, and its coverage."""
    best: tuple[str | None, float] = (None, 0.0)
    for h in v.table.headers:
        if h in v.table.numeric_headers or h in ("序号", "编号"):
            continue
        cover = _covered(terms, normalize(v.cell_text(r, h)))
        if cover > best[1]:
            best = (h, cover)
    return best


def longest_common(a: str, b: str) -> str:
    """The longest piece of ``a`` that ``b`` contains."""
    best = ""
    for i in range(len(a)):
        j = i + len(best) + 1
        while j <= len(a) and a[i:j] in b:
            best = a[i:j]
            j += 1
    return best


def _clause(text: str, terms: Sequence[str]) -> str:
    """The clauses of a cell from the first to the last one holding a term (the whole cell when short)."""
    norm = normalize(text)
    spans = T.clauses(norm)
    hits = [i for i, (a, b) in enumerate(spans) if any(t in norm[a:b] for t in terms)]
    if not spans or not hits or len(text) <= 40:
        return T.strip_punct(text)
    return T.strip_punct(text[spans[hits[0]][0] : spans[hits[-1]][1]])


def rows_by_content(q: Question, views: Sequence[TableView]) -> list[tuple[TableView, TableRow, str]]:
    """Rows whose cells hold every word the question describes them with, with the matching column."""
    if not _ROW_ASKED.search(q.text):
        return []
    terms = _terms(q)
    if sum(len(t) for t in terms) < 3:
        return []
    phrase = "".join(terms)  # the words as the question runs them together ("研发" + "中心")
    scored: list[tuple[float, int, TableView, TableRow, str]] = []
    for v in views:
        if v.name_col is None:
            continue
        for r in v.data_rows:
            col, cover = _best_cell(v, r, terms)
            if col is None:
                continue
            # the words may also be spread over the row (the owner's name and a word of the content)
            row_text = normalize(" ".join(c.text for c in r.cells))
            together = len(longest_common(phrase, row_text))
            scored.append((max(cover, _covered(terms, row_text)), together, v, r, col))
    if not scored:
        return []
    top = max(s[:2] for s in scored)
    if top[0] < 0.85:
        return []
    # rows holding the words as the question runs them together beat rows holding them apart
    found = [(v, r, col) for s, n, v, r, col in scored if s >= top[0] - 1e-9 and n >= top[1]]
    return found if len(found) <= MAX_ROWS else []


def answer_by_content(q: Question, views: Sequence[TableView]) -> TableAnswer | None:
    """The rows the question describes, by name, with the cell that matched and any column asked."""
    found = rows_by_content(q, views)
    if not found:
        return None
    terms = _terms(q)
    items: list[str] = []
    marks: list[tuple[str, ...]] = []
    for i, (v, r, col) in enumerate(found, start=1):
        name = v.name(r)
        said: list[str] = []
        row_marks = [name]
        asked = [c for c in v.columns_asked(q.text, q.kind) if c not in (v.content_col, v.name_col, col)]
        for c in asked:
            val = " › ".join(r.category) if c == CATEGORY else v.cell_text(r, c)
            if val:
                said.append(f"{column_label(c)}为{val}{v.unit_of(r, c)}")
                row_marks.append(val)
        if col != v.name_col:
            clause = _clause(v.cell_text(r, col), terms)
            said.append(f"{column_label(col)}：{clause}")
            row_marks.append(clause)
        detail = "，".join(said)
        items.append(f"“{name}”[{i}]" + (f"（{detail}）" if detail else ""))
        marks.append(tuple(row_marks))
    rows = tuple(r for _, r, _ in found)
    if len(found) == 1:
        return TableAnswer(LOOKUP, f"是{items[0]}。", rows, tuple(marks))
    kind = AGGREGATE if _COUNT_ASKED.search(q.text) else LOOKUP
    return TableAnswer(kind, f"共{len(found)}个：" + "；".join(items) + "。", rows, tuple(marks))


__all__ = ["answer_by_content", "rows_by_content"]
