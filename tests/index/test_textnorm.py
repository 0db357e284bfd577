from hypothesis import given
from hypothesis import strategies as st

from index.textnorm import normalize
from ingest.unify import unify, unify_changes


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


# What pdfplumber returns for a Chromium-printed plan (Noto CJK): each compatibility code point
# and the ordinary character a reader types.
PDF_CODE_POINTS = [
    ("\u2f17", "\u5341"),  # ⼗ KANGXI RADICAL TEN → 十
    ("\u2f00", "\u4e00"),  # ⼀ KANGXI RADICAL ONE → 一
    ("\u2f08", "\u4eba"),  # ⼈ KANGXI RADICAL MAN → 人
    ("\u2ea0", "\u6c11"),  # ⺠ CJK RADICAL CIVILIAN → 民
    ("\u2ed3", "\u957f"),  # ⻓ CJK RADICAL C-SIMPLIFIED LONG → 长
    ("\u2ecb", "\u8f66"),  # ⻋ CJK RADICAL C-SIMPLIFIED CART → 车
    ("\u2f79", "\u7f51"),  # ⽹ KANGXI RADICAL NET → 网
    ("\u2f40", "\u652f"),  # ⽀ KANGXI RADICAL BRANCH → 支
    ("\u2f83", "\u81ea"),  # ⾃ KANGXI RADICAL SELF → 自
    ("\uf9b4", "\u9818"),  # 領 CJK COMPATIBILITY IDEOGRAPH-F9B4 → 領 (then 领)
    ("\u2e3a", "\u2014"),  # ⸺ TWO-EM DASH → —
    ("\u2e3b", "\u2014"),  # ⸻ THREE-EM DASH → —
    ("\u2015", "\u2014"),  # ― HORIZONTAL BAR → —
]


def test_pdf_compatibility_code_points_unify_one_by_one():
    for raw, typed in PDF_CODE_POINTS:
        assert unify(raw) == typed, f"U+{ord(raw):04X}"
        assert normalize(raw) == normalize(typed), f"U+{ord(raw):04X}"


def test_pdf_text_layer_reads_as_typed():
    layer = "\u2f17\u56db\u4e94 \u2f08\u2ea0\u653f\u5e9c \u2f00\u3001\u53d1\u5c55\u73b0\u72b6"
    assert normalize(layer) == normalize("十四五 人民政府 一、发展现状")
    assert normalize("――") == normalize("——") == "——"


def test_unify_leaves_ordinary_text_alone():
    s = "规上工业增加值率达22.6%，“十三五”——國家"
    assert unify(s) == s and unify_changes(s) == 0
    assert unify_changes("\u2f17\u56db\u2ea0") == 2


def test_every_compatibility_code_point_reaches_a_unified_ideograph():
    for cp in [*range(0x2E81, 0x2EF4), *range(0x2F00, 0x2FD6)]:
        if cp == 0x2E9A:  # unassigned
            continue
        out = unify(chr(cp))
        assert 0x3400 <= ord(out) <= 0x3FFFF and out != chr(cp), f"U+{cp:04X}"
