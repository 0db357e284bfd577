"""HTML rendering: escaping, highlight placement, row tables, citation panel, KWIC and outline."""

from __future__ import annotations

import re

from index.types import Hit
from service.hits import hit_to_dict
from tests.ui.fakes import P_5G, P_TRICKY, TITLE, passage
from ui import render


def _hit(pid: str, highlights=(), score: float = 1.0) -> dict:
    return hit_to_dict(Hit(passage(pid), score, tuple(highlights)), TITLE)


def test_esc_escapes_markup_quotes_and_template_syntax():
    out = render.esc('<b a="x">&{{v}} ${w}\'</b>')
    assert "<" not in out and ">" not in out and '"' not in out and "'" not in out
    assert "{" not in out and "}" not in out and "$" not in out
    assert out.startswith("&lt;b a=&quot;x&quot;&gt;&amp;&#123;&#123;v")


def test_highlight_wraps_exact_ranges_and_escapes_inside_and_outside():
    text = "a<b>c链长制d"
    out = render.highlight(text, [(1, 4), (5, 8)])
    assert out == "a<mark>&lt;b&gt;</mark>c<mark>链长制</mark>d"


def test_highlight_merges_overlaps_clamps_and_drops_empty_ranges():
    assert render.merge_ranges([(5, 9), (0, 2), (1, 3), (3, 4), (7, 7), (-4, 0), (8, 99)], 10) == [(0, 4), (5, 10)]
    assert render.highlight("abcdef", [(4, 99), (-3, 1)]) == "<mark>a</mark>bcd<mark>ef</mark>"
    assert render.highlight("abc", []) == "abc"


def test_highlight_terms_marks_every_occurrence():
    assert render.highlight_terms("5G与5G", ["5G"]) == "<mark>5G</mark>与<mark>5G</mark>"
    assert render.highlight_terms("x<y", ["<"]) == "x<mark>&lt;</mark>y"


def test_paragraph_body_highlights_the_cited_sentence():
    pid = "demo-plan#p1.s0"
    end = P_5G.index("。") + 1
    body = render.passage_body(_hit(pid, [(0, end)]))
    assert body.startswith('<p class="pq-text"><mark>到2025年，建设完成4000个5G基站')
    assert re.search(r"</mark>智能电表", body)


def test_tricky_text_never_becomes_markup():
    body = render.passage_body(_hit("demo-plan#p2.s0"))
    assert "<script>" not in body
    assert "&lt;script&gt;" in body
    assert "{{" not in body and "${" not in body
    assert P_TRICKY not in body  # the raw string would contain live markup


def test_row_table_shows_category_cells_and_highlighted_terms():
    hit = _hit("demo-plan#t1.r0", [(0, 2)])  # "类别" in the row text
    html = render.passage_body(hit)
    assert html.startswith('<table class="pq-row"><caption>类别：一、战略性新兴产业 › （一）高端装备制造</caption>')
    assert '<th scope="row">项目名称</th><td>永磁直驱系统系列产品生产项目</td>' in html
    assert "类别" not in html.split("</caption>")[1]  # the category is the caption, not a row
    hit = _hit("demo-plan#t1.r0", [(hit["text"].index("永磁"), hit["text"].index("永磁") + 2)])
    assert "<td><mark>永磁</mark>直驱系统系列产品生产项目</td>" in render.passage_body(hit)


def test_row_table_escapes_cells_and_marks_total_rows():
    html = render.row_table({"项目名称": "钢铁 <改造> 项目", "类别": "二、传统产业", "合计行": True})
    assert "钢铁 &lt;改造&gt; 项目" in html
    assert "合计行</span>" in html and "<th scope=\"row\">合计行" not in html


def test_outline_items_carry_indices_levels_and_selection():
    html = render.outline([(0, 1, "一、<总>"), (1, 2, "（一）分")], selected=1)
    assert 'data-idx="0"' in html and 'data-idx="1"' in html
    assert "pq-l1" in html and 'class="pq-h pq-sel pq-l2"' in html
    assert "一、&lt;总&gt;" in html


def test_deep_links_carry_the_passage_and_its_marks_and_ranges_parse_back():
    link = render.deep_link("demo-plan#p1.s0", [(0, 5), (9, 12)])
    assert link == "/ui/?p=demo-plan%23p1.s0&hl=0-5%2C9-12"
    assert render.parse_ranges("0-5,9-12") == [(0, 5), (9, 12)]
    assert render.parse_ranges("5-1,x-2,,3-4") == [(3, 4)]
    assert render.parse_ranges(None) == []


def test_open_link_points_at_the_passage_with_its_highlights():
    html = render.open_link(_hit("demo-plan#p1.s0", [(0, 5), (3, 8)]))
    assert 'class="pq-open"' in html and 'data-pid="demo-plan#p1.s0"' in html and 'data-hl="0-8"' in html
    assert 'href="/ui/?p=demo-plan%23p1.s0&amp;hl=0-8"' in html and ">在文档中查看</a>" in html


def test_grid_table_runs_to_and_marks_a_target_row():
    rows = [[str(i), f"r{i}"] for i in range(20)]
    html = render.grid_table("T", ["a", "b"], rows, limit=5, target=15)
    assert html.count("<tr") == 17 and '<tr class="pq-target"><td>15</td>' in html
    assert "共 20 行" in html
    assert "pq-target" not in render.grid_table("T", ["a", "b"], rows, limit=5)
