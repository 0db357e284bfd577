"""Who may use the API and how much: the exposure check at start-up and the per-key limits.

Without keys a server answers whoever reaches it, so it binds loopback only unless the operator
opts in (``PLANQA_OPEN_API``). Each key has a budget of requests per minute, counted by the
``limits`` library (moving window), and of requests at once, counted here (a response holds its
request until its last byte is sent, so a streamed answer counts while it streams).

Several workers (``PLANQA_WORKERS``): with the default ``memory://`` storage each worker process
counts on its own, so each admits its share of a key's limit — ``max(1, limit // workers)`` — and
the whole server never admits more than the limit (a client whose requests all reach one worker
gets that worker's share). With a shared storage (``redis://…``) every worker and replica counts
in the same place and each admits up to the full limit. Requests at once are always counted per
worker, with the same share.
"""

from __future__ import annotations

import ipaddress
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ingest.errors import RateLimited, UnsafeExposure

if TYPE_CHECKING:
    from service.keys import KeyRecord, KeyRing
    from service.settings import Settings

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` serves this machine only (an unknown name counts as not)."""
    name = host.strip().strip("[]").lower()
    if name in LOCAL_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def keys_required(settings: Settings, keys: KeyRing) -> bool:
    """A key is needed once any exists, and always on a non-loopback address unless the API is open."""
    return keys.has_keys() or not (settings.open_api or is_loopback(settings.host))


def check_exposure(settings: Settings, keys: KeyRing) -> None:
    """Refuse to serve a non-loopback address that would answer anyone, unless told to."""
    if settings.open_api or is_loopback(settings.host):
        return
    problems = []
    if not keys.has_keys():
        problems.append(f"no API key is configured in {keys.path} (create one with `planqa keys create NAME`)")
    if settings.ui and not settings.ui_users:
        problems.append("the browser interface has no login (set PLANQA_UI_USERS, or PLANQA_UI=false)")
    if problems:
        raise UnsafeExposure(
            f"refusing to serve {settings.host}, which is not a loopback address: " + "; ".join(problems)
            + "; or set PLANQA_OPEN_API=true to let anyone who reaches it use it"
        )


@dataclass(frozen=True)
class Budget:
    """What one key may do in this worker: requests per minute and at once (0: no limit)."""

    per_minute: int
    concurrent: int


class RateLimiter:
    """Per-key budgets, enforced where requests enter (``slot``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.shared = not settings.rate_limit_storage.startswith("memory://")
        self._storage_uri = "async+" + settings.rate_limit_storage
        self._limiter: Any = None  # made on first use: async storages belong to the serving loop
        self._running: dict[str, int] = {}

    def _share(self, limit: int, counted_here: bool) -> int:
        workers = self.settings.workers
        if limit <= 0 or not counted_here or workers <= 1:
            return max(limit, 0)
        return max(1, limit // workers)

    def budget(self, record: KeyRecord) -> Budget:
        s = self.settings
        per_minute = s.rate_limit_per_minute if record.requests_per_minute is None else record.requests_per_minute
        concurrent = s.max_concurrent_per_key if record.max_concurrent is None else record.max_concurrent
        return Budget(self._share(per_minute, not self.shared), self._share(concurrent, True))

    def _strategy(self) -> Any:
        if self._limiter is None:
            from limits.aio.strategies import MovingWindowRateLimiter
            from limits.storage import storage_from_string

            self._limiter = MovingWindowRateLimiter(storage_from_string(self._storage_uri))
        return self._limiter

    async def acquire(self, record: KeyRecord) -> None:
        """Take one of the key's requests; ``RateLimited`` (with its retry delay) when over budget.

        Every ``acquire`` that returns is followed by one ``release`` when the response is sent.
        """
        budget = self.budget(record)
        name = record.name
        running = self._running.get(name, 0)
        if budget.concurrent and running >= budget.concurrent:
            raise RateLimited(f"API key '{name}' already has {budget.concurrent} requests running, the most it "
                              "may have at once; retry when one has finished", retry_after=1, limit="concurrent")
        self._running[name] = running + 1  # taken before any await: no two requests see one free slot
        try:
            if budget.per_minute:
                await self._hit(name, budget.per_minute)
        except BaseException:
            self.release(record)
            raise

    def release(self, record: KeyRecord) -> None:
        left = self._running.get(record.name, 0) - 1
        if left > 0:
            self._running[record.name] = left
        else:
            self._running.pop(record.name, None)

    async def _hit(self, name: str, per_minute: int) -> None:
        from limits import RateLimitItemPerMinute

        item = RateLimitItemPerMinute(per_minute)
        limiter = self._strategy()
        if not await limiter.hit(item, "planqa-key", name):
            stats = await limiter.get_window_stats(item, "planqa-key", name)
            retry = max(1, math.ceil(stats.reset_time - time.time()))
            raise RateLimited(f"API key '{name}' is over its limit of {per_minute} requests per minute; "
                              f"retry after {retry} s", retry_after=retry)
