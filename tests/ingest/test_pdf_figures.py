"""Pictures inside text pages — a table and a 专栏 box printed as images — read by OCR."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from evaluation import formats
from index.exact import ExactPhraseSearch
from index.serialize import document_from_dict, document_to_dict
from ingest import ocr
from ingest.clean import clean_text
from ingest.pipeline import ingest_file
from ingest.summary import document_summary

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SC = 2  # the Simplified Chinese face of the collection

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(formats.chromium() is None, reason="chromium is not installed"),
    pytest.mark.skipif(not ocr.available(), reason="tesseract with chi_sim is not installed"),
    pytest.mark.skipif(not FONT.is_file(), reason="the Noto CJK fonts are not installed"),
]

DPI = 200
TABLE = [
    ["指标", "2020年", "2025年", "属性"],
    ["地区生产总值增长", "2.3", "6.5", "预期性"],
    ["全员劳动生产率增长", "2.5", "6.0", "预期性"],
    ["常住人口城镇化率", "60.6", "65.0", "预期性"],
    ["研发经费投入增长", "10.3", "7.0", "预期性"],
]
BOX = ["专栏2 重大工程", "建设国家实验室和重大科技基础设施。", "推进新型基础设施建设，新增5G基站60万个。"]
PLAN = Path(__file__).resolve().parents[2] / "corpus" / "dongli-14th-fyp-industry.txt"
# Twelve paragraphs of the plan, long enough to wrap over several lines each.
PARAGRAPHS = [ln.strip() for ln in clean_text(PLAN.read_text(encoding="utf-8")).text.splitlines() if len(ln.strip()) > 120][:12]


def _font(pt: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size=round(pt / 72 * DPI), index=SC)


def _px(pt: float) -> int:
    return round(pt / 72 * DPI)


def _table_png(path: Path) -> Path:
    """A ruled table under its box title, as a picture."""
    widths, row, pad = [_px(w) for w in (150, 70, 70, 70)], _px(24), _px(8)
    image = Image.new("L", (sum(widths) + 2 * pad, 2 * pad + row * (len(TABLE) + 1)), 255)
    draw = ImageDraw.Draw(image)
    draw.text((pad, pad), "专栏1 主要指标", font=_font(12), fill=0)
    top = pad + row
    for i in range(len(TABLE) + 1):
        draw.line((pad, top + i * row, pad + sum(widths), top + i * row), fill=0, width=3)
    x = pad
    for w in (0, *widths):
        x += w
        draw.line((x, top, x, top + row * len(TABLE)), fill=0, width=3)
    for i, cells in enumerate(TABLE):
        x = pad
        for w, cell in zip(widths, cells, strict=True):
            draw.text((x + _px(5), top + i * row + _px(5)), cell, font=_font(11), fill=0)
            x += w
    image.save(path, dpi=(DPI, DPI))
    return path


def _box_png(path: Path) -> Path:
    """A framed box of text lines, as a picture."""
    pad, line = _px(10), _px(20)
    image = Image.new("L", (_px(360), 2 * pad + line * len(BOX)), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((2, 2, image.width - 3, image.height - 3), outline=0, width=3)
    for i, text in enumerate(BOX):
        draw.text((pad, pad + i * line), text, font=_font(11), fill=0)
    image.save(path, dpi=(DPI, DPI))
    return path


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    d = tmp_path_factory.mktemp("figures")
    table, box = _table_png(d / "table.png"), _box_png(d / "box.png")
    paragraphs = [f"<p>{html.escape(text)}</p>" for text in PARAGRAPHS]
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>规划</title><style>{formats.PAGE_STYLE}"
        "img{display:block;margin:6pt 0}</style></head><body>"
        + "".join(paragraphs[:3])
        + f"<img src='{table.name}' style='width:{Image.open(table).width / DPI * 72:.0f}pt'>"
        + "".join(paragraphs[3:6])
        + f"<img src='{box.name}' style='width:{Image.open(box).width / DPI * 72:.0f}pt'>"
        + "".join(paragraphs[6:])
        + "</body></html>"
    )
    (d / "plan.html").write_text(page, encoding="utf-8")
    return ingest_file(formats.print_pdf(d / "plan.html", d / "plan.pdf"))


def test_a_table_picture_becomes_typed_rows_with_confidences(doc):
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert table.headers == tuple(TABLE[0])
    assert table.title == "专栏1主要指标"
    assert table.numeric_headers == ("2020年", "2025年")
    assert [r.cell("2020年").number for r in table.rows] == [2.3, 2.5, 60.6, 10.3]
    assert [r.cell("2025年").number for r in table.rows] == [6.5, 6.0, 65.0, 7.0]
    assert all(r.confidence is not None and 60 < r.confidence <= 100 for r in table.rows)
    rows = [p for p in doc.passages if p.kind == "table_row"]
    assert [p.row for p in rows] == list(table.rows)
    assert {p.page for p in rows} == {rows[0].page} and isinstance(rows[0].page, int)


def test_a_box_picture_becomes_passages(doc):
    hits = ExactPhraseSearch([doc]).find("新增5G基站60万个")
    assert hits.total == 1
    assert hits.hits[0].passage.kind == "paragraph"
    assert ExactPhraseSearch([doc]).find("建设国家实验室和重大科技基础设施").total == 1


def test_the_text_around_the_pictures_is_kept_whole(doc):
    search = ExactPhraseSearch([doc])
    assert len(PARAGRAPHS) == 12
    assert [search.find(text).total for text in PARAGRAPHS] == [1] * 12


def test_the_summary_reports_the_pictures_read(doc):
    s = document_summary(doc)
    assert (s["ocr_figures"], s["ocr_figure_tables"]) == (2, 1)
    assert 60 < s["ocr_figure_confidence"] <= 100
    assert s["ocr"] is False and s["tables"] == 1


def test_row_confidences_survive_the_index(doc):
    assert document_from_dict(document_to_dict(doc)) == doc
