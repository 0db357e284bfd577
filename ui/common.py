"""Small pieces the three tabs share: where the runtime comes from, document choices, hit dicts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from index.types import Hit
from ingest.errors import IndexNotReady
from service.hits import hit_to_dict
from service.runtime import Runtime

RuntimeGetter = Callable[[], Runtime]

ALL_DOCS = "__all__"
ALL_DOCS_LABEL = "全部文档"


def runtime_from(state_holder: Any) -> RuntimeGetter:
    """A getter that reads ``state_holder.state.runtime`` at call time (it is set at start-up)."""

    def get() -> Runtime:
        rt = getattr(state_holder.state, "runtime", None)
        if rt is None:
            raise IndexNotReady("the service is still starting")
        return rt

    return get


def doc_choices(rt: Runtime, with_all: bool = True) -> list[tuple[str, str]]:
    """(label, value) pairs for a document dropdown, each labelled with its distinct name."""
    docs = [(d.name, d.doc_id) for d in rt.documents()]
    return [(ALL_DOCS_LABEL, ALL_DOCS), *docs] if with_all else docs


def doc_ids_for(choice: str | None) -> list[str] | None:
    return None if not choice or choice == ALL_DOCS else [choice]


def hit_dicts(rt: Runtime, hits: Sequence[Hit]) -> list[dict[str, Any]]:
    """Hits in the contract's JSON shape, the same the API returns."""
    titles: dict[str, str] = {}
    out = []
    for h in hits:
        doc_id = h.passage.doc_id
        if doc_id not in titles:
            titles[doc_id] = rt.doc_title(doc_id)
        out.append(hit_to_dict(h, titles[doc_id]))
    return out


# A plain click on "在文档中查看" opens the passage in the 文档 tab; other clicks follow the link.
OPEN_JS = """
element.addEventListener('click', (e) => {
  const a = e.target.closest('a.pq-open');
  if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  trigger('click', {pid: a.dataset.pid, hl: a.dataset.hl || ''});
});
"""
