"""The one tokeniser used for both indexing and querying.

Text is normalised (``textnorm.normalize``), cut by jieba in search mode (long words also yield
their dictionary sub-words, so a query for ``增加值`` matches ``工业增加值``), then stop words and
punctuation are dropped. Numbers and ASCII words (``5g``, ``l4``, ``22.6``) are kept; year ranges
(``2021-2023``, ``2021-未知``) also yield one compound token so a table row's 建设起止年限 cell
can be matched as a whole, and decimals (``22.6``) stay whole.

jieba's HMM guesser for unknown words is off: it groups unknown characters differently in a short
query than in a long passage, so the two sides stop sharing tokens (measured on CMRC2018
retrieval with BM25: R@1 0.958 with HMM, 0.966 without). Names it would have guessed come from
the user dictionary instead.

Each ``Tokenizer`` owns a private ``jieba.Tokenizer`` loaded with the index's user dictionary, so
two indexes with different dictionaries can live in one process. It is initialised eagerly in
the constructor; afterwards it is only read, so it is safe to share between threads.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import jieba

from index.textnorm import normalize

DATA_DIR = Path(__file__).parent / "data"

jieba.setLogLevel(logging.WARNING)

_PUNCT_ONLY = re.compile(r"^[\W_]+$")
_PERCENT_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)%$")
_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")
_YEAR_RANGE = re.compile(r"((?:19|20)\d\d)\s*[-–—~～至到]\s*((?:19|20)\d\d|未知|今)")
_DIGITS = re.compile(r"\d")
_ASCII_RUN = re.compile(r"[a-z0-9][a-z0-9.]*[a-z0-9]|[0-9]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _read_list(name: str) -> list[str]:
    path = DATA_DIR / name
    out: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(normalize(line))
    return out


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The stop-word list shipped in ``index/data/stopwords.txt`` (normalised)."""
    return frozenset(_read_list("stopwords.txt"))


@lru_cache(maxsize=1)
def curated_terms() -> tuple[str, ...]:
    """The curated planning terms shipped in ``index/data/terms.txt`` (normalised)."""
    return tuple(_read_list("terms.txt"))


_base_lock = threading.Lock()
_base: jieba.Tokenizer | None = None


def _fresh_jieba() -> jieba.Tokenizer:
    """A new jieba tokenizer with the general dictionary, copied from one loaded per process."""
    global _base
    with _base_lock:
        if _base is None:
            base = jieba.Tokenizer()
            base.initialize()
            _base = base
        jt = jieba.Tokenizer()
        jt.FREQ = dict(_base.FREQ)
        jt.total = _base.total
        jt.initialized = True
    return jt


def is_highlight_term(token: str) -> bool:
    """Whether a query token is worth highlighting: two characters or more, or a number."""
    return len(token) >= 2 or bool(_DIGITS.search(token))


class Tokenizer:
    """jieba search-mode tokenisation over normalised text with a user dictionary."""

    def __init__(self, user_words: Iterable[str] = (), hmm: bool = False) -> None:
        self.hmm = hmm
        self._stop = stopwords()
        jt = _fresh_jieba()
        words = list(curated_terms()) + [normalize(w) for w in user_words]
        for w in dict.fromkeys(words):
            if w and not any(c.isspace() for c in w):
                jt.add_word(w)
        self._jieba = jt

    def tokens(self, text: str) -> list[str]:
        """Index/query tokens of ``text``, in order, with repeats (BM25 counts them)."""
        norm = normalize(text)
        out: list[str] = []
        for tok in self._jieba.cut_for_search(norm, HMM=self.hmm):
            tok = tok.strip()
            if not tok or _PUNCT_ONLY.match(tok):
                continue
            m = _PERCENT_NUMBER.match(tok)
            if m:
                tok = m.group(1)
            if tok in self._stop:
                continue
            out.append(tok)
            if _CJK.search(tok):
                # A dictionary word mixing scripts (5g基站) also yields its ASCII part (5g).
                out.extend(a for a in _ASCII_RUN.findall(tok) if a not in self._stop)
        out.extend(_DECIMAL.findall(norm))
        for m in _YEAR_RANGE.finditer(norm):
            out.append(f"{m.group(1)}-{m.group(2)}")
        return out

    def terms(self, text: str) -> list[str]:
        """The distinct tokens of ``text`` worth highlighting, longest first."""
        uniq = {t for t in self.tokens(text) if is_highlight_term(t)}
        return sorted(uniq, key=lambda t: (-len(t), t))


def find_highlights(text: str, terms: Iterable[str]) -> tuple[tuple[int, int], ...]:
    """Character ranges of the occurrences of ``terms`` in ``text`` (compared normalised).

    Overlapping ranges are merged, so a highlight never splits a longer matched term.
    """
    norm = normalize(text)
    ranges: list[tuple[int, int]] = []
    for term in terms:
        if not term:
            continue
        start = norm.find(term)
        while start >= 0:
            ranges.append((start, start + len(term)))
            start = norm.find(term, start + 1)
    if not ranges:
        return ()
    ranges.sort()
    merged = [ranges[0]]
    for a, b in ranges[1:]:
        la, lb = merged[-1]
        if a <= lb:
            merged[-1] = (la, max(lb, b))
        else:
            merged.append((a, b))
    return tuple(merged)
