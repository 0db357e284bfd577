"""The 检索 tab, for journalists: find wording in the documents, count it, see it in context, follow
it over the years (a bar per year; a click shows that year's matches), take every match and the
timeline away as CSV or XLSX, and share the search as a link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import gradio as gr

from index.filters import DocFilter
from service.runtime import Runtime
from ui import filters as doc_filters
from ui import search_view, timeline_view
from ui.common import ALL_DOCS, ALL_DOCS_LABEL, OPEN_JS, RuntimeGetter, doc_ids_for, hit_dicts
from ui.errors import check_text, friendly, warn
from ui.export import write_csv, write_timeline_csv, write_xlsx
from ui.render import UI_PATH, section_path
from ui.search_view import Match

if TYPE_CHECKING:
    from service.timeline import Timeline

MODES = ("exact", "keyword", "semantic", "hybrid")
MODE_CHOICES = [("精确", "exact"), ("关键词", "keyword"), ("语义", "semantic"), ("混合", "hybrid")]
MODE_HELP = "精确：逐字查找原文措辞并统计出现次数；关键词：按词语匹配排序；语义：按意思相近查找；混合：关键词与语义结合。"
EXPORT_LIMIT = 10_000  # exact matches fetched for grouping and export
EMPTY = '<div class="pq-empty">输入检索词后按回车。</div>'


@dataclass(frozen=True)
class SearchView:
    summary: str
    notice: str
    results: str
    kwic: str
    csv_path: Path
    xlsx_path: Path
    offer_exact: bool  # a ranked search whose whole phrase occurs verbatim, or not at all
    timeline: str = ""  # exact mode over several documents: first/last appearance and a bar per year
    timeline_csv: Path | None = None
    last: dict[str, Any] | None = None  # what a click on a year re-runs (exact mode only)


def share_link(query: str, mode: str, doc_choice: str | None, chosen: dict[str, str] | None = None) -> str:
    params = {"q": query, "mode": mode}
    if doc_choice and doc_choice != ALL_DOCS:
        params["doc"] = doc_choice
    params.update({k: v for k, v in (chosen or {}).items() if v})
    return f"{UI_PATH}/?{urlencode(params)}"


def _doc_texts(rt: Runtime, hits: list[dict[str, Any]]) -> dict[str, str | None]:
    texts: dict[str, str | None] = {}
    for h in hits:
        if h["doc_id"] not in texts:
            try:
                texts[h["doc_id"]] = rt.document(h["doc_id"]).text
            except Exception:
                texts[h["doc_id"]] = None
    return texts


@dataclass(frozen=True)
class _Exact:
    """An exact search's matches: grouped per passage (cards), one ``Match`` per occurrence."""

    total: int
    took_ms: float
    grouped: list[dict[str, Any]]
    lines: list[Match]


def _exact(rt: Runtime, query: str, doc_ids: list[str] | None, filters: DocFilter | None) -> _Exact:
    res = rt.search(query, mode="exact", top_k=EXPORT_LIMIT, doc_ids=doc_ids, filters=filters)
    grouped = search_view.group_by_passage(hit_dicts(rt, res.hits))
    texts = _doc_texts(rt, grouped)
    lines = [m for g in grouped for m in search_view.matches(g, texts[g["doc_id"]])]
    return _Exact(res.total, res.took_ms, grouped, lines)


def _filter_of(chosen: dict[str, str]) -> DocFilter | None:
    return doc_filters.to_filter(*(chosen.get(k) for k in doc_filters.PARAMS))


def run_search(rt: Runtime, query: str, mode: str, top_k: int, doc_choice: str | None,
               now: datetime | None = None, chosen: dict[str, str] | None = None) -> SearchView:
    """Run one search through the runtime and render every view of its results.

    ``chosen`` holds the filter dropdowns' values by name (``ui.filters.PARAMS``)."""
    when = now or datetime.now().astimezone()
    doc_ids = doc_ids_for(doc_choice)
    chosen = {k: v for k, v in (chosen or {}).items() if v}
    filters = _filter_of(chosen)
    top_k = int(top_k)
    timeline: Timeline | None = None
    if mode == "exact":
        ex = _exact(rt, query, doc_ids, filters)
        total, took_ms, lines, shown = ex.total, ex.took_ms, ex.lines, ex.grouped[:top_k]
        notice, offer = "", False
        passages: int | None = len(ex.grouped)
        timeline = rt.timeline(query, doc_ids=doc_ids, filters=filters)
        per_doc = [(d.name, d.count) for d in timeline.found]  # in date order
    else:
        res = rt.search(query, mode=mode, top_k=top_k, doc_ids=doc_ids, filters=filters)
        total, took_ms = res.total, res.took_ms
        shown = hit_dicts(rt, res.hits)
        texts = _doc_texts(rt, shown)
        lines = []
        for h in shown:
            found = search_view.matches(h, texts[h["doc_id"]])
            lines += found or [Match(str(h["doc_title"]), section_path(h["section"]), h["id"],
                                     int(h["span"][0]), "", "", str(h["text"])[:2 * search_view.CONTEXT])]
        verbatim = rt.search(query, mode="exact", top_k=0, doc_ids=doc_ids, filters=filters).total
        notice, offer = search_view.phrase_notice(query, verbatim), True
        passages = None
        per_doc = sorted(((rt.doc_title(d), n) for d, n in res.per_doc.items()), key=lambda x: (-x[1], x[0]))
    summary = search_view.search_summary(total, took_ms, mode, len(shown), per_doc, passages,
                                         share_link(query, mode, doc_choice, chosen),
                                         doc_filters.describe(*(chosen.get(k) for k in doc_filters.PARAMS)))
    kwic = search_view.kwic_table([m for m in lines if m.match] if mode == "exact" else [])
    chart = timeline_view.timeline_html(timeline)
    return SearchView(summary, notice, search_view.search_results(shown, mode), kwic,
                      write_csv(lines, query, mode, when), write_xlsx(lines, query, mode, when, timeline=timeline),
                      offer, chart, write_timeline_csv(timeline, when) if chart and timeline else None,
                      {"query": query, "top_k": top_k, "doc": doc_choice, "chosen": chosen} if chart else None)


def year_view(rt: Runtime, last: dict[str, Any], year: int | None) -> tuple[str, str, str]:
    """The search ``last`` ran with ``year``'s bar picked: the timeline, and that year's matches as
    cards (with a line saying how many) and KWIC lines; every year's when ``year`` is None."""
    doc_ids = doc_ids_for(last["doc"])
    timeline = rt.timeline(last["query"], doc_ids=doc_ids, filters=_filter_of(last["chosen"]))
    narrowed = dict(last["chosen"])
    if year is not None:
        narrowed.update(year_from=str(year), year_to=str(year))
    ex = _exact(rt, last["query"], doc_ids, _filter_of(narrowed))
    head = timeline_view.year_heading(timeline, year) if year is not None else ""
    kwic = search_view.kwic_table([m for m in ex.lines if m.match])
    return (timeline_view.timeline_html(timeline, year),
            head + search_view.search_results(ex.grouped[:last["top_k"]], "exact"), kwic)


def build(get_runtime: RuntimeGetter) -> dict[str, Any]:
    with gr.Row(elem_id="pq-search-row"):
        query = gr.Textbox(label="检索词", placeholder="输入要查找的词句，回车检索", scale=5,
                           max_lines=1, elem_id="pq-query")
        go = gr.Button("检索", variant="primary", scale=1, min_width=90, elem_id="pq-search")
    with gr.Row():
        mode = gr.Radio(MODE_CHOICES, value="exact", label="检索方式", info=MODE_HELP, scale=3,
                        elem_id="pq-mode")
        top_k = gr.Slider(1, 50, value=20, step=1, label="最多显示条数", scale=1)
        doc = gr.Dropdown([(ALL_DOCS_LABEL, ALL_DOCS)], value=ALL_DOCS, label="限定文档", scale=1)
    filter_row = doc_filters.build("search")
    summary = gr.HTML(EMPTY, elem_id="pq-summary", js_on_load=None)
    timeline = gr.HTML("", elem_id="pq-timeline", js_on_load=timeline_view.CLICK_JS, visible=False)
    last = gr.State(None)  # the exact search the timeline's bars narrow to a year
    with gr.Row(elem_id="pq-notice-row"):
        notice = gr.HTML("", elem_id="pq-notice", js_on_load=None, visible=False)
        to_exact = gr.Button("改用精确检索", size="sm", visible=False, scale=0, min_width=130, elem_id="pq-to-exact")
    with gr.Row(elem_id="pq-downloads"):
        csv_btn = gr.DownloadButton("⬇ 下载全部匹配（CSV）", visible=False, size="sm", scale=0, min_width=190,
                                    elem_id="pq-csv")
        xlsx_btn = gr.DownloadButton("⬇ 下载全部匹配（Excel）", visible=False, size="sm", scale=0, min_width=190,
                                     elem_id="pq-xlsx")
        timeline_btn = gr.DownloadButton("⬇ 下载时间线（CSV）", visible=False, size="sm", scale=0, min_width=190,
                                         elem_id="pq-timeline-csv")
    with gr.Tabs(elem_id="pq-search-views") as views:
        with gr.Tab("结果列表", id="results"):
            results = gr.HTML("", elem_id="pq-results", js_on_load=OPEN_JS)
        with gr.Tab("关键词上下文", id="kwic"):
            kwic = gr.HTML(search_view.kwic_table([]), elem_id="pq-kwic", js_on_load=None)

    def search(q: str, m: str, k: int, d: str, *chosen: str) -> Any:
        try:
            view = run_search(get_runtime(), check_text(q, "检索词"), m, k, d,
                              chosen=dict(zip(doc_filters.PARAMS, chosen, strict=False)))
        except Exception as e:
            msg = friendly(e)
            warn(msg)
            # A failed search clears the old results, so nothing stale is read as its answer.
            return (search_view.failure(msg), gr.HTML("", visible=False), "", search_view.kwic_table([]), gr.Button(visible=False),
                    gr.DownloadButton(visible=False), gr.DownloadButton(visible=False),
                    gr.HTML("", visible=False), gr.DownloadButton(visible=False), None)
        csv_path = view.timeline_csv
        return (view.summary, gr.HTML(view.notice, visible=bool(view.notice)), view.results, view.kwic,
                gr.Button(visible=view.offer_exact),
                gr.DownloadButton(value=str(view.csv_path), visible=True),
                gr.DownloadButton(value=str(view.xlsx_path), visible=True),
                gr.HTML(view.timeline, visible=bool(view.timeline)),
                gr.DownloadButton(value=str(csv_path) if csv_path else None, visible=csv_path is not None), view.last)

    def open_year(previous: dict[str, Any] | None, evt: gr.EventData) -> Any:
        """A bar of the timeline clicked: that year's matches in the result list (all years for "")."""
        data = evt._data if isinstance(evt._data, dict) else {}
        raw = str(data.get("year") or "")
        if previous is None or not (raw.isdigit() or raw == ""):
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        try:
            chart, cards, lines = year_view(get_runtime(), previous, int(raw) if raw else None)
        except Exception as e:
            warn(friendly(e))
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return chart, cards, lines, gr.Tabs(selected="results")

    inputs = [query, mode, top_k, doc, *filter_row.inputs]
    outputs = [summary, notice, results, kwic, to_exact, csv_btn, xlsx_btn, timeline, timeline_btn, last]
    query.submit(search, inputs, outputs, concurrency_limit=4, concurrency_id="search")
    go.click(search, inputs, outputs, concurrency_limit=4, concurrency_id="search")
    to_exact.click(lambda: "exact", None, mode, queue=False).then(
        search, inputs, outputs, concurrency_limit=4, concurrency_id="search")
    timeline.click(open_year, last, [timeline, results, kwic, views], concurrency_limit=4,
                   concurrency_id="search").then(None, js=timeline_view.SHOW_RESULTS_JS)
    return {"doc": doc, "query": query, "mode": mode, "top_k": top_k, "results": results, "filters": filter_row,
            "search": search, "inputs": inputs, "outputs": outputs}

