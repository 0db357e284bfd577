"""Sentence splitting and grouping."""

from __future__ import annotations

from ingest.sentences import MAX_PASSAGE_CHARS, MAX_SENTENCE_CHARS, group_sentences, split_sentences


def _split(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_splits_after_chinese_terminators():
    assert _split("第一句。第二句！第三句？第四句；第五句") == [
        "第一句。",
        "第二句！",
        "第三句？",
        "第四句；",
        "第五句",
    ]


def test_closing_quotes_and_ellipsis_stay_with_their_sentence():
    assert _split("他说：“我们要努力。坚持下去！”然后离开。还有很多……。结束") == [
        "他说：“我们要努力。坚持下去！”",
        "然后离开。",
        "还有很多……。",
        "结束",
    ]
    assert _split("他说了很多。……然后") == ["他说了很多。……", "然后"]


def test_never_inside_quotes_or_parentheses():
    text = "落实“坚持创新；引领发展”要求（注：含A项；B项。）。下一句。"
    assert _split(text) == ["落实“坚持创新；引领发展”要求（注：含A项；B项。）。", "下一句。"]
    assert _split("深入落实《规划（2021-2025)》。好。") == ["深入落实《规划（2021-2025)》。", "好。"]


def test_numbers_are_never_split():
    assert _split("增长3.5%，达到1.2亿元。占比22.6%。") == ["增长3.5%，达到1.2亿元。", "占比22.6%。"]


def test_unmatched_quote_does_not_swallow_the_paragraph():
    assert _split("“未闭合的引号。下一句。") == ["“未闭合的引号。", "下一句。"]


def test_latin_sentences():
    assert _split("Growth was 3.5 percent. Plants opened.") == ["Growth was 3.5 percent.", "Plants opened."]


def test_an_initial_or_a_title_does_not_end_a_sentence():
    text = "这个计划由Andrew W. Mellon Foundation共同主持。Dr. Smith was there. I agree."
    assert _split(text) == ["这个计划由Andrew W. Mellon Foundation共同主持。", "Dr. Smith was there.", "I agree."]


def test_whitespace_between_sentences_is_left_out():
    text = "第一句。 第二句。"
    assert split_sentences(text) == [(0, 4), (5, 9)]


def test_overlong_sentence_is_split_at_commas_only_as_a_last_resort():
    clause = "推进产业协同发展" * 4 + "，"
    long = clause * 20 + "完成。"
    assert len(long) > MAX_SENTENCE_CHARS
    pieces = _split(long)
    assert "".join(pieces) == long
    assert len(pieces) >= 2 and all(len(p) <= MAX_SENTENCE_CHARS for p in pieces)
    assert all(p.endswith("，") for p in pieces[:-1])
    moderate = clause * 9 + "完成。"
    assert MAX_PASSAGE_CHARS < len(moderate) <= MAX_SENTENCE_CHARS
    assert _split(moderate) == [moderate]


def test_grouping_keeps_passages_short_and_balanced():
    assert group_sentences([]) == []
    assert group_sentences([50, 50, 50]) == [(0, 3)]
    assert group_sentences([120, 110]) == [(0, 1), (1, 2)]
    assert group_sentences([250]) == [(0, 1)]
    assert group_sentences([30, 250, 30]) == [(0, 1), (1, 2), (2, 3)]
    groups = group_sentences([100, 100, 100, 100, 100])
    assert len(groups) == 3
    # Balanced: no group falls far below the others.
    assert group_sentences([150, 40, 40, 150]) in ([(0, 2), (2, 4)],)
    lengths = [60, 70, 80, 90, 30, 20, 150, 10]
    groups = group_sentences(lengths)
    assert groups[0][0] == 0 and groups[-1][1] == len(lengths)
    assert all(a[1] == b[0] for a, b in zip(groups, groups[1:], strict=False))
    assert all(sum(lengths[a:b]) <= MAX_PASSAGE_CHARS for a, b in groups)
