"""``/metrics`` in Prometheus's text format: what an operator watches.

- ``http_requests_total{handler,method,status}`` and ``http_request_duration_seconds{handler,method}``
  (the FastAPI instrumentator, by route template);
- ``planqa_requests_by_key_total{key,handler,status}``: the same requests by API key name (never the key);
- ``planqa_answers_total{kind,key}``: answers by kind — answered, declined, table, aggregate;
- ``planqa_rate_limited_total{key,limit}``: requests refused over a key's per-minute or concurrent budget;
- ``planqa_index_documents``, ``planqa_index_passages``, ``planqa_index_reloads_total``: the served index.

Each app has its own registry (tests build many apps in one process). With several workers
``planqa serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` and a scrape sums the counters of every worker.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from prometheus_fastapi_instrumentator import Instrumentator
from prometheus_fastapi_instrumentator import metrics as im

if TYPE_CHECKING:
    from service.answer.engine import Answer
    from service.runtime import Runtime

ANONYMOUS = "-"  # the key label of requests made without a key (loopback, or PLANQA_OPEN_API)
STATE_KEY = "api_key"  # the key name the access guard leaves in the request's state


def key_name(request: Request) -> str:
    return getattr(request.state, STATE_KEY, None) or ANONYMOUS


def answer_kind(ans: Answer) -> str:
    """The four kinds an operator tells apart: answered, declined, table, aggregate."""
    if not ans.grounded:
        return "declined"
    if ans.kind == "table_lookup":
        return "table"
    if ans.kind == "aggregate":
        return "aggregate"
    return "answered"


class IndexCollector(Collector):
    """The served index's size and reloads, read at scrape time from the runtime."""

    def __init__(self, runtime: Callable[[], Runtime | None]) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Metric]:
        rt = self.runtime()
        idx = rt.index if rt is not None else None
        docs = GaugeMetricFamily("planqa_index_documents", "Documents in the served index.")
        docs.add_metric([], len(idx.documents) if idx is not None else 0)
        passages = GaugeMetricFamily("planqa_index_passages", "Passages in the served index.")
        passages.add_metric([], idx.passage_count if idx is not None else 0)
        reloads = CounterMetricFamily("planqa_index_reloads", "Indexes swapped in after the first load.")
        reloads.add_metric([], getattr(rt, "reloads", 0))
        yield from (docs, passages, reloads)


class Metrics:
    """The metrics of one app; routes and middleware count through it."""

    def __init__(self, runtime: Callable[[], Runtime | None]) -> None:
        self.registry = CollectorRegistry()
        self.index = IndexCollector(runtime)
        self.registry.register(self.index)
        self.by_key = Counter("planqa_requests_by_key", "Requests by API key name, route and status.",
                              ["key", "handler", "status"], registry=self.registry)
        self.answers = Counter("planqa_answers", "Answers by kind (answered, declined, table, aggregate) and key name.",
                               ["kind", "key"], registry=self.registry)
        self.rate_limited = Counter("planqa_rate_limited", "Requests refused over a key's limit (per_minute or "
                                    "concurrent).", ["key", "limit"], registry=self.registry)

    def count_answer(self, ans: Answer, key: str) -> None:
        self.answers.labels(answer_kind(ans), key).inc()

    def _by_key(self, info: im.Info) -> None:
        self.by_key.labels(key_name(info.request), info.modified_handler, info.modified_status).inc()

    def install(self, app: FastAPI) -> None:
        """Count every request (as the outermost layer but the request id's) and serve ``/metrics``."""
        inst = Instrumentator(should_group_status_codes=False, excluded_handlers=["^/metrics$"],
                              registry=self.registry)
        inst.add(im.requests(registry=self.registry), im.latency(registry=self.registry, should_include_status=False), self._by_key)
        inst.instrument(app)
        app.add_api_route("/metrics", self.exposition, methods=["GET"], include_in_schema=False)

    def exposition(self) -> Response:
        registry: Any = self.registry
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # several workers: sum what each one wrote
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            registry.register(self.index)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
