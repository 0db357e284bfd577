"""Train the query adapter: question vectors moved toward the passages that answer them.

    python -m training.query            # fold adapters (leave-documents-out) and the shipped adapter
    python -m training.query --no-folds # the shipped adapter only

Data: the answerable questions in everyday words (``training/data/paraphrase``), asked of one
index holding every policy document, the 2022 work report and ``corpus/``; a question's positives
are the passages holding one of its gold strings. Passage vectors stay as the index has them;
low-rank updates (rank 8) of every linear layer of the embedding model are trained on the questions
only, with a softmax over all passages of the training documents (each step's 32 questions
against the whole collection, not just each other). Never read: the dev questions of
``../shared/eval``, CMRC2018 dev, DRCD test.

Fold k's adapter is trained without fold k's documents (neither their questions nor their passages
as negatives) and scored on them: retrieval hit@1/5/20, dense alone and fused with BM25 as the
index fuses them, against the model without the adapter. The shipped adapter is trained on every
fold. Each finished model is written at once; a rerun skips models already written with the same
data and settings. About 7 minutes a model on 2 cores.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import random
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.textnorm import normalize
from training import paraphrase as P

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / ".planqa" / "train"
FOLDS_DIR = WORK / "query-folds"
SEED = 13


@dataclass(frozen=True)
class Config:
    rank: int = 8
    alpha: float = 16.0
    steps: int = 400
    batch: int = 32
    lr: float = 2e-4
    weight_decay: float = 0.01
    temperature: float = 0.02
    max_tokens: int = 64


@dataclass
class Data:
    """The questions (as the engine embeds them), their gold passages and the passages' vectors."""

    texts: list[str]
    gold: list[list[int]]
    folds: list[int]
    bm25: list[list[tuple[int, float]]]
    passage_vectors: np.ndarray
    passage_folds: np.ndarray  # the fold of each passage's document; -1 for documents in no fold


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def load_data(embedder: Any, work: Path) -> Data:
    from evaluation.paraphrase import doc_id, open_collection

    index = open_collection(work, embedder)
    passages = index.hybrid.passages
    flat = [normalize(p.text).replace(" ", "") for p in passages]
    qs = [q for q in P.load() if not q.oos]
    fold_of_doc = {doc_id(q.doc): P.fold_of(q.doc) for q in qs}
    texts, gold, folds, bm25 = [], [], [], []
    for q in qs:
        golds = [normalize(c).replace(" ", "") for c in q.cite_any]
        g = [i for i, t in enumerate(flat) if any(x in t for x in golds)]
        if not g:
            continue  # the gold sentence crosses a passage boundary
        text = question_text(q)
        texts.append(text)
        gold.append(g)
        folds.append(P.fold_of(q.doc))
        bm25.append(index.hybrid.bm25.ranked(text, 100))
    pv = index.hybrid.dense.index.reconstruct_n(0, len(passages))
    pf = np.asarray([fold_of_doc.get(p.doc_id, -1) for p in passages])
    return Data(texts, gold, folds, bm25, np.asarray(pv, dtype=np.float32), pf)


def _encode(model: Any, tokenizer: Any, prompt: str, texts: list[str], max_tokens: int) -> Any:
    import torch

    t = tokenizer([prompt + x for x in texts], padding=True, truncation=True, max_length=max_tokens,
                  return_tensors="pt")
    out = model(**t).last_hidden_state
    m = t["attention_mask"].unsqueeze(-1).to(out.dtype)
    return torch.nn.functional.normalize((out * m).sum(1) / m.sum(1), dim=1)


def train(st: Any, data: Data, held_fold: int | None, cfg: Config, label: str) -> tuple[dict[str, Any], np.ndarray]:
    """(low-rank factors, held-out question vectors) of one adapter."""
    import torch

    from service.reader.model import LORA_TARGETS, LoRALinear, _set_submodule
    from service.reader.query import lora_key

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    bert = copy.deepcopy(st.model[0].auto_model).float()
    for p in bert.parameters():
        p.requires_grad = False
    layers = list(range(len(bert.encoder.layer)))
    for i in layers:
        for target in LORA_TARGETS:
            layer = bert.encoder.layer[i]
            _set_submodule(layer, target, LoRALinear(layer.get_submodule(target), cfg.rank, cfg.alpha))
    params = [p for p in bert.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    allowed = data.passage_folds != held_fold if held_fold is not None else np.ones(len(data.passage_folds), bool)
    pv = torch.from_numpy(data.passage_vectors[allowed])
    column = np.full(len(allowed), -1)
    column[allowed] = np.arange(int(allowed.sum()))
    rows = [i for i, f in enumerate(data.folds) if f != held_fold]
    tokenizer, prompt = st.model.tokenizer, st.query_prompt or ""
    bert.train()
    t0 = time.time()
    for step in range(1, cfg.steps + 1):
        batch = [rows[rng.randrange(len(rows))] for _ in range(cfg.batch)]
        q = _encode(bert, tokenizer, prompt, [data.texts[i] for i in batch], cfg.max_tokens)
        logits = q @ pv.T / cfg.temperature
        mask = torch.zeros_like(logits, dtype=torch.bool)
        for j, i in enumerate(batch):
            cols = [int(column[g]) for g in data.gold[i] if column[g] >= 0]
            mask[j, cols] = True
        loss = -(torch.logsumexp(logits.masked_fill(~mask, -1e9), 1) - torch.logsumexp(logits, 1)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0 or step == cfg.steps:
            rate = step / (time.time() - t0)
            _log(f"{label}: step {step}/{cfg.steps}, loss {loss.item():.3f}, {rate:.2f} steps/s, "
                 f"ETA {(cfg.steps - step) / rate / 60:.1f} min")
    bert.eval()
    state = {}
    for i in layers:
        for target in LORA_TARGETS:
            m = bert.encoder.layer[i].get_submodule(target)
            state[lora_key(i, target, "a")] = m.lora_a.detach().clone()
            state[lora_key(i, target, "b")] = m.lora_b.detach().clone()
    held = [i for i, f in enumerate(data.folds) if f == held_fold]
    with torch.no_grad():
        vecs = [_encode(bert, tokenizer, prompt, [data.texts[i] for i in held[s:s + 64]], cfg.max_tokens).numpy()
                for s in range(0, len(held), 64)]
    return state, (np.concatenate(vecs) if vecs else np.zeros((0, pv.shape[1]), np.float32))


def retrieval_hits(data: Data, rows: list[int], qv: np.ndarray) -> dict[str, float]:
    """Hit@1/5/20 of dense retrieval alone and fused with BM25 (z-score, α 0.5, depth 100)."""
    from index.hybrid import DEFAULT_FUSION, fuse

    hits = np.zeros(6)
    for i, v in zip(rows, qv, strict=True):
        sims = data.passage_vectors @ v
        top = np.argsort(-sims)[:100]
        dense = [(int(j), float(sims[j])) for j in top]
        fused = [j for j, _ in fuse(data.bm25[i], dense, DEFAULT_FUSION)]
        g = set(data.gold[i])
        hits += [bool(g & set(top[:k].tolist())) for k in (1, 5, 20)] + [bool(g & set(fused[:k])) for k in (1, 5, 20)]
    hits /= max(1, len(rows))
    names = ("dense@1", "dense@5", "dense@20", "hybrid@1", "hybrid@5", "hybrid@20")
    return {n: round(float(h), 3) for n, h in zip(names, hits, strict=True)}


def _data_key(cfg: Config) -> str:
    return hashlib.sha256(json.dumps([P.data_sha(), asdict(cfg), SEED]).encode()).hexdigest()[:16]


def _done(directory: Path, key: str) -> bool:
    try:
        return json.loads((directory / "manifest.json").read_text(encoding="utf-8")).get("training_key") == key
    except (OSError, ValueError):
        return False


def question_text(q: P.Question) -> str:
    """The text the answer engine retrieves with, and so embeds, for ``q``."""
    from service.answer.question import analyse

    return analyse(q.q).text or q.q


def out_of_fold_vectors(base: Any, questions: list[P.Question], folds_dir: Path = FOLDS_DIR
                        ) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """(vector by question id, adapter id by fold): each question as the engine embeds it, through
    the adapter of its document's fold, which never saw that document. ``SystemExit`` when a fold's
    adapter is missing. Keyed by question, not text: the same words asked of two documents of two
    folds get two vectors."""
    from service.reader.query import apply_query_adapter, without_query_adapter

    base = without_query_adapter(base)
    out: dict[str, np.ndarray] = {}
    ids: dict[str, str] = {}
    for k in range(P.FOLDS):
        d = folds_dir / f"fold-{k}"
        if not (d / "manifest.json").is_file():
            raise SystemExit(f"query adapter of fold {k} missing under {folds_dir}: run `python -m training.query` first")
        adapter = apply_query_adapter(base, d)
        ids[str(k)] = adapter.adapter_id
        mine = [q for q in questions if P.fold_of(q.doc) == k]
        if mine:
            vecs = adapter.embed_queries([question_text(q) for q in mine])
            out.update({q.id: v for q, v in zip(mine, vecs, strict=True)})
    return out, ids


def fold_embedder(embedder: Any, questions: list[P.Question], folds_dir: Path = FOLDS_DIR
                  ) -> tuple[Any, dict[str, np.ndarray], dict[str, str]]:
    """(a ``PrefetchEmbedder`` over the passage embedder, vector by question id, adapter id by fold).

    When ``embedder`` embeds questions without an adapter, so are the written questions: no
    vectors, and the ``PrefetchEmbedder`` is over ``embedder`` itself.
    """
    from evaluation.cmrc import PrefetchEmbedder
    from service.reader.query import query_adapter_id, without_query_adapter

    if query_adapter_id(embedder) is None:
        return PrefetchEmbedder(embedder), {}, {}
    vectors, ids = out_of_fold_vectors(embedder, questions, folds_dir)
    return PrefetchEmbedder(without_query_adapter(embedder)), vectors, ids


def serve_fold_vector(embedder: Any, q: P.Question, vectors: dict[str, np.ndarray] | None) -> None:
    """Make ``embedder`` (a ``PrefetchEmbedder``) give ``q`` its fold adapter's vector, when it has one."""
    if vectors and q.id in vectors:
        embedder.remember([question_text(q)], vectors[q.id][None])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=None, help="the shipped adapter (default: service/reader/weights/query)")
    ap.add_argument("--folds-dir", type=Path, default=FOLDS_DIR)
    ap.add_argument("--no-folds", action="store_true", help="only the shipped adapter")
    ap.add_argument("--steps", type=int, default=Config.steps)
    ap.add_argument("--work", type=Path, default=REPO / ".planqa" / "eval" / "collection")
    args = ap.parse_args(argv)
    from evaluation.cmrc import PrefetchEmbedder
    from index.embedder import load_embedder
    from service.reader.model import LORA_TARGETS
    from service.reader.query import KIND, SHIPPED, _sentence_embedder
    from service.reader.store import base_identity, save_adapter
    from service.settings import Settings

    cfg = Config(steps=args.steps)
    out = args.out or SHIPPED
    s = Settings()
    base = load_embedder(s.embedding_model, s.model_dir, s.embedding_cache_dir, s.embedding_batch_size,
                         precision="fp32")
    st = _sentence_embedder(base)
    if st is None or st.path is None:
        raise SystemExit("the query adapter is trained on the default embedding model, loaded from its directory")
    t0 = time.time()
    data = load_data(PrefetchEmbedder(base), args.work)
    _log(f"{len(data.texts)} answerable questions with their gold passages, {len(data.passage_folds)} passages")
    key = _data_key(cfg)
    n_layers = len(st.model[0].auto_model.encoder.layer)
    manifest_base = {
        "kind": KIND,
        "base_model": base_identity(st.path),
        "adapter": {"rank": cfg.rank, "alpha": cfg.alpha, "layers": list(range(n_layers)),
                    "targets": list(LORA_TARGETS)},
        "training": {**asdict(cfg), "seed": SEED, "precision": "fp32",
                     "command": "python -m training.query" + ("" if not argv else " " + " ".join(argv))},
        "training_data": {"paraphrase": {"folder": "training/data/paraphrase", "sha256": P.data_sha(),
                                         "questions": "the answerable ones whose gold string lies in one passage"},
                          "never_read": ["eval/dev_qa.jsonl", "eval/dev_qa_govreport.jsonl",
                                         "cmrc2018/cmrc2018_dev.json", "drcd/DRCD_test.json"]},
        "training_key": key,
    }
    folds: dict[str, Any] = {}
    if not args.no_folds:
        for k in range(P.FOLDS):
            target = args.folds_dir / f"fold-{k}"
            held = [i for i, f in enumerate(data.folds) if f == k]
            if _done(target, key):
                folds[str(k)] = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["held_out"]
                _log(f"fold {k}: kept from an earlier run")
                continue
            state, qv = train(st, data, k, cfg, f"fold {k}")
            before = retrieval_hits(data, held, PrefetchEmbedder(base).embed_queries([data.texts[i] for i in held]))
            after = retrieval_hits(data, held, qv)
            folds[str(k)] = {"questions": len(held), "without_adapter": before, "with_adapter": after}
            _log(f"fold {k}: without {before}\n    with    {after}")
            save_adapter(target, state, {**manifest_base, "fold": k, "held_out": folds[str(k)],
                                         "created": datetime.now(UTC).isoformat(timespec="seconds")})
    if folds:
        n = sum(f["questions"] for f in folds.values())
        pooled = {w: {m: round(sum(f[w][m] * f["questions"] for f in folds.values()) / n, 3)
                      for m in next(iter(folds.values()))[w]} for w in ("without_adapter", "with_adapter")}
        folds["all"] = {"questions": n, **pooled}
        _log(f"leave-documents-out, {n} questions: {json.dumps(pooled)}")
    state, _ = train(st, data, None, cfg, "shipped")
    save_adapter(out, state, {**manifest_base, "metrics": {"leave_documents_out": folds},
                              "wall_minutes": round((time.time() - t0) / 60, 1),
                              "created": datetime.now(UTC).isoformat(timespec="seconds")})
    _log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

