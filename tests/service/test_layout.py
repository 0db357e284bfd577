"""The package layout the README describes: data flows ingest → index → service → ui, one way."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ORDER = ["ingest", "index", "service", "ui"]
ASSEMBLY = REPO / "service" / "app.py"  # the one module that joins the API and the UI


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_stage_imports_a_later_stage() -> None:
    wrong = []
    for i, package in enumerate(ORDER):
        for path in sorted((REPO / package).rglob("*.py")):
            if path == ASSEMBLY:
                continue
            later = _imports(path) & set(ORDER[i + 1:])
            if later:
                wrong.append(f"{path.relative_to(REPO)} imports {sorted(later)}")
    assert wrong == []


def test_installed_packages_hold_no_evaluation_or_training_code() -> None:
    for package in ORDER:
        for path in (REPO / package).rglob("*.py"):
            assert not (_imports(path) & {"evaluation", "training", "tests"}), path.relative_to(REPO)
