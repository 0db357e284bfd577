"""Table answers on the real plan, checked against counts and sums computed here from the rows."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from ingest.model import Document, TableRow
from service.answer.question import analyse
from service.answer.tables import AGGREGATE, LOOKUP, answer_from_tables

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


def figures(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?", re.sub(r"\[\d+\]", "", text))


# ---- the table as parsed --------------------------------------------------------------------------
def test_the_plan_table_has_58_project_rows_and_a_total(rows: list[TableRow], total_row: TableRow) -> None:
    assert len(rows) == 58
    assert total_row.cell(TOTAL).text == "129.3"
    assert total_row.cell(PERIOD).text == "95.9"


# ---- counts ---------------------------------------------------------------------------------------
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


def test_count_counts_rows_and_says_when_a_project_is_listed_twice(plan: Document, rows: list[TableRow]) -> None:
    names = [r.cell(NAME).text for r in rows]
    twice = {n for n in names if names.count(n) > 1}
    assert twice  # the plan lists one project in two rows
    ans = ask(plan, "项目表一共有多少个项目？")
    assert ans is not None and f"共有{len(rows)}个" in ans.text
    assert all(n in ans.text for n in twice) and "出现不止一行" in ans.text


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


# ---- sums -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "label, header, question",
    [
        ("新材料", TOTAL, "新材料类项目的预计总投资合计是多少？"),
        ("新一代汽车技术", TOTAL, "新一代汽车技术类项目的预计总投资合计是多少？"),
        ("高端装备制造", PERIOD, "高端装备制造类项目十四五时期投资合计多少？"),
        ("工业节能与综合利用", PERIOD, "工业节能与综合利用类项目十四五时期投资合计多少？"),
        ("生物医药", TOTAL, "生物医药类项目总投资一共多少亿元？"),
    ],
)
def test_sum_by_category(plan: Document, rows: list[TableRow], label: str, header: str, question: str) -> None:
    chosen = [r for r in rows if in_category(r, label)]
    expected = sum((amount(r, header) for r in chosen), Decimal(0))
    ans = ask(plan, question)
    assert ans is not None and ans.kind == AGGREGATE
    assert f"合计{expected.normalize():f}亿元" in ans.text
    assert list(ans.rows) == chosen


def test_sum_by_company(plan: Document, rows: list[TableRow]) -> None:
    chosen = [r for r in rows if r.cell(OWNER).text == "天津钢铁集团有限公司"]
    expected = sum((amount(r, PERIOD) for r in chosen), Decimal(0))
    ans = ask(plan, "天津钢铁集团有限公司的项目十四五时期投资合计是多少？")
    assert ans is not None and f"合计{expected.normalize():f}亿元" in ans.text


@pytest.mark.parametrize("header, question", [(PERIOD, "所有重大项目在十四五时期的投资合计多少亿元？"),
                                              (TOTAL, "所有项目的预计总投资合计是多少？")])
def test_grand_total_is_the_total_row(plan: Document, rows: list[TableRow], total_row: TableRow,
                                      header: str, question: str) -> None:
    ans = ask(plan, question)
    assert ans is not None and ans.kind == AGGREGATE
    assert ans.rows[0] is total_row  # the total row is the answer, cited first
    assert f"{total_row.cell(header).text}亿元[1]" in ans.text
    by_rows = sum((amount(r, header) for r in rows), Decimal(0))
    if by_rows != Decimal(total_row.cell(header).text):
        assert f"{by_rows.normalize():f}" in ans.text  # the row-by-row sum is reported beside it


def test_average(plan: Document, rows: list[TableRow]) -> None:
    chosen = [r for r in rows if in_category(r, "生物医药")]
    avg = sum((amount(r, TOTAL) for r in chosen), Decimal(0)) / len(chosen)
    ans = ask(plan, "生物医药类项目的平均预计总投资是多少？")
    assert ans is not None and f"{avg.quantize(Decimal('0.0001')).normalize():f}" in ans.text


# ---- thresholds and ranking -------------------------------------------------------------------------
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


def test_largest(plan: Document, rows: list[TableRow]) -> None:
    top = max(rows, key=lambda r: amount(r, PERIOD))
    ans = ask(plan, "十四五时期投资最多的项目是哪个？")
    assert ans is not None and top.cell(NAME).text in ans.text and ans.rows == (top,)


# ---- lookups ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, name, expected",
    [
        ("永磁直驱系统系列产品生产项目预计总投资多少？", "永磁直驱系统系列产品生产项目", "3.5亿元"),
        ("公转铁建设项目十四五时期投资多少？", "公转铁建设", "0.875亿元"),
        ("高耗能电机改造项目的法人单位是谁？", "高耗能电机改造", "天津军电热电有限公司"),
        ("烟厂三期技改的建设起止年限是什么？", "烟厂三期技改", "2021-未知"),
        ("中航装甲产业基地项目运营5年后预计年营收多少？", "中航装甲产业基地项目", "8.05亿元"),
        ("瑞益瑞美新建厂房项目生产什么产品？", "瑞益瑞美新建厂房项目", "乳酸菌"),
        ("自动驾驶系统开发项目要开发几级自动驾驶？", "自动驾驶系统开发项目", "L4"),
        # fuzzy: the question names the project loosely
        ("富士达智能化生产线项目年增产多少辆自行车？", "富士达年增产100万辆高端自行车智能化生产线项目", "100万辆"),
        ("联东U谷智能制造科创园项目的法人单位是哪家？", "联东U谷·智能制造科创园项目", "北京联东投资（集团）有限公司"),
        ("中汽研主院区扩建工程占地多少亩？", "中汽研主院区扩建工程", "124亩"),
    ],
)
def test_lookup(plan: Document, rows: list[TableRow], question: str, name: str, expected: str) -> None:
    ans = ask(plan, question)
    assert ans is not None and ans.kind == LOOKUP and ans.grounded
    assert ans.rows[0].cell(NAME).text == name
    assert expected in ans.text and "[1]" in ans.text


def test_lookup_numbers_are_the_cells_verbatim(plan: Document, rows: list[TableRow]) -> None:
    for r in rows[:20]:
        name = r.cell(NAME).text
        ans = ask(plan, f"{name}预计总投资多少？")
        assert ans is not None and ans.rows[0].cell(NAME).text == name
        assert f"为{r.cell(TOTAL).text}亿元" in ans.text


def test_rows_named_by_owner(plan: Document) -> None:
    ans = ask(plan, "天津卷烟厂的项目预计总投资多少？")
    assert ans is not None and "烟厂三期技改" in ans.text and "5.6亿元" in ans.text
    ans = ask(plan, "华电智网(天津)科技有限公司负责哪个项目？")
    assert ans is not None and "智能电网研发中心及产业基地" in ans.text


def test_traditional_characters(plan: Document) -> None:
    ans = ask(plan, "永磁直驅系統系列產品生產項目預計總投資多少？")
    assert ans is not None and "3.5亿元" in ans.text


# ---- what is not a table question ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "2020年全区工业增加值是多少？",
        "高端医疗器械依托哪些企业？",
        "临空经济区要加快推动哪个重点项目落地？",
        "东丽经开区要加快推动哪些项目建设？",
        "高端装备制造要提升发展哪些产业？",
        "新能源汽车关键零部件领域依托哪些龙头企业？",
        "What are the four leading industries of Dongli district?",
        "",
    ],
)
def test_text_questions_are_left_to_the_text(plan: Document, question: str) -> None:
    assert ask(plan, question) is None


# ---- several documents ------------------------------------------------------------------------------
SECOND = (
    "附件：\n"
    "示例区重大项目表\n"
    "单位：万元\n"
    "\t序号\n\t项目名称\n\t总投资\n\t建设起止年限\n\t建设单位\n"
    "\n"
    "\t一、新材料\n"
    "\n"
    "\t1\n\t示例碳纤维项目\n\t5000\n\t2021-2023\n\t示例材料有限公司\n"
    "\n"
    "\t2\n\t示例合金项目\n\t2500\n\t2022-2024\n\t示例合金有限公司\n"
    "\n"
    "\t合计\n\t7500\n"
)


def test_aggregates_span_all_documents_and_convert_units(plan: Document, rows: list[TableRow]) -> None:
    from ingest.pipeline import ingest_text

    other = ingest_text("example-district", "示例区规划", SECOND)
    assert other.tables[0].unit == "万元"
    ans = answer_from_tables(analyse("新材料类项目的预计总投资合计是多少？"), [plan, other])
    mine = sum((amount(r, TOTAL) for r in rows if in_category(r, "新材料")), Decimal(0))
    expected = mine + Decimal("0.75")  # 7500万元 in 亿元
    assert ans is not None and f"合计{expected.normalize():f}亿元" in ans.text
    assert "示例碳纤维项目（5000万元）" in ans.text
    assert len(ans.rows) == 6
    ans = answer_from_tables(analyse("2022年开工的项目有哪些？"), [plan, other])
    assert ans is not None and "示例合金项目" in ans.text and "共1个" in ans.text
    ans = answer_from_tables(analyse("示例合金项目的建设单位是谁？"), [plan, other])
    assert ans is not None and "示例合金有限公司" in ans.text


def test_a_column_of_every_row_in_a_category(plan: Document, rows: list[TableRow]) -> None:
    chosen = [r for r in rows if in_category(r, "高端装备制造")]
    ans = ask(plan, "高端装备制造类项目的建设起止年限分别是什么？")
    assert ans is not None and list(ans.rows) == chosen
    for n, r in enumerate(chosen, start=1):
        assert f"{r.cell(NAME).text}（{r.cell(YEARS).text}）[{n}]" in ans.text
    chosen = [r for r in rows if in_category(r, "新材料")]
    ans = ask(plan, "新材料类项目的十四五时期投资分别是多少？")
    assert ans is not None and ans.kind == LOOKUP and list(ans.rows) == chosen
    for r in chosen:
        assert f"为{r.cell(PERIOD).text}亿元" in ans.text
    assert "名称相近" not in ans.text


@pytest.mark.parametrize(
    "question, name",
    [
        ("永磁直驱项目投资多少？", "永磁直驱系统系列产品生产项目"),
        ("电装电机项目十四五投资多少？", "电装电机新能源汽车驱动电机及逆变器项目"),
        ("石墨烯项目是谁建设的？", "石墨烯复合导电材料生产线建设"),
        ("高温合金项目投资多少？", "天津高温合金国际宇航产品线(一期)建设项目"),
    ],
)
def test_a_project_called_by_a_piece_of_its_name(plan: Document, question: str, name: str) -> None:
    ans = ask(plan, question)
    assert ans is not None and ans.kind == LOOKUP and ans.rows[0].cell(NAME).text == name


def test_company_named_without_its_legal_form(plan: Document, rows: list[TableRow]) -> None:
    expected = [r for r in rows if r.cell(OWNER).text == "天津钢铁集团有限公司"]
    ans = ask(plan, "天津钢铁集团有几个项目？")
    assert ans is not None and f"共有{len(expected)}个" in ans.text and "“天津钢铁集团”" in ans.text
