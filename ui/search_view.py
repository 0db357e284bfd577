"""HTML and records of the 检索 tab: matches grouped per passage, keyword-in-context lines, counts.

Exact search reports every occurrence; a passage holding several is one card with all of them
marked and its count, and each occurrence is one ``Match`` (one KWIC line, one exported row) with
its offset in the document's text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ui.render import esc, merge_ranges, open_link, passage_body, section_path

MODE_LABELS = {"exact": "精确", "keyword": "关键词", "semantic": "语义", "hybrid": "混合"}
CONTEXT = 24  # characters of context either side of a match


@dataclass(frozen=True)
class Match:
    """One occurrence of the query: where it is and what surrounds it."""

    document: str
    section: str
    passage_id: str
    offset: int  # in the document's cleaned text
    left: str
    match: str
    right: str


def group_by_passage(hits: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One hit per passage, in first-seen order, with all its highlights and their ``count``."""
    groups: dict[str, dict[str, Any]] = {}
    for h in hits:
        g = groups.get(h["id"])
        if g is None:
            g = groups[h["id"]] = {**h, "highlights": []}
        g["highlights"] = [*g["highlights"], *(h.get("highlights") or ())]
    for g in groups.values():
        g["highlights"] = [list(r) for r in merge_ranges(g["highlights"], len(g.get("text") or ""))]
        g["count"] = len(g["highlights"])
    return list(groups.values())


def _one_line(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def matches(hit: Mapping[str, Any], doc_text: str | None = None, width: int = CONTEXT) -> list[Match]:
    """A ``Match`` per highlight of ``hit``.

    A paragraph's context comes from the document text (so it may run past the passage, but never
    past a line break); a table row's comes from the row's own text.
    """
    text = str(hit.get("text") or "")
    start, end = (int(x) for x in hit.get("span") or (0, len(text)))
    is_row = hit.get("kind") == "table_row"
    use_doc = doc_text is not None and not is_row and doc_text[start:start + len(text)] == text
    source, shift = (doc_text, start) if use_doc and doc_text is not None else (text, 0)
    where = section_path(hit.get("section") or ())
    out = []
    cursor = start
    for a, b in merge_ranges(hit.get("highlights") or (), len(text)):
        a2, b2 = a + shift, b + shift
        left = source[max(0, a2 - width):a2].rsplit("\n", 1)[-1]
        right = source[b2:b2 + width].split("\n", 1)[0]
        found = text[a:b]
        if use_doc:
            offset = a2
        else:  # a row's text is a rendering of its cells: find the cell text in the document
            pos = doc_text.find(found, cursor, end) if doc_text is not None else -1
            offset = pos if pos >= 0 else start
            cursor = max(cursor, offset + 1)
        out.append(Match(str(hit.get("doc_title") or hit.get("doc_id") or ""), where, str(hit.get("id")),
                         offset, _one_line(left), found, _one_line(right)))
    return out


# ---- summary and notices ----------------------------------------------------------------------------
def search_summary(total: int, took_ms: float, mode: str, shown: int, per_doc: Sequence[tuple[str, int]],
                   passages: int | None = None, link: str = "", filtered: str = "") -> str:
    """Totals line (with the passages the matches fall in and the filters it was limited by), a
    share link, and per-document counts."""
    if mode == "exact":
        where = f"，分布在 {passages} 个段落" if passages is not None else ""
        head = f"<b>共 {total} 处匹配{where}</b>"
        more = f"，显示前 {shown} 个段落" if passages is not None and shown < passages else ""
    else:
        head = f"<b>共 {total} 条结果</b>"
        more = f"，显示前 {shown} 条" if shown < total else ""
    share = f'<a class="pq-share-link" href="{esc(link)}">本次检索链接</a>' if link else ""
    within = f"，限于 {esc(filtered)}" if filtered else ""
    out = (f'<div class="pq-summary">{head}<span>（{esc(MODE_LABELS.get(mode, mode))}检索{within}，'
           f"用时 {took_ms:.0f} 毫秒{more}）</span>{share}</div>")
    if not per_doc:
        return out
    rows = "".join(f"<tr><td>{esc(title)}</td><td class='pq-n'>{n}</td></tr>" for title, n in per_doc)
    return (out + '<table class="pq-perdoc"><thead><tr><th>文档</th><th class="pq-n">'
            + ("出现次数" if mode == "exact" else "结果数") + f"</th></tr></thead><tbody>{rows}</tbody></table>")


def phrase_notice(query: str, occurrences: int) -> str:
    """For ranked modes: whether the whole phrase occurs verbatim, so a count is never misread."""
    q = esc(query)
    if occurrences == 0:
        return (f'<div class="pq-phrase pq-phrase-none" role="note">完整词句“{q}”在文档中<b>没有出现</b>；'
                "以下结果只包含其中的部分词语，按相关度排序。</div>")
    return (f'<div class="pq-phrase" role="note">完整词句“{q}”在文档中逐字出现 <b>{occurrences}</b> 处；'
            "要逐一查看并统计，请改用精确检索。</div>")


def failure(message: str) -> str:
    return f'<div class="pq-banner" role="alert">{esc(message)}</div>'


# ---- results ----------------------------------------------------------------------------------------
def result_card(rank: int, hit: Mapping[str, Any], mode: str = "hybrid") -> str:
    section = section_path(hit.get("section") or ())
    score = hit.get("score")
    if mode == "exact":
        badge = f'<span class="pq-count">本段 {int(hit.get("count") or len(hit.get("highlights") or ()))} 处</span>'
    else:
        badge = f'<span class="pq-score">相关度 {score:.3f}</span>' if isinstance(score, float) else ""
    return (
        f'<article class="pq-card pq-result" data-id="{esc(hit.get("id"))}">'
        f'<header><span class="pq-num">{rank}</span>'
        f'<span class="pq-doc">{esc(hit.get("doc_title") or hit.get("doc_id"))}</span>{badge}</header>'
        f'<div class="pq-section">{esc(section) if section else "（正文）"}</div>'
        f"{passage_body(hit)}"
        f'<footer><span class="pq-id">{esc(hit.get("id"))} · 位置 {hit["span"][0]}–{hit["span"][1]}</span>'
        f"{open_link(hit)}</footer></article>"
    )


def search_results(hits: Sequence[Mapping[str, Any]], mode: str = "hybrid") -> str:
    """Result cards: exact matches one card per passage in document order, others by score."""
    if not hits:
        return '<div class="pq-empty">没有找到匹配的内容。可以换个说法，或改用“语义”“混合”检索。</div>'
    cards = "".join(result_card(i, h, mode) for i, h in enumerate(hits, 1))
    return f'<div class="pq-results">{cards}</div>'


def kwic_table(lines: Sequence[Match]) -> str:
    """Matches as an aligned keyword-in-context table (stacked lines on a phone)."""
    if not lines:
        return '<div class="pq-empty">关键词上下文视图仅用于“精确”检索的匹配。</div>'
    rows = "".join(
        f'<tr><td class="pq-left"><div>{esc(m.left)}</div></td><td class="pq-match"><mark>{esc(m.match)}</mark></td>'
        f'<td class="pq-right"><div>{esc(m.right)}</div></td>'
        f'<td class="pq-where" title="{esc(m.section)}">{esc(m.section.split(" › ")[-1] or m.document)}</td></tr>'
        for m in lines
    )
    return ('<table class="pq-kwic"><thead><tr><th class="pq-left">左侧上下文</th><th class="pq-match">匹配</th>'
            f'<th class="pq-right">右侧上下文</th><th class="pq-where">位置</th></tr></thead><tbody>{rows}</tbody></table>')
