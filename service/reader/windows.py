"""Question + passage windows for the model, and spans decoded back to character offsets.

Texts are normalised with the index's length-preserving normaliser before tokenising, so a
token's character offsets are offsets into the caller's original text and a decoded span is
always a verbatim slice of it. Long passages are cut into overlapping windows (``stride``
tokens shared between neighbours); every window starts with the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.textnorm import normalize

MAX_QUESTION_CHARS = 96
MAX_ANSWER_TOKENS = 32
CANDIDATES = 20


@dataclass(frozen=True, slots=True)
class Window:
    """Token ids of ``<s> question </s></s> passage-part </s>`` and, per token, its character range in the passage."""

    text_index: int
    input_ids: tuple[int, ...]
    offsets: tuple[tuple[int, int] | None, ...]  # None for question and special tokens


def make_windows(
    tokenizer, question: str, texts: Sequence[str], max_len: int, stride: int
) -> list[Window]:
    """All windows of all ``texts`` for ``question``, in text order."""
    if not texts:
        return []
    q = normalize(question.strip())[:MAX_QUESTION_CHARS]
    enc = tokenizer(
        [q] * len(texts),
        [normalize(t) for t in texts],
        truncation="only_second",
        max_length=max_len,
        stride=stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        add_special_tokens=True,
    )
    out: list[Window] = []
    for i, ids in enumerate(enc["input_ids"]):
        seq = enc.sequence_ids(i)
        offs = tuple(
            (int(a), int(b)) if s == 1 and b > a else None for s, (a, b) in zip(seq, enc["offset_mapping"][i], strict=True)
        )
        out.append(Window(int(enc["overflow_to_sample_mapping"][i]), tuple(int(x) for x in ids), offs))
    return out


def pad_batch(windows: Sequence[Window], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """(input ids, attention mask) as int64 arrays padded to the longest window."""
    n = max(len(w.input_ids) for w in windows)
    ids = np.full((len(windows), n), pad_id, dtype=np.int64)
    mask = np.zeros((len(windows), n), dtype=np.int64)
    for i, w in enumerate(windows):
        ids[i, : len(w.input_ids)] = w.input_ids
        mask[i, : len(w.input_ids)] = 1
    return ids, mask


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


@dataclass(frozen=True, slots=True)
class Candidate:
    text_index: int
    start: int
    end: int
    score: float


def window_candidates(start_logits: np.ndarray, end_logits: np.ndarray, window: Window) -> tuple[list[Candidate], float]:
    """Scored spans of one window and the window's no-answer probability.

    A span's score is P(start) · P(end) under the window's softmaxes, where position 0 is the
    no-answer choice: the scores of a window's spans and its no-answer sum to at most one.
    """
    n = len(window.input_ids)
    ps, pe = _softmax(start_logits[:n].astype(np.float64)), _softmax(end_logits[:n].astype(np.float64))
    offs = window.offsets
    starts = [i for i in np.argsort(-ps)[:CANDIDATES] if offs[i] is not None]
    ends = [j for j in np.argsort(-pe)[:CANDIDATES] if offs[j] is not None]
    cands = []
    for i in starts:
        for j in ends:
            if j < i or j - i + 1 > MAX_ANSWER_TOKENS:
                continue
            a, b = offs[i][0], offs[j][1]  # type: ignore[index]
            if b > a:
                cands.append(Candidate(window.text_index, a, b, float(ps[i] * pe[j])))
    return cands, float(ps[0] * pe[0])


def best_spans(
    start_logits: np.ndarray, end_logits: np.ndarray, windows: Sequence[Window], texts: Sequence[str], top_n: int
) -> list[Candidate]:
    """The ``top_n`` best distinct spans over all windows, trimmed of surrounding whitespace."""
    best: dict[tuple[int, int, int], Candidate] = {}
    for k, w in enumerate(windows):
        cands, _ = window_candidates(start_logits[k], end_logits[k], w)
        for c in cands:
            text = texts[c.text_index]
            a, b = c.start, c.end
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a >= b:
                continue
            key = (c.text_index, a, b)
            if key not in best or best[key].score < c.score:
                best[key] = Candidate(c.text_index, a, b, c.score)
    return sorted(best.values(), key=lambda c: (-c.score, c.text_index, c.start))[:top_n]
