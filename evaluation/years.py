"""Questions naming a year, and questions across years, over the national work reports 2013–2023.

The eleven reports (``policy_docs/gwr_national_*`` and the 2022 report of ``gov_docs/``) are
indexed together with ``corpus/``, as a user holding a run of reports has them. Two sets, written
for this and checked by ``tests/service/answer/test_years_data.py``:

- ``years_qa.jsonl``: a question naming a year is answered from that year's report only — the
  first citation holds the gold sentence, every cited passage is from the gold report, and the
  answer holds the gold strings;
- ``across_qa.jsonl``: 历年 / 对比 / 首次 questions are answered per report: for every report
  the set lists, a cited line from that report holding its gold strings; for 首次, the first
  report named is the right one.

    python -m evaluation.years [--md docs/years_eval.md]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from evaluation.metrics import cite_hit, squash, strip_markers

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
DATA = REPO / "tests" / "service" / "answer" / "data"
WORK = REPO / ".planqa" / "eval" / "years"


def report_files(shared: Path = SHARED, repo: Path = REPO) -> dict[str, Path]:
    """file name → path: the national work reports 2013–2023 and ``corpus/``."""
    files = {p.name: p for p in sorted((shared / "evaldata" / "policy_docs").glob("gwr_national_*.txt"))}
    files.update({p.name: p for p in sorted((shared / "evaldata" / "gov_docs").glob("*.txt"))})
    files.update({p.name: p for p in sorted((repo / "corpus").iterdir()) if p.is_file()})
    return files


def load(name: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (DATA / name).read_text(encoding="utf-8").splitlines() if x.strip()]


def _doc_id(doc: str) -> str:
    from ingest.pipeline import slug

    return slug(Path(doc).stem)


def judge_year(item: dict[str, Any], ans: Any) -> dict[str, Any]:
    """One question naming a year: right report, first citation, answer strings, nothing else cited."""
    from service.answer.engine import SOURCE_RE

    gold = _doc_id(item["doc"])
    cites = ans.citations
    cited_docs = {cites[n - 1].passage.doc_id for n in _markers(ans.text) if 0 < n <= len(cites)}
    text = squash(strip_markers(SOURCE_RE.sub("", ans.text)))
    return {
        "id": item["id"], "type": item["type"], "q": item["q"], "grounded": ans.grounded, "answer": ans.text,
        "cite1": bool(cites) and cite_hit(cites[0].passage.text, item["cite_any"]),
        "right_doc": bool(cites) and cites[0].passage.doc_id == gold,
        "only_that_doc": ans.grounded and cited_docs <= {gold},
        "ok": ans.grounded and all(squash(a) in text for a in item["answer_all"]),
    }


def judge_across(item: dict[str, Any], ans: Any) -> dict[str, Any]:
    """One question across years: each listed report answered on a line citing that report."""
    cites = ans.citations
    lines = [x for x in ans.text.splitlines() if x.strip()]
    per = []
    for p in item["per_doc"]:
        gold = _doc_id(p["doc"])
        ok = False
        for line in lines:
            marks = [n for n in _markers(line) if 0 < n <= len(cites)]
            if not any(cites[n - 1].passage.doc_id == gold for n in marks):
                continue
            body = squash(strip_markers(line))
            if all(squash(a) in body for a in p["answer_all"]) or any(
                cite_hit(cites[n - 1].passage.text, p["cite_any"]) for n in marks
            ):
                ok = True
                break
        per.append(ok)
    first_ok = None
    if "first" in item:
        first_ok = bool(cites) and cites[0].passage.doc_id == _doc_id(item["first"])
    return {"id": item["id"], "q": item["q"], "grounded": ans.grounded, "answer": ans.text,
            "per_doc": sum(per) / len(per) if per else 0.0, "all_docs": all(per), "first_ok": first_ok}


def _markers(text: str) -> list[int]:
    import re

    return [int(m) for m in re.findall(r"\[(\d+)\]", text)]


def run(engine: Any, progress: bool = True) -> dict[str, Any]:
    years, across = load("years_qa.jsonl"), load("across_qa.jsonl")
    t0 = time.time()
    yrows = [judge_year(d, engine.ask(d["q"], top_k=5)) for d in years]
    xrows = [judge_across(d, engine.ask(d["q"], top_k=20)) for d in across]
    if progress:
        print(f"  {len(yrows) + len(xrows)} questions in {time.time() - t0:.0f} s", flush=True)
    return {"years": yrows, "across": xrows, "summary": summarise(yrows, xrows)}


def summarise(yrows: list[dict[str, Any]], xrows: list[dict[str, Any]]) -> dict[str, Any]:
    def share(xs: list[Any]) -> float:
        return sum(bool(x) for x in xs) / len(xs) if xs else 0.0

    firsts = [r["first_ok"] for r in xrows if r["first_ok"] is not None]
    return {
        "years_n": len(yrows),
        "cite1": share([r["cite1"] for r in yrows]),
        "right_doc": share([r["right_doc"] for r in yrows]),
        "only_that_doc": share([r["only_that_doc"] for r in yrows]),
        "answer": share([r["ok"] for r in yrows]),
        "across_n": len(xrows),
        "across_all_docs": sum(r["all_docs"] for r in xrows),
        "across_per_doc": sum(r["per_doc"] for r in xrows) / len(xrows) if xrows else 0.0,
        "first_ok": share(firsts), "first_n": len(firsts),
    }


def render(summary: dict[str, Any], command: str) -> str:
    s = summary
    return "\n".join([
        "## Questions naming a year, and across years (national work reports 2013–2023 with `corpus/`)",
        "",
        f"Command: `{command}`. The eleven national work reports and `corpus/` indexed together.",
        "",
        "| set | questions | measure | value |",
        "|---|---:|---|---:|",
        f"| naming a year | {s['years_n']} | gold sentence cited first | {s['cite1']:.3f} |",
        f"| | | first citation from the year's report | {s['right_doc']:.3f} |",
        f"| | | every cited passage from that report | {s['only_that_doc']:.3f} |",
        f"| | | answer holds the gold strings | {s['answer']:.3f} |",
        f"| across years | {s['across_n']} | every listed report answered on a cited line | {s['across_all_docs']} |",
        f"| | | share of reports answered | {s['across_per_doc']:.3f} |",
        f"| first mention | {s['first_n']} | first report named is right | {s['first_ok']:.3f} |",
        "",
    ])


def evaluate(work: Path, embedder: Any, reader: Any = None, progress: bool = True) -> dict[str, Any]:
    """The reports and ``corpus/`` indexed under ``work`` (built when stale), every question asked."""
    from evaluation.paraphrase import open_collection
    from service.answer.engine import AnswerEngine

    index = open_collection(work, embedder, report_files())
    return run(AnswerEngine(index, index.hybrid, reader=reader), progress)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", type=Path, default=WORK)
    ap.add_argument("--out", type=Path, default=None, help="write every row as JSON here")
    ap.add_argument("--md", type=Path, default=None, help="write the section as Markdown here")
    ap.add_argument("--reader", action="store_true", help="with the span reader, as the server runs")
    args = ap.parse_args(argv)
    from evaluation.cmrc import PrefetchEmbedder
    from evaluation.run_eval import load_embedder
    from service.settings import Settings

    s = Settings()
    embedder = PrefetchEmbedder(load_embedder(s))
    reader = None
    if args.reader:
        from service.reader import load_reader

        reader = load_reader(s)
    got = evaluate(args.work, embedder, reader)
    if args.out:
        args.out.write_text(json.dumps(got, ensure_ascii=False, indent=1), encoding="utf-8")
    command = "python -m evaluation.years" + (" --reader" if args.reader else "")
    md = render(got["summary"], command)
    print(md)
    if args.md:
        args.md.write_text(md, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
