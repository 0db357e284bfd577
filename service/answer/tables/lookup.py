"""Which question is a table question, and the lookups: one column of a project the question names.

``answer_from_tables`` decides between a lookup (the project named fuzzily, by its name or a
piece of it) and an aggregate over the rows that pass the question's filters (``aggregate``),
or leaves the question to the text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from index.textnorm import normalize
from ingest.model import Document, Table, TableRow
from service.answer import scope
from service.answer import text as T
from service.answer.question import Question
from service.answer.tables.aggregate import aggregate
from service.answer.tables.by_content import answer_by_content
from service.answer.tables.columns import (
    CATEGORY,
    LOOKUP,
    TableAnswer,
    TableView,
    column_label,
    view_of,
)
from service.answer.tables.filters import Filters, parse_filters

_COUNT_RE = re.compile(r"(多少|几)(个|项|批)|数量|个数|项目数|几项|多少项")
_SUM_RE = re.compile(r"合计|总计|总和|共计|一共|总共|累计|加起来|之和|总额|总规模|总共")
_LIST_RE = re.compile(r"哪些|哪几|列出|列举|有什么项目|名单|清单|哪个项目|哪一个项目|哪项|什么项目|哪一项")
_MAX_RE = re.compile(r"最大|最多|最高|最贵")
_MIN_RE = re.compile(r"最小|最少|最低|最便宜")
_AVG_RE = re.compile(r"平均|均值")
_ALL_RE = re.compile(r"所有|全部|全体|总共|一共|合计|总计|项目表|附件|列表|重大项目|工业项目")
_PROJECT_RE = re.compile(r"项目|工程")

# Words a table question may contain without naming anything the rows must hold.
_GENERIC = T.words(
    """
    项目 项目表 表中 表格 工程 重大项目 重大 重点 工业 工业项目 十四五 时期 期间 投资 总投资 预计 预计总投资 亿元 万元 亿 万 金额 资金
    合计 总计 总和 共计 一共 总共 累计 之和 总额 多少 几个 数量 个数 哪些 哪几 哪个 列出 列举 名单 清单 所有 全部
    全区 全市 全县 全省 本区 本市 类 类别 领域 产业 行业 方面 属于 开工 开始 启动 建设 完工 竣工 建成 完成 结束 投产 在建 年限
    起止 建设期 以上 以下 以内 超过 高于 大于 多于 低于 少于 小于 不足 不到 不少于 不低于 不超过 至少 之间 最大 最小
    最多 最少 最高 最低 平均 表 附件 列表 计划 规划 安排 涉及 其中 法人 单位 筹建 企业 公司 社会 政府 分别 是 有 的
    年 年份 年度 以后 之后 以前 之前 及 或 和 与 情况 个 项 加起来 怎么 如何 什么 谁 哪家 排名 前 后 总数 一览
    共有 一共有 总共有 包括 包含 列入 纳入 共 有 多少亿 多少亿元 多少万元 数目 几项 多少项 分别是 都有 还有
    """
)


@dataclass(frozen=True)
class _Match:
    view: TableView
    row: TableRow
    score: float
    common: str


_VIEWS: dict[int, tuple[Table, TableView | None]] = {}
_WEIGHTS: dict[tuple[int, ...], tuple[list[TableView], dict[str, float]]] = {}


def _view(t: Table) -> TableView | None:
    """The column roles of a table, worked out once per table object."""
    got = _VIEWS.get(id(t))
    if got is not None and got[0] is t:
        return got[1]
    if len(_VIEWS) > 1024:
        _VIEWS.clear()
    v = view_of(t)
    _VIEWS[id(t)] = (t, v)
    return v


def _tables(docs: Iterable[Document]) -> list[TableView]:
    return [v for d in docs for t in d.tables if (v := _view(t)) is not None]


# ---- project-name matching ----------------------------------------------------------------------
def _lcs(a: str, b: str) -> str:
    """Longest common substring, the first of ``a`` when several are longest.

    A sliding window over ``a``: the longest piece ending at each character that ``b`` contains
    starts no earlier than the one ending at the character before, so each step is one substring
    search in C instead of a row of the quadratic table in Python.
    """
    if not a or not b:
        return ""
    best, best_end, start = 0, 0, 0
    for end in range(1, len(a) + 1):
        while start < end and a[start:end] not in b:
            start += 1
        if end - start > best:
            best, best_end = end - start, end
    return a[best_end - best : best_end]


_NAME_FILLER = re.compile(r"项目|工程|建设|生产线|基地|有限公司|公司|\(一期\)|（一期）|二期|三期|一期")


def _name_score(q: str, name: str, weights: dict[str, float]) -> tuple[float, str]:
    """How strongly the question names this project: weighted bigram coverage of the name."""
    n = normalize(name)
    if not n:
        return 0.0, ""
    if n in q:
        return 1.0 + len(n) / 100.0, n
    core = _NAME_FILLER.sub("", n)
    if len(core) >= 3 and core in q:
        return 0.95 + len(core) / 100.0, core
    common = _lcs(q, n)
    if len(_NAME_FILLER.sub("", common)) < 3:
        return 0.0, common
    grams = T.bigrams(n)
    qgrams = T.bigrams(q)
    total = sum(weights.get(g, 1.0) for g in grams) or 1.0
    got = sum(weights.get(g, 1.0) for g in grams if g in qgrams)
    return got / total, common


def _named_loosely(q: str, common: str, names: set[str]) -> bool:
    """The question calls a piece of exactly one project name "…项目"."""
    core = _NAME_FILLER.sub("", common)
    if len(re.findall(f"[{T.CJK}]", core)) < 3 or sum(1 for n in names if core in n) != 1:
        return False
    at = q.find(common)
    return at >= 0 and re.match(r"\S{0,4}?(项目|工程|技改)", q[at + len(common) :]) is not None


def _name_weights(views: list[TableView]) -> dict[str, float]:
    key = tuple(id(v) for v in views)
    got = _WEIGHTS.get(key)
    if got is not None and all(a is b for a, b in zip(got[0], views, strict=True)):
        return got[1]
    if len(_WEIGHTS) > 64:
        _WEIGHTS.clear()
    weights = _compute_name_weights(views)
    _WEIGHTS[key] = (list(views), weights)
    return weights


def _compute_name_weights(views: list[TableView]) -> dict[str, float]:
    df: dict[str, int] = {}
    n = 0
    for v in views:
        for r in v.data_rows:
            n += 1
            for g in T.bigrams(normalize(v.name(r))):
                df[g] = df.get(g, 0) + 1
    return {g: math.log(1 + n / c) for g, c in df.items()}


def best_project(q: Question, views: list[TableView]) -> list[_Match]:
    """Rows whose project name the question names, best first (ties kept: duplicated rows)."""
    weights = _name_weights(views)
    text = q.text[:200]  # project names are short; a long question is not scanned in full
    names = {normalize(v.name(r)) for v in views if v.name_col for r in v.data_rows}
    scored: list[_Match] = []
    for v in views:
        if v.name_col is None:
            continue
        for r in v.data_rows:
            s, common = _name_score(text, v.name(r), weights)
            if s < 0.6 and _named_loosely(text, common, names):
                s = 0.6  # "飞鸽自行车项目", "申能热电项目": a piece of one name, called a project
            if s > 0:
                scored.append(_Match(v, r, s, common))
    scored.sort(key=lambda m: -m.score)
    if not scored:
        return []
    top = scored[0].score
    runner_up = next((m.score for m in scored if m.score < top - 1e-9), 0.0)
    # a clear winner may be named loosely ("富士达智能化生产线项目"); a close race must be explicit
    if top < 0.55 and not (top >= 0.3 and runner_up < top / 2):
        return []
    return [m for m in scored if m.score >= top - 1e-9]


# ---- lookups --------------------------------------------------------------------------------------
_MEASURE_ASKED = re.compile(r"(?:多少|几)([^\s，。？?、的是]{1,2})")


def _clause_for(question: Question, text: str, name_part: str) -> str:
    """The clause(s) of a free-text cell that answer the question (the project name aside)."""
    norm = normalize(text)
    spans = T.clauses(norm)
    if not spans:
        return text
    rest = question.text.replace(name_part, " ") if name_part else question.text
    terms = [t for t in T.content_terms(rest) if t not in _GENERIC]
    wants_number = question.kind == "quantity"
    m = _MEASURE_ASKED.search(rest)
    measure = m.group(1)[:1] if m else ""
    scores: list[float] = []
    for a, b in spans:
        c = norm[a:b]
        s = sum(len(t) for t in terms if t in c)
        s += sum(0.5 * len(p) for t in terms if t not in c for p in T.sub_terms(t) if p in c)
        if wants_number and T.has_quantity(c):
            s += 1.0
        if measure and re.search(r"[0-9a-z一二三四五六七八九十百千万亿.]" + re.escape(measure), c):
            s += 2.0
        scores.append(s)
    best = max(range(len(spans)), key=lambda i: scores[i])
    if scores[best] <= 0:
        return T.strip_punct(text)
    lo = hi = best
    covered = {t for t in terms if t in norm[spans[best][0] : spans[best][1]]}
    # widen by a neighbouring clause when it carries question terms the best one lacks
    for j in (best - 1, best + 1):
        if 0 <= j < len(spans):
            c = norm[spans[j][0] : spans[j][1]]
            if any(t in c and t not in covered for t in terms):
                lo, hi = min(lo, j), max(hi, j)
    return T.strip_punct(text[spans[lo][0] : spans[hi][1]])


def _lookup(q: Question, matches: list[_Match], by_name: bool = True) -> TableAnswer | None:
    first = matches[0]
    v = first.view
    cols = v.columns_asked(q.text.replace(first.common, " ") if first.common else q.text, q.kind)
    rows: list[TableRow] = []
    seen_values: set[tuple[str, ...]] = set()
    parts: list[str] = []
    marks: list[tuple[str, ...]] = []
    for m in matches:
        values = tuple(m.view.cell_text(m.row, c) for c in cols)
        if values in seen_values:
            continue
        seen_values.add(values)
        rows.append(m.row)
        name = m.view.name(m.row)
        said: list[str] = []
        row_marks: list[str] = [name]
        for c in cols:
            if c == CATEGORY:
                said.append(f"所属类别为{' › '.join(m.row.category) or '未分类'}")
                continue
            raw = m.view.cell_text(m.row, c)
            if not raw or raw in ("-", "—", "/"):
                said.append(f"{column_label(c)}在表中未填写")
                continue
            if c == v.content_col:
                clause = _clause_for(q, raw, first.common)
                said.append(f"{column_label(c)}：{clause}")
                row_marks.append(clause)
            else:
                said.append(f"{column_label(c)}为{raw}{v.unit_of(m.row, c)}")
                row_marks.append(raw)
        parts.append(f"“{name}”的" + "，".join(said) + f"[{len(rows)}]")
        marks.append(tuple(row_marks))
    if not rows:
        return None
    text = "；".join(parts) + "。"
    if len(rows) > 1 and by_name:
        text += "（表中有多行名称相近，均已列出。）"
    return TableAnswer(LOOKUP, text, tuple(rows), tuple(marks))


def lookup_rows(q: Question, pairs: Iterable[tuple[TableView, TableRow]]) -> TableAnswer | None:
    """The columns ``q`` asks for, read off rows chosen elsewhere (e.g. the rows an earlier answer listed)."""
    return _lookup(q, [_Match(v, r, 1.0, "") for v, r in pairs], by_name=False)


# ---- aggregates -----------------------------------------------------------------------------------
def _residual_ok(q: Question, views: list[TableView], f: Filters, home: frozenset[str] = frozenset()) -> bool:
    """Every content word of the question is either generic or something the table holds.

    ``home`` holds the places the tables' documents are about ("滨海新区" in a question to the
    district's own plan names no rows).
    """
    used = " ".join(f.consumed)
    # with a row filter the question is plainly about rows; tolerate one word of phrasing
    allowance = 1 if f.has_row_filter else 0

    def known(t: str) -> bool:
        return (
            t in _GENERIC
            or t in used
            or any(p in home for p in scope.find_places(t))
            or bool(re.fullmatch(r"[\d.%]+", t))
            or any(t in v.vocabulary for v in views)
        )

    unknown = [t for t in q.terms if not (known(t) or all(known(p) for p in T.sub_terms(t)))]
    return len(unknown) <= allowance


def _intent(q: Question) -> str | None:
    s = q.text
    if _AVG_RE.search(s):
        return "avg"
    if _MAX_RE.search(s):
        return "max"
    if _MIN_RE.search(s):
        return "min"
    if _SUM_RE.search(s) and re.search(r"投资|金额|资金|亿元|万元", s):
        return "sum"
    if _COUNT_RE.search(s):
        return "count"
    if _LIST_RE.search(s):
        return "list"
    if _SUM_RE.search(s):
        return "count"
    return None


# ---- entry point --------------------------------------------------------------------------------
def answer_from_tables(q: Question, docs: Iterable[Document]) -> TableAnswer | None:
    """A table answer when the question is about table rows; None to let the text answer it."""
    if q.empty or q.english:
        return None
    docs = list(docs)
    views = _tables(docs)
    if not views:
        return None
    home = frozenset(p for d in docs if d.tables for p in scope.find_places(d.title))
    intent = _intent(q)
    f = parse_filters(q.text, views)
    matches = best_project(q, views)
    mentions_projects = bool(_PROJECT_RE.search(q.text))
    # a loosely matched company name alone does not make a question about the project table
    strong_filter = bool(f.categories or f.values or f.year_tests or f.threshold or f.exact_company)
    # "高端装备制造要提升发展哪些产业" asks about the text, not the project rows
    eligible = mentions_projects if intent in ("count", "list") else (mentions_projects or strong_filter)
    wants_aggregate = (
        intent is not None
        and eligible
        and (f.has_row_filter or not matches)
        and (f.has_row_filter or _ALL_RE.search(q.text) or intent in ("sum", "max", "min", "avg"))
    )
    if wants_aggregate and _residual_ok(q, views, f, home):
        got = aggregate(q, views, intent, f)
        if got is not None:
            return got
    if matches:
        return _lookup(q, matches)
    if intent is None and strong_filter and mentions_projects and _residual_ok(q, views, f, home):
        # rows named by their owner or category rather than by name: "上海卷烟厂的项目预计总投资多少"
        rows = [_Match(v, r, 1.0, " ".join(f.consumed)) for v in views for r in v.data_rows if f.accepts(v, r)]
        if 0 < len(rows) <= 5:
            return _lookup(q, rows, by_name=False)
        if rows and views[0].money_column(q.text):
            return aggregate(q, views, "sum", f)
        if rows:
            # "高端装备制造类项目的建设起止年限分别是什么": the asked column beside each row
            def column(v: TableView) -> str | None:
                cols = [c for c in v.columns_asked(q.text, q.kind) if c != v.content_col]
                return cols[0] if cols else None

            if column(views[0]) is not None:
                return aggregate(q, views, "list", f, show=column)
    # no name, no filter: the question may describe the row by a cell ("哪个项目要建设…")
    return answer_by_content(q, views)


__all__ = ["answer_from_tables", "best_project", "lookup_rows"]
