"""Building the reader and reranker from settings, degrading to none rather than failing.

The default is the adapter shipped in ``service/reader/weights/{reader,reranker}`` over the
materialised multilingual-e5-small. ``PLANQA_READER_MODEL`` may name another adapter directory
(one with a ``manifest.json``) or a transformers question-answering model directory;
``PLANQA_RERANKER_MODEL`` another adapter directory or a sentence-transformers CrossEncoder.
Anything missing, damaged or not matching the base model logs one line saying so and the
service answers as it would without a reader: the answer engine never sees an exception from here.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from ingest.errors import ModelError
from service.reader.reader import Reader, Reranker, adapter_scorer
from service.reader.store import MANIFEST, read_adapter
from service.settings import Settings

log = logging.getLogger(__name__)

WEIGHTS = Path(__file__).parent / "weights"
READER_MAX_WINDOWS = 3
READER_MAX_TOKENS = 800  # about two full windows: bounds the reader's share of /api/ask latency


def _base_dir(settings: Settings) -> Path:
    from index.embedder import resolve_model_dir
    from service.settings import DEFAULT_MODEL

    return Path(resolve_model_dir(DEFAULT_MODEL, settings.model_dir))


_adapter_lock = threading.Lock()


def native_bf16() -> bool:
    """Whether the adapters compute in bfloat16: only where the CPU multiplies it in hardware, as the
    embedding model does (emulated, a read costs several times more than in float32)."""
    from index.embedder import resolve_precision

    return resolve_precision("auto") == "bf16"


@lru_cache(maxsize=4)
def _adapter_model(directory: str, base_dir: str) -> tuple[Any, Any, dict]:
    """(merged model, tokenizer, manifest) of a verified adapter; one per directory per process."""
    from transformers import AutoTokenizer

    from service.reader.model import AdapterConfig, build

    manifest, state = read_adapter(Path(directory), Path(base_dir))
    try:
        cfg = AdapterConfig(**manifest["adapter"])
        model = build(Path(base_dir), cfg)
        model.load_trainable_state(state)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{directory}: adapter does not fit the base model ({exc})") from exc
    model.prepare_inference(bf16=native_bf16())
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    return model, tokenizer, manifest


def _load_adapter(directory: Path, settings: Settings) -> tuple[Any, Any, dict]:
    with _adapter_lock:
        return _adapter_model(str(Path(directory).resolve()), str(_base_dir(settings)))


def _is_adapter(path: Path) -> bool:
    return (path / MANIFEST).is_file()


def _qa_model_reader(path: Path) -> Reader:
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    model = AutoModelForQuestionAnswering.from_pretrained(str(path), dtype=torch.float32, local_files_only=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    max_len = min(384, int(getattr(tokenizer, "model_max_length", 384) or 384))

    def forward(ids: Any, mask: Any) -> tuple[Any, Any]:
        out = model(input_ids=ids, attention_mask=mask)
        return out.start_logits, out.end_logits

    return Reader(forward, tokenizer, max_len=max_len, stride=max_len // 3, max_windows=READER_MAX_WINDOWS, max_tokens=READER_MAX_TOKENS, name=str(path))


def _share(model: Any, donor: Any, what: str) -> None:
    if donor is not None and hasattr(model, "share_lower"):
        with _adapter_lock:
            shared = model.share_lower(donor)
        if not shared:
            log.info("the %s keeps its own copy of the base model: the embedding model is another one", what)
    _release_freed_memory()


def _release_freed_memory() -> None:
    """Hand the heap freed by loading (a float32 copy, then the dropped layers) back to the system.

    glibc keeps small freed blocks in its arenas, so the process would otherwise stay ~200 MB
    larger than what it uses. Elsewhere this is a no-op.
    """
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def load_reader(settings: Settings, share_with: Any = None) -> Reader | None:
    """The reader named by the settings, or None (with one log line) when it is off or unusable.

    ``share_with``: the embedding model's transformer; where it is the reader's base model, the
    reader's frozen layers run on it instead of a second copy.
    """
    if not settings.reader:
        return None
    path = Path(settings.reader_model).expanduser() if settings.reader_model else WEIGHTS / "reader"
    try:
        if _is_adapter(path) or not settings.reader_model:
            model, tokenizer, manifest = _load_adapter(path, settings)
            _share(model, share_with, "reader")
            cfg = manifest["adapter"]
            return Reader(
                model,
                tokenizer,
                max_len=cfg["max_len"],
                stride=cfg["stride"],
                max_windows=READER_MAX_WINDOWS,
                max_tokens=READER_MAX_TOKENS,
                name=str(path),
                bf16=native_bf16(),
            )
        return _qa_model_reader(path)
    except (ModelError, OSError, ValueError) as exc:
        log.warning("reader disabled, short answers fall back to sentences: %s", exc)
        return None


def load_reranker(settings: Settings, share_with: Any = None) -> Reranker | None:
    """The reranker named by the settings, or None (with one log line) when it is off or unusable."""
    if settings.reranker != "on":
        return None
    path = Path(settings.reranker_model).expanduser() if settings.reranker_model else WEIGHTS / "reranker"
    try:
        if _is_adapter(path) or not settings.reranker_model:
            model, tokenizer, manifest = _load_adapter(path, settings)
            _share(model, share_with, "reranker")
            return Reranker(adapter_scorer(model, tokenizer, manifest["adapter"]["max_len"], bf16=native_bf16()), name=str(path))
        from sentence_transformers import CrossEncoder

        ce = CrossEncoder(str(path), device="cpu", local_files_only=True)
        return Reranker(lambda q, texts: [float(s) for s in ce.predict([(q, t) for t in texts], show_progress_bar=False)], name=str(path))
    except (ModelError, OSError, ValueError) as exc:
        log.warning("reranker disabled, results keep the fused order: %s", exc)
        return None
