"""Index build speed against the naive way of embedding the same texts.

planqa's build is timed whole — ingest, tokenisation, BM25, embedding, FAISS, manifest — with a
new, empty embedding cache, so nothing is reused from earlier runs. The naive baseline is what a
user would write: ``SentenceTransformer(model_dir, device="cpu")`` in fp32 and ``encode`` of the
very texts planqa embeds, with the ``passage: `` prompt, no cache. Model loading is left out of
both. The two are run alternately, and each one's fastest run is kept, because on a shared
machine the slowest run measures the neighbours.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from index.dense import embed_text
from index.options import HNSW_THRESHOLD
from ingest.model import Document

console = Console(stderr=True)


def embedded_texts(documents: Sequence[Document], with_section: bool = True) -> list[str]:
    """The texts a planqa build embeds for ``documents`` (section path, then passage text)."""
    return [embed_text(p, with_section) for d in documents for p in d.passages]


def build_texts(documents: Sequence[Document]) -> list[str]:
    """Every text a build with an embedding cache embeds, each once: the passages, then their
    sentences (the answer stage scores sentences by the dense model; see ``index.units``)."""
    from index.units import sentence_texts

    sentences = sentence_texts(p for d in documents for p in d.passages)
    return list(dict.fromkeys([*embedded_texts(documents), *sentences]))


def naive_encoder(model_dir: Path, batch_size: int = 32) -> Callable[[Sequence[str]], Any]:
    """A function encoding passages the naive way: fp32 sentence-transformers, no cache."""
    import torch
    from sentence_transformers import SentenceTransformer

    # The materialised weights are stored in float16: ask for float32 explicitly.
    model = SentenceTransformer(str(model_dir), device="cpu", model_kwargs={"dtype": torch.float32})

    def encode(texts: Sequence[str]) -> Any:
        return model.encode([f"passage: {t}" for t in texts], batch_size=batch_size,
                            normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=True)

    return encode


def time_naive(encode: Callable[[Sequence[str]], Any], texts: Sequence[str]) -> float:
    t0 = time.perf_counter()
    encode(texts)
    return time.perf_counter() - t0


def time_planqa_build(
    documents: Sequence[Document], make_embedder: Callable[[Path], Any], work: Path,
    hnsw_threshold: int, progress: bool = True,
) -> float:
    """Seconds for ``build_index`` of ``documents`` with an embedder on a new, empty cache.

    ``make_embedder(cache_dir)`` returns a loaded embedder; loading it is not timed.
    """
    from index.builder import build_index

    with tempfile.TemporaryDirectory(prefix="cache-", dir=work) as cache, \
            tempfile.TemporaryDirectory(prefix="index-", dir=work) as tmp:
        embedder = make_embedder(Path(cache))
        t0 = time.perf_counter()
        build_index(documents, Path(tmp) / "index", embedder, hnsw_threshold=hnsw_threshold, progress=progress)
        return time.perf_counter() - t0


def compare(
    documents: Sequence[Document], make_embedder: Callable[[Path], Any], model_dir: Path, work: Path,
    hnsw_threshold: int = HNSW_THRESHOLD, repeats: int = 2, progress: bool = True,
) -> dict[str, Any]:
    """Characters per second of a planqa build (cold cache) and of naive fp32 encoding."""
    texts = build_texts(documents)
    passages = sum(len(d.passages) for d in documents)
    chars = sum(len(t) for t in texts)
    encode = naive_encoder(model_dir)
    builds: list[float] = []
    naive: list[float] = []
    for i in range(repeats):
        console.print(f"  build speed, round {i + 1}/{repeats}: planqa build (empty cache)")
        builds.append(time_planqa_build(documents, make_embedder, work, hnsw_threshold, progress))
        console.print(f"  build speed, round {i + 1}/{repeats}: naive fp32 encode")
        naive.append(time_naive(encode, texts))
    b, n = min(builds), min(naive)
    return {
        "passages": passages, "texts": len(texts), "chars": chars, "documents": len(documents),
        "build_s": b, "naive_s": n, "build_runs": builds, "naive_runs": naive,
        "build_cps": chars / b, "naive_cps": chars / n, "speedup": n / b,
    }
