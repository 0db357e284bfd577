"""The command line under bad input and a damaged index; ``serve`` binds loopback by default.

The embedding model is replaced by the hash embedder (``load_embedder`` is patched), so these
run the real commands end to end in a few seconds.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

import index.embedder
from index.store import FAISS
from index.testing import HashEmbedder
from service.cli import app

STEEL = "东港区钢铁产业发展规划\n\n一、发展目标\n到2025年，全区钢铁产业产值达到500亿元。推进超低排放改造。\n"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "steel.txt").write_text(STEEL, encoding="utf-8")
    for var in ("PLANQA_HOST", "PLANQA_PORT", "PLANQA_CORS_ORIGINS", "PLANQA_ADMIN_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PLANQA_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("PLANQA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("PLANQA_EMBEDDING_CACHE_DIR", str(tmp_path / "emb"))
    monkeypatch.setattr(index.embedder, "load_embedder", lambda *a, **k: HashEmbedder(dim=32))
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def _error(result) -> str:
    return " ".join(result.stderr.split())


# ---- input limits ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "   "], "error query must not be empty or whitespace only"),
        (["search", "钢铁\x00"], "error query contains control character U+0000; remove control characters"),
        (["ask", "钢" * 2001], "error question is 2001 characters; the limit is 2000"),
        # Bytes that are not UTF-8 reach Python as lone surrogates (surrogateescape).
        (["ask", "产值\udcff"], "error question contains an unpaired surrogate; send valid UTF-8 text"),
    ],
)
def test_bad_text_exits_2_before_loading_anything(env: Path, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert _error(result) == message


@pytest.mark.parametrize("top_k", ["0", "51", "many"])
def test_top_k_out_of_range_is_a_usage_error(env: Path, top_k: str) -> None:
    result = run("search", "钢铁", "--top-k", top_k)
    assert result.exit_code == 2
    assert "--top-k" in result.stderr


def test_unknown_mode_is_refused_with_the_choices(env: Path) -> None:
    assert run("index").exit_code == 0
    result = run("search", "钢铁", "--mode", "fuzzy")
    assert result.exit_code == 2
    assert _error(result) == "error unknown mode 'fuzzy'; use one of hybrid, semantic, keyword, exact"


def test_bad_setting_names_the_variable(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANQA_REQUEST_TIMEOUT_S", "0")
    result = run("index")
    assert result.exit_code == 2
    assert _error(result) == "error PLANQA_REQUEST_TIMEOUT_S: Input should be greater than 0"


def test_search_without_an_index_says_how_to_build_it(env: Path) -> None:
    result = run("search", "钢铁")
    assert result.exit_code == 1
    assert _error(result) == f"error no index at {env / 'index'}; run `planqa index` to build it"


# ---- a damaged index -------------------------------------------------------------------------


def test_planqa_index_rebuilds_a_damaged_index(env: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert run("index").exit_code == 0
    assert "index up to date" in run("index").stderr
    faiss = (env / "index").resolve() / FAISS
    data = faiss.read_bytes()
    faiss.write_bytes(data[: len(data) // 2])

    broken = run("search", "钢铁")
    assert broken.exit_code == 1
    assert _error(broken) == (f"error {faiss}: index file is truncated or altered ({len(data) // 2} bytes, "
                              f"expected {len(data)}); run `planqa index` to rebuild")

    with caplog.at_level(logging.WARNING, "planqa"):
        result = run("index")
    assert result.exit_code == 0
    assert "index built" in result.stderr
    assert f"the index is damaged, rebuilding it: {faiss}: index file is truncated" in caplog.text
    ok = run("search", "钢铁产业", "--json")
    assert ok.exit_code == 0 and '"total"' in ok.stdout


# ---- serve -----------------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict:
    import uvicorn

    import service.app

    seen: dict = {}
    monkeypatch.setattr(service.app, "create_app", lambda settings: seen.setdefault("settings", settings))
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    return seen


def test_serve_binds_loopback_by_default(env: Path, served: dict) -> None:
    result = run("serve")
    assert result.exit_code == 0, result.output
    assert served["host"] == "127.0.0.1" and served["port"] == 8000


def test_serve_host_and_cors_come_from_options_or_settings(env: Path, served: dict, monkeypatch) -> None:
    monkeypatch.setenv("PLANQA_HOST", "0.0.0.0")
    monkeypatch.setenv("PLANQA_OPEN_API", "true")  # a public bind with no keys is refused unless opted in
    monkeypatch.setenv("PLANQA_CORS_ORIGINS", '["https://chat.intranet.example"]')
    assert run("serve", "--port", "8123").exit_code == 0
    assert served["host"] == "0.0.0.0" and served["port"] == 8123
    assert served["settings"].cors_origins == ["https://chat.intranet.example"]
