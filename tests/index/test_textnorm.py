from hypothesis import given
from hypothesis import strategies as st

from index.textnorm import normalize


def test_traditional_to_simplified():
    assert normalize("國家級綠色工廠") == "国家级绿色工厂"
    assert normalize("上雲企業數量累計突破多少家？") == "上云企业数量累计突破多少家?"


def test_full_width_and_case():
    assert normalize("ＡＢＣ５Ｇ　Ｌ４") == "abc5g l4"
    assert normalize("How Many 5G") == "how many 5g"
    assert normalize("１２３．５％") == "123.5%"


def test_simplified_text_unchanged():
    s = "规上工业增加值率达22.6%，比“十二五”末提高3.7个百分点"
    assert normalize(s) == s.replace("，", ",")


def test_ambiguous_character_takes_first_candidate():
    # 乾 → 干 (first of 干/乾); the same mapping applies to documents and queries.
    assert normalize("乾顺") == "干顺"


@given(st.text())
def test_length_preserved(s):
    assert len(normalize(s)) == len(s)


def test_non_ascii_case_untouched():
    assert normalize("İstanbul ÄÖ") == "İstanbul ÄÖ"
