"""HTML for citations, search results, KWIC lines and document sections.

Everything here takes the contract's Hit dicts (``service.hits.hit_to_dict``) or core records and
returns an HTML string. All document text is escaped before it reaches the page, and braces are
written as entities too, so a passage can never be read as markup or as a template expression.
Highlights are character ranges within a passage; they become ``<mark>`` elements.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from ingest.model import SECTION_SEP

UI_PATH = "/ui"

ROW_CATEGORY = "类别"
ROW_TOTAL = "合计行"



def esc(text: Any) -> str:
    """Escape text for HTML content and attributes; braces too, so templates never expand them."""
    s = html.escape("" if text is None else str(text), quote=True)
    return s.replace("{", "&#123;").replace("}", "&#125;").replace("$", "&#36;")


def merge_ranges(ranges: Iterable[Sequence[int]], length: int) -> list[tuple[int, int]]:
    """Clamp ranges to ``[0, length]``, drop empty ones and merge those that overlap or touch."""
    clean = sorted(
        (max(0, int(a)), min(length, int(b))) for a, b in ranges if min(length, int(b)) > max(0, int(a))
    )
    merged: list[tuple[int, int]] = []
    for a, b in clean:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def highlight(text: str, ranges: Iterable[Sequence[int]], cls: str = "") -> str:
    """Escaped ``text`` with each range wrapped in ``<mark>`` (of class ``cls`` when given)."""
    out: list[str] = []
    pos = 0
    tag = f'<mark class="{esc(cls)}">' if cls else "<mark>"
    for a, b in merge_ranges(ranges, len(text)):
        out.append(esc(text[pos:a]))
        out.append(f"{tag}{esc(text[a:b])}</mark>")
        pos = b
    out.append(esc(text[pos:]))
    return "".join(out)


def highlight_terms(text: str, terms: Iterable[str]) -> str:
    """Escaped ``text`` with every occurrence of any of ``terms`` marked (used for table cells)."""
    ranges: list[tuple[int, int]] = []
    for t in {t for t in terms if t and t.strip()}:
        start = text.find(t)
        while start >= 0:
            ranges.append((start, start + len(t)))
            start = text.find(t, start + len(t))
    return highlight(text, ranges)


def section_path(section: Sequence[str]) -> str:
    return SECTION_SEP.join(s for s in section if s)


def deep_link(passage_id: str, highlights: Iterable[Sequence[int]] = ()) -> str:
    """The shareable address of a passage in the 文档 tab, optionally with the sentence to mark."""
    query = {"p": passage_id}
    hl = ",".join(f"{int(a)}-{int(b)}" for a, b in highlights)
    if hl:
        query["hl"] = hl
    return f"{UI_PATH}/?{urlencode(query)}"


def parse_ranges(value: str | None) -> list[tuple[int, int]]:
    """``"3-9,12-15"`` → ``[(3, 9), (12, 15)]``; anything malformed is dropped, never raised."""
    out = []
    for part in (value or "").split(","):
        a, _, b = part.partition("-")
        if a.strip().isdigit() and b.strip().isdigit() and int(a) < int(b):
            out.append((int(a), int(b)))
    return out[:50]


def open_link(hit: Mapping[str, Any], label: str = "在文档中查看") -> str:
    """A link opening the passage in the 文档 tab (the page intercepts a plain click)."""
    ranges = merge_ranges(hit.get("highlights") or (), len(hit.get("text") or ""))
    hl = ",".join(f"{a}-{b}" for a, b in ranges)
    return (f'<a class="pq-open" href="{esc(deep_link(str(hit.get("id")), ranges))}" '
            f'data-pid="{esc(hit.get("id"))}" data-hl="{esc(hl)}">{esc(label)}</a>')


def _highlighted_terms(hit: Mapping[str, Any]) -> list[str]:
    text = hit.get("text") or ""
    return [text[a:b] for a, b in merge_ranges(hit.get("highlights") or (), len(text))]


# ---- table rows ---------------------------------------------------------------------------------
def row_table(row: Mapping[str, Any], terms: Iterable[str] = ()) -> str:
    """A table row as a small two-column table (field | value) under its category path."""
    terms = list(terms)
    category = str(row.get(ROW_CATEGORY) or "")
    cells = [(k, v) for k, v in row.items() if k not in (ROW_CATEGORY, ROW_TOTAL)]
    caption = f"类别：{esc(category)}" if category else "表格行"
    if row.get(ROW_TOTAL):
        caption += ' <span class="pq-tag">合计行</span>'
    body = "".join(
        f'<tr><th scope="row">{esc(k)}</th><td>{highlight_terms(str(v), terms)}</td></tr>' for k, v in cells
    )
    return f'<table class="pq-row"><caption>{caption}</caption><tbody>{body}</tbody></table>'


def passage_body(hit: Mapping[str, Any]) -> str:
    """The cited text: a paragraph with its highlights, or a table row as a small table."""
    if hit.get("kind") == "table_row" and hit.get("row"):
        return row_table(hit["row"], _highlighted_terms(hit))
    return f'<p class="pq-text">{highlight(hit.get("text") or "", hit.get("highlights") or ())}</p>'


# ---- documents ----------------------------------------------------------------------------------
def outline(headings: Sequence[tuple[int, int, str]], selected: int | None = None) -> str:
    """Heading outline; each item carries ``data-idx`` (the heading's index) for click handling."""
    if not headings:
        return '<div class="pq-empty">这份文档没有识别出标题。</div>'
    items = []
    for idx, level, text in headings:
        cls = "pq-h" + (" pq-sel" if idx == selected else "")
        items.append(f'<li class="{cls} pq-l{min(level, 4)}"><a href="#" data-idx="{idx}" '
                     f'role="button">{esc(text)}</a></li>')
    return f'<ul class="pq-outline">{"".join(items)}</ul>'


def section_view(title_path: Sequence[str], blocks: Sequence[tuple[str, Any]], link: str = "") -> str:
    """A section: blocks are ``("heading", (level, text))``, ``("para", text)``, ``("html", html)``
    (a paragraph already rendered, e.g. with the cited sentence marked) or ``("table", html)``.

    ``link`` is the shareable address of the passage the section was opened at.
    """
    parts = [f'<div class="pq-section">{esc(section_path(title_path))}</div>'] if title_path else []
    for kind, value in blocks:
        if kind == "heading":
            level, text = value
            parts.append(f'<h{min(level + 2, 6)} class="pq-sh">{esc(text)}</h{min(level + 2, 6)}>')
        elif kind == "para":
            parts.append(f'<p class="pq-text">{esc(value)}</p>')
        elif kind in ("html", "table"):
            parts.append(value)
    if len(parts) <= 1:
        parts.append('<div class="pq-empty">本节没有正文。</div>')
    if link:
        parts.insert(1 if title_path else 0,
                     f'<div class="pq-share">本段链接（可分享）：<a class="pq-link" href="{esc(link)}">{esc(link)}</a></div>')
    return f'<div class="pq-reader">{"".join(parts)}</div>'


def grid_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], limit: int = 12,
               target: int | None = None) -> str:
    """A compact preview of a table inside a section (the full table is below).

    With ``target`` (a row position) the preview runs to that row and marks it.
    """
    if target is not None:
        limit = max(limit, target + 1)
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        ('<tr class="pq-target">' if i == target else "<tr>") + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>"
        for i, r in enumerate(rows[:limit]))
    more = (f'<div class="pq-more">…… 共 {len(rows)} 行，完整表格见下方“表格”。</div>'
            if len(rows) > limit else "")
    return (f'<div class="pq-grid-wrap"><table class="pq-grid"><caption>{esc(title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}</div>")
