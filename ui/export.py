"""Search results as files a journalist can open in Excel: one row per match, CSV and XLSX.

Each row says where the match is (document, section, passage id, character offset in the
document's text) and shows it in context; the query, the mode and the time of the search are in
every row, so a file that travels alone still says how it was made. The CSV is UTF-8 with a
byte-order mark: without it Excel guesses a legacy code page and shows Chinese as mojibake.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ui.search_view import MODE_LABELS, Match

COLUMNS = ("文档", "章节", "段落编号", "字符位置", "左侧上下文", "匹配", "右侧上下文", "检索词", "检索方式", "检索时间")


def _file_stem(query: str) -> str:
    stem = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", query).strip("_")[:30]
    return f"planqa-检索-{stem}" if stem else "planqa-检索结果"


def rows(lines: Sequence[Match], query: str, mode: str, when: datetime) -> list[list[str | int]]:
    stamp = when.isoformat(timespec="seconds")
    label = MODE_LABELS.get(mode, mode)
    return [[m.document, m.section, m.passage_id, m.offset, m.left, m.match, m.right, query, label, stamp]
            for m in lines]


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


def write_xlsx(lines: Sequence[Match], query: str, mode: str, when: datetime, directory: Path | None = None) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = _new_path(query, ".xlsx", directory)
    wb = Workbook()
    ws = wb.active
    ws.title = "匹配"
    ws.append(list(COLUMNS))
    for r in rows(lines, query, mode, when):
        ws.append(r)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJ", (28, 36, 30, 10, 30, 14, 30, 16, 10, 20), strict=True):
        ws.column_dimensions[col].width = width
    wb.save(path)
    return path
