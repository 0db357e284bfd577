"""The 问答 tab: a streaming chat that remembers the conversation, and the citation panel.

The conversation lives in one ``gr.State``: the questions asked (sent with every new question, so
the engine can read a follow-up against them), the messages shown, and per answer its citations.
Clearing the chat — the button or the chat's own bin icon — resets all three and the panel.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import gradio as gr

from service.runtime import Runtime
from ui import answer_view
from ui import filters as doc_filters
from ui.common import ALL_DOCS, ALL_DOCS_LABEL, OPEN_JS, RuntimeGetter, doc_ids_for, hit_dicts
from ui.errors import check_text, friendly, warn
from ui.render import esc

# Generic questions any plan document can answer; nothing here names one document's contents.
EXAMPLES = (
    "这份规划的主要目标是什么？",
    "到2025年有哪些量化指标？",
    "有哪些重点任务？",
    "有哪些保障措施？",
)

THINKING = "正在检索文档……"
HISTORY_TURNS = 10  # earlier questions sent with a new one
FOLLOW_UPS = 3

# What the chat keeps per session.
ChatState = dict[str, Any]


def new_state() -> ChatState:
    return {"questions": [], "messages": [], "turns": {}, "suggestions": []}


def _units(rt: Runtime, citations: Sequence[dict[str, Any]]) -> dict[str, str]:
    """The unit of the table each cited row comes from, by passage id."""
    out: dict[str, str] = {}
    for h in citations:
        if h.get("kind") != "table_row":
            continue
        table_key = str(h["id"]).split("#")[-1].rsplit(".r", 1)[0]
        try:
            tables = rt.document(h["doc_id"]).tables
        except Exception:
            continue
        unit = next((t.unit for t in tables if t.id.split("#")[-1] == table_key and t.unit), "")
        if unit:
            out[str(h["id"])] = unit
    return out


def answer_turn(rt: Runtime, question: str, state: ChatState, top_k: int = 5,
                doc_choice: str | None = None,
                chosen: dict[str, str] | None = None) -> Iterator[tuple[list[dict[str, str]], str, ChatState]]:
    """Ask ``question`` with the earlier questions; yield (messages, panel html, state) as it streams.

    ``chosen`` holds the filter dropdowns' values by name (``ui.filters.PARAMS``)."""
    chosen = chosen or {}
    filters = doc_filters.to_filter(*(chosen.get(k) for k in doc_filters.PARAMS))
    history = list(state["questions"])[-HISTORY_TURNS:]
    messages = [*state["messages"], {"role": "user", "content": esc(question)},
                {"role": "assistant", "content": THINKING}]
    turns = dict(state["turns"])
    questions = [*state["questions"], question]
    pos = len(messages) - 1

    def snapshot(msgs: list[dict[str, str]], suggestions: list[str]) -> ChatState:
        return {"questions": questions, "messages": msgs, "turns": turns, "suggestions": suggestions}

    yield messages, answer_view.PENDING_PANEL, snapshot(messages, [])

    text = ""
    final = None
    for item in rt.ask_stream(question, top_k=int(top_k), doc_ids=doc_ids_for(doc_choice), history=history,
                              filters=filters):
        if isinstance(item, str):
            if item:
                text += item
                messages = [*messages[:pos], {"role": "assistant", "content": answer_view.streaming_html(text)}]
                yield messages, gr.skip(), snapshot(messages, [])
        else:
            final = item
    if final is None:  # the stream ended without its answer record: show what was streamed
        cites: list[dict[str, Any]] = []
        grounded, notes, answer_text, kind, short, resolved = bool(text), [], text, "", None, None
    else:
        cites = hit_dicts(rt, final.citations)
        grounded, notes, answer_text = bool(final.grounded), list(final.notes), final.text
        kind = str(getattr(final, "kind", "") or "")
        short, resolved = getattr(final, "short_answer", None), getattr(final, "resolved", None)
    referenced = sorted(answer_view.cited_numbers(answer_text))
    bubble = answer_view.answer_html(answer_text, cites, grounded, pos, short, resolved, question)
    messages = [*messages[:pos], {"role": "assistant", "content": bubble}]
    turns = {**turns, pos: {"citations": cites, "grounded": grounded, "notes": notes, "kind": kind,
                            "referenced": referenced, "units": _units(rt, cites)}}
    suggestions = answer_view.follow_ups(question, cites, referenced, FOLLOW_UPS) if grounded else []
    yield messages, answer_view.citations_panel(turns, pos), snapshot(messages, suggestions)


def _suggestion_buttons(suggestions: Sequence[str]) -> list[Any]:
    return [gr.Button(value=s, visible=True) if i < len(suggestions) else gr.Button(value="", visible=False)
            for i, s in enumerate([*suggestions, *[""] * FOLLOW_UPS][:FOLLOW_UPS])]


def build(get_runtime: RuntimeGetter) -> dict[str, Any]:
    """Lay out the tab inside the current Blocks; returns the components other code touches."""
    state = gr.State(new_state())
    with gr.Row(equal_height=False, elem_id="pq-ask-row"):
        with gr.Column(scale=3, min_width=420, elem_id="pq-chat-col"):
            chatbot = gr.Chatbot(
                label="对话", show_label=False, elem_id="pq-chat", height=560, latex_delimiters=[],
                feedback_options=None, buttons=[], layout="bubble",
                placeholder="### 向规划文档提问\n回答中的 [1] [2] … 可点击，对应所列的原文出处；可以接着追问。",
            )
            with gr.Row(elem_id="pq-follow", elem_classes="pq-examples"):
                follow = [gr.Button("", size="sm", variant="secondary", visible=False, elem_classes="pq-example pq-follow")
                          for _ in range(FOLLOW_UPS)]
            with gr.Row(elem_id="pq-ask-input"):
                box = gr.Textbox(placeholder="输入问题，回车发送；可以接着上一问追问",
                                 show_label=False, scale=6, max_lines=4, elem_id="pq-question",
                                 autofocus=True)
                send = gr.Button("提问", variant="primary", scale=1, min_width=90, elem_id="pq-ask")
            with gr.Column(elem_id="pq-ask-extras"):
                gr.Markdown("**示例问题**（点击直接提问）")
                with gr.Row(elem_classes="pq-examples"):
                    example_buttons = [gr.Button(q, size="sm", variant="secondary", elem_classes="pq-example")
                                       for q in EXAMPLES]
                with gr.Accordion("选项", open=False, elem_id="pq-ask-options"):
                    with gr.Row():
                        top_k = gr.Slider(1, 10, value=5, step=1, label="最多引用条数")
                        doc = gr.Dropdown([(ALL_DOCS_LABEL, ALL_DOCS)], value=ALL_DOCS, label="限定文档")
                    filter_row = doc_filters.build("ask")
            clear = gr.Button("清空对话", size="sm", elem_id="pq-clear")
        with gr.Column(scale=2, min_width=340, elem_id="pq-citations-col"):
            panel = gr.HTML(answer_view.EMPTY_PANEL, elem_id="pq-citations", max_height=760,
                            js_on_load=OPEN_JS)

    def ask(question: str, st: ChatState, k: int, doc_choice: str, *chosen: str) -> Iterator[Any]:
        try:
            q = check_text(question, "问题")
            rt = get_runtime()
            values = dict(zip(doc_filters.PARAMS, chosen, strict=False))
            for messages, html, new in answer_turn(rt, q, st, k, doc_choice, values):
                yield messages, html, new, "", *_suggestion_buttons(new["suggestions"])
        except Exception as e:  # every failure becomes a readable notice, never a trace
            msg = friendly(e)
            warn(msg)
            messages = list(st["messages"])
            if question and question.strip():
                messages += [{"role": "user", "content": esc(question.strip())},
                             {"role": "assistant", "content": "⚠ " + esc(msg)}]
            yield (messages, gr.skip(), {**st, "messages": messages}, gr.skip(), *_suggestion_buttons([]))

    def reset() -> tuple[Any, ...]:
        return ([], answer_view.EMPTY_PANEL, new_state(), "", *_suggestion_buttons([]))

    outputs = [chatbot, panel, state, box, *follow]
    inputs = [box, state, top_k, doc, *filter_row.inputs]
    # Every way of asking shares one limit: answering is the heaviest thing the server does.
    asking = [box.submit(ask, inputs, outputs, concurrency_limit=2, concurrency_id="ask"),
              send.click(ask, inputs, outputs, concurrency_limit=2, concurrency_id="ask")]
    for b in [*example_buttons, *follow]:
        asking.append(b.click(lambda q: q, b, box, queue=False).then(
            ask, inputs, outputs, concurrency_limit=2, concurrency_id="ask"))
    # Clearing also stops an answer still streaming, so it cannot bring the old conversation back.
    clear.click(reset, None, outputs, queue=False, cancels=asking)
    chatbot.clear(reset, None, outputs, queue=False, cancels=asking)
    return {"doc": doc, "chatbot": chatbot, "panel": panel, "filters": filter_row}

