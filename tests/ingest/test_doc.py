""".doc: Word 97 files through antiword; ".doc" files that are really web pages or RTF."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.doc import OLE2_MAGIC
from ingest.errors import IngestError
from ingest.pipeline import ingest_file

WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>关于印发实施方案的通知</title></head>
<body><div class="WordSection1">
<h1>关于印发实施方案的通知</h1>
<p>各区人民政府，市政府各委、办、局：现将实施方案印发给你们，请认真贯彻落实。</p>
<h2>一、总体要求</h2>
<p>到2025年，全市规模以上工业增加值年均增长6%，数字经济核心产业增加值占比达到10%。</p>
<h2>二、重点任务</h2>
<p>加快建设5G基站和千兆光网，推动工业互联网平台在重点行业普及应用。</p>
</div></body></html>
"""


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_web_page_saved_as_doc_is_read_as_one(tmp_path):
    doc = ingest_file(_write(tmp_path / "notice.doc", WORD_HTML.encode("gb18030")))
    assert doc.meta["format"] == "doc" and doc.meta["container"] == "html"
    assert [h.text for h in doc.headings if h.level >= 1] == ["一、总体要求", "二、重点任务"]
    assert "年均增长6%" in doc.text


def test_rtf_named_doc_is_refused_with_the_reason(tmp_path):
    path = _write(tmp_path / "notice.doc", b"{\\rtf1\\ansi 2025}")
    with pytest.raises(IngestError) as err:
        ingest_file(path)
    assert str(err.value) == f"{path}: is an RTF file named .doc; save it as .docx or .txt"


def test_other_bytes_are_not_a_doc(tmp_path):
    path = _write(tmp_path / "notice.doc", b"PK\x03\x04 not word 97")
    with pytest.raises(IngestError) as err:
        ingest_file(path)
    assert str(err.value) == f"{path}: not a Word 97–2003 .doc file"


@pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword is not installed")
def test_a_damaged_word_97_file_is_an_error_from_antiword(tmp_path):
    path = _write(tmp_path / "broken.doc", OLE2_MAGIC + b"\0" * 600)
    with pytest.raises(IngestError) as err:
        ingest_file(path)
    assert str(err.value) == f"{path}: not a readable .doc file (antiword: is not a Word Document)"
