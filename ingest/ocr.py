"""OCR of scanned PDF pages with Tesseract (``chi_sim``), as positioned lines.

Scanned government documents have no text layer. Each such page is rendered with PDFium (which
pdfplumber already brings) and read by the ``tesseract`` command with the Simplified Chinese
model, both from the system's packages. Tesseract's TSV output gives every recognised word with
its box and confidence; words are put back together into lines (a space only between Latin
words or numbers) with their positions in PDF points, so the PDF loader's
header, footer and paragraph logic applies unchanged. The mean word confidence is reported with
the document.

Tesseract reads one page in several seconds; results are kept in memory by the page image's
hash, so a document re-read in the same process (an upload, then the re-index) is OCRed once.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ingest.errors import IngestError

LANGUAGE = "chi_sim"
DPI = 300
PAGE_TIMEOUT_S = 300
UNAVAILABLE = (
    "OCR is not available: install Tesseract with its Simplified Chinese model "
    "(Debian: tesseract-ocr tesseract-ocr-chi-sim)"
)


@dataclass(frozen=True, slots=True)
class OcrLine:
    top: float
    bottom: float
    x0: float
    x1: float
    text: str


@dataclass(frozen=True, slots=True)
class OcrWord:
    """One recognised word with its box (points), confidence and the Tesseract line it is on."""

    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    confidence: float  # 0–100; -1 where Tesseract gives none
    line: tuple[int, int, int]  # block, paragraph, line


@dataclass(frozen=True, slots=True)
class OcrPage:
    number: int  # 1-based
    width: float  # points
    height: float
    lines: tuple[OcrLine, ...]
    confidences: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class OcrResult:
    pages: tuple[OcrPage, ...]
    confidence: float  # mean word confidence, 0–100
    engine: str


@lru_cache(maxsize=1)
def _engine() -> str | None:
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
        version = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if LANGUAGE not in out.stdout.split():
        return None
    first = (version.stdout or version.stderr).splitlines()
    return first[0].strip() if first else "tesseract"


def available() -> bool:
    """Whether Tesseract and its ``chi_sim`` model are installed."""
    return _engine() is not None


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def join_words(words: list[str]) -> str:
    """Tesseract's words of one line as text: a space only between two Latin words or numbers."""
    out = ""
    for w in words:
        if out and _latin(out[-1]) and _latin(w[0]):
            out += " "
        out += w
    return out


def parse_words(tsv: str, scale: float, dx: float = 0.0, dy: float = 0.0) -> list[OcrWord]:
    """Words from Tesseract's TSV, in points: pixels × ``scale``, shifted by ``(dx, dy)``."""
    words: list[OcrWord] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5" or not (row.get("text") or "").strip():
            continue
        left, top = int(row["left"]), int(row["top"])
        words.append(
            OcrWord(
                dy + top * scale,
                dy + (top + int(row["height"])) * scale,
                dx + left * scale,
                dx + (left + int(row["width"])) * scale,
                row["text"].strip(),
                float(row["conf"]),
                (int(row["block_num"]), int(row["par_num"]), int(row["line_num"])),
            )
        )
    return words


def lines_of(words: list[OcrWord]) -> list[OcrLine]:
    """Words put back together into their lines, top to bottom."""
    groups: dict[tuple[int, int, int], list[OcrWord]] = {}
    for w in words:
        groups.setdefault(w.line, []).append(w)
    lines = [
        OcrLine(
            min(w.top for w in ws),
            max(w.bottom for w in ws),
            min(w.x0 for w in ws),
            max(w.x1 for w in ws),
            join_words([w.text for w in ws]),
        )
        for ws in groups.values()
    ]
    lines.sort(key=lambda ln: (round(ln.top), ln.x0))
    return lines


def confidences(words: list[OcrWord]) -> list[float]:
    return [w.confidence for w in words if w.confidence >= 0]


def parse_tsv(tsv: str, scale: float) -> tuple[list[OcrLine], list[float]]:
    """Lines (in points: pixels × ``scale``) and word confidences from Tesseract's TSV."""
    words = parse_words(tsv, scale)
    return lines_of(words), confidences(words)


_RESULTS: dict[str, str] = {}  # page image sha256 → Tesseract's TSV
_RESULTS_MAX = 256


def _recognise(png: bytes) -> str:
    key = hashlib.sha256(png).hexdigest()
    if key in _RESULTS:
        return _RESULTS[key]
    engine = shutil.which("tesseract") or "tesseract"
    try:
        run = subprocess.run(
            [engine, "stdin", "stdout", "-l", LANGUAGE, "--dpi", str(DPI), "tsv"],
            input=png, capture_output=True, timeout=PAGE_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        raise IngestError("", f"OCR of a page took longer than {PAGE_TIMEOUT_S} s") from None
    if run.returncode != 0:
        raise IngestError("", f"OCR failed ({run.stderr.decode('utf-8', 'replace').strip()[:200]})")
    tsv = run.stdout.decode("utf-8", "replace")
    if len(_RESULTS) >= _RESULTS_MAX:
        _RESULTS.pop(next(iter(_RESULTS)))
    _RESULTS[key] = tsv
    return tsv


def recognise(image: Any, name: str, where: str) -> str:
    """Tesseract's TSV for a PIL image (grey levels); ``where`` names the page in errors."""
    if _engine() is None:
        raise IngestError(name, UNAVAILABLE)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    try:
        return _recognise(buf.getvalue())
    except IngestError as exc:
        raise IngestError(name, f"{where}: {exc.reason}") from None


def read_pdf_pages(data: bytes, pages: list[int], name: str) -> OcrResult:
    """OCR the given 1-based pages of a PDF."""
    import pypdfium2 as pdfium

    engine = _engine()
    if engine is None:
        raise IngestError(name, UNAVAILABLE)
    out: list[OcrPage] = []
    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as exc:  # PDFium reports damaged files as one error kind
        raise IngestError(name, f"not a readable .pdf file ({type(exc).__name__})") from None
    try:
        for number in pages:
            page = pdf[number - 1]
            width, height = page.get_size()
            image = page.render(scale=DPI / 72).to_pil().convert("L")
            lines, confs = parse_tsv(recognise(image, name, f"page {number}"), 72 / DPI)
            out.append(OcrPage(number, float(width), float(height), tuple(lines), tuple(confs)))
    finally:
        pdf.close()
    confs = [c for p in out for c in p.confidences]
    confidence = round(statistics.fmean(confs), 1) if confs else 0.0
    return OcrResult(tuple(out), confidence, engine)


__all__ = [
    "DPI",
    "OcrLine",
    "OcrPage",
    "OcrResult",
    "OcrWord",
    "UNAVAILABLE",
    "available",
    "confidences",
    "join_words",
    "lines_of",
    "parse_tsv",
    "parse_words",
    "read_pdf_pages",
    "recognise",
]
