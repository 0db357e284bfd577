"""planqa as a separate process, the way users run it: ``planqa index`` and ``planqa serve``.

Evaluations and benchmarks talk to a real server over loopback, so what they measure includes
HTTP, JSON and the app's middleware. The server gets its own corpus and index directory through
``PLANQA_*`` variables, a free port, and a log file that is shown when it fails to come up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

HOST = "127.0.0.1"


class ServerError(RuntimeError):
    """The server did not come up (or ``planqa index`` failed); the message holds its log tail."""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def planqa_env(corpus_dir: Path, index_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment with planqa pointed at ``corpus_dir`` and ``index_dir``."""
    env = dict(os.environ)
    env["PLANQA_CORPUS_DIR"] = str(Path(corpus_dir).resolve())
    env["PLANQA_INDEX_DIR"] = str(Path(index_dir).resolve())
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.update(extra or {})
    return env


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _cli() -> list[str]:
    return [sys.executable, "-m", "service.cli"]


def run_index(
    corpus_dir: Path, index_dir: Path, extra_env: Mapping[str, str] | None = None,
    force: bool = False, log_path: Path | None = None, show: bool = False,
) -> float:
    """Run ``planqa index`` in a subprocess; return its wall time in seconds.

    With ``show`` its output (the embedding progress bar) goes to this terminal, else to a log.
    """
    cmd = [*_cli(), "index", *(["--force"] if force else [])]
    env = planqa_env(corpus_dir, index_dir, extra_env)
    log_path = log_path or Path(index_dir).parent / "index.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    if show:
        rc = subprocess.call(cmd, env=env)
    else:
        with open(log_path, "w", encoding="utf-8") as log:
            rc = subprocess.call(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    took = time.perf_counter() - t0
    if rc != 0:
        detail = "" if show else ":\n" + _tail(log_path)
        raise ServerError(f"`planqa index` failed for {corpus_dir} (exit {rc}){detail}")
    return took


@dataclass
class Server:
    """A running ``planqa serve`` process."""

    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path
    startup_s: float = 0.0
    health: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def rss_mb(self) -> float:
        """Resident memory of the server process and its children, in MiB."""
        try:
            p = psutil.Process(self.proc.pid)
            procs = [p, *p.children(recursive=True)]
            return sum(x.memory_info().rss for x in procs) / 2**20
        except psutil.NoSuchProcess:
            return float("nan")

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout)


def wait_healthy(server: Server, timeout: float) -> dict:
    """Poll ``/healthz`` until it says ok; ServerError if the process dies, errs or times out."""
    deadline = time.perf_counter() + timeout
    with httpx.Client(timeout=2.0) as client:
        while time.perf_counter() < deadline:
            if server.proc.poll() is not None:
                raise ServerError(f"planqa serve exited with {server.proc.returncode}:\n{_tail(server.log_path)}")
            try:
                r = client.get(server.url + "/healthz")
                body = r.json()
                if body.get("status") == "ok":
                    return body
                if body.get("status") == "error":
                    raise ServerError(f"planqa serve has no index: {body.get('detail')}\n{_tail(server.log_path)}")
            except (httpx.TransportError, ValueError):
                pass
            time.sleep(0.05)
    raise ServerError(f"planqa serve was not healthy after {timeout:.0f} s:\n{_tail(server.log_path)}")


def start_server(
    corpus_dir: Path, index_dir: Path, extra_env: Mapping[str, str] | None = None,
    log_path: Path | None = None, timeout: float = 300.0,
) -> Server:
    """Start ``planqa serve`` on a free loopback port and wait until ``/healthz`` is ok.

    ``startup_s`` is the time from process start to the first healthy answer.
    """
    port = free_port()
    log_path = log_path or Path(index_dir).parent / f"server-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed with the process
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*_cli(), "serve", "--host", HOST, "--port", str(port)],
        env=planqa_env(corpus_dir, index_dir, extra_env), stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    server = Server(proc, port, log_path)
    try:
        server.health = wait_healthy(server, timeout)
    except BaseException:
        server.stop()
        raise
    server.startup_s = time.perf_counter() - t0
    return server


@contextlib.contextmanager
def serving(
    corpus_dir: Path, index_dir: Path, extra_env: Mapping[str, str] | None = None,
    log_path: Path | None = None, timeout: float = 300.0,
) -> Iterator[Server]:
    """A server for the duration of a ``with`` block, stopped however the block ends."""
    server = start_server(corpus_dir, index_dir, extra_env, log_path, timeout)
    try:
        yield server
    finally:
        server.stop()


class RssSampler:
    """Samples a server's RSS once a second in the background; keeps the maximum."""

    def __init__(self, server: Server) -> None:
        self.server, self.peak, self._stop = server, 0.0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.peak = max(self.peak, self.server.rss_mb())

    def __enter__(self) -> RssSampler:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()
