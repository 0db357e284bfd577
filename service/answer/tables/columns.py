"""What each column of a table is for: project name, company, years, amounts, free text.

Roles come from the header wording and the typed cells, so any project table of the same shape
(name, content, amounts, years, owner) is understood without knowing its exact headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.textnorm import normalize
from ingest.model import Table, TableRow

CATEGORY = "__category__"
LOOKUP = "table_lookup"
AGGREGATE = "aggregate"


@dataclass(frozen=True)
class TableAnswer:
    """A table answer: text with ``[n]`` markers that index ``rows`` (1-based)."""

    kind: str
    text: str
    rows: tuple[TableRow, ...]
    marks: tuple[tuple[str, ...], ...] = ()
    grounded: bool = True
    notes: tuple[str, ...] = field(default=())

_PERIOD_HINT = re.compile(r"十[一二三四五六七八九]五|期间|时期|其中|年度|当年")
_TOTAL_HINT = re.compile(r"总投资|总额|总计|投资总")


def _strip_label(h: str) -> str:
    h = re.sub(r"^其中[:：]\s*", "", h)
    return h.strip()


def column_label(header: str) -> str:
    """A header as it reads in an answer sentence ("其中：“十四五”时期投资" → "“十四五”时期投资")."""
    if header == CATEGORY:
        return "所属类别"
    return _strip_label(header)


def category_label(text: str) -> str:
    """A category row without its numbering: "（一）高端装备制造" → "高端装备制造"."""
    t = normalize(text).strip()
    t = re.sub(r"^[（(][一二三四五六七八九十\d]+[)）]\s*", "", t)
    t = re.sub(r"^[一二三四五六七八九十\d]+[、.．]\s*", "", t)
    return t.strip()


@dataclass(frozen=True)
class TableView:
    """A table with its columns sorted into roles."""

    table: Table
    name_col: str | None
    content_col: str | None
    company_col: str | None
    years_col: str | None
    total_col: str | None
    period_col: str | None
    kind_cols: tuple[str, ...]
    categories: tuple[str, ...]
    data_rows: tuple[TableRow, ...]
    total_row: TableRow | None
    vocabulary: str = field(repr=False, default="")

    # ---- cells ------------------------------------------------------------------------------------
    def cell_text(self, row: TableRow, header: str | None) -> str:
        if header is None:
            return ""
        if header == CATEGORY:
            return " › ".join(row.category)
        c = row.cell(header)
        return c.text.strip() if c is not None else ""

    def name(self, row: TableRow) -> str:
        return self.cell_text(row, self.name_col) or f"第{row.index}行"

    def unit_of(self, row: TableRow, header: str | None) -> str:
        if header is None:
            return ""
        c = row.cell(header)
        if c is not None and c.unit:
            text = c.text.strip()
            return "" if text.endswith(c.unit) else c.unit
        if header in self.table.numeric_headers and self.table.unit:
            return self.table.unit
        return ""

    # ---- which column a question asks for --------------------------------------------------------
    def money_column(self, q: str) -> str | None:
        """The amount column a question talks about; the total amount unless a period is named."""
        if self.period_col and re.search(r"十[一二三四五六七八九]五|期间投资|时期投资|期内", q):
            return self.period_col
        if re.search(r"投资|金额|资金|亿元|万元|多少钱", q):
            return self.total_col or self.period_col
        return None

    def columns_asked(self, q: str, kind: str) -> list[str]:
        """Columns a lookup question asks for, in a sensible order; free text when none fits."""
        cols: list[str] = []

        def add(c: str | None) -> None:
            if c and c not in cols:
                cols.append(c)

        asks_money = re.search(r"投资|金额|资金|多少钱|投入", q)
        if asks_money and re.search(r"政府投资|社会投资|投资主体|投资性质|投资类型|投资方式|资金来源|哪种投资", q):
            for c in self.kind_cols:
                add(c)
        elif asks_money:
            if self.period_col and re.search(r"十[一二三四五六七八九]五|期间|时期|期内", q):
                add(self.period_col)
                if "总投资" in q:
                    add(self.total_col)
            else:
                add(self.total_col)
        if re.search(r"年限|起止|何时|什么时候|哪年|哪一年|开工|完工|竣工|建成|工期|建设期|周期|几年|时间|期限", q):
            add(self.years_col)
        if re.search(r"法人|单位|哪家|谁|承建|建设主体|业主|实施主体|哪个公司|哪个企业|什么公司|什么企业|负责", q):
            add(self.company_col)
        if re.search(r"属于|哪类|哪一类|什么类|类别|哪个领域|什么领域|哪个产业|分类", q):
            add(CATEGORY)
        if not cols:
            add(self.content_col)
        return [c for c in cols if c]


def _looks_years(table: Table, header: str) -> bool:
    cells = [r.cell(header) for r in table.rows if not r.is_total]
    typed = [c for c in cells if c is not None and c.start_year is not None]
    return len(typed) >= max(1, len(cells) // 2)


def view_of(table: Table) -> TableView | None:
    """Sort a table's columns into roles; None for a table without any data rows."""
    headers = list(table.headers)
    data = tuple(r for r in table.rows if not r.is_total)
    if not data:
        return None
    total = next((r for r in table.rows if r.is_total), None)
    numeric = [h for h in headers if h in table.numeric_headers]
    texty = [h for h in headers if h not in numeric]

    name = next((h for h in texty if "名称" in h), None)
    if name is None:
        name = next((h for h in texty if "项目" in h and "单位" not in h and "内容" not in h), None)
    if name is None:
        candidates = [h for h in texty if h not in ("序号", "编号")]
        name = candidates[0] if candidates else None
    content = next((h for h in texty if re.search(r"内容|规模|简介|描述|概况", h)), None)
    company = next((h for h in texty if re.search(r"单位|企业|公司|法人|业主|主体", h) and h != name), None)
    years = next((h for h in headers if re.search(r"年限|起止|年份|期限|工期", h)), None)
    if years is None:
        years = next((h for h in headers if _looks_years(table, h)), None)
    period = next((h for h in numeric if _PERIOD_HINT.search(h)), None)
    total_col = next((h for h in numeric if _TOTAL_HINT.search(h) and h != period), None)
    if total_col is None:
        total_col = next((h for h in numeric if h != period and h not in ("序号", "编号")), None)
    roles = {name, content, company, years, period, total_col, "序号", "编号"}
    kinds: list[str] = []
    for h in texty:
        if h in roles:
            continue
        values = {r.cell(h).text.strip() for r in data if r.cell(h) is not None}
        if 0 < len(values) <= 6:
            kinds.append(h)
    cats: list[str] = []
    for r in table.rows:
        for c in r.category:
            lab = category_label(c)
            if lab and lab not in cats:
                cats.append(lab)
    vocab_parts = [table.title, *headers, *cats]
    for r in table.rows:
        vocab_parts.extend(c.text for c in r.cells)
    vocab = normalize(" ".join(vocab_parts))
    return TableView(
        table=table,
        name_col=name,
        content_col=content,
        company_col=company,
        years_col=years,
        total_col=total_col,
        period_col=period,
        kind_cols=tuple(kinds),
        categories=tuple(cats),
        data_rows=data,
        total_row=total,
        vocabulary=vocab,
    )
