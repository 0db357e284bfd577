"""Counts that describe what ingest made of each document, for people and for scripts."""

from __future__ import annotations

import statistics
from typing import Any

from ingest.model import Document
from ingest.pipeline import IngestReport


def document_summary(doc: Document) -> dict[str, Any]:
    """The document's identity (title, display name, issuer, date, year, region, document number,
    kind, plan period, and where each was read), its paragraphs, passages, headings, tables and
    table rows, and how it was read: its format, pages, whether OCR read it (and how confidently),
    the pictures inside text pages OCR read (and the tables found in them), how many characters
    were normalised and how many running header/footer lines were dropped."""
    lengths = [len(p.text) for p in doc.passages]
    m = doc.meta
    i = doc.identity
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "name": doc.name,
        "issuer": i.issuer,
        "date": i.date,
        "year": i.year,
        "region": i.region,
        "doc_number": i.doc_number,
        "kind": i.kind,
        "period": list(i.period) if i.period else None,
        "identity_from": dict(i.origin),
        "source": doc.source,
        "chars": len(doc.text),
        "paragraphs": len(doc.paragraphs),
        "passages": len(doc.passages),
        "headings": len(doc.headings),
        "tables": len(doc.tables),
        "rows": sum(len(t.rows) for t in doc.tables),
        "median_passage_chars": statistics.median(lengths) if lengths else 0,
        "format": m.get("format"),
        "pages": m.get("pages"),
        "ocr": bool(m.get("ocr", False)),
        "ocr_pages": m.get("ocr_pages", 0),
        "ocr_confidence": m.get("ocr_confidence"),
        "ocr_figures": m.get("ocr_figures", 0),
        "ocr_figure_tables": m.get("ocr_figure_tables", 0),
        "ocr_figure_confidence": m.get("ocr_figure_confidence"),
        "normalised_chars": m.get("normalised_chars", 0),
        "header_footer_lines": m.get("header_footer_lines", 0),
    }


def report_summary(report: IngestReport) -> dict[str, Any]:
    """The whole report as plain JSON-ready data."""
    return {
        "documents": [document_summary(d) for d in report.documents],
        "errors": [{"path": e.path, "reason": e.reason, "message": str(e)} for e in report.errors],
    }


__all__ = ["document_summary", "report_summary"]
