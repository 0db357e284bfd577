"""Nothing in the answer stage is written for one document: no name from ``corpus/`` appears in it."""

from __future__ import annotations

from pathlib import Path

from ingest.pipeline import ingest_paths
from service.answer.aliases import LEGAL_FORMS, AliasIndex
from service.answer.scope import find_places

REPO = Path(__file__).resolve().parents[3]


def corpus_names() -> set[str]:
    docs = ingest_paths([REPO / "corpus"]).documents
    names: set[str] = set()
    for name in AliasIndex.from_documents(docs).names:
        names.add(name)
        core = LEGAL_FORMS.sub("", name)
        if len(core) >= 3:
            names.add(core)
    for d in docs:
        names.update(p for p in find_places(d.title) if len(p) >= 2 and p not in ("天津",))
    return names


def test_no_name_from_the_corpus_appears_in_the_answer_stage() -> None:
    names = corpus_names()
    assert len(names) > 20  # the corpus does hold names, so the check means something
    found = []
    for path in sorted((REPO / "service" / "answer").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {n}" for n in sorted(names) if n in text]
    assert found == []
