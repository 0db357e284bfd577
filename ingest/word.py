""".docx: paragraphs, heading levels, Word's automatic numbering and tables, in document order.

Heading levels come from the heading styles (``Heading N``/``标题 N``) or an outline level set
on the paragraph; the visible numbers of auto-numbered paragraphs ("一、", "（一）") come from
``numbering.xml`` (``ingest.numbering``) and are put back in front of the text, where a reader
sees them and where the structure parser looks for them.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from ingest.errors import IngestError
from ingest.loaders import LoadResult, Row, Source, loader, render_blocks
from ingest.numbering import Numbering

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


def _docx_level(paragraph: Any) -> int | None:
    style = getattr(paragraph.style, "name", "") or ""
    if style.strip().lower() in ("title", "标题"):
        return 0
    m = _HEADING_STYLE.match(style.strip())
    if m:
        return int(m.group(1))
    ppr = paragraph._p.pPr
    if ppr is not None:
        for el in ppr.iterchildren():
            if el.tag.endswith("}outlineLvl"):
                val = el.get(el.tag.split("}")[0] + "}val")
                if val is not None and val.isdigit() and int(val) < 9:
                    return int(val) + 1
    return None


def _docx_rows(table: Any) -> list[Row]:
    rows: list[Row] = []
    for row in table.rows:
        seen: set[int] = set()
        cells: Row = []
        for cell in row.cells:
            # Horizontally merged cells come back once per grid column; keep one.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append("\n".join(p.text for p in cell.paragraphs))
        rows.append(cells)
    return rows


def _numbering(document: Any) -> Numbering:
    part = document.part
    numbering_xml = styles_xml = None
    for rel in part.rels.values():
        if rel.is_external:
            continue
        if rel.reltype.endswith("/numbering"):
            numbering_xml = rel.target_part.element
        elif rel.reltype.endswith("/styles"):
            styles_xml = rel.target_part.element
    return Numbering(numbering_xml, styles_xml)


@loader(".docx")
def load_docx(path: Path, data: bytes) -> LoadResult:
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

    try:
        document = docx.Document(io.BytesIO(data))
        numbering = _numbering(document)
    except Exception as exc:  # python-docx raises several kinds for a damaged package
        raise IngestError(str(path), f"not a valid .docx file ({type(exc).__name__})") from None
    blocks: list[tuple[str, Any, int | None]] = []
    numbered = 0
    for el in document.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = DocxParagraph(el, document)
            label = numbering.label(el)
            numbered += bool(label)
            blocks.append(("text", label + p.text if p.text.strip() else p.text, _docx_level(p)))
        elif tag == "tbl":
            blocks.append(("table", _docx_rows(DocxTable(el, document)), None))
    text, hints = render_blocks(blocks)
    if not text.strip():
        raise IngestError(str(path), "the file has no text")
    title = (document.core_properties.title or "").strip() or None
    meta = {"numbered_paragraphs": numbered} if numbered else {}
    return LoadResult((Source(path.stem, text, path, "docx", title=title, heading_hints=hints, meta=meta),))


__all__ = ["load_docx"]
