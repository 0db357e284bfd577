"""Counts, sums, lists, averages and extremes over every table row that passes the filters.

Only aggregates compute; each figure they add up is a cell as written (``Decimal`` from the
cell text, so 1.6 + 0.55 + 0.24 + 0.4 is 2.79, not 2.7900000000000005). Amounts of tables in
other units are converted to the unit of the first table. The total row is never counted; when
the question asks for the grand total of one table, its total row is the answer and is cited
first, with the row-by-row sum beside it when the two differ.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ingest.model import TableRow
from service.answer import text as T
from service.answer.question import Question
from service.answer.tables.columns import AGGREGATE, TableAnswer, TableView, column_label
from service.answer.tables.filters import Filters, unit_scale

Pairs = list[tuple[TableView, TableRow]]


def amount(row: TableRow, header: str | None) -> Decimal | None:
    """A cell's number exactly as written."""
    c = row.cell(header) if header else None
    if c is None:
        return None
    got = T.to_decimal(c.text)
    if got is None and c.number is not None:
        got = T.to_decimal(c.number)
    return got


def _start_year(v: TableView, r: TableRow) -> int | None:
    c = r.cell(v.years_col) if v.years_col else None
    return c.start_year if c is not None else None


def _names(pairs: Pairs, column: Callable[[TableView], str | None] | None = None, limit: int = 80) -> str:
    """"A（1.6亿元）[1]、B（0.55亿元）[2]…" — the markers number the pairs in order."""
    items: list[str] = []
    for i, (v, r) in enumerate(pairs[:limit], start=1):
        label = v.name(r)
        header = column(v) if column else None
        if header:
            val = v.cell_text(r, header)
            if val and len(val) > 40:
                val = val[:40] + "…"
            if val:
                label += f"（{val}{v.unit_of(r, header)}）"
        items.append(f"{label}[{i}]")
    more = f"等{len(pairs)}个" if len(pairs) > limit else ""
    return "、".join(items) + more


def _duplicate_note(pairs: Pairs) -> str:
    seen: dict[str, int] = {}
    for v, r in pairs:
        seen[v.name(r)] = seen.get(v.name(r), 0) + 1
    dups = [n for n, c in seen.items() if c > 1]
    if not dups:
        return ""
    return "（其中" + "、".join(f"“{d}”" for d in dups) + "在表中出现不止一行，按行计）"


def _answer(text: str, pairs: Pairs) -> TableAnswer:
    return TableAnswer(AGGREGATE, text, tuple(r for _, r in pairs), tuple((v.name(r),) for v, r in pairs))


def _none_found(views: list[TableView], f: Filters, subject: str) -> TableAnswer:
    """The table lists every project, so "none passes the filters" is itself the answer."""
    near = [(v, r) for v in views for r in v.data_rows][:3]
    hint = ""
    years = sorted({s for v in views for r in v.data_rows if (s := _start_year(v, r)) is not None})
    if f.year_tests and years:
        hint = "；表中项目的开工年份为" + "、".join(str(y) for y in years) + "年"
    ans = _answer(f"项目表中没有{subject}，共0个{hint}。", near)
    return ans


def aggregate(
    q: Question,
    views: list[TableView],
    intent: str,
    f: Filters,
    show: Callable[[TableView], str | None] | None = None,
) -> TableAnswer | None:
    """Answer a count / list / sum / avg / max / min question over all rows the filters accept.

    ``show`` names, per table, a column to print beside each listed row.
    """
    pairs = [(v, r) for v in views for r in v.data_rows if f.accepts(v, r)]
    scope = f.describe()
    subject = (scope if scope.endswith("项目") else f"{scope}的项目") if scope else "项目表中的项目"
    if not pairs:
        return _none_found(views, f, subject)
    dup_note = _duplicate_note(pairs)

    def money(v: TableView) -> str | None:
        return v.money_column(q.text)

    if intent in ("count", "list"):
        shown = show or ((lambda v: f.column_in(v)) if f.threshold is not None else None)
        verb = "共有" if intent == "count" else "共"
        return _answer(f"{subject}{verb}{len(pairs)}个{dup_note}：{_names(pairs, shown)}。", pairs)

    first = next(((v, money(v)) for v, _ in pairs if money(v)), None)
    if first is None:
        return None
    base_view, base_col = first
    # a table without a unit line may carry it in the amount column's header ("预计总投资（亿元）")
    unit = base_view.table.unit or next((c.unit for _, r in pairs if (c := r.cell(base_col)) and c.unit), "")
    label = column_label(base_col)
    known: list[tuple[TableView, TableRow, Decimal]] = []
    missing: list[str] = []
    for v, r in pairs:
        a = amount(r, money(v))
        if a is None:
            missing.append(v.name(r))
        else:
            known.append((v, r, a * unit_scale(v.table.unit, base_view.table.unit)))
    miss_note = ("；" + "、".join(missing) + "未填写该列，未计入") if missing else ""
    known_pairs = [(v, r) for v, r, _ in known]
    total = sum((a for _, _, a in known), Decimal(0))

    if intent == "sum":
        one_table = len({id(v) for v, _ in pairs}) == 1
        tot = base_view.total_row
        if f.is_empty and one_table and tot is not None and (tv := amount(tot, base_col)) is not None:
            note = ""
            if tv != total:
                note = f"（表中各行逐行相加为{T.fmt_decimal(total)}{unit}，与总计行不完全一致"
                note += f"；{dup_note.strip('（）')}）" if dup_note else "）"
            text = f"项目表总计行列出的{label}合计为{base_view.cell_text(tot, base_col)}{unit}[1]{note}。"
            rows = (tot, *(r for _, r in pairs))
            return TableAnswer(AGGREGATE, text, rows, ((base_view.cell_text(tot, base_col),),
                                                       *((v.name(r),) for v, r in pairs)))
        text = (
            f"{subject}共{len(pairs)}个{dup_note}，{label}合计{T.fmt_decimal(total)}{unit}："
            f"{_names(known_pairs, money)}{miss_note}。"
        )
        return _answer(text, known_pairs)

    if not known:
        return None
    if intent == "avg":
        avg = (total / Decimal(len(known))).quantize(Decimal("0.0001"))
        text = (
            f"{subject}共{len(known)}个，{label}合计{T.fmt_decimal(total)}{unit}，"
            f"平均每个{T.fmt_decimal(avg)}{unit}：{_names(known_pairs, money)}{miss_note}。"
        )
        return _answer(text, known_pairs)
    if intent in ("max", "min"):
        best = (max if intent == "max" else min)(a for _, _, a in known)
        winners = [(v, r) for v, r, a in known if a == best]
        word = "最高" if intent == "max" else "最低"
        return _answer(f"{subject}中{label}{word}的是{_names(winners, money)}。", winners)
    return None
