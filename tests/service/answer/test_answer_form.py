"""What a figure, date or name answer shows of its sentence: the clauses that say it, not an echo."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from index.types import Hit
from ingest.model import Passage
from ingest.pipeline import ingest_text
from service.answer import evidence as E
from service.answer import text as T
from service.answer.compose import Evidence, answer_text
from service.answer.corpus import Corpus
from service.answer.extractive import (
    SHORT_SENTENCE,
    Extractor,
    _clause_stands,
    _echoes,
    _widen,
    contradiction,
)
from service.answer.question import analyse

TEXT = "张学良于1924年开始吸食鸦片，后来在协和医院戒除。"
# the same story told at length: a sentence long enough to be cut into clauses
LONG = "张学良于1924年在奉天的帅府中开始吸食鸦片，此后多年深受其害而身体日渐衰弱，几次想戒都没有成功，1934年从欧洲考察归来以后，终于下定决心前往上海的协和医院戒除。"


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
    assert len(LONG) > SHORT_SENTENCE
    assert not _clause_stands(q, evidence(LONG, "终于下定决心前往上海的协和医院戒除。"))
    assert _clause_stands(q, evidence(LONG, "1934年从欧洲考察归来以后，终于下定决心前往上海的协和医院戒除。"))
    # no time anywhere in the sentence: the clause is the best there is
    undated = LONG.replace("于1924年", "").replace("1934年", "")
    assert _clause_stands(q, evidence(undated, "终于下定决心前往上海的协和医院戒除。"))


def test_a_short_sentence_is_shown_whole() -> None:
    q = analyse("元帝对哪一个地区给予了特别的关注？")
    text = "岭北行省是皇室的根本之地，元帝对这个地区给予了特别的关注。"
    assert len(text) <= SHORT_SENTENCE
    assert not _clause_stands(q, evidence(text, "元帝对这个地区给予了特别的关注。"))


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


# A paragraph long enough to be cut into two passages; the sentence about the wall opens the second.
WALL = (
    "1989年，东德各地爆发了大规模的和平示威游行，要求政府放宽出行限制并推动政治改革，参加的民众一度达到数十万人之多。"
    "为了平息游行，执政党罢免了总书记的职务，并宣布将修改出境旅行的有关规定，然而局势并没有因此得到缓和，反而愈演愈烈，"
    "各地的示威人数一周比一周多，要求开放边境和举行自由选举的呼声也越来越高，执政党内部的分歧随之公开化。"
    "同年11月9日，柏林围墙倒塌。东德随后与西德开始了统一的谈判，双方就货币、经济和社会的统一签订了条约。"
)


def sentence_evidence(doc_text: str, sentence: str) -> tuple[Extractor, Evidence]:
    doc = ingest_text("wall", "柏林围墙", doc_text)
    corpus = Corpus({doc.doc_id: doc})
    p = next(p for p in doc.passages if sentence in p.text)
    a = p.text.index(sentence)
    e = replace(evidence(p.text, sentence), hit=Hit(passage=p, score=1.0), sentence=(a, a + len(sentence)))
    return Extractor(corpus, None, None, None, 10), e  # type: ignore[arg-type]


def test_a_date_answer_without_its_year_is_read_with_the_sentences_back_to_the_year() -> None:
    ex, e = sentence_evidence(WALL, "同年11月9日，柏林围墙倒塌。")
    before = ex._antecedents(analyse("柏林围墙在哪一年倒塌？"), e)
    assert [b.sentence_text[:5] for b in before] == ["1989年", "为了平息游"]
    # the year sits in the passage before the answer's own
    assert before[0].hit.passage.id != e.hit.passage.id
    # "同年" is read back to its year whatever is asked
    assert len(ex._antecedents(analyse("柏林围墙怎么样了？"), e)) == 2
    # a duration is not a date: an undated sentence is shown alone
    ex, e = sentence_evidence(WALL, "东德随后与西德开始了统一的谈判，双方就货币、经济和社会的统一签订了条约。")
    assert ex._antecedents(analyse("统一的谈判进行了多久？"), e) == []
    # asked for its date, it reaches back at most two sentences; its year is three back
    assert ex._antecedents(analyse("统一的谈判是哪一年开始的？"), e) == []


def test_a_year_too_far_back_adds_nothing() -> None:
    further = WALL.replace("为了平息游行", "东欧多国的局势也在变化。为了平息游行")
    ex, e = sentence_evidence(further, "同年11月9日，柏林围墙倒塌。")
    assert ex._antecedents(analyse("柏林围墙在哪一年倒塌？"), e) == []


def test_a_sentence_opening_with_a_pronoun_is_read_with_the_one_before() -> None:
    text = "1991年8月6日，他在新闻组上贴出了介绍万维网项目的文章。这一天也标志着万维网公共服务的首次亮相。"
    ex, e = sentence_evidence(text, "这一天也标志着万维网公共服务的首次亮相。")
    before = ex._antecedents(analyse("万维网公共服务的首个网页是什么？"), e)
    assert [b.sentence_text for b in before] == ["1991年8月6日，他在新闻组上贴出了介绍万维网项目的文章。"]
    ex, e = sentence_evidence(text, "1991年8月6日，他在新闻组上贴出了介绍万维网项目的文章。")
    assert ex._antecedents(analyse("万维网项目的文章贴在哪里？"), e) == []
    # "此外" (besides) adds to what came before; it does not point back at it
    text = "园区引进了三家研发机构。此外，园区建成了两座孵化器，面积共五万平方米。"
    ex, e = sentence_evidence(text, "此外，园区建成了两座孵化器，面积共五万平方米。")
    assert ex._antecedents(analyse("园区建成了几座孵化器？"), e) == []


def test_a_date_is_a_year_of_any_era_not_a_relative_time_or_a_duration() -> None:
    for dated in ("1388年，李成桂回军", "民国38年", "昭和四十九年10月", "清同治年间", "20世纪初", "1960年代", "到2025年"):
        assert T.has_date(dated), dated
    for undated in ("同年10月", "三年", "这年间", "十四五期间", "五年级", "5月20日"):
        assert not T.has_date(undated), undated


def test_a_sentence_leaned_on_is_shown_once() -> None:
    text = "1991年8月6日，他在新闻组上贴出了介绍万维网项目的文章。这一天也标志着万维网公共服务的首次亮相。"
    ex, lean = sentence_evidence(text, "这一天也标志着万维网公共服务的首次亮相。")
    _, first = sentence_evidence(text, "1991年8月6日，他在新闻组上贴出了介绍万维网项目的文章。")
    first = replace(first, hit=lean.hit)
    q = analyse("万维网公共服务是怎样首次亮相的？")
    # the model rates both: the description answer holds both sentences, the leaned-on one once
    scored = E.Scored([lean, first], np.array([0.9, 0.85]), np.zeros((2, 1)), 0.9, 0.5)
    out = ex._compose(q, scored, 5, [])
    assert out.text.count("1991年8月6日") == 1 and out.text.count("这一天") == 1
    # rated alone, the sentence is read with the one it leans on
    alone = E.Scored([lean], np.array([0.9]), np.zeros((1, 1)), 0.9, 0.5)
    text = ex._compose(q, alone, 5, []).text
    assert text.index("1991年8月6日") < text.index("这一天")
