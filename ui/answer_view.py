"""HTML of an answer: the chat bubble, the citation panel beside it and the follow-up suggestions.

Every ``[n]`` in a bubble names its turn and number (classes ``pq-t<turn> pq-n<n>``), and every
card in the panel carries the same pair (``data-turn``, ``data-n``), so the page can take a reader from a marker to its source without
asking the server. The panel holds the sources of every turn; only the active turn is shown.
Many table rows cited together become one compact table with a total, not one card per row.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ingest.model import SECTION_SEP
from ui.render import (
    ROW_CATEGORY,
    ROW_TOTAL,
    esc,
    merge_ranges,
    open_link,
    passage_body,
    section_path,
)

ROW_NUMBER = "序号"

UNGROUNDED_NOTICE = "⚠ 文档中未找到依据：以下回答未能在已收录的文档中得到证实，请谨慎参考。"

SOURCES_INLINE = 3  # longer source lists fold away in the chat bubble
COMPACT_ROWS = 3  # this many cited table rows or more are shown as one table
LONG_CELL = 24  # a column whose typical cell is longer than this stays out of the compact table
PREVIEW_CHARS = 120

_MARKER = re.compile(r"\[(\d{1,3})\]")
_ENUM_PREFIX = re.compile(r"^[\s—–\-·•●■◆▲]*(?:第[一二三四五六七八九十百]+[章节篇部分]|[（(][一二三四五六七八九十\d]+[）)]|"
                          r"[一二三四五六七八九十]+、|\d+(?:\.\d+)*[、.．]?)?\s*")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")

ANSWER_KINDS = {
    "extractive": "摘录原文",
    "table_lookup": "查询表格",
    "aggregate": "按表格逐行汇总计算",
    "outline": "依据文档目录",
    "parts": "逐一回答问题的各部分",
    "across": "按文件逐份回答（按日期排列）",
    "llm": "大模型依据原文组织语言",
    "not_found": "未找到依据",
}


def cited_numbers(text: str) -> set[int]:
    """The citation numbers an answer text refers to with ``[n]``."""
    return {int(m.group(1)) for m in _MARKER.finditer(text or "")}


def ungrounded_banner() -> str:
    return f'<div class="pq-banner" role="alert">{esc(UNGROUNDED_NOTICE)}</div>'


def source_label(hit: Mapping[str, Any]) -> str:
    """A short "where" for a citation: its heading path, or for a table row, table › category › name."""
    section = list(hit.get("section") or ())
    row = hit.get("row") or None
    if hit.get("kind") == "table_row" and row:
        name = row_name(row)
        parts = [*section[-1:], *(str(row.get(ROW_CATEGORY) or "").split(SECTION_SEP)[-1:]), name]
        return SECTION_SEP.join(p for p in parts if p)
    return section_path(section) or str(hit.get("doc_title") or "")


def row_name(row: Mapping[str, Any]) -> str:
    """The first filled text cell of a row that is not its number: what the row is about."""
    return next((str(v) for k, v in row.items()
                 if k not in (ROW_CATEGORY, ROW_TOTAL, ROW_NUMBER) and v and not _NUMBER.match(str(v))), "")


def cited_text(hit: Mapping[str, Any]) -> str:
    """What a citation says, for the preview on its ``[n]``: the marked sentence, else the passage."""
    if hit.get("kind") == "table_row" and hit.get("row"):
        return source_label(hit)
    text = str(hit.get("text") or "")
    marked = [text[a:b] for a, b in merge_ranges(hit.get("highlights") or (), len(text))]
    out = "……".join(marked) if marked else text
    return out if len(out) <= PREVIEW_CHARS else out[:PREVIEW_CHARS] + "……"


# ---- the chat bubble --------------------------------------------------------------------------------
def _ref(turn: int, n: int, citations: Sequence[Mapping[str, Any]]) -> str:
    # The chat keeps classes but not data attributes: turn and number travel as classes, and the
    # preview as a hidden child shown on hover or focus.
    if not 1 <= n <= len(citations):
        return f"[{n}]"
    preview = esc(cited_text(citations[n - 1]))
    return (f'<sup class="pq-ref pq-t{turn} pq-n{n}" tabindex="0" role="button">[{n}]'
            f'<span class="pq-preview">{preview}</span></sup>')


def body_html(text: str) -> str:
    """The answer text as HTML: lines joined with <br>, a Markdown table (figures by year) as a table."""
    out: list[str] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if not rows:
            return
        head, body = rows[0], [r for r in rows[1:] if not all(set(c) <= set("-: ") for c in r)]
        th = "".join(f"<th>{esc(c)}</th>" for c in head)
        trs = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in body)
        out.append(f'<table class="pq-table"><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>')
        rows.clear()

    for line in text.split("\n"):
        if line.startswith("|") and line.rstrip().endswith("|") and line.count("|") >= 3:
            rows.append([c.strip() for c in line.strip()[1:-1].split("|")])
            continue
        flush()
        out.append(esc(line) + "<br>")
    flush()
    html = "".join(out)
    return html[:-4] if html.endswith("<br>") else html


def answer_html(text: str, citations: Sequence[Mapping[str, Any]], grounded: bool = True, turn: int = 0,
                short_answer: str | None = None, resolved: str | None = None, question: str = "") -> str:
    """The chat bubble of an answer, as HTML without blank lines (so Markdown leaves it whole)."""
    body = _MARKER.sub(lambda m: _ref(turn, int(m.group(1)), citations), body_html(text))
    parts = [f'<div class="pq-answer pq-t{turn}">']
    if resolved and resolved.strip() and resolved.strip() != question.strip():
        parts.append(f'<div class="pq-resolved">结合上文理解为：{esc(resolved)}</div>')
    if not grounded:
        parts.append(f"<p><strong>{esc(UNGROUNDED_NOTICE)}</strong></p>")
    elif short_answer and short_answer.strip():
        parts.append(f'<div class="pq-short"><span>答</span><strong>{esc(short_answer.strip())}</strong></div>')
    parts.append(f'<div class="pq-body">{body}</div>')
    lines = _source_lines(text, citations)
    where = '<span class="pq-wide">详见右侧</span><span class="pq-narrow">详见下方</span>'
    if lines and len(lines) <= SOURCES_INLINE:
        parts.append(f'<div class="pq-sources">来源：{"；".join(esc(x) for x in lines)}（{where}）</div>')
    elif lines:
        parts.append(f'<details class="pq-sources"><summary>来源：共 {len(lines)} 条（点击展开，{where}）'
                     f'</summary>{"<br>".join(esc(x) for x in lines)}</details>')
    lines_html = "".join(f'<span class="pq-line">{esc(x)}</span>' for x in plain_answer(text, citations).split("\n"))
    parts.append(f'<div class="pq-tools"><a href="#" class="pq-copy" role="button">复制回答</a>'
                 f'<span class="pq-copytext">{lines_html}</span></div></div>')
    return "".join(parts)


def _source_lines(text: str, citations: Sequence[Mapping[str, Any]]) -> list[str]:
    cited = cited_numbers(text)
    return [f"[{i}] {source_label(h)}" for i, h in enumerate(citations, 1) if not cited or i in cited]


def plain_answer(text: str, citations: Sequence[Mapping[str, Any]]) -> str:
    """The answer as plain text with its sources, for the clipboard."""
    lines = [text.strip()]
    cited = cited_numbers(text)
    sources = [f"[{i}] {h.get('doc_title') or h.get('doc_id')} › {source_label(h)}"
               for i, h in enumerate(citations, 1) if not cited or i in cited]
    if sources:
        lines += ["", "来源：", *sources]
    return "\n".join(lines)


def streaming_html(text: str) -> str:
    """Partial answer text while it streams in."""
    return esc(text).replace("\n", "<br>") + " ▍"


# ---- the citation panel -----------------------------------------------------------------------------
def citation_card(turn: int, n: int, hit: Mapping[str, Any], referenced: bool = True) -> str:
    section = section_path(hit.get("section") or ())
    tag = "" if referenced else '<span class="pq-tag pq-related" title="回答正文未直接引用，供参考">相关段落</span>'
    # Related passages show no term highlights: single common words marked everywhere mislead.
    shown = hit if referenced else {**hit, "highlights": []}
    return (
        f'<article class="pq-card" id="pq-cite-{turn}-{n}" data-n="{n}" tabindex="-1" data-id="{esc(hit.get("id"))}">'
        f'<header><span class="pq-num">{n}</span>'
        f'<span class="pq-doc">{esc(hit.get("doc_title") or hit.get("doc_id"))}</span>{tag}</header>'
        f'<div class="pq-section">{esc(section) if section else "（正文）"}</div>'
        f"{passage_body(shown)}"
        f'<footer><span class="pq-id">{esc(hit.get("id"))}</span>{open_link(hit)}</footer></article>'
    )


def _number(value: Any) -> float | None:
    s = str(value or "").replace(",", "").strip()
    return float(s) if _NUMBER.match(s) else None


def _fmt(x: float) -> str:
    return f"{x:,.4f}".rstrip("0").rstrip(".")


def compact_columns(rows: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    """(columns to show, the numeric ones among them): short columns only, numbers summed."""
    headers: list[str] = []
    for r in rows:
        headers += [k for k in r if k not in headers and k not in (ROW_CATEGORY, ROW_TOTAL, ROW_NUMBER)]
    shown, numeric = [], []
    for h in headers:
        values = [str(r.get(h) or "") for r in rows if r.get(h)]
        if not values:
            continue
        if all(_number(v) is not None for v in values):
            numeric.append(h)
            shown.append(h)
        elif statistics.median(len(v) for v in values) <= LONG_CELL:
            shown.append(h)
    return shown, numeric


def compact_table(turn: int, numbered: Sequence[tuple[int, Mapping[str, Any]]], unit: str = "") -> str:
    """Cited table rows as one table: a line per row (number, short columns, link) and the total."""
    rows = [h.get("row") or {} for _, h in numbered]
    columns, numeric = compact_columns(rows)
    head = '<th class="pq-n">#</th>' + "".join(f"<th>{esc(c)}</th>" for c in columns) + "<th></th>"
    body = []
    for (n, hit), row in zip(numbered, rows, strict=True):
        cells = "".join(f'<td class="{"pq-n" if c in numeric else ""}">{esc(row.get(c, ""))}</td>' for c in columns)
        body.append(f'<tr id="pq-cite-{turn}-{n}" data-n="{n}" tabindex="-1"><td class="pq-n"><span class="pq-num">{n}</span></td>'
                    f'{cells}<td>{open_link(hit, "查看")}</td></tr>')
    sums = {c: sum(x for r in rows if (x := _number(r.get(c))) is not None) for c in numeric}
    total = "".join(f'<td class="pq-n">{_fmt(sums[c])}</td>' if c in sums else "<td></td>" for c in columns)
    unit_note = f"（单位：{esc(unit)}）" if unit and numeric else ""
    return (f'<div class="pq-compact-wrap"><table class="pq-compact"><caption>引用的表格行：共 {len(rows)} 行{unit_note}'
            f'</caption><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
            f'<tfoot><tr><th class="pq-n">合计</th>{total}<td></td></tr></tfoot></table></div>')


def turn_panel(turn: int, citations: Sequence[Mapping[str, Any]], grounded: bool = True,
               notes: Sequence[str] = (), kind: str = "", referenced: Iterable[int] | None = None,
               units: Mapping[str, str] | None = None, active: bool = True) -> str:
    """The sources of one answer; ``referenced`` numbers are the ones its text cites."""
    cited = set(referenced) if referenced is not None else set()
    parts: list[str] = []
    if not grounded:
        parts.append(ungrounded_banner())
    if citations:
        how = f'<span class="pq-kind">回答方式：{esc(ANSWER_KINDS.get(kind, kind))}</span>' if kind else ""
        parts.append(f'<div class="pq-panel-title">引用来源（{len(citations)}）{how}</div>')
        numbered = list(enumerate(citations, 1))
        rows = [(n, h) for n, h in numbered if h.get("kind") == "table_row" and h.get("row")]
        compact = len(rows) >= COMPACT_ROWS
        if compact:
            unit = next((u for _, h in rows if (u := (units or {}).get(str(h.get("id")), ""))), "")
            parts.append(compact_table(turn, rows, unit))
        parts.extend(citation_card(turn, n, h, not cited or n in cited)
                     for n, h in numbered if not (compact and (n, h) in rows))
    elif grounded:
        parts.append('<div class="pq-empty">这条回答没有引用来源。</div>')
    if notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in notes)
        parts.append(f'<details class="pq-notes"><summary>技术说明</summary><ul>{items}</ul></details>')
    hidden = "" if active else " hidden"
    return f'<section class="pq-turn" data-turn="{turn}"{hidden}>{"".join(parts)}</section>'


EMPTY_PANEL = '<div class="pq-citations"><div class="pq-empty">提问后，这里会列出回答所依据的原文段落和表格行。</div></div>'
PENDING_PANEL = '<div class="pq-citations"><div class="pq-empty">正在查找依据……</div></div>'


def citations_panel(turns: Mapping[int, Mapping[str, Any]], active: int | None = None) -> str:
    """Every turn's sources; the ``active`` turn (default: the latest) is the one shown."""
    if not turns:
        return EMPTY_PANEL
    active = max(turns) if active is None else active
    sections = "".join(turn_panel(t, **turns[t], active=t == active) for t in sorted(turns))
    return f'<div class="pq-citations">{sections}</div>'


# ---- follow-up suggestions --------------------------------------------------------------------------
def topic(heading: str) -> str:
    """A heading without its enumeration ("（六）", "五、", "1.", a leading dash) or trailing punctuation."""
    return _ENUM_PREFIX.sub("", heading or "").strip().rstrip("。；;：:")


def follow_ups(question: str, citations: Sequence[Mapping[str, Any]], referenced: Iterable[int] = (),
               limit: int = 3) -> list[str]:
    """Questions a reader could ask next, drawn from the sections the answer cites (cited first)."""
    cited = set(referenced)
    order = sorted(enumerate(citations, 1), key=lambda x: (x[0] not in cited, x[0]))
    out: list[str] = []
    seen: set[str] = set()
    for _, h in order:
        row = h.get("row") or None
        if h.get("kind") == "table_row" and row:
            t = topic(str(row.get(ROW_CATEGORY) or "").split(SECTION_SEP)[-1])
            noun = "项目" if any("项目" in str(k) for k in row) else "内容"
            q = f"“{t}”有哪些{noun}？"
        else:
            section = list(h.get("section") or ())
            t = topic(section[-1]) if section else ""
            q = f"“{t}”有哪些具体举措？"
        if len(t) < 2 or t in seen or t in question:
            continue
        seen.add(t)
        out.append(q)
        if len(out) >= limit:
            break
    return out

