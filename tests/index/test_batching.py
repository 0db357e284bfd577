"""Micro-batching of query embeddings: same vectors, fewer forward passes under concurrency."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from index.batching import BUSY_S, BatchingEmbedder, wrap_for_serving
from index.testing import HashEmbedder, SlowEmbedder, cached_hash_embedder

QUERIES = [f"第{i}个问题：工业增加值是多少" for i in range(24)]


class Broken(HashEmbedder):
    def embed_queries(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError("model failed")


def _concurrently(fn, args: list) -> list:
    out: list = [None] * len(args)
    start = threading.Barrier(len(args))

    def run(i: int) -> None:
        start.wait()
        out[i] = fn(args[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(args))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_concurrent_queries_share_forward_passes_and_get_their_own_vectors() -> None:
    inner = SlowEmbedder()
    emb = BatchingEmbedder(inner, window_ms=5, max_batch=32)
    got = _concurrently(lambda q: emb.embed_queries([q]), QUERIES)
    want = HashEmbedder(dim=32).embed_queries(QUERIES)
    for i, v in enumerate(got):
        assert v.shape == (1, 32)
        np.testing.assert_array_equal(v[0], want[i])
    assert sum(inner.sizes) == len(QUERIES)
    assert len(inner.sizes) <= len(QUERIES) // 4  # 24 requests in at most 6 forwards
    assert emb.batches == len(inner.sizes) and emb.queries == len(QUERIES)


def test_batches_never_exceed_the_maximum() -> None:
    inner = SlowEmbedder()
    emb = BatchingEmbedder(inner, window_ms=20, max_batch=5)
    _concurrently(lambda q: emb.embed_queries([q]), QUERIES)
    assert max(inner.sizes) <= 5 and sum(inner.sizes) == len(QUERIES)


def test_a_query_reaching_an_idle_worker_does_not_wait_for_the_window() -> None:
    inner = SlowEmbedder(cost_s=0.0)
    emb = BatchingEmbedder(inner, window_ms=300, max_batch=32)
    emb.embed_queries(["预热"])
    time.sleep(BUSY_S * 2)
    t0 = time.perf_counter()
    emb.embed_queries(["一个问题"])
    assert time.perf_counter() - t0 < 0.1
    # right after a forward (under load) it waits for companions, at most the window
    t0 = time.perf_counter()
    emb.embed_queries(["另一个问题"])
    assert 0.25 < time.perf_counter() - t0 < 1.0


def test_a_model_failure_reaches_every_waiting_caller_and_the_worker_survives() -> None:
    emb = BatchingEmbedder(Broken(dim=16), window_ms=5)

    def call(q: str) -> str:
        try:
            emb.embed_queries([q])
        except RuntimeError as e:
            return str(e)
        return "no error"

    assert _concurrently(call, QUERIES[:6]) == ["model failed"] * 6
    assert call("again") == "model failed"


def test_passages_and_multi_query_calls_pass_through() -> None:
    inner = HashEmbedder(dim=16)
    emb = BatchingEmbedder(inner, window_ms=5, max_batch=4)
    np.testing.assert_array_equal(emb.embed_passages(QUERIES[:3]), inner.embed_passages(QUERIES[:3]))
    assert emb.embed_queries(QUERIES[:4]).shape == (4, 16)
    assert emb.embed_queries([]).shape == (0, 16)
    assert emb.batches == 0  # none of these went through the worker
    assert emb.model_id == inner.model_id and emb.dim == 16
    assert emb.calls == inner.calls  # other attributes are the wrapped embedder's


@pytest.mark.parametrize("window", [0, 0.0])
def test_a_zero_window_turns_batching_off(window: float) -> None:
    inner = HashEmbedder(dim=16)
    assert wrap_for_serving(inner, window, 32) is inner
    assert isinstance(wrap_for_serving(inner, 2.0, 32), BatchingEmbedder)


@pytest.mark.slow
def test_real_model_vectors_do_not_depend_on_the_batch(e5_embedder) -> None:
    emb = BatchingEmbedder(e5_embedder, window_ms=10, max_batch=32)
    questions = ["2020年全区规上工业总产值是多少？", "华明高新区的增长目标", "5G基站建设", "什么是双智战略？"] * 3
    got = np.vstack(_concurrently(lambda q: emb.embed_queries([q]), questions))
    alone = np.vstack([e5_embedder.embed_queries([q]) for q in questions])
    assert emb.batches < len(questions)
    cos = (got * alone).sum(axis=1)
    assert cos.min() > 0.999  # padding in a batch may move bf16 results by a hair, never the meaning


def test_behind_a_cache_the_model_is_batched_and_cached_questions_skip_the_worker(tmp_path) -> None:
    cached = cached_hash_embedder(tmp_path, dim=16)
    served = wrap_for_serving(cached, 3.0, 32)
    assert served is cached and isinstance(cached.inner, BatchingEmbedder)
    assert wrap_for_serving(served, 3.0, 32).inner is cached.inner  # wrapping twice changes nothing
    first = served.embed_queries(["工业增加值"])
    again = served.embed_queries(["工业增加值"])
    np.testing.assert_array_equal(first, again)
    assert cached.inner.queries == 1  # the repeat came from the cache, not through the worker
    np.testing.assert_array_equal(served.embed_passages(["一段文字"]), HashEmbedder(dim=16).embed_passages(["一段文字"]))
