"""Search results as files a journalist can open in Excel: one row per match, CSV and XLSX.

Each row says where the match is (document, section, passage id, character offset in the
document's text) and shows it in context; the query, the mode and the time of the search are in
every row, so a file that travels alone still says how it was made. The CSV is UTF-8 with a
byte-order mark: without it Excel guesses a legacy code page and shows Chinese as mojibake.

An exact search's timeline travels too: the workbook gains the sheets 按文档 (every searched
document in date order with its count) and 按年份, and the 按文档 rows are also a CSV of their own.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from service.timeline import Timeline
from ui.search_view import MODE_LABELS, Match

COLUMNS = ("文档", "章节", "段落编号", "字符位置", "左侧上下文", "匹配", "右侧上下文", "检索词", "检索方式", "检索时间")
DOC_COLUMNS = ("文档", "文档ID", "日期", "年份", "出现次数", "检索词", "检索时间")
YEAR_COLUMNS = ("年份", "出现次数", "文档数", "含该词句的文档数", "检索词", "检索时间")


def _file_stem(query: str) -> str:
    stem = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", query).strip("_")[:30]
    return f"planqa-检索-{stem}" if stem else "planqa-检索结果"


def rows(lines: Sequence[Match], query: str, mode: str, when: datetime) -> list[list[str | int]]:
    stamp = when.isoformat(timespec="seconds")
    label = MODE_LABELS.get(mode, mode)
    return [[m.document, m.section, m.passage_id, m.offset, m.left, m.match, m.right, query, label, stamp]
            for m in lines]


def doc_rows(t: Timeline, when: datetime) -> list[list[str | int]]:
    """Every searched document in date order (undated last) with the phrase's count."""
    stamp = when.isoformat(timespec="seconds")
    return [[d.name, d.doc_id, d.date or "", d.year if d.year is not None else "", d.count, t.phrase, stamp]
            for d in t.documents]


def year_rows(t: Timeline, when: datetime) -> list[list[str | int]]:
    stamp = when.isoformat(timespec="seconds")
    return [[y.year, y.count, y.documents, y.matched, t.phrase, stamp] for y in t.years]


def _new_path(query: str, suffix: str, directory: Path | None) -> Path:
    # A new folder per search, so concurrent readers never share a file.
    return Path(tempfile.mkdtemp(prefix="planqa-export-", dir=directory)) / f"{_file_stem(query)}{suffix}"


def write_csv(lines: Sequence[Match], query: str, mode: str, when: datetime, directory: Path | None = None) -> Path:
    path = _new_path(query, ".csv", directory)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        w.writerows(rows(lines, query, mode, when))
    return path


def write_timeline_csv(t: Timeline, when: datetime, directory: Path | None = None) -> Path:
    """The 按文档 rows of ``t`` as a CSV of their own."""
    path = _new_path(t.phrase, "-时间线.csv", directory)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(DOC_COLUMNS)
        w.writerows(doc_rows(t, when))
    return path


def _sheet(wb, title: str, columns: Sequence[str], data: list[list[str | int]], widths: Sequence[int],
           first: bool = False) -> None:
    from openpyxl.styles import Font

    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(list(columns))
    for r in data:
        ws.append(r)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJ", widths, strict=False):
        ws.column_dimensions[col].width = width


def write_xlsx(lines: Sequence[Match], query: str, mode: str, when: datetime, directory: Path | None = None,
               timeline: Timeline | None = None) -> Path:
    """The matches; with ``timeline``, its 按文档 and 按年份 sheets after them."""
    from openpyxl import Workbook

    path = _new_path(query, ".xlsx", directory)
    wb = Workbook()
    _sheet(wb, "匹配", COLUMNS, rows(lines, query, mode, when), (28, 36, 30, 10, 30, 14, 30, 16, 10, 20), first=True)
    if timeline is not None:
        _sheet(wb, "按文档", DOC_COLUMNS, doc_rows(timeline, when), (36, 24, 12, 8, 10, 16, 20))
        _sheet(wb, "按年份", YEAR_COLUMNS, year_rows(timeline, when), (8, 10, 8, 16, 16, 20))
    wb.save(path)
    return path
