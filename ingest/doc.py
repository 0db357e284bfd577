""".doc (Word 97–2003): text by antiword, or, for the many ".doc" files that are not that format,
by what they really are.

Government sites serve ".doc" files that are Word 97 binaries (an OLE2 compound file), but also
RTF or HTML saved under that name. The first bytes decide: an OLE2 file goes to ``antiword``
(Debian package ``antiword``), which prints paragraphs one per line and tables as ``|`` grids
the table parser reads; an HTML file goes to the web-page loader; anything else is refused with
the reason.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders import LoadResult, Source, decode_bytes, loader

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TIMEOUT_S = 120
UNAVAILABLE = "reading .doc files needs antiword (Debian: antiword)"


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head


def _antiword(path: Path, data: bytes) -> str:
    exe = shutil.which("antiword")
    if exe is None:
        raise IngestError(str(path), UNAVAILABLE)
    with tempfile.NamedTemporaryFile(suffix=".doc") as f:
        f.write(data)
        f.flush()
        try:
            run = subprocess.run(
                [exe, "-m", "UTF-8.txt", "-w", "0", f.name], capture_output=True, timeout=TIMEOUT_S
            )
        except subprocess.TimeoutExpired:
            raise IngestError(str(path), f"antiword took longer than {TIMEOUT_S} s") from None
        said = run.stderr.decode("utf-8", "replace").replace(f.name, "").strip().splitlines()
    if run.returncode != 0:
        if run.returncode < 0:
            detail = f"antiword stopped on signal {-run.returncode}"
        else:
            detail = "antiword: " + (said[-1].strip(" .:") if said else f"exit status {run.returncode}")
        raise IngestError(str(path), f"not a readable .doc file ({detail})")
    text, _ = decode_bytes(run.stdout, str(path)) if run.stdout.strip() else ("", "")
    return text


@loader(".doc")
def load_doc(path: Path, data: bytes) -> LoadResult:
    if data.startswith(OLE2_MAGIC):
        text = _antiword(path, data)
        if not text.strip():
            raise IngestError(str(path), "the file has no text")
        return LoadResult((Source(path.stem, text, path, "doc"),))
    if _looks_like_html(data):
        from ingest.webpage import load_html

        result = load_html(path, data)
        return LoadResult(tuple(_as_doc(s) for s in result.sources), result.errors)
    if data.startswith(b"{\\rtf"):
        raise IngestError(str(path), "is an RTF file named .doc; save it as .docx or .txt")
    raise IngestError(str(path), "not a Word 97–2003 .doc file")


def _as_doc(source: Source) -> Source:
    return Source(source.name, source.text, source.path, "doc", title=source.title,
                  heading_hints=source.heading_hints, meta={**source.meta, "container": "html"},
                  properties=source.properties)


__all__ = ["load_doc"]
