"""Three yearly reports indexed together with the real model: a year named picks its report,
今年 reads the newest and says so, 历年 is answered report by report, 最早 finds the first use."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from service.answer.engine import AnswerEngine
from service.runtime import Runtime
from service.settings import Settings

SHARED = (Path(__file__).resolve().parents[3] / ".." / "shared" / "evaldata" / "policy_docs").resolve()
REPORTS = ("gwr_national_2019.txt", "gwr_national_2020.txt", "gwr_national_2021.txt")
pytestmark = pytest.mark.skipif(not all((SHARED / r).is_file() for r in REPORTS),
                                reason=f"the national work reports are not at {SHARED}")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> AnswerEngine:
    base = tmp_path_factory.mktemp("reports")
    corpus = base / "corpus"
    corpus.mkdir()
    for r in REPORTS:
        shutil.copy(SHARED / r, corpus / r)
    rt = Runtime(Settings(corpus_dir=corpus, index_dir=base / "index"))
    rt.build(force=True)
    rt.load()
    assert rt.engine is not None
    return rt.engine  # as served: with the reader and the reranker


def _cited_docs(ans) -> set[str]:  # noqa: ANN001
    return {ans.citations[int(n) - 1].passage.doc_id for n in re.findall(r"\[(\d+)\]", ans.text)}


def test_a_target_of_a_year_is_answered_from_that_years_report_only(engine: AnswerEngine) -> None:
    ans = engine.ask("2019年经济增长预期目标是多少？")
    assert ans.grounded and "6%－6.5%" in ans.text
    assert _cited_docs(ans) == {"gwr_national_2019"}
    assert ans.text.endswith("（出自《2019年政府工作报告》）")


def test_what_happened_in_a_year_is_answered_from_the_next_years_review(engine: AnswerEngine) -> None:
    ans = engine.ask("2019年农村贫困人口减少了多少？")
    assert ans.grounded and "1109万" in ans.text
    assert _cited_docs(ans) == {"gwr_national_2020"}


def test_this_year_is_the_newest_report_and_the_answer_says_so(engine: AnswerEngine) -> None:
    ans = engine.ask("今年经济增长预期目标是多少？")
    assert ans.grounded and "6%以上" in ans.text
    assert _cited_docs(ans) == {"gwr_national_2021"}
    assert "（按最新的《2021年政府工作报告》理解“今年”）" in ans.text


def test_a_question_across_years_is_answered_report_by_report_in_date_order(engine: AnswerEngine) -> None:
    ans = engine.ask("历年政府工作报告中经济增长预期目标分别是多少？")
    assert ans.kind == "across" and ans.grounded
    lines = [x for x in ans.text.splitlines() if re.search(r"\[\d+\]", x)]
    years = [int(m.group(1)) for x in lines if (m := re.search(r"(20\d\d)年", x))]
    assert years == sorted(years) and {2019, 2021} <= set(years)
    for line in lines:
        year = re.search(r"(20\d\d)年", line).group(1)  # type: ignore[union-attr]
        cited = {ans.citations[int(n) - 1].passage.doc_id for n in re.findall(r"\[(\d+)\]", line)}
        assert cited == {f"gwr_national_{year}"}, line
    assert any("6%－6.5%" in x for x in lines) and any("6%以上" in x for x in lines), ans.text


def test_the_first_use_of_a_phrase_is_the_oldest_report_holding_it(engine: AnswerEngine) -> None:
    ans = engine.ask("“六稳”“六保”最早出现在哪一年的政府工作报告？")
    assert ans.kind == "across" and ans.grounded
    assert ans.citations[0].passage.doc_id == "gwr_national_2020"
    assert "最早出现在2020年的《2020年政府工作报告》" in ans.text
    assert any(ans.citations[0].passage.text[a:b] in ("六稳", "六保") for a, b in ans.citations[0].highlights)


def test_a_report_of_a_year_not_indexed_is_not_answered_from_another(engine: AnswerEngine) -> None:
    ans = engine.ask("2024年政府工作报告安排的地方专项债是多少？")
    assert not ans.grounded and not ans.citations
    assert ans.text == "文档中没有收录2024年的报告，无法回答这个问题（已收录的报告：2019年、2020年、2021年）。"
