"""An answer's HTML: bubble with linked markers, short answer and copy text; the panel; follow-ups."""

from __future__ import annotations

import re

from index.types import Hit
from service.hits import hit_to_dict
from tests.ui.fakes import P_5G, TITLE, passage
from ui import answer_view as av


def _hit(pid: str, highlights=(), score: float = 1.0) -> dict:
    return hit_to_dict(Hit(passage(pid), score, tuple(highlights)), TITLE)


END_5G = P_5G.index("。") + 1


def _turn(cites, **kw) -> dict:
    return {"citations": cites, "grounded": True, "notes": [], "kind": "", "referenced": None, "units": {}, **kw}


def test_markers_name_their_turn_and_number_and_preview_the_cited_sentence():
    html = av.answer_html("建设完成4000个5G基站[1]。<b>[7]", [_hit("demo-plan#p1.s0", [(0, END_5G)])], turn=3)
    ref = re.search(r'<sup class="pq-ref pq-t3 pq-n1" tabindex="0" role="button">\[1\]'
                    r'<span class="pq-preview">(.*?)</span></sup>', html)
    assert ref and ref.group(1) == P_5G[:END_5G]
    assert "&lt;b&gt;[7]" in html  # a number without a citation stays plain text
    assert html.startswith('<div class="pq-answer pq-t3">') and "\n\n" not in html


def test_short_answer_leads_and_a_resolved_follow_up_says_how_it_was_read():
    cites = [_hit("demo-plan#p1.s0")]
    html = av.answer_html("到2025年，建设完成4000个5G基站[1]。", cites, short_answer="4000个",
                          resolved="5G基站建设多少个？", question="那基站呢？")
    assert html.index('<div class="pq-short"><span>答</span><strong>4000个</strong></div>') < html.index("pq-body")
    assert "结合上文理解为：5G基站建设多少个？" in html
    same = av.answer_html("x[1]", cites, resolved="那基站呢？", question="那基站呢？")
    assert "结合上文理解为" not in same


def test_ungrounded_answers_get_the_notice_and_no_short_answer():
    html = av.answer_html("无法回答。", [], grounded=False, short_answer="x")
    assert "文档中未找到依据" in html and "pq-short" not in html
    panel = av.citations_panel({1: _turn([], grounded=False, notes=["没有足够相关的段落"])})
    assert 'class="pq-banner"' in panel and "没有足够相关的段落" in panel


def test_sources_line_says_where_on_wide_and_narrow_screens_and_folds_when_long():
    cites = [_hit("demo-plan#t1.r0"), _hit("demo-plan#t1.r1"), _hit("demo-plan#t1.r2"), _hit("demo-plan#p1.s0")]
    short = av.answer_html("共 1 个[1]。", cites)
    assert "来源：[1] 附件1：重大项目列表 › （一）高端装备制造 › 永磁直驱系统系列产品生产项目" in short
    assert '<span class="pq-wide">详见右侧</span><span class="pq-narrow">详见下方</span>' in short
    long = av.answer_html("共 4 个[1][2][3][4]。", cites)
    assert '<details class="pq-sources"><summary>来源：共 4 条' in long


def test_copy_text_is_the_answer_and_its_cited_sources_line_by_line():
    cites = [_hit("demo-plan#p1.s0"), _hit("demo-plan#p0.s0")]
    assert av.plain_answer("4000个[1]。", cites).splitlines() == [
        "4000个[1]。", "", "来源：", f"[1] {TITLE} › 五、重点任务 › （六）强化新型基础设施建设"]
    html = av.answer_html("4000个[1]。", cites)
    assert '<span class="pq-line">来源：</span>' in html and 'class="pq-copy"' in html


def test_panel_holds_every_turn_and_shows_the_active_one():
    t1 = _turn([_hit("demo-plan#p1.s0", [(0, 5)])])
    t3 = _turn([_hit("demo-plan#p0.s0")])
    html = av.citations_panel({1: t1, 3: t3})
    assert '<section class="pq-turn" data-turn="1" hidden>' in html
    assert '<section class="pq-turn" data-turn="3">' in html
    assert 'id="pq-cite-1-1" data-n="1"' in html and 'id="pq-cite-3-1" data-n="1"' in html
    assert '<section class="pq-turn" data-turn="1">' in av.citations_panel({1: t1, 3: t3}, active=1)
    assert "提问后" in av.citations_panel({})


def test_cards_link_into_the_document_and_related_ones_drop_term_highlights():
    cites = [_hit("demo-plan#p1.s0", [(0, 5)]), _hit("demo-plan#p0.s0", [(0, 2)])]
    html = av.turn_panel(1, cites, referenced=av.cited_numbers("4000个[1]。"))
    first, second = html.split('id="pq-cite-1-2"')
    assert "相关段落" not in first and "<mark>" in first and 'data-pid="demo-plan#p1.s0"' in first
    assert "相关段落" in second and "<mark>" not in second and "在文档中查看" in second
    assert TITLE in first and "五、重点任务 › （六）强化新型基础设施建设" in first


def test_many_table_rows_become_one_compact_table_with_the_total():
    rows = [_hit("demo-plan#t1.r0"), _hit("demo-plan#t1.r1"), _hit("demo-plan#t1.r2")]
    html = av.turn_panel(2, [*rows, _hit("demo-plan#p1.s0")], kind="aggregate",
                         units={"demo-plan#t1.r0": "亿元"})
    assert html.count('<table class="pq-compact">') == 1 and 'class="pq-row"' not in html
    assert "共 3 行（单位：亿元）" in html and "回答方式：按表格逐行汇总计算" in html
    assert '<tr id="pq-cite-2-3" data-n="3"' in html and "钢铁 &lt;改造&gt; 项目" in html
    head = re.search(r"<thead>(.*?)</thead>", html).group(1)
    assert "项目名称" in head and "预计总投资" in head and "序号" not in head and "类别" not in head
    assert '<tfoot><tr><th class="pq-n">合计</th>' in html and "16.7" in html.split("<tfoot>")[1]
    assert 'id="pq-cite-2-4"' in html and html.count('class="pq-card"') == 1  # the paragraph stays a card
    two = av.turn_panel(2, rows[:2])
    assert "pq-compact" not in two and two.count('<table class="pq-row">') == 2


def test_compact_columns_keep_short_and_numeric_columns():
    rows = [{"名称": "甲公司", "金额": "1.5", "说明": "很长的说明" * 10, "序号": "1"},
            {"名称": "乙公司", "金额": "2", "说明": "另一段很长的说明" * 10, "序号": "2"}]
    assert av.compact_columns(rows) == (["名称", "金额"], ["金额"])


def test_follow_ups_come_from_cited_sections_and_skip_the_asked_topic():
    cites = [_hit("demo-plan#p1.s0"), _hit("demo-plan#p0.s0"), _hit("demo-plan#t1.r2")]
    qs = av.follow_ups("5G基站有多少？", cites, referenced=[2])
    assert qs == ["“培育壮大优势产业集群”有哪些具体举措？", "“强化新型基础设施建设”有哪些具体举措？",
                  "“传统产业”有哪些项目？"]
    assert av.follow_ups("强化新型基础设施建设有哪些？", cites[:1]) == []
    assert av.topic("（六）强化新型基础设施建设") == "强化新型基础设施建设"
    assert av.topic("—产业创新转型实现新提升。") == "产业创新转型实现新提升"
    assert av.topic("五、重点任务") == "重点任务" and av.topic("1.工业质量效益稳步提升。") == "工业质量效益稳步提升"


def test_figures_by_year_show_as_a_table_with_their_citations() -> None:
    text = "按年份逐份回答（2份文件，2份有答案）：\n| 年份 | 文件 | 答案 |\n|---|---|---|\n| 2019年 | 《2019年政府工作报告》 | 增长6%－6.5%[1] |\n| 2020年 | 《2020年政府工作报告》 | 没有找到 |\n（出自《2019年政府工作报告》）"
    html = av.body_html(text)
    assert html.count("<table") == 1 and "<th>年份</th>" in html and "---" not in html
    assert "<td>增长6%－6.5%[1]</td>" in html and html.endswith("（出自《2019年政府工作报告》）")
    full = av.answer_html(text, [{"text": "国内生产总值增长6%－6.5%", "doc_id": "r2019"}])
    assert 'class="pq-ref' in full.split("<table")[1]
