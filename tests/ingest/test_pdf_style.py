"""PDF type: lines from characters, the body style, emphasised headings, the title, and a
paragraph kept whole around what the page puts in its way."""

from __future__ import annotations

from ingest.pdf_flow import layout_blocks
from ingest.pdf_page import Box, Grid, Line, PageContent, lines_from_chars
from ingest.pdf_style import BodyStyle, Style, body_style, emphasis, first_page_title, heading_levels
from ingest.structure import Outline

BODY = "NotoSerifCJKsc-Regular"
BOLD = "NotoSansCJKsc-Bold"
LEFT, RIGHT = 72.0, 523.0


def _chars(text: str, x: float, top: float, size: float = 12.0, font: str = BODY, step: float | None = None):
    step = step or size
    return [
        {"text": ch, "x0": x + i * step, "x1": x + i * step + size * (0.5 if ch.isascii() else 1.0),
         "top": top, "bottom": top + size, "size": size, "fontname": f"ABCDEF+{font}", "upright": True}
        for i, ch in enumerate(text)
    ]


def test_digits_set_lower_in_another_face_stay_on_their_line():
    chars = _chars("规划和", 100, 100, 22, BOLD) + _chars("2035", 166, 105, 22, "DejaVuSerif-Bold", 11)
    chars += _chars("年远景目标纲要", 210, 100, 22, BOLD)
    [line] = lines_from_chars(1, chars)
    assert line.text == "规划和2035年远景目标纲要"
    assert (line.size, line.font, line.bold, line.uniform) == (22.0, BOLD, True, True)


def test_a_justified_gap_is_not_a_space_but_one_between_latin_words_is():
    chars = _chars("增长", 72, 100) + _chars("5.4%", 99.5, 100, step=6) + _chars("，", 124, 100)
    chars += _chars("IPv6", 136, 100, step=6) + _chars("user", 166, 100, step=6)
    assert [ln.text for ln in lines_from_chars(1, chars)] == ["增长5.4%，IPv6 user"]


def test_bold_printed_twice_is_read_once_and_counts_as_bold():
    chars = []
    for c in _chars("发展目标", 72, 100):
        chars += [c, {**c, "x0": c["x0"] + 0.3, "x1": c["x1"] + 0.3}]
    [line] = lines_from_chars(1, chars)
    assert (line.text, line.bold) == ("发展目标", True)


def test_a_run_in_bold_heading_makes_a_line_of_mixed_type():
    [line] = lines_from_chars(1, _chars("（一）总体要求。", 72, 100, font=BOLD) + _chars("坚持稳中求进", 168, 100))
    assert not line.uniform and line.font == BODY  # the face of most of its Chinese characters


def _line(text: str, top: float, x0: float = LEFT, x1: float | None = None, size: float = 12.0,
          font: str = BODY, bold: bool = False, page: int = 1) -> Line:
    right = x1 if x1 is not None else min(RIGHT, x0 + size * len(text))
    return Line(page, top, top + size, x0, right, text, size=size, font=font, bold=bold)


FULL = "国家发展改革委会同有关部门加强统筹协调，推动规划确定的目标任务落到实处并开展评估"  # 40 characters


def test_body_style_is_the_type_of_most_characters_and_emphasis_is_relative_to_it():
    lines = [_line(FULL, 100 + 20 * i, x1=RIGHT) for i in range(5)] + [_line("发展环境", 40, font=BOLD, bold=True)]
    body = body_style(lines)
    assert body == BodyStyle(BODY, 12.0, False)
    assert emphasis(lines[-1], body) == Style(BOLD, 12.0, True)
    assert emphasis(_line("第一篇", 40, size=16), body) == Style(BODY, 16.0, False)
    assert emphasis(_line("注：脚注", 40, size=9, font=BOLD, bold=True), body) is None
    assert emphasis(lines[0], body) is None


def test_the_title_is_the_largest_type_of_the_first_page_over_its_lines():
    page = PageContent(1, 595, 842, [
        _line("国发〔2021〕5号", 40, size=12),
        _line("中华人民共和国国民经济和社会发展", 80, x0=120, size=22, font=BOLD, bold=True),
        _line("第十四个五年规划和2035年远景目标纲要", 110, x0=100, size=22, font=BOLD, bold=True),
        _line("第一篇 开启全面建设社会主义现代化国家新征程", 160, x0=90, size=16, font=BOLD, bold=True),
        _line(FULL, 200, x1=RIGHT),
    ], [])
    title = first_page_title(page, set(), BodyStyle(BODY, 12.0, False))
    assert "".join(ln.text for ln in title) == "中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要"
    blocks = layout_blocks([page], set(), body=BodyStyle(BODY, 12.0, False), title=title)
    assert [(b[1], b[2]) for b in blocks if b[2] is not None] == [
        ("中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要", 0)
    ]


def test_no_title_when_nothing_on_the_first_page_is_larger_than_the_body():
    page = PageContent(1, 595, 842, [_line("一、总体要求", 40, font=BOLD, bold=True), _line(FULL, 60, x1=RIGHT)], [])
    assert first_page_title(page, set(), BodyStyle(BODY, 12.0, False)) == ()


def test_unnumbered_headings_take_levels_from_type():
    body = BodyStyle(BODY, 12.0, False)
    chapter, section, big = Style(BOLD, 12.0, True), Style("KaiTi", 12.0, False), Style(BOLD, 16.0, True)
    blocks = [
        ("第一章 总则", chapter), ("前言", big), ("第一节 目的", section), ("结束语", chapter),
        ("小节说明", Style("KaiTi-Bold", 12.0, True)), ("各位代表：", chapter), ("正文。", None),
    ]
    outline = Outline(("章", "节"))
    assert heading_levels(blocks, body, outline) == [None, 1, None, 1, 2, None, None]
    # Without numbered headings, the emphasised styles rank by size, then weight.
    assert heading_levels([("前言", big), ("背景", chapter), ("说明", chapter)], body, Outline()) == [1, 2, 2]


def test_a_heading_centred_over_two_lines_is_one_and_larger_type_never_runs_on():
    body = BodyStyle(BODY, 12.0, False)
    lines = [
        _line("以高质量发展为主题，推动经济社会", 40, x0=180, x1=420, size=16, font=BOLD, bold=True),
        _line("持续健康发展", 62, x0=250, x1=350, size=16, font=BOLD, bold=True),
        _line("推进" + FULL[2:], 90, x0=LEFT + 24, x1=RIGHT),
        _line(FULL, 110, x1=RIGHT),
        _line("具体措施如下。", 130, x1=170),
    ]
    blocks = layout_blocks([PageContent(1, 595, 842, lines, [])], set(), body=body)
    assert [(b[1], b[2]) for b in blocks] == [
        ("以高质量发展为主题，推动经济社会持续健康发展", 1),
        ("推进" + FULL[2:] + FULL + "具体措施如下。", None),
    ]


def test_a_sentence_runs_on_across_the_page_break_with_a_box_and_a_table_set_after_it():
    box = Box(2, 40, (Line(2, 50, 62, 80, 300, "专栏1 重大工程"), Line(2, 66, 78, 80, 400, "建设国家实验室。")), (), 88.0)
    grid = Grid(1, 300, [["指标", "目标"], ["增长", "5%"]], (91.0, 90.0))
    pages = [
        PageContent(1, 595, 842, [_line("第一段。", 100, x1=150), _line(FULL, 120, x0=LEFT + 24, x1=RIGHT),
                                   _line(FULL, 140, x1=RIGHT)], [grid]),
        PageContent(2, 595, 842, [_line("，全面推进。", 200, x0=LEFT + 24, x1=200, page=2),
                                   _line(FULL, 220, x1=RIGHT, page=2)],
                    [], boxes=[box]),
    ]
    blocks = layout_blocks(pages, set())
    assert [(b[0], b[1] if b[0] == "text" else b[4], b[3]) for b in blocks] == [
        ("text", "第一段。", 1),
        ("text", FULL + FULL + "，全面推进。", 1),
        ("table", (91.0, 90.0), 1),
        ("text", "专栏1 重大工程", 2),
        ("text", "建设国家实验室。", 2),
        ("text", FULL, 2),
    ]


def test_footnotes_at_the_foot_of_a_page_do_not_cut_the_sentence_running_over_it():
    body = BodyStyle(BODY, 12.0, False)
    pages = [
        PageContent(1, 595, 842, [_line(FULL, 100, x0=LEFT + 24, x1=RIGHT), _line(FULL, 120, x1=RIGHT),
                                   _line("①新型基础设施：指5G网络、数据中心等。", 780, size=9)], []),
        PageContent(2, 595, 842, [_line("，全面推进。", 60, x1=200, page=2), _line(FULL, 80, x0=LEFT + 24, x1=RIGHT,
                                                                                   page=2)], []),
    ]
    blocks = layout_blocks(pages, set(), body=body)
    assert [(b[1], b[3]) for b in blocks] == [
        (FULL + FULL + "，全面推进。", 1),
        ("①新型基础设施：指5G网络、数据中心等。", 1),
        (FULL, 2),
    ]


def test_an_official_documents_title_is_below_its_masthead_and_number():
    page = PageContent(1, 595, 842, [
        _line("天津市人民政府文件", 60, x0=100, size=40, font=BOLD, bold=True),
        _line("津政发〔2021〕5号", 130, x0=250, size=16),
        _line("天津市人民政府关于印发天津市制造业高质量发展", 180, x0=90, size=22, font=BOLD, bold=True),
        _line("“十四五”规划的通知", 210, x0=200, size=22, font=BOLD, bold=True),
        _line("各区人民政府：", 260, size=16),
        _line(FULL, 290, x1=RIGHT, size=16),
    ], [])
    title = first_page_title(page, set(), BodyStyle(BODY, 16.0, False))
    assert "".join(ln.text for ln in title) == "天津市人民政府关于印发天津市制造业高质量发展“十四五”规划的通知"


def test_a_box_reads_its_title_table_and_note_in_order():
    grid = Grid(1, 130, [["指标", "目标"], ["增长", "5%"]], (91.0, 90.0))
    box = Box(1, 100, (Line(1, 105, 117, 80, 300, "专栏1 主要指标"), Line(1, 200, 212, 80, 300, "注：按可比价格计算。")),
              (grid,), 90.5)
    page = PageContent(1, 595, 842, [_line("上文。", 60, x1=150)], [], boxes=[box])
    assert [(b[0], b[1]) for b in layout_blocks([page], set())] == [
        ("text", "上文。"), ("text", "专栏1 主要指标"), ("table", grid.rows), ("text", "注：按可比价格计算。"),
    ]
