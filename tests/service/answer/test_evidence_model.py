"""The fitted evidence model: verified on load, damaged files refused by name, scores in [0, 1]."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from service.answer import evidence as E


def _write(tmp: Path, s: E.Linear, a: E.Linear, threshold: float = 0.5) -> Path:
    body = json.dumps({"sentence": s.to_dict(), "answerable": a.to_dict(), "threshold": threshold}).encode()
    (tmp / "model.json").write_bytes(body)
    (tmp / "manifest.json").write_text(json.dumps({"files": {"model.json": E.sha256_bytes(body)}}))
    return tmp


def _linear(features: tuple[str, ...], seed: int = 0) -> E.Linear:
    rng = np.random.default_rng(seed)
    n = len(features)
    return E.Linear(features, rng.normal(size=n), np.abs(rng.normal(size=n)) + 0.5, rng.normal(size=n), 0.1)


def test_round_trip_and_probabilities(tmp_path: Path) -> None:
    s, a = _linear(E.SENTENCE_FEATURES), _linear(E.ANSWERABLE_FEATURES, 1)
    model = E.load_model(_write(tmp_path, s, a, 0.4))
    assert model.threshold == 0.4
    x = np.random.default_rng(2).normal(size=(7, len(E.SENTENCE_FEATURES)))
    p = model.sentence.prob(x)
    assert p.shape == (7,) and np.all((p > 0) & (p < 1))
    assert np.allclose(p, s.prob(x))


def test_a_changed_model_file_is_refused(tmp_path: Path) -> None:
    d = _write(tmp_path, _linear(E.SENTENCE_FEATURES), _linear(E.ANSWERABLE_FEATURES))
    (d / "model.json").write_bytes((d / "model.json").read_bytes().replace(b"0.1", b"0.2", 1))
    with pytest.raises(E.ModelError) as err:
        E.load_model(d)
    assert str(err.value) == f"{d / 'model.json'}: checksum does not match manifest.json"


def test_a_model_for_other_features_is_refused(tmp_path: Path) -> None:
    d = _write(tmp_path, _linear(E.SENTENCE_FEATURES[:-1]), _linear(E.ANSWERABLE_FEATURES))
    with pytest.raises(E.ModelError) as err:
        E.load_model(d)
    assert str(err.value) == f"{d / 'model.json'}: fitted for other features; run `make train`"


def test_a_missing_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(E.ModelError, match="evidence model not readable"):
        E.load_model(tmp_path)


def test_the_shipped_model_loads_and_says_what_trained_it() -> None:
    model = E.load_model()
    assert 0.0 < model.threshold < 1.0
    assert model.matcher is not None and model.matcher.dim == 384
    data = model.manifest["training_data"]
    assert data["paraphrase"]["sha256"] and len(data["paraphrase"]["documents"]) >= 25
    # the scored sets are named as never read, and no file of theirs is among the inputs
    assert {"eval/dev_qa.jsonl", "eval/dev_qa_govreport.jsonl", "cmrc2018/cmrc2018_dev.json",
            "drcd/DRCD_test.json"} <= set(data["never_read"])
    assert not set(data["public"]["files"]) & set(data["never_read"])
    folds = model.manifest["metrics"]["leave_documents_out"]
    assert len(folds) == 5
    held = [d for f in folds.values() for d in f["held_out_documents"]]
    assert len(held) == len(set(held)) == len(data["paraphrase"]["documents"])


def _matcher(dim: int = 4, hidden: int = 3, seed: int = 0) -> E.Matcher:
    rng = np.random.default_rng(seed)
    return E.Matcher(rng.normal(size=(3 * dim, hidden)).astype(np.float32), rng.normal(size=hidden).astype(np.float32),
                     rng.normal(size=hidden).astype(np.float32), 0.2)


def test_the_matcher_round_trips_and_reads_question_sentence_and_passage() -> None:
    m = _matcher()
    back = E.Matcher.from_dict(json.loads(json.dumps(m.to_dict())))
    qv = np.asarray([1.0, 0.0, 0.0, 0.0], dtype=np.float32)
    sv = np.asarray([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]], dtype=np.float32)
    x = E.Matcher.inputs(qv, sv, sv)
    assert x.shape == (2, 12)
    assert np.allclose(x[1], [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0])
    p = back.prob(x)
    assert p.shape == (2,) and np.all((p > 0) & (p < 1))
    assert np.allclose(p, m.prob(x), atol=1e-5)
    # vectors of another width than the matcher's give no reading rather than a wrong one
    v = E.Vectors(np.ones(5, dtype=np.float32), np.ones((2, 5), dtype=np.float32), np.ones((2, 5), dtype=np.float32))
    assert v.match(m).tolist() == [0.0, 0.0]


def test_a_matcher_whose_arrays_do_not_fit_is_refused(tmp_path: Path) -> None:
    s, a = _linear(E.SENTENCE_FEATURES), _linear(E.ANSWERABLE_FEATURES, 1)
    bad = _matcher().to_dict()
    bad["b1"] = bad["b1"][:-1]
    body = json.dumps({"sentence": s.to_dict(), "answerable": a.to_dict(), "threshold": 0.5, "matcher": bad}).encode()
    (tmp_path / "model.json").write_bytes(body)
    (tmp_path / "manifest.json").write_text(json.dumps({"files": {"model.json": E.sha256_bytes(body)}}))
    with pytest.raises(E.ModelError) as err:
        E.load_model(tmp_path)
    assert str(err.value) == f"{tmp_path / 'model.json'}: malformed (ValueError: matcher arrays do not fit together)"


def test_a_damaged_shipped_copy_degrades_with_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(E.MODEL_DIR, tmp_path / "evidence")
    (tmp_path / "evidence" / "model.json").write_text("{}")
    monkeypatch.setattr(E, "MODEL_DIR", tmp_path / "evidence")
    E.default_model.cache_clear()
    try:
        with caplog.at_level("WARNING"):
            assert E.default_model() is None
        assert caplog.messages == [
            "evidence scoring falls back to hand weights: "
            f"{tmp_path / 'evidence' / 'model.json'}: checksum does not match manifest.json"
        ]
    finally:
        E.default_model.cache_clear()


def test_exported_trees_predict_what_scikit_learn_predicts() -> None:
    from training.evidence import fit_trees

    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 3))
    X[::17, 1] = np.nan  # missing values take the learned side
    y = ((X[:, 0] + np.nan_to_num(X[:, 1]) * X[:, 2]) > 0).astype(float)
    model = fit_trees(X, y, np.ones(len(y)), ("a", "b", "c"))  # asserts agreement itself
    again = E.Trees.from_dict(json.loads(json.dumps(model.to_dict())))
    assert np.allclose(again.prob(X), model.prob(X))
    assert ((again.prob(X) > 0.5) == (y > 0)).mean() > 0.9


def test_trees_refuse_arrays_that_do_not_fit() -> None:
    bad = {"kind": "trees", "features": ["a"], "baseline": 0.0,
           "trees": [{"feature": [3], "threshold": [0.0], "left": [-1], "right": [-1], "value": [0.1], "nan_left": [1]}]}
    with pytest.raises(ValueError, match="does not exist"):
        E.Trees.from_dict(bad)
