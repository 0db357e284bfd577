"""The shipped reader and reranker adapters, loaded as the service loads them, on the real plan."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.reader import Reader, Reranker, RerankingRetriever, Span, load_reader, load_reranker
from service.reader.loading import WEIGHTS
from service.settings import Settings

QUESTION = "到2025年要建设多少个5G基站？"


@pytest.fixture(scope="module")
def reader() -> Reader:
    r = load_reader(Settings())
    assert r is not None, "the shipped reader adapter did not load"
    return r


@pytest.fixture(scope="module")
def reranker() -> Reranker:
    r = load_reranker(Settings(reranker="on"))
    assert r is not None, "the shipped reranker adapter did not load"
    return r


def test_reads_the_5g_target_from_the_retrieved_plan_passages(real_runtime, reader: Reader) -> None:
    hits = real_runtime.search(QUESTION, top_k=3).hits
    texts = [h.passage.text for h in hits]
    spans = reader.read(QUESTION, texts, top_n=3)
    assert spans, "no span read"
    best = spans[0]
    assert "4000" in best.text
    assert best.text == texts[best.text_index][best.start : best.end]
    assert 0.0 <= best.score <= 1.0
    assert [s.score for s in spans] == sorted((s.score for s in spans), reverse=True)


def test_reranker_puts_the_passage_with_the_answer_first(real_runtime, reranker: Reranker) -> None:
    hits = real_runtime.search(QUESTION, top_k=10).hits
    reranked = RerankingRetriever(real_runtime.index.hybrid, reranker, depth=10).search(QUESTION, top_k=10)
    assert sorted(h.passage.id for h in reranked) == sorted(h.passage.id for h in hits)
    assert "4000" in reranked[0].passage.text
    scores = reranker.scores(QUESTION, [h.passage.text for h in reranked])
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] == max(scores)


texts_strategy = st.lists(
    st.text(alphabet=st.sampled_from(list("规划到年建设个基站万亿元5G40０ \n，。；、（）abcXYZ臺灣")), min_size=0, max_size=120),
    min_size=1,
    max_size=3,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.sampled_from([QUESTION, "什么时候建成？", "谁负责？", "abc"]), texts=texts_strategy)
def test_a_span_is_always_a_slice_of_its_passage(reader: Reader, question: str, texts: list[str]) -> None:
    spans = reader.read(question, texts, top_n=5)
    for s in spans:
        assert isinstance(s, Span)
        assert 0 <= s.text_index < len(texts)
        assert 0 <= s.start < s.end <= len(texts[s.text_index])
        assert s.text == texts[s.text_index][s.start : s.end]
        assert s.text.strip() == s.text
        assert 0.0 <= s.score <= 1.0


def test_empty_inputs_read_nothing(reader: Reader) -> None:
    assert reader.read(QUESTION, []) == []
    assert reader.read(QUESTION, ["", "  "]) == []
    assert reader.read("", ["到2025年建设5G基站4000个。"]) == []


def test_a_damaged_adapter_disables_the_reader_with_one_clear_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bad = tmp_path / "reader"
    shutil.copytree(WEIGHTS / "reader", bad)
    data = bytearray((bad / "adapter.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (bad / "adapter.safetensors").write_bytes(bytes(data))
    with caplog.at_level("WARNING", logger="service.reader.loading"):
        assert load_reader(Settings(reader_model=str(bad))) is None
    assert [r.getMessage() for r in caplog.records] == [
        f"reader disabled, short answers fall back to sentences: {bad.resolve() / 'adapter.safetensors'}: "
        "checksum mismatch (corrupt or modified)"
    ]


def test_a_missing_adapter_disables_the_reranker_with_one_clear_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    gone = tmp_path / "reranker"
    shutil.copytree(WEIGHTS / "reranker", gone)
    (gone / "adapter.safetensors").unlink()
    with caplog.at_level("WARNING", logger="service.reader.loading"):
        assert load_reranker(Settings(reranker="on", reranker_model=str(gone))) is None
    assert [r.getMessage() for r in caplog.records] == [
        f"reranker disabled, results keep the fused order: {gone.resolve() / 'adapter.safetensors'}: missing"
    ]


def test_switched_off_loads_nothing() -> None:
    assert load_reader(Settings(reader=False)) is None
    assert load_reranker(Settings(reranker="off")) is None


def test_the_frozen_layers_run_on_the_embedding_models_copy_with_the_same_logits(real_runtime) -> None:
    import torch

    from index.embedder import transformer_of
    from service.reader.loading import _base_dir
    from service.reader.model import AdapterConfig, build
    from service.reader.store import read_adapter

    base = _base_dir(Settings())
    manifest, state = read_adapter(WEIGHTS / "reader", base)

    def fresh():
        m = build(base, AdapterConfig(**manifest["adapter"]))
        m.load_trainable_state(state)
        m.prepare_inference(bf16=True)
        return m

    own, shared = fresh(), fresh()
    donor = transformer_of(real_runtime.embedder)
    assert donor is not None
    assert shared.share_lower(donor)
    assert shared.bert.embeddings is donor.embeddings
    assert shared.bert.encoder.layer[0] is donor.encoder.layer[0]
    assert shared.bert.encoder.layer[-1] is not donor.encoder.layer[-1]  # the adapted layers stay its own
    ids = torch.tensor([[0, 6, 1234, 5678, 2, 2, 910, 1112, 2]])
    mask = torch.ones_like(ids)
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        for a, b in zip(own(ids, mask), shared(ids, mask), strict=True):
            assert torch.equal(a, b)
    # a model whose frozen part differs from the embedding model's keeps its own copy
    with torch.no_grad():
        own.bert.embeddings.word_embeddings.weight[5, 0] += 1.0
    assert not own.share_lower(donor)
    assert own.bert.embeddings is not donor.embeddings


def test_the_adapters_compute_in_bfloat16_only_where_the_cpu_multiplies_it(monkeypatch) -> None:
    """Emulated bfloat16 costs several times float32: the reader follows the embedding model's rule."""
    import torch

    from service.reader import loading

    text = "到2025年，全市建成5G基站4000个。"
    spans = {}
    try:
        for native, dtype in ((False, torch.float32), (True, torch.bfloat16)):
            monkeypatch.setattr("index.embedder.cpu_has_native_bf16", lambda native=native: native)
            loading._adapter_model.cache_clear()
            r = load_reader(Settings())
            assert r is not None and r.bf16 is native
            weights = {m.weight.dtype for m in r.forward.modules() if isinstance(m, torch.nn.Linear)}
            assert dtype in weights and (native or weights == {torch.float32})
            spans[native] = r.read("建成多少个5G基站？", [text])[0].text
    finally:
        loading._adapter_model.cache_clear()
    assert spans[False] == spans[True] and "4000" in spans[False]


def test_the_shipped_adapters_never_read_a_scored_set() -> None:
    """CMRC2018 dev and DRCD test are scored; the shipped reader and reranker say what trained them."""
    import json

    for kind in ("reader", "reranker"):
        manifest = json.loads((WEIGHTS / kind / "manifest.json").read_text(encoding="utf-8"))
        assert set(manifest["training"]["data"]) == {"drcd/DRCD_dev.json", "cmrc2018/cmrc2018_trial.json"}, kind
