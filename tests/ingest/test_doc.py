""".doc: Word 97 files through antiword; ".doc" files that are really web pages or RTF."""

from __future__ import annotations

import shutil
import struct
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


# ---- a minimal Word 97 file, written here: an OLE2 compound file holding a WordDocument stream
# (the file information block and the text as UTF-16) and a 1Table stream (an empty stylesheet
# and the piece table that maps the text). Streams are padded to 4,096 bytes so they live in
# regular 512-byte sectors.

SECTOR, END, FREE, FAT_SECTOR = 512, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def _compound_file(streams: list[tuple[str, bytes]]) -> bytes:
    blobs, starts, at = [], [], 0
    for _, data in streams:
        data = data + b"\0" * (-len(data) % SECTOR)
        blobs.append(data)
        starts.append(at)
        at += len(data) // SECTOR
    directory_sector, fat_sector = at, at + 1
    fat = [FREE] * 128
    for start, blob in zip(starts, blobs, strict=True):
        n = len(blob) // SECTOR
        for i in range(n):
            fat[start + i] = start + i + 1 if i < n - 1 else END
    fat[directory_sector], fat[fat_sector] = END, FAT_SECTOR

    def entry(name: str, kind: int, start: int, size: int, child: int = FREE, right: int = FREE) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", FREE, right, child) + b"\0" * 36 + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, END, 0, child=1)
    directory += entry(streams[0][0], 2, starts[0], len(streams[0][1]), right=2)
    directory += entry(streams[1][0], 2, starts[1], len(streams[1][1]))
    directory = directory.ljust(SECTOR, b"\0")
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<9I", 0, 1, directory_sector, 0, 4096, END, 0, END, 0)
    header += struct.pack("<109I", fat_sector, *([FREE] * 108))
    return header + b"".join(blobs) + directory + struct.pack("<128I", *fat)


def word97(paragraphs: list[str]) -> bytes:
    text = "".join(p + "\r" for p in paragraphs)
    body = text.encode("utf-16-le")
    word = bytearray(0x400) + body
    struct.pack_into("<HH", word, 0x00, 0xA5EC, 0x00C1)  # wIdent, nFib (Word 97)
    struct.pack_into("<H", word, 0x0A, 0x0200 | 0x0004)  # fWhichTblStm (1Table), fComplex
    struct.pack_into("<II", word, 0x18, 0x400, 0x400 + len(body))  # fcMin, fcMac
    struct.pack_into("<I", word, 0x4C, len(text))  # ccpText
    stylesheet = struct.pack("<HHH", 18, 0, 10) + b"\0" * 14  # no styles
    pieces = struct.pack("<II", 0, len(text)) + struct.pack("<HIH", 0, 0x400, 0)  # one UTF-16 piece
    clx = b"\x02" + struct.pack("<I", len(pieces)) + pieces
    struct.pack_into("<II", word, 0xA2, 0, len(stylesheet))  # fcStshf, lcbStshf
    struct.pack_into("<II", word, 0x1A2, len(stylesheet), len(clx))  # fcClx, lcbClx
    table = stylesheet + clx
    return _compound_file([("WordDocument", bytes(word).ljust(4096, b"\0")), ("1Table", table.ljust(4096, b"\0"))])


PLAN_PARAGRAPHS = [
    "东丽区工业发展规划",
    "一、发展基础",
    "“十三五”时期，全区工业稳步发展，工业增加值达235.1亿元。",
    "（一）主要成绩",
    "上云企业数量累计突破100家，成功举办四届世界智能驾驶挑战赛。",
    "二、总体目标",
    "到2025年，建设完成4000个5G基站，规模以上工业增加值达到310亿元。",
]


@pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword is not installed")
def test_a_word_97_file_is_read_by_antiword(tmp_path):
    from index.exact import ExactPhraseSearch

    doc = ingest_file(_write(tmp_path / "plan.doc", word97(PLAN_PARAGRAPHS)))
    assert doc.meta["format"] == "doc"
    assert doc.title == "东丽区工业发展规划"
    assert [(h.level, h.text) for h in doc.headings if h.level >= 1] == [
        (1, "一、发展基础"), (2, "（一）主要成绩"), (1, "二、总体目标"),
    ]
    by_text = {p.text: p.section for p in doc.passages}
    assert by_text["到2025年，建设完成4000个5G基站，规模以上工业增加值达到310亿元。"] == ("二、总体目标",)
    assert ExactPhraseSearch([doc]).find("上云企业数量累计突破100家").total == 1


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
