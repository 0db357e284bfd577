"""Row filters on the real plan: category, year range, company and amount threshold, each checked
against the rows it must keep."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.model import Document, TableRow
from service.answer.tables import AGGREGATE
from tests.service.answer.tables.plan_table import OWNER, PERIOD, TOTAL, YEARS, amount, ask, in_category


# ---- category ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "label, question",
    [
        ("高端装备制造", "高端装备制造类重大项目一共有多少个？"),
        ("新一代汽车技术", "新一代汽车技术类项目有几个？"),
        ("新材料", "新材料类项目有多少个？"),
        ("生物医药", "生物医药类的项目数量是多少？"),
        ("其他", "其他类项目一共有多少个？"),
        ("战略性新兴产业", "战略性新兴产业项目共有多少个？"),
        ("工业节能与综合利用", "工业节能与综合利用类项目共多少个？"),
    ],
)
def test_count_by_category(plan: Document, rows: list[TableRow], label: str, question: str) -> None:
    expected = [r for r in rows if in_category(r, label)]
    ans = ask(plan, question)
    assert ans is not None and ans.kind == AGGREGATE and ans.grounded
    assert f"共有{len(expected)}个" in ans.text or f"共{len(expected)}个" in ans.text
    assert list(ans.rows) == expected  # every counted row is cited, in table order


@pytest.mark.parametrize("rng", ["2021-2023", "2020-2021", "2021-2022", "2019-2021"])
def test_count_by_exact_year_range(plan: Document, rows: list[TableRow], rng: str) -> None:
    expected = [r for r in rows if r.cell(YEARS).text == rng]
    ans = ask(plan, f"建设起止年限为{rng}年的项目有多少个？")
    assert ans is not None and ans.kind == AGGREGATE
    assert f"共有{len(expected)}个" in ans.text
    assert list(ans.rows) == expected


@pytest.mark.parametrize("year", [2018, 2019, 2020, 2021])
def test_count_by_start_year(plan: Document, rows: list[TableRow], year: int) -> None:
    expected = [r for r in rows if r.cell(YEARS).text.startswith(f"{year}-")]
    ans = ask(plan, f"{year}年开工的项目有多少个？")
    assert ans is not None and f"共有{len(expected)}个" in ans.text


def test_count_by_end_year(plan: Document, rows: list[TableRow]) -> None:
    expected = [r for r in rows if r.cell(YEARS).text.endswith("-2022")]
    ans = ask(plan, "2022年完工的项目有几个？")
    assert ans is not None and f"共有{len(expected)}个" in ans.text


def test_no_project_starts_in_2022_and_the_answer_says_so(plan: Document, rows: list[TableRow]) -> None:
    assert not [r for r in rows if r.cell(YEARS).text.startswith("2022-")]
    ans = ask(plan, "2022年开工的项目有哪些？")
    assert ans is not None and "没有" in ans.text and "0个" in ans.text
    assert ans.rows  # still shows rows to check against


@pytest.mark.parametrize("company", ["天津军电热电有限公司", "天津钢铁集团有限公司", "天津富士达自行车工业有限公司"])
def test_count_by_company(plan: Document, rows: list[TableRow], company: str) -> None:
    expected = [r for r in rows if r.cell(OWNER).text == company]
    ans = ask(plan, f"{company}有几个项目？")
    assert ans is not None and f"共有{len(expected)}个" in ans.text
    assert list(ans.rows) == expected


def test_company_named_loosely(plan: Document, rows: list[TableRow]) -> None:
    expected = [r for r in rows if "富士达" in r.cell(OWNER).text]
    ans = ask(plan, "富士达有几个项目？")
    assert ans is not None and f"共有{len(expected)}个" in ans.text


def test_company_named_without_its_legal_form(plan: Document, rows: list[TableRow]) -> None:
    expected = [r for r in rows if r.cell(OWNER).text == "天津钢铁集团有限公司"]
    ans = ask(plan, "天津钢铁集团有几个项目？")
    assert ans is not None and f"共有{len(expected)}个" in ans.text and "“天津钢铁集团”" in ans.text


# ---- thresholds -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, header, keep",
    [
        ("预计总投资10亿元以上的项目有哪些？", TOTAL, lambda a: a >= 10),
        ("预计总投资超过5亿元的项目有哪些？", TOTAL, lambda a: a > 5),
        ("十四五时期投资超过5亿元的项目有哪些？", PERIOD, lambda a: a > 5),
        ("预计总投资在1亿元以下的项目有多少个？", TOTAL, lambda a: a <= 1),
        ("预计总投资5000万元以下的项目有几个？", TOTAL, lambda a: a <= Decimal("0.5")),
        ("投资在1亿元到2亿元之间的项目有哪些？", TOTAL, lambda a: 1 <= a <= 2),
    ],
)
def test_threshold(plan: Document, rows: list[TableRow], question: str, header: str, keep) -> None:
    expected = [r for r in rows if keep(amount(r, header))]
    ans = ask(plan, question)
    assert ans is not None and ans.kind == AGGREGATE
    assert f"{len(expected)}个" in ans.text
    assert list(ans.rows) == expected
