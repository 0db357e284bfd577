"""Training examples from DRCD dev and CMRC2018 trial, and the windows the model sees.

Every text goes through the index's length-preserving normaliser (Traditional → Simplified among
other things), so answer offsets stay valid; an example whose answer text is not found at its
offset after conversion is dropped and counted. CMRC2018 dev and DRCD test are the test sets and
are never read here. A few DRCD articles are held out (chosen by a hash of the article id, so the split does not
depend on the seed) to pick the best checkpoint and to report a score no training step saw.

Each question also gets, with probability ``neg_frac``, one hard negative: the highest-ranked
other paragraph of the same dataset under BM25 with planqa's own tokeniser. Negatives teach the
relevance head what a near miss looks like and the span head to answer "nothing here".
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from index.textnorm import normalize
from service.reader.windows import Window, make_windows

EVALDATA = Path(__file__).resolve().parents[3] / "shared" / "evaldata"
SOURCES = {
    "drcd_dev": Path("drcd/DRCD_dev.json"),
    "cmrc_trial": Path("cmrc2018/cmrc2018_trial.json"),
}
HELD_OUT_PER_MILLE = 40  # DRCD articles held out for checkpoint choice


@dataclass(frozen=True, slots=True)
class Example:
    qid: str
    source: str
    paragraph: str  # "<source>/<paragraph index>"
    question: str
    context: str
    start: int
    answer: str
    answers: tuple[str, ...]  # every gold answer, for scoring
    held_out: bool


@dataclass(frozen=True, slots=True)
class Feature:
    """One window with its labels: token positions of the answer (0, 0 when absent) and relevance."""

    qid: str
    window: Window
    start: int
    end: int
    relevant: bool


@dataclass
class Loaded:
    examples: list[Example]
    dropped: dict[str, int]
    files: dict[str, str]  # path → sha256


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _held_out(source: str, article: str) -> bool:
    if not source.startswith("drcd"):
        return False
    digest = hashlib.sha256(f"{source}/{article}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 1000 < HELD_OUT_PER_MILLE


def load_examples(root: Path = EVALDATA) -> Loaded:
    """All usable examples of the training sources, with counts of what was dropped and why."""
    examples: list[Example] = []
    dropped = {"offset_mismatch": 0, "no_answer": 0}
    files: dict[str, str] = {}
    for source, rel in SOURCES.items():
        path = root / rel
        files[str(rel)] = sha256(path)
        data = json.loads(path.read_text(encoding="utf-8"))
        p_index = 0
        for article in data["data"] if isinstance(data, dict) else data:
            held = _held_out(source, str(article.get("id") or article.get("title")))
            for para in article["paragraphs"]:
                context = normalize(para["context"])
                pid = f"{source}/{p_index}"
                p_index += 1
                for qa in para["qas"]:
                    golds = [a for a in qa.get("answers", []) if a.get("text", "").strip()]
                    if not golds:
                        dropped["no_answer"] += 1
                        continue
                    first = golds[0]
                    start, answer = int(first["answer_start"]), normalize(first["text"])
                    if context[start : start + len(answer)] != answer:
                        dropped["offset_mismatch"] += 1
                        continue
                    examples.append(
                        Example(
                            qid=f"{source}/{qa['id']}",
                            source=source,
                            paragraph=pid,
                            question=normalize(qa["question"]),
                            context=context,
                            start=start,
                            answer=answer,
                            answers=tuple(dict.fromkeys(normalize(a["text"]) for a in golds)),
                            held_out=held,
                        )
                    )
    return Loaded(examples, dropped, files)


def hard_negatives(examples: Sequence[Example]) -> dict[str, str]:
    """qid → the best-ranked BM25 paragraph of the same source that is not the question's own."""
    import bm25s

    from index.tokenize import Tokenizer

    tok = Tokenizer()
    out: dict[str, str] = {}
    by_source: dict[str, list[Example]] = {}
    for ex in examples:
        by_source.setdefault(ex.source, []).append(ex)
    for exs in by_source.values():
        paras = list(dict.fromkeys((e.paragraph, e.context) for e in exs))
        model = bm25s.BM25(k1=0.9, b=0.4)
        model.index([tok.tokens(text) for _, text in paras], show_progress=False)
        for ex in exs:
            ids = model.get_tokens_ids(tok.tokens(ex.question))
            if not ids:
                continue
            scores = model.get_scores(ids)
            for i in sorted(range(len(paras)), key=lambda k: -scores[k])[:5]:
                if paras[i][0] != ex.paragraph and ex.answer not in paras[i][1]:
                    out[ex.qid] = paras[i][1]
                    break
    return out


def _label(window: Window, start: int, end: int) -> tuple[int, int]:
    """Token positions of the character span [start, end) in ``window``, or (0, 0) if not wholly inside."""
    s = e = None
    for i, off in enumerate(window.offsets):
        if off is None:
            continue
        if s is None and off[0] <= start < off[1]:
            s = i
        if off[0] < end <= off[1]:
            e = i
    if s is None or e is None or e < s:
        return 0, 0
    return s, e


def features(
    tokenizer,
    examples: Sequence[Example],
    max_len: int,
    stride: int,
    negatives: dict[str, str] | None = None,
    neg_frac: float = 0.0,
    seed: int = 0,
) -> list[Feature]:
    """Every window of every example's paragraph, plus the first window of a sampled hard negative."""
    rng = random.Random(seed)
    out: list[Feature] = []
    for ex in examples:
        for w in make_windows(tokenizer, ex.question, [ex.context], max_len, stride):
            s, e = _label(w, ex.start, ex.start + len(ex.answer))
            out.append(Feature(ex.qid, w, s, e, s > 0))
        neg = (negatives or {}).get(ex.qid)
        if neg is not None and rng.random() < neg_frac:
            w = make_windows(tokenizer, ex.question, [neg], max_len, stride)[0]
            out.append(Feature(ex.qid, w, 0, 0, False))
    return out
