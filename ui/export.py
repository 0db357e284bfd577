"""Search results as a CSV file a journalist can open in Excel.

UTF-8 with a byte-order mark: without it Excel guesses a legacy code page and shows Chinese as
mojibake.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ui.render import section_path

CSV_COLUMNS = ("id", "doc", "section", "text", "span", "score")


def _file_stem(query: str) -> str:
    stem = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", query).strip("_")[:30]
    return f"planqa-检索-{stem}" if stem else "planqa-检索结果"


def csv_rows(hits: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    rows = []
    for h in hits:
        score = h.get("score")
        rows.append([
            str(h.get("id", "")),
            str(h.get("doc_title") or h.get("doc_id", "")),
            section_path(h.get("section") or ()),
            str(h.get("text", "")),
            "{}-{}".format(*h.get("span", (0, 0))),
            "" if score is None else f"{float(score):.6f}",
        ])
    return rows


def write_results_csv(hits: Sequence[Mapping[str, Any]], query: str, directory: Path | None = None) -> Path:
    """Write the results to a new file (one per search, so concurrent readers never share one)."""
    folder = Path(tempfile.mkdtemp(prefix="planqa-csv-", dir=directory))
    path = folder / f"{_file_stem(query)}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        w.writerows(csv_rows(hits))
    return path
