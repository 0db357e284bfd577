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
