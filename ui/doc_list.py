"""The 文档 tab's list of documents: found by any words of their identity, grouped by kind or year.

A dropdown of dozens of names that differ only in a province or a year is hard to read; the list
shows the documents in groups a reader thinks in (work reports, opinions, plans; or years), each
with its year and region, and narrows to the documents that hold every word typed.
"""

from __future__ import annotations

from collections.abc import Sequence

from ingest.model import Document
from ui.render import esc

BY_KIND, BY_YEAR, FLAT = "kind", "year", "none"
GROUPINGS = [("按类型", BY_KIND), ("按年份", BY_YEAR), ("不分组", FLAT)]
NO_KIND, NO_YEAR = "其他", "年份不详"


def _haystack(doc: Document) -> str:
    i = doc.identity
    year = f"{i.year}年 {i.year}" if i.year else ""
    return " ".join(x for x in (doc.name, doc.title, i.issuer, i.doc_number, i.kind, i.region, i.date, year)
                    if x).casefold()


def matches(doc: Document, query: str) -> bool:
    """Whether every word of ``query`` occurs in the document's name, title or identity."""
    hay = _haystack(doc)
    return all(word in hay for word in (query or "").casefold().split())


def _newest_first(doc: Document) -> tuple[int, str]:
    return (-(doc.identity.year or 0), doc.name)


def groups(docs: Sequence[Document], by: str) -> list[tuple[str, list[Document]]]:
    """(heading, documents) in reading order: the largest kinds first, years newest first, the unknown last.

    Within a group documents go newest first; ungrouped they keep the collection's order.
    """
    if by not in (BY_KIND, BY_YEAR):
        return [("", list(docs))] if docs else []
    out: dict[str, list[Document]] = {}
    years: dict[str, int] = {}
    for d in docs:
        kind, year = d.identity.kind, d.identity.year
        if by == BY_KIND:
            key = kind or NO_KIND
        else:
            key = f"{year}年" if year else NO_YEAR
            years[key] = year or 0
        out.setdefault(key, []).append(d)
    unknown = NO_KIND if by == BY_KIND else NO_YEAR
    if by == BY_KIND:  # the kinds a collection holds most of first
        keys = sorted(out, key=lambda k: (k == unknown, -len(out[k]), k))
    else:
        keys = sorted(out, key=lambda k: (k == unknown, -years[k]))
    return [(k, sorted(out[k], key=_newest_first)) for k in keys]


def _item(doc: Document, selected: str | None) -> str:
    i = doc.identity
    facts = "　·　".join(v for v in (f"{i.year}年" if i.year else None, i.region, i.kind) if v)
    cls = ' class="pq-sel"' if doc.doc_id == selected else ""
    return (f'<li{cls}><a href="#" role="button" data-doc="{esc(doc.doc_id)}">{esc(doc.name)}'
            f'{f"<span class=pq-doc-facts>{esc(facts)}</span>" if facts else ""}</a></li>')


def list_html(docs: Sequence[Document], query: str = "", by: str = BY_KIND, selected: str | None = None) -> str:
    """The list for ``query`` and grouping ``by``; each entry carries ``data-doc`` (its id) for clicks."""
    shown = [d for d in docs if matches(d, query)]
    head = f"找到 {len(shown)} / {len(docs)} 份文档" if (query or "").strip() else f"共 {len(docs)} 份文档"
    if not shown:
        body = '<div class="pq-empty">没有符合的文档，换个词试试（名称、年份、地区、类型或发文机关）。</div>'
    else:
        parts = []
        for title, members in groups(shown, by):
            items = "".join(_item(d, selected) for d in members)
            if title:
                parts.append(f'<details open class="pq-doc-group"><summary>{esc(title)}'
                             f'<span class="pq-count">{len(members)}</span></summary><ul>{items}</ul></details>')
            else:
                parts.append(f"<ul>{items}</ul>")
        body = "".join(parts)
    return f'<div class="pq-doc-list"><div class="pq-doc-head">{head}</div>{body}</div>'


__all__ = ["BY_KIND", "BY_YEAR", "FLAT", "GROUPINGS", "groups", "list_html", "matches"]
