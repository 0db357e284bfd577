"""Helpers for the browser tests: a server subprocess on a free port, and headless Chromium.

The browser is offline: every request beyond 127.0.0.1 is aborted and recorded, so a page that
needs the internet fails its test. Console errors and failed requests are recorded too.
"""

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio",
]
DESKTOP = (1440, 900)
PHONE = (390, 844)
LOCAL = "http://127.0.0.1:"


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


@dataclass
class Watch:
    """What a page did that it should not: console errors, failed or refused requests."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"left the machine: {u}" for u in self.blocked] + [f"console: {m}" for m in self.console_errors]
                + [f"failed: {f}" for f in self.failed])


def _benign_abort(request: Any) -> bool:
    # Gradio closes its event stream (queue/data) itself once no event is pending; the browser
    # reports the closed stream as an aborted request. Nothing the reader asked for failed.
    return "/gradio_api/queue/data" in request.url and "ERR_ABORTED" in (request.failure or "")


@contextmanager
def browser_page(width: int = DESKTOP[0], height: int = DESKTOP[1], locale: str = "zh-CN") -> Iterator[tuple[Any, Watch]]:
    """A blank page in offline headless Chromium and what it is watched for."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(locale=locale, viewport={"width": width, "height": height},
                                      accept_downloads=True, device_scale_factor=1)
            watch = Watch()

            def refuse(route: Any) -> None:
                watch.blocked.append(route.request.url)
                route.abort()

            ctx.route(lambda url: not url.startswith((LOCAL, "data:", "blob:")), refuse)
            page = ctx.new_page()
            page.set_default_timeout(60_000)
            page.on("request", lambda r: watch.requests.append(r.url))
            page.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: watch.console_errors.append(str(e)))
            page.on("requestfailed", lambda r: None if _benign_abort(r) else watch.failed.append(
                f"{r.url} ({r.failure})"))
            page.on("response", lambda r: watch.failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
            yield page, watch
        finally:
            browser.close()


@contextmanager
def chromium_page(base_url: str, width: int = DESKTOP[0], height: int = DESKTOP[1],
                  path: str = "/ui/") -> Iterator[tuple[Any, Watch]]:
    """The interface open in offline headless Chromium, ready for a question."""
    with browser_page(width, height) as (page, watch):
        page.goto(base_url + path)
        page.wait_for_selector(text_box("pq-question"), state="attached")
        wait_idle(page)
        yield page, watch


def wait_idle(page: Any) -> None:
    """Until no Gradio event is pending (the progress indicators are gone)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=status-tracker]')].every((e) => e.classList.contains('hide'))",
        timeout=120_000)


def external(requests: Sequence[str]) -> list[str]:
    """Requests that left the machine (anything not to 127.0.0.1, or data/blob URLs)."""
    return [u for u in requests if not u.startswith((LOCAL, "data:", "blob:"))]


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def ask(page: Any, question: str) -> None:
    page.get_by_role("tab", name="问答").click()
    page.fill(text_box("pq-question"), question)
    page.click("#pq-ask")


def wait_answer(page: Any, count: int, timeout: float = 120_000) -> Any:
    """Until the chat holds ``count`` finished answers; returns the last one."""
    page.wait_for_function(
        """(n) => {
          const bots = document.querySelectorAll('#pq-chat [data-testid=bot]');
          return bots.length === n && bots[n - 1].querySelector('.pq-answer') !== null;
        }""", arg=count, timeout=timeout)
    wait_idle(page)
    return page.locator("#pq-chat [data-testid=bot]").nth(count - 1)


def search(page: Any, query: str, mode_label: str = "精确") -> None:
    page.get_by_role("tab", name="检索").click()
    page.get_by_label(mode_label, exact=True).check()
    page.fill(text_box("pq-query"), query)
    page.click("#pq-search")


def choose(page: Any, elem_id: str, option: str) -> None:
    """Pick ``option`` (its label) in the gr.Dropdown ``elem_id``."""
    page.click(f"#{elem_id} input")
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def in_viewport(page: Any, selector: str) -> bool:
    """Whether the element's box lies (at least half) inside the window."""
    return bool(page.evaluate(
        """(sel) => {
          const el = document.querySelector(sel);
          if (!el) return false;
          const r = el.getBoundingClientRect();
          const mid = r.top + Math.min(r.height, 40) / 2;
          return r.width > 0 && mid >= 0 && mid <= window.innerHeight && r.left < window.innerWidth;
        }""", selector))
