"""The answers to the asks of a question joined into one, with one citation list."""

from __future__ import annotations

from dataclasses import dataclass, field

from index.types import Hit
from ingest.model import Document
from service.answer.joined import covers, join
from service.answer.parts import Part


@dataclass
class Got:
    text: str
    grounded: bool
    citations: list[Hit]
    kind: str = "extractive"
    notes: list[str] = field(default_factory=list)


def hits(plan: Document, *ids: str) -> list[Hit]:
    by_id = {p.id: p for p in plan.passages}
    return [Hit(by_id[i], 1.0) for i in ids]


PARTS = [Part("甲？", "甲？"), Part("乙？", "乙？", leans=True)]


def test_join_renumbers_citations_and_lists_a_shared_one_once(small_plan: Document) -> None:
    r1, r2, r3, p1 = "parts-plan#t1.r1", "parts-plan#t1.r2", "parts-plan#t1.r3", "parts-plan#p1.s1"
    a = Got("A[1]、B[2]。", True, hits(small_plan, r1, r2), kind="aggregate")
    b = Got("B合计[2]、C[1]。", True, hits(small_plan, r3, r2, p1), kind="aggregate")
    j = join(PARTS, [a, b], top_k=5)
    assert j.text == "A[1]、B[2]。\nB合计[2]、C[3]。"
    assert [h.passage.id for h in j.citations] == [r1, r2, r3, p1]  # the uncited one last
    assert j.grounded and j.kind == "aggregate"


def test_join_keeps_highlights_of_both_parts(small_plan: Document) -> None:
    (p,) = hits(small_plan, "parts-plan#t1.r1")
    a = Got("A[1]。", True, [Hit(p.passage, 1.0, ((0, 4),))])
    b = Got("A合计[1]。", True, [Hit(p.passage, 1.0, ((10, 12),))])
    assert join(PARTS, [a, b]).citations[0].highlights == ((0, 4), (10, 12))


def test_one_sentence_answering_both_asks_is_shown_once(small_plan: Document) -> None:
    cite = hits(small_plan, "parts-plan#p1.s1")
    a = Got("工业总产值达到120亿元[1]。", True, cite)
    b = Got("工业总产值达到120亿元，比上年增长8.5%[1]。", True, cite)
    assert join(PARTS, [a, b]).text == "工业总产值达到120亿元，比上年增长8.5%[1]。"
    assert join(PARTS, [b, a]).text == "工业总产值达到120亿元，比上年增长8.5%[1]。"


def test_a_part_not_found_makes_the_answer_ungrounded_and_is_named(small_plan: Document) -> None:
    a = Got("工业总产值达到120亿元[1]。", True, hits(small_plan, "parts-plan#p1.s1"))
    b = Got("文档中没有找到关于“常住人口”的信息。以下是最相近的段落，供核对。", False, hits(small_plan, "parts-plan#p2.s1"),
            kind="not_found")
    parts = [Part("工业总产值是多少？", "工业总产值是多少？"), Part("常住人口有多少？", "常住人口有多少？")]
    j = join(parts, [a, b])
    assert not j.grounded and j.kind == "not_found"
    assert j.text == "工业总产值达到120亿元[1]。\n“常住人口有多少”：文档中没有找到关于“常住人口”的信息。"
    assert [h.passage.id for h in j.citations] == ["parts-plan#p1.s1", "parts-plan#p2.s1"]


def test_parts_answered_differently_say_so(small_plan: Document) -> None:
    a = Got("A[1]。", True, hits(small_plan, "parts-plan#t1.r1"), kind="aggregate")
    b = Got("B[1]。", True, hits(small_plan, "parts-plan#p1.s1"), kind="extractive")
    assert join(PARTS, [a, b]).kind == "parts"


def test_an_answer_covers_an_ask_when_its_sources_hold_what_the_ask_names(small_plan: Document) -> None:
    ans = Got("2020年，示范区工业总产值达到120亿元，比上年增长8.5%[1]。", True, hits(small_plan, "parts-plan#p1.s1"))
    assert covers(ans, Part("比上年增长了多少？", "比上年增长了多少？"))
    assert not covers(ans, Part("常住人口有多少？", "常住人口有多少？"))
    # uncited sources do not count
    uncited = Got("文档中没有找到。", False, hits(small_plan, "parts-plan#p1.s1"))
    assert not covers(uncited, Part("比上年增长了多少？", "比上年增长了多少？"))


def test_two_columns_of_one_row_read_as_one_sentence(small_plan: Document) -> None:
    cite = hits(small_plan, "parts-plan#t1.r1")
    a = Got("“甲项目”的预计总投资为2.5亿元[1]。", True, cite, kind="table_lookup")
    b = Got("“甲项目”的建设起止年限为2021-2023[1]。", True, cite, kind="table_lookup")
    assert join(PARTS, [a, b]).text == "“甲项目”的预计总投资为2.5亿元，建设起止年限为2021-2023[1]。"
    other = Got("“乙项目”的建设起止年限为2022-2024[1]。", True, hits(small_plan, "parts-plan#t1.r2"))
    assert join(PARTS, [a, other]).text.count("\n") == 1
