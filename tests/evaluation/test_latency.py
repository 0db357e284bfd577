"""The latency section's question handling: every question new to the embedder it is timed against."""

from __future__ import annotations

import pytest

from evaluation import latency


class RememberingEmbedder:
    """Counts model calls; remembers queries like ``CachedEmbedder`` until told to forget."""

    def __init__(self) -> None:
        self.recent: set[str] = set()
        self.model_calls = 0
        self.forgets = 0

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        for t in texts:
            if t not in self.recent:
                self.model_calls += 1
                self.recent.add(t)
        return [[0.0] for _ in texts]

    def forget_queries(self) -> None:
        self.forgets += 1
        self.recent.clear()


class Runtime:
    def __init__(self, embedder: RememberingEmbedder) -> None:
        self.embedder = embedder

    def search(self, q: str, mode: str, top_k: int) -> None:
        self.embedder.embed_queries([q])

    def ask(self, q: str, top_k: int) -> object:
        self.embedder.embed_queries([q])
        self.embedder.embed_queries([q])  # the second embedding of one ask is answered from memory
        return type("Answer", (), {"kind": "extractive"})()


def test_every_in_process_operation_embeds_its_question_anew() -> None:
    emb = RememberingEmbedder()
    out = latency.measure(Runtime(emb), emb, None, ["a", "b", "c"], warmup=1, progress=False)
    # embed, search and ask each ran the model once per question
    assert emb.model_calls == 9
    assert emb.forgets == 9
    assert out["embed"]["n"] == out["search"]["n"] == out["ask"]["n"] == out["ask*"]["n"] == 2


def test_repeated_questions_are_refused() -> None:
    emb = RememberingEmbedder()
    with pytest.raises(ValueError, match="^latency questions must be distinct: a repeated one is answered from memory$"):
        latency.measure(Runtime(emb), emb, None, ["a", "b", "a"], warmup=0, progress=False)


def test_latency_questions_warm_up_on_others_and_time_the_dev_sets_first() -> None:
    qs = latency.latency_questions([["d1", "d2"], ["g1", "d1"]], ["x1", "d2", "x2", "x3", "x1", "x4"], n=4, warmup=2)
    assert qs == ["x1", "x2", "d1", "d2", "g1", "x3"]
    assert len(set(qs)) == len(qs)
