"""Scanned PDFs: OCR with Tesseract (chi_sim), the same layout cleanup, and a clear error without OCR."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from evaluation import formats
from index.exact import ExactPhraseSearch
from ingest import ocr
from ingest.errors import IngestError
from ingest.pipeline import ingest_file
from ingest.summary import document_summary

PLAN = Path(__file__).resolve().parents[2] / "corpus" / "dongli-14th-fyp-industry.txt"

TSV = "\n".join([
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
    "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t",
    "5\t1\t1\t1\t1\t1\t300\t400\t120\t50\t96.5\t到",
    "5\t1\t1\t1\t1\t2\t420\t400\t200\t50\t91.0\t2025年，",
    "5\t1\t1\t1\t1\t3\t620\t402\t100\t48\t88.0\t5G",
    "5\t1\t1\t1\t1\t4\t730\t400\t150\t50\t90.5\t基站",
    "5\t1\t1\t1\t2\t1\t300\t480\t80\t50\t95.0\tIPv6",
    "5\t1\t1\t1\t2\t2\t390\t480\t80\t50\t-1\t ",
    "5\t1\t1\t1\t2\t3\t400\t480\t90\t50\t93.0\tuser",
])


def test_tsv_words_become_positioned_lines():
    lines, confs = ocr.parse_tsv(TSV, 72 / 300)
    assert [ln.text for ln in lines] == ["到2025年，5G基站", "IPv6 user"]
    first = lines[0]
    assert (first.x0, first.x1) == pytest.approx((300 * 0.24, 880 * 0.24))
    assert (first.top, first.bottom) == pytest.approx((400 * 0.24, 450 * 0.24))
    assert confs == [96.5, 91.0, 88.0, 90.5, 95.0, 93.0]


def test_tsv_words_keep_their_boxes_confidences_and_lines_shifted_onto_the_page():
    words = ocr.parse_words(TSV, 72 / 300, dx=100, dy=50)
    assert [(w.text, w.confidence, w.line) for w in words] == [
        ("到", 96.5, (1, 1, 1)), ("2025年，", 91.0, (1, 1, 1)), ("5G", 88.0, (1, 1, 1)), ("基站", 90.5, (1, 1, 1)),
        ("IPv6", 95.0, (1, 1, 2)), ("user", 93.0, (1, 1, 2)),
    ]
    assert (words[0].x0, words[0].top) == pytest.approx((100 + 300 * 0.24, 50 + 400 * 0.24))
    assert [ln.text for ln in ocr.lines_of(words)] == ["到2025年，5G基站", "IPv6 user"]


def test_words_join_without_spaces_between_chinese():
    assert ocr.join_words(["建设", "完成", "4000", "个", "5G", "基站"]) == "建设完成4000个5G基站"
    assert ocr.join_words(["smart", "city", "智慧", "city"]) == "smart city智慧city"
    assert ocr.join_words(["坚持", "“建”", "“用”", "并重"]) == "坚持“建”“用”并重"
    assert ocr.join_words(["“5G+X", "”", "应用"]) == "“5G+X”应用"


def _scan(path: Path) -> Path:
    """An image-only PDF: a page of 'print' with no text layer."""
    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    for y in range(200, 1500, 60):
        draw.rectangle((150, y, 1090, y + 30), fill=0)
    image.save(path, format="PDF", resolution=150)
    return path


def test_a_scan_without_ocr_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    path = _scan(tmp_path / "scan.pdf")
    with pytest.raises(IngestError) as err:
        ingest_file(path)
    assert str(err.value) == (
        f"{path}: the PDF has no text layer (a scanned document?) and OCR is not available: install "
        "Tesseract with its Simplified Chinese model (Debian: tesseract-ocr tesseract-ocr-chi-sim)"
    )


def test_a_pdf_with_nothing_on_it_is_an_error(tmp_path):
    from fpdf import FPDF

    blank = tmp_path / "empty.pdf"
    pdf = FPDF()
    pdf.add_page()
    pdf.output(str(blank))
    with pytest.raises(IngestError) as err:
        ingest_file(blank)
    assert str(err.value) == f"{blank}: the PDF has no text"


@pytest.mark.slow
@pytest.mark.skipif(not ocr.available(), reason="tesseract with chi_sim is not installed")
@pytest.mark.skipif(formats.chromium() is None, reason="chromium is not installed")
def test_two_scanned_pages_of_the_plan_are_read(tmp_path):
    printed = formats.text_file_to_pdf(PLAN, tmp_path)
    text_doc = ingest_file(printed)
    page = next(p.page for p in text_doc.passages if "4000个5G基站" in p.text)
    scan = formats.image_only_pdf(printed, tmp_path / "scan.pdf", [page, page + 1], dpi=200)

    doc = ingest_file(scan)
    summary = document_summary(doc)
    assert summary["format"] == "pdf" and summary["pages"] == 2
    assert summary["ocr"] is True and summary["ocr_pages"] == 2
    assert summary["ocr_confidence"] > 80
    assert summary["header_footer_lines"] >= 2
    assert "file://" not in doc.text

    answer = [p for p in doc.passages if "4000个5G基站" in p.text]
    assert len(answer) == 1 and answer[0].page == 1
    assert "到2025年，建设完成4000个5G基站" in answer[0].text
    hits = ExactPhraseSearch([doc]).find("建设完成4000个5G基站")
    assert hits.total == 1 and hits.hits[0].passage.id == answer[0].id


def _watermarked_scan(path: Path, tmp_path: Path) -> Path:
    """A page image covering the page, plus a scanning app's one-line text watermark."""
    from fpdf import FPDF

    image = tmp_path / "page.png"
    Image.new("L", (620, 877), 230).save(image)
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.image(str(image), x=0, y=0, w=210, h=297)
    pdf.set_font("Helvetica", size=8)
    pdf.set_xy(150, 285)
    pdf.cell(0, 5, "Scanned by ScanApp")
    pdf.output(str(path))
    return path


def test_a_scan_with_a_watermark_is_still_ocred(tmp_path, monkeypatch):
    asked: list[list[int]] = []

    def fake_read(data: bytes, pages: list[int], name: str) -> ocr.OcrResult:
        asked.append(pages)
        line = ocr.OcrLine(100, 112, 72, 500, "到2025年，建设完成4000个5G基站。")
        return ocr.OcrResult((ocr.OcrPage(1, 595.0, 842.0, (line,), (90.0,)),), 90.0, "tesseract test")

    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "read_pdf_pages", fake_read)
    doc = ingest_file(_watermarked_scan(tmp_path / "scan.pdf", tmp_path))
    assert asked == [[1]]
    assert doc.text == "到2025年，建设完成4000个5G基站。\n"
    assert (doc.meta["ocr"], doc.meta["ocr_confidence"]) == (True, 90.0)


def test_without_ocr_a_watermarked_scan_keeps_its_text_layer(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    doc = ingest_file(_watermarked_scan(tmp_path / "scan.pdf", tmp_path))
    assert doc.text == "Scanned by ScanApp\n"
    assert doc.meta["ocr"] is False and doc.meta["pages_without_text"] == [1]
