"""Fit the evidence scorer and the answerability classifier: ``python -m training.evidence``.

Data (public, in ``../shared``): CMRC2018 trial and DRCD dev (Traditional, normalised to
Simplified with the index's length-preserving normaliser), plus the dev questions on the two
plan documents. CMRC2018 dev and DRCD test are never read: they are the test sets.

For each collection an index is built exactly as ``planqa index`` builds one (each paragraph a
document); every question goes through the answer stage's own candidate and feature code twice:
once as is (the sentence holding the gold answer is the positive) and once with the gold
paragraph removed from what retrieval may return (the SQuAD-2.0-style unanswerable case).
A seeded split by article holds out 20% for the report; the shipped model is then refitted on
everything. Output: ``service/answer/models/evidence/{model.json,manifest.json}``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.textnorm import normalize
from service.answer import evidence as E

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
OUT = REPO / "service" / "answer" / "models" / "evidence"
WORK = REPO / ".planqa" / "train"
SEED = 13
DOMAIN_WEIGHT = 2.0
# More of what says "this sentence answers" never lowers the score, a clash never raises it: the
# trees then cannot reward a weak candidate for where it falls between training examples.
MONOTONE = {
    **dict.fromkeys(("hand", "cov", "window", "head_cov", "content_cov", "window_cov", "rank_prior", "retrieved",
                     "fused_gap", "type_fit", "s_cos", "p_cos", "s_cos_gap", "p_cos_gap", "bigram", "bigram_ctx",
                     "wants_x_quantity", "list_x_enum", "time_x_year", "desc_x_s_cos"), 1),
    **dict.fromkeys(("unmet", "year_clash", "target_clash"), -1),
}
# DRCD dev has 3,524 questions; a seeded sample keeps a full run within ~30 minutes here.
DRCD_QUESTIONS = 1500

log = logging.getLogger("training.evidence")


@dataclass
class Item:
    """One question: its candidates' features as answerable and with the gold removed."""

    source: str
    group: str
    X: np.ndarray
    y: np.ndarray
    X_removed: np.ndarray | None
    weight: float
    answerable: bool = True
    q: Any = None
    q_removed: Any = None


# ---- data ----------------------------------------------------------------------------------------


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


def dev_items(path: Path, group: str) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        if d["type"] == "phrase":
            continue
        out.append({"q": d["q"], "cite_any": d.get("cite_any", []), "oos": bool(d.get("expect_ungrounded")),
                    "group": f"{group}-{d['id']}"})
    return out


def file_sha(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


# ---- features ------------------------------------------------------------------------------------


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


def featurize(ex: Any, question: str, positive: Any, keep: Any = None) -> tuple[np.ndarray, np.ndarray, Any]:
    """Feature rows and labels of one question's candidates (``positive(evidence) -> bool``)."""
    from service.answer.compose import definition_focus
    from service.answer.question import analyse

    q = definition_focus(analyse(question), ex.corpus)
    scored = ex.score(q, None, [], keep=keep)
    y = np.asarray([1.0 if positive(e) else 0.0 for e in scored.ranked], dtype=np.float32)
    return scored.X.astype(np.float32), y, q


def squad_collection(name: str, path: Path, traditional: bool, embedder: Any, limit: int | None) -> list[Item]:
    docs, qs = squad_items(path, name, traditional)
    if limit:
        random.Random(SEED).shuffle(qs)
        qs = qs[:limit]
    body = "\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n"
    _, ex = open_collection(name, {f"{name}.jsonl": body}, embedder)
    if hasattr(embedder, "prefetch"):
        # batched, the questions cost a fraction of one call each
        from service.answer.question import analyse

        embedder.prefetch([analyse(d["q"]).text for d in qs], progress=False)
    items = []
    t0 = time.time()
    for i, d in enumerate(qs):
        answers = [normalize(a) for a in d["answers"]]

        def pos(e: Any, doc: str = d["doc"], answers: list[str] = answers) -> bool:
            return e.hit.passage.doc_id == doc and any(a in normalize(e.sentence_text) for a in answers)

        X, y, q = featurize(ex, d["q"], pos)
        Xr, _, _ = featurize(ex, d["q"], lambda e: False, keep=lambda h, doc=d["doc"]: h.passage.doc_id != doc)
        items.append(Item(name, d["group"], X, y, Xr, 1.0, True, q, q))
        progress(name, i + 1, len(qs), t0)
    return items


def dev_collection(name: str, files: dict[str, Path], qa: Path, embedder: Any) -> list[Item]:
    _, ex = open_collection(name, files, embedder)
    items = []
    qs = dev_items(qa, name)
    if hasattr(embedder, "prefetch"):
        from service.answer.question import analyse

        embedder.prefetch([analyse(d["q"]).text for d in qs], progress=False)
    for d in qs:
        golds = [normalize(c).replace(" ", "") for c in d["cite_any"]]

        def pos(e: Any, golds: list[str] = golds) -> bool:
            s = normalize(e.sentence_text).replace(" ", "")
            return any(g in s or (len(s) >= 8 and s in g) for g in golds)

        def keep(h: Any, golds: list[str] = golds) -> bool:
            t = normalize(h.passage.text).replace(" ", "")
            return not any(g in t for g in golds)

        X, y, q = featurize(ex, d["q"], pos)
        if d["oos"]:
            items.append(Item(name, d["group"], X, np.zeros_like(y), None, DOMAIN_WEIGHT, False, q))
            continue
        Xr, _, _ = featurize(ex, d["q"], lambda e: False, keep=keep)
        items.append(Item(name, d["group"], X, y, Xr, DOMAIN_WEIGHT, True, q, q))
    return items


_NUMBERING = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.．、])\s*")
_ACTION = re.compile(
    r"^(加快|加强|推进|推动|强化|提升|培育|打造|构建|完善|促进|深化|实施|优化|扩大|支持|坚持|着力|全面|大力|积极|持续|"
    r"健全|建设|发展|做好|稳定|保障|落实|提高|壮大|激发|增强|巩固|扎实|更好|切实|有效|创新)"
)


def heading_questions(doc: Any) -> list[tuple[str, str]]:
    """(question, heading) pairs read off a plan's own headings: its structure labels its paragraphs.

    "（五）强化人才支撑" becomes "如何强化人才支撑？"; a noun heading "园区建设" becomes
    "园区建设方面有哪些举措？". The sentences under the heading are the answer.
    """
    out = []
    for h in doc.headings:
        if h.level < 2:
            continue
        core = _NUMBERING.sub("", h.text).strip().lstrip("—-－ ")
        core = re.split(r"[，,：:；;]", core)[0].strip("“”\"")
        if not 4 <= len(core) <= 16:
            continue
        q = f"如何{core}？" if _ACTION.match(core) else f"{core}方面有哪些举措？"
        out.append((q, h.text))
    return out


def heading_collection(name: str, files: dict[str, Path], embedder: Any) -> list[Item]:
    """Questions made from the headings of the dev documents, answered by the text under them."""
    idx, ex = open_collection(name, files, embedder)
    items = []
    for doc in idx.documents.values():
        pairs = heading_questions(doc)
        if hasattr(embedder, "prefetch"):
            from service.answer.question import analyse

            embedder.prefetch([analyse(q).text for q, _ in pairs], progress=False)
        for q, heading in pairs:
            def under(p: Any, heading: str = heading) -> bool:
                return bool(p.section) and p.section[-1] == heading

            X, y, qq = featurize(ex, q, lambda e, under=under: under(e.hit.passage))
            if not y.any():
                continue  # retrieval missed the section: nothing to learn about ranking here
            # No removed-section negative: other sections of a plan often do speak to its topic, and
            # calling them unanswerable taught the classifier to refuse questions in other words.
            items.append(Item(f"{name}-headings", f"{name}-h-{heading}", X, y, None, DOMAIN_WEIGHT, True, qq))
    return items


def progress(name: str, done: int, total: int, t0: float) -> None:
    if done % 100 and done != total:
        return
    rate = done / max(1e-9, time.time() - t0)
    eta = (total - done) / max(rate, 1e-9)
    print(f"  {name}: {done}/{total} questions, {rate:.1f}/s, ETA {eta / 60:.1f} min", flush=True)


# ---- fitting ------------------------------------------------------------------------------------


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


def fit_sentence(items: list[Item]) -> E.Trees:
    rows = [it for it in items if it.answerable and len(it.y)]
    X = np.concatenate([it.X for it in rows])
    y = np.concatenate([it.y for it in rows])
    # every question weighs the same, however many candidates it has
    w = np.concatenate([np.full(len(it.y), it.weight / len(it.y)) for it in rows])
    return fit_trees(X, y, w * len(rows), E.SENTENCE_FEATURES)


def answerable_rows(items: list[Item], model: E.Linear | E.Trees) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, y, w = [], [], []
    for it in items:
        for feats, label, q in ((it.X, it.answerable, it.q), (it.X_removed, False, it.q_removed)):
            if feats is None or q is None:
                continue
            probs = model.prob(feats) if len(feats) else np.zeros(0)
            order = np.argsort(-probs, kind="stable")
            ranked_X, ranked_p = feats[order], probs[order]
            X.append(E.answerable_row(q, [None] * len(order), ranked_X, ranked_p))  # type: ignore[list-item]
            y.append(1.0 if label else 0.0)
            w.append(it.weight)
    return np.asarray(X), np.asarray(y), np.asarray(w)


def sentence_metrics(items: list[Item], model: E.Linear | E.Trees) -> dict[str, float]:
    rows = [it for it in items if it.answerable and len(it.y)]
    found = [it for it in rows if it.y.max() > 0]
    top1 = sum(1 for it in found if it.y[int(np.argmax(model.prob(it.X)))] > 0)
    mrr = 0.0
    for it in found:
        order = np.argsort(-model.prob(it.X), kind="stable")
        first = next(i for i, j in enumerate(order) if it.y[j] > 0)
        mrr += 1.0 / (1 + first)
    return {"questions": len(rows), "gold_in_candidates": len(found) / max(1, len(rows)),
            "top1_given_candidates": top1 / max(1, len(found)), "mrr_given_candidates": mrr / max(1, len(found)),
            "top1_overall": top1 / max(1, len(rows))}


def curve(p: np.ndarray, y: np.ndarray) -> list[dict[str, float]]:
    out = []
    for t in np.round(np.arange(0.05, 0.96, 0.05), 2):
        out.append({"threshold": float(t), "answered_when_answerable": float((p[y == 1] >= t).mean()),
                    "abstained_when_not": float((p[y == 0] < t).mean())})
    return out


def pick_threshold(p: np.ndarray, y: np.ndarray, min_answered: float = 0.95) -> float:
    """The highest threshold that still answers ``min_answered`` of the answerable questions."""
    best = 0.05
    for t in np.arange(0.05, 0.96, 0.01):
        if (p[y == 1] >= t).mean() >= min_answered:
            best = float(t)
    return round(best, 2)


def split(items: list[Item]) -> tuple[list[Item], list[Item]]:
    groups = sorted({it.group for it in items})
    rng = random.Random(SEED)
    rng.shuffle(groups)
    held = set(groups[: len(groups) // 5])
    return [it for it in items if it.group not in held], [it for it in items if it.group in held]


def fit_all(items: list[Item]) -> tuple[E.Trees, E.Linear, float, dict[str, Any]]:
    from sklearn.metrics import roc_auc_score

    train, held = split(items)
    s_model = fit_sentence(train)
    Xa, ya, wa = answerable_rows(train, s_model)
    a_model = fit_linear(Xa, ya, wa, E.ANSWERABLE_FEATURES)
    threshold = pick_threshold(a_model.prob(Xa), ya)
    Xh, yh, _ = answerable_rows(held, s_model)
    ph = a_model.prob(Xh)
    by_source = {}
    for src in sorted({it.source for it in held}):
        part = [it for it in held if it.source == src]
        Xs, ys, _ = answerable_rows(part, s_model)
        ps = a_model.prob(Xs)
        by_source[src] = {
            **sentence_metrics(part, s_model),
            "answered_when_answerable": float((ps[ys == 1] >= threshold).mean()) if (ys == 1).any() else None,
            "abstained_when_not": float((ps[ys == 0] < threshold).mean()) if (ys == 0).any() else None,
        }
    metrics = {
        "split": {"seed": SEED, "held_out_share": 0.2, "by": "article", "train_questions": len(train),
                  "held_out_questions": len(held)},
        "held_out": {
            "sentence": sentence_metrics(held, s_model),
            "answerable_auc": float(roc_auc_score(yh, ph)) if len(set(yh)) == 2 else None,
            "threshold": threshold,
            "answered_when_answerable": float((ph[yh == 1] >= threshold).mean()),
            "abstained_when_not": float((ph[yh == 0] < threshold).mean()),
            "curve": curve(ph, yh),
            "by_source": by_source,
        },
    }
    # the shipped model sees every question; the threshold keeps the held-out operating point
    s_all = fit_sentence(items)
    Xa, ya, wa = answerable_rows(items, s_all)
    a_all = fit_linear(Xa, ya, wa, E.ANSWERABLE_FEATURES)
    threshold_all = pick_threshold(a_all.prob(Xa), ya)
    metrics["shipped_threshold"] = threshold_all
    return s_all, a_all, threshold_all, metrics


def write_model(out: Path, s: E.Trees, a: E.Linear, threshold: float, metrics: dict[str, Any], data: dict[str, Any],
                embedding_model: str = "") -> None:
    out.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"sentence": s.to_dict(), "answerable": a.to_dict(), "threshold": threshold},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    tmp = out / "model.json.tmp"
    tmp.write_bytes(body)
    manifest = {
        "model": "planqa evidence scorer (gradient-boosted trees) + answerability classifier (logistic regression)",
        "files": {"model.json": E.sha256_bytes(body)},
        "features": {"sentence": list(E.SENTENCE_FEATURES), "answerable": list(E.ANSWERABLE_FEATURES)},
        "embedding_model": embedding_model.split("@")[0],
        "training_data": data, "seed": SEED, "command": "make train (python -m training.evidence)",
        "metrics": metrics, "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (out / "manifest.json.tmp").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(out / "model.json")
    (out / "manifest.json.tmp").replace(out / "manifest.json")


def collect_headings(embedder: Any) -> list[Item]:
    plan = REPO / "corpus" / "dongli-14th-fyp-industry.txt"
    report = SHARED / "evaldata" / "gov_docs" / "2022_government_work_report.txt"
    print("collecting questions from the headings of the two plan documents", flush=True)
    return heading_collection("dev-plan", {plan.name: plan}, embedder) + heading_collection(
        "dev-govreport-only", {report.name: report}, embedder)


def collect(embedder: Any, limit: int | None) -> tuple[list[Item], dict[str, Any]]:
    ev = SHARED / "evaldata"
    cmrc_trial = ev / "cmrc2018" / "cmrc2018_trial.json"
    drcd_dev = ev / "drcd" / "DRCD_dev.json"
    plan = REPO / "corpus" / "dongli-14th-fyp-industry.txt"
    report = ev / "gov_docs" / "2022_government_work_report.txt"
    dev, dev_gov = SHARED / "eval" / "dev_qa.jsonl", SHARED / "eval" / "dev_qa_govreport.jsonl"
    items: list[Item] = []
    print("collecting CMRC2018 trial", flush=True)
    items += squad_collection("cmrc-trial", cmrc_trial, False, embedder, limit)
    print("collecting DRCD dev", flush=True)
    items += squad_collection("drcd-dev", drcd_dev, True, embedder, limit or DRCD_QUESTIONS)
    print("collecting the dev questions", flush=True)
    plan_files = {plan.name: plan}
    meta = plan.with_name(plan.stem + ".meta.json")
    if meta.is_file():
        plan_files[meta.name] = meta
    items += dev_collection("dev-plan", plan_files, dev, embedder)
    items += dev_collection("dev-govreport", {**plan_files, report.name: report}, dev_gov, embedder)
    items += collect_headings(embedder)
    files = [cmrc_trial, drcd_dev, plan, report, dev, dev_gov]
    data = {"files": [str(p.relative_to(SHARED)) if p.is_relative_to(SHARED) else str(p.relative_to(REPO)) for p in files],
            "sha256": file_sha(files), "questions": len(items), "limit": limit}
    return items, data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="questions per public collection (for a quick run)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--features", type=Path, default=None,
                    help="where extracted features are kept between runs (default .planqa/train/evidence-features.pkl)")
    ap.add_argument("--recollect", action="store_true", help="extract the features again even if they are kept")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    import __main__

    __main__.Item = Item  # features kept by an earlier run unpickle whichever way this module was started
    from evaluation.cmrc import PrefetchEmbedder
    from index.embedder import load_embedder
    from service.settings import Settings

    t0 = time.time()
    s = Settings()
    embedder = PrefetchEmbedder(load_embedder(s.embedding_model, s.model_dir, s.embedding_cache_dir, s.embedding_batch_size))
    feats = args.features or (WORK / "evidence-features.pkl")
    if feats.is_file() and not args.recollect:
        import pickle

        items, data = pickle.loads(feats.read_bytes())
        print(f"features of {len(items)} questions read from {feats}", flush=True)
        if not any(it.source.endswith("-headings") for it in items):
            items += collect_headings(embedder)
            data["questions"] = len(items)
            feats.write_bytes(pickle.dumps((items, data)))
        for it in items:
            it.weight = DOMAIN_WEIGHT if it.source.startswith("dev") else 1.0
    else:
        items, data = collect(embedder, args.limit)
        import pickle

        feats.parent.mkdir(parents=True, exist_ok=True)
        feats.write_bytes(pickle.dumps((items, data)))
    print(f"features of {len(items)} questions in {(time.time() - t0) / 60:.1f} min; fitting", flush=True)
    s_model, a_model, threshold, metrics = fit_all(items)
    metrics["wall_minutes"] = round((time.time() - t0) / 60, 1)
    write_model(args.out, s_model, a_model, threshold, metrics, data, embedder.model_id)
    h = metrics["held_out"]
    print(json.dumps({k: h[k] for k in ("sentence", "answerable_auc", "threshold", "answered_when_answerable",
                                         "abstained_when_not")}, indent=1))
    print(f"wrote {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
