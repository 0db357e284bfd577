import json
from pathlib import Path

from evaluation.load import _request, question_pool


def _shared(tmp_path: Path) -> Path:
    (tmp_path / "eval").mkdir()
    (tmp_path / "evaldata" / "cmrc2018").mkdir(parents=True)
    (tmp_path / "eval" / "dev_qa.jsonl").write_text(
        "\n".join(json.dumps({"q": q}, ensure_ascii=False) for q in ["甲？", "乙？", "甲？"]) + "\n", encoding="utf-8")
    (tmp_path / "eval" / "dev_qa_govreport.jsonl").write_text(json.dumps({"q": "丙？"}) + "\n", encoding="utf-8")
    trial = {"data": [{"paragraphs": [{"qas": [{"question": " 丁？ "}, {"question": "乙？"}]}]}]}
    (tmp_path / "evaldata" / "cmrc2018" / "cmrc2018_trial.json").write_text(json.dumps(trial), encoding="utf-8")
    return tmp_path


def test_pool_is_distinct_and_seeded(tmp_path: Path) -> None:
    shared = _shared(tmp_path)
    pool = question_pool(shared)
    assert sorted(pool) == sorted(["甲？", "乙？", "丙？", "丁？"])
    assert question_pool(shared) == pool


def test_requests_alternate_and_never_repeat_a_question_before_the_pool_is_used_up() -> None:
    pool = [f"q{i}" for i in range(10)]
    reqs = [_request(i, pool) for i in range(10)]
    assert [kind for kind, _, _ in reqs] == ["ask", "search"] * 5
    sent = [body["question"] if kind == "ask" else body["query"] for kind, _, body in reqs]
    assert sorted(sent) == sorted(pool)
