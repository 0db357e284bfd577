"""PDF layout cleanup on positioned lines: running headers and footers, wrapped lines, pages, tables."""

from __future__ import annotations

import dataclasses

from ingest.pdf import Grid, Line, PageContent, keep_first_page_display, layout_blocks, running_lines
from ingest.pdf_style import body_style

LEFT, RIGHT, H = 34.0, 574.0, 12.0


def _page(number: int, body: list[tuple[float, float, str]], header: str | None = None,
          footer: str | None = None, tables: list[Grid] | None = None) -> PageContent:
    """Body lines as ``(x0, x1, text)``, one every 19 pt from the top margin."""
    lines = []
    if header is not None:
        lines.append(Line(number, 16, 16 + 8, 24, 400, header))
    for i, (x0, x1, text) in enumerate(body):
        top = 40 + 19 * i
        lines.append(Line(number, top, top + H, x0, x1, text))
    if footer is not None:
        lines.append(Line(number, 769, 777, 24, 588, footer))
    return PageContent(number, 612, 792, lines, tables or [])


def _texts(blocks):
    return [(b[1], b[3]) for b in blocks if b[0] == "text"]


def test_running_header_footer_and_page_numbers_are_dropped():
    body = {
        1: "“十三五”时期，面对复杂严峻的国内外宏观经济形势和繁重艰巨的改革发展使命，全区",
        2: "产业结构持续优化升级。围绕高质量发展主题，提升改造传统产业，着力培育新兴产业",
        3: "智能制造发展成效显著。“两化融合”进程不断加快，企业数字化、网络化水平不断提升",
    }
    ends = {1: "稳步发展。", 2: "明显加快。", 3: "日益完善。"}
    pages = [
        _page(n, [(LEFT + 24, RIGHT, body[n]), (LEFT, 300, ends[n])],
              header="11/30/26, 3:36 AM 东丽区工业发展规划", footer=f"file:///home/u/de.html {n}/3")
        for n in (1, 2, 3)
    ]
    drop = running_lines(pages)
    assert drop == {(1, 0), (1, 3), (2, 0), (2, 3), (3, 0), (3, 3)}
    texts = [t for t, _ in _texts(layout_blocks(pages, drop))]
    assert all("file://" not in t and "AM" not in t for t in texts)
    assert len(texts) == 3


def test_a_lone_page_number_is_dropped_even_on_one_page():
    pages = [_page(1, [(LEFT, 200, "正文。"), (290, 310, "- 1 -")])]
    assert running_lines(pages) == {(1, 1)}


def test_body_lines_that_repeat_are_kept_when_not_at_a_page_edge():
    body = [(LEFT, 300, f"第{i}行。") for i in range(8)]
    body[4] = (LEFT, 300, "重复的句子。")
    pages = [_page(n, body) for n in (1, 2, 3)]
    assert all(i != 4 for _, i in running_lines(pages))


def test_wrapped_lines_join_even_when_a_justified_line_stops_short():
    pages = [_page(1, [
        (LEFT + 24, RIGHT, "下的智能网联汽车及智能交通技术认证、示范应用和公众体验基地加速成型。累计建成2122个5G基"),
        (LEFT, 555, "站，完成中汽中心、中安华典、天安象屿智慧城、海尔4个5G应用场景建设，开放融合、创新发展"),
        (LEFT, 150, "的产业生态体系日益完善。"),
        (LEFT + 24, RIGHT, "新的一段从缩进开始。"),
    ])]
    texts = _texts(layout_blocks(pages, set()))
    assert texts[0][0].count("2122个5G基站") == 1
    assert texts[0][0].endswith("的产业生态体系日益完善。")
    assert texts[1] == ("新的一段从缩进开始。", 1)


def test_headings_and_paragraph_ends_break_paragraphs():
    pages = [_page(1, [
        (LEFT, 569, "力争地区生产总值超200亿元，规上工业总产值突破900亿元。"),
        (LEFT, 255, "（⼆）双区：华明⾼新区、临空经济区"),  # Kangxi radicals, as the text layer has them
        (LEFT, 109, "1.华明高新区"),
        (LEFT, RIGHT, "对标国家级高新区创建要求，以新动能引育为核心，以高新引领、双创驱动、开放协同为路径，"),
        (LEFT, 300, "积极培育科技研发。"),
    ])]
    assert [t for t, _ in _texts(layout_blocks(pages, set()))] == [
        "力争地区生产总值超200亿元，规上工业总产值突破900亿元。",
        "（⼆）双区：华明⾼新区、临空经济区",
        "1.华明高新区",
        "对标国家级高新区创建要求，以新动能引育为核心，以高新引领、双创驱动、开放协同为路径，积极培育科技研发。",
    ]


def test_a_paragraph_across_a_page_break_is_one_paragraph_on_its_first_page():
    pages = [
        _page(1, [(LEFT + 24, RIGHT, "“十三五”时期，面对复杂严峻的国内外宏观经济形势和繁重艰巨的改革发展"),
                  (LEFT, RIGHT, "使命，全区以习近平新时代中国特色社会主义思想为指引，深入贯彻落实")]),
        _page(2, [(LEFT, RIGHT, "重要要求，全面落实制造强国、网络强国战略部署，全力应对风险挑战，推动"),
                  (LEFT, 200, "高质量发展。"),
                  (LEFT + 24, RIGHT, "第二页的新段落。")]),
    ]
    texts = _texts(layout_blocks(pages, set()))
    assert len(texts) == 2
    assert texts[0][1] == 1 and "深入贯彻落实重要要求" in texts[0][0]
    assert texts[1] == ("第二页的新段落。", 2)


def test_a_table_broken_by_a_page_break_is_joined():
    header = ["序号", "项目名称", "总投资"]
    pages = [
        _page(1, [(LEFT, 200, "附件1：")], tables=[Grid(1, 300, [header, ["1", "智能装备项目", "3.5"]])]),
        _page(2, [], tables=[Grid(2, 40, [["2", "检测中心项目", "19.9"]])]),
    ]
    tables = [b for b in layout_blocks(pages, set()) if b[0] == "table"]
    assert len(tables) == 1
    assert tables[0][1] == [header, ["1", "智能装备项目", "3.5"], ["2", "检测中心项目", "19.9"]]
    assert tables[0][3] == 1


def test_a_title_repeated_as_a_running_header_stays_the_title_of_its_first_page():
    title = "中华人民共和国国民经济和社会发展第十四个五年规划纲要"
    body = [(LEFT, RIGHT, "正文。" * 20)] * 3
    pages = [_page(1, body), *(_page(n, body, header=title) for n in (2, 3))]
    pages[0].lines.insert(0, Line(1, 30, 52, 120, 500, title, size=22.0, font="Bold", bold=True))
    for p in pages:
        p.lines[:] = [dataclasses.replace(ln, size=ln.size or ln.bottom - ln.top, font=ln.font or "Body") for ln in p.lines]
    drop = running_lines(pages)
    assert (1, 0) in drop and (2, 0) in drop
    kept = keep_first_page_display(pages, drop, body_style([ln for p in pages for ln in p.lines]))
    assert kept == drop - {(1, 0)}
