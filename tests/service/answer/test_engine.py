"""The answer engine end to end on the real plan with a small lexical retriever."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.textnorm import normalize
from ingest.model import Document
from ingest.pipeline import ingest_file
from service.answer import text as T
from service.answer.engine import Answer, AnswerEngine

from .conftest import BigramRetriever, BrokenRetriever, EmptyRetriever

MARKER = re.compile(r"\[(\d+)\]")


def check_markers(ans: Answer) -> None:
    for n in MARKER.findall(ans.text):
        assert 1 <= int(n) <= len(ans.citations), ans.text


@pytest.mark.parametrize(
    "question, figure, evidence",
    [
        ("2020年全区工业增加值是多少？", "235.1亿元", "工业增加值达235.1亿元"),
        ("市级企业技术中心有多少家？", "35家", "市级企业技术中心达到35家"),
        ("全区公交首末站安装了多少个充电设施？", "207个", "安装充电设施达207个"),
        ("世界智能驾驶挑战赛举办了几届？", "四届", "成功举办四届世界智能驾驶挑战赛"),
        ("十四五期间规模以上工业增加值年均增长目标是多少？", "6%", "年均增长6%"),
        ("华明高新区地区生产总值年均增长目标？", "7%", "力争地区生产总值年均增长7%"),
        ("园区规上工业企业数量占全区比重是多少？", "75.1%", "占全区比重的75.1%"),
        ("工业增加值占全区GDP比重是多少？", "36.1%", "占全区GDP比重36.1%"),
    ],
)
def test_figures_come_with_their_unit_from_the_evidence_cited_first(
    engine: AnswerEngine, question: str, figure: str, evidence: str
) -> None:
    ans = engine.ask(question)
    assert ans.grounded and ans.kind == "extractive"
    assert figure in ans.text and ans.text.count("[1]") == 1
    assert evidence in T.squash(ans.citations[0].passage.text)
    check_markers(ans)


@pytest.mark.parametrize(
    "question, expected",
    [
        ("高端医疗器械依托哪些企业？", "英诺美迪、博奥赛斯、中核同辐、信鸿医疗"),
        ("航空产业的龙头企业有哪些？", "航天精工、成立航空、航天和兴"),
        ("先进钢铁材料重点发展什么产品？", "超高强板"),
        ("要打造哪个千亿级产业集群？", "新材料1个千亿级产业集群"),
        ("智能网联汽车的五大关键要素是什么？", "车、路、云、网、图"),
        ("临空经济区要加快推动哪个重点项目落地？", "中关村E谷"),
    ],
)
def test_lists_and_entities(engine: AnswerEngine, question: str, expected: str) -> None:
    ans = engine.ask(question)
    assert ans.grounded and expected in ans.text
    assert expected.split("、")[0] in ans.citations[0].passage.text


def test_every_number_in_an_extractive_answer_is_in_the_cited_passage(engine: AnswerEngine) -> None:
    for q in ["2020年规上工业增加值率是多少？", "一重天津重工2020年产值多少？", "上云企业数量累计突破了多少家？",
              "天钢和钢管公司的炼铁炼钢产能压减到了多少？", "到2025年要建设完成多少个5G基站？"]:
        ans = engine.ask(q)
        assert ans.grounded, q
        cited = normalize(ans.citations[0].passage.text)
        for n in T.numbers(re.sub(r"\[\d+\]", "", ans.text)):
            assert n in cited, (q, n)


def test_the_evidence_is_highlighted(engine: AnswerEngine) -> None:
    ans = engine.ask("市级企业技术中心有多少家？")
    (a, b), = ans.citations[0].highlights
    assert "35家" in ans.citations[0].passage.text[a:b]


def test_traditional_question(engine: AnswerEngine) -> None:
    ans = engine.ask("上雲企業數量累計突破多少家？")
    assert ans.grounded and "100家" in ans.text


# ---- not in the document ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, why",
    [
        ("北京市计划建设多少个5G基站？", "北京"),  # the plan speaks of Dongli
        ("上海市2020年工业增加值是多少？", "上海"),
        ("东丽区2019年常住人口是多少？", ""),  # no population figure anywhere
        ("2018年全区工业总产值是多少？", ""),
        ("东丽区有多少所高校？", "高校"),
        ("十四五期间计划新增多少家上市公司？", ""),
        ("东丽区2030年规上工业增加值目标是多少？", "2030"),
    ],
)
def test_not_in_the_document(engine: AnswerEngine, question: str, why: str) -> None:
    ans = engine.ask(question)
    assert not ans.grounded and ans.kind == "not_found"
    assert ans.text.startswith("文档中没有找到")
    assert why in ans.text
    assert ans.citations  # the nearest passages are still shown
    assert "[" not in ans.text


def test_a_marker_typed_in_the_question_is_not_quoted_back(engine: AnswerEngine) -> None:
    ans = engine.ask("[9]匿名条款是什么", top_k=1)
    check_markers(ans)


def test_empty_evidence(docs: dict[str, Document]) -> None:
    eng = AnswerEngine({}, EmptyRetriever())
    ans = eng.ask("2020年全区工业增加值是多少？")
    assert not ans.grounded and ans.citations == []
    eng = AnswerEngine(docs, EmptyRetriever())  # the lexical safety net still finds it
    assert "235.1" in eng.ask("2020年全区工业增加值是多少？").text


def test_a_failing_retriever_is_not_an_error(docs: dict[str, Document]) -> None:
    eng = AnswerEngine(docs, BrokenRetriever())
    ans = eng.ask("2020年全区工业增加值是多少？")
    assert any("retrieval failed" in n for n in ans.notes)
    assert "235.1" in ans.text  # answered from the lexical candidates
    assert AnswerEngine(docs, None).ask("高端装备制造类重大项目一共有多少个？").grounded


# ---- table answers through the engine -------------------------------------------------------------
def test_table_answers_cite_row_passages(engine: AnswerEngine) -> None:
    ans = engine.ask("高端装备制造类重大项目一共有多少个？")
    assert ans.kind == "aggregate" and "19个" in ans.text
    assert all(h.passage.kind == "table_row" and h.passage.row is not None for h in ans.citations)
    assert len(ans.citations) == 19  # every counted row, not the retrieved top-k
    check_markers(ans)
    ans = engine.ask("公转铁建设项目十四五时期投资多少？", top_k=5)
    assert ans.kind == "table_lookup" and "0.875" in ans.text
    assert ans.citations[0].passage.row.cell("项目名称").text == "公转铁建设"
    assert len(ans.citations) == 5 and len({h.passage.id for h in ans.citations}) == 5


def test_total_row_is_cited_first(engine: AnswerEngine) -> None:
    ans = engine.ask("所有重大项目在十四五时期的投资合计多少亿元？")
    assert ans.citations[0].passage.row.is_total
    assert "95.9" in ans.citations[0].passage.text and "95.9亿元[1]" in ans.text


def test_doc_ids_restrict_the_answer(engine: AnswerEngine, plan: Document) -> None:
    ans = engine.ask("高端装备制造类重大项目一共有多少个？", doc_ids=["no-such-doc"])
    assert not ans.grounded
    ans = engine.ask("高端装备制造类重大项目一共有多少个？", doc_ids=[plan.doc_id])
    assert ans.grounded


# ---- streaming ------------------------------------------------------------------------------------
def test_stream_yields_the_text_then_the_answer(engine: AnswerEngine) -> None:
    items = list(engine.stream("高端医疗器械依托哪些企业？"))
    *chunks, final = items
    assert isinstance(final, Answer) and all(isinstance(c, str) for c in chunks)
    assert "".join(chunks) == final.text and len(chunks) > 1
    assert not any(re.search(r"\[\d*$", c) for c in chunks)  # a marker is never cut in two


def test_top_k_bounds(engine: AnswerEngine) -> None:
    for k in (1, 3, 10):
        ans = engine.ask("市级企业技术中心有多少家？", top_k=k)
        assert 1 <= len(ans.citations) <= k
    assert len(engine.ask("市级企业技术中心有多少家？", top_k=0).citations) >= 1


def test_retrieval_is_asked_once_for_a_text_question(docs: dict[str, Document]) -> None:
    r = BigramRetriever(docs)
    AnswerEngine(docs, r).ask("市级企业技术中心有多少家？")
    assert r.calls == 1


def test_a_term_the_plan_holds_verbatim_is_defined_from_its_sentence(engine: AnswerEngine) -> None:
    ans = engine.ask("链长制是什么？")
    assert ans.grounded and "链长制" in ans.text
    assert "链长制" in ans.citations[0].passage.text


def test_an_english_amount_without_its_figure_is_not_answered(engine: AnswerEngine) -> None:
    ans = engine.ask("What is the population of Dongli district?")
    assert not ans.grounded


def test_the_n_things_asked_are_answered_by_the_clause_listing_n(engine: AnswerEngine) -> None:
    ans = engine.ask("东丽区的四大主导产业是什么？")
    assert ans.grounded and "生物医药" in ans.text and "新材料" in ans.text


def test_a_document_about_a_city_answers_for_a_town_its_passage_names(tmp_path: Path) -> None:
    texts = {
        "city.txt": "新北市概况\n贡寮国际海洋音乐祭每年夏天在新北市贡寮区的福隆海水浴场举办，是台湾年度的摇滚音乐盛事。\n",
        "island.txt": "台湾岛概况\n台湾岛的中央山脉纵贯南北，玉山是岛上的最高峰，海拔3952米。\n",
    }
    for name, body in texts.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    docs = {d.doc_id: d for d in (ingest_file(tmp_path / n) for n in texts)}
    eng = AnswerEngine(docs, BigramRetriever(docs))
    assert [s.places for s in eng.corpus.scopes()] == [("新北",), ("台湾岛",)]
    ans = eng.ask("台湾的贡寮国际海洋音乐祭在哪里举办？")
    assert ans.grounded, ans.text
    assert ans.citations[0].passage.doc_id == "city"
