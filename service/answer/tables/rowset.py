"""A question about rows an earlier answer gave: "生物医药有哪些项目？总投资多少？".

The second ask names no rows; it means the rows just listed. The rows are taken as they were
cited, and the ask is answered over exactly them: an amount is summed over several rows (read
off the one row when there is only one), a count counts them, any other column is read row by
row. Nothing is answered when the ask wants no column of the table, so the text can answer it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ingest.model import Document, TableRow
from service.answer.question import Question
from service.answer.tables.aggregate import aggregate
from service.answer.tables.columns import TableAnswer, TableView, view_of
from service.answer.tables.filters import Filters, parse_filters
from service.answer.tables.lookup import lookup_rows

_COUNT = re.compile(r"(?:多少|几)(?:个|项|家)|数量|个数|总数")
# picking some of the rows ("其中哪些…", "哪个项目最早开工"), not reading a column of each
_CHOOSES = re.compile(r"哪些|哪几|哪一?(?:个|项)?(?:项目|工程)|哪一?项|列出|列举|最大|最小|最多|最少|最高|最低|最早|最晚")
_AMOUNT = re.compile(r"多少|几|合计|总计|共计|一共|总共|累计|之和|总额")
PER_ROW = 5  # up to this many rows, a column other than an amount is read row by row


@dataclass
class RowSet(Filters):
    """A filter that accepts exactly the given rows, described as the earlier answer described them."""

    keys: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    label: str = ""

    @property
    def has_row_filter(self) -> bool:
        return True

    def describe(self) -> str:
        return self.label

    def accepts(self, v: TableView, r: TableRow) -> bool:
        return (r.table_id, r.index) in self.keys


def _views(docs: Iterable[Document], table_ids: set[str]) -> list[TableView]:
    return [v for d in docs for t in d.tables if t.id in table_ids and (v := view_of(t)) is not None]


def answer_over_rows(q: Question, docs: Iterable[Document], rows: Sequence[TableRow], label: str = "上述项目") -> TableAnswer | None:
    """``q`` asked of exactly ``rows`` (data rows of the documents' tables); None when it asks no column."""
    rows = [r for r in rows if not r.is_total]
    if not rows or q.empty:
        return None
    views = _views(docs, {r.table_id for r in rows})
    keys = {(r.table_id, r.index) for r in rows}
    pairs = [(v, r) for v in views for r in v.data_rows if (r.table_id, r.index) in keys]
    if not pairs:
        return None
    if _CHOOSES.search(q.text) or parse_filters(q.text, views).has_row_filter:
        return None  # "其中2021年开工的有哪些" picks rows out of them: a question of its own
    f = RowSet(keys=frozenset(keys), label=label)
    first = pairs[0][0]
    money = first.money_column(q.text)
    if _COUNT.search(q.text) and not money:
        return aggregate(q, views, "count", f)
    if money and _AMOUNT.search(q.text) and len(pairs) > 1:
        return aggregate(q, views, "sum", f)
    asked = [c for c in first.columns_asked(q.text, q.kind) if c != first.content_col]
    if not asked:
        return None
    if len(pairs) <= PER_ROW or money:
        return lookup_rows(q, pairs)

    def column(v: TableView) -> str | None:
        cols = [c for c in v.columns_asked(q.text, q.kind) if c != v.content_col]
        return cols[0] if cols else None

    return aggregate(q, views, "list", f, show=column)


__all__ = ["RowSet", "answer_over_rows"]
