"""Saved web pages (``.html``, ``.htm``): the article, without navigation, menus and footers.

A government page saved from a browser holds the document among site navigation, breadcrumb
trails, sharing buttons and a footer of addresses and licence numbers. trafilatura finds the
main content; its ``<head>`` elements (from ``<h1>``–``<h6>``) give heading levels, ranked in
the order the page uses them (a single top-level heading first is the title), unless the
heading's own numbering ("一、", "（一）") says otherwise. Tables keep their cells.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ingest.errors import IngestError
from ingest.loaders import LoadResult, Source, decode_bytes, loader, render_blocks
from ingest.structure import heading_level

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def decode_html(data: bytes, name: str) -> str:
    """The page's text, by its declared charset (gov pages are often GBK) or by detection."""
    m = _META_CHARSET.search(data[:4096])
    if m:
        declared = m.group(1).decode("ascii").lower()
        if declared in ("gb2312", "gbk"):
            declared = "gb18030"  # the superset: pages declared GB2312 often hold GBK characters
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    text, _ = decode_bytes(data, name)
    return text


def _text(el: Any) -> list[str]:
    """An element's text, split where the page breaks the line (``<lb/>``)."""
    parts = [""]
    if el.text:
        parts[-1] += el.text
    for child in el:
        if child.tag == "lb":
            parts.append("")
        else:
            parts[-1] += "".join(child.itertext())
        if child.tail:
            parts[-1] += child.tail
    return [p.strip() for p in parts if p.strip()]


_LEAVES = frozenset({"head", "p", "table", "list", "quote", "code"})


def _flatten(el: Any) -> list[Any]:
    """The content elements in reading order, through any containers (``div``) around them."""
    out: list[Any] = []
    for child in el:
        if child.tag in _LEAVES or not len(child):
            out.append(child)
        else:
            out.extend(_flatten(child))
    return out


def _blocks(main: Any) -> list[tuple[str, Any, int | None]]:
    elements = _flatten(main)
    heads = [el for el in elements if el.tag == "head"]
    ranks = sorted({el.get("rend", "h2") for el in heads})
    level_of = {rend: n + 1 for n, rend in enumerate(ranks)}
    title_el = None
    if heads and heads[0] is elements[0] and sum(1 for h in heads if h.get("rend") == ranks[0]) == 1:
        title_el = heads[0]
        level_of = {rend: n for n, rend in enumerate(ranks)}
    blocks: list[tuple[str, Any, int | None]] = []
    for el in elements:
        if el.tag == "head":
            text = " ".join(_text(el))
            level = 0 if el is title_el else heading_level(text) or level_of.get(el.get("rend", "h2"), 1)
            blocks.append(("text", text, level))
        elif el.tag == "table":
            rows = [[" ".join(c.itertext()).strip() for c in row.iter("cell")] for row in el.iter("row")]
            blocks.append(("table", rows, None))
        elif el.tag == "list":
            blocks.extend(("text", line, None) for item in el.iter("item") for line in _text(item))
        else:
            blocks.extend(("text", line, None) for line in _text(el))
    return blocks


@loader(".html", ".htm")
def load_html(path: Path, data: bytes) -> LoadResult:
    import trafilatura
    from lxml import etree

    page = decode_html(data, str(path))
    try:
        xml = trafilatura.extract(
            page, output_format="xml", include_tables=True, include_comments=False, with_metadata=True,
            favor_recall=True,
        )
    except Exception as exc:  # the extractor's parsers raise several kinds on broken markup
        raise IngestError(str(path), f"not a readable web page ({type(exc).__name__})") from None
    if not xml:
        raise IngestError(str(path), "the page has no article text")
    root = etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    blocks = _blocks(main) if main is not None else []
    text, hints = render_blocks(blocks)
    if not text.strip():
        raise IngestError(str(path), "the page has no article text")
    title = (root.get("title") or "").strip() or None
    # the page's publication date (its meta tags or address), a last resort for the document's
    properties = {"date": root.get("date")} if root.get("date") else {}
    return LoadResult((Source(path.stem, text, path, "html", title=title, heading_hints=hints, properties=properties),))


__all__ = ["decode_html", "load_html"]
