"""Helpers for the browser tests: a server subprocess on a free port, and headless Chromium."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync",
]


def text_box(elem_id: str) -> str:
    """The editable element of a gr.Textbox (a textarea, or an input when it has one line)."""
    return f"#{elem_id} textarea, #{elem_id} input[type=text]"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(url: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
            return json.loads(r.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


@contextmanager
def server(cmd: Sequence[str], port: int, env: dict[str, str] | None = None, log: Path | None = None,
           timeout: float = 120.0) -> Iterator[str]:
    """Run ``cmd`` (which serves on ``port``) until ``/healthz`` says ok; yield its base URL."""
    url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = open(log or ARTIFACTS / f"server-{port}.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(list(cmd), cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        health = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}; see {out.name}")
            health = _health(url)
            if health and health.get("status") == "ok":
                break
            time.sleep(0.5)
        else:
            raise RuntimeError(f"the server was not ready within {timeout:.0f} s: {health}; see {out.name}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()


def uvicorn_factory(factory: str, port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1", "--port", str(port)]


@contextmanager
def chromium_page(base_url: str, width: int = 1400, height: int = 1000) -> Iterator[tuple[Any, list[str]]]:
    """A page in headless Chromium (zh-CN locale) and the list of URLs it requests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height},
                                      accept_downloads=True)
            page = ctx.new_page()
            page.set_default_timeout(60_000)
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(base_url + "/ui/")
            page.wait_for_selector(text_box("pq-question"))
            yield page, requests
        finally:
            browser.close()


def external(requests: Sequence[str]) -> list[str]:
    """Requests that left the machine (anything not to 127.0.0.1, or data/blob URLs)."""
    return [u for u in requests if not u.startswith(("http://127.0.0.1:", "data:", "blob:"))]


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def ask(page: Any, question: str) -> None:
    page.get_by_role("tab", name="问答").click()
    page.fill(text_box("pq-question"), question)
    page.click("#pq-ask")


def search(page: Any, query: str, mode_label: str = "精确") -> None:
    page.get_by_role("tab", name="检索").click()
    page.get_by_label(mode_label, exact=True).check()
    page.fill(text_box("pq-query"), query)
    page.click("#pq-search")
