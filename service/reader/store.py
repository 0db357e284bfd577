"""A trained adapter on disk: ``adapter.safetensors`` + ``manifest.json``, verified before use.

The manifest names the base model and the checksum of its weights, the checksum of every file
in the directory, the training data, command, seed, hyperparameters and held-out metrics. An
adapter is written beside its final place and moved in with ``os.replace``, so a reader never
sees half a directory; loading refuses a directory whose files or base model do not match.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch

from index.materialize import MANIFEST as BASE_MANIFEST
from index.materialize import sha256_file
from ingest.errors import ModelError

ADAPTER_FILE = "adapter.safetensors"
MANIFEST = "manifest.json"
FORMAT = 1


def base_identity(base_dir: Path) -> dict[str, str]:
    """The base model's id and the checksum of its weights, from its own (verified) manifest."""
    try:
        m = json.loads((Path(base_dir) / BASE_MANIFEST).read_text(encoding="utf-8"))
        return {"id": m["model"], "sha256": m["files"]["model.safetensors"]["sha256"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{base_dir}: the base model has no readable {BASE_MANIFEST}") from exc


def save_adapter(target: Path, state: dict[str, torch.Tensor], manifest: dict[str, Any]) -> Path:
    """Write ``state`` (stored as float16) and its manifest into ``target`` atomically."""
    from safetensors.torch import save_file

    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the adapter ships as package data
    try:
        save_file({k: v.to(torch.float16).contiguous() for k, v in state.items()}, str(tmp / ADAPTER_FILE))
        f = tmp / ADAPTER_FILE
        full = {
            "format": FORMAT,
            **manifest,
            "files": {ADAPTER_FILE: {"sha256": sha256_file(f), "size": f.stat().st_size}},
        }
        (tmp / MANIFEST).write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, old / "x")
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def read_adapter(directory: Path, base_dir: Path) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """(manifest, tensors) of a verified adapter; ModelError names what is wrong."""
    from safetensors.torch import load_file

    directory = Path(directory)
    mpath = directory / MANIFEST
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{mpath}: missing") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"{mpath}: unreadable manifest ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise ModelError(f"{mpath}: not an adapter manifest of format {FORMAT}")
    for rel, meta in sorted(manifest["files"].items()):
        f = directory / rel
        if not f.is_file():
            raise ModelError(f"{f}: missing")
        if f.stat().st_size != meta.get("size") or sha256_file(f) != meta.get("sha256"):
            raise ModelError(f"{f}: checksum mismatch (corrupt or modified)")
    base = base_identity(base_dir)
    want = manifest.get("base_model", {})
    if want.get("sha256") != base["sha256"]:
        raise ModelError(
            f"{directory}: trained on base model {want.get('id')}@{str(want.get('sha256'))[:12]}, "
            f"but {base['id']}@{base['sha256'][:12]} is installed"
        )
    try:
        tensors = load_file(str(directory / ADAPTER_FILE))
    except Exception as exc:  # safetensors raises its own error types for bad headers
        raise ModelError(f"{directory / ADAPTER_FILE}: unreadable ({exc})") from exc
    return manifest, {k: v.float() for k, v in tensors.items()}
