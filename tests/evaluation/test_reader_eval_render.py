"""The reader section of docs/eval.md says what trained the adapter as its manifest lists it."""

from __future__ import annotations

import json

from evaluation.reader_eval import render
from service.reader.loading import WEIGHTS


def test_the_adapter_line_names_the_training_data_of_the_shipped_manifest() -> None:
    manifest = json.loads((WEIGHTS / "reader" / "manifest.json").read_text(encoding="utf-8"))
    text = render({"manifest": manifest})
    assert "of DRCD dev and CMRC2018 trial in" in text and "DRCD test" not in text
    manifest["training"]["data"] = {"drcd/DRCD_dev.json": {}, "drcd/DRCD_test.json": {}, "x.json": {}}
    assert "of DRCD dev, DRCD test and x.json in" in render({"manifest": manifest})
