"""The full-collection benchmark's pure parts: which files are taken, the questions, the section."""

from __future__ import annotations

import json
from pathlib import Path

from evaluation import collection_bench as cb

MACHINE = {"date": "2026-01-01 00:00 UTC", "nproc": 2, "cpu": "test CPU"}


def _touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_one_format_per_document_docx_first_sidecars_kept_readmes_left_out(tmp_path):
    docs, corpus = tmp_path / "policy_docs", tmp_path / "corpus"
    for name in ("a.docx", "a.txt", "b.txt", "c.pdf", "c.txt", "README.md", ".hidden.txt"):
        _touch(docs / name)
    _touch(corpus / "plan.txt")
    _touch(corpus / "plan.meta.json", '{"title": "规划"}')
    picked = cb.select([corpus, docs])
    assert [rel.as_posix() for _, rel in picked] == [
        "corpus/plan.txt", "corpus/plan.meta.json", "policy_docs/a.docx", "policy_docs/b.txt", "policy_docs/c.pdf"]
    assert [rel.as_posix() for _, rel in cb.select([docs], (".txt",))] == [
        "policy_docs/a.txt", "policy_docs/b.txt", "policy_docs/c.txt"]
    out = cb.assemble(picked, tmp_path / "assembled")
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "corpus/plan.meta.json", "corpus/plan.txt", "policy_docs/a.docx", "policy_docs/b.txt", "policy_docs/c.pdf"]


def test_a_single_file_source_keeps_its_folder_name(tmp_path):
    report = _touch(tmp_path / "gov_docs" / "2022_report.txt")
    assert [rel.as_posix() for _, rel in cb.select([report])] == ["gov_docs/2022_report.txt"]


def test_questions_are_distinct_and_the_same_for_a_seed(tmp_path, monkeypatch):
    para = tmp_path / "training" / "data" / "paraphrase"
    _touch(para / "a.jsonl", "\n".join(json.dumps({"q": f"问题{i}？"}, ensure_ascii=False) for i in range(30)))
    _touch(para / "b.jsonl", json.dumps({"q": "问题1？"}, ensure_ascii=False))  # a repeat
    _touch(tmp_path / "tests" / "service" / "answer" / "data" / "years_qa.jsonl",
           json.dumps({"q": "2013年赤字多少？"}, ensure_ascii=False))
    qs = cb.sample_questions(tmp_path, 20, seed=1)
    assert len(qs) == len(set(qs)) == 20 and qs == cb.sample_questions(tmp_path, 20, seed=1)
    assert len(cb.sample_questions(tmp_path, 100)) == 31  # the pool, once each


def _row(label: str, documents: int, p50: float) -> dict:
    return {"label": label, "files": documents, "documents": documents, "passages": documents * 200,
            "build_s": 30.0 * documents, "index_mb": 12.5, "startup_runs": [11.0, 12.0, 13.0], "startup_s": 12.0,
            "ask": {"p50": p50, "p95": 2 * p50, "n": 60}, "grounded": 40, "rss_start_mb": 1800.0,
            "rss_peak_mb": 1900.0, "rss_after_mb": 1850.0, "load_build_start": 2.0, "load_build_end": 3.5,
            "load_ask_start": 2.5, "load_ask_end": 2.75}


def test_section_has_one_column_per_collection_and_says_what_was_measured():
    res = {"rows": [_row("corpus/ alone", 1, 40.0), _row("full collection", 38, 120.0)], "questions": 60,
           "warmup": 10, "seed": 7, "preference": [".docx", ".txt"], "machine": MACHINE,
           "finished": "2026-01-01 00:30 UTC"}
    md = cb.render(res, "python -m evaluation.collection_bench")
    assert md.startswith(cb.TITLE)
    assert "|  | `corpus/` | full collection |" in md
    assert "| documents / passages indexed | 1 / 200 | 38 / 7,600 |" in md
    assert "| `POST /api/ask` p95, HTTP | 80 ms | 240 ms |" in md
    assert "12.0 s (runs: 11.0, 12.0, 13.0)" in md and "2.00 → 3.50; 2.50 → 2.75" in md
    assert "empty" in md and "60 distinct questions after 10 warm-up ones" in md
    assert "`python -m evaluation.collection_bench` from 2026-01-01 00:00 UTC to 2026-01-01 00:30 UTC" in md
    assert "from the `.docx` original" in md
    assert "Not run (`--no-collection`)" in cb.render(None)


def test_the_section_replaces_its_old_self_or_goes_before_the_next_one():
    doc = "# B\n\n## Scale\n\nx\n## Reader and reranker latency\n\ny\n"
    first = cb.replace_section(doc, f"{cb.TITLE}\n\nold\n")
    assert first.index("## Scale") < first.index("old") < first.index("## Reader")
    assert f"x\n\n{cb.TITLE}\n\nold\n\n## Reader" in first  # a heading after a blank line
    again = cb.replace_section(first, f"{cb.TITLE}\n\nnew\n")
    assert "old" not in again and again.count(cb.TITLE) == 1
    assert again.index("new") < again.index("## Reader") and again.endswith("y\n")
    assert cb.replace_section("# B\n", f"{cb.TITLE}\n\nz\n").endswith(f"# B\n\n{cb.TITLE}\n\nz\n")


def test_make_bench_places_the_section_after_scale_and_leaves_it_out_of_older_results():
    from evaluation.run_bench import document
    from tests.evaluation.test_documents import bench_results

    res = bench_results()
    assert cb.TITLE not in document(res)
    text = document({**res, "collection": None})
    headings = [ln for ln in text.splitlines() if ln.startswith("## ")]
    assert headings[-2:] == ["## Milvus backend at scale", cb.TITLE] and "Not run (`--no-collection`)" in text
