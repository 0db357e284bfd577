"""Look of the interface: a theme with system fonts only (nothing is downloaded) and the CSS of
the citation cards, highlights, KWIC lines and document reader."""

from __future__ import annotations

import gradio as gr

SANS = [
    "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
    "WenQuanYi Micro Hei", "system-ui", "-apple-system", "Segoe UI", "Helvetica Neue", "Arial", "sans-serif",
]
MONO = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Noto Sans Mono CJK SC", "monospace"]


def theme() -> gr.themes.Base:
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", font=SANS, font_mono=MONO)


CSS = """
.gradio-container { max-width: 1360px !important; width: 100% !important; margin: 0 auto !important; }
#pq-title h1 { font-size: 1.5rem; margin: 0.2rem 0 0; }
#pq-title p { margin: 0.2rem 0 0.4rem; color: var(--body-text-color-subdued); }

mark { background: #ffe27a; color: #1f2937; padding: 0 1px; border-radius: 2px; }
.dark mark { background: #a16207; color: #fff; }

.pq-banner { background: #fef3c7; border: 1px solid #f59e0b; color: #78350f; padding: 10px 14px;
  border-radius: 8px; font-weight: 600; margin-bottom: 10px; line-height: 1.6; }
.pq-empty { color: var(--body-text-color-subdued); padding: 14px 4px; line-height: 1.7; }
.pq-panel-title { font-weight: 700; margin: 2px 0 8px; }
.pq-notes { color: var(--body-text-color-subdued); font-size: 0.8rem; margin: 8px 0 0; }
.pq-notes ul { margin: 4px 0 0 1.2rem; }
.pq-kind { font-weight: 400; font-size: 0.8rem; color: var(--body-text-color-subdued); margin-left: 10px; }

.pq-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 12px;
  margin-bottom: 10px; background: var(--background-fill-primary); overflow-wrap: anywhere; }
.pq-card header { display: flex; align-items: center; gap: 8px; font-weight: 600; }
.pq-num { display: inline-flex; min-width: 1.6em; height: 1.6em; align-items: center; justify-content: center;
  background: var(--color-accent); color: #fff; border-radius: 999px; font-size: 0.8rem; padding: 0 4px; }
.pq-doc { flex: 1; }
.pq-score { font-weight: 400; font-size: 0.8rem; color: var(--body-text-color-subdued); }
.pq-section { color: #1d4ed8; font-size: 0.85rem; margin: 4px 0 6px; }
.dark .pq-section { color: #93c5fd; }
.pq-text { line-height: 1.8; margin: 0; white-space: pre-wrap; }
.pq-id { color: var(--body-text-color-subdued); font-size: 0.75rem; margin-top: 6px; font-family: var(--font-mono); }
.pq-tag { background: #e0e7ff; color: #3730a3; border-radius: 4px; font-size: 0.75rem; padding: 0 4px; }

table.pq-row { border-collapse: collapse; width: 100%; font-size: 0.88rem; }
table.pq-row caption { text-align: left; font-size: 0.85rem; color: var(--body-text-color); padding-bottom: 4px; }
table.pq-row th, table.pq-row td { border: 1px solid var(--border-color-primary); padding: 4px 6px;
  vertical-align: top; text-align: left; line-height: 1.6; }
table.pq-row th { width: 9em; background: var(--background-fill-secondary); font-weight: 600; white-space: nowrap; }

.pq-sources { font-size: 0.8rem; color: var(--body-text-color-subdued); margin-top: 6px; line-height: 1.6; }
sup.pq-ref { color: var(--color-accent); font-weight: 700; }

.pq-summary { margin-bottom: 6px; }
.pq-summary span { color: var(--body-text-color-subdued); margin-left: 4px; }
table.pq-perdoc { border-collapse: collapse; font-size: 0.88rem; margin-bottom: 8px; }
table.pq-perdoc th, table.pq-perdoc td { border: none; border-bottom: 1px solid var(--border-color-primary);
  padding: 3px 10px; text-align: left; background: none; }
.pq-n { text-align: right !important; font-variant-numeric: tabular-nums; white-space: nowrap; }

table.pq-kwic, table.pq-perdoc { border: none !important; }
table.pq-row tr, table.pq-grid tr, table.pq-kwic tr, table.pq-perdoc tr { border: none !important; }
table.pq-kwic { border-collapse: collapse; width: 100%; font-size: 0.9rem; table-layout: fixed; }
table.pq-kwic th { font-weight: 600; border: none; border-bottom: 2px solid var(--border-color-primary);
  padding: 4px 6px; background: none; }
table.pq-kwic td { border: none; border-bottom: 1px solid var(--border-color-primary); padding: 5px 6px; line-height: 1.6; }
table.pq-kwic tr:hover td { background: var(--background-fill-secondary); }
table.pq-kwic .pq-left { text-align: right; width: 38%; }
table.pq-kwic td.pq-left > div { display: flex; justify-content: flex-end; overflow: hidden; white-space: nowrap; }
table.pq-kwic .pq-match { text-align: center; white-space: nowrap; width: 12%; font-weight: 700; }
table.pq-kwic .pq-right { text-align: left; width: 38%; white-space: nowrap; overflow: hidden; }
table.pq-kwic .pq-where { font-size: 0.75rem; color: var(--body-text-color-subdued); width: 12%;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }

.pq-outline { list-style: none; margin: 0; padding: 0; text-align: left; }
.pq-outline li a { display: block; text-align: left; padding: 4px 8px; border-radius: 6px; color: var(--body-text-color);
  text-decoration: none; line-height: 1.5; }
.pq-outline li a:hover { background: var(--background-fill-secondary); }
.pq-outline li.pq-sel a { background: #dbeafe; color: #1e3a8a; font-weight: 600; }
.pq-outline .pq-l1 a { font-weight: 700; margin-top: 4px; }
.pq-outline .pq-l2 a { padding-left: 1.4em; }
.pq-outline .pq-l3 a { padding-left: 2.6em; font-size: 0.9rem; }
.pq-outline .pq-l4 a { padding-left: 3.6em; font-size: 0.85rem; }
.pq-doc-list { text-align: left; }
.pq-doc-list .pq-doc-head { font-size: 0.85rem; color: var(--body-text-color-subdued); margin-bottom: 4px; }
.pq-doc-list ul { list-style: none; margin: 0; padding: 0; }
.pq-doc-list summary { font-weight: 700; cursor: pointer; padding: 4px 0; }
.pq-doc-list .pq-count { margin-left: 0.5em; font-weight: 400; font-size: 0.8rem; color: var(--body-text-color-subdued); }
.pq-doc-list li a { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0 1em; padding: 4px 8px;
  border-radius: 6px; color: var(--body-text-color); text-decoration: none; line-height: 1.5; }
.pq-doc-list li a:hover { background: var(--background-fill-secondary); }
.pq-doc-list li.pq-sel a { background: #dbeafe; color: #1e3a8a; font-weight: 600; }
.pq-doc-list .pq-doc-facts { font-size: 0.8rem; font-weight: 400; color: var(--body-text-color-subdued); }
.pq-reader { line-height: 1.9; }
.pq-reader .pq-text { margin: 0 0 0.8em; text-indent: 2em; }
.pq-reader .pq-sh { margin: 1em 0 0.4em; }
.pq-grid-wrap { overflow-x: auto; margin: 0.5em 0 1em; }
table.pq-grid { border-collapse: collapse; font-size: 0.82rem; min-width: 100%; }
table.pq-grid caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
table.pq-grid th, table.pq-grid td { border: 1px solid var(--border-color-primary); padding: 3px 6px;
  vertical-align: top; line-height: 1.5; }
table.pq-grid th { background: var(--background-fill-secondary); white-space: nowrap; }
.pq-more { font-size: 0.8rem; color: var(--body-text-color-subdued); margin-top: 4px; }
.pq-examples { flex-wrap: wrap !important; gap: 6px !important; }
.pq-examples button.pq-example { flex: 0 1 auto !important; width: auto !important; min-width: 0 !important;
  font-size: 0.85rem !important; font-weight: 400; }
.pq-related { background: #f1f5f9; color: #475569; font-weight: 400; }

/* answers: short answer, resolved follow-up, citation markers with a preview, copy */
.pq-short { display: flex; gap: 8px; align-items: baseline; background: #eff6ff; border-left: 4px solid #2563eb;
  padding: 6px 10px; border-radius: 6px; margin: 0 0 8px; font-size: 1.05rem; }
.pq-short span { font-size: 0.8rem; color: #1d4ed8; font-weight: 700; }
.dark .pq-short { background: #1e293b; }
.pq-table { border-collapse: collapse; margin: 6px 0; font-size: 0.92rem; }
.pq-table th, .pq-table td { border: 1px solid #cbd5e1; padding: 3px 8px; text-align: left; vertical-align: top; }
.pq-table th { background: #f1f5f9; }
.dark .pq-table th { background: #1e293b; }
.pq-resolved { font-size: 0.8rem; color: var(--body-text-color-subdued); margin-bottom: 6px; }
.pq-tools { margin-top: 6px; font-size: 0.8rem; }
.pq-tools a, a.pq-open, a.pq-share-link { color: var(--color-accent); text-decoration: none; cursor: pointer; }
.pq-tools a:hover, a.pq-open:hover, a.pq-share-link:hover { text-decoration: underline; }
sup.pq-ref { color: var(--color-accent); font-weight: 700; cursor: pointer; position: relative; border-radius: 3px; }
sup.pq-ref:focus { outline: 2px solid var(--color-accent); outline-offset: 1px; }
.pq-copytext { display: none; }
sup.pq-ref .pq-preview { display: none; }
sup.pq-ref:hover .pq-preview, sup.pq-ref:focus .pq-preview { display: block; position: absolute; z-index: 50;
  left: 0; bottom: 1.6em; width: max-content; max-width: min(22rem, 70vw); white-space: normal;
  background: #1f2937; color: #f9fafb; font-weight: 400; font-size: 0.8rem; line-height: 1.5; padding: 6px 8px;
  border-radius: 6px; box-shadow: 0 4px 14px rgba(0,0,0,.25); pointer-events: none; }
.pq-narrow { display: none; }
#pq-table-phone { display: none; }

/* citation cards: flash when reached from [n], link into the document */
.pq-card footer, .pq-result footer { display: flex; justify-content: space-between; align-items: center;
  gap: 8px; margin-top: 6px; flex-wrap: wrap; }
.pq-card footer .pq-id { margin-top: 0; }
a.pq-open { font-size: 0.8rem; white-space: nowrap; }
@keyframes pq-flash { 0% { box-shadow: 0 0 0 3px #f59e0b; background: #fffbeb; } 100% { box-shadow: none; } }
.pq-flash { animation: pq-flash 2s ease-out; }
.pq-compact-wrap { overflow-x: auto; margin-bottom: 10px; }
table.pq-compact { border-collapse: collapse; width: 100%; font-size: 0.82rem; }
table.pq-compact caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
table.pq-compact th, table.pq-compact td { border: 1px solid var(--border-color-primary); padding: 3px 6px;
  vertical-align: top; line-height: 1.5; }
table.pq-compact thead th { background: var(--background-fill-secondary); min-width: 3.5em; }
table.pq-compact td:nth-child(2) { min-width: 8em; }
table.pq-compact tfoot th, table.pq-compact tfoot td { font-weight: 700; background: var(--background-fill-secondary); }
table.pq-compact tr { border: none !important; }

/* the reader: the cited sentence marked, the shareable link */
mark.pq-target { background: #fde047; box-shadow: 0 0 0 2px #f59e0b; }
table.pq-grid tr.pq-target td { background: #fef9c3; }
.pq-share { font-size: 0.78rem; color: var(--body-text-color-subdued); margin: 0 0 8px; overflow-wrap: anywhere; }

/* search: counts per passage, the whole-phrase notice */
.pq-count { font-weight: 400; font-size: 0.8rem; background: #fef3c7; color: #92400e; border-radius: 4px; padding: 0 6px; }
.pq-phrase { background: #eff6ff; border: 1px solid #bfdbfe; color: #1e3a8a; border-radius: 8px; padding: 8px 12px; line-height: 1.6; }
.pq-phrase-none { background: #fff7ed; border-color: #fdba74; color: #7c2d12; }
#pq-notice-row { align-items: center; }
a.pq-share-link { margin-left: 10px; font-size: 0.85rem; }
table.pq-kwic .pq-right > div { overflow: hidden; white-space: nowrap; }

/* the timeline of an exact phrase: first and last appearance, a bar per year */
.pq-timeline { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 12px;
  margin: 4px 0 8px; background: var(--background-fill-primary); }
.pq-tl-said { margin: 0 0 8px; line-height: 1.7; }
.pq-tl-chart { display: flex; align-items: flex-end; gap: 6px; overflow-x: auto; padding-bottom: 2px; }
button.pq-bar { display: flex; flex-direction: column; align-items: center; flex: 1 0 34px; max-width: 72px;
  background: none; border: 1px solid transparent; border-radius: 6px; padding: 2px 2px 4px; cursor: pointer;
  color: var(--body-text-color); font: inherit; margin: 0 !important; }
button.pq-bar:hover, button.pq-bar:focus-visible { border-color: var(--color-accent); }
button.pq-bar.pq-sel { border-color: var(--color-accent); background: var(--background-fill-secondary); }
button.pq-bar.pq-zero { cursor: default; color: var(--body-text-color-subdued); }
.pq-bar-n { font-size: 0.78rem; line-height: 1.4; }
.pq-bar-col { display: flex; align-items: flex-end; width: 70%; height: 120px;
  border-bottom: 1px solid var(--border-color-primary); }
.pq-bar-fill { display: block; width: 100%; min-height: 0; background: var(--color-accent); border-radius: 3px 3px 0 0; }
button.pq-bar.pq-sel .pq-bar-fill { background: #f59e0b; }
.pq-bar-year { font-size: 0.78rem; margin-top: 3px; font-variant-numeric: tabular-nums; }
.pq-tl-foot { display: flex; align-items: center; gap: 10px; margin-top: 6px; font-size: 0.82rem;
  color: var(--body-text-color-subdued); flex-wrap: wrap; }
button.pq-tl-all { border: 1px solid var(--border-color-primary); border-radius: 6px; background: none;
  padding: 2px 8px; cursor: pointer; color: var(--color-accent); font: inherit; }
.pq-year-head { margin: 0 0 8px; line-height: 1.6; }
.pq-year-head span { color: var(--body-text-color-subdued); margin-left: 4px; }
@media (max-width: 480px) {
  .pq-bar-col { height: 90px; }
  button.pq-bar { flex-basis: 28px; }
  .pq-bar-year { font-size: 0.7rem; }
}

/* phones */
@media (max-width: 480px) {
  .gradio-container { padding: 0 6px !important; }
  .pq-wide { display: none; }
  .pq-narrow { display: inline; }
  #pq-ask-row { flex-direction: column !important; }
  #pq-chat-col { display: contents !important; }
  #pq-chat { order: 1; height: 58vh !important; max-height: 58vh !important; }
  #pq-citations-col { order: 2; min-width: 0 !important; }
  #pq-follow { order: 3; }
  #pq-ask-input { order: 4; }
  #pq-ask-extras { order: 5; }
  #pq-clear { order: 6; }
  #pq-citations, #pq-citations [style*="max-height"] { max-height: none !important; overflow: visible !important; }
  table.pq-kwic, table.pq-kwic tbody, table.pq-kwic tr { display: block; width: 100% !important; }
  table.pq-kwic thead { display: none; }
  table.pq-kwic tr { padding: 6px 0; border-bottom: 1px solid var(--border-color-primary) !important; }
  table.pq-kwic td { display: inline; border: none !important; padding: 0 !important; width: auto !important;
    white-space: normal !important; }
  table.pq-kwic td.pq-left > div, table.pq-kwic .pq-right > div { display: inline; white-space: normal; }
  table.pq-kwic td.pq-where { display: block; white-space: normal; margin-top: 2px; }
  table.pq-kwic .pq-match { font-weight: 700; }
  .pq-outline li a { padding: 6px 8px; }
  /* the table as a plain grid that scrolls sideways, its first column pinned */
  /* out of sight, not display:none: the grid still measures itself, or its updates never finish */
  #pq-table { position: absolute !important; left: -10000px !important; width: 360px !important;
    visibility: hidden !important; }
  #pq-table-phone { display: block !important; }
  .pq-hint { display: none; }
  #pq-table-phone .pq-grid-wrap { max-height: 70vh; overflow: auto; }
  #pq-table-phone table.pq-grid th, #pq-table-phone table.pq-grid td { min-width: 6em; max-width: 14em; }
  #pq-table-phone table.pq-grid th:first-child, #pq-table-phone table.pq-grid td:first-child { position: sticky;
    left: 0; z-index: 2; background: var(--background-fill-primary); box-shadow: 1px 0 0 var(--border-color-primary); }
  #pq-table-phone table.pq-grid thead th { position: sticky; top: 0; z-index: 1; }
  #pq-table-phone table.pq-grid thead th:first-child { z-index: 3; }
  table.pq-compact td:first-child, table.pq-compact th:first-child { position: sticky; left: 0;
    background: var(--background-fill-primary); }
}
"""
