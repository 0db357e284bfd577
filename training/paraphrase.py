"""Questions in everyday words over public policy documents: loading, checking, folds by document.

The questions live in ``training/data/paraphrase/<document stem>.jsonl`` (see its README), one
file per document of ``../shared/evaldata/policy_docs``. Every gold string is checked against the
document's text here, so a training run and the data test read the data the same way.

Validation is leave-documents-out: a document's questions are all in one fold
(``fold_of``), so a model scored on a fold never saw the documents it is scored on.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.metrics import squash

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "training" / "data" / "paraphrase"
DOCS = (REPO / ".." / "shared" / "evaldata" / "policy_docs").resolve()

TYPES = ("fact", "target", "semantic", "traditional", "crosslingual", "oos")
FORMS = ("number", "share", "list", "how", "why", "when", "whether", "what", "name")
FOLDS = 5

@dataclass(frozen=True)
class Question:
    """One written question about one document; ``cite_any`` empty for out-of-scope ones."""

    id: str
    doc: str
    q: str
    type: str
    form: str
    cite_any: tuple[str, ...]
    answer_all: tuple[str, ...]
    oos: bool

    @property
    def answerable(self) -> bool:
        return not self.oos

    def as_eval(self) -> dict[str, Any]:
        """The question in the shape of ``../shared/eval``'s question files."""
        d: dict[str, Any] = {"id": self.id, "type": self.type, "q": self.q, "cite_any": list(self.cite_any),
                             "answer_all": list(self.answer_all), "form": self.form, "doc": self.doc}
        if self.oos:
            d["expect_ungrounded"] = True
        return d


def parse(line: str, where: str) -> Question:
    """One JSON line as a ``Question``; ``ValueError`` naming ``where`` when a field is wrong."""
    try:
        d = json.loads(line)
    except ValueError as e:
        raise ValueError(f"{where}: not JSON ({e})") from None
    missing = [k for k in ("id", "doc", "q", "type", "form") if not isinstance(d.get(k), str) or not d[k].strip()]
    if missing:
        raise ValueError(f"{where}: missing or empty {', '.join(missing)}")
    if d["type"] not in TYPES:
        raise ValueError(f"{where}: unknown type {d['type']!r}")
    if d["form"] not in FORMS:
        raise ValueError(f"{where}: unknown form {d['form']!r}")
    oos = d["type"] == "oos"
    if oos != bool(d.get("expect_ungrounded")):
        raise ValueError(f"{where}: type oos and expect_ungrounded must go together")
    cite, ans = tuple(d.get("cite_any") or ()), tuple(d.get("answer_all") or ())
    if not oos and not cite:
        raise ValueError(f"{where}: an answerable question needs cite_any")
    if oos and (cite or ans):
        raise ValueError(f"{where}: an out-of-scope question has no gold strings")
    return Question(d["id"], d["doc"], d["q"].strip(), d["type"], d["form"], cite, ans, oos)


def load(data: Path = DATA) -> list[Question]:
    """Every question of every file in ``data``, in file then line order."""
    out: list[Question] = []
    for path in sorted(Path(data).glob("*.jsonl")):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                out.append(parse(line, f"{path.name}:{i}"))
    return out


def document_text(doc: str, docs: Path = DOCS) -> str:
    return (Path(docs) / doc).read_text(encoding="utf-8")


def problems(questions: list[Question], docs: Path = DOCS) -> list[str]:
    """Everything wrong with the gold strings: each line a question id and what is wrong."""
    out: list[str] = []
    ids = Counter(q.id for q in questions)
    out += [f"{i}: id used {n} times" for i, n in ids.items() if n > 1]
    texts: dict[str, str] = {}
    for q in questions:
        if q.doc not in texts:
            path = Path(docs) / q.doc
            if not path.is_file():
                out.append(f"{q.id}: no document {q.doc}")
                continue
            texts[q.doc] = squash(path.read_text(encoding="utf-8"))
        text = texts[q.doc]
        for c in q.cite_any:
            if len(squash(c)) < 4:
                out.append(f"{q.id}: gold string too short: {c!r}")
            elif squash(c) not in text:
                out.append(f"{q.id}: gold string not in {q.doc}: {c!r}")
        for a in q.answer_all:
            if not any(squash(a) in squash(c) for c in q.cite_any):
                out.append(f"{q.id}: answer string not in any gold string: {a!r}")
        if squash(q.q) in text or any(len(squash(c)) >= 12 and squash(c) in squash(q.q) for c in q.cite_any):
            out.append(f"{q.id}: the question copies its gold sentence")
    return out


def fold_of(doc: str, folds: int = FOLDS) -> int:
    """The validation fold of a document: a hash of its name, so it never depends on a seed or order."""
    return int.from_bytes(hashlib.sha256(doc.encode("utf-8")).digest()[:4], "big") % folds


def by_document(questions: list[Question]) -> dict[str, list[Question]]:
    out: dict[str, list[Question]] = {}
    for q in questions:
        out.setdefault(q.doc, []).append(q)
    return out


def data_sha(data: Path = DATA) -> str:
    h = hashlib.sha256()
    for p in sorted(Path(data).glob("*.jsonl")):
        h.update(p.name.encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()
