"""Properties of the normaliser and the tokeniser over arbitrary Unicode (lone surrogates included)."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import given, settings
from hypothesis import strategies as st

from index.textnorm import normalize
from index.tokenize import Tokenizer, find_highlights

PLAN_CHARS = (
    "十四五规划工业增加值亿元万吨年均增长率达到以上重点项目投资合计高端装备制造新能源汽车"
    "國家級綠色工廠數據產業發展區域東麗一二三四五六七八九十百千万０１２３４５６７８９"
    "ＡＢＣａｂｃ５Ｇ　，。；：！？“”（）《》、%．.-–—～至到2021-2025年"
)
# Every code point hypothesis can make, lone surrogates too (the HTTP edge refuses them, the
# core must still not break on them).
ANY_CHAR = st.characters(codec=None, exclude_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=300)
PLANLIKE = st.text(st.sampled_from(PLAN_CHARS) | ANY_CHAR, max_size=300)
TEXT = ANY_TEXT | PLANLIKE

EXAMPLES = 300


@lru_cache(maxsize=1)
def tokenizer() -> Tokenizer:
    return Tokenizer(["高端装备制造", "东丽区"])


@settings(max_examples=EXAMPLES, deadline=None)
@given(TEXT)
def test_normalize_keeps_length_and_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert len(once) == len(text)
    assert normalize(once) == once


@settings(max_examples=EXAMPLES, deadline=None)
@given(TEXT)
def test_normalize_changes_characters_one_for_one(text: str) -> None:
    out = normalize(text)
    for a, b in zip(text, out, strict=True):
        assert b == a or normalize(a) == b


@settings(max_examples=EXAMPLES, deadline=None)
@given(TEXT)
def test_tokens_are_non_empty_normalised_strings_without_spaces(text: str) -> None:
    for tok in tokenizer().tokens(text):
        assert isinstance(tok, str) and tok
        assert tok == tok.strip() and not any(c.isspace() for c in tok)
        assert normalize(tok) == tok


@settings(max_examples=EXAMPLES, deadline=None)
@given(TEXT, st.lists(TEXT, max_size=5))
def test_highlights_are_sorted_disjoint_ranges_inside_the_text(text: str, queries: list[str]) -> None:
    terms = [t for q in queries for t in tokenizer().terms(q)] + tokenizer().terms(text[:20])
    spans = find_highlights(text, terms)
    last = -1
    for a, b in spans:
        assert 0 <= a < b <= len(text)
        assert a > last
        last = b


ALL_CODE_POINTS = "".join(map(chr, range(0x110000)))


def test_every_code_point_maps_to_one_character() -> None:
    assert len(normalize(ALL_CODE_POINTS)) == len(ALL_CODE_POINTS)


def test_every_code_point_normalises_idempotently() -> None:
    once = normalize(ALL_CODE_POINTS)
    twice = normalize(once)
    assert [f"U+{ord(a):04X}" for a, b, c in zip(ALL_CODE_POINTS, once, twice, strict=True) if b != c] == []
