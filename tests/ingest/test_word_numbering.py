"""Word's automatic list numbering: headings numbered through numbering.xml get their visible numbers."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from index.exact import ExactPhraseSearch
from ingest.numbering import chinese_number, format_number
from ingest.pipeline import ingest_file

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# One list of three levels, as a Chinese plan numbers its headings: 一、 / （一） / 1.
ABSTRACT = f"""
<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="7">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/>
    <w:suff w:val="nothing"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/>
    <w:suff w:val="nothing"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/>
    <w:suff w:val="nothing"/></w:lvl>
</w:abstractNum>
"""
NUM = f'<w:num xmlns:w="{W_NS}" w:numId="9"><w:abstractNumId w:val="7"/></w:num>'


def _number(paragraph, ilvl: int, num_id: int = 9) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(
        f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
    ))


def _make(path: Path) -> Path:
    d = docx.Document()
    numbering = d.part.numbering_part.element
    # abstractNum elements come before num elements in numbering.xml.
    first_num = numbering.find(f"{{{W_NS}}}num")
    if first_num is not None:
        first_num.addprevious(parse_xml(ABSTRACT))
    else:
        numbering.append(parse_xml(ABSTRACT))
    numbering.append(parse_xml(NUM))
    outline = [
        (0, "发展基础", "“十三五”时期，全区工业稳步发展。"),
        (1, "主要成绩", "工业增加值达235.1亿元。"),
        (2, "智能制造", "上云企业数量累计突破100家。"),
        (2, "绿色发展", "创建3家国家级绿色工厂。"),
        (1, "面临形势", "外部环境复杂多变。"),
        (0, "总体目标", "到2025年，规模以上工业增加值达到310亿元。"),
        (1, "产业目标", "力争打造1个千亿级产业集群。"),
    ]
    for level, heading, body in outline:
        p = d.add_paragraph(heading)  # no heading style: the numbering alone marks the level
        _number(p, level)
        d.add_paragraph(body)
    d.save(str(path))
    return path


@pytest.fixture(scope="module")
def numbered(tmp_path_factory):
    return ingest_file(_make(tmp_path_factory.mktemp("numbering") / "numbered.docx"))


def test_headings_get_their_visible_numbers(numbered):
    assert [(h.level, h.text) for h in numbered.headings] == [
        (1, "一、发展基础"),
        (2, "（一）主要成绩"),
        (3, "1.智能制造"),
        (3, "2.绿色发展"),
        (2, "（二）面临形势"),
        (1, "二、总体目标"),
        (2, "（一）产业目标"),
    ]
    assert numbered.meta["numbered_paragraphs"] == 7


def test_passages_sit_under_the_numbered_headings(numbered):
    by_text = {p.text: p.section for p in numbered.passages}
    assert by_text["创建3家国家级绿色工厂。"] == ("一、发展基础", "（一）主要成绩", "2.绿色发展")
    assert by_text["力争打造1个千亿级产业集群。"] == ("二、总体目标", "（一）产业目标")


def test_exact_search_finds_the_numbers_a_reader_sees(numbered):
    search = ExactPhraseSearch([numbered])
    assert search.find("（二）面临形势").total == 1
    assert search.find("二、总体目标").total == 1


def test_chinese_counting():
    assert [chinese_number(n) for n in (1, 10, 11, 20, 21, 100, 105)] == [
        "一", "十", "十一", "二十", "二十一", "一百", "一百零五"
    ]
    assert format_number(3, "ideographTraditional") == "丙"
    assert format_number(4, "upperRoman") == "IV"
    assert format_number(2, "decimalEnclosedCircle") == "②"
    assert format_number(12, "decimal") == "12"


def test_numbering_linked_to_heading_styles(tmp_path):
    d = docx.Document()
    numbering = d.part.numbering_part.element
    first_num = numbering.find(f"{{{W_NS}}}num")
    if first_num is not None:
        first_num.addprevious(parse_xml(ABSTRACT))
    else:
        numbering.append(parse_xml(ABSTRACT))
    numbering.append(parse_xml(NUM))
    # A restarted list: a second w:num over the same definition, starting level 0 at 5.
    numbering.append(parse_xml(
        f'<w:num xmlns:w="{W_NS}" w:numId="10"><w:abstractNumId w:val="7"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>'
    ))
    for style, ilvl in (("Heading 1", 0), ("Heading 2", 1)):
        ppr = d.styles[style].element.get_or_add_pPr()
        ppr.append(parse_xml(
            f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="9"/></w:numPr>'
        ))
    d.add_heading("指导思想", level=1)
    d.add_paragraph("坚持稳中求进工作总基调。")
    d.add_heading("基本原则", level=2)
    d.add_paragraph("坚持创新引领。")
    d.add_heading("发展目标", level=1)
    d.add_paragraph("到2025年实现目标。")
    restarted = d.add_paragraph("保障措施")
    _number(restarted, 0, num_id=10)
    d.add_paragraph("加强组织领导。")
    path = tmp_path / "styled.docx"
    d.save(str(path))
    doc = ingest_file(path)
    assert [(h.level, h.text) for h in doc.headings] == [
        (1, "一、指导思想"), (2, "（一）基本原则"), (1, "二、发展目标"), (1, "五、保障措施"),
    ]
