"""Schemathesis over ``/openapi.json``: every route, generated valid and invalid requests.

The app runs in-process through its ASGI interface over a hash-embedder index of a copy of the
real plan (document uploads and deletions are fuzzed too, with the admin token, so they must
not touch the repository's corpus), with an API key that has no limits: requests carry it, and
schemathesis checks that requests without it are refused. Every response must be below 500, carry a documented status
and content type and match the declared schema, and the last-resort error handler must never run.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from index.testing import HashEmbedder
from service.admin import DocumentAdmin
from service.app import create_app
from service.keys import KeyFile
from service.runtime import Runtime
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = 100
TOKEN = "fuzz-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}

# The schema is read at import (schemathesis parametrises at collection), so the app exists
# then; its runtime is pointed at a built index by the fixture below, before any request.
_nowhere = Path(tempfile.gettempdir()) / "planqa-fuzz-never-created"
_keys_dir = Path(tempfile.mkdtemp(prefix="planqa-fuzz-keys-"))
_settings = Settings(corpus_dir=_nowhere, index_dir=_nowhere / "index", admin_token=TOKEN, request_timeout_s=60.0,
                     keys_file=_keys_dir / "api-keys.json")
KEY, _ = KeyFile(_settings.api_keys_file).create("fuzz", requests_per_minute=0, max_concurrent=0)
API = {"Authorization": f"Bearer {KEY}"}
runtime = Runtime(_settings, embedder=HashEmbedder(dim=64))
app = create_app(_settings, runtime=runtime, ui=False)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
# The schema cannot say "not whitespace only", "no control characters" or "a .txt/.md/.docx/.pdf
# file name", so schema-valid requests may rightly be refused with a 422: that check is off.
EXCLUDED = [positive_data_acceptance]

tried: Counter[str] = Counter()
statuses: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def served_copy(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("fuzz")
    corpus = base / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    runtime.settings = Settings(corpus_dir=corpus, index_dir=base / "index", embedding_cache_dir=base / "emb")
    runtime.build(force=True)
    runtime.load()
    app.state.runtime = runtime
    app.state.admin = DocumentAdmin(runtime)
    yield runtime
    shutil.rmtree(_keys_dir, ignore_errors=True)
    print("\nfuzzing: examples tried per operation")
    for op, n in sorted(tried.items()):
        print(f"  {op:40s} {n:4d}")
    print(f"  {'total':40s} {sum(tried.values()):4d}   statuses {dict(sorted(statuses.items()))}")
    assert app.state.unhandled_errors == 0


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_route_survives_generated_requests(case) -> None:
    op = f"{case.method} {case.operation.path}"
    tried[op] += 1
    admin = case.operation.path.startswith("/api/documents") and case.method != "GET"
    # Half of the admin requests carry the token, so the upload and delete paths run too; the others
    # carry the API key.
    headers = (ADMIN if tried[op] % 2 else None) if admin else API
    response = case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)
    statuses[str(response.status_code)] += 1
    assert response.status_code < 500
    assert app.state.unhandled_errors == 0


@pytest.mark.parametrize("stream", [False, True])
def test_chat_responses_match_their_declared_schema(stream: bool) -> None:
    op = schema["/v1/chat/completions"]["POST"]
    case = op.Case(body={"messages": [{"role": "user", "content": "到2025年要建设多少个5G基站？"}], "stream": stream})
    response = case.call_and_validate(headers=API, excluded_checks=EXCLUDED)
    assert response.status_code == 200
