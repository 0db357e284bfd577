import pytest

from index.exact import ExactPhraseSearch, section_at, synthesize_uncovered
from index.textnorm import normalize


@pytest.fixture
def exact(docs):
    return ExactPhraseSearch(docs, [s for d in docs for s in synthesize_uncovered(d)])


def sliced(hit):
    (a, b), = hit.highlights
    return hit.passage.text[a:b]


def test_every_occurrence_in_document_order(exact, docs):
    res = exact.find("专精特新")
    expected = sum(normalize(d.text).count("专精特新") for d in docs)
    assert res.total == expected == len(res.hits) == 4
    assert res.per_doc == {"plan": 3, "other": 1}
    assert [h.passage.id for h in res.hits] == ["plan#p1.s3", "plan#p3.s1", "plan#t1.r3", "other#p1.s1"]
    assert all(sliced(h) == "专精特新" for h in res.hits)


def test_table_row_occurrence_maps_to_cell(exact):
    res = exact.find("天津军电热电")
    (hit,) = res.hits
    assert hit.passage.kind == "table_row"
    assert sliced(hit) == "天津军电热电"
    a, _ = hit.highlights[0]
    assert hit.passage.text[:a].endswith("项目法人（筹建）单位：")


def test_traditional_and_full_width_queries(exact):
    res = exact.find("國家級綠色工廠")
    assert res.total == 1 and sliced(res.hits[0]) == "国家级绿色工厂"
    assert exact.find("５Ｇ基站").total == 1


def test_heading_and_title_occurrences_get_synthesised_passages(exact, docs):
    res = exact.find("重大项目")
    (hit,) = res.hits
    assert hit.passage.id.startswith("plan#h") and hit.passage.text == "东丽区重大项目列表"
    assert hit.passage.kind == "paragraph"
    assert hit.passage.section == ("一、发展回顾", "（二）重点任务")
    doc = docs[0]
    a, b = hit.passage.span
    assert doc.text[a:b] == hit.passage.text
    res = exact.find("发展基础")
    (hit,) = res.hits
    assert hit.passage.text == "（一）发展基础" and hit.passage.section == ("一、发展回顾",)
    assert sliced(hit) == "发展基础"


def test_counts_match_normalised_text_for_many_phrases(exact, docs):
    for phrase in ("发展", "工业", "2021", "有限公司", "。", "项目名称", "十三五"):
        res = exact.find(phrase)
        assert res.total == sum(normalize(d.text).count(normalize(phrase)) for d in docs), phrase
        assert len(res.hits) == res.total
        for h in res.hits:
            assert normalize(sliced(h)) == normalize(phrase), (phrase, h.passage.id)


def test_limit_doc_filter_and_search(exact):
    res = exact.find("专精特新", limit=2)
    assert res.total == 4 and len(res.hits) == 2
    assert exact.find("专精特新", doc_ids=["other"]).per_doc == {"other": 1}
    assert [h.passage.id for h in exact.search("专精特新", top_k=1)] == ["plan#p1.s3"]
    assert exact.find("", ).total == 0 and exact.find("   ").hits == ()
    assert exact.find("不存在的短语").total == 0


def test_synthesised_passages_cover_every_line(docs):
    doc = docs[0]
    covered = [p.span for p in doc.passages] + [s.span for s in synthesize_uncovered(doc)]
    mask = [False] * len(doc.text)
    for a, b in covered:
        for i in range(a, b):
            mask[i] = True
    assert all(m or c.isspace() for m, c in zip(mask, doc.text, strict=True))
    ids = [s.id for s in synthesize_uncovered(doc)]
    assert ids == [f"plan#h{i}" for i in range(len(ids))]


def test_section_at(docs):
    hs = docs[0].headings
    assert section_at(hs, hs[1].span[0]) == ("一、发展回顾", "（一）发展基础")
    assert section_at(hs, hs[1].span[0], include_at=False) == ("一、发展回顾",)
