"""Follow-ups are completed from the previous question; standalone questions are left alone."""

from __future__ import annotations

import pytest

from service.answer.followup import is_followup, resolve, subject

PREV = ["首钢集团有哪些项目，总投资多少？"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("那其中2021年开工的有哪些？", "首钢集团项目中2021年开工的有哪些？"),
        ("其中哪些在2022年完工？", "首钢集团项目中哪些在2022年完工？"),
        ("它的总投资呢？", "首钢集团项目的总投资是多少？"),
        ("总投资呢？", "首钢集团项目的总投资是多少？"),
    ],
)
def test_followups_take_the_previous_subject(question: str, expected: str) -> None:
    assert resolve(question, PREV) == expected


@pytest.mark.parametrize("question", ["东丽区的人口是多少？", "到2025年要建设多少个5G基站？", "该区有多少家企业？"])
def test_standalone_questions_are_not_followups(question: str) -> None:
    assert not is_followup(question)
    assert resolve(question, PREV) is None


def test_no_history_no_resolution() -> None:
    assert resolve("那其中2021年开工的有哪些？", []) is None
    assert resolve("那其中2021年开工的有哪些？", None) is None


def test_a_chain_of_followups_goes_back_to_the_last_full_question() -> None:
    history = ["首钢集团有哪些项目？", "那其中2021年开工的有哪些？"]
    assert resolve("它们的总投资呢？", history) == "首钢集团项目中2021年开工的有哪些的总投资是多少？" or \
        resolve("它们的总投资呢？", history).startswith("首钢集团项目")


def test_subject_drops_question_words() -> None:
    assert subject("首钢集团有哪些项目，总投资多少？") == "首钢集团项目"
