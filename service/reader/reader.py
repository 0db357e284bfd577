"""Reading a short answer out of passages, and scoring passages against a question.

``Reader.read`` runs every window of every given text through the model in one batched forward
pass and returns the best spans, each a verbatim slice of its text. ``Reranker.scores`` gives each
(question, passage) pair a relevance probability from the first window of the passage. Both work
over the shipped adapter (see :mod:`service.reader.model`) or over a model of the user's: a
transformers question-answering directory for the reader, a sentence-transformers CrossEncoder
for the reranker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from service.reader.windows import Window, best_spans, make_windows, pad_batch


@dataclass(frozen=True, slots=True)
class Span:
    """A short answer: ``texts[text_index][start:end] == text``; ``score`` is a confidence in [0, 1]."""

    text_index: int
    start: int
    end: int
    score: float
    text: str


# A span model maps (input ids, attention mask) to (start logits, end logits[, relevance logit]).
SpanFn = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, ...]]


class Reader:
    """Extractive reader over at most ``max_windows`` windows (``max_tokens`` tokens in all) per question.

    The cost of a read is one forward pass over the windows taken, so the two caps bound latency.
    """

    def __init__(
        self,
        forward: SpanFn,
        tokenizer: Any,
        max_len: int = 384,
        stride: int = 128,
        max_windows: int = 3,
        max_tokens: int = 800,
        bf16: bool = True,
        name: str = "",
    ) -> None:
        self.forward = forward
        self.max_tokens = max_tokens
        self.tokenizer = tokenizer
        self.max_len = max_len
        self.stride = stride
        self.max_windows = max_windows
        self.bf16 = bf16
        self.name = name
        self.pad_id = int(tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0)

    def _logits(self, windows: Sequence[Window]) -> tuple[np.ndarray, ...]:
        ids, mask = pad_batch(windows, self.pad_id)
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            out = self.forward(torch.from_numpy(ids), torch.from_numpy(mask))
        return tuple(t.float().numpy() for t in out)

    def read(self, question: str, texts: Sequence[str], top_n: int = 1) -> list[Span]:
        """The ``top_n`` best spans over all ``texts``, highest score first; [] when there is none.

        Windows are taken in text order within the caps, so pass texts best first.
        """
        texts = list(texts)
        if not question.strip() or not any(t.strip() for t in texts) or top_n < 1:
            return []
        windows: list[Window] = []
        used = 0
        for w in make_windows(self.tokenizer, question, texts, self.max_len, self.stride):
            if len(windows) == self.max_windows or (windows and used + len(w.input_ids) > self.max_tokens):
                break
            windows.append(w)
            used += len(w.input_ids)
        if not windows:
            return []
        out = self._logits(windows)
        spans = best_spans(out[0], out[1], windows, texts, top_n)
        return [
            Span(c.text_index, c.start, c.end, min(1.0, max(0.0, c.score)), texts[c.text_index][c.start : c.end])
            for c in spans
        ]


class Reranker:
    """Relevance of passages to a question, as probabilities, from one window of each passage."""

    def __init__(
        self,
        score_fn: Callable[[str, list[str]], list[float]],
        name: str = "",
    ) -> None:
        self._score = score_fn
        self.name = name

    def scores(self, question: str, texts: Sequence[str]) -> list[float]:
        texts = list(texts)
        if not texts:
            return []
        return [float(s) for s in self._score(question, texts)]


def adapter_scorer(forward: SpanFn, tokenizer: Any, max_len: int, bf16: bool = True) -> Callable[[str, list[str]], list[float]]:
    """Scores from the adapter's relevance head over the first window of each text."""
    pad_id = int(tokenizer.pad_token_id)

    def score(question: str, texts: list[str]) -> list[float]:
        windows = make_windows(tokenizer, question, texts, max_len, stride=0 if max_len < 2 else max_len // 4)
        first: dict[int, Window] = {}
        for w in windows:
            first.setdefault(w.text_index, w)
        ordered = [first[i] for i in range(len(texts)) if i in first]
        if not ordered:
            return [0.0] * len(texts)
        ids, mask = pad_batch(ordered, pad_id)
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            rel = forward(torch.from_numpy(ids), torch.from_numpy(mask))[2].float()
        probs = torch.sigmoid(rel).tolist()
        by_text = {w.text_index: p for w, p in zip(ordered, probs, strict=True)}
        return [by_text.get(i, 0.0) for i in range(len(texts))]

    return score
