"""A description of the machine a run happened on, so numbers are never quoted without it."""

from __future__ import annotations

import os
import platform
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil


def cpu_model() -> str:
    """The CPU model from ``/proc/cpuinfo`` (``platform.processor()`` elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe() -> dict[str, Any]:
    """Cores, CPU model, RAM, OS, Python, torch and its thread count, and the local time."""
    info: dict[str, Any] = {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu_model(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a",
    }
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        info["torch"] = "not installed"
    try:
        import faiss

        info["faiss"] = faiss.__version__
    except ImportError:
        pass
    return info


def markdown(info: dict[str, Any]) -> str:
    """The machine as a short markdown list."""
    lines = [
        f"- date: {info['date']}",
        f"- CPU: {info['cpu']}, {info['nproc']} logical cores ({info['affinity']} usable)",
        f"- RAM: {info['ram_gb']} GiB; OS: {info['os']}",
        f"- Python {info['python']}, torch {info.get('torch')} ({info.get('torch_threads', '?')} threads)"
        + (f", faiss {info['faiss']}" if "faiss" in info else ""),
        f"- load average at the start of the run: {info['load']} (the machine is shared)",
    ]
    return "\n".join(lines)
