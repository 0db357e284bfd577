"""The plan's project table as the table tests read it: its headers and a few small helpers."""

from __future__ import annotations

from decimal import Decimal

from ingest.model import Document, TableRow
from service.answer.question import analyse
from service.answer.tables import answer_from_tables

TOTAL = "预计总投资"
PERIOD = "其中：“十四五”时期投资"
OWNER = "项目法人（筹建）单位"
NAME = "项目名称"
YEARS = "建设起止年限"


def ask(plan: Document, question: str):
    return answer_from_tables(analyse(question), [plan])


def amount(row: TableRow, header: str) -> Decimal:
    return Decimal(row.cell(header).text)


def in_category(row: TableRow, label: str) -> bool:
    return any(c.endswith(label) for c in row.category)
