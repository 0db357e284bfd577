"""Formats: a plan printed to PDF, ingested, against the same plan as plain text.

For each document (the Dongli plan in ``corpus/`` and the 2022 government work report in the
shared data) the .txt is laid out as an HTML page (paragraphs with a first-line indent, headings,
bordered tables, CJK fonts), printed to PDF by headless Chromium with its running header and
footer (date, title, file path, "n/N"), and the PDF is ingested. The check:

- headings: the PDF's ``(level, text)`` list equals the .txt's;
- phrases: for every phrase question and every ``cite_any`` string of the dev question files,
  exact-phrase search (``index.exact``) counts as many occurrences in the PDF as in the .txt;
- what the PDF loader did: pages, characters normalised, header/footer lines dropped.

    python -m evaluation.formats [--json] [--docx] [--score WORK_DIR] [--scan WORK_DIR]

``--docx`` prints every .docx of the shared policy documents with LibreOffice and compares the
headings and title ingest finds in each form.

``--score`` also runs ``score.py`` on ``dev_qa_govreport.jsonl`` against real servers, once with
the report indexed as .txt and once as the printed PDF (the Dongli plan beside it both times).
``--scan`` OCRs two pages of the printed plan saved as images and asks a served index of them
how many 5G base stations are to be built by 2025.

The page-layout helpers (``text_to_html``, ``print_pdf``, ``docx_to_pdf``, ``image_only_pdf``)
also build the test documents.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from index.exact import ExactPhraseSearch
from ingest.clean import clean_text
from ingest.loaders import decode_bytes
from ingest.model import Document
from ingest.pipeline import ingest_file
from ingest.structure import split_heading

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DOCUMENTS = (
    REPO / "corpus" / "dongli-14th-fyp-industry.txt",
    SHARED / "evaldata" / "gov_docs" / "2022_government_work_report.txt",
)
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking")
PAGE_STYLE = (
    "body{font-family:'Noto Serif CJK SC','Noto Sans CJK SC',serif;font-size:12pt;line-height:1.6}"
    "p{text-indent:2em;margin:0}h1,h2,h3,h4{font-size:13pt;margin:6pt 0}"
    "table{border-collapse:separate;border-spacing:0;margin:6pt 0}tr,td{break-inside:avoid;page-break-inside:avoid}"
    "td{border:1px solid #000;padding:2px 4px;font-size:10pt}"
)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def text_to_html(text: str, title: str) -> str:
    """A plan's plain text (one paragraph a line, tab-indented table cells) as a printable page."""
    out = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
        f"<style>{PAGE_STYLE}</style></head><body>",
    ]
    rows: list[list[str]] = []
    row: list[str] = []

    def flush_table() -> None:
        nonlocal row
        if row:
            rows.append(row)
            row = []
        if rows:
            width = max(len(r) for r in rows)
            cells = "".join(
                "<tr>"
                + "".join(f"<td>{html.escape(c)}</td>" for c in r[:-1])
                # A short row (a category row) spans the rest of the table, as printed tables do.
                + (f"<td colspan='{width - len(r) + 1}'>" if len(r) < width else "<td>")
                + f"{html.escape(r[-1])}</td></tr>"
                for r in rows
            )
            out.append(f"<table>{cells}</table>")
            rows.clear()

    for line in clean_text(text).text.split("\n"):
        if line.startswith("\t"):
            row.append(line[1:])
            continue
        if not line.strip():
            if row:
                rows.append(row)
                row = []
            continue
        flush_table()
        s = line.strip()
        heading = split_heading(s)
        if heading is not None and heading[2] is None and heading[0] <= 3:
            out.append(f"<h{heading[0] + 1}>{html.escape(s)}</h{heading[0] + 1}>")
        else:
            out.append(f"<p>{html.escape(s)}</p>")
    flush_table()
    out.append("</body></html>")
    return "\n".join(out)


def print_pdf(html_path: Path, pdf_path: Path, timeout: float = 300) -> Path:
    """Print a page to PDF with headless Chromium (its default header and footer included)."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("chromium is not installed")
    with tempfile.TemporaryDirectory(prefix="planqa-chromium-") as profile:
        subprocess.run(
            [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf_path}", html_path.as_uri()],
            check=True, capture_output=True, timeout=timeout,
        )
    if not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        raise RuntimeError(f"chromium printed nothing to {pdf_path}")
    return pdf_path


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docs: Iterable[Path], out_dir: Path, timeout: float = 600) -> list[Path]:
    """Each .docx printed to ``out_dir/<stem>.pdf`` by headless LibreOffice, in one run."""
    exe = libreoffice()
    if exe is None:
        raise RuntimeError("libreoffice is not installed")
    docs = list(docs)
    with tempfile.TemporaryDirectory(prefix="planqa-libreoffice-") as profile:
        subprocess.run(
            [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to", "pdf",
             "--outdir", str(out_dir), *map(str, docs)],
            check=True, capture_output=True, timeout=timeout,
        )
    out = [out_dir / f"{d.stem}.pdf" for d in docs]
    missing = [p.name for p in out if not p.is_file() or p.stat().st_size == 0]
    if missing:
        raise RuntimeError(f"libreoffice printed nothing to {', '.join(missing)}")
    return out


def docx_rows(docs: Iterable[Path]) -> list[dict[str, Any]]:
    """Headings and title of each .docx against the same document printed to PDF by LibreOffice."""
    docs = list(docs)
    rows = []
    with tempfile.TemporaryDirectory(prefix="planqa-docx-") as tmp:
        for src, pdf in zip(docs, docx_to_pdf(docs, Path(tmp)), strict=True):
            a, b = ingest_file(src), ingest_file(pdf)
            rows.append({
                "doc": src.stem, "headings_docx": len(a.headings), "headings_pdf": len(b.headings),
                "levels_equal": headings(a) == headings(b), "title_docx": a.title, "title_pdf": b.title,
                "pages": b.meta.get("pages"),
            })
    return rows


def text_file_to_pdf(txt: Path, out_dir: Path) -> Path:
    """``txt`` printed to ``out_dir/<stem>.pdf`` by way of an HTML page."""
    text, _ = decode_bytes(txt.read_bytes(), str(txt))
    page = out_dir / f"{txt.stem}.html"
    page.write_text(text_to_html(text, txt.stem), encoding="utf-8")
    return print_pdf(page, out_dir / f"{txt.stem}.pdf")


def image_only_pdf(pdf_path: Path, out_path: Path, pages: Iterable[int], dpi: int = 200) -> Path:
    """A scan: the given 1-based pages rasterised and saved as a PDF of images, no text layer."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        images = [pdf[n - 1].render(scale=dpi / 72).to_pil().convert("L") for n in pages]
    finally:
        pdf.close()
    images[0].save(out_path, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out_path


def phrases(qa_files: Iterable[Path]) -> list[str]:
    """Every phrase question and every ``cite_any`` string, once each, in file order."""
    seen: dict[str, None] = {}
    for f in qa_files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("type") == "phrase":
                seen.setdefault(item["q"], None)
            for s in item.get("cite_any", []):
                seen.setdefault(s, None)
    return list(seen)


def headings(doc: Document) -> list[tuple[int, str]]:
    return [(h.level, h.text) for h in doc.headings]


def compare(txt: Document, pdf: Document, wanted: list[str]) -> dict[str, Any]:
    """Headings and exact-phrase counts of the PDF against the .txt."""
    count_txt, count_pdf = ExactPhraseSearch([txt]), ExactPhraseSearch([pdf])
    counts = [(p, count_txt.find(p).total, count_pdf.find(p).total) for p in wanted]
    present = [c for c in counts if c[1] > 0]
    th, ph = headings(txt), headings(pdf)
    return {
        "doc": txt.doc_id,
        "headings_txt": len(th),
        "headings_pdf": len(ph),
        "headings_equal": th == ph,
        "heading_diff": [h for h in th if h not in ph][:5] + [h for h in ph if h not in th][:5],
        "phrases": len(counts),
        "phrases_in_txt": len(present),
        "phrase_counts_equal": sum(1 for _, a, b in counts if a == b),
        "phrase_mismatches": [{"phrase": p, "txt": a, "pdf": b} for p, a, b in counts if a != b],
        "pages": pdf.meta.get("pages"),
        "normalised_chars": pdf.meta.get("normalised_chars"),
        "header_footer_lines": pdf.meta.get("header_footer_lines"),
        "passages_txt": len(txt.passages),
        "passages_pdf": len(pdf.passages),
    }


def run(documents: Iterable[Path] = DOCUMENTS, shared: Path = SHARED) -> list[dict[str, Any]]:
    """Print every document to PDF, ingest both forms and compare them."""
    wanted = phrases(sorted((shared / "eval").glob("dev_qa*.jsonl")))
    rows = []
    with tempfile.TemporaryDirectory(prefix="planqa-formats-") as tmp:
        for txt in documents:
            pdf = text_file_to_pdf(txt, Path(tmp))
            rows.append(compare(ingest_file(txt), ingest_file(pdf), wanted))
    return rows


def summary_lines(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in rows:
        out.append(
            f"{r['doc']}: PDF of {r['pages']} pages — headings {r['headings_pdf']}/{r['headings_txt']} "
            f"({'identical' if r['headings_equal'] else 'differ'}), phrase counts equal "
            f"{r['phrase_counts_equal']}/{r['phrases']} ({r['phrases_in_txt']} present in the .txt), "
            f"{r['normalised_chars']} characters normalised, {r['header_footer_lines']} header/footer lines dropped"
        )
    return out


def score_as_pdf(work: Path, shared: Path = SHARED) -> list[dict[str, Any]]:
    """``score.py`` on the work-report questions with the report indexed as .txt, then as PDF.

    Both corpora hold the Dongli plan beside the report, as the questions file asks; each is
    indexed and served by real ``planqa`` processes.
    """
    from evaluation import dev
    from evaluation.server import run_index, serving

    work.mkdir(parents=True, exist_ok=True)
    plan, report = DOCUMENTS
    qa, score_py = shared / "eval" / "dev_qa_govreport.jsonl", shared / "eval" / "score.py"
    rows = []
    for form in ("txt", "pdf"):
        corpus = work / f"corpus-{form}"
        corpus.mkdir(parents=True, exist_ok=True)
        shutil.copy(plan, corpus / plan.name)
        if form == "txt":
            shutil.copy(report, corpus / report.name)
        else:
            printed = text_file_to_pdf(report, work)
            shutil.copy(printed, corpus / printed.name)
        index_dir = work / f"index-{form}"
        run_index(corpus, index_dir, log_path=work / f"index-{form}.log")
        with serving(corpus, index_dir, log_path=work / f"server-{form}.log") as srv:
            result = dev.run_score(srv.url, qa, score_py)
        rows.append({"form": form, **result.score})
    return rows


SCAN_QUESTION = "到2025年要建设多少个5G基站？"


def ask_scan(work: Path, question: str = SCAN_QUESTION, figure: str = "4000个5G基站") -> dict[str, Any]:
    """Two pages of the printed Dongli plan as a scan (images only), OCRed, indexed alone and asked.

    The pages are the one whose passage holds ``figure`` and the next; the answer comes from a
    real ``planqa serve`` over that corpus.
    """
    import httpx

    from evaluation.server import run_index, serving

    work.mkdir(parents=True, exist_ok=True)
    printed = text_file_to_pdf(DOCUMENTS[0], work)
    page = next(p.page for p in ingest_file(printed).passages if figure in p.text and p.page)
    corpus = work / "corpus-scan"
    corpus.mkdir(parents=True, exist_ok=True)
    image_only_pdf(printed, corpus / "dongli-scan.pdf", [page, page + 1])
    index_dir = work / "index-scan"
    run_index(corpus, index_dir, log_path=work / "index-scan.log")
    with serving(corpus, index_dir, log_path=work / "server-scan.log") as srv:
        docs = httpx.get(srv.url + "/api/documents", timeout=60).json()
        answer = httpx.post(srv.url + "/api/ask", json={"question": question, "top_k": 5}, timeout=300).json()
    return {
        "question": question,
        "answer": answer.get("answer"),
        "grounded": answer.get("grounded"),
        "citations": [{"id": c["id"], "page": c.get("page"), "text": c["text"][:80]} for c in answer.get("citations", [])],
        "document": docs[0] if docs else None,
    }


def report_section() -> str:
    """The comparison as a Markdown section of the evaluation report."""
    if chromium() is None:
        return "\n## Formats: PDF against .txt\n\nSkipped: chromium is not installed.\n"
    rows = run()
    table = [
        "| document | pages | headings (PDF/.txt) | headings identical | phrase counts equal | "
        "characters normalised | header/footer lines dropped |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for r in rows:
        table.append(
            f"| {r['doc']} | {r['pages']} | {r['headings_pdf']}/{r['headings_txt']} | "
            f"{'yes' if r['headings_equal'] else 'no'} | {r['phrase_counts_equal']}/{r['phrases']} | "
            f"{r['normalised_chars']} | {r['header_footer_lines']} |"
        )
    mismatches = [f"- {r['doc']}: '{m['phrase']}' .txt {m['txt']}, PDF {m['pdf']}" for r in rows
                  for m in r["phrase_mismatches"]]
    return "\n".join([
        "", "## Formats: PDF against .txt", "",
        "Each document's .txt printed to PDF by headless Chromium (Noto CJK, running header and footer) "
        "and ingested; phrases are every phrase question and `cite_any` string of "
        "`../shared/eval/dev_qa*.jsonl`, counted by exact-phrase search in each form "
        "(`python -m evaluation.formats`).", "",
        *table, "", *(mismatches or ["No phrase count differs."]), "",
    ])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print the full comparison as JSON")
    ap.add_argument("--score", type=Path, metavar="WORK_DIR",
                    help="also score the work-report questions with the report indexed as .txt and as PDF")
    ap.add_argument("--scan", type=Path, metavar="WORK_DIR",
                    help="also OCR two pages of the plan as a scan and ask it the 5G base-station question")
    ap.add_argument("--docx", action="store_true",
                    help="also print every .docx of the shared policy documents with LibreOffice and compare headings")
    args = ap.parse_args(argv)
    if args.docx:
        for row in docx_rows(sorted((SHARED / "evaldata" / "policy_docs").glob("*.docx"))):
            print(json.dumps(row, ensure_ascii=False))
    if args.scan:
        print(json.dumps(ask_scan(args.scan), ensure_ascii=False, indent=2))
    if args.score:
        for row in score_as_pdf(args.score):
            print(json.dumps(row, ensure_ascii=False))
    rows = run()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print("\n".join(summary_lines(rows)))
        for r in rows:
            for m in r["phrase_mismatches"]:
                print(f"  {r['doc']}: '{m['phrase']}' txt {m['txt']} pdf {m['pdf']}")
            for h in r["heading_diff"]:
                print(f"  {r['doc']}: heading only in one form: {h}")


if __name__ == "__main__":
    main()
