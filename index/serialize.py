"""Documents and passages to plain JSON and back, losslessly.

The index directory stores the ingested documents so the server never re-reads the sources;
``document_from_dict(document_to_dict(d)) == d`` for every document ingest can produce.
"""

from __future__ import annotations

from typing import Any

from ingest.model import Cell, Document, Heading, Identity, Paragraph, Passage, Table, TableRow


def _span(v: Any) -> tuple[int, int]:
    return (int(v[0]), int(v[1]))


def cell_to_dict(c: Cell) -> dict[str, Any]:
    return {
        "header": c.header, "text": c.text, "number": c.number, "unit": c.unit,
        "start_year": c.start_year, "end_year": c.end_year, "open_end": c.open_end,
    }


def cell_from_dict(d: dict[str, Any]) -> Cell:
    return Cell(
        header=d["header"], text=d["text"], number=d.get("number"), unit=d.get("unit"),
        start_year=d.get("start_year"), end_year=d.get("end_year"), open_end=bool(d.get("open_end", False)),
    )


def row_to_dict(r: TableRow) -> dict[str, Any]:
    return {
        "table_id": r.table_id, "index": r.index, "category": list(r.category),
        "cells": [cell_to_dict(c) for c in r.cells], "is_total": r.is_total,
        **({"confidence": r.confidence} if r.confidence is not None else {}),
    }


def row_from_dict(d: dict[str, Any]) -> TableRow:
    return TableRow(
        table_id=d["table_id"], index=int(d["index"]), category=tuple(d.get("category", ())),
        cells=tuple(cell_from_dict(c) for c in d.get("cells", ())), is_total=bool(d.get("is_total", False)),
        confidence=float(d["confidence"]) if d.get("confidence") is not None else None,
    )


def passage_to_dict(p: Passage) -> dict[str, Any]:
    return {
        "id": p.id, "doc_id": p.doc_id, "kind": p.kind, "text": p.text, "section": list(p.section),
        "span": list(p.span), "paragraph_id": p.paragraph_id, "sentences": list(p.sentences),
        "row": row_to_dict(p.row) if p.row is not None else None,
        **({"page": p.page} if p.page is not None else {}),
    }


def passage_from_dict(d: dict[str, Any]) -> Passage:
    return Passage(
        id=d["id"], doc_id=d["doc_id"], kind=d["kind"], text=d["text"], section=tuple(d.get("section", ())),
        span=_span(d["span"]), paragraph_id=d.get("paragraph_id", ""),
        sentences=_span(d.get("sentences", (0, 1))),
        row=row_from_dict(d["row"]) if d.get("row") is not None else None,
        page=int(d["page"]) if d.get("page") is not None else None,
    )


def paragraph_to_dict(p: Paragraph) -> dict[str, Any]:
    return {"id": p.id, "doc_id": p.doc_id, "section": list(p.section), "span": list(p.span), "text": p.text}


def paragraph_from_dict(d: dict[str, Any]) -> Paragraph:
    return Paragraph(id=d["id"], doc_id=d["doc_id"], section=tuple(d.get("section", ())),
                     span=_span(d["span"]), text=d["text"])


def heading_to_dict(h: Heading) -> dict[str, Any]:
    return {"level": h.level, "text": h.text, "span": list(h.span)}


def heading_from_dict(d: dict[str, Any]) -> Heading:
    return Heading(level=int(d["level"]), text=d["text"], span=_span(d["span"]))


def table_to_dict(t: Table) -> dict[str, Any]:
    return {
        "id": t.id, "doc_id": t.doc_id, "title": t.title, "section": list(t.section),
        "headers": list(t.headers), "unit": t.unit, "numeric_headers": list(t.numeric_headers),
        "rows": [row_to_dict(r) for r in t.rows], "span": list(t.span),
    }


def table_from_dict(d: dict[str, Any]) -> Table:
    return Table(
        id=d["id"], doc_id=d["doc_id"], title=d.get("title", ""), section=tuple(d.get("section", ())),
        headers=tuple(d.get("headers", ())), unit=d.get("unit"),
        numeric_headers=tuple(d.get("numeric_headers", ())),
        rows=tuple(row_from_dict(r) for r in d.get("rows", ())), span=_span(d["span"]),
    )


def identity_to_dict(i: Identity) -> dict[str, Any]:
    return {
        "name": i.name, "issuer": i.issuer, "date": i.date, "year": i.year, "region": i.region,
        "doc_number": i.doc_number, "kind": i.kind, "period": list(i.period) if i.period else None,
        "origin": dict(i.origin),
    }


def identity_from_dict(d: dict[str, Any]) -> Identity:
    period = d.get("period")
    return Identity(
        name=d.get("name") or "", issuer=d.get("issuer"), date=d.get("date"),
        year=int(d["year"]) if d.get("year") is not None else None, region=d.get("region"),
        doc_number=d.get("doc_number"), kind=d.get("kind"),
        period=(int(period[0]), int(period[1])) if period else None, origin=dict(d.get("origin") or {}),
    )


def document_to_dict(doc: Document) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id, "title": doc.title, "source": doc.source, "text": doc.text,
        "headings": [heading_to_dict(h) for h in doc.headings],
        "paragraphs": [paragraph_to_dict(p) for p in doc.paragraphs],
        "tables": [table_to_dict(t) for t in doc.tables],
        "passages": [passage_to_dict(p) for p in doc.passages],
        "meta": dict(doc.meta),
        "identity": identity_to_dict(doc.identity),
    }


def document_from_dict(d: dict[str, Any]) -> Document:
    return Document(
        doc_id=d["doc_id"], title=d["title"], source=d.get("source", ""), text=d["text"],
        headings=tuple(heading_from_dict(h) for h in d.get("headings", ())),
        paragraphs=tuple(paragraph_from_dict(p) for p in d.get("paragraphs", ())),
        tables=tuple(table_from_dict(t) for t in d.get("tables", ())),
        passages=tuple(passage_from_dict(p) for p in d.get("passages", ())),
        meta=dict(d.get("meta") or {}),
        identity=identity_from_dict(d.get("identity") or {}),
    )
