"""Which sentence answers: a model fitted on labelled QA data scores every candidate sentence.

Candidates are the sentences of the retrieved passages. Each is described by the lexical and
question-type measurements of ``compose.evidence_for`` plus what the dense model says: the
cosine of the question with the sentence and with its passage, and how those compare with the
best candidate; and by the share of the question's character bigrams the sentence holds (robust
to segmentation). A logistic regression fitted by ``make train`` (``training/evidence.py``) on
CMRC2018 trial, DRCD dev and the dev questions turns them into the probability that the sentence
holds the answer. A second logistic regression reads the best candidates and says whether the
documents answer at all (fitted against the same questions with their gold paragraph removed).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from index.textnorm import normalize
from index.types import Embedder
from ingest.errors import ModelError
from service.answer import text as T
from service.answer.compose import Evidence
from service.answer.grounding import shares_for_amount
from service.answer.question import DESCRIPTION, ENTITY, LIST, QUANTITY, TIME, YESNO, Question

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "models" / "evidence"
KINDS = (QUANTITY, LIST, ENTITY, TIME, DESCRIPTION, YESNO)

# Sentence features, in the order the fitted coefficients expect.
SENTENCE_FEATURES = (
    "hand", "cov", "window", "head_cov", "content_cov", "window_cov", "rank_prior", "retrieved",
    "fused_gap", "unmet", "year_clash", "target_clash", "has_quantity", "type_fit", "first_sentence",
    "passage_sentences", "table_row",
    "s_cos", "p_cos", "s_cos_gap", "p_cos_gap", "bigram", "bigram_ctx", "log_len",
    "wants_number", "wants_x_quantity", "list_x_enum", "time_x_year", "desc_x_s_cos", "english", "english_x_cov",
    "match", "match_gap", "share_only",
)
# Question-level features for "do the documents answer this at all". Nothing counts the candidates:
# that measures how the documents are cut (passage length, collection size), not whether they answer.
ANSWERABLE_FEATURES = (
    "p1", "p2", "p_gap", "s_cos1", "p_cos1", "s_cos_max", "cov1", "content_cov1", "content_cov_max", "bigram1",
    "bigram_max", "unmet1", "number_missing", "enum_missing", "english", "q_len", "head_cov1", "head_cov_max",
    "match1", "match_max", "share_only1",
    *(f"kind_{k}" for k in KINDS),
)

_QWORD_BIGRAMS = re.compile(r"多少|什么|哪些|哪个|如何|怎么|怎样|是否|有没|没有|请问|何时|为何|为什|么样")


def question_bigrams(text: str) -> set[str]:
    """CJK character bigrams of the question, without those of question words."""
    cleaned = _QWORD_BIGRAMS.sub(" ", text)
    return {cleaned[i : i + 2] for i in range(len(cleaned) - 1) if T.has_cjk(cleaned[i : i + 2]) and " " not in cleaned[i : i + 2]}


def _share(grams: set[str], text: str) -> float:
    return sum(1 for g in grams if g in text) / len(grams) if grams else 0.0


@dataclass(frozen=True)
class Linear:
    """A fitted logistic regression: standardise, dot, sigmoid."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Linear:
        feats = tuple(d["features"])
        arrays = [np.asarray(d[k], dtype=np.float64) for k in ("mean", "scale", "coef")]
        if any(a.shape != (len(feats),) for a in arrays):
            raise ValueError("coefficient arrays do not match the feature list")
        return cls(feats, *arrays, float(d["intercept"]))

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept}

    def prob(self, x: np.ndarray) -> np.ndarray:
        z = ((np.atleast_2d(x) - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@dataclass(frozen=True)
class Trees:
    """Fitted gradient-boosted trees (from scikit-learn), evaluated with numpy: sum of leaves, sigmoid.

    Each tree is five parallel arrays over its nodes: feature, threshold, left, right (``-1`` at
    a leaf) and value; a missing value goes left where ``nan_left`` says so.
    """

    features: tuple[str, ...]
    baseline: float
    trees: tuple[dict[str, np.ndarray], ...]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Trees:
        trees = []
        for t in d["trees"]:
            tree = {k: np.asarray(t[k], dtype=np.float64 if k in ("threshold", "value") else np.int64)
                    for k in ("feature", "threshold", "left", "right", "value", "nan_left")}
            n = len(tree["value"])
            if any(len(v) != n for v in tree.values()) or n == 0:
                raise ValueError("tree arrays differ in length")
            if tree["feature"].max(initial=0) >= len(d["features"]) or tree["left"].max(initial=0) >= n:
                raise ValueError("tree refers to a feature or node that does not exist")
            trees.append(tree)
        return cls(tuple(d["features"]), float(d["baseline"]), tuple(trees))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "trees", "features": list(self.features), "baseline": self.baseline,
                "trees": [{k: v.tolist() for k, v in t.items()} for t in self.trees]}

    def prob(self, x: np.ndarray) -> np.ndarray:
        """All trees walked together, one level per step (a per-tree loop costs ms per question)."""
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        feature, threshold, left, right, value, nan_left, roots = self._flat
        n_rows, n_feat = x.shape
        flat_x = x.ravel()
        base = (np.arange(n_rows) * n_feat)[None, :]
        node = np.repeat(roots[:, None], n_rows, axis=1)
        for _ in range(64):  # deeper than any fitted tree
            nxt_left = left[node]
            inner = nxt_left >= 0
            if not inner.any():
                break
            v = flat_x[base + feature[node]]
            go_left = np.where(np.isnan(v), nan_left[node], v <= threshold[node])
            node = np.where(inner, np.where(go_left, nxt_left, right[node]), node)
        z = self.baseline + value[node].sum(axis=0)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    @cached_property
    def _flat(self) -> tuple[np.ndarray, ...]:
        """Every tree's nodes in one set of arrays, children as indices into them, and each tree's root."""
        sizes = [len(t["value"]) for t in self.trees]
        roots = np.cumsum([0, *sizes[:-1]]).astype(np.int64) if sizes else np.zeros(0, dtype=np.int64)

        def cat(key: str, shift: bool = False) -> np.ndarray:
            parts = [np.where(t[key] >= 0, t[key] + r, -1) if shift else t[key]
                     for t, r in zip(self.trees, roots, strict=True)]
            return np.concatenate(parts) if parts else np.zeros(0)

        return (cat("feature").astype(np.int64), cat("threshold").astype(np.float64), cat("left", True).astype(np.int64),
                cat("right", True).astype(np.int64), cat("value").astype(np.float64), cat("nan_left").astype(bool), roots)


def model_from_dict(d: dict[str, Any]) -> Linear | Trees:
    return Trees.from_dict(d) if d.get("kind") == "trees" else Linear.from_dict(d)


@dataclass(frozen=True)
class Matcher:
    """Does this sentence say what the question asks, in whatever words? Read from meaning alone.

    A small network over the embedding model's vectors of the question, the sentence and its
    passage (their element-wise products and the question–sentence difference), fitted on
    questions written without the text in view, so it rates a paraphrase by what it means rather
    than by the words it shares. It costs no model run: the vectors are those retrieval computed.
    """

    w1: np.ndarray  # (inputs, hidden)
    b1: np.ndarray
    w2: np.ndarray  # (hidden,)
    b2: float

    INPUTS = 3  # blocks of the embedding's width: q·s, q·p, |q − s|

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Matcher:
        w1, b1, w2 = (np.asarray(d[k], dtype=np.float32) for k in ("w1", "b1", "w2"))
        if w1.ndim != 2 or b1.shape != (w1.shape[1],) or w2.shape != (w1.shape[1],) or w1.shape[0] % cls.INPUTS:
            raise ValueError("matcher arrays do not fit together")
        return cls(w1, b1, w2, float(d["b2"]))

    def to_dict(self) -> dict[str, Any]:
        def r(a: np.ndarray) -> list[Any]:
            return np.round(a.astype(np.float64), 6).tolist()

        return {"kind": "matcher", "w1": r(self.w1), "b1": r(self.b1), "w2": r(self.w2), "b2": self.b2}

    @property
    def dim(self) -> int:
        return self.w1.shape[0] // self.INPUTS

    @staticmethod
    def inputs(qv: np.ndarray, sv: np.ndarray, pv: np.ndarray) -> np.ndarray:
        """One input row per sentence (``sv``, ``pv``: one row each), the question ``qv`` shared."""
        qv = np.asarray(qv, dtype=np.float32)[None, :]
        return np.concatenate([sv * qv, pv * qv, np.abs(sv - qv)], axis=1).astype(np.float32)

    def prob(self, x: np.ndarray) -> np.ndarray:
        h = np.maximum(np.atleast_2d(x) @ self.w1 + self.b1, 0.0)
        z = h @ self.w2 + self.b2
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@dataclass(frozen=True)
class EvidenceModel:
    """The meaning matcher, the sentence scorer, the answerability classifier and its operating point."""

    sentence: Linear | Trees
    answerable: Linear | Trees
    threshold: float
    manifest: dict[str, Any]
    matcher: Matcher | None = None


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_model(directory: Path = MODEL_DIR) -> EvidenceModel:
    """Read and verify ``model.json`` against ``manifest.json``; ``ModelError`` says what is wrong."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        raw = (directory / "model.json").read_bytes()
    except (OSError, ValueError) as e:
        raise ModelError(f"{directory}: evidence model not readable ({type(e).__name__}: {e})") from None
    if sha256_bytes(raw) != manifest.get("files", {}).get("model.json"):
        raise ModelError(f"{directory / 'model.json'}: checksum does not match manifest.json")
    try:
        d = json.loads(raw)
        sentence, answerable = model_from_dict(d["sentence"]), model_from_dict(d["answerable"])
        threshold = float(d["threshold"])
        matcher = Matcher.from_dict(d["matcher"]) if d.get("matcher") else None
    except (KeyError, TypeError, ValueError) as e:
        raise ModelError(f"{directory / 'model.json'}: malformed ({type(e).__name__}: {e})") from None
    if sentence.features != SENTENCE_FEATURES or answerable.features != ANSWERABLE_FEATURES:
        raise ModelError(f"{directory / 'model.json'}: fitted for other features; run `make train`")
    return EvidenceModel(sentence, answerable, threshold, manifest, matcher)


@lru_cache(maxsize=1)
def default_model() -> EvidenceModel | None:
    """The shipped model, or None (with one log line) when it cannot be used."""
    try:
        return load_model(MODEL_DIR)
    except ModelError as e:
        log.warning("evidence scoring falls back to hand weights: %s", e)
        return None


def fits_embedder(model: EvidenceModel | None, embedder: Any) -> bool:
    """Whether ``embedder`` is the embedding model ``model`` was fitted with (its cosines mean the same)."""
    if model is None or embedder is None:
        return False
    fitted = str(model.manifest.get("embedding_model", ""))
    return bool(fitted) and str(getattr(embedder, "model_id", "")).split("@")[0] == fitted


class DenseView:
    """Question, sentence and passage vectors for the candidates of one question.

    Sentence vectors come from the embedder's passage cache (the index build embeds every
    sentence), so answering rarely runs the model on them.
    """

    def __init__(self, embedder: Embedder | None, passage_vector: Any = None) -> None:
        self.embedder = embedder
        self.passage_vector = passage_vector

    def vectors(self, q: Question, evidence: Sequence[Evidence]) -> Vectors:
        """The question's vector and each candidate's sentence and passage vectors, with their cosines."""
        n = len(evidence)
        if self.embedder is None or n == 0:
            return Vectors.empty(n)
        try:
            qv = np.asarray(self.embedder.embed_queries([q.text]), dtype=np.float32)[0]
            sents = [sentence_unit(e) for e in evidence]
            sv = np.asarray(self.embedder.embed_passages(sents), dtype=np.float32)
            pv = sv.copy()
            cache: dict[str, np.ndarray | None] = {}
            for i, e in enumerate(evidence):
                pid = e.hit.passage.id
                if pid not in cache:
                    got = self.passage_vector(e.hit.passage) if self.passage_vector else None
                    cache[pid] = np.asarray(got, dtype=np.float32) if got is not None else None
                if cache[pid] is not None:
                    pv[i] = cache[pid]
            return Vectors(qv, sv, pv)
        except Exception as e:  # a dense failure costs features, not the answer
            log.warning("dense evidence features unavailable: %s", e)
            return Vectors.empty(n)

    def cosines(self, q: Question, evidence: Sequence[Evidence]) -> tuple[np.ndarray, np.ndarray]:
        v = self.vectors(q, evidence)
        return v.s_cos, v.p_cos


@dataclass(frozen=True)
class Vectors:
    """Dense vectors of one question's candidates (``qv`` None when there are none)."""

    qv: np.ndarray | None
    sv: np.ndarray
    pv: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Vectors:
        return cls(None, np.zeros((n, 0), dtype=np.float32), np.zeros((n, 0), dtype=np.float32))

    @property
    def s_cos(self) -> np.ndarray:
        return (self.sv @ self.qv).astype(np.float64) if self.qv is not None else np.zeros(len(self.sv))

    @property
    def p_cos(self) -> np.ndarray:
        return (self.pv @ self.qv).astype(np.float64) if self.qv is not None else np.zeros(len(self.pv))

    def match(self, matcher: Matcher | None) -> np.ndarray:
        """The matcher's probability per candidate; zeros without vectors or a matcher of their width."""
        n = len(self.sv)
        if matcher is None or self.qv is None or n == 0 or matcher.dim != self.sv.shape[1]:
            return np.zeros(n)
        return matcher.prob(Matcher.inputs(self.qv, self.sv, self.pv)).astype(np.float64)


def sentence_unit(e: Evidence) -> str:
    """The text embedded for a candidate sentence (the same the index build embeds)."""
    a, b = e.sentence
    return normalize(e.hit.passage.text)[a:b].strip() or normalize(e.hit.passage.text)


def sentence_matrix(
    q: Question, evidence: Sequence[Evidence], s_cos: np.ndarray, p_cos: np.ndarray, match: np.ndarray | None = None
) -> np.ndarray:
    """One row of ``SENTENCE_FEATURES`` per candidate."""
    grams = question_bigrams(q.text)
    smax = float(s_cos.max()) if len(s_cos) else 0.0
    pmax = float(p_cos.max()) if len(p_cos) else 0.0
    match = np.zeros(len(evidence)) if match is None else match
    mmax = float(match.max()) if len(match) else 0.0
    wants = float(q.wants_number)
    rows = []
    for i, e in enumerate(evidence):
        f = e.features
        sent = normalize(e.sentence_text)
        has_enum = float("、" in sent or "；" in sent)
        has_year = float(T.has_date(sent))
        extra = {
            "match": float(match[i]), "match_gap": float(match[i]) - mmax,
            # evidence for the model here, not a veto
            "share_only": float(shares_for_amount(q, normalize(e.window_text))),
            "s_cos": float(s_cos[i]), "p_cos": float(p_cos[i]), "s_cos_gap": float(s_cos[i]) - smax,
            "p_cos_gap": float(p_cos[i]) - pmax, "bigram": _share(grams, sent), "bigram_ctx": _share(grams, e.context),
            "log_len": math.log1p(len(sent)), "wants_number": wants,
            "wants_x_quantity": wants * f.get("has_quantity", 0.0),
            "list_x_enum": float(q.kind == LIST) * has_enum, "time_x_year": float(q.kind == TIME) * has_year,
            "desc_x_s_cos": float(q.kind in (DESCRIPTION, YESNO)) * float(s_cos[i]),
            "english": float(q.english), "english_x_cov": float(q.english) * f.get("cov", 0.0),
        }
        rows.append([f.get(k, extra.get(k, 0.0)) for k in SENTENCE_FEATURES])
    return np.asarray(rows, dtype=np.float64).reshape(len(evidence), len(SENTENCE_FEATURES))


def answerable_row(q: Question, ranked: Sequence[Evidence], X: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """``ANSWERABLE_FEATURES`` for a question whose candidates are ranked best first.

    ``X`` and ``probs`` are aligned with ``ranked``.
    """
    col = {k: i for i, k in enumerate(SENTENCE_FEATURES)}
    n = len(ranked)
    p1 = float(probs[0]) if n else 0.0
    p2 = float(probs[1]) if n > 1 else 0.0
    top = X[0] if n else np.zeros(len(SENTENCE_FEATURES))
    vals = {
        "p1": p1, "p2": p2, "p_gap": p1 - p2, "s_cos1": top[col["s_cos"]], "p_cos1": top[col["p_cos"]],
        "s_cos_max": float(X[:, col["s_cos"]].max()) if n else 0.0, "cov1": top[col["cov"]],
        "content_cov1": top[col["content_cov"]], "bigram1": top[col["bigram"]],
        "content_cov_max": float(X[:, col["content_cov"]].max()) if n else 0.0,
        "bigram_max": float(X[:, col["bigram"]].max()) if n else 0.0, "unmet1": top[col["unmet"]],
        # the kind asked and what the best sentence holds: a figure asked and none there, a list asked
        # and no enumeration
        "number_missing": float(q.wants_number) * (1.0 - top[col["has_quantity"]]) if n else 0.0,
        "enum_missing": float(q.kind == LIST) * (1.0 - top[col["list_x_enum"]]) if n else 0.0,
        "english": float(q.english), "q_len": math.log1p(len(q.text)),
        # a section whose heading names what is asked ("（四）加大招商引资力度") answers a how-question
        "head_cov1": top[col["head_cov"]], "head_cov_max": float(X[:, col["head_cov"]].max()) if n else 0.0,
        "match1": top[col["match"]], "match_max": float(X[:, col["match"]].max()) if n else 0.0,
        "share_only1": top[col["share_only"]],
        **{f"kind_{k}": float(q.kind == k) for k in KINDS},
    }
    return np.asarray([vals[k] for k in ANSWERABLE_FEATURES], dtype=np.float64)


@dataclass(frozen=True)
class Scored:
    """Candidates ranked by the model, with what the answerability check read."""

    ranked: list[Evidence]
    probs: np.ndarray
    X: np.ndarray
    answerable: float
    threshold: float
    vectors: Vectors | None = None  # aligned with ``ranked`` (for fitting the matcher)

    @property
    def answers(self) -> bool:
        return bool(self.ranked) and self.answerable >= self.threshold


def score(
    q: Question, evidence: Sequence[Evidence], dense: DenseView, model: EvidenceModel | None
) -> Scored:
    """Rank ``evidence`` by the fitted model (hand weights when there is none) and rate answerability."""
    evidence = list(evidence)
    v = dense.vectors(q, evidence)
    X = sentence_matrix(q, evidence, v.s_cos, v.p_cos, v.match(model.matcher if model is not None else None))
    if model is None or not evidence:
        probs = np.asarray([e.score for e in evidence], dtype=np.float64)
    else:
        probs = model.sentence.prob(X)
    order = sorted(range(len(evidence)), key=lambda i: (-probs[i], evidence[i].rank))
    ranked = [replace(evidence[i], score=float(probs[i])) for i in order]
    probs, X = probs[order] if len(order) else probs, X[order] if len(order) else X
    if len(order) and v.qv is not None:
        v = Vectors(v.qv, v.sv[order], v.pv[order])
    if model is None:
        return Scored(ranked, probs, X, 1.0 if ranked else 0.0, 0.5, v)
    a = float(model.answerable.prob(answerable_row(q, ranked, X, probs))[0]) if ranked else 0.0
    return Scored(ranked, probs, X, a, model.threshold, v)
