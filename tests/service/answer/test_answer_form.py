"""What a figure, date or name answer shows of its sentence: the clauses that say it, not an echo."""

from __future__ import annotations

from index.types import Hit
from ingest.model import Passage
from service.answer.compose import Evidence, answer_text
from service.answer.extractive import _clause_stands, _echoes, _widen, contradiction
from service.answer.question import analyse

TEXT = "张学良于1924年开始吸食鸦片，后来在协和医院戒除。"


def evidence(text: str, clause: str) -> Evidence:
    p = Passage(id="d#p0", doc_id="d", kind="paragraph", text=text, section=(), span=(0, len(text)), paragraph_id="p0")
    a = text.index(clause)
    return Evidence(hit=Hit(passage=p, score=1.0), rank=0, window=(a, a + len(clause)), score=1.0, coverage=1.0,
                    window_coverage=1.0, has_quantity=False, context="", sentence=(0, len(text)))


def test_a_clause_made_of_the_questions_own_words_does_not_stand() -> None:
    q = analyse("张学良在哪一年时开始吸食鸦片？")
    assert _echoes(q, "开始吸食鸦片")
    assert not _echoes(q, "后来在协和医院戒除")
    assert not _clause_stands(q, evidence("张学良开始吸食鸦片，后来在协和医院戒除。", "张学良开始吸食鸦片"))


def test_a_time_question_needs_a_time_in_the_clause_when_the_sentence_has_one() -> None:
    q = analyse("张学良什么时候去协和医院戒除的？")
    assert not _clause_stands(q, evidence(TEXT, "后来在协和医院戒除。"))
    assert _clause_stands(q, evidence("张学良1924年吸食鸦片，1934年去协和医院戒除。", "1934年去协和医院戒除。"))
    # no time anywhere in the sentence: the clause is the best there is
    assert _clause_stands(q, evidence("张学良吸食鸦片，后来去协和医院戒除。", "后来去协和医院戒除。"))


def test_the_window_grows_to_the_clause_holding_the_readers_span() -> None:
    e = evidence(TEXT, "后来在协和医院戒除。")
    start = TEXT.index("1924年")
    wide = _widen(e, (start, start + len("1924年")))
    assert wide.window == (0, len(TEXT))
    assert "1924年" in answer_text(wide) and "协和医院" in answer_text(wide)
    # a span already inside the window leaves it as it is
    inside = TEXT.index("协和医院")
    assert _widen(e, (inside, inside + 4)) is e


def test_a_figure_asked_and_none_in_the_evidence_is_not_an_answer() -> None:
    q = analyse("十四五期间计划引进多少名高端人才？")
    verdict = contradiction(q, evidence("深入实施人才行动计划，引进高端人才。", "引进高端人才。"))
    assert not verdict.grounded and verdict.reason == "相关段落没有给出所问的数值"
    # a figure in Chinese numerals, or a list that can be counted, is something to show
    assert contradiction(q, evidence("计划引进高端人才五百名。", "引进高端人才五百名。")).grounded
    assert contradiction(analyse("兼任几家骑士团的团长？"), evidence("他兼任圣乔治骑士团、圣斐迪南骑士团的团长。", "他兼任圣乔治骑士团、圣斐迪南骑士团的团长。")).grounded
