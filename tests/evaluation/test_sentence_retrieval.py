"""The fusion weights of the best-sentence list are chosen on other folds and scored on each fold."""

from __future__ import annotations

import numpy as np

from evaluation import sentence_retrieval as SR


def _record(fold: int, gold: int) -> dict:
    # BM25 and passage vectors put passage 0 first, the best sentence puts the gold passage first
    lists = ([(0, 5.0), (gold, 1.0), (7, 0.5)], [(0, 0.9), (gold, 0.2), (7, 0.1)], [(gold, 0.95), (0, 0.5), (7, 0.4)])
    return {"id": f"q{fold}-{gold}", "fold": fold, "gold": [gold], "document": lists, "collection": lists}


def test_a_sentence_list_that_finds_the_gold_wins_on_every_fold() -> None:
    records = [_record(f, g) for f in range(5) for g in (3, 4)]
    res = SR.evaluate(records)
    assert res["questions"] == 10
    for scope in ("document", "collection"):
        assert res[scope]["two_lists"]["@1"] == 0.0 and res[scope]["two_lists"]["@5"] == 1.0
        assert res[scope]["leave_documents_out"]["@1"] == 1.0
        assert all(share >= 0.5 for _, share in res[scope]["chosen"].values())
    assert "| document | BM25 + passage vectors (α = 0.5) | 0.000 | 1.000 | 1.000 | 1.000 | 0.500 |" in SR.render(res)


def test_a_gold_passage_missing_from_every_list_ranks_last() -> None:
    rec = _record(0, 3)
    rec["gold"] = [99]
    assert SR.first_gold(rec, "document", 0.5, 0.4) == SR.DEPTH * 3
    assert SR.metrics(np.asarray([0, 1, SR.DEPTH * 3]))["@1"] == 1 / 3
