"""Fit the answer gate: the meaning matcher, the sentence scorer and the answerability classifier.

    python -m training.gate            # fold models (leave-documents-out) and the shipped model
    python -m training.gate --no-folds # the shipped model only

Data (all public, see ``training/data/paraphrase/README.md``):
- the questions in everyday words over the policy documents (``training/data/paraphrase``), asked
  of one index holding every policy document, the 2022 work report and ``corpus/`` together, as a
  user would hold them; each answerable question twice: as is (the sentences holding a gold string
  are the positives) and with the passages holding the gold removed from what retrieval may return
  (unanswerable); each out-of-scope question once (unanswerable);
- CMRC2018 trial and a seeded sample of DRCD dev articles (each article's paragraphs indexed as
  documents), the same two ways.
Never read: the dev questions of ``../shared/eval``, CMRC2018 dev and DRCD test (the scored sets).

Validation is leave-documents-out: the policy documents fall in five folds by a hash of their name
(``training.paraphrase.fold_of``); fold k's model is fitted without fold k's documents and its
threshold is chosen on the training folds only. ``python -m evaluation.paraphrase`` then asks each
question of an engine holding its fold's model. The shipped model is fitted on everything.

The matcher's outputs feed the sentence scorer; to keep the scorer from trusting a matcher that has
seen its rows, it reads cross-fitted matcher outputs (each half of the training questions scored by
a matcher fitted on the other half).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.textnorm import normalize
from service.answer import evidence as E
from training import paraphrase as P
from training.evidence import SEED, file_sha, fit_linear, fit_trees

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
OUT = REPO / "service" / "answer" / "models" / "evidence"
WORK = REPO / ".planqa" / "train"
FOLDS_DIR = WORK / "folds"
DOMAIN_WEIGHT = 2.0
KEEP_CANDIDATES = 100  # candidates kept per question (best by the hand score, and every positive)
DRCD_ARTICLES = 50
# the threshold answers at least this share of the training folds' answerable questions whose answer
# is among the candidates (the others cannot be answered rightly whatever the threshold)
MIN_ANSWERED = 0.90
COL = {k: i for i, k in enumerate(E.SENTENCE_FEATURES)}


@dataclass
class Case:
    """One question as asked (or with its gold removed): its candidates' features and vectors."""

    source: str  # "paraphrase" | "cmrc-trial" | "drcd-dev"
    group: str  # what must not be split: a policy document, or an article
    doc: str | None  # the policy document (paraphrase only), for the folds
    q: Any
    X: np.ndarray
    y: np.ndarray
    qv: np.ndarray | None
    sv: np.ndarray
    pv: np.ndarray
    answerable: bool
    weight: float
    removed: bool = False
    qid: str = ""


# ---- collecting ---------------------------------------------------------------------------------


def _case(source: str, group: str, doc: str | None, ex: Any, question: str, positive: Any, answerable: bool,
          weight: float, keep: Any = None, qid: str = "") -> Case:
    from service.answer.compose import definition_focus
    from service.answer.question import analyse

    q = definition_focus(analyse(question), ex.corpus)
    scored = ex.score(q, None, [], keep=keep)
    y = np.asarray([1.0 if positive(e) else 0.0 for e in scored.ranked], dtype=np.float32)
    idx = [i for i in range(len(y)) if i < KEEP_CANDIDATES or y[i] > 0]
    v = scored.vectors
    has_v = v is not None and v.qv is not None and len(idx) > 0
    return Case(
        source, group, doc, q, scored.X[idx].astype(np.float32), y[idx],
        v.qv.astype(np.float32) if has_v else None,
        v.sv[idx].astype(np.float16) if has_v else np.zeros((len(idx), 0), np.float16),
        v.pv[idx].astype(np.float16) if has_v else np.zeros((len(idx), 0), np.float16),
        answerable, weight, keep is not None, qid,
    )


def _holds(golds: list[str]):
    def pos(e: Any) -> bool:
        s = normalize(e.sentence_text).replace(" ", "")
        return any(g in s or (len(s) >= 8 and s in g) for g in golds)

    return pos


def paraphrase_cases(embedder: Any, progress: bool = True, vectors: dict[str, Any] | None = None) -> list[Case]:
    """The cases of the questions in everyday words; with ``vectors`` (by question id), ``embedder``
    (a ``PrefetchEmbedder``) serves each question the vector its fold's query adapter gives it."""
    from evaluation.paraphrase import open_collection
    from service.answer.corpus import Corpus
    from service.answer.engine import dense_view
    from service.answer.extractive import Extractor
    from training.query import serve_fold_vector

    index = open_collection(REPO / ".planqa" / "eval" / "collection", embedder)
    ex = Extractor(Corpus(index), index.hybrid, dense_view(index), None, pool=20)
    qs = P.load()
    if hasattr(embedder, "prefetch"):
        from service.answer.question import analyse

        embedder.prefetch([analyse(q.q).text for q in qs], progress=False)
    out: list[Case] = []
    t0 = time.time()
    for i, q in enumerate(qs):
        serve_fold_vector(embedder, q, vectors)
        if q.oos:
            out.append(_case("paraphrase", q.doc, q.doc, ex, q.q, lambda e: False, False, DOMAIN_WEIGHT, qid=q.id))
        else:
            golds = [normalize(c).replace(" ", "") for c in q.cite_any]
            out.append(_case("paraphrase", q.doc, q.doc, ex, q.q, _holds(golds), True, DOMAIN_WEIGHT, qid=q.id))

            def keep(h: Any, golds: list[str] = golds) -> bool:
                t = normalize(h.passage.text).replace(" ", "")
                return not any(g in t for g in golds)

            out.append(_case("paraphrase", q.doc, q.doc, ex, q.q, lambda e: False, False, DOMAIN_WEIGHT, keep, q.id))
        _progress("paraphrase", i + 1, len(qs), t0, progress)
    return out


def squad_cases(name: str, rel: str, traditional: bool, embedder: Any, articles: int | None,
                progress: bool = True) -> list[Case]:
    from training.evidence import open_collection, squad_items

    path = SHARED / "evaldata" / rel
    docs, qs = squad_items(path, name, traditional)
    if articles:
        groups = sorted({d["group"] for d in qs})
        random.Random(SEED).shuffle(groups)
        chosen = set(groups[:articles])
        qs = [d for d in qs if d["group"] in chosen]
        keep_docs = {d["doc"] for d in qs}
        docs = [d for d in docs if d["id"] in keep_docs]
    body = "\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n"
    _, ex = open_collection(f"gate-{name}", {f"{name}.jsonl": body}, embedder)
    if hasattr(embedder, "prefetch"):
        from service.answer.question import analyse

        embedder.prefetch([analyse(d["q"]).text for d in qs], progress=False)
    out: list[Case] = []
    t0 = time.time()
    for i, d in enumerate(qs):
        answers = [normalize(a) for a in d["answers"]]

        def pos(e: Any, doc: str = d["doc"], answers: list[str] = answers) -> bool:
            return e.hit.passage.doc_id == doc and any(a in normalize(e.sentence_text) for a in answers)

        out.append(_case(name, d["group"], None, ex, d["q"], pos, True, 1.0))
        out.append(_case(name, d["group"], None, ex, d["q"], lambda e: False, False, 1.0,
                         lambda h, doc=d["doc"]: h.passage.doc_id != doc))
        _progress(name, i + 1, len(qs), t0, progress)
    return out


def _progress(name: str, done: int, total: int, t0: float, on: bool) -> None:
    if not on or (done % 100 and done != total):
        return
    rate = done / max(1e-9, time.time() - t0)
    print(f"  {name}: {done}/{total} questions, {rate:.1f}/s, ETA {(total - done) / max(rate, 1e-9) / 60:.1f} min",
          flush=True)


# ---- the matcher --------------------------------------------------------------------------------


def _pairs(cases: list[Case], rng: np.random.Generator, hard: int = 12, easy: int = 4
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Matcher inputs: every positive, the hardest negatives by cosine and a few others per case."""
    xs, ys, ws = [], [], []
    for c in cases:
        if c.qv is None or not len(c.y):
            continue
        cos = c.X[:, COL["s_cos"]]
        neg = np.flatnonzero(c.y == 0)
        hard_neg = neg[np.argsort(-cos[neg], kind="stable")[:hard]]
        rest = np.setdiff1d(neg, hard_neg)
        easy_neg = rng.choice(rest, size=min(easy, len(rest)), replace=False) if len(rest) else rest
        pos = np.flatnonzero(c.y > 0)
        idx = np.concatenate([pos, hard_neg, easy_neg]).astype(int)
        if not len(idx):
            continue
        xs.append(E.Matcher.inputs(c.qv, c.sv[idx].astype(np.float32), c.pv[idx].astype(np.float32)))
        lab = (c.y[idx] > 0).astype(np.float32)
        ys.append(lab)
        # each question weighs the same; its positives as much as its negatives
        w = np.where(lab > 0, 0.5 / max(1, lab.sum()), 0.5 / max(1, (lab == 0).sum())) * c.weight
        if not lab.any():
            w = w * 2 * 0.5
        ws.append(w.astype(np.float32))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)


def fit_matcher(cases: list[Case], hidden: int = 64, epochs: int = 4, seed: int = SEED) -> E.Matcher:
    """A one-hidden-layer network on the question/sentence/passage vectors (torch, CPU, seconds)."""
    import torch

    rng = np.random.default_rng(seed)
    X, y, w = _pairs(cases, rng)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a network this small runs fastest on one thread, and never waits on a busy core
    try:
        return _train(X, y, w, hidden, epochs, seed, rng)
    finally:
        torch.set_num_threads(threads)


def _train(X: np.ndarray, y: np.ndarray, w: np.ndarray, hidden: int, epochs: int, seed: int,
           rng: np.random.Generator) -> E.Matcher:
    import torch

    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(X.shape[1], hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-3)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    wt = torch.from_numpy(w / w.mean())
    n = len(y)
    for _ in range(epochs):
        perm = torch.from_numpy(rng.permutation(n))
        for start in range(0, n, 512):
            b = perm[start : start + 512]
            logits = net(Xt[b]).squeeze(1)
            loss = (torch.nn.functional.binary_cross_entropy_with_logits(logits, yt[b], reduction="none") * wt[b]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    lin1, lin2 = net[0], net[2]
    return E.Matcher(lin1.weight.detach().numpy().T.copy(), lin1.bias.detach().numpy().copy(),
                     lin2.weight.detach().numpy()[0].copy(), float(lin2.bias.detach().numpy()[0]))


def _with_match(c: Case, m: E.Matcher | None) -> np.ndarray:
    X = c.X.copy()
    if m is not None and c.qv is not None and len(X):
        p = m.prob(E.Matcher.inputs(c.qv, c.sv.astype(np.float32), c.pv.astype(np.float32)))
        X[:, COL["match"]] = p
        X[:, COL["match_gap"]] = p - p.max()
    return X


def _half(group: str) -> int:
    return hashlib.sha256(group.encode()).digest()[0] % 2


# ---- fitting ------------------------------------------------------------------------------------


@dataclass
class Fitted:
    matcher: E.Matcher
    sentence: E.Trees
    answerable: E.Linear
    threshold: float


def _rows(cases: list[Case], Xs: list[np.ndarray], s_model: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    R, y, w = [], [], []
    for c, X in zip(cases, Xs, strict=True):
        probs = s_model.prob(X) if len(X) else np.zeros(0)
        order = np.argsort(-probs, kind="stable")
        R.append(E.answerable_row(c.q, [None] * len(order), X[order], probs[order]))  # type: ignore[list-item]
        y.append(1.0 if c.answerable else 0.0)
        w.append(c.weight)
    return np.asarray(R), np.asarray(y), np.asarray(w)


def pick_threshold(p: np.ndarray, y: np.ndarray, min_answered: float = MIN_ANSWERED) -> float:
    """The highest threshold still answering ``min_answered`` of the answerable questions."""
    best = 0.05
    for k in range(5, 96):
        t = k / 100
        if (p[y == 1] >= t - 1e-9).mean() >= min_answered:
            best = t
    return best


def balanced_threshold(p: np.ndarray, kinds: np.ndarray) -> tuple[float, float, float]:
    """The operating point where answering the answerable and declining the out-of-scope fare alike.

    ``p`` are held-out answerable probabilities; ``kinds`` says of each "gold" (answerable, its answer
    among the candidates) or "oos" (out of scope). The threshold maximises the smaller of the share of
    "gold" answered and the share of "oos" declined (ties: the lower threshold, which answers more).
    Returns (threshold, answered, declined).
    """
    gold, oos = p[kinds == "gold"], p[kinds == "oos"]
    if not len(gold) or not len(oos):
        raise ValueError("the balanced point needs held-out answerable and out-of-scope questions")
    best = (-1.0, 0.5, 0.0, 0.0)
    for k in range(5, 96):
        t = k / 100
        answered, declined = float((gold >= t - 1e-9).mean()), float((oos < t - 1e-9).mean())
        if min(answered, declined) > best[0] + 1e-12:
            best = (min(answered, declined), t, answered, declined)
    return best[1], best[2], best[3]


def held_out_scores(f: Fitted, cases: list[Case]) -> tuple[np.ndarray, np.ndarray]:
    """A fitted gate's answerable probabilities on held-out questions in everyday words, with their kind
    ("gold", "nogold", "oos"; gold-removed copies are left out)."""
    asked = [c for c in cases if c.source == "paraphrase" and not c.removed]
    Xs = [_with_match(c, f.matcher) for c in asked]
    R, _, _ = _rows(asked, Xs, f.sentence)
    kinds = ["gold" if c.answerable and c.y.any() else "nogold" if c.answerable else "oos" for c in asked]
    return f.answerable.prob(R) if len(R) else np.zeros(0), np.asarray(kinds)


def fit(cases: list[Case], log: bool = True, **matcher_args: Any) -> Fitted:
    t0 = time.time()
    # cross-fitted matcher outputs for the scorer's rows, then the matcher on everything
    halves = [[c for c in cases if _half(c.group) == h] for h in (0, 1)]
    m01 = [fit_matcher(halves[1], **matcher_args), fit_matcher(halves[0], **matcher_args)]
    Xs = [_with_match(c, m01[_half(c.group)]) for c in cases]
    matcher = fit_matcher(cases, **matcher_args)
    ans = [(c, X) for c, X in zip(cases, Xs, strict=True) if c.answerable and len(c.y)]
    Xa = np.concatenate([X for _, X in ans])
    ya = np.concatenate([c.y for c, _ in ans])
    wa = np.concatenate([np.full(len(c.y), c.weight / len(c.y)) for c, _ in ans])
    s_model = fit_trees(Xa, ya, wa * len(ans), E.SENTENCE_FEATURES)
    R, y, w = _rows(cases, Xs, s_model)
    a_model = fit_linear(R, y, w, E.ANSWERABLE_FEATURES)
    p = a_model.prob(R)
    # on the questions in everyday words: answerable ones with their answer among the candidates, and
    # every unanswerable one
    domain = np.asarray([c.source == "paraphrase" and (not c.answerable or bool(c.y.any())) for c in cases])
    thr = pick_threshold(p[domain], y[domain]) if domain.any() else pick_threshold(p, y)
    if log:
        print(f"  fitted on {len(cases)} cases in {time.time() - t0:.0f} s; threshold {thr}", flush=True)
    return Fitted(matcher, s_model, a_model, thr)


def gate_metrics(f: Fitted, cases: list[Case]) -> dict[str, Any]:
    """Scores of a fitted gate on cases it did not see, from the candidates alone (no answer forms)."""
    from sklearn.metrics import roc_auc_score

    Xs = [_with_match(c, f.matcher) for c in cases]
    R, y, _ = _rows(cases, Xs, f.sentence)
    p = f.answerable.prob(R)
    asked = [(c, X) for c, X in zip(cases, Xs, strict=True) if c.answerable and not c.removed and c.y.any()]
    top1 = sum(1 for c, X in asked if c.y[int(np.argmax(f.sentence.prob(X)))] > 0)
    oos = np.asarray([c.source == "paraphrase" and not c.answerable and not c.removed for c in cases])
    removed = np.asarray([c.removed for c in cases])
    with_gold = np.asarray([c.answerable and bool(c.y.any()) for c in cases])
    pair = with_gold | oos
    return {
        "cases": len(cases),
        "answerable_auc": float(roc_auc_score(y, p)) if len(set(y)) == 2 else None,
        "auc_gold_in_candidates_vs_out_of_scope": float(roc_auc_score(y[pair], p[pair])) if len(set(y[pair])) == 2 else None,
        "answered_when_gold_in_candidates": float((p[with_gold] >= f.threshold).mean()) if with_gold.any() else None,
        "answered_when_answerable": float((p[y == 1] >= f.threshold).mean()) if (y == 1).any() else None,
        "declined_out_of_scope": float((p[oos] < f.threshold).mean()) if oos.any() else None,
        "declined_gold_removed": float((p[removed] < f.threshold).mean()) if removed.any() else None,
        "top1_given_gold_in_candidates": top1 / max(1, len(asked)),
        "gold_in_candidates": len(asked) / max(1, sum(1 for c in cases if c.answerable)),
    }


def write(out: Path, f: Fitted, manifest_extra: dict[str, Any], embedding_model: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"sentence": f.sentence.to_dict(), "answerable": f.answerable.to_dict(),
                       "threshold": f.threshold, "matcher": f.matcher.to_dict()},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    (out / "model.json.tmp").write_bytes(body)
    manifest = {
        "model": "planqa answer gate: meaning matcher (one-hidden-layer network on mE5 vectors), sentence scorer "
                 "(gradient-boosted trees), answerability classifier (logistic regression)",
        "files": {"model.json": E.sha256_bytes(body)},
        "features": {"sentence": list(E.SENTENCE_FEATURES), "answerable": list(E.ANSWERABLE_FEATURES)},
        "embedding_model": embedding_model.split("@")[0],
        "seed": SEED, "command": "make train (python -m training.gate)",
        "date": datetime.now(UTC).isoformat(timespec="seconds"), **manifest_extra,
    }
    (out / "manifest.json.tmp").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "model.json.tmp").replace(out / "model.json")
    (out / "manifest.json.tmp").replace(out / "manifest.json")


def _kept(path: Path, make: Any) -> list[Case]:
    """Cases of one source, read from ``path`` when an earlier run collected them."""
    if path.is_file():
        cases = pickle.loads(path.read_bytes())
        print(f"  {len(cases)} cases read from {path}", flush=True)
        return cases
    cases = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".tmp").write_bytes(pickle.dumps(cases))
    path.with_suffix(".tmp").replace(path)
    return cases


def collect(embedder: Any, drcd_articles: int, keep: Path, progress: bool = True,
            query_folds: Path | None = None) -> tuple[list[Case], dict[str, Any]]:
    """Every source's cases; each source is kept under ``keep`` so a stopped run resumes where it was.

    ``embedder`` embeds questions as the server does (through the shipped query adapter, which
    never saw CMRC2018 or DRCD). A question in everyday words is embedded by the query adapter of
    its document's fold instead (``query_folds``), so the gate learns from question vectors like
    those of documents the adapter never saw, and a fold's gate never sees its documents through them.
    """
    from service.reader.query import query_adapter_id
    from training.query import FOLDS_DIR as QUERY_FOLDS
    from training.query import fold_embedder

    # kept cases hold feature rows: a change of the feature lists must not read them back
    feats = hashlib.sha256(json.dumps([E.SENTENCE_FEATURES, E.ANSWERABLE_FEATURES]).encode()).hexdigest()[:8]
    served = query_adapter_id(embedder) or "none"
    folds_embedder, vectors, fold_ids = fold_embedder(embedder, P.load(), query_folds or QUERY_FOLDS)
    adapters = hashlib.sha256(json.dumps([served, fold_ids]).encode()).hexdigest()[:8]
    key = f"{P.data_sha()[:12]}-{drcd_articles}-{feats}-{adapters}"
    cases: list[Case] = []
    print("collecting the questions in everyday words", flush=True)
    cases += _kept(keep / f"paraphrase-{key}.pkl", lambda: paraphrase_cases(folds_embedder, progress, vectors))
    print("collecting CMRC2018 trial", flush=True)
    squad_key = f"{feats}-{served.split('@')[-1]}"
    cases += _kept(keep / f"cmrc-trial-{squad_key}.pkl", lambda: squad_cases(
        "cmrc-trial", "cmrc2018/cmrc2018_trial.json", False, embedder, None, progress))
    print(f"collecting DRCD dev ({drcd_articles} articles)", flush=True)
    cases += _kept(keep / f"drcd-dev-{drcd_articles}-{squad_key}.pkl", lambda: squad_cases(
        "drcd-dev", "drcd/DRCD_dev.json", True, embedder, drcd_articles, progress))
    ev = SHARED / "evaldata"
    files = [ev / "cmrc2018" / "cmrc2018_trial.json", ev / "drcd" / "DRCD_dev.json"]
    data = {
        "paraphrase": {"folder": "training/data/paraphrase", "sha256": P.data_sha(),
                       "documents": sorted({c.doc for c in cases if c.doc}),
                       "questions": sum(1 for c in cases if c.source == "paraphrase" and not c.removed)},
        "public": {"files": [str(p.relative_to(SHARED)) for p in files], "sha256": file_sha(files),
                   "drcd_dev_articles": drcd_articles, "seed": SEED},
        "collection": "every policy document of evaldata/policy_docs, evaldata/gov_docs and corpus/, indexed together",
        "query_adapter": {"served": served, "folds": fold_ids,
                          "note": "questions in everyday words are embedded by their fold's adapter"},
        "never_read": ["eval/dev_qa.jsonl", "eval/dev_qa_govreport.jsonl", "cmrc2018/cmrc2018_dev.json",
                       "drcd/DRCD_test.json"],
    }
    return cases, data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--folds-dir", type=Path, default=FOLDS_DIR)
    ap.add_argument("--no-folds", action="store_true", help="only the shipped model")
    ap.add_argument("--drcd-articles", type=int, default=DRCD_ARTICLES)
    ap.add_argument("--cases", type=Path, default=WORK / "gate-cases", help="where collected cases are kept between runs")
    ap.add_argument("--recollect", action="store_true", help="collect every source again")
    args = ap.parse_args(argv)
    from evaluation.cmrc import PrefetchEmbedder
    from evaluation.run_eval import load_embedder
    from service.settings import Settings

    t0 = time.time()
    s = Settings()
    embedder = PrefetchEmbedder(load_embedder(s))
    if args.recollect and args.cases.is_dir():
        for old in args.cases.glob("*.pkl"):
            old.unlink()
    cases, data = collect(embedder, args.drcd_articles, args.cases)
    print(f"{len(cases)} cases in {(time.time() - t0) / 60:.1f} min", flush=True)
    folds: dict[str, Any] = {}
    pooled: list[tuple[np.ndarray, np.ndarray]] = []
    if not args.no_folds:
        for k in range(P.FOLDS):
            held = [c for c in cases if c.doc is not None and P.fold_of(c.doc) == k]
            train = [c for c in cases if not (c.doc is not None and P.fold_of(c.doc) == k)]
            print(f"fold {k}: {len({c.doc for c in held})} documents held out", flush=True)
            f = fit(train)
            m = gate_metrics(f, held)
            pooled.append(held_out_scores(f, held))
            folds[str(k)] = {"held_out_documents": sorted({c.doc for c in held if c.doc}), **m,
                             "threshold": f.threshold}
            print("  " + json.dumps({k2: v for k2, v in m.items()}, ensure_ascii=False), flush=True)
            write(args.folds_dir / f"fold-{k}", f, {"training_data": data, "fold": k,
                                                    "held_out_documents": folds[str(k)]["held_out_documents"]},
                  embedder.model_id)
    f = fit(cases)
    # the shipped model decides by the rule each fold model was validated with, so the
    # leave-documents-out results below are what it does on documents it never saw
    rule = f"highest threshold answering >= {MIN_ANSWERED} of the training questions in everyday words"
    balanced = None
    if pooled:
        # for comparison only: where the folds' held-out questions would balance answering and declining
        t, answered, declined = balanced_threshold(np.concatenate([p for p, _ in pooled]),
                                                   np.concatenate([k for _, k in pooled]))
        balanced = {"threshold": t, "answered_with_answer_among_candidates": round(answered, 3),
                    "out_of_scope_declined": round(declined, 3)}
    metrics = {"leave_documents_out": folds, "balanced_point_of_held_out_curve": balanced, "in_sample": gate_metrics(f, [c for c in cases if c.source == "paraphrase"])}
    metrics["wall_minutes"] = round((time.time() - t0) / 60, 1)
    write(args.out, f, {"training_data": data, "metrics": metrics, "threshold_rule": rule}, embedder.model_id)
    print(f"wrote {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
