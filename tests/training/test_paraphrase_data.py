"""The written questions: every gold string is in its document, and there are enough of each kind."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from training import paraphrase as P

needs_docs = pytest.mark.skipif(not P.DOCS.is_dir(), reason=f"the policy documents are not at {P.DOCS}")


def test_every_line_parses_and_ids_are_unique() -> None:
    qs = P.load()
    assert qs, f"no questions in {P.DATA}"
    ids = Counter(q.id for q in qs)
    assert [i for i, n in ids.items() if n > 1] == []
    for q in qs:
        assert q.id.startswith(Path(q.doc).stem + "-"), q.id


@needs_docs
def test_every_gold_string_is_in_its_document() -> None:
    assert P.problems(P.load()) == []


def test_at_least_25_documents_with_40_answerable_and_12_out_of_scope_questions() -> None:
    per_doc = P.by_document(P.load())
    full = [d for d, qs in per_doc.items()
            if sum(q.answerable for q in qs) >= 40 and sum(q.oos for q in qs) >= 12]
    assert len(full) >= 25, sorted(per_doc)


def test_questions_are_asked_in_many_forms_and_some_in_traditional_and_english() -> None:
    qs = [q for q in P.load() if q.answerable]
    forms = Counter(q.form for q in qs)
    assert set(P.FORMS) - {"what", "name"} <= set(forms), forms
    types = Counter(q.type for q in qs)
    assert types["traditional"] >= 50 and types["crosslingual"] >= 25, types


def test_folds_hold_whole_documents_and_every_fold_has_some() -> None:
    docs = sorted(P.by_document(P.load()))
    folds = Counter(P.fold_of(d) for d in docs)
    assert set(folds) == set(range(P.FOLDS)), folds
    assert P.fold_of(docs[0]) == P.fold_of(docs[0])


def test_a_bad_line_is_refused_with_where_and_why(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text('{"id": "x-a01", "doc": "x.txt", "q": "多少？", "type": "fact", "form": "number"}\n',
                                      encoding="utf-8")
    with pytest.raises(ValueError, match=r"^x.jsonl:1: an answerable question needs cite_any$"):
        P.load(tmp_path)
    (tmp_path / "x.jsonl").write_text('{"id": "x-a01", "doc": "x.txt", "q": "多少？", "type": "guess", "form": "number"}\n',
                                      encoding="utf-8")
    with pytest.raises(ValueError, match=r"^x.jsonl:1: unknown type 'guess'$"):
        P.load(tmp_path)


def test_problems_name_a_gold_string_missing_from_the_document(tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_text("全年粮食产量1.3万亿斤。\n", encoding="utf-8")
    qs = [P.Question("d-a01", "d.txt", "收成怎么样？", "fact", "number", ("粮食产量1.3万亿斤",), ("1.3万亿斤",), False),
          P.Question("d-a02", "d.txt", "收成怎么样？", "fact", "number", ("粮食产量1.4万亿斤",), ("1.4万亿斤",), False),
          P.Question("d-a03", "d.txt", "产量？", "fact", "number", ("粮食产量1.3万亿斤",), ("2万亿斤",), False)]
    assert P.problems(qs, tmp_path) == [
        "d-a02: gold string not in d.txt: '粮食产量1.4万亿斤'",
        "d-a03: answer string not in any gold string: '2万亿斤'",
    ]
