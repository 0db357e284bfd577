"""A document as the reader browses it: its outline, one section at a time, and its tables as data.

Sections are cut from the ingested records (headings, paragraphs, tables and their spans in the
cleaned text), so the browser shows exactly what search and answers cite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ingest.model import Cell, Document, Paragraph, Passage, Table, TableRow
from service.answer.aliases import abbreviates
from ui import render

CATEGORY_COLUMN = "类别"


def heading_items(doc: Document) -> list[tuple[int, int, str]]:
    """(index, level, text) for every heading, in document order."""
    return [(i, h.level, h.text) for i, h in enumerate(doc.headings)]


def _section_end(doc: Document, idx: int) -> int:
    level = doc.headings[idx].level
    for h in doc.headings[idx + 1:]:
        if h.level <= level:
            return h.span[0]
    return len(doc.text)


def heading_path(doc: Document, idx: int) -> list[str]:
    """The heading and its ancestors, outermost first."""
    path = [doc.headings[idx].text]
    level = doc.headings[idx].level
    for h in reversed(doc.headings[:idx]):
        if h.level < level:
            path.insert(0, h.text)
            level = h.level
    return path


@dataclass(frozen=True)
class _Block:
    start: int
    order: int
    kind: str
    value: Any


def heading_at(doc: Document, pos: int) -> int | None:
    """The deepest heading whose section holds ``pos`` (the last heading starting at or before it)."""
    found = None
    for i, h in enumerate(doc.headings):
        if h.span[0] > pos:
            break
        found = i
    return found


@dataclass(frozen=True)
class Target:
    """A passage to show inside its section, with the character ranges (in the passage) to mark."""

    passage: Passage
    marks: tuple[tuple[int, int], ...] = ()

    def doc_ranges(self) -> list[tuple[int, int]]:
        a0, b0 = self.passage.span
        marks = render.merge_ranges(self.marks, len(self.passage.text)) or [(0, len(self.passage.text))]
        return [(a0 + a, min(b0, a0 + b)) for a, b in marks]


def target_section(doc: Document, target: Target) -> tuple[int | None, str]:
    """The heading index to select and the html of the section holding ``target``, marked."""
    idx = heading_at(doc, target.passage.span[0])
    return idx, section_html(doc, idx, target)


def _marked_paragraph(p: Paragraph, ranges: list[tuple[int, int]]) -> str:
    local = [(a - p.span[0], b - p.span[0]) for a, b in ranges if a < p.span[1] and b > p.span[0]]
    return f'<p class="pq-text pq-target-para">{render.highlight(p.text, local, "pq-target")}</p>'


def section_html(doc: Document, idx: int | None, target: Target | None = None) -> str:
    """The text of the section under heading ``idx``: sub-headings, paragraphs and table previews.

    With a ``target`` its passage is marked (a sentence in a paragraph, or a row in a table
    preview) and the section carries the passage's shareable link.
    """
    link = render.deep_link(target.passage.id, target.marks) if target else ""
    if idx is None or not 0 <= idx < len(doc.headings):
        if target is None:
            return render.section_view([], [])
        # Text before the first heading: show the passage alone.
        p = target.passage
        lone = Paragraph(p.id, p.doc_id, p.section, p.span, p.text)
        return render.section_view(list(p.section), [("html", _marked_paragraph(lone, target.doc_ranges()))], link)
    start, end = doc.headings[idx].span[0], _section_end(doc, idx)
    paras = [p for p in doc.paragraphs if start <= p.span[0] < end]
    blocks: list[_Block] = []
    for h in doc.headings[idx:]:
        if h.span[0] >= end:
            break
        # A run-in heading ("1.工业质量效益稳步提升。……") is already the start of its paragraph.
        if any(p.span[0] <= h.span[0] < p.span[1] for p in paras):
            continue
        blocks.append(_Block(h.span[0], 0, "heading", (h.level, h.text)))
    ranges = target.doc_ranges() if target and target.passage.row is None else []
    marked = False
    for p in paras:
        if ranges and any(a < p.span[1] and b > p.span[0] for a, b in ranges):
            blocks.append(_Block(p.span[0], 1, "html", _marked_paragraph(p, ranges)))
            marked = True
        else:
            blocks.append(_Block(p.span[0], 1, "para", p.text))
    if ranges and not marked:  # a heading or label line: show it marked where it stands
        t0 = target.passage  # type: ignore[union-attr]
        lone = Paragraph(t0.id, t0.doc_id, t0.section, t0.span, t0.text)
        blocks.append(_Block(t0.span[0], 1, "html", _marked_paragraph(lone, ranges)))
    row = target.passage.row if target else None
    for t in doc.tables:
        if start <= t.span[0] < end:
            headers, rows = table_rows_text(t)
            pos = (next((i for i, r in enumerate(t.rows) if r.index == row.index), None)
                   if row is not None and t.id == row.table_id else None)
            blocks.append(_Block(t.span[0], 2, "table", render.grid_table(t.title or "表格", headers, rows, target=pos)))
    blocks.sort(key=lambda b: (b.start, b.order))
    # The selected heading itself is shown as the path line, not repeated as a block.
    if blocks and blocks[0].kind == "heading" and blocks[0].start == start:
        blocks = blocks[1:]
    return render.section_view(heading_path(doc, idx), [(b.kind, b.value) for b in blocks], link)


def identity_line(doc: Document) -> str:
    """What the document is, in one line: ``国务院 · 国发〔2019〕4号 · 2019-01-24 · 通知 · 全国``."""
    i = doc.identity
    period = f"{i.period[0]}–{i.period[1]}年" if i.period else None
    date = i.date if i.date and i.date != str(i.year) else (f"{i.year}年" if i.year else None)
    return "　·　".join(v for v in (i.issuer, i.doc_number, date, i.kind, period, i.region) if v)


def document_summary(doc: Document) -> str:
    rows = sum(1 for t in doc.tables for r in t.rows if not r.is_total)  # as the table notes count
    who = identity_line(doc)
    return (f"**{doc.name}**　·　{len(doc.headings)} 个标题　·　{len(doc.paragraphs)} 个段落　·　"
            f"{len(doc.tables)} 张表格（{rows} 行）　·　{len(doc.text):,} 字" + (f"\n\n{who}" if who else ""))


# ---- tables -------------------------------------------------------------------------------------
def table_label(t: Table) -> str:
    unit = f"（单位：{t.unit}）" if t.unit else ""
    return f"{t.title or t.id}{unit}"


def _category(row: TableRow) -> str:
    return render.section_path(row.category)


def table_rows_text(t: Table) -> tuple[list[str], list[list[str]]]:
    """Headers and the source strings of every row, category first (for previews)."""
    headers = [CATEGORY_COLUMN, *t.headers]
    rows = []
    for r in t.rows:
        by_header = {c.header: c.text for c in r.cells}
        rows.append([_category(r) if not r.is_total else "合计", *(by_header.get(h, "") for h in t.headers)])
    return headers, rows


def table_html(t: Table, query: str = "") -> str:
    """The rows of ``t`` holding ``query`` as a plain table (the phone layout's readable grid)."""
    needle = (query or "").strip().casefold()
    headers, rows = table_rows_text(t)
    shown = [cells for r, cells in zip(t.rows, rows, strict=True) if not r.is_total and _matches(r, needle)]
    return render.grid_table(table_label(t), headers, shown, limit=len(shown))


NAME_CELL = 40  # cells longer than this are descriptions, not names a short form could stand for


def _matches(row: TableRow, needle: str) -> bool:
    """Whether a row holds ``needle``, or a cell names what ``needle`` abbreviates (天钢 → 天津钢铁…)."""
    if not needle:
        return True
    hay = [_category(row), *(c.text for c in row.cells)]
    if any(needle in s.casefold() for s in hay):
        return True
    return any(len(c.text) <= NAME_CELL and abbreviates(needle, c.text) for c in row.cells if c.number is None)


def _plain_number(s: str) -> bool:
    try:
        float(s.replace(",", ""))
    except ValueError:
        return False
    return True


def numeric_columns(t: Table) -> list[str]:
    """Columns ingest typed as numeric, plus those whose every data cell is a plain number (序号)."""
    numeric = []
    for h in t.headers:
        texts = [c.text for r in t.rows if not r.is_total and (c := r.cell(h)) is not None and c.text.strip()]
        if h in t.numeric_headers or (texts and all(_plain_number(x) for x in texts)):
            numeric.append(h)
    return numeric


def _number(c: Cell | None) -> float:
    if c is None:
        return float("nan")
    if c.number is not None:
        return c.number
    return float(c.text.replace(",", "")) if _plain_number(c.text) else float("nan")


def table_frame(t: Table, query: str = "") -> pd.DataFrame:
    """The data rows of ``t`` that contain ``query`` anywhere (category included).

    Numeric columns hold numbers (so they sort as numbers); total rows stay out of the grid and
    are reported by ``table_note``.
    """
    needle = (query or "").strip().casefold()
    numeric = set(numeric_columns(t))
    records = []
    for r in t.rows:
        if r.is_total or not _matches(r, needle):
            continue
        rec: dict[str, Any] = {CATEGORY_COLUMN: _category(r)}
        for h in t.headers:
            c = r.cell(h)
            if h in numeric:
                rec[h] = _number(c)
            else:
                rec[h] = c.text if c is not None else ""
        records.append(rec)
    frame = pd.DataFrame.from_records(records, columns=[CATEGORY_COLUMN, *t.headers])
    for h in t.headers:
        if h in numeric:
            frame[h] = pd.to_numeric(frame[h], errors="coerce")
    return frame


def table_datatypes(t: Table) -> list[str]:
    numeric = set(numeric_columns(t))
    return ["str", *("number" if h in numeric else "str" for h in t.headers)]


def column_widths(t: Table) -> list[str]:
    """Percent widths from typical cell lengths, so the whole table fits and long text wraps.

    (On a phone the style sheet gives columns a readable minimum and the table scrolls sideways.)
    """
    columns = [(CATEGORY_COLUMN, [_category(r) for r in t.rows if not r.is_total])]
    for h in t.headers:
        columns.append((h, [c.text for r in t.rows if not r.is_total and (c := r.cell(h)) is not None]))
    weights = []
    for header, texts in columns:
        typical = sorted(len(x) for x in texts)[len(texts) // 2] if texts else 0
        weights.append(min(max(typical, min(len(header), 7), 4), 40))
    total = sum(weights) or 1
    return [f"{100 * w / total:.1f}%" for w in weights]


def _fmt(x: float) -> str:
    return f"{x:,.4f}".rstrip("0").rstrip(".")


def table_note(t: Table, frame: pd.DataFrame, query: str = "") -> str:
    """Row counts, the sum of each numeric column over the shown rows, and the table's own total."""
    data_rows = sum(1 for r in t.rows if not r.is_total)
    unit = f" {t.unit}" if t.unit else ""
    shown = f"显示 {len(frame)} / {data_rows} 行" if (query or "").strip() else f"共 {data_rows} 行"
    parts = [shown]
    sums = [f"{h} {_fmt(float(frame[h].sum()))}{unit}" for h in t.numeric_headers
            if h in frame and len(frame) and frame[h].notna().any()]
    if sums:
        parts.append(("筛选结果合计：" if (query or "").strip() else "各行合计：") + "，".join(sums))
    totals = [r for r in t.rows if r.is_total]
    if totals:
        cells = [f"{c.header} {c.text}" for c in totals[-1].cells if c.header in t.numeric_headers and c.text]
        if cells:
            parts.append("原表“总计”行：" + "，".join(cells) + unit)
    return "　·　".join(parts)
