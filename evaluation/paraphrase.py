"""Questions in everyday words on documents the answer model never saw: leave-documents-out.

Every policy document of ``../shared/evaldata/policy_docs``, the 2022 work report and ``corpus/``
are indexed together, as a user with the whole collection would have them. Each written question
(``training/data/paraphrase``) is asked of the answer engine with the evidence model of its
document's fold (``training.gate``): a model fitted without that document and without any
other document of its fold, its threshold chosen on the training folds; the question is embedded
by the query adapter of the same fold (``training.query``), which never saw those documents either.
Scored as ``score.py`` scores: answer (every ``answer_all`` string in a grounded answer; cite@5 when there is none),
cite@1 / cite@5; plus the false declines (answerable, declined, while a gold passage is among the
five citations) and the out-of-scope questions declined, by question type and form.

    python -m evaluation.paraphrase [--folds DIR] [--limit N] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from evaluation.metrics import cite_hit, squash, strip_markers
from training import paraphrase as P

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
FOLDS_DIR = REPO / ".planqa" / "train" / "folds"
QUERY_FOLDS_DIR = REPO / ".planqa" / "train" / "query-folds"
SEED = 7


def collection_files(shared: Path = SHARED, repo: Path = REPO) -> dict[str, Path]:
    """file name → path: every policy document, the 2022 work report and ``corpus/``."""
    files = {p.name: p for p in sorted((shared / "evaldata" / "policy_docs").glob("*.txt"))}
    files.update({p.name: p for p in sorted((shared / "evaldata" / "gov_docs").glob("*.txt"))})
    files.update({p.name: p for p in sorted((repo / "corpus").iterdir()) if p.is_file()})
    return files


def open_collection(work: Path, embedder: Any, files: dict[str, Path] | None = None) -> Any:
    """The index of the whole collection under ``work`` (built when stale), loaded."""
    from index.builder import build_from_corpus
    from index.options import BuildOptions
    from index.store import load_index
    from service.settings import Settings

    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    files = files if files is not None else collection_files()
    for stale in corpus.iterdir():
        if stale.name not in files:
            stale.unlink()
    for name, src in files.items():
        dst = corpus / name
        data = src.read_bytes()
        if not dst.is_file() or dst.read_bytes() != data:
            dst.write_bytes(data)
    settings = Settings(corpus_dir=corpus, index_dir=work / "index")
    build_from_corpus(BuildOptions.from_settings(settings), embedder, progress=True)
    return load_index(settings.index_dir, embedder, settings.embedding_model, verify=False)


def doc_id(doc: str) -> str:
    from ingest.pipeline import slug

    return slug(Path(doc).stem)


def judge(q: P.Question, grounded: bool, answer: str, citations: list[str]) -> dict[str, Any]:
    """One answer scored the way ``score.py`` scores it, plus whether a decline was false."""
    c1 = bool(citations) and cite_hit(citations[0], q.cite_any)
    c5 = any(cite_hit(t, q.cite_any) for t in citations[:5])
    if q.oos:
        return {"ok": not grounded, "cite1": None, "cite5": None, "false_decline": False}
    text = squash(strip_markers(answer))
    ok = grounded and (all(squash(a) in text for a in q.answer_all) if q.answer_all else c5)
    return {"ok": ok, "cite1": c1, "cite5": c5, "false_decline": (not grounded) and c5}


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ans = [r for r in rows if not r["oos"]]
    oos = [r for r in rows if r["oos"]]

    def share(xs: list[Any]) -> float | None:
        return sum(bool(x) for x in xs) / len(xs) if xs else None

    return {
        "n": len(rows), "answerable": len(ans), "oos": len(oos),
        "answer": share([r["ok"] for r in ans]),
        "declined": share([not r["grounded"] for r in ans]),
        "false_declines": share([r["false_decline"] for r in ans]),
        "oos_declined": share([r["ok"] for r in oos]),
        "cite1": share([r["cite1"] for r in ans]), "cite5": share([r["cite5"] for r in ans]),
    }


def load_fold_models(folds_dir: Path, threshold: float | None = None) -> dict[int, Any]:
    """The evidence model of every fold under ``folds_dir`` (``fold-<k>/``), by fold; with
    ``threshold``, each decides at that operating point instead of its own."""
    from dataclasses import replace

    from service.answer import evidence as E

    out = {}
    for k in range(P.FOLDS):
        d = folds_dir / f"fold-{k}"
        if (d / "manifest.json").is_file():
            m = E.load_model(d)
            out[k] = replace(m, threshold=threshold) if threshold is not None else m
    return out


def run(index: Any, questions: list[P.Question], models: dict[int, Any], reader: Any = None,
        progress: bool = True, vectors: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every question asked of an engine holding its fold's model; one scored row each. With
    ``vectors`` (by question id), the index's embedder (a ``PrefetchEmbedder``) serves each
    question that vector: its fold's query adapter's."""
    from service.answer.engine import SOURCE_RE, AnswerEngine
    from training.query import serve_fold_vector

    engines: dict[int | None, Any] = {}
    rows = []
    t0 = time.time()
    for i, q in enumerate(questions):
        fold = P.fold_of(q.doc) if models else None
        if fold not in engines:
            engines[fold] = AnswerEngine(index, index.hybrid, reader=reader,
                                         evidence_model=models.get(fold) if fold is not None else None)
        serve_fold_vector(index.dense.embedder, q, vectors)
        ans = engines[fold].ask(q.q, top_k=5)
        texts = [h.passage.text for h in ans.citations]
        row = judge(q, ans.grounded, SOURCE_RE.sub("", ans.text), texts)
        gold_doc = doc_id(q.doc)
        rows.append({"id": q.id, "doc": q.doc, "type": q.type, "form": q.form, "oos": q.oos, "q": q.q,
                     "grounded": ans.grounded, "answer": ans.text, "fold": fold,
                     "first_doc": ans.citations[0].passage.doc_id if ans.citations else None,
                     "right_doc": bool(ans.citations) and ans.citations[0].passage.doc_id == gold_doc, **row})
        if progress and ((i + 1) % 100 == 0 or i + 1 == len(questions)):
            print(f"  {i + 1}/{len(questions)} questions, {(i + 1) / max(1e-9, time.time() - t0):.1f}/s", flush=True)
    return rows


def report(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_form: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_type[r["type"]].append(r)
        by_form[r["form"]].append(r)
        by_doc[r["doc"]].append(r)
    return {"all": summarise(rows), "by_type": {k: summarise(v) for k, v in sorted(by_type.items())},
            "by_form": {k: summarise(v) for k, v in sorted(by_form.items())},
            "by_doc": {k: summarise(v) for k, v in sorted(by_doc.items())}}


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def render(rep: dict[str, Any], how: str) -> list[str]:
    a = rep["all"]
    out = [
        f"{a['n']} questions ({a['answerable']} answerable, {a['oos']} out of scope); {how}.", "",
        "| group | n | answer | declined | false declines | out-of-scope declined | cite@1 | cite@5 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def line(name: str, s: dict[str, Any]) -> str:
        return (f"| {name} | {s['n']} | {_f(s['answer'])} | {_f(s['declined'])} | {_f(s['false_declines'])} | "
                f"{_f(s['oos_declined'])} | {_f(s['cite1'])} | {_f(s['cite5'])} |")

    out.append(line("**all**", a))
    out += [line(f"type {k}", s) for k, s in rep["by_type"].items()]
    out += [line(f"form {k}", s) for k, s in rep["by_form"].items()]
    return out


GOALS = (("answer", ">=", 0.85), ("false_declines", "<=", 0.05), ("oos_declined", ">=", 0.95))


def section(rep: dict[str, Any], command: str, folds_dir: Path) -> str:
    """The leave-documents-out section of ``docs/eval.md``."""
    a = rep["all"]
    lines = [
        "## Questions in everyday words, leave-documents-out", "",
        f"Generated by `{command}`. Every policy document of `../shared/evaldata/policy_docs`, the 2022 work "
        "report and `corpus/` indexed together (one index, as a user holding the whole collection has it). Each "
        "question of `training/data/paraphrase` is asked of an engine holding the answer gate of its document's "
        f"fold (`{folds_dir.relative_to(REPO) if folds_dir.is_relative_to(REPO) else folds_dir}/fold-<k>`, "
        "fitted by `python -m training.gate` without any document of that fold; its threshold chosen on the "
        "training folds), the question embedded by that fold's query adapter (`.planqa/train/query-folds/fold-<k>`, "
        "trained by `python -m training.query` without the fold's documents). *answer*: every `answer_all` string in a grounded answer (cite@5 when there is none); "
        "*false declines*: answerable, declined, while a gold passage is among the five citations; "
        "*out-of-scope declined*: the questions no document answers, declined.", "",
        "| goal | target | measured |  |", "|---|---:|---:|---:|",
    ]
    for key, op, target in GOALS:
        v = a[key]
        met = v is not None and (v >= target if op == ">=" else v <= target)
        lines.append(f"| {key.replace('_', ' ')} | {op.replace('>=', '≥').replace('<=', '≤')} {target:.2f} | "
                     f"{_f(v)} | {'met' if met else '**missed**'} |")
    lines += ["", *render(rep, "leave-documents-out"), "", "By document:", "",
              "| document | fold | n | answer | false declines | out-of-scope declined | cite@1 | cite@5 |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for doc, s in rep["by_doc"].items():
        lines.append(f"| {doc} | {P.fold_of(doc)} | {s['n']} | {_f(s['answer'])} | {_f(s['false_declines'])} | "
                     f"{_f(s['oos_declined'])} | {_f(s['cite1'])} | {_f(s['cite5'])} |")
    return "\n".join(lines) + "\n"


def evaluate_collection(work: Path, embedder: Any, reader: Any = None, folds_dir: Path = FOLDS_DIR,
                        progress: bool = True, query_folds: Path = QUERY_FOLDS_DIR) -> dict[str, Any]:
    """Leave-documents-out rows and report (``SystemExit`` when the fold models are missing)."""
    models = load_fold_models(folds_dir)
    if len(models) < P.FOLDS:
        raise SystemExit(f"fold models missing under {folds_dir}: run `python -m training.gate` first")
    from training.query import fold_embedder

    qs = P.load()
    pre, vectors, _ = fold_embedder(embedder, qs, query_folds)
    index = open_collection(work, pre)
    rows = run(index, qs, models, reader, progress, vectors)
    return {"report": report(rows), "rows": rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", type=Path, default=FOLDS_DIR, help="fold models (fold-<k>/); none: the shipped model")
    ap.add_argument("--shipped", action="store_true", help="score the shipped model (in-sample for its documents)")
    ap.add_argument("--limit", type=int, default=0, help="a seeded sample of this many questions")
    ap.add_argument("--work", type=Path, default=REPO / ".planqa" / "eval" / "collection")
    ap.add_argument("--out", type=Path, default=None, help="write the rows and the report as JSON here")
    ap.add_argument("--reader", action="store_true", help="with the span reader, as the server runs")
    ap.add_argument("--md", type=Path, default=None, help="write the report as a Markdown page here")
    ap.add_argument("--query-folds", type=Path, default=QUERY_FOLDS_DIR, help="the query adapters of the folds")
    ap.add_argument("--threshold", type=float, default=None,
                    help="every fold model decides at this operating point instead of its own")
    args = ap.parse_args(argv)
    from evaluation.cmrc import PrefetchEmbedder
    from evaluation.run_eval import load_embedder
    from service.settings import Settings

    s = Settings()
    qs = P.load()
    if args.limit and args.limit < len(qs):
        qs = random.Random(SEED).sample(qs, args.limit)
    vectors = None
    if args.shipped:
        embedder = PrefetchEmbedder(load_embedder(s))
    else:
        from training.query import fold_embedder

        embedder, vectors, _ = fold_embedder(load_embedder(s), qs, args.query_folds)
    index = open_collection(args.work, embedder)
    models = {} if args.shipped else load_fold_models(args.folds, args.threshold)
    if not args.shipped and len(models) < P.FOLDS:
        raise SystemExit(f"fold models missing under {args.folds}: run `python -m training.gate --folds` first")
    reader = None
    if args.reader:
        from service.reader import load_reader

        reader = load_reader(s)
    rows = run(index, qs, models, reader, vectors=vectors)
    rep = report(rows)
    how = "the shipped model (in-sample)" if args.shipped else "leave-documents-out (each fold's own model" + (
        f", deciding at {args.threshold})" if args.threshold is not None else ")")
    print("\n".join(render(rep, how)))
    if args.md:
        import sys

        command = "python -m evaluation.paraphrase" + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
        args.md.write_text("# Evaluation: questions in everyday words\n\n" + section(rep, command, args.folds)[3:],
                           encoding="utf-8")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"report": rep, "rows": rows}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
