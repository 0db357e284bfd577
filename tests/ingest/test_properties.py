"""Properties of sentence splitting, passage grouping and the whole pipeline over arbitrary Unicode."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.errors import IngestError
from ingest.pipeline import ingest_paths, ingest_text
from ingest.sentences import MAX_PASSAGE_CHARS, group_sentences, split_sentences

PLAN_CHARS = (
    "发展目标重点任务工业增加值亿元年均增长达到以上项目投资建设推进产业园区"
    "。！？；!?，,“”‘’「」『』（）()【】《》〈〉［］…"
    "0123456789.%一二三四五六七八九十、 \t\n\u3000"
)
ANY_CHAR = st.characters(codec=None, exclude_categories=())
WORDS = st.text(st.sampled_from(PLAN_CHARS) | ANY_CHAR, min_size=1, max_size=40)
# Lines shaped like a plan: numbered headings, sentences, table cells separated by tabs.
LINE = st.one_of(
    st.tuples(st.sampled_from(["一、", "（二）", "第三章 ", "1.", "## ", ""]), WORDS).map("".join),
    st.lists(WORDS, min_size=1, max_size=6).map("。".join),
    st.lists(WORDS, min_size=2, max_size=6).map("\t".join),
    st.just(""),
)
DOCUMENT = st.lists(LINE, max_size=40).map("\n".join)
TEXT = st.text(ANY_CHAR, max_size=400) | st.text(st.sampled_from(PLAN_CHARS) | ANY_CHAR, max_size=1500) | DOCUMENT
# What a loader can hand the pipeline: decoded text never holds a lone surrogate.
DECODED = TEXT.map(lambda t: "".join(c for c in t if not 0xD800 <= ord(c) <= 0xDFFF))

EXAMPLES = 300


@settings(max_examples=EXAMPLES, deadline=None)
@given(TEXT)
def test_sentences_cover_the_text_in_order(text: str) -> None:
    spans = split_sentences(text)
    last = 0
    for s, e in spans:
        assert last <= s < e <= len(text)  # in order, disjoint, never empty
        last = e
    covered = set()
    for s, e in spans:
        covered.update(range(s, e))
    # Every character outside the spans is whitespace between sentences.
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=600), max_size=60))
def test_groups_partition_sentences_within_the_limit(lengths: list[int]) -> None:
    groups = group_sentences(lengths)
    assert [i for a, b in groups for i in range(a, b)] == list(range(len(lengths)))
    for a, b in groups:
        assert b > a
        assert b - a == 1 or sum(lengths[a:b]) <= MAX_PASSAGE_CHARS


@settings(max_examples=EXAMPLES, deadline=None)
@given(DECODED)
def test_pipeline_passages_are_non_empty_slices_of_the_document(text: str) -> None:
    try:
        doc = ingest_text("prop", None, text)
    except IngestError as e:
        assert not text.strip() or e.reason
        return
    last_paragraph_start = -1
    for p in doc.passages:
        a, b = p.span
        assert 0 <= a < b <= len(doc.text)
        assert p.text.strip()
        if p.kind == "paragraph":
            assert doc.text[a:b] == p.text
            assert a >= last_paragraph_start
            last_paragraph_start = a
    for para in doc.paragraphs:
        inside = [p for p in doc.passages if p.paragraph_id == para.id]
        assert inside, f"paragraph {para.id} has no passage"


@pytest.mark.parametrize("text", ["。", "“。”", "（", "……", "a.b. c", "1.5。2.5", "\u3000。\u3000"])
def test_edge_cases_from_the_properties(text: str) -> None:
    for s, e in split_sentences(text):
        assert text[s:e].strip()


def test_jsonl_line_with_a_lone_surrogate_is_reported_not_fatal(tmp_path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": "bad", "text": "\\ud800规划"}\n{"id": "good", "text": "发展规划。"}\n', encoding="utf-8")
    report = ingest_paths([path])
    assert [d.doc_id for d in report.documents] == ["good"]
    assert len(report.errors) == 1 and str(report.errors[0]).startswith(str(path))


def test_ingest_text_refuses_a_lone_surrogate_with_an_ingest_error() -> None:
    with pytest.raises(IngestError) as err:
        ingest_text("x", None, "规划\ud800")
    assert err.value.reason == "the text contains an unpaired surrogate U+D800; it is not valid Unicode"
