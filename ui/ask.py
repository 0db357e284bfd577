"""The 问答 tab: a streaming chat whose answers carry numbered citations, and the citation panel.

The chat history lives in a ``gr.State`` of plain messages; beside it, the citations of every
answer are kept by message position, so clicking an earlier answer shows its sources again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from service.runtime import Runtime
from ui import render
from ui.common import ALL_DOCS, ALL_DOCS_LABEL, RuntimeGetter, doc_ids_for, hit_dicts
from ui.errors import check_text, friendly

EXAMPLES = (
    "到2025年要建设多少个5G基站？",
    "高端装备制造类重大项目一共有多少个？",
    "链长制是什么？",
    "“十三五”时期累计建成多少个5G基站？",
    "到2025年市级以上绿色工厂要达到多少家？",
)

THINKING = "正在检索文档……"

# What the chat keeps per session: the messages shown, and per assistant message its citations.
ChatState = dict[str, Any]


def new_state() -> ChatState:
    return {"messages": [], "turns": {}}


def answer_turn(rt: Runtime, question: str, state: ChatState, top_k: int = 5,
                doc_choice: str | None = None) -> Iterator[tuple[list[dict[str, str]], str, ChatState]]:
    """Ask ``question``; yield (messages, citation panel html, state) as the answer streams in."""
    messages = [*state["messages"], {"role": "user", "content": render.esc(question)},
                {"role": "assistant", "content": THINKING}]
    turns = dict(state["turns"])
    pos = len(messages) - 1
    yield messages, render.citations_panel([], pending=True), {"messages": messages, "turns": turns}

    text = ""
    final = None
    for item in rt.ask_stream(question, top_k=int(top_k), doc_ids=doc_ids_for(doc_choice)):
        if isinstance(item, str):
            if item:
                text += item
                messages = [*messages[:pos], {"role": "assistant", "content": render.streaming_markdown(text)}]
                yield messages, gr.skip(), {"messages": messages, "turns": turns}
        else:
            final = item
    if final is None:  # the stream ended without its answer record: show what was streamed
        cites: list[dict[str, Any]] = []
        grounded, notes, answer_text, kind = bool(text), [], text, ""
    else:
        cites = hit_dicts(rt, final.citations)
        grounded, notes, answer_text = bool(final.grounded), list(final.notes), final.text
        kind = str(getattr(final, "kind", "") or "")
    messages = [*messages[:pos], {"role": "assistant", "content": render.answer_markdown(answer_text, cites, grounded)}]
    turn = {"citations": cites, "grounded": grounded, "notes": notes, "kind": kind,
            "referenced": sorted(render.cited_numbers(answer_text))}
    turns = {**turns, pos: turn}
    yield messages, render.citations_panel(**turn), {"messages": messages, "turns": turns}


def build(get_runtime: RuntimeGetter) -> dict[str, Any]:
    """Lay out the tab inside the current Blocks; returns the components other code touches."""
    state = gr.State(new_state())
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            chatbot = gr.Chatbot(
                label="对话", show_label=False, elem_id="pq-chat", height=560, latex_delimiters=[], feedback_options=None,
                buttons=[], layout="bubble",
                placeholder="### 向规划文档提问\n回答中的 [1] [2] … 对应右侧列出的原文出处。",
            )
            with gr.Row():
                box = gr.Textbox(placeholder="输入问题，例如：到2025年要建设多少个5G基站？（回车发送）",
                                 show_label=False, scale=6, max_lines=4, elem_id="pq-question",
                                 autofocus=True)
                send = gr.Button("提问", variant="primary", scale=1, min_width=90, elem_id="pq-ask")
            gr.Markdown("**示例问题**（点击直接提问）")
            with gr.Row(elem_classes="pq-examples"):
                example_buttons = [gr.Button(q, size="sm", variant="secondary", elem_classes="pq-example")
                                   for q in EXAMPLES]
            with gr.Accordion("选项", open=False):
                with gr.Row():
                    top_k = gr.Slider(1, 10, value=5, step=1, label="最多引用条数")
                    doc = gr.Dropdown([(ALL_DOCS_LABEL, ALL_DOCS)], value=ALL_DOCS, label="限定文档")
                clear = gr.Button("清空对话", size="sm")
        with gr.Column(scale=2, min_width=340):
            panel = gr.HTML(render.citations_panel([], True), elem_id="pq-citations",
                            max_height=760, js_on_load=None)

    def ask(question: str, st: ChatState, k: int, doc_choice: str) -> Iterator[Any]:
        try:
            q = check_text(question, "问题")
            rt = get_runtime()
            for messages, html, new in answer_turn(rt, q, st, k, doc_choice):
                yield messages, html, new, ""
        except Exception as e:  # every failure becomes a readable notice, never a trace
            msg = friendly(e)
            gr.Warning(msg)
            messages = list(st["messages"])
            if question and question.strip():
                messages += [{"role": "user", "content": render.esc(question.strip())},
                             {"role": "assistant", "content": "⚠ " + render.esc(msg)}]
            yield messages, gr.skip(), {"messages": messages, "turns": st["turns"]}, gr.skip()

    def show_turn(st: ChatState, evt: gr.SelectData) -> Any:
        idx = evt.index if isinstance(evt.index, int) else (evt.index[0] if evt.index else None)
        turn = st["turns"].get(idx) or st["turns"].get(idx + 1 if isinstance(idx, int) else None)
        if not turn:
            return gr.skip()
        return render.citations_panel(**turn)

    outputs = [chatbot, panel, state, box]
    inputs = [box, state, top_k, doc]
    # Every way of asking shares one limit: answering is the heaviest thing the server does.
    box.submit(ask, inputs, outputs, concurrency_limit=2, concurrency_id="ask")
    send.click(ask, inputs, outputs, concurrency_limit=2, concurrency_id="ask")
    for b in example_buttons:
        b.click(lambda q: q, b, box, queue=False).then(ask, inputs, outputs, concurrency_limit=2,
                                                       concurrency_id="ask")
    chatbot.select(show_turn, state, panel)
    clear.click(lambda: ([], render.citations_panel([], True), new_state(), ""), None, outputs, queue=False)
    return {"doc": doc, "chatbot": chatbot, "panel": panel}
