"""The answer engine over arbitrary questions: it never fails, and every ``[n]`` it writes is a citation.

The engine answers from the hash-embedder index of the real plan; questions mix arbitrary
Unicode with pieces of the plan itself, question words and stray markers, so the table,
extractive and not-found paths are all reached.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.answer.engine import _chunks
from service.runtime import Runtime

EXAMPLES = 300
MARKER = re.compile(r"\[(\d+)\]")

ANY_CHAR = st.characters(codec=None, exclude_categories=())
QUESTION_WORDS = ["多少", "哪些", "是什么", "几个", "合计", "一共", "最大", "排名", "？", "?", "吗", "如何",
                  "How many", "what is", "[1]", "[99]", "【2】", "%", "亿元", "年", "以上"]


@pytest.fixture(scope="module")
def engine(hash_runtime: Runtime):
    return hash_runtime.engine


@pytest.fixture(scope="module")
def plan_text(hash_runtime: Runtime) -> str:
    return hash_runtime.document("dongli-14th-fyp-industry").text


def questions(plan: str) -> st.SearchStrategy[str]:
    piece = st.tuples(st.integers(0, len(plan) - 1), st.integers(1, 30)).map(lambda t: plan[t[0]:t[0] + t[1]])
    part = st.one_of(piece, st.sampled_from(QUESTION_WORDS), st.text(ANY_CHAR, max_size=12))
    return st.text(ANY_CHAR, max_size=200) | st.lists(part, min_size=1, max_size=6).map("".join)


ECHO = "文档中没有找到关于“"


def _own_text(text: str) -> str:
    """The answer without the question it quotes back when nothing was found (checked separately)."""
    if text.startswith(ECHO):
        return text[text.rfind("”的信息"):]
    return text


def _check(engine, question: str, top_k: int) -> None:
    ans = engine.ask(question, top_k=top_k)
    assert isinstance(ans.text, str) and ans.text
    assert not any(n.startswith("error:") for n in ans.notes), ans.notes  # the catch-all never ran
    # answers that enumerate (every row counted, every section of a heading, every report of a run)
    # cite each item they name; a question of several asks has up to top_k citations per ask
    asks = max([int(m.group(1)) for n in ans.notes if (m := re.match(r"part (\d+):", n))], default=1)
    assert len(ans.citations) <= max(top_k, 1) * asks or ans.kind in ("aggregate", "table_lookup", "outline", "across")
    for n in MARKER.findall(_own_text(ans.text)):
        assert 1 <= int(n) <= len(ans.citations), (question, ans.text)
    assert "".join(_chunks(ans.text)) == ans.text


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_question_gets_an_answer_whose_markers_are_citations(engine, plan_text: str, data) -> None:
    question = data.draw(questions(plan_text), label="question")
    top_k = data.draw(st.integers(1, 10), label="top_k")
    _check(engine, question, top_k)


@pytest.mark.parametrize("question", ["", " ", "\ud800", "[1][2][3]", "？？？", "。" * 2000, "a" * 2000,
                                      "高端装备制造类重大项目一共有多少个？[7]", "\x00\x01\x02"])
def test_edge_questions(engine, question: str) -> None:
    _check(engine, question, 5)


def test_a_marker_in_the_question_is_not_quoted_back_as_a_citation(engine) -> None:
    ans = engine.ask("[9]匿名条款是什么", top_k=1)
    assert all(1 <= int(n) <= len(ans.citations) for n in MARKER.findall(ans.text)), ans.text
