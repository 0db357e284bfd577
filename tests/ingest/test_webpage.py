"""Saved web pages: the article without navigation, menus and footer; headings from the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.exact import ExactPhraseSearch
from ingest.errors import IngestError
from ingest.pipeline import ingest_file

PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>“十四五”数字经济发展规划_政府信息公开</title></head>
<body>
<div class="header"><a href="/">首页</a> | <a href="/zc">政策</a> | <a href="/xw">新闻</a> | <a href="/fw">服务</a></div>
<nav><ul><li><a href="/a">国务院</a></li><li><a href="/b">总理</a></li><li><a href="/c">新闻</a></li>
<li><a href="/d">政策</a></li><li><a href="/e">互动</a></li><li><a href="/f">服务</a></li></ul></nav>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zc">政策</a> &gt; 正文</div>
<article>
<h1>“十四五”数字经济发展规划</h1>
<p>数字经济是继农业经济、工业经济之后的主要经济形态，是以数据资源为关键要素的新经济形态。</p>
<h2>一、发展现状和形势</h2>
<h3>（一）发展现状</h3>
<p>“十三五”时期，我国深入实施数字经济发展战略，不断完善数字基础设施，加快培育新业态新模式。</p>
<p>信息基础设施全球领先。建成全球规模最大的光纤和第四代移动通信网络，5G网络建设和应用加速推进。</p>
<h3>（二）面临形势</h3>
<p>当前，新一轮科技革命和产业变革深入发展，数字化转型已经成为大势所趋。</p>
<h2>二、总体要求</h2>
<p>到2025年，数字经济核心产业增加值占国内生产总值比重达到10%，数据要素市场体系初步建立。</p>
<table>
<tr><td>指标</td><td>2020年</td><td>2025年</td></tr>
<tr><td>IPv6活跃用户数（亿户）</td><td>4.6</td><td>8</td></tr>
<tr><td>千兆宽带用户数（万户）</td><td>640</td><td>6000</td></tr>
</table>
</article>
<div class="share">分享到：微信 微博 QQ空间</div>
<footer><p>版权所有：中国政府网 | 京ICP备05070218号 | 联系我们 | 网站地图</p>
<p>主办单位：国务院办公厅 运行维护单位：中国政府网运行中心</p></footer>
</body></html>
"""


def _save(path: Path, charset: str = "utf-8", encoding: str = "utf-8") -> Path:
    path.write_bytes(PAGE.format(charset=charset).encode(encoding))
    return path


@pytest.mark.parametrize(("name", "charset", "encoding"), [("plan.html", "utf-8", "utf-8"), ("plan.htm", "gb2312", "gb18030")])
def test_article_without_navigation_and_footer(tmp_path, name, charset, encoding):
    doc = ingest_file(_save(tmp_path / name, charset, encoding))
    assert doc.meta["format"] == "html"
    assert "数字经济是继农业经济" in doc.text
    for chrome in ("首页", "当前位置", "分享到", "版权所有", "京ICP备", "运行维护单位"):
        assert chrome not in doc.text, chrome


def test_headings_come_from_the_page_structure(tmp_path):
    doc = ingest_file(_save(tmp_path / "plan.html"))
    assert [(h.level, h.text) for h in doc.headings] == [
        (0, "“十四五”数字经济发展规划"),
        (1, "一、发展现状和形势"),
        (2, "（一）发展现状"),
        (2, "（二）面临形势"),
        (1, "二、总体要求"),
    ]
    assert doc.title == "“十四五”数字经济发展规划"
    sections = {p.text: p.section for p in doc.passages if p.kind == "paragraph"}
    assert sections["当前，新一轮科技革命和产业变革深入发展，数字化转型已经成为大势所趋。"] == (
        "一、发展现状和形势", "（二）面临形势"
    )


def test_tables_and_exact_search(tmp_path):
    doc = ingest_file(_save(tmp_path / "plan.html"))
    assert len(doc.tables) == 1
    assert [c.text for c in doc.tables[0].rows[1].cells] == ["千兆宽带用户数（万户）", "640", "6000"]
    search = ExactPhraseSearch([doc])
    assert search.find("核心产业增加值占国内生产总值比重达到10%").total == 1
    assert search.find("京ICP备").total == 0


def test_a_page_without_article_text_is_an_error(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav><a href='/'>首页</a></nav></body></html>", encoding="utf-8")
    with pytest.raises(IngestError) as err:
        ingest_file(path)
    assert str(err.value) == f"{path}: the page has no article text"
