"""PDFs printed by headless Chromium with CJK fonts, as users make them, read back by the PDF loader."""

from __future__ import annotations

import html
from pathlib import Path

import pdfplumber
import pytest

from evaluation import formats
from index.exact import ExactPhraseSearch
from index.serialize import passage_from_dict, passage_to_dict
from ingest.pipeline import ingest_file
from ingest.summary import document_summary

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(formats.chromium() is None, reason="chromium is not installed"),
]

SECTIONS = [
    ("一、“十四五”发展基础", [
        ("（一）发展成就", "“十三五”时期，全区人民政府坚持稳中求进，规上工业增加值率达22.6%，累计建成2122个5G基站，"
         "网络强国战略部署全面落实，自治区级重点项目加快建设，支撑作用明显增强。"),
        ("（二）面临形势", "当前国际环境复杂多变，新一轮科技革命和产业变革深入发展——这为产业升级带来新的机遇。"),
    ]),
    ("二、“十四五”总体目标", [
        ("（一）发展目标", "到2025年，建设完成4000个5G基站，规模以上工业增加值达到310亿元，年均增长6%。"),
        ("（二）保障措施", "健全组织协调机制，强化生产要素保障，不断优化营商环境，切实保障安全生产。"),
    ]),
]


def _page_html(repeat: int) -> str:
    body = []
    for chapter, sections in SECTIONS:
        body.append(f"<h2>{html.escape(chapter)}</h2>")
        for heading, text in sections:
            body.append(f"<h3>{html.escape(heading)}</h3>")
            body.extend(f"<p>{html.escape(text)}</p>" for _ in range(repeat))
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>东丽区规划</title>"
        f"<style>{formats.PAGE_STYLE}</style></head><body>" + "\n".join(body) + "</body></html>"
    )


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Path:
    """A 3-page PDF (each section's paragraph repeated so the text spans pages)."""
    d = tmp_path_factory.mktemp("chromium")
    page = d / "plan.html"
    page.write_text(_page_html(repeat=14), encoding="utf-8")
    return formats.print_pdf(page, d / "plan.pdf")


@pytest.fixture(scope="module")
def doc(printed):
    return ingest_file(printed)


def test_the_text_layer_holds_compatibility_code_points(printed):
    with pdfplumber.open(printed) as pdf:
        layer = "".join(p.extract_text() for p in pdf.pages)
    # The fixture this loader exists for: Noto CJK's shared glyphs come back as radicals.
    assert "\u2f17" in layer  # ⼗ for 十
    assert "\u2f00" in layer  # ⼀ for 一
    assert "\u2ea0" in layer  # ⺠ for 民
    assert "\u2e3a" in layer  # ⸺ for ——


def test_ingested_text_has_the_characters_a_reader_types(doc):
    assert not any(0x2E80 <= ord(c) <= 0x2FDF or c == "\u2e3a" for c in doc.text)
    for word in ("十四五", "人民政府", "网络强国", "自治区", "支撑", "——这为"):
        assert word in doc.text, word
    assert doc.meta["normalised_chars"] > 100


def test_headers_footers_and_page_numbers_are_gone(doc, printed):
    assert doc.meta["pages"] >= 3
    assert doc.meta["header_footer_lines"] == 2 * doc.meta["pages"]
    assert "file://" not in doc.text and "东丽区规划" not in doc.text
    assert f"1/{doc.meta['pages']}" not in doc.text


def test_headings_are_recognised(doc):
    expected = [(1, c) for c, _ in SECTIONS]
    got = [(h.level, h.text) for h in doc.headings]
    assert [h for h in got if h[0] == 1] == expected
    assert [h for h in got if h[0] == 2] == [(2, h) for _, s in SECTIONS for h, _ in s]


def test_wrapped_lines_make_whole_paragraphs(doc):
    paragraph = SECTIONS[0][1][0][1]
    assert sum(1 for p in doc.paragraphs if p.text == paragraph) == 14
    search = ExactPhraseSearch([doc])
    assert search.find("累计建成2122个5G基站").total == 14
    assert search.find("建设完成4000个5G基站").total == 14


def test_passages_carry_their_pages(doc):
    pages = [p.page for p in doc.passages]
    assert all(isinstance(n, int) for n in pages)
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] == doc.meta["pages"]
    last = doc.passages[-1]
    assert passage_from_dict(passage_to_dict(last)) == last


def test_summary_reports_how_the_pdf_was_read(doc):
    s = document_summary(doc)
    assert s["format"] == "pdf" and s["pages"] == doc.meta["pages"] and s["ocr"] is False
    assert s["header_footer_lines"] == 2 * s["pages"] and s["normalised_chars"] > 100


@pytest.mark.parametrize("txt", formats.DOCUMENTS, ids=lambda p: p.stem)
def test_real_documents_as_pdf_match_the_text(txt, shared_dir, tmp_path):
    if not txt.is_file():
        pytest.skip(f"{txt} is absent")
    wanted = formats.phrases(sorted((shared_dir / "eval").glob("dev_qa*.jsonl")))
    row = formats.compare(ingest_file(txt), ingest_file(formats.text_file_to_pdf(txt, tmp_path)), wanted)
    assert row["heading_diff"] == [] and row["headings_equal"]
    assert row["phrase_mismatches"] == []
    assert row["phrase_counts_equal"] == row["phrases"] and row["phrases_in_txt"] >= 35
