"""Table questions answered from the typed rows of every table, never from retrieved top-k.

Two kinds: a *lookup* reads one column of a project named in the question (fuzzy on the name);
an *aggregate* counts, sums, lists or ranks all rows that pass the filters the question states
(category path, company, year range, amount threshold, any other cell value). Totals rows are
never counted; when the question asks for the grand total the total row itself is the answer.

- ``columns``: what each column of a table is for (``TableView``) and the answer type;
- ``filters``: the row filters a question states;
- ``aggregate``: counts, sums, lists, averages and extremes over the filtered rows;
- ``lookup``: project-name matching, lookups and the entry point ``answer_from_tables``.
"""

from service.answer.tables.columns import AGGREGATE, LOOKUP, TableAnswer
from service.answer.tables.lookup import answer_from_tables

__all__ = ["AGGREGATE", "LOOKUP", "TableAnswer", "answer_from_tables"]
