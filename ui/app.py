"""The browser interface: a Gradio Blocks app mounted at ``/ui`` inside the API's FastAPI app.

It calls the same ``Runtime`` the HTTP routes use (read from ``app.state.runtime`` at call time),
so search and answers in the browser are exactly what the API returns. It works offline: Gradio's
analytics are off, the theme uses system fonts, and no asset comes from outside the server.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

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


@dataclass(frozen=True)
class InitialView:
    """What a freshly opened page needs: the document choices, or why there are none."""

    choices: list[tuple[str, str]]
    first_doc: str | None
    error: str | None = None


def initial_view(get_runtime: RuntimeGetter) -> InitialView:
    try:
        choices = doc_choices(get_runtime())
    except Exception as e:
        return InitialView([], None, friendly(e))
    docs = [value for _, value in choices if value != ALL_DOCS]
    return InitialView(choices, docs[0] if docs else None)


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
            with gr.Tab("文档", id="docs", elem_id="pq-tab-docs", render_children=True):
                browse_parts = browse.build(get_runtime)

        def on_load() -> tuple[object, ...]:
            view = initial_view(get_runtime)
            if view.error:
                banner = f'<div class="pq-banner" role="alert">{render.esc(view.error)}</div>'
                return gr.HTML(banner, visible=True), gr.skip(), gr.skip(), gr.skip()
            docs = [c for c in view.choices if c[1] != ALL_DOCS]
            return (gr.HTML("", visible=False), gr.Dropdown(choices=view.choices, value=ALL_DOCS),
                    gr.Dropdown(choices=view.choices, value=ALL_DOCS), gr.Dropdown(choices=docs, value=view.first_doc))

        demo.load(on_load, None, [status, ask_parts["doc"], search_parts["doc"], browse_parts["doc"]])
    return demo


def mount_ui(app: FastAPI, settings: Settings) -> None:
    """Mount the interface at ``/ui``; it reads the runtime the app's lifespan puts in ``app.state``."""
    blocks = build_blocks(runtime_from(app))
    gr.mount_gradio_app(
        app, blocks, path=UI_PATH, footer_links=[], ssr_mode=False, theme=style.theme(), css=style.CSS,
        show_error=False, pwa=False, mcp_server=False, enable_monitoring=False, run_history=False,
    )
