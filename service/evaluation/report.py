"""Markdown for the measured numbers: tables, goal checks, and the two generated documents.

Every number is formatted here, once, so ``docs/eval.md`` and ``docs/benchmarks.md`` agree with
what the console shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def fmt(value: Any, digits: int = 3) -> str:
    """Numbers with ``digits`` decimals (integers as they are); missing values as a dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:.{digits}f}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], digits: int | Sequence[int] = 3) -> str:
    """A markdown table; ``digits`` per column or for all."""
    per = list(digits) if isinstance(digits, Sequence) else [digits] * len(headers)
    out = ["| " + " | ".join(headers) + " |",
           "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    for row in rows:
        out.append("| " + " | ".join(fmt(v, per[i] if i < len(per) else 3) for i, v in enumerate(row)) + " |")
    return "\n".join(out)


def goal(name: str, measured: float, target: float, higher_is_better: bool, unit: str = "", digits: int = 3) -> dict[str, Any]:
    """One goal check: met or missed, and by how much (as a ratio to the target)."""
    ok = measured >= target if higher_is_better else measured <= target
    if math.isnan(measured):
        ok = False
    return {"goal": name, "measured": measured, "target": target, "met": ok, "unit": unit, "digits": digits,
            "op": "≥" if higher_is_better else "≤",
            "ratio": (measured / target) if target and not math.isnan(measured) else math.nan}


def goals_table(goals: Sequence[dict[str, Any]]) -> str:
    rows = []
    for g in goals:
        d = g["digits"]
        rows.append([g["goal"], f"{g['op']} {fmt(g['target'], d)}{g['unit']}", f"{fmt(g['measured'], d)}{g['unit']}",
                     "met" if g["met"] else f"**missed** ({fmt(g['ratio'], 2)}× the target)"])
    return table(["goal", "target", "measured", ""], rows)


def write(path: Path, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip() + "\n", encoding="utf-8")
    return path
