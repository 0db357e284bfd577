"""Hit → the JSON shape of the HTTP contract. API, CLI and UI all render citations through this."""

from __future__ import annotations

from typing import Any

from index.types import Hit


def hit_to_dict(hit: Hit, doc_title: str, with_score: bool = True) -> dict[str, Any]:
    p = hit.passage
    d: dict[str, Any] = {
        "id": p.id,
        "doc_id": p.doc_id,
        "doc_title": doc_title,
        "kind": p.kind,
        "section": list(p.section),
        "text": p.text,
        "span": [p.span[0], p.span[1]],
        "highlights": [[a, b] for a, b in hit.highlights],
        "row": p.row.as_dict() if p.row is not None else None,
        "page": p.page,
    }
    if with_score:
        d["score"] = float(hit.score)
    return d
