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
"""
