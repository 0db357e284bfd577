"""Answers on questions nobody tuned for: CMRC2018 dev and DRCD test, answerable and not.

Each set's paragraphs are indexed as documents (as ``planqa index`` would) and every question is
asked of the answer engine twice: as is, and with its gold paragraph removed from what retrieval
may return (the SQuAD-2.0 way of making an unanswerable question). Reported: the share of
answers that contain a reference answer, the median answer length, how often an answerable
question is answered (grounded) and how often an unanswerable one is declined, and the curve of
those two over the answerability threshold; with a reader, the short answer's EM/F1.

    python -m evaluation.answers [--limit N] [--set cmrc-dev|drcd-test|cmrc-trial|drcd-dev]

``cmrc-trial`` and ``drcd-dev`` are training data: the sets to choose a rule or a setting on, so
the test sets stay untouched.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.metrics import best_em_f1, contains_answer, strip_markers
from index.textnorm import normalize

SEED = 7
SETS = {
    "cmrc-dev": ("cmrc2018/cmrc2018_dev.json", False),
    "drcd-test": ("drcd/DRCD_test.json", True),
}
# Training data, for choosing operating points (never reported as a test score).
TRAINING_SETS = {"cmrc-trial": ("cmrc2018/cmrc2018_trial.json", False), "drcd-dev": ("drcd/DRCD_dev.json", True)}


def load_set(shared: Path, name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rel, traditional = {**SETS, **TRAINING_SETS}[name]
    data = json.loads((shared / "evaldata" / rel).read_text(encoding="utf-8"))
    conv = normalize if traditional else (lambda s: s)
    docs, qs = [], []
    for art in data["data"]:
        for para in art["paragraphs"]:
            pid = f"{name}-{para['id']}"
            docs.append({"id": pid, "title": conv(art.get("title", "")), "text": conv(para["context"])})
            for qa in para["qas"]:
                refs = [conv(a["text"]) for a in qa["answers"] if a["text"].strip()]
                if refs:
                    qs.append({"q": conv(qa["question"]), "doc": pid, "refs": list(dict.fromkeys(refs))})
    return docs, qs


def open_engine(name: str, docs: list[dict[str, Any]], work: Path, embedder: Any, reader: Any = None) -> Any:
    from index.builder import build_from_corpus
    from index.store import load_index
    from service.answer.engine import AnswerEngine
    from service.settings import Settings

    corpus = work / name / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    body = ("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n").encode("utf-8")
    f = corpus / f"{name}.jsonl"
    if not f.is_file() or f.read_bytes() != body:
        f.write_bytes(body)
    settings = Settings(corpus_dir=corpus, index_dir=work / name / "index")
    build_from_corpus(settings, embedder, progress=True)
    idx = load_index(settings.index_dir, embedder, settings.embedding_model, verify=False)
    return AnswerEngine(idx, idx.hybrid, reader=reader)


def evaluate(engine: Any, qs: list[dict[str, Any]], progress: bool = True) -> dict[str, Any]:
    from service.answer.compose import definition_focus
    from service.answer.engine import SOURCE_RE
    from service.answer.question import analyse

    contains, grounded, lengths, declined = [], [], [], []
    pos_a, neg_a = [], []
    em, f1, short_given = [], [], 0
    t0 = time.time()
    for i, d in enumerate(qs):
        ans = engine.ask(d["q"], top_k=5)
        # the line naming the source document is not part of the answer
        text = strip_markers(SOURCE_RE.sub("", ans.text)) if ans.grounded else ""
        contains.append(bool(ans.grounded and contains_answer(text, d["refs"])))
        grounded.append(bool(ans.grounded))
        if ans.grounded:
            lengths.append(len(text))
        if ans.short_answer is not None:
            short_given += 1
        e, f = best_em_f1(ans.short_answer or "", d["refs"])
        em.append(e)
        f1.append(f)
        # the same question with its paragraph gone
        q = definition_focus(analyse(d["q"]), engine.corpus)
        removed = engine.extractor.answer(q, 5, None, [], keep=lambda h, doc=d["doc"]: h.passage.doc_id != doc)
        declined.append(not removed.grounded)
        ext = engine.extractor.answer(q, 5, None, [])
        if ext.scored is not None and removed.scored is not None:
            pos_a.append(ext.scored.answerable)
            neg_a.append(removed.scored.answerable)
        if progress and ((i + 1) % 200 == 0 or i + 1 == len(qs)):
            rate = (i + 1) / max(1e-9, time.time() - t0)
            print(f"  {i + 1}/{len(qs)} questions, {rate:.1f}/s", flush=True)
    pa, na = np.asarray(pos_a), np.asarray(neg_a)
    curve = [
        {"threshold": round(float(t), 2), "answered_when_answerable": float((pa >= t).mean()) if len(pa) else 0.0,
         "abstained_when_not": float((na < t).mean()) if len(na) else 0.0}
        for t in np.arange(0.1, 0.91, 0.1)
    ]
    n = max(1, len(qs))
    return {
        "n": len(qs),
        "answer_contains_gold": sum(contains) / n,
        "median_answer_chars": statistics.median(lengths) if lengths else 0,
        "grounded_when_answerable": sum(grounded) / n,
        "declined_when_removed": sum(declined) / n,
        "short_answer_em": float(np.mean(em)) if em else 0.0,
        "short_answer_f1": float(np.mean(f1)) if f1 else 0.0,
        "short_answer_given": short_given / n,
        "curve": curve,
        "threshold": float(engine.evidence_model.threshold) if engine.evidence_model else None,
        "seconds": round(time.time() - t0, 1),
    }


def run(shared: Path, work: Path, embedder: Any, sets: list[str], limit: int | None, reader: Any = None,
        progress: bool = True) -> dict[str, dict[str, Any]]:
    out = {}
    for name in sets:
        docs, qs = load_set(shared, name)
        if limit and limit < len(qs):
            qs = random.Random(SEED).sample(qs, limit)
        engine = open_engine(name, docs, work, embedder, reader)
        if hasattr(embedder, "prefetch"):
            from service.answer.question import analyse

            embedder.prefetch([analyse(d["q"]).text for d in qs], progress=False)
        out[name] = evaluate(engine, qs, progress)
    return out


def render(results: dict[str, dict[str, Any]]) -> list[str]:
    """The report section (markdown lines)."""
    lines = [
        "## Answers on CMRC2018 dev and DRCD test (answerable, and with the gold paragraph removed)",
        "",
        "| set | n | answer contains gold | median answer chars | grounded when answerable | declined when removed | short EM | short F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['n']:,} | {r['answer_contains_gold']:.3f} | {r['median_answer_chars']:.0f} | "
            f"{r['grounded_when_answerable']:.3f} | {r['declined_when_removed']:.3f} | {r['short_answer_em']:.3f} | "
            f"{r['short_answer_f1']:.3f} |"
        )
    lines += ["", "Answerability threshold curve (the engine's classifier score on the same questions, as is and with "
              "the gold paragraph removed; the shipped operating point is the model's `threshold`):", ""]
    for name, r in results.items():
        lines += [f"- **{name}** (threshold {r['threshold']}): "
                  + ", ".join(f"t={c['threshold']:.1f}: {c['answered_when_answerable']:.2f} / {c['abstained_when_not']:.2f}"
                              for c in r["curve"])]
    lines += ["", "Each pair reads answered-when-answerable / declined-when-removed. Contradiction rules (a year, "
              "place or figure the question names and the evidence lacks) decline on top of the threshold.", ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--set", action="append", choices=sorted({**SETS, **TRAINING_SETS}), default=None)
    ap.add_argument("--work", type=Path, default=Path(".planqa/eval"))
    args = ap.parse_args(argv)
    from evaluation.cmrc import PrefetchEmbedder
    from evaluation.dev import shared_dir
    from evaluation.run_eval import load_embedder
    from service.settings import Settings

    s = Settings()
    embedder = PrefetchEmbedder(load_embedder(s))
    reader = None
    try:
        from service.reader import load_reader

        reader = load_reader(s)
    except Exception as e:  # the reader is optional
        print(f"no reader: {e}")
    results = run(shared_dir(), args.work, embedder, args.set or list(SETS), args.limit, reader)
    print("\n".join(render(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
