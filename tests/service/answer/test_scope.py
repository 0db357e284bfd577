"""Which documents a question is about: places by tag and suffix, the country by its usual words."""

from __future__ import annotations

import pytest

from service.answer.scope import DocScope, document_scope, find_places, preferred_documents, question_scope


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("西青区今年工业增加值多少", ("西青",)),
        ("上海市的5G基站有多少", ("上海",)),
        ("河北区的项目有几个？", ("河北区",)),  # a district named like a province keeps its suffix
        ("河北省的钢铁产量", ("河北",)),
        ("滨海新区有什么规划", ("滨海新区",)),
        ("全区工业园区有多少个", ()),
        ("华明高新区在哪", ()),
    ],
)
def test_find_places(text: str, places: tuple[str, ...]) -> None:
    assert find_places(text) == places


def test_document_scope_from_title_or_opening() -> None:
    assert any("浦东新区" in p for p in document_scope("a", "上海市浦东新区“十四五”工业发展规划", "").places)
    national = document_scope("b", "2022_government_work_report", "政府工作报告\n国务院总理……在全国人民代表大会上")
    assert national.national and national.places == ()


@pytest.mark.parametrize(
    ("question", "national"),
    [("2021年全国粮食总产量是多少？", True), ("我国的养老服务格局", True), ("国家级专精特新企业有多少家", False)],
)
def test_question_scope(question: str, national: bool) -> None:
    assert question_scope(question).national is national


def test_preferred_documents() -> None:
    scopes = [DocScope("district", ("滨海",), False), DocScope("country", (), True)]
    assert preferred_documents(question_scope("全国粮食总产量是多少？"), scopes) == ["country"]
    assert preferred_documents(question_scope("滨海新区的5G基站有多少个？"), scopes) == ["district"]
    assert preferred_documents(question_scope("5G基站有多少个？"), scopes) is None
    assert preferred_documents(question_scope("全国粮食总产量是多少？"), scopes[:1]) is None


def test_a_verb_the_tagger_knows_as_a_county_is_no_place() -> None:
    assert find_places("全国今年要新建多少个5G基站？") == ()
    assert find_places("美国的5G基站有多少") == ("美国",)


def test_conflicts() -> None:
    from service.answer.scope import conflicts

    district, country, plain = DocScope("d", ("滨海",), False), DocScope("c", (), True), DocScope("p", (), False)
    assert conflicts(question_scope("全国粮食总产量是多少？"), district)
    assert not conflicts(question_scope("全国粮食总产量是多少？"), country)
    assert not conflicts(question_scope("全国粮食总产量是多少？"), plain)
    assert conflicts(question_scope("上海市的5G基站有多少"), district)
    assert not conflicts(question_scope("滨海新区的5G基站有多少"), district)
