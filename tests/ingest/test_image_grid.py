"""The ruled grid of a table image and OCRed words put into its cells."""

from __future__ import annotations

from PIL import Image, ImageDraw

from ingest.image_grid import ImageGrid, read_grid, rules
from ingest.ocr import OcrWord

# A 3-column table of 4 ruled rows at x 20–620, rows 60 px high from y 100; the last row is one
# cell across the table (a merged category row).
XS, YS = (20, 220, 420, 620), (100, 160, 220, 280, 340)


def _table() -> Image.Image:
    image = Image.new("L", (640, 380), 255)
    draw = ImageDraw.Draw(image)
    for y in YS:
        draw.line((XS[0], y, XS[-1], y), fill=0, width=3)
    for x in XS:
        bottom = YS[-1] if x in (XS[0], XS[-1]) else YS[-2]
        draw.line((x, YS[0], x, bottom), fill=0, width=3)
    # Text-like ink inside a cell: short strokes with gaps, never a rule.
    for x in range(40, 200, 24):
        draw.rectangle((x, 120, x + 14, 140), fill=0)
    return image


def _word(text: str, col: int, row: int, conf: float, dx: int = 0, line: int = 1) -> OcrWord:
    x0, top = XS[col] + 10 + dx, YS[row] + 15
    return OcrWord(top, top + 25, x0, x0 + 20 * len(text), text, conf, (row, col, line))


def test_rules_are_found_and_text_is_not_one():
    horizontal, bands = rules(_table())
    assert horizontal == list(YS)
    assert bands[:3] == [list(XS)] * 3
    assert bands[3] == [XS[0], XS[-1]]


def test_words_go_to_the_cells_holding_them_with_each_rows_confidence():
    words = [
        _word("指标", 0, 0, 90), _word("2020年", 1, 0, 80), _word("2025年", 2, 0, 70),
        _word("地区生产", 0, 1, 96), _word("总值", 0, 1, 94, dx=85), _word("2.3", 1, 1, 92), _word("6.5", 2, 1, 88),
        _word("城镇化率", 0, 2, 60), _word("60.6", 1, 2, 50),
        _word("以上为预期性指标", 0, 3, 85),
        _word("注", 0, 4, 99),  # below the grid: not a row
    ]
    grid = read_grid(_table(), words, scale=1.0)
    assert grid == ImageGrid(
        rows=(("指标", "2020年", "2025年"), ("地区生产总值", "2.3", "6.5"), ("城镇化率", "60.6", ""),
              ("以上为预期性指标", "", "")),
        confidence=(80.0, 92.5, 55.0, 85.0),
        top=100.0,
        bottom=340.0,
    )


def test_a_frame_around_a_box_is_not_a_table():
    image = Image.new("L", (400, 200), 255)
    ImageDraw.Draw(image).rectangle((2, 2, 397, 197), outline=0, width=3)
    assert read_grid(image, [OcrWord(50, 70, 20, 100, "专栏", 95, (1, 1, 1))], scale=1.0) is None
