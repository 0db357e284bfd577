"""Fixed-size chunking of the peer pipelines, and their fusion."""

from __future__ import annotations

import pytest

from evaluation.chunks import chunk_all, chunk_text, windows
from evaluation.peers import rrf


def test_windows_overlap_and_cover_the_text():
    assert windows(10, 4, 1) == [(0, 4), (3, 7), (6, 10)]
    assert windows(3, 250, 50) == [(0, 3)]
    assert windows(0, 250, 50) == []
    ws = windows(1234, 250, 50)
    assert ws[0] == (0, 250) and ws[-1][1] == 1234
    assert all(b[0] == a[0] + 200 for a, b in zip(ws, ws[1:], strict=False))
    assert all(a[1] - b[0] == 50 for a, b in zip(ws, ws[1:], strict=False))


@pytest.mark.parametrize(("size", "overlap"), [(0, 0), (10, 10), (10, -1)])
def test_windows_reject_bad_sizes(size, overlap):
    with pytest.raises(ValueError):
        windows(100, size, overlap)


def test_chunks_keep_offsets_and_drop_blank_windows():
    text = "甲乙丙丁戊己庚辛" + " " * 8 + "壬癸"
    chunks = chunk_text("doc", text, 8, 0)
    assert [c.text for c in chunks] == ["甲乙丙丁戊己庚辛", "壬癸"]
    assert all(text[c.start : c.end] == c.text for c in chunks)
    assert chunks[1].id == "doc#c2" and chunks[1].source == "doc"


def test_chunk_all_keeps_sources_apart():
    chunks = chunk_all([("a", "x" * 5), ("b", "y" * 5)], 4, 2)
    assert [c.source for c in chunks] == ["a", "a", "b", "b"]
    assert all(set(c.text) == {"x"} for c in chunks if c.source == "a")


def test_rrf_rewards_agreement():
    assert rrf([[1, 2, 3], [3, 1, 2]])[0] == 1
    assert rrf([[7], []]) == [7]
    assert set(rrf([[1, 2], [3]])) == {1, 2, 3}


def test_the_naive_baseline_encodes_every_text_a_build_embeds() -> None:
    from evaluation.buildspeed import build_texts, embedded_texts
    from index.units import sentence_units
    from ingest.pipeline import ingest_text

    doc = ingest_text("d", "规划", "一、总体要求\n\n到2025年，建成5G基站4000个。培育专精特新企业10家。\n\n"
                                   "到2025年，建成5G基站4000个。")
    texts = build_texts([doc])
    assert len(texts) == len(set(texts))
    assert set(embedded_texts([doc])) <= set(texts)
    sentences = {u for p in doc.passages for u in sentence_units(p.text)}
    assert "培育专精特新企业10家。" in sentences and sentences <= set(texts)
