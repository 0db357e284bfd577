"""The 检索 tab, for journalists: find wording in the documents, count it, see it in context,
take the results away as CSV."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from service.runtime import Runtime
from ui import render
from ui.common import ALL_DOCS, ALL_DOCS_LABEL, RuntimeGetter, doc_ids_for, hit_dicts
from ui.errors import check_text, friendly
from ui.export import write_results_csv

MODE_CHOICES = [("精确", "exact"), ("关键词", "keyword"), ("语义", "semantic"), ("混合", "hybrid")]
MODE_HELP = "精确：逐字查找原文措辞并统计出现次数；关键词：按词语匹配排序；语义：按意思相近查找；混合：关键词与语义结合。"


@dataclass(frozen=True)
class SearchView:
    summary: str
    results: str
    kwic: str
    csv_path: Path


def run_search(rt: Runtime, query: str, mode: str, top_k: int, doc_choice: str | None) -> SearchView:
    """Run one search through the runtime and render every view of its results."""
    res = rt.search(query, mode=mode, top_k=int(top_k), doc_ids=doc_ids_for(doc_choice))
    hits = hit_dicts(rt, res.hits)
    per_doc = sorted(((rt.doc_title(d), n) for d, n in res.per_doc.items()), key=lambda x: (-x[1], x[0]))
    summary = render.search_summary(res.total, res.took_ms, res.mode, len(hits), per_doc)
    if res.mode == "exact":
        texts: dict[str, str | None] = {}
        lines = []
        for h in hits:
            if h["doc_id"] not in texts:
                try:
                    texts[h["doc_id"]] = rt.document(h["doc_id"]).text
                except Exception:
                    texts[h["doc_id"]] = None
            where = render.section_path(h["section"][-1:]) or h["doc_title"]
            lines.extend((*line, where) for line in render.kwic_lines(h, texts[h["doc_id"]]))
        kwic = render.kwic_table(lines)
    else:
        kwic = render.kwic_table([])
    results = render.search_results(hits, show_score=res.mode != "exact")
    return SearchView(summary, results, kwic, write_results_csv(hits, query))


def build(get_runtime: RuntimeGetter) -> dict[str, Any]:
    with gr.Row():
        query = gr.Textbox(label="检索词", placeholder="输入要查找的词句，例如：链长制", scale=5,
                           max_lines=1, elem_id="pq-query")
        go = gr.Button("检索", variant="primary", scale=1, min_width=90, elem_id="pq-search")
    with gr.Row():
        mode = gr.Radio(MODE_CHOICES, value="exact", label="检索方式", info=MODE_HELP, scale=3,
                        elem_id="pq-mode")
        top_k = gr.Slider(1, 50, value=20, step=1, label="最多显示条数", scale=1)
        doc = gr.Dropdown([(ALL_DOCS_LABEL, ALL_DOCS)], value=ALL_DOCS, label="限定文档", scale=1)
    summary = gr.HTML('<div class="pq-empty">输入检索词后按回车。</div>', elem_id="pq-summary",
                      js_on_load=None)
    with gr.Row():
        download = gr.DownloadButton("⬇ 下载结果（CSV）", visible=False, size="sm", scale=0, min_width=180,
                                     elem_id="pq-csv")
    with gr.Tabs():
        with gr.Tab("结果列表", id="results"):
            results = gr.HTML("", elem_id="pq-results", js_on_load=None)
        with gr.Tab("关键词上下文", id="kwic"):
            kwic = gr.HTML(render.kwic_table([]), elem_id="pq-kwic", js_on_load=None)

    def search(q: str, m: str, k: int, d: str) -> Any:
        try:
            view = run_search(get_runtime(), check_text(q, "检索词"), m, k, d)
        except Exception as e:
            gr.Warning(friendly(e))
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return view.summary, view.results, view.kwic, gr.DownloadButton(value=str(view.csv_path), visible=True)

    inputs = [query, mode, top_k, doc]
    outputs = [summary, results, kwic, download]
    query.submit(search, inputs, outputs, concurrency_limit=4, concurrency_id="search")
    go.click(search, inputs, outputs, concurrency_limit=4, concurrency_id="search")
    return {"doc": doc, "query": query}
