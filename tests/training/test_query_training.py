"""Training the query adapter: how held-out retrieval is scored and what a missing fold says."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from training import paraphrase as P
from training.query import Config, Data, _data_key, _done, out_of_fold_vectors, retrieval_hits


def _data() -> Data:
    # four passages on the axes; question 0 points at passage 2, question 1 between 0 and 3
    pv = np.eye(4, dtype=np.float32)
    return Data(texts=["a", "b"], gold=[[2], [3]], folds=[0, 1], bm25=[[(1, 5.0), (2, 4.0)], [(0, 2.0)]],
                passage_vectors=pv, passage_folds=np.array([0, 0, 1, 1]))


def test_hits_count_dense_alone_and_fused_with_bm25() -> None:
    data = _data()
    qv = np.array([[0, 0, 1, 0], [0.8, 0, 0, 0.6]], dtype=np.float32)
    h = retrieval_hits(data, [0, 1], qv)
    assert h["dense@1"] == 0.5  # question 0 finds passage 2 first; question 1 finds passage 0
    assert h["dense@5"] == 1.0
    assert h["hybrid@1"] == 0.5  # BM25 puts passage 1 first for question 0, dense decides; question 1 loses to BM25
    assert h["hybrid@5"] == 1.0


def test_a_missing_fold_adapter_is_named(tmp_path: Path) -> None:
    q = P.Question("x1", "doc.txt", "问题", "fact", "what", ("金句在此处",), (), False)
    with pytest.raises(SystemExit, match=r"query adapter of fold 0 missing under .*: run `python -m training\.query` first"):
        out_of_fold_vectors(object(), [q], tmp_path)


def test_a_written_model_is_kept_only_for_the_same_data_and_settings(tmp_path: Path) -> None:
    key = _data_key(Config())
    assert key != _data_key(Config(steps=Config.steps + 1))
    (tmp_path / "manifest.json").write_text(json.dumps({"training_key": key}), encoding="utf-8")
    assert _done(tmp_path, key)
    assert not _done(tmp_path, _data_key(Config(rank=4)))
    assert not _done(tmp_path / "absent", key)
