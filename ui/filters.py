"""The document filters of the 检索 and 问答 tabs: a range of years, a region and a kind.

The choices are what the indexed documents hold (their identities), so a reader never picks a
value that selects nothing by a typo; with fewer than two documents there is nothing to choose
between and the row stays hidden. The values become the runtime's ``DocFilter``, the same
filter the API and the command line use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from index.filters import DocFilter, doc_filter
from ingest.model import Document
from ui.errors import InputProblem

ANY = ""
ANY_YEAR, ANY_REGION, ANY_KIND = "不限", "全部地区", "全部类型"
PARAMS = ("year_from", "year_to", "region", "kind")  # also the names in a shared address


@dataclass(frozen=True)
class FilterInputs:
    """The four dropdowns of one tab, in ``PARAMS`` order."""

    row: Any
    year_from: Any
    year_to: Any
    region: Any
    kind: Any

    @property
    def inputs(self) -> list[Any]:
        return [self.year_from, self.year_to, self.region, self.kind]


def build(tab: str) -> FilterInputs:
    """Lay out the row of filters inside the current Blocks (hidden until documents are known)."""
    with gr.Row(elem_id=f"pq-{tab}-filters", elem_classes="pq-filters", visible=False) as row:
        year_from = gr.Dropdown([(ANY_YEAR, ANY)], value=ANY, label="起始年份", min_width=110,
                                elem_id=f"pq-{tab}-year-from")
        year_to = gr.Dropdown([(ANY_YEAR, ANY)], value=ANY, label="截止年份", min_width=110,
                              elem_id=f"pq-{tab}-year-to")
        region = gr.Dropdown([(ANY_REGION, ANY)], value=ANY, label="地区", min_width=130, elem_id=f"pq-{tab}-region")
        kind = gr.Dropdown([(ANY_KIND, ANY)], value=ANY, label="类型", min_width=130, elem_id=f"pq-{tab}-kind")
    return FilterInputs(row, year_from, year_to, region, kind)


def choices(docs: Sequence[Document]) -> dict[str, list[tuple[str, str]]]:
    """(label, value) choices per filter: the years (newest first), regions and kinds there are."""
    years = sorted({d.identity.year for d in docs if d.identity.year}, reverse=True)
    regions = sorted({d.identity.region for d in docs if d.identity.region}, key=lambda r: (r != "全国", r))
    kinds = sorted({d.identity.kind for d in docs if d.identity.kind})
    year_choices = [(ANY_YEAR, ANY), *((f"{y}年", str(y)) for y in years)]
    return {"year_from": year_choices, "year_to": year_choices,
            "region": [(ANY_REGION, ANY), *((r, r) for r in regions)],
            "kind": [(ANY_KIND, ANY), *((k, k) for k in kinds)]}


def offered(docs: Sequence[Document], values: dict[str, str] | None = None) -> dict[str, str]:
    """``values`` (a shared address's) kept where the documents offer them, else "any"."""
    options = choices(docs)
    out = {}
    for name in PARAMS:
        wanted = (values or {}).get(name, ANY)
        out[name] = wanted if wanted in {v for _, v in options[name]} else ANY
    return out


def updates(docs: Sequence[Document], values: dict[str, str] | None = None) -> list[Any]:
    """The row's visibility and each dropdown's choices, set to ``values`` where they are offered."""
    options, chosen = choices(docs), offered(docs, values)
    return [gr.Row(visible=len(docs) > 1), *(gr.Dropdown(choices=options[n], value=chosen[n]) for n in PARAMS)]


def _year(value: str | None, what: str) -> int | None:
    if not value:
        return None
    if not str(value).isdigit():
        raise InputProblem(f"{what}应为年份。")
    return int(value)


def to_filter(year_from: str | None, year_to: str | None, region: str | None, kind: str | None,
              doc_ids: list[str] | None = None) -> DocFilter | None:
    """The dropdowns' values as a ``DocFilter`` (None when nothing is chosen)."""
    a, b = _year(year_from, "起始年份"), _year(year_to, "截止年份")
    if a is not None and b is not None and a > b:
        raise InputProblem(f"起始年份（{a}年）晚于截止年份（{b}年），请调整。")
    f = doc_filter(year_from=a, year_to=b, region=region or None, kind=kind or None, doc_ids=doc_ids)
    return None if f.empty else f


def describe(year_from: str | None, year_to: str | None, region: str | None, kind: str | None) -> str:
    """The chosen filters in words for the result summary: ``2019–2021年 · 安徽省 · 政府工作报告``."""
    parts = []
    if year_from and year_to:
        parts.append(f"{year_from}年" if year_from == year_to else f"{year_from}–{year_to}年")
    elif year_from:
        parts.append(f"{year_from}年起")
    elif year_to:
        parts.append(f"{year_to}年及以前")
    parts += [v for v in (region, kind) if v]
    return " · ".join(parts)


__all__ = ["ANY", "PARAMS", "FilterInputs", "build", "choices", "describe", "offered", "to_filter", "updates"]
