"""Tables: from raw cell grids to typed rows a reader (and an answer) can rely on.

Every source gives tables as a grid of cell strings with spans in the cleaned text: the plan's
appendix (one cell per tab-indented line, rows separated by blank lines), Markdown pipe tables,
and docx/pdf tables, which the loaders render in the same tab layout. One builder then reads the
grid the same way for all of them:

- the first row is the header;
- a row with a single non-empty cell is a category row (``一、战略性新兴产业``,
  ``（一）高端装备制造`` …); categories nest by their numbering and apply to the rows below;
- a row whose first cell is 总计/合计/共计 is the table total; it usually has fewer cells than the
  header (merged in the original), so its label goes to the name column, its numbers to the
  numeric columns in order, and anything left to the columns after them;
- a column is numeric when most of its data cells are numbers (the index column such as 序号
  aside); numbers become floats with the source string kept, and carry the table's unit
  (``单位：亿元``) or the one in the column header (``投资（万元）``);
- a column of year ranges (``2020-2022``, ``2021-未知``) gets start/end years, with an unknown
  end marked open.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingest.model import Cell, Table, TableRow

UNIT_LINE_RE = re.compile(r"^\s*(?:计量)?单位\s*[:：]\s*(\S{1,12})\s*$")
TOTAL_RE = re.compile(r"^(?:总计|合计|共计|总合计|全部合计)$")
INDEX_HEADER_RE = re.compile(r"^(?:序号|编号|No\.?|NO\.?|#)$", re.IGNORECASE)
NUMBER_RE = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")
YEAR_RANGE_RE = re.compile(
    r"^(?P<start>(?:19|20)\d{2})年?\s*"
    r"(?:(?P<dash>[-–—~～至到])\s*(?P<end>(?:19|20)\d{2}年?|未知|待定|至今|今|长期)?)?$"
)
YEAR_HEADER_RE = re.compile(r"年限|起止|年份|期限|建设期|周期")
_HEADER_UNIT_RE = re.compile(r"[（(]\s*([^（）()\d]{1,6}?)\s*[）)]\s*$")
PLACEHOLDERS = frozenset({"", "-", "—", "－", "–", "/", "无"})

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class RawCell:
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class RawRow:
    cells: tuple[RawCell, ...]

    @property
    def span(self) -> Span:
        return (self.cells[0].span[0], self.cells[-1].span[1])

    @property
    def filled(self) -> list[RawCell]:
        return [c for c in self.cells if c.text.strip()]


@dataclass(frozen=True, slots=True)
class RawTable:
    """A cell grid found in the cleaned text, before any typing."""

    rows: tuple[RawRow, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class BuiltTable:
    table: Table
    passages_text: tuple[str, ...]  # natural reading text of each row, aligned with table.rows
    row_spans: tuple[Span, ...]


# ---------------------------------------------------------------- finding grids in the text


def parse_tab_grid(text: str, lines: Sequence[Span]) -> RawTable | None:
    """Read tab-indented cell lines (blank lines between rows) into a grid.

    ``lines`` are the line spans of the candidate region. A line holding only a tab is an empty
    cell. Returns None unless the region looks like a table: a header of two or more cells and
    at least one more row of two or more cells.
    """
    rows: list[RawRow] = []
    cur: list[RawCell] = []
    for start, end in lines:
        line = text[start:end]
        if not line.startswith("\t"):
            if line.strip() == "" and cur:
                rows.append(RawRow(tuple(cur)))
                cur = []
            continue
        cs = start + 1
        ce = end
        while ce > cs and text[ce - 1].isspace():
            ce -= 1
        while cs < ce and text[cs].isspace():
            cs += 1
        cur.append(RawCell(text[cs:ce], (cs, ce)))
    if cur:
        rows.append(RawRow(tuple(cur)))
    return _as_table(rows)


_PIPE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def parse_pipe_grid(text: str, lines: Sequence[Span]) -> RawTable | None:
    """Read a Markdown pipe table (``| a | b |`` lines, an optional ``|---|`` separator)."""
    rows: list[RawRow] = []
    for start, end in lines:
        line = text[start:end]
        if _PIPE_SEP_RE.match(line) or not line.strip():
            continue
        cells: list[RawCell] = []
        bars = [i for i, ch in enumerate(line) if ch == "|" and (i == 0 or line[i - 1] != "\\")]
        if not bars:
            continue
        bounds = list(bars)
        if line.lstrip()[:1] != "|":
            bounds.insert(0, -1)
        if line.rstrip()[-1:] != "|":
            bounds.append(len(line))
        for a, b in zip(bounds, bounds[1:], strict=False):
            cs, ce = start + a + 1, start + b
            while cs < ce and text[cs].isspace():
                cs += 1
            while ce > cs and text[ce - 1].isspace():
                ce -= 1
            cells.append(RawCell(text[cs:ce], (cs, ce)))
        if cells:
            rows.append(RawRow(tuple(cells)))
    return _as_table(rows)


def _as_table(rows: list[RawRow]) -> RawTable | None:
    if len(rows) < 2 or len(rows[0].cells) < 2:
        return None
    if not any(len(r.filled) >= 2 for r in rows[1:]):
        return None
    return RawTable(rows=tuple(rows), span=(rows[0].span[0], rows[-1].span[1]))


def unit_from_line(line: str) -> str | None:
    """``单位：亿元`` → ``亿元``."""
    m = UNIT_LINE_RE.match(line)
    return m.group(1) if m else None


# ---------------------------------------------------------------- typing


def parse_number(s: str) -> float | None:
    s = s.strip()
    if not NUMBER_RE.match(s):
        return None
    return float(s.rstrip("%").replace(",", ""))


def parse_year_range(s: str) -> tuple[int, int | None, bool] | None:
    """``2020-2022`` → (2020, 2022, False); ``2021-未知`` → (2021, None, True); ``2021`` → one year."""
    m = YEAR_RANGE_RE.match(s.strip())
    if not m:
        return None
    start = int(m.group("start"))
    if m.group("dash") is None:
        return start, start, False
    end = m.group("end") or ""
    if end[:4].isdigit():
        return start, int(end[:4]), False
    return start, None, True


def _column_kinds(headers: Sequence[str], data: list[list[str]]) -> tuple[set[int], set[int], int | None]:
    """Indices of numeric columns, year-range columns and the index column (序号)."""
    index_col = next((i for i, h in enumerate(headers) if INDEX_HEADER_RE.match(h.strip())), None)
    numeric: set[int] = set()
    years: set[int] = set()
    for col, header in enumerate(headers):
        if col == index_col:
            continue
        values = [r[col] for r in data if col < len(r) and r[col].strip() not in PLACEHOLDERS]
        if not values:
            continue
        n_num = sum(parse_number(v) is not None for v in values)
        n_year = sum(parse_year_range(v) is not None for v in values)
        if n_year >= 0.8 * len(values) and (YEAR_HEADER_RE.search(header) or n_year > n_num):
            years.add(col)
        elif n_num >= 0.8 * len(values):
            numeric.add(col)
    return numeric, years, index_col


def _align_short_row(
    cells: list[RawCell], headers: Sequence[str], numeric: set[int], index_col: int | None
) -> list[tuple[int, RawCell]]:
    """Place the cells of a row with fewer cells than headers (a merged total row)."""
    label_col = next((i for i in range(len(headers)) if i != index_col and i not in numeric), 0)
    placed: list[tuple[int, RawCell]] = [(label_col, cells[0])]
    num_cols = sorted(numeric)
    col = label_col
    rest = cells[1:]
    k = 0
    while rest and k < len(num_cols) and parse_number(rest[0].text) is not None:
        col = num_cols[k]
        placed.append((col, rest.pop(0)))
        k += 1
    for cell in rest:
        col += 1
        while col < len(headers) and any(c == col for c, _ in placed):
            col += 1
        if col >= len(headers):
            break
        placed.append((col, cell))
    return placed


def _reading_text(row: TableRow, index_header: str | None) -> str:
    parts = []
    label = None
    for c in row.cells:
        if c.header == index_header or c.text.strip() in PLACEHOLDERS:
            continue
        if row.is_total and label is None and c.number is None:
            label = c.text
            continue
        unit = c.unit or ""
        value = c.text if c.number is None or c.text.endswith(unit) else c.text + unit
        parts.append(f"{c.header}：{value}")
    body = "；".join(parts)
    return f"{label}：{body}" if label else body


def build_table(
    raw: RawTable,
    *,
    table_id: str,
    doc_id: str,
    title: str,
    section: tuple[str, ...],
    unit: str | None,
    level_of: Callable[[str], int | None],
    span: Span | None = None,
) -> BuiltTable:
    """Type a raw grid: header, categories, numbers, year ranges, the total row."""
    headers = tuple(c.text.strip() or f"列{i + 1}" for i, c in enumerate(raw.rows[0].cells))
    width = len(headers)
    body = raw.rows[1:]

    def is_category(r: RawRow) -> bool:
        return len(r.filled) == 1 and width >= 3 and parse_number(r.filled[0].text) is None

    def is_total(r: RawRow) -> bool:
        return bool(r.filled) and TOTAL_RE.match(re.sub(r"\s+", "", r.filled[0].text)) is not None

    data_rows = [r for r in body if not is_category(r) and not is_total(r) and r.filled]
    numeric, years, index_col = _column_kinds(
        headers, [[c.text for c in r.cells] for r in data_rows if len(r.cells) == width]
    )
    col_units: dict[int, str | None] = {}
    for col in numeric:
        m = _HEADER_UNIT_RE.search(headers[col])
        col_units[col] = m.group(1) if m else unit

    def make_cell(col: int, raw_cell: RawCell) -> Cell:
        header = headers[col] if col < width else f"列{col + 1}"
        text = raw_cell.text
        if col in numeric:
            number = parse_number(text)
            if number is None:
                return Cell(header, text)
            return Cell(header, text, number=number, unit="%" if text.endswith("%") else col_units.get(col))
        if col in years:
            yr = parse_year_range(text)
            if yr:
                return Cell(header, text, start_year=yr[0], end_year=yr[1], open_end=yr[2])
        return Cell(header, text)

    category: list[tuple[int, str]] = []
    rows: list[TableRow] = []
    row_spans: list[Span] = []
    totals: list[tuple[list[Cell], Span]] = []
    for r in body:
        if not r.filled:
            continue
        if is_category(r):
            text = r.filled[0].text.strip()
            lvl = level_of(text) or 1
            category = [c for c in category if c[0] < lvl] + [(lvl, text)]
            continue
        total = is_total(r)
        cells_raw = list(r.cells) if not total else r.filled
        if len(cells_raw) >= width or not total:
            placed = list(enumerate(cells_raw))
        else:
            placed = _align_short_row(cells_raw, headers, numeric, index_col)
        cells = [make_cell(col, rc) for col, rc in sorted(placed, key=lambda p: p[0])]
        path = tuple(t for _, t in category)
        if total:
            totals.append((cells, r.span))
        else:
            rows.append(TableRow(table_id, len(rows) + 1, path, tuple(cells)))
            row_spans.append(r.span)
    # Totals are numbered after the data rows, so row numbers of data rows never depend on them.
    for cells, rspan in totals:
        rows.append(TableRow(table_id, len(rows) + 1, (), tuple(cells), is_total=True))
        row_spans.append(rspan)

    index_header = headers[index_col] if index_col is not None else None
    table = Table(
        id=table_id,
        doc_id=doc_id,
        title=title,
        section=section,
        headers=headers,
        unit=unit,
        numeric_headers=tuple(headers[i] for i in sorted(numeric)),
        rows=tuple(rows),
        span=span or raw.span,
    )
    return BuiltTable(
        table=table,
        passages_text=tuple(_reading_text(row, index_header) for row in rows),
        row_spans=tuple(row_spans),
    )


def column_sum(table: Table, header: str, include_total: bool = False) -> float:
    """Sum of a numeric column over the data rows (the total row left out unless asked)."""
    total = 0.0
    for row in table.rows:
        if row.is_total and not include_total:
            continue
        c = row.cell(header)
        if c is not None and c.number is not None:
            total += c.number
    return total


__all__ = [
    "BuiltTable",
    "RawCell",
    "RawRow",
    "RawTable",
    "build_table",
    "column_sum",
    "parse_number",
    "parse_pipe_grid",
    "parse_tab_grid",
    "parse_year_range",
    "unit_from_line",
]
