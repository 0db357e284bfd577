"""Sentence splitting and grouping sentences into passages.

A citation must be a run of whole sentences: a reader who follows it lands on something that
reads as the author wrote it. So sentences end only after 。！？； (plus any closing quote,
bracket or …… that follows), never inside a “quoted term” or a (parenthesis), and never inside a
number. Consecutive sentences are then grouped into passages of about ``MAX_PASSAGE_CHARS``: small
enough for an embedding model to represent well, large enough to carry their context. Groups are
balanced (the fewest passages, then the smallest longest one) so a paragraph does not end in a
stray short fragment.
"""

from __future__ import annotations

import re

MAX_PASSAGE_CHARS = 200
# A sentence longer than MAX_PASSAGE_CHARS stays whole as its own passage. Only one longer than
# this is split at top-level commas: the embedding model sees about 500 characters, so below this
# a split would cost readability and gain nothing (the plan's longest sentence has 334).
MAX_SENTENCE_CHARS = 480

TERMINATORS = frozenset("。！？；!?")
CLAUSE_BREAKS = frozenset("，,")
OPENERS = "“‘「『（(【《〈［"
CLOSERS = "”’」』）)】》〉］"
_PAIR = dict(zip(CLOSERS, OPENERS, strict=True))
_TRAILERS = frozenset(CLOSERS) | TERMINATORS | frozenset("…")
# A Latin full stop ends a sentence when a space follows and a letter precedes it (not "3.5"), but
# not after an initial or a title ("Andrew W. Mellon", "Dr. Smith").
_LATIN_STOP = re.compile(
    r"(?<=[A-Za-z)\]\"'])(?<![^A-Za-z][A-Z])(?<!^[A-Z])"
    r"(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr|No|vs))(?<!\bMrs)(?<!\bProf)\.(?=\s)"
)

Span = tuple[int, int]


def _depths(text: str) -> list[int]:
    """Nesting depth of matched brackets/quotes at each character; unmatched openers are ignored."""
    stack: list[tuple[str, int]] = []
    delta = [0] * (len(text) + 1)
    for i, ch in enumerate(text):
        if ch in OPENERS:
            stack.append((ch, i))
        elif ch in _PAIR:
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == _PAIR[ch]:
                    opened = stack[k][1]
                    del stack[k:]
                    # Inside the pair: from just after the opener to just before the closer.
                    delta[opened + 1] += 1
                    delta[i] -= 1
                    break
    depths: list[int] = []
    level = 0
    for i in range(len(text)):
        level += delta[i]
        depths.append(level)
    return depths


def split_sentences(text: str) -> list[Span]:
    """Sentence spans within ``text`` (whitespace between sentences is left out)."""
    n = len(text)
    depth = _depths(text)
    latin_stops = {m.start() for m in _LATIN_STOP.finditer(text)}
    ends: list[int] = []
    i = 0
    while i < n:
        ch = text[i]
        if ch in TERMINATORS or i in latin_stops:
            j = i + 1
            while j < n and text[j] in _TRAILERS:
                j += 1
            # The sentence ends here only outside every quote/bracket (closers just consumed
            # count: “……。” ends a sentence when the quote closes).
            if j >= n or depth[j - 1] == 0 or depth[j] == 0 and text[j - 1] in CLOSERS:
                ends.append(j)
            i = j
            continue
        i += 1
    spans: list[Span] = []
    start = 0
    for end in [*ends, n]:
        s, e = start, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        start = end
    return _split_overlong(text, spans, depth)


def _split_overlong(text: str, spans: list[Span], depth: list[int]) -> list[Span]:
    """Split sentences over ``MAX_SENTENCE_CHARS`` at top-level commas into near-equal pieces."""
    out: list[Span] = []
    for s, e in spans:
        if e - s <= MAX_SENTENCE_CHARS:
            out.append((s, e))
            continue
        cuts = [i + 1 for i in range(s, e - 1) if text[i] in CLAUSE_BREAKS and depth[i] == 0]
        pieces = -(-(e - s) // MAX_SENTENCE_CHARS)
        chosen: list[int] = []
        for k in range(1, pieces):
            target = s + (e - s) * k // pieces
            best = min(cuts, key=lambda c: abs(c - target), default=None)
            if best is not None and best not in chosen and (not chosen or best > chosen[-1]):
                chosen.append(best)
        prev = s
        for c in [*chosen, e]:
            out.append((prev, c))
            prev = c
    return out


def group_sentences(lengths: list[int], limit: int = MAX_PASSAGE_CHARS) -> list[tuple[int, int]]:
    """Partition sentences (given their lengths, in order) into ``(first, last + 1)`` groups.

    Fewest groups such that every group of two or more sentences is at most ``limit`` characters
    (a lone sentence may be longer), and among those the smallest longest group.
    """
    n = len(lengths)
    if n == 0:
        return []
    prefix = [0]
    for length in lengths:
        prefix.append(prefix[-1] + length)

    def size(a: int, b: int) -> int:
        return prefix[b] - prefix[a]

    def ok(a: int, b: int) -> bool:
        return b - a == 1 or size(a, b) <= limit

    inf = float("inf")
    # best[g][i]: smallest longest group covering the first i sentences with g groups.
    best: list[list[float]] = [[inf] * (n + 1)]
    best[0][0] = 0
    back: list[list[int]] = [[-1] * (n + 1)]
    g = 0
    while best[g][n] == inf:
        g += 1
        row = [inf] * (n + 1)
        brow = [-1] * (n + 1)
        for i in range(1, n + 1):
            for j in range(i - 1, -1, -1):
                if not ok(j, i):
                    break
                if best[g - 1][j] == inf:
                    continue
                cand = max(best[g - 1][j], size(j, i))
                if cand < row[i]:
                    row[i], brow[i] = cand, j
        best.append(row)
        back.append(brow)
    groups: list[tuple[int, int]] = []
    i = n
    while g > 0:
        j = back[g][i]
        groups.append((j, i))
        i, g = j, g - 1
    return groups[::-1]


__all__ = [
    "MAX_PASSAGE_CHARS",
    "MAX_SENTENCE_CHARS",
    "TERMINATORS",
    "group_sentences",
    "split_sentences",
]
