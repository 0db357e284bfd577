"""The browser interface: a Gradio Blocks app mounted at ``/ui`` inside the API's FastAPI app.

It calls the same ``Runtime`` the HTTP routes use (read from ``app.state.runtime`` at call time),
so search and answers in the browser are exactly what the API returns. It works offline: Gradio's
analytics are off, the theme uses system fonts, and no asset comes from outside the server.
"""

from __future__ import annotations

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio as gr  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from service.settings import Settings  # noqa: E402
from ui import ask, browse, render, search, style  # noqa: E402
from ui.common import ALL_DOCS, RuntimeGetter, doc_choices, runtime_from  # noqa: E402
from ui.errors import friendly  # noqa: E402

UI_PATH = "/ui"
TITLE = "planqa · 规划文档智能问答与检索"

HEADER = """# 规划文档智能问答与检索
在已收录的政府规划文档中提问、检索原文、浏览目录与表格。每个回答都标明出处，可逐条核对原文。"""


def build_blocks(get_runtime: RuntimeGetter) -> gr.Blocks:
    """The whole interface; ``get_runtime`` is called on every request."""
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(HEADER, elem_id="pq-title")
        status = gr.HTML("", js_on_load=None, elem_id="pq-status", visible=False)
        with gr.Tabs():
            with gr.Tab("问答", id="ask", elem_id="pq-tab-ask"):
                ask_parts = ask.build(get_runtime)
            with gr.Tab("检索", id="search", elem_id="pq-tab-search"):
                search_parts = search.build(get_runtime)
            with gr.Tab("文档", id="docs", elem_id="pq-tab-docs"):
                browse_parts = browse.build(get_runtime)

        def on_load() -> tuple[object, ...]:
            try:
                choices = doc_choices(get_runtime())
            except Exception as e:
                banner = f'<div class="pq-banner" role="alert">{render.esc(friendly(e))}</div>'
                return gr.HTML(banner, visible=True), gr.skip(), gr.skip(), gr.skip()
            docs = [c for c in choices if c[1] != ALL_DOCS]
            first = docs[0][1] if docs else None
            return (gr.HTML("", visible=False), gr.Dropdown(choices=choices, value=ALL_DOCS), gr.Dropdown(choices=choices, value=ALL_DOCS),
                    gr.Dropdown(choices=docs, value=first))

        demo.load(on_load, None, [status, ask_parts["doc"], search_parts["doc"], browse_parts["doc"]])
    return demo


def mount_ui(app: FastAPI, settings: Settings) -> None:
    """Mount the interface at ``/ui``; it reads the runtime the app's lifespan puts in ``app.state``."""
    blocks = build_blocks(runtime_from(app))
    gr.mount_gradio_app(
        app, blocks, path=UI_PATH, footer_links=[], ssr_mode=False, theme=style.theme(), css=style.CSS,
        show_error=False, pwa=False, mcp_server=False, enable_monitoring=False, run_history=False,
    )
