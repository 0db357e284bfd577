"""The 文档 tab: a document's heading outline (click to read a section) and its tables as a
filterable, sortable grid."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd

from ingest.model import Document
from ui import documents, render
from ui.common import RuntimeGetter
from ui.errors import friendly

# Clicking an outline entry marks it and sends its heading index to the server.
OUTLINE_JS = """
element.addEventListener('click', (e) => {
  const a = e.target.closest('[data-idx]');
  if (!a) return;
  e.preventDefault();
  element.querySelectorAll('li.pq-sel').forEach((li) => li.classList.remove('pq-sel'));
  a.parentElement.classList.add('pq-sel');
  trigger('click', {idx: Number(a.dataset.idx)});
});
"""

NO_DOC = '<div class="pq-empty">请选择一份文档。</div>'
PICK_HEADING = '<div class="pq-empty">点击左侧目录中的标题，阅读该节正文。</div>'


def _table_update(doc: Document | None, table_id: str | None, query: str) -> tuple[Any, str]:
    """The grid and its note for ``table_id``; an id from another document means its first table.

    Events can arrive out of order (a document switch also changes the table choice), so the
    table is always resolved within the document the request names.
    """
    tables = doc.tables if doc else ()
    table = next((t for t in tables if t.id == table_id), tables[0] if tables else None)
    if table is None:
        return gr.Dataframe(visible=False), "这份文档没有表格。" if doc else ""
    frame = documents.table_frame(table, query)
    grid = gr.Dataframe(value=frame, datatype=documents.table_datatypes(table), visible=True,
                        label=documents.table_label(table), column_widths=documents.column_widths(table))
    return grid, documents.table_note(table, frame, query)


def document_view(doc: Document) -> tuple[Any, ...]:
    """Everything the tab shows when a document is picked: summary, outline, first section, tables."""
    items = documents.heading_items(doc)
    first = items[0][0] if items else None
    section = documents.section_html(doc, first) if first is not None else PICK_HEADING
    choices = [(documents.table_label(t), t.id) for t in doc.tables]
    table_id = choices[0][1] if choices else None
    grid, note = _table_update(doc, table_id, "")
    return (documents.document_summary(doc), render.outline(items, first), section,
            gr.Dropdown(choices=choices, value=table_id, visible=bool(choices)), gr.Textbox(value=""),
            grid, note)


def build(get_runtime: RuntimeGetter) -> dict[str, Any]:
    doc = gr.Dropdown([], label="文档", elem_id="pq-doc")
    summary = gr.Markdown("")
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=260):
            gr.Markdown("#### 目录")
            outline = gr.HTML(NO_DOC, js_on_load=OUTLINE_JS, max_height=620, elem_id="pq-outline")
        with gr.Column(scale=5, min_width=400):
            gr.Markdown("#### 正文")
            section = gr.HTML(PICK_HEADING, max_height=620, elem_id="pq-section", js_on_load=None)
    gr.Markdown("#### 表格")
    with gr.Row():
        table = gr.Dropdown([], label="选择表格", scale=2, elem_id="pq-table-pick")
        filt = gr.Textbox(label="筛选行", placeholder="输入任意文字，只显示包含它的行，例如：高端装备、天钢、2021",
                          scale=3, elem_id="pq-table-filter")
    grid = gr.Dataframe(value=pd.DataFrame(), interactive=False, wrap=True, max_height=560, visible=False,
                        elem_id="pq-table", label="表格", buttons=["fullscreen", "copy"])
    note = gr.Markdown("", elem_id="pq-table-note")
    gr.Markdown("点击列标题右侧的 ⋮ 可按该列升序或降序排序（数值列按数值大小）；右上角按钮可复制表格或全屏查看。",
                elem_classes="pq-hint")

    def pick(doc_id: str | None) -> Any:
        if not doc_id:
            return "", NO_DOC, PICK_HEADING, gr.Dropdown(choices=[], value=None), "", gr.skip(), ""
        try:
            return document_view(get_runtime().document(doc_id))
        except Exception as e:
            gr.Warning(friendly(e))
            return (gr.skip(),) * 7

    def read(doc_id: str | None, evt: gr.EventData) -> Any:
        idx = evt._data.get("idx") if isinstance(evt._data, dict) else None
        if not doc_id or not isinstance(idx, int):
            return gr.skip()
        try:
            return documents.section_html(get_runtime().document(doc_id), idx)
        except Exception as e:
            gr.Warning(friendly(e))
            return gr.skip()

    def show_table(doc_id: str | None, table_id: str | None, query: str) -> Any:
        try:
            d = get_runtime().document(doc_id) if doc_id else None
            return _table_update(d, table_id, query)
        except Exception as e:
            gr.Warning(friendly(e))
            return gr.skip(), gr.skip()

    doc.change(pick, doc, [summary, outline, section, table, filt, grid, note])
    outline.click(read, doc, section)
    table.change(show_table, [doc, table, filt], [grid, note])
    filt.change(show_table, [doc, table, filt], [grid, note], trigger_mode="always_last")
    return {"doc": doc}
