"""The real plan, end to end: the judged facts about its passages and its project table."""

from __future__ import annotations

import math
import re
import statistics

from ingest.model import SECTION_SEP, Document
from ingest.pipeline import ingest_file
from ingest.tables import column_sum

TOTAL_INVEST = "预计总投资"
FYP_INVEST = "其中：“十四五”时期投资"
SENTENCE_END = re.compile(r"[。！？；][”’」』）)】》…]*$")


def _passage_with(doc: Document, start: str):
    hits = [p for p in doc.passages if start in p.text]
    assert len(hits) == 1, [p.id for p in hits]
    return hits[0]


def test_title_comes_from_the_sidecar(plan):
    assert plan.title == "天津市东丽区“十四五”工业发展规划"
    assert plan.doc_id == "dongli-14th-fyp-industry"


def test_58_project_rows_and_one_total_row(plan_table):
    data = [r for r in plan_table.rows if not r.is_total]
    totals = [r for r in plan_table.rows if r.is_total]
    assert len(data) == 58
    assert len(totals) == 1 and plan_table.rows[-1] is totals[0]


def test_investment_columns_sum_to_the_total_row(plan_table):
    total = plan_table.rows[-1]
    assert total.cell(TOTAL_INVEST).number == 129.3
    assert total.cell(FYP_INVEST).number == 95.9
    # The source's total is rounded to one decimal (the rows add up to 129.3014 and 95.9023).
    assert math.isclose(column_sum(plan_table, TOTAL_INVEST), 129.3, abs_tol=0.01)
    assert math.isclose(column_sum(plan_table, FYP_INVEST), 95.9, abs_tol=0.01)


def test_table_shape(plan_table):
    assert plan_table.title == "东丽区“十四五”时期工业重大项目列表"
    assert plan_table.unit == "亿元"
    assert plan_table.headers == (
        "序号",
        "项目名称",
        "主要建设内容和生产规模",
        TOTAL_INVEST,
        FYP_INVEST,
        "建设起止年限",
        "政府投资或社会投资",
        "项目法人（筹建）单位",
    )
    assert plan_table.numeric_headers == (TOTAL_INVEST, FYP_INVEST)
    assert plan_table.section == ("附件1：",)
    assert plan_table.id == "dongli-14th-fyp-industry#t1"


def test_categories_and_typed_cells(plan, plan_table):
    row = next(r for r in plan_table.rows if r.cell("项目名称").text == "中汽中心新能源汽车检测中心项目")
    assert row.category == ("一、战略性新兴产业", "（二）新一代汽车技术")
    assert row.cell(TOTAL_INVEST).number == 19.9
    assert row.cell(TOTAL_INVEST).unit == "亿元"
    years = row.cell("建设起止年限")
    assert (years.start_year, years.end_year, years.open_end) == (2020, 2023, False)
    # A new level-1 category replaces the whole path.
    energy = [r for r in plan_table.rows if r.category[:1] == ("二、工业节能与综合利用",)]
    assert len(energy) == 19 and all(r.category == ("二、工业节能与综合利用",) for r in energy)
    assert sum(r.category == ("一、战略性新兴产业", "（一）高端装备制造") for r in plan_table.rows) == 19


def test_open_ended_year_range(plan_table):
    row = next(r for r in plan_table.rows if r.cell("项目名称").text == "烟厂三期技改")
    years = row.cell("建设起止年限")
    assert (years.text, years.start_year, years.end_year, years.open_end) == ("2021-未知", 2021, None, True)
    assert row.cell(FYP_INVEST).text == "5.0" and row.cell(FYP_INVEST).number == 5.0


def test_duplicate_project_kept_as_two_rows(plan_table):
    rows = [r for r in plan_table.rows if r.cell("项目名称").text == "自动化电动机设备研发组装项目"]
    assert [r.cell("序号").text for r in rows] == ["5", "17"]


def test_row_passages_read_naturally(plan):
    rows = [p for p in plan.passages if p.kind == "table_row"]
    assert len(rows) == 59
    first = rows[0]
    assert first.id == "dongli-14th-fyp-industry#t1.r1"
    assert first.text.startswith(
        "项目名称：永磁直驱系统系列产品生产项目；主要建设内容和生产规模：项目占地40亩"
    )
    assert "；预计总投资：3.5亿元；其中：“十四五”时期投资：3亿元；建设起止年限：2020-2022；" in first.text
    assert first.text.endswith("项目法人（筹建）单位：乾顺永磁（天津）科技发展有限公司")
    assert "序号" not in first.text
    assert first.section == ("附件1：", "东丽区“十四五”时期工业重大项目列表")
    assert first.paragraph_id == "dongli-14th-fyp-industry#t1"
    total = rows[-1]
    assert total.id == "dongli-14th-fyp-industry#t1.r59" and total.row.is_total
    assert total.text == "总计：预计总投资：129.3亿元；其中：“十四五”时期投资：95.9亿元"
    assert total.row.as_dict()["合计行"] is True


def test_row_spans_cover_their_cells_in_order(plan):
    for p in plan.passages:
        if p.kind != "table_row":
            continue
        block = plan.text[p.span[0] : p.span[1]]
        pos = 0
        for cell in p.row.cells:
            found = block.find(cell.text, pos)
            assert found >= 0, (p.id, cell.header, cell.text)
            pos = found + len(cell.text)


def test_no_bookmarks_anywhere(plan):
    assert "[bookmark" not in plan.text
    assert all("[bookmark" not in p.text for p in plan.passages)
    assert all("bookmark" not in h.text for h in plan.headings)
    assert not plan.text.startswith(" ")


def test_paragraph_passage_spans_slice_to_their_text(plan):
    paragraphs = [p for p in plan.passages if p.kind == "paragraph"]
    assert paragraphs
    for p in paragraphs:
        assert plan.text[p.span[0] : p.span[1]] == p.text, p.id
        assert p.row is None
    for para in plan.paragraphs:
        assert plan.text[para.span[0] : para.span[1]] == para.text


def test_passages_lie_inside_their_paragraph_with_matching_ids(plan):
    by_id = {p.id: p for p in plan.paragraphs}
    for p in plan.passages:
        if p.kind != "paragraph":
            continue
        para = by_id[p.paragraph_id]
        assert para.span[0] <= p.span[0] < p.span[1] <= para.span[1]
        assert p.id == f"{para.id}.s{p.sentences[0] + 1}"
        assert p.section == para.section


def test_5g_sentences_sit_under_their_headings(plan):
    built = _passage_with(plan, "累计建成2122个5G基站")
    assert built.section == ("一、“十三五”发展回顾", "（一）发展基础", "3.智能制造发展成效显著")
    target = _passage_with(plan, "到2025年，建设完成4000个5G基站")
    assert (
        SECTION_SEP.join(target.section) == "五、重点任务 › （六）强化新型基础设施建设，助力应用场景加速落地"
    )


def test_run_in_item_heading_is_split_from_its_body(plan):
    heading = next(h for h in plan.headings if h.text == "1.工业质量效益稳步提升")
    assert heading.level == 3
    assert plan.text[heading.span[0] : heading.span[1]] == heading.text
    para = next(p for p in plan.paragraphs if p.section[-1:] == ("1.工业质量效益稳步提升",))
    assert para.text.startswith("“十三五”时期，全区工业加快由高速增长向高质量发展转变")
    assert plan.text[para.span[0] - 1] == "。"


def test_target_lines_are_level_4_run_in_headings(plan):
    targets = [h for h in plan.headings if h.level == 4]
    assert [h.text for h in targets] == [
        "—产业质量效益迈上新台阶",
        "—产业创新转型实现新提升",
        "—绿色发展能力取得新成效",
    ]
    p = _passage_with(plan, "全区规模以上工业增加值达到310亿元，年均增长6%")
    assert p.section == ("二、“十四五”发展思路和总体目标", "（三）总体目标", "—产业质量效益迈上新台阶")
    assert p.text.startswith("到2025年")


def test_paragraph_after_run_in_items_belongs_to_the_section(plan):
    p = _passage_with(plan, "在看到成绩的同时")
    assert p.section == ("一、“十三五”发展回顾", "（一）发展基础")


def test_heading_levels(plan):
    levels = {h.text: h.level for h in plan.headings}
    assert levels["一、“十三五”发展回顾"] == 1
    assert levels["（一）发展基础"] == 2
    assert levels["1.华明高新区"] == 3
    assert levels["附件1："] == 1
    assert sum(h.level == 1 for h in plan.headings) == 7


def test_median_passage_length(plan):
    assert statistics.median(len(p.text) for p in plan.passages) <= 200
    assert statistics.median(len(p.text) for p in plan.passages if p.kind == "paragraph") <= 200


def test_no_passage_ends_mid_sentence(plan):
    paragraphs = {p.id: p for p in plan.paragraphs}
    for p in plan.passages:
        if p.kind != "paragraph":
            continue
        para = paragraphs[p.paragraph_id]
        assert SENTENCE_END.search(p.text) or p.span[1] == para.span[1], (p.id, p.text[-20:])


def test_ids_are_unique_and_stable_across_ingests(plan, plan_path):
    again = ingest_file(plan_path)
    ids = [p.id for p in plan.passages]
    assert len(ids) == len(set(ids))
    assert ids == [p.id for p in again.passages]
    assert [(p.span, p.text) for p in plan.passages] == [(p.span, p.text) for p in again.passages]
    assert again.meta["sha256"] == plan.meta["sha256"]


def test_passages_in_document_order(plan):
    starts = [p.span[0] for p in plan.passages]
    assert starts == sorted(starts)
