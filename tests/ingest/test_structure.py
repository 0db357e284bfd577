"""Heading levels, run-in headings and heading paths."""

from __future__ import annotations

import pytest

from ingest.pipeline import ingest_file, ingest_text
from ingest.structure import Outline, heading_level, outline_of, split_heading


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("一、总体要求", 1),
        ("十二、其他", 1),
        ("附件1：", 1),
        ("附件：项目表", 1),
        ("（一）发展基础", 2),
        ("(三)发展目标", 2),
        ("1.工业质量效益稳步提升。正文", 3),
        ("12、项目", 3),
        ("—产业质量效益迈上新台阶。", 4),
        ("——经济保持恢复发展。", 4),
        ("1.5亿元用于建设", None),
        ("2020年全区工业", None),
        ("一是保持宏观政策连续性", None),
        ("5G基站", None),
    ],
)
def test_heading_levels(line, level):
    assert heading_level(line) == level


def test_split_heading():
    assert split_heading("（二）面临形势") == (2, 7, None)
    line = "1.工业质量效益稳步提升。“十三五”时期，全区工业加快发展。"
    level, head_end, body = split_heading(line)
    assert (level, line[:head_end], line[body:]) == (
        3,
        "1.工业质量效益稳步提升",
        "“十三五”时期，全区工业加快发展。",
    )
    assert split_heading("1.加强组织领导。") == (3, 8, None)
    assert split_heading("1." + "很长的编号段落" * 10 + "。后文") is None


SAMPLE = """规划标题
一、发展回顾
（一）发展基础
1.质量提升。正文第一段。
总结段落属于（一）。
2.独立标题行
独立标题下的段落。
（二）总体目标
—目标一。到2025年达到目标。
—目标二。到2025年再达到。
二、重点任务
（一）主要任务，保持稳定。任务正文。
任务段落二。
"""


def test_heading_paths():
    doc = ingest_text("sample", None, SAMPLE)
    assert doc.title == "规划标题"
    assert doc.headings[0].level == 0
    sections = [(p.text, p.section) for p in doc.paragraphs]
    assert sections == [
        ("正文第一段。", ("一、发展回顾", "（一）发展基础", "1.质量提升")),
        ("总结段落属于（一）。", ("一、发展回顾", "（一）发展基础")),
        ("独立标题下的段落。", ("一、发展回顾", "（一）发展基础", "2.独立标题行")),
        ("到2025年达到目标。", ("一、发展回顾", "（二）总体目标", "—目标一")),
        ("到2025年再达到。", ("一、发展回顾", "（二）总体目标", "—目标二")),
        ("任务正文。", ("二、重点任务", "（一）主要任务，保持稳定")),
        ("任务段落二。", ("二、重点任务", "（一）主要任务，保持稳定")),
    ]
    for h in doc.headings:
        assert doc.text[h.span[0] : h.span[1]] == h.text


def test_target_line_before_any_heading_is_a_paragraph():
    doc = ingest_text("speech", None, "讲话稿\n——2022年3月5日在大会上\n一、回顾\n正文。\n")
    assert doc.paragraphs[0].text == "——2022年3月5日在大会上"
    assert doc.paragraphs[0].section == ()


def test_title_is_never_a_section_heading_but_falls_back_to_the_stem():
    assert ingest_text("a", None, "一、总则\n正文。\n").title == "a"
    long_line = "这是一个很长的段落，" * 10 + "结束。"
    assert ingest_text("stem-name", None, long_line).title == "stem-name"


def test_ingest_text_offsets_and_ids():
    doc = ingest_text("内存 文档", "标题", "　　一、总则\n　　正文第一句。正文第二句。\n")
    assert doc.doc_id == "内存-文档"
    [p] = doc.passages
    assert p.id == "内存-文档#p1.s1"
    assert doc.text[p.span[0] : p.span[1]] == p.text == "正文第一句。正文第二句。"
    assert p.sentences == (0, 2)


def test_government_work_report_ingests_sensibly(shared_dir):
    doc = ingest_file(shared_dir / "evaldata" / "gov_docs" / "2022_government_work_report.txt")
    assert doc.title == "2022年政府工作报告"
    chapters = [h.text for h in doc.headings if h.level == 1]
    assert chapters == [
        "一、2021年工作回顾",
        "二、2022年经济社会发展总体要求和政策取向",
        "三、2022年政府工作任务",
    ]
    assert sum(h.level == 2 for h in doc.headings) == 9
    p = next(p for p in doc.passages if "国内生产总值达到114万亿元" in p.text)
    assert p.section == ("一、2021年工作回顾", "——经济保持恢复发展")
    for p in doc.passages:
        assert doc.text[p.span[0] : p.span[1]] == p.text
        assert not p.text[0].isspace()


OUTLINE = """中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要
目　录
第一篇　开启全面建设社会主义现代化国家新征程……………………1
第一章　发展环境…………………………………………………………2
第一篇　开启全面建设社会主义现代化国家新征程
第一章　发展环境
第一节　发展基础
正文一。
第二节　主要目标
一、经济发展
正文二。
（一）增长
正文三。
第二章　指导方针
正文四。
"""


def test_parts_chapters_and_sections_come_above_the_usual_numbering():
    doc = ingest_text("outline", None, OUTLINE)
    assert [(h.level, h.text) for h in doc.headings] == [
        (0, "中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要"),
        (1, "第一篇　开启全面建设社会主义现代化国家新征程"),
        (2, "第一章　发展环境"),
        (3, "第一节　发展基础"),
        (3, "第二节　主要目标"),
        (4, "一、经济发展"),
        (5, "（一）增长"),
        (2, "第二章　指导方针"),
    ]
    assert doc.paragraphs[-2].section == (
        "第一篇　开启全面建设社会主义现代化国家新征程", "第一章　发展环境", "第二节　主要目标", "一、经济发展", "（一）增长",
    )
    # The table of contents stays text: its entries are not headings.
    assert [p.text for p in doc.paragraphs[:3]] == [
        "目　录", "第一篇　开启全面建设社会主义现代化国家新征程……………………1", "第一章　发展环境…………………………………………………………2",
    ]


def test_levels_are_relative_to_the_outline_a_document_uses():
    assert heading_level("第三章 总则") == 1
    assert heading_level("第三节 目标", Outline(("章", "节"))) == 2
    assert heading_level("一、总体要求", Outline(("章", "节"))) == 3
    assert split_heading("（二）面临形势", Outline(("篇", "章", "节"))) == (5, 7, None)
    assert outline_of(["第一章 总则", "第一节 目的", "第二条 适用范围", "第三章 附则……5"]) == Outline(("章", "节"))
    assert heading_level("第2章 产业布局") == 1 and heading_level("第十二条 本办法") is None
