"""HTML for citations, search results, KWIC lines and document sections.

Everything here takes the contract's Hit dicts (``service.hits.hit_to_dict``) or core records and
returns an HTML string. All document text is escaped before it reaches the page, and braces are
written as entities too, so a passage can never be read as markup or as a template expression.
Highlights are character ranges within a passage; they become ``<mark>`` elements.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ingest.model import SECTION_SEP

ROW_CATEGORY = "类别"
ROW_TOTAL = "合计行"

UNGROUNDED_NOTICE = "⚠ 文档中未找到依据：以下回答未能在已收录的文档中得到证实，请谨慎参考。"

SOURCES_INLINE = 3  # longer source lists fold away in the chat bubble

_MARKER = re.compile(r"\[(\d{1,3})\]")


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


def highlight(text: str, ranges: Iterable[Sequence[int]]) -> str:
    """Escaped ``text`` with each range wrapped in ``<mark>``."""
    out: list[str] = []
    pos = 0
    for a, b in merge_ranges(ranges, len(text)):
        out.append(esc(text[pos:a]))
        out.append(f"<mark>{esc(text[a:b])}</mark>")
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


# ---- question answering -------------------------------------------------------------------------
def ungrounded_banner() -> str:
    return f'<div class="pq-banner" role="alert">{esc(UNGROUNDED_NOTICE)}</div>'


def cited_numbers(text: str) -> set[int]:
    """The citation numbers an answer text refers to with ``[n]``."""
    return {int(m.group(1)) for m in _MARKER.finditer(text or "")}


def citation_card(n: int, hit: Mapping[str, Any], referenced: bool = True) -> str:
    section = section_path(hit.get("section") or ())
    tag = "" if referenced else '<span class="pq-tag pq-related" title="回答正文未直接引用，供参考">相关段落</span>'
    return (
        f'<article class="pq-card" id="pq-cite-{n}" data-id="{esc(hit.get("id"))}">'
        f'<header><span class="pq-num">{n}</span>'
        f'<span class="pq-doc">{esc(hit.get("doc_title") or hit.get("doc_id"))}</span>{tag}</header>'
        f'<div class="pq-section">{esc(section) if section else "（正文）"}</div>'
        f"{passage_body(hit)}"
        f'<footer class="pq-id">{esc(hit.get("id"))}</footer></article>'
    )


ANSWER_KINDS = {
    "extractive": "摘录原文",
    "table_lookup": "查询表格",
    "aggregate": "按表格逐行汇总计算",
    "llm": "大模型依据原文组织语言",
    "not_found": "未找到依据",
}


def citations_panel(citations: Sequence[Mapping[str, Any]], grounded: bool = True,
                    notes: Sequence[str] = (), pending: bool = False, kind: str = "",
                    referenced: Iterable[int] | None = None) -> str:
    """The panel beside the chat: the ungrounded notice first, then one card per citation.

    With ``referenced`` (the numbers the answer text cites), the other cards are tagged as
    related passages, so the reader sees which source carries the answer.
    """
    cited = set(referenced) if referenced is not None else None
    if pending:
        return '<div class="pq-citations"><div class="pq-empty">正在查找依据……</div></div>'
    parts: list[str] = []
    if not grounded:
        parts.append(ungrounded_banner())
    if citations:
        how = f'<span class="pq-kind">回答方式：{esc(ANSWER_KINDS.get(kind, kind))}</span>' if kind else ""
        parts.append(f'<div class="pq-panel-title">引用来源（{len(citations)}）{how}</div>')
        parts.extend(citation_card(i, h, cited is None or not cited or i in cited)
                     for i, h in enumerate(citations, 1))
    elif grounded:
        parts.append('<div class="pq-empty">提问后，这里会列出回答所依据的原文段落和表格行。</div>')
    if notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in notes)
        parts.append(f'<details class="pq-notes"><summary>技术说明</summary><ul>{items}</ul></details>')
    return f'<div class="pq-citations">{"".join(parts)}</div>'


def answer_markdown(text: str, citations: Sequence[Mapping[str, Any]], grounded: bool = True) -> str:
    """The chat bubble of an answer: escaped text, ``[n]`` as superscripts, and a short source list."""
    body = esc(text).replace("\n", "  \n")
    body = _MARKER.sub(lambda m: f'<sup class="pq-ref">[{m.group(1)}]</sup>', body)
    if not grounded:
        body = f"**{esc(UNGROUNDED_NOTICE)}**\n\n{body}"
    if citations:
        cited = cited_numbers(text)
        lines = []
        for i, h in enumerate(citations, 1):
            if not cited or i in cited:
                lines.append(f"[{i}] {esc(source_label(h))}")
        if len(lines) <= SOURCES_INLINE:
            body += '\n\n<div class="pq-sources">来源：' + "；".join(lines) + "</div>"
        else:
            body += (f'\n\n<details class="pq-sources"><summary>来源：共 {len(lines)} 条（点击展开，详见右侧）'
                     "</summary>" + "<br>".join(lines) + "</details>")
    return body


def source_label(hit: Mapping[str, Any]) -> str:
    """A short "where" for a citation: its heading path, or for a table row, table › category › name."""
    section = list(hit.get("section") or ())
    row = hit.get("row") or None
    if hit.get("kind") == "table_row" and row:
        name = next((str(v) for k, v in row.items() if k not in (ROW_CATEGORY, ROW_TOTAL, "序号") and v), "")
        parts = [*section[-1:], *(str(row.get(ROW_CATEGORY) or "").split(SECTION_SEP)[-1:]), name]
        return SECTION_SEP.join(p for p in parts if p)
    return section_path(section) or str(hit.get("doc_title") or "")


def streaming_markdown(text: str) -> str:
    """Partial answer text while it streams in."""
    return esc(text).replace("\n", "  \n") + " ▍"


# ---- search -------------------------------------------------------------------------------------
MODE_LABELS = {"exact": "精确", "keyword": "关键词", "semantic": "语义", "hybrid": "混合"}


def search_summary(total: int, took_ms: float, mode: str, shown: int,
                   per_doc: Sequence[tuple[str, int]]) -> str:
    """Totals line plus a per-document occurrence count table."""
    unit = "处匹配" if mode == "exact" else "条结果"
    head = (f'<div class="pq-summary"><b>共 {total} {unit}</b>'
            f'<span>（{esc(MODE_LABELS.get(mode, mode))}检索，用时 {took_ms:.0f} 毫秒'
            + (f"，显示前 {shown} 条" if shown < total else "") + "）</span></div>")
    if not per_doc:
        return head
    rows = "".join(f"<tr><td>{esc(title)}</td><td class='pq-n'>{n}</td></tr>" for title, n in per_doc)
    return (head + '<table class="pq-perdoc"><thead><tr><th>文档</th><th class="pq-n">'
            + ("出现次数" if mode == "exact" else "结果数") + f"</th></tr></thead><tbody>{rows}</tbody></table>")


def result_card(rank: int, hit: Mapping[str, Any], show_score: bool = True) -> str:
    section = section_path(hit.get("section") or ())
    score = hit.get("score")
    score_html = (f'<span class="pq-score">相关度 {score:.3f}</span>'
                  if show_score and isinstance(score, float) else "")
    return (
        f'<article class="pq-card pq-result" data-id="{esc(hit.get("id"))}">'
        f'<header><span class="pq-num">{rank}</span>'
        f'<span class="pq-doc">{esc(hit.get("doc_title") or hit.get("doc_id"))}</span>{score_html}</header>'
        f'<div class="pq-section">{esc(section) if section else "（正文）"}</div>'
        f"{passage_body(hit)}"
        f'<footer class="pq-id">{esc(hit.get("id"))} · 位置 {hit["span"][0]}–{hit["span"][1]}</footer>'
        "</article>"
    )


def search_results(hits: Sequence[Mapping[str, Any]], show_score: bool = True) -> str:
    """Result cards; exact matches come in document order, so they carry no score."""
    if not hits:
        return '<div class="pq-empty">没有找到匹配的内容。可以换个说法，或改用“语义”“混合”检索。</div>'
    cards = "".join(result_card(i, h, show_score) for i, h in enumerate(hits, 1))
    return f'<div class="pq-results">{cards}</div>'


def kwic_lines(hit: Mapping[str, Any], doc_text: str | None = None, width: int = 24) -> list[tuple[str, str, str]]:
    """(left context, match, right context) for every highlight of a hit.

    With the document text the context may run past the passage; without it, it stops at the
    passage boundary.
    """
    text = hit.get("text") or ""
    start = int(hit["span"][0]) if hit.get("span") else 0
    source, offset = (doc_text, start) if doc_text is not None else (text, 0)
    lines = []
    for a, b in merge_ranges(hit.get("highlights") or (), len(text)):
        a2, b2 = a + offset, b + offset
        left = source[max(0, a2 - width):a2].rsplit("\n", 1)[-1]
        right = source[b2:b2 + width].split("\n", 1)[0]
        lines.append((_one_line(left), source[a2:b2], _one_line(right)))
    return lines


def _one_line(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def kwic_table(lines: Sequence[tuple[str, str, str, str]]) -> str:
    """Lines of (left, match, right, where) as an aligned keyword-in-context table."""
    if not lines:
        return '<div class="pq-empty">关键词上下文视图仅用于“精确”检索的匹配。</div>'
    rows = "".join(
        f'<tr><td class="pq-left"><div>{esc(left)}</div></td><td class="pq-match"><mark>{esc(m)}</mark></td>'
        f'<td class="pq-right">{esc(right)}</td><td class="pq-where" title="{esc(where)}">{esc(where)}</td></tr>'
        for left, m, right, where in lines
    )
    return ('<table class="pq-kwic"><thead><tr><th class="pq-left">左侧上下文</th><th>匹配</th>'
            f'<th class="pq-right">右侧上下文</th><th>位置</th></tr></thead><tbody>{rows}</tbody></table>')


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


def section_view(title_path: Sequence[str], blocks: Sequence[tuple[str, Any]]) -> str:
    """A section: blocks are ``("heading", (level, text))``, ``("para", text)`` or ``("table", html)``."""
    parts = [f'<div class="pq-section">{esc(section_path(title_path))}</div>'] if title_path else []
    for kind, value in blocks:
        if kind == "heading":
            level, text = value
            parts.append(f'<h{min(level + 2, 6)} class="pq-sh">{esc(text)}</h{min(level + 2, 6)}>')
        elif kind == "para":
            parts.append(f'<p class="pq-text">{esc(value)}</p>')
        elif kind == "table":
            parts.append(value)
    if len(parts) <= 1:
        parts.append('<div class="pq-empty">本节没有正文。</div>')
    return f'<div class="pq-reader">{"".join(parts)}</div>'


def grid_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], limit: int = 12) -> str:
    """A compact preview of a table inside a section (the full table is on the right)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows[:limit])
    more = (f'<div class="pq-more">…… 共 {len(rows)} 行，完整表格见“表格”。</div>'
            if len(rows) > limit else "")
    return (f'<div class="pq-grid-wrap"><table class="pq-grid"><caption>{esc(title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}</div>")
