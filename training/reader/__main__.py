"""``python -m training.reader``: the command ``make train`` runs."""

from __future__ import annotations

import argparse
import sys

from training.reader.data import EVALDATA


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m training.reader", description=__doc__)
    p.add_argument("--data", default=str(EVALDATA), help="directory holding drcd/ and cmrc2018/")
    p.add_argument("--out", default=".planqa/train/reader", help="work directory: cache, checkpoints")
    p.add_argument("--export", default="service/reader/weights", help="where the reader/ and reranker/ adapters go ('' to skip)")
    p.add_argument("--fresh", action="store_true", help="ignore last.pt and start over")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--freeze", type=int, default=6, help="lower layers used as they are (their outputs are cached)")
    p.add_argument("--rank", type=int, default=16, help="LoRA rank of the upper layers")
    p.add_argument("--alpha", type=float, default=32.0)
    p.add_argument("--max-len", type=int, default=384)
    p.add_argument("--stride", type=int, default=128)
    p.add_argument("--neg-frac", type=float, default=0.3, help="share of questions given one BM25 hard negative")
    p.add_argument("--rank-weight", type=float, default=0.5, help="weight of the relevance loss")
    p.add_argument("--limit", type=int, default=0, help="use only this many training questions (0: all)")
    p.add_argument("--eval-limit", type=int, default=400, help="held-out questions scored")
    p.add_argument("--max-steps", type=int, default=0)
    p.add_argument("--budget-min", type=float, default=0, help="fit the step count to end training this many minutes after start")
    p.add_argument("--calibrate-steps", type=int, default=20, help="steps timed before fitting the step count to the budget")
    p.add_argument("--log-every", type=int, default=20)
    p.add_argument("--eval-every", type=int, default=200)
    p.add_argument("--ckpt-every", type=int, default=50)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    p.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto",
                   help="bf16 matrix products (auto: where the CPU has them in hardware)")
    return p


def main(argv: list[str] | None = None) -> int:
    from training.reader.train import run

    return run(parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
