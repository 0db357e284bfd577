"""The 文档 tab: the list of documents (searchable, grouped by kind or year), a document's heading
outline (click to read a section) and its tables as a filterable, sortable grid."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd

from ingest.model import Document
from ui import doc_list, documents, render
from ui.common import RuntimeGetter, doc_choices
from ui.errors import friendly, warn

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

# Clicking a document in the list marks it and sends its id to the server.
DOC_LIST_JS = """
element.addEventListener('click', (e) => {
  const a = e.target.closest('[data-doc]');
  if (!a) return;
  e.preventDefault();
  element.querySelectorAll('li.pq-sel').forEach((li) => li.classList.remove('pq-sel'));
  a.parentElement.classList.add('pq-sel');
  trigger('click', {doc: a.dataset.doc});
});
"""

NO_DOC = '<div class="pq-empty">请选择一份文档。</div>'
PICK_HEADING = '<div class="pq-empty">点击左侧目录中的标题，阅读该节正文。</div>'


def _table_update(doc: Document | None, table_id: str | None, query: str) -> tuple[Any, str, str]:
    """The grid and its note for ``table_id``; an id from another document means its first table.

    Events can arrive out of order (a document switch also changes the table choice), so the
    table is always resolved within the document the request names.
    """
    tables = doc.tables if doc else ()
    table = next((t for t in tables if t.id == table_id), tables[0] if tables else None)
    if table is None:
        return gr.Dataframe(visible=False), "", "这份文档没有表格。" if doc else ""
    frame = documents.table_frame(table, query)
    grid = gr.Dataframe(value=frame, datatype=documents.table_datatypes(table), visible=True,
                        label=documents.table_label(table), column_widths=documents.column_widths(table))
    return grid, documents.table_html(table, query), documents.table_note(table, frame, query)


def document_view(doc: Document, target: documents.Target | None = None) -> tuple[Any, ...]:
    """Everything the tab shows for a document: summary, outline, a section, the tables.

    Without a ``target`` the first section is shown; with one, the section holding its passage,
    marked, and for a table row its table.
    """
    items = documents.heading_items(doc)
    if target is not None:
        selected, section = documents.target_section(doc, target)
    else:
        selected = items[0][0] if items else None
        section = documents.section_html(doc, selected) if selected is not None else PICK_HEADING
    choices = [(documents.table_label(t), t.id) for t in doc.tables]
    row = target.passage.row if target is not None else None
    table_id = row.table_id if row is not None and row.table_id in {c[1] for c in choices} else (
        choices[0][1] if choices else None)
    grid, phone, note = _table_update(doc, table_id, "")
    return (documents.document_summary(doc), render.outline(items, selected), section,
            gr.Dropdown(choices=choices, value=table_id, visible=bool(choices)), gr.Textbox(value=""),
            grid, phone, note)


def open_target(rt: Any, passage_id: str, marks: str | None = None) -> tuple[Document, documents.Target]:
    """The document and marked passage a citation link or a shared address points at."""
    p = rt.passage(passage_id).passage
    return rt.document(p.doc_id), documents.Target(p, tuple(render.parse_ranges(marks)))


# After the section changes: bring the marked passage (or the section's start) into view.
SCROLL_TARGET_JS = """
() => {
  let tries = 30;
  const outline = () => {  // the selected heading, centred in the outline's own scroll box
    const sel = document.querySelector('#pq-outline li.pq-sel');
    let box = sel && sel.parentElement;
    while (box && box !== document.body && box.scrollHeight <= box.clientHeight) box = box.parentElement;
    if (!sel || !box || box === document.body) return;
    box.scrollTop += sel.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 2;
  };
  const go = () => {
    const m = document.querySelector('#pq-section .pq-target');
    if (m) { outline(); m.scrollIntoView({block: 'center'}); return; }
    if (--tries > 0) setTimeout(go, 100);
  };
  setTimeout(go, 50);
}
"""
SCROLL_SECTION_JS = """
() => {
  const s = document.querySelector('#pq-section');
  if (!s) return;
  s.querySelectorAll('*').forEach((el) => { if (el.scrollTop) el.scrollTop = 0; });
  const r = s.getBoundingClientRect();
  if (r.top < 0 || r.top > window.innerHeight * 0.5) s.scrollIntoView({block: 'start'});
}
"""


def build(get_runtime: RuntimeGetter) -> dict[str, Any]:
    with gr.Accordion("文档列表", open=True, elem_id="pq-doc-browser"):
        with gr.Row(equal_height=True):
            find = gr.Textbox(label="查找文档", placeholder="名称、年份、地区、类型或发文机关，多个词用空格分开",
                              scale=3, elem_id="pq-doc-find")
            grouping = gr.Radio(doc_list.GROUPINGS, value=doc_list.BY_KIND, label="分组", scale=2,
                                elem_id="pq-doc-group")
        listing = gr.HTML("", js_on_load=DOC_LIST_JS, max_height=300, elem_id="pq-doc-list")
    doc = gr.Dropdown([], label="文档", elem_id="pq-doc")
    summary = gr.Markdown("")
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=260):
            gr.Markdown("#### 目录")
            outline = gr.HTML(NO_DOC, js_on_load=OUTLINE_JS, max_height=620, elem_id="pq-outline")
        with gr.Column(scale=5, min_width=300):
            gr.Markdown("#### 正文")
            section = gr.HTML(PICK_HEADING, max_height=620, elem_id="pq-section", js_on_load=None)
    gr.Markdown("#### 表格")
    with gr.Row():
        table = gr.Dropdown([], label="选择表格", scale=2, elem_id="pq-table-pick")
        filt = gr.Textbox(label="筛选行", placeholder="输入任意文字，只显示包含它的行；也认得单位简称",
                          scale=3, elem_id="pq-table-filter")
    grid = gr.Dataframe(value=pd.DataFrame(), interactive=False, wrap=True, max_height=560, visible=False,
                        elem_id="pq-table", label="表格", buttons=["fullscreen", "copy"])
    phone = gr.HTML("", elem_id="pq-table-phone", js_on_load=None)
    note = gr.Markdown("", elem_id="pq-table-note")
    gr.Markdown("点击列标题右侧的 ⋮ 可按该列升序或降序排序（数值列按数值大小）；右上角按钮可复制表格或全屏查看。",
                elem_classes="pq-hint")
    view = [summary, outline, section, table, filt, grid, phone, note]

    def pick(doc_id: str | None) -> Any:
        if not doc_id:
            return "", NO_DOC, PICK_HEADING, gr.Dropdown(choices=[], value=None), "", gr.skip(), "", ""
        try:
            return document_view(get_runtime().document(doc_id))
        except Exception as e:
            warn(friendly(e))
            return (gr.skip(),) * len(view)

    def list_documents(query: str, by: str, doc_id: str | None) -> Any:
        try:
            return doc_list.list_html(get_runtime().documents(), query, by, doc_id)
        except Exception as e:
            warn(friendly(e))
            return gr.skip()

    def pick_listed(evt: gr.EventData) -> tuple[Any, ...]:
        doc_id = evt._data.get("doc") if isinstance(evt._data, dict) else None
        if not isinstance(doc_id, str) or not doc_id:
            return (gr.skip(),) * (1 + len(view))
        return (gr.Dropdown(value=doc_id), *pick(doc_id))

    def open_passage(passage_id: str, marks: str | None = None) -> tuple[Any, ...]:
        """The tab's values showing ``passage_id`` marked; the document choice first."""
        rt = get_runtime()
        d, target = open_target(rt, passage_id, marks)
        return (gr.Dropdown(choices=doc_choices(rt, with_all=False), value=d.doc_id), *document_view(d, target))

    def read(doc_id: str | None, evt: gr.EventData) -> Any:
        idx = evt._data.get("idx") if isinstance(evt._data, dict) else None
        if not doc_id or not isinstance(idx, int):
            return gr.skip()
        try:
            return documents.section_html(get_runtime().document(doc_id), idx)
        except Exception as e:
            warn(friendly(e))
            return gr.skip()

    def show_table(doc_id: str | None, table_id: str | None, query: str) -> Any:
        if not doc_id:  # a change fired before the tab was first shown carries no document: keep the grid
            return gr.skip(), gr.skip(), gr.skip()
        try:
            d = get_runtime().document(doc_id) if doc_id else None
            return _table_update(d, table_id, query)
        except Exception as e:
            warn(friendly(e))
            return gr.skip(), gr.skip(), gr.skip()

    # ``input``, not ``change``: only the reader's own pick re-renders. Opening a citation or a
    # shared address sets the document and its section together.
    doc.input(pick, doc, view)
    find.change(list_documents, [find, grouping, doc], listing, trigger_mode="always_last")
    grouping.input(list_documents, [find, grouping, doc], listing)
    listing.click(pick_listed, None, [doc, *view])
    outline.click(read, doc, section).then(None, js=SCROLL_SECTION_JS)
    table.input(show_table, [doc, table, filt], [grid, phone, note])
    filt.change(show_table, [doc, table, filt], [grid, phone, note], trigger_mode="multiple")
    return {"doc": doc, "view": view, "pick": pick, "open_passage": open_passage, "listing": listing,
            "list_html": doc_list.list_html}
