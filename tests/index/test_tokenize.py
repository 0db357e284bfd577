import threading

import pytest

from index.tokenize import Tokenizer, find_highlights, stopwords


@pytest.fixture(scope="module")
def tok():
    return Tokenizer(["乾顺永磁", "中关村E谷"])


def test_drops_stopwords_and_punctuation(tok):
    toks = tok.tokens("2020年全区工业增加值是多少？")
    assert "是" not in toks and "多少" not in toks and "？" not in toks and "?" not in toks
    assert "工业增加值" in toks and "增加值" in toks and "2020" in toks


def test_numbers_and_ascii_words_kept(tok):
    toks = tok.tokens("建成5G基站4000个，L4级自动驾驶，增加值率达22.6%")
    for t in ("5g", "4000", "l4", "22.6"):
        assert t in toks


def test_year_range_compound(tok):
    assert "2021-2023" in tok.tokens("建设起止年限为2021-2023年")
    assert "2021-未知" in tok.tokens("2021-未知")


def test_same_tokens_for_traditional_and_simplified(tok):
    assert tok.tokens("上雲企業數量累計突破") == tok.tokens("上云企业数量累计突破")


def test_user_and_curated_words(tok):
    assert "乾顺永磁" not in tok.tokens("乾顺永磁公司")  # stored normalised
    assert "干顺永磁" in tok.tokens("乾顺永磁公司")
    assert "中关村e谷" in tok.tokens("中关村E谷航空产业")
    assert "专精特新" in tok.tokens("大力培育“专精特新”企业")
    assert "链长制" in tok.tokens("实施“链长制”")


def test_english_stopwords(tok):
    assert tok.tokens("How many 5G base stations by 2025?") == ["5g", "base", "stations", "2025"]
    assert "the" in stopwords()


def test_terms_for_highlighting(tok):
    terms = tok.terms("工业增加值是多少")
    assert terms[0] == "工业增加值"
    assert all(len(t) >= 2 for t in terms)


def test_find_highlights_merges_overlaps():
    text = "工业增加值达235.1亿元，增加值率达22.6%"
    hl = find_highlights(text, ["工业增加值", "增加值", "22.6"])
    assert [text[a:b] for a, b in hl] == ["工业增加值", "增加值", "22.6"]


def test_find_highlights_normalised():
    text = "國家級綠色工廠"
    assert find_highlights(text, ["国家级"]) == ((0, 3),)


def test_thread_safe(tok):
    text = "大力培育“专精特新”企业，实施“链长制”，建设国家级绿色工厂。" * 5
    expected = tok.tokens(text)
    results = []

    def work():
        for _ in range(50):
            results.append(tok.tokens(text) == expected)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results) and len(results) == 200


def test_private_dictionaries_do_not_leak():
    a = Tokenizer(["双鱼智联"])
    b = Tokenizer()
    assert "双鱼智联" in a.tokens("双鱼智联公司")
    assert "双鱼智联" not in b.tokens("双鱼智联公司")
