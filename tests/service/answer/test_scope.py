"""Which documents a question is about: places by tag and suffix, the country by its usual words."""

from __future__ import annotations

import pytest

from service.answer import scope
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
    [("2021年全国粮食总产量是多少？", True), ("我国的养老服务格局", True), ("国家级专精特新企业有多少家", False),
     ("中央财政安排了多少资金？", True), ("国家对中小企业有哪些支持？", True),
     ("锦标赛在哪一个国家举行？", False), ("中国科大的学生有多少？", False), ("中国人民大学在哪里？", False),
     ("全国有多少所中国人民大学这样的高校？", True), ("有几个国家参加？", False), ("老城中央的钟楼建于何时？", False)],
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


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("需要准备什么东西？", ()),  # an ordinary word the tagger's dictionary lists as a place
        ("建设美丽乡村有什么措施？", ()),
        ("元朝在全国设置多少个行省？", ()),  # 行省 is one word: "多少个行" is no name
        ("他在杭州省立学校读书", ("杭州",)),  # 省立 is one word: 杭州 is the name, not "在杭州"
        ("台湾哪一县市的医院最多？", ("台湾",)),
        ("安徽省黄山市有几个县", ("安徽", "黄山")),
    ],
)
def test_places_follow_the_words_of_the_question(text: str, places: tuple[str, ...]) -> None:
    assert find_places(text) == places


def test_a_document_is_about_the_place_its_title_lines_name_not_its_body() -> None:
    assert "西青" in document_scope("a", "plan", "天津市西青区工业发展规划\n一、发展基础\n……").places
    body = "蒸汽机车在英国发明，后来传到印度和中国，至今仍在部分山区铁路上使用，成为旅游项目的一部分，每年吸引了来自世界各地的很多游客前来乘坐和参观。"
    assert document_scope("b", "蒸汽机车", body).places == ()


def test_question_words_before_a_suffix_are_no_place() -> None:
    assert find_places("中国铁路通车里程最长的省份是哪一个省？") == ("中国",)


def test_a_document_about_another_place_answers_when_its_evidence_names_the_place_asked() -> None:
    from service.answer.scope import conflicts

    city = DocScope("city", ("新北市",), False)
    q = question_scope("贡寮国际海洋音乐祭在哪里举办？", ("贡寮",))
    assert conflicts(q, city)
    assert not conflicts(q, city, lambda p: p in "贡寮国际海洋音乐祭每年在贡寮海水浴场举办。")
    assert conflicts(q, city, lambda p: p in "新北市是台湾人口最多的城市。")
    # the country is never read off a district's passage
    assert conflicts(question_scope("全国粮食总产量是多少？"), city, lambda p: True)


@pytest.mark.parametrize(("title", "opening", "years"), [
    ("某市“十四五”工业发展规划", "", tuple(range(2021, 2026))),
    ("国民经济和社会发展第十一个五年规划纲要", "", tuple(range(2006, 2011))),
    ("某省职业教育改革实施方案（2019—2022年）", "", (2019, 2020, 2021, 2022)),
    ("2025年某省政府工作报告", "2025年某省政府工作报告\n2025年1月20日在某省人民代表大会上", (2024, 2025)),
    ("政府工作报告", "政府工作报告\n——2019年3月5日在第十三届全国人民代表大会第二次会议上", (2018, 2019)),
    ("政府工作报告", "各位代表：\n现在，我代表国务院，向大会报告政府工作，请予审议。", ()),
])
def test_document_years_from_title_and_opening_lines(title: str, opening: str, years: tuple[int, ...]) -> None:
    """A dated report speaks for its year and the one it reviews; a plan for its whole period."""
    assert scope.document_years(title, opening) == years


def test_a_place_is_in_a_documents_scope_when_it_is_or_holds_the_documents_place() -> None:
    doc = scope.document_scope("hn", "2025年海南省政府工作报告", "")
    assert scope.place_in_scope("海南岛", doc) and scope.place_in_scope("海南", doc)
    assert not scope.place_in_scope("广东", doc) and not scope.place_in_scope("海南", None)
