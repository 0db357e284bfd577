"""The browser interface: a Gradio Blocks app mounted at ``/ui`` inside the API's FastAPI app.

It calls the same ``Runtime`` the HTTP routes use (read from ``app.state.runtime`` at call time),
so search and answers in the browser are exactly what the API returns. It works offline: Gradio's
analytics are off, the theme uses system fonts, and no asset comes from outside the server.

Addresses are shareable: ``/ui/?p=<passage id>[&hl=a-b]`` opens a passage in the 文档 tab with
its sentence marked, ``/ui/?q=<query>&mode=<mode>[&doc=<doc id>][&year_from=…&year_to=…&region=…&kind=…]``
runs a search.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio as gr  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from service.settings import Settings  # noqa: E402
from ui import ask, browse, page, search, style  # noqa: E402
from ui import filters as doc_filters  # noqa: E402
from ui.common import ALL_DOCS, RuntimeGetter, doc_choices, runtime_from  # noqa: E402
from ui.errors import friendly, warn  # noqa: E402
from ui.render import UI_PATH, esc  # noqa: E402

TITLE = "planqa · 规划文档智能问答与检索"

HEADER = """# 规划文档智能问答与检索
在已收录的政府规划文档中提问、检索原文、浏览目录与表格。每个回答都标明出处，点击 [1] [2] … 可核对原文。"""


@dataclass(frozen=True)
class InitialView:
    """What a freshly opened page needs: the document choices, or why there are none."""

    choices: list[tuple[str, str]]
    first_doc: str | None
    error: str | None = None
    documents: tuple = ()


def initial_view(get_runtime: RuntimeGetter) -> InitialView:
    try:
        rt = get_runtime()
        choices = doc_choices(rt)
        documents = tuple(rt.documents())
    except Exception as e:
        return InitialView([], None, friendly(e))
    docs = [value for _, value in choices if value != ALL_DOCS]
    return InitialView(choices, docs[0] if docs else None, documents=documents)


def build_blocks(get_runtime: RuntimeGetter) -> gr.Blocks:
    """The whole interface; ``get_runtime`` is called on every request."""
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(HEADER, elem_id="pq-title")
        status = gr.HTML("", js_on_load=None, elem_id="pq-status", visible=False)
        with gr.Tabs(elem_id="pq-tabs") as tabs:
            with gr.Tab("问答", id="ask", elem_id="pq-tab-ask"):
                ask_parts = ask.build(get_runtime)
            with gr.Tab("检索", id="search", elem_id="pq-tab-search"):
                search_parts = search.build(get_runtime)
            with gr.Tab("文档", id="docs", elem_id="pq-tab-docs", render_children=True):
                browse_parts = browse.build(get_runtime)

        browse_outputs = [browse_parts["doc"], *browse_parts["view"]]
        search_filters = search_parts["filters"]
        search_fields = [search_parts["query"], search_parts["mode"], search_parts["doc"],
                         search_filters.row, *search_filters.inputs]
        ask_filters = ask_parts["filters"]
        ask_filter_outputs = [ask_filters.row, *ask_filters.inputs]

        def open_cited(evt: gr.EventData) -> tuple[Any, ...]:
            data = evt._data if isinstance(evt._data, dict) else {}
            pid = data.get("pid")
            if not isinstance(pid, str) or not pid:
                return (gr.skip(),) * (1 + len(browse_outputs))
            try:
                return (gr.Tabs(selected="docs"), *browse_parts["open_passage"](pid, str(data.get("hl") or "")))
            except Exception as e:
                warn(friendly(e))
                return (gr.skip(),) * (1 + len(browse_outputs))

        for source in (ask_parts["panel"], search_parts["results"]):
            source.click(open_cited, None, [tabs, *browse_outputs]).then(None, js=browse.SCROLL_TARGET_JS)

        def on_load(request: gr.Request) -> tuple[Any, ...]:
            """Fill the document choices, then follow the address: a passage, a search, or neither."""
            skip_all = (gr.skip(),) * (1 + len(browse_outputs) + len(search_fields) + len(search_parts["outputs"])
                                       + len(ask_filter_outputs) + 1)
            view = initial_view(get_runtime)
            if view.error:
                banner = f'<div class="pq-banner" role="alert">{esc(view.error)}</div>'
                return gr.HTML(banner, visible=True), gr.skip(), *skip_all
            params = dict(request.query_params) if request is not None else {}
            docs = [c for c in view.choices if c[1] != ALL_DOCS]
            tab: Any = gr.skip()
            browse_values: tuple[Any, ...] = (gr.Dropdown(choices=docs, value=view.first_doc),
                                              *browse_parts["pick"](view.first_doc))
            if params.get("p"):
                try:
                    browse_values = browse_parts["open_passage"](params["p"], params.get("hl"))
                    tab = gr.Tabs(selected="docs")
                except Exception as e:
                    warn(friendly(e))
            search_values: tuple[Any, ...] = (gr.skip(),) * (len(search_fields) + len(search_parts["outputs"]))
            search_doc = gr.Dropdown(choices=view.choices, value=ALL_DOCS)
            shared = {k: params[k] for k in doc_filters.PARAMS if params.get(k)} if not params.get("p") else {}
            filter_values = doc_filters.updates(view.documents, shared)
            if params.get("q") and not params.get("p"):
                mode = params.get("mode") if params.get("mode") in search.MODES else "exact"
                chosen = params.get("doc") if params.get("doc") in {c[1] for c in docs} else ALL_DOCS
                search_doc = gr.Dropdown(choices=view.choices, value=chosen)
                picked = doc_filters.offered(view.documents, shared)  # only values the documents offer
                results = search_parts["search"](params["q"], mode, 20, chosen, *picked.values())
                search_values = (params["q"], mode, search_doc, *filter_values, *results)
                tab = gr.Tabs(selected="search")
            else:
                search_values = (gr.skip(), gr.skip(), search_doc, *filter_values,
                                 *search_values[len(search_fields):])
            return (gr.HTML("", visible=False), gr.Dropdown(choices=view.choices, value=ALL_DOCS), tab,
                    *browse_values, *search_values, *doc_filters.updates(view.documents),
                    browse_parts["list_html"](view.documents, selected=None if params.get("p") else view.first_doc))

        load_outputs = [status, ask_parts["doc"], tabs, *browse_outputs, *search_fields, *search_parts["outputs"],
                        *ask_filter_outputs, browse_parts["listing"]]
        demo.load(on_load, None, load_outputs).then(None, js=browse.SCROLL_TARGET_JS)
    return demo


def mount_ui(app: FastAPI, settings: Settings) -> None:
    """Mount the interface at ``/ui``; it reads the runtime the app's lifespan puts in ``app.state``.

    With ``PLANQA_UI_USERS`` the interface asks for a login first (Gradio's own login page).
    """
    blocks = build_blocks(runtime_from(app))
    page.install(app, UI_PATH)
    users = [(name, pw.get_secret_value()) for name, pw in settings.ui_users.items()]
    gr.mount_gradio_app(
        app, blocks, path=UI_PATH, auth=users or None, auth_message="planqa 登录" if users else None,
        footer_links=[], ssr_mode=False, theme=style.theme(), css=style.CSS,
        show_error=False, pwa=False, mcp_server=False, enable_monitoring=False, run_history=False,
        js=page.client_js(),
    )
