"""The ``planqa ingest`` command."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()


def test_ingest_json_for_the_plan(plan_path):
    result = runner.invoke(app, ["ingest", "--json", str(plan_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    [doc] = data["documents"]
    assert doc["doc_id"] == "dongli-14th-fyp-industry"
    assert doc["tables"] == 1 and doc["rows"] == 59
    assert doc["median_passage_chars"] <= 200
    assert data["errors"] == []


def test_ingest_defaults_to_the_corpus_dir_and_reports_errors(tmp_path, monkeypatch):
    (tmp_path / "ok.txt").write_text("一、总则\n正文。\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    monkeypatch.setenv("PLANQA_CORPUS_DIR", str(tmp_path))
    result = runner.invoke(app, ["ingest"])
    assert result.exit_code == 0
    assert "ok" in result.stdout and "paragraphs" in result.stdout
    assert f"{tmp_path / 'empty.txt'}: the file is empty" in result.stderr.replace("\n", "")


def test_ingest_exits_1_when_nothing_was_ingested(tmp_path):
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"\x00\x01")
    result = runner.invoke(app, ["ingest", "--json", str(bad)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["documents"] == [] and data["errors"][0]["path"] == str(bad)


def test_ingest_many_files_with_progress(tmp_path):
    for i in range(7):
        (tmp_path / f"doc{i}.txt").write_text(f"一、第{i}章\n正文{i}。\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", "--json", str(tmp_path)])
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["documents"]) == 7


def _paged_pdf(path):
    """A 3-page PDF with a running header and a page-number footer on every page (Latin text)."""
    from fpdf import FPDF

    class Report(FPDF):
        def header(self):
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, "District industrial plan 2021-2025 | printed 11/30/26", align="L")
            self.ln(10)

        def footer(self):
            self.set_y(-12)
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, f"- {self.page_no()} -", align="C")

    topics = ("advanced manufacturing", "green chemistry", "digital infrastructure")
    pdf = Report()
    pdf.set_font("Helvetica", size=11)
    for n, topic in enumerate(topics, start=1):
        pdf.add_page()
        words = [f"{topic} project {k} adds {k * n + 3} jobs and {k + n} plants." for k in range(1, 13)]
        pdf.multi_cell(0, 7, f"Part {n}: {topic}. " + " ".join(words))
    pdf.output(str(path))
    return path


def test_ingest_json_reports_how_each_format_was_read(plan_path, tmp_path):
    pdf = _paged_pdf(tmp_path / "report.pdf")
    result = runner.invoke(app, ["ingest", "--json", str(plan_path), str(pdf)])
    assert result.exit_code == 0, result.output
    docs = {d["doc_id"]: d for d in json.loads(result.stdout)["documents"]}
    txt, printed = docs["dongli-14th-fyp-industry"], docs["report"]
    assert (txt["format"], txt["pages"], txt["ocr"], txt["header_footer_lines"]) == ("txt", None, False, 0)
    assert (printed["format"], printed["pages"], printed["ocr"], printed["ocr_confidence"]) == ("pdf", 3, False, None)
    assert printed["header_footer_lines"] == 6
    assert printed["paragraphs"] == 3
    assert all(k in printed for k in ("normalised_chars", "ocr_pages"))
