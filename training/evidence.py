"""What the answer gate's training shares: public SQuAD-style data, collections indexed as the
product indexes them, and the two model families exported as plain arrays.

``training.gate`` fits the gate from these. CMRC2018 dev and DRCD test are never read: they are
the test sets; nor are the dev questions of ``../shared/eval``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from index.textnorm import normalize
from service.answer import evidence as E

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / ".planqa" / "train"
SEED = 13
# More of what says "this sentence answers" never lowers the score, a clash never raises it: the
# trees then cannot reward a weak candidate for where it falls between training examples.
MONOTONE = {
    **dict.fromkeys(("hand", "cov", "window", "head_cov", "content_cov", "window_cov", "rank_prior", "retrieved",
                     "fused_gap", "type_fit", "s_cos", "p_cos", "s_cos_gap", "p_cos_gap", "bigram", "bigram_ctx",
                     "wants_x_quantity", "list_x_enum", "time_x_year", "desc_x_s_cos", "match", "match_gap"), 1),
    **dict.fromkeys(("unmet", "year_clash", "target_clash", "share_only"), -1),
}


def squad_items(path: Path, name: str, traditional: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Paragraph documents and questions of a SQuAD-style file (normalised when Traditional)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    docs, qs = [], []
    for art in data["data"]:
        for para in art["paragraphs"]:
            ctx = normalize(para["context"]) if traditional else para["context"]
            pid = f"{name}-{para['id']}"
            docs.append({"id": pid, "title": normalize(art.get("title", "")) if traditional else art.get("title", ""),
                         "text": ctx})
            for qa in para["qas"]:
                answers = [normalize(a["text"]) if traditional else a["text"] for a in qa["answers"]]
                answers = [a for a in answers if a.strip() and a in ctx]
                if not answers:
                    continue
                qs.append({"q": normalize(qa["question"]) if traditional else qa["question"], "doc": pid,
                           "answers": answers, "group": f"{name}-{art.get('id', para['id'])}"})
    return docs, qs


def file_sha(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def open_collection(name: str, corpus_files: dict[str, str | Path], embedder: Any) -> tuple[Any, Any]:
    """Build (when stale) and load an index of the given files; return (index, extractor)."""
    from index.builder import build_from_corpus
    from index.options import BuildOptions
    from index.store import load_index
    from service.answer.corpus import Corpus
    from service.answer.engine import dense_view
    from service.answer.extractive import Extractor
    from service.settings import Settings

    corpus_dir = WORK / name / "corpus"
    corpus_dir.mkdir(parents=True, exist_ok=True)
    for fname, content in corpus_files.items():
        dst = corpus_dir / fname
        data = Path(content).read_bytes() if isinstance(content, Path) else content.encode("utf-8")
        if not dst.is_file() or dst.read_bytes() != data:
            dst.write_bytes(data)
    settings = Settings(corpus_dir=corpus_dir, index_dir=WORK / name / "index")
    build_from_corpus(BuildOptions.from_settings(settings), embedder, progress=True)
    idx = load_index(settings.index_dir, embedder, settings.embedding_model, verify=False)
    ex = Extractor(Corpus(idx), idx.hybrid, dense_view(idx), None, pool=20)
    return idx, ex


def fit_linear(X: np.ndarray, y: np.ndarray, w: np.ndarray, features: tuple[str, ...], C: float = 1.0) -> E.Linear:
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    clf = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
    clf.fit((X - mean) / scale, y, sample_weight=w)
    return E.Linear(features, mean.astype(np.float64), scale.astype(np.float64),
                    clf.coef_[0].astype(np.float64), float(clf.intercept_[0]))


def fit_trees(X: np.ndarray, y: np.ndarray, w: np.ndarray, features: tuple[str, ...]) -> E.Trees:
    """Gradient-boosted trees (scikit-learn), exported as plain arrays for ``evidence.Trees``."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    clf = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1, max_leaf_nodes=15, random_state=SEED,
                                         monotonic_cst=[MONOTONE.get(f, 0) for f in features])
    clf.fit(X, y, sample_weight=w)
    trees = []
    for (pred,) in clf._predictors:
        n = pred.nodes
        leaf = n["is_leaf"].astype(bool)
        trees.append({
            "feature": np.where(leaf, 0, n["feature_idx"].astype(np.int64)),
            "threshold": n["num_threshold"].astype(np.float64),
            "left": np.where(leaf, -1, n["left"].astype(np.int64)),
            "right": np.where(leaf, -1, n["right"].astype(np.int64)),
            "value": n["value"].astype(np.float64),
            "nan_left": n["missing_go_to_left"].astype(np.int64),
        })
    model = E.Trees(features, float(np.ravel(clf._baseline_prediction)[0]), tuple(trees))
    check = X[: min(len(X), 2000)]
    assert np.allclose(model.prob(check), clf.predict_proba(check)[:, 1], atol=1e-6), "tree export differs"
    return model
