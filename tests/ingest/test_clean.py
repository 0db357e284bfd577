"""Cleaning keeps offsets."""

from __future__ import annotations

from ingest.clean import clean_text


def test_bookmarks_and_export_artefacts_are_removed():
    raw = " [bookmark: _Toc1][bookmark: _Hlk2]一、总则\r\n[bookmark: _Hlk3]正文。\r\n\t[bookmark: _Hlk4]单元格\n\ufeff"
    cleaned = clean_text(raw)
    assert cleaned.text == "一、总则\n正文。\n\t单元格\n"


def test_raw_offsets_map_back():
    raw = "[bookmark: _Toc1]一、总则\r\n[bookmark: _Hlk3]正文。"
    cleaned = clean_text(raw)
    for i, ch in enumerate(cleaned.text):
        if ch != "\n":
            assert raw[cleaned.raw_offset(i)] == ch
    assert cleaned.removed_chars == len(raw) - len(cleaned.text)


def test_text_without_artefacts_is_unchanged():
    text = "一、总则\n（一）目标\n内容 [不是书签] 。\n"
    cleaned = clean_text(text)
    assert cleaned.text == text and cleaned.removed == ()


def test_lone_carriage_returns_become_newlines():
    assert clean_text("第一行\r第二行").text == "第一行\n第二行"


def test_compatibility_ideographs_and_dashes_become_what_a_reader_types():
    # Code points as a PDF text layer holds them: ⼀ ⼗ ⺠ ⽹ and the two-em dash ⸺.
    raw = "\u2f00\u3001\u201c\u2f17\u56db\u4e94\u201d\n\u2f08\u2ea0\u653f\u5e9c\u2e3a\u2f79\u7edc"
    cleaned = clean_text(raw)
    assert cleaned.text == "一、“十四五”\n人民政府——网络"
    assert cleaned.normalised_chars == 6


def test_raw_offsets_map_back_across_a_lengthened_dash():
    raw = "[bookmark: _Toc1]\u2e3a\u2f17\u56db\u4e94\u2e3b\u7ed3\u675f"
    cleaned = clean_text(raw)
    assert cleaned.text == "——十四五——结束"
    back = [raw[cleaned.raw_offset(i)] for i in range(len(cleaned.text))]
    assert back == ["\u2e3a", "\u2e3a", "\u2f17", "四", "五", "\u2e3b", "\u2e3b", "结", "束"]
    assert cleaned.removed_chars == len("[bookmark: _Toc1]")
