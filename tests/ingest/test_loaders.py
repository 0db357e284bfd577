"""Loaders: encodings, docx, pdf, jsonl and the errors for files that cannot be read."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from ingest.errors import IngestError
from ingest.loaders import BINARY_REASON, decode_bytes, supported_suffixes
from ingest.pipeline import ingest_file, ingest_paths

PLAN_TEXT = (
    "东丽区测试规划\n"
    "一、总体要求\n"
    "（一）发展目标\n"
    "到2025年，全区工业增加值达到310亿元。“十四五”时期要加快发展新一代汽车技术。\n"
)
SUPPORTED = "(supported: .doc, .docx, .htm, .html, .jsonl, .md, .pdf, .txt)"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _make_docx(path: Path) -> Path:
    d = docx.Document()
    d.core_properties.title = "测试文档标题"
    d.add_heading("一、重点项目", level=1)
    d.add_paragraph("全区谋划重点项目。项目总投资较大。")
    d.add_paragraph("重点项目表")
    t = d.add_table(rows=5, cols=4)
    grid = [
        ["序号", "项目名称", "总投资（亿元）", "建设年限"],
        ["一、高端装备", "", "", ""],
        ["1", "智能装备项目", "3.5", "2021-2023"],
        ["2", "检测中心项目", "19.9", "2020-未知"],
        ["合计", "", "23.4", ""],
    ]
    for r, values in enumerate(grid):
        for c, value in enumerate(values):
            t.cell(r, c).text = value
    category = t.cell(1, 0).merge(t.cell(1, 3))
    category.text = "一、高端装备"
    total = t.cell(4, 0).merge(t.cell(4, 1))
    total.text = "合计"
    d.add_paragraph("以上项目按计划推进。")
    d.save(str(path))
    return path


def _make_pdf(path: Path) -> Path:
    # The core Helvetica font (Latin only): this machine has no CJK font to embed.
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "Industrial development plan. The district will build new plants. Investment grows.")
    pdf.ln(4)
    with pdf.table(col_widths=(20, 60, 40)) as table:
        for values in (
            ("No.", "Project", "Investment"),
            ("1", "Robot line", "3.5"),
            ("2", "Test centre", "19.9"),
        ):
            row = table.row()
            for value in values:
                row.cell(value)
    pdf.output(str(path))
    return path


@pytest.fixture
def mixed_dir(tmp_path: Path) -> dict[str, Path]:
    files = {
        "gbk": _write(tmp_path / "gbk-plan.txt", PLAN_TEXT.encode("gbk")),
        "utf16": _write(tmp_path / "utf16-plan.txt", PLAN_TEXT.encode("utf-16")),
        "bom": _write(tmp_path / "bom-plan.txt", PLAN_TEXT.encode("utf-8-sig")),
        "docx": _make_docx(tmp_path / "projects.docx"),
        "pdf": _make_pdf(tmp_path / "english.pdf"),
        "empty": _write(tmp_path / "empty.txt", b""),
        "binary": _write(tmp_path / "blob.txt", bytes(range(256)) * 8),
        "unknown": _write(tmp_path / "x.bin", b"whatever"),
    }
    return files


def test_one_call_reads_the_good_files_and_reports_the_bad(mixed_dir):
    report = ingest_paths(sorted(mixed_dir.values()))
    messages = sorted(str(e) for e in report.errors)
    assert messages == sorted(
        [
            f"{mixed_dir['empty']}: the file is empty",
            f"{mixed_dir['binary']}: looks like a binary file, not text",
            f"{mixed_dir['unknown']}: unsupported file type '.bin' {SUPPORTED}",
        ]
    )
    assert all(isinstance(e, IngestError) for e in report.errors)
    assert {e.path for e in report.errors} == {str(mixed_dir[k]) for k in ("empty", "binary", "unknown")}
    assert sorted(d.doc_id for d in report.documents) == [
        "bom-plan",
        "english",
        "gbk-plan",
        "projects",
        "utf16-plan",
    ]


@pytest.mark.parametrize(("key", "encoding"), [("gbk", "gb18030"), ("utf16", "utf-16"), ("bom", "utf-8-sig")])
def test_encodings_are_detected(mixed_dir, key, encoding):
    doc = ingest_file(mixed_dir[key])
    assert doc.meta["encoding"] == encoding
    assert doc.text == PLAN_TEXT
    assert doc.title == "东丽区测试规划"
    [p] = doc.paragraphs
    assert p.section == ("一、总体要求", "（一）发展目标")
    assert p.text == "到2025年，全区工业增加值达到310亿元。“十四五”时期要加快发展新一代汽车技术。"


def test_utf16_without_bom_and_gb18030_only_characters():
    text = "一、总体要求\n到2025年建成5G基站。\n"
    assert decode_bytes(text.encode("utf-16-le"), "x") == (text, "utf-16-le")
    rare = "𠀀字测试：工业发展规划。\n"  # outside GBK, inside GB18030
    assert decode_bytes(rare.encode("gb18030"), "x") == (rare, "gb18030")


def test_binary_without_nul_bytes_is_refused():
    with pytest.raises(IngestError) as info:
        decode_bytes(bytes(range(1, 32)) * 20, "noise.txt")
    assert info.value.reason == BINARY_REASON


def test_docx_heading_paragraphs_and_table(mixed_dir):
    doc = ingest_file(mixed_dir["docx"])
    assert doc.title == "测试文档标题"
    assert [(h.level, h.text) for h in doc.headings] == [(1, "一、重点项目")]
    assert [p.text for p in doc.paragraphs] == ["全区谋划重点项目。项目总投资较大。", "以上项目按计划推进。"]
    assert all(p.section == ("一、重点项目",) for p in doc.paragraphs)
    [table] = doc.tables
    assert table.title == "重点项目表"
    assert table.headers == ("序号", "项目名称", "总投资（亿元）", "建设年限")
    assert table.numeric_headers == ("总投资（亿元）",)
    data = [r for r in table.rows if not r.is_total]
    assert [r.cell("项目名称").text for r in data] == ["智能装备项目", "检测中心项目"]
    assert all(r.category == ("一、高端装备",) for r in data)
    assert data[1].cell("总投资（亿元）").number == 19.9
    assert data[1].cell("总投资（亿元）").unit == "亿元"
    assert data[1].cell("建设年限").open_end
    total = table.rows[-1]
    assert total.is_total and total.cell("总投资（亿元）").number == 23.4
    rows = [p for p in doc.passages if p.kind == "table_row"]
    assert rows[0].id == "projects#t1.r1"
    assert rows[0].text == "项目名称：智能装备项目；总投资（亿元）：3.5亿元；建设年限：2021-2023"
    assert rows[0].section == ("一、重点项目", "重点项目表")
    for p in doc.passages:
        if p.kind == "paragraph":
            assert doc.text[p.span[0] : p.span[1]] == p.text


def test_pdf_text_and_table(mixed_dir):
    doc = ingest_file(mixed_dir["pdf"])
    body = " ".join(p.text for p in doc.paragraphs)
    assert "Industrial development plan." in body
    assert "The district will build new plants." in body
    [table] = doc.tables
    assert table.headers == ("No.", "Project", "Investment")
    assert [r.cell("Project").text for r in table.rows] == ["Robot line", "Test centre"]
    assert [r.cell("Investment").number for r in table.rows] == [3.5, 19.9]
    assert table.numeric_headers == ("Investment",)


def test_unknown_suffix_and_missing_file(tmp_path):
    with pytest.raises(IngestError) as info:
        ingest_file(_write(tmp_path / "notes", b"text"))
    assert info.value.reason == f"unsupported file type (no suffix) {SUPPORTED}"
    assert supported_suffixes() == (".doc", ".docx", ".htm", ".html", ".jsonl", ".md", ".pdf", ".txt")
    report = ingest_paths([tmp_path / "missing.txt"])
    assert [str(e) for e in report.errors] == [f"{tmp_path / 'missing.txt'}: no such file or directory"]


def test_damaged_docx_and_pdf(tmp_path):
    report = ingest_paths(
        [_write(tmp_path / "bad.docx", b"not a zip"), _write(tmp_path / "bad.pdf", b"%PDF-1.4 junk")]
    )
    reasons = {Path(e.path).suffix: e.reason for e in report.errors}
    assert reasons[".docx"].startswith("not a valid .docx file (")
    assert reasons[".pdf"].startswith("not a readable .pdf file (")
    assert not report.documents


def test_whitespace_only_file(tmp_path):
    with pytest.raises(IngestError) as info:
        ingest_file(_write(tmp_path / "blank.txt", b" \n\t\n"))
    assert str(info.value) == f"{tmp_path / 'blank.txt'}: the file has no text"


def test_jsonl_one_document_per_line_bad_lines_reported(tmp_path):
    path = tmp_path / "cmrc.jsonl"
    path.write_text(
        '{"id": "DEV_0", "title": "锣鼓经", "text": "锣鼓经是打击乐记谱方法。常用于戏曲。"}\n'
        "\n"
        "{not json}\n"
        '{"id": "DEV_2", "title": "无正文"}\n'
        '{"pid": "TRIAL 800", "text": "第二篇文章的正文。"}\n',
        encoding="utf-8",
    )
    report = ingest_paths([path])
    assert [d.doc_id for d in report.documents] == ["DEV_0", "TRIAL-800"]
    assert report.documents[0].title == "锣鼓经"
    assert report.documents[0].passages[0].id == "DEV_0#p1.s1"
    assert [e.path for e in report.errors] == [f"{path}:3", f"{path}:4"]
    assert report.errors[1].reason == "no 'text' in this line"
    with pytest.raises(IngestError, match="holds 2 documents"):
        ingest_file(path)


def test_markdown_headings_paragraphs_and_pipe_table(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(
        "# 规划摘要\n\n## 一、总则\n\n第一句在这里。第二句接着\n写在下一行。\n\n"
        "| 项目 | 投资（亿元） |\n|---|---|\n| 甲项目 | 1.5 |\n| 乙项目 | 2 |\n| 合计 | 3.5 |\n",
        encoding="utf-8",
    )
    doc = ingest_file(path)
    assert doc.title == "规划摘要"
    assert [(h.level, h.text) for h in doc.headings] == [(1, "规划摘要"), (2, "一、总则")]
    [p] = doc.paragraphs
    assert p.text == "第一句在这里。第二句接着\n写在下一行。"
    assert p.section == ("规划摘要", "一、总则")
    [table] = doc.tables
    assert [r.cell("项目").text for r in table.rows] == ["甲项目", "乙项目", "合计"]
    assert table.rows[-1].is_total and table.rows[-1].cell("投资（亿元）").number == 3.5


def test_corpus_directory_rules(tmp_path):
    (tmp_path / "plan.txt").write_text(PLAN_TEXT, encoding="utf-8")
    (tmp_path / "plan.meta.json").write_text('{"title": "侧车标题", "year": 2021}', encoding="utf-8")
    (tmp_path / "README.md").write_text("# about the corpus\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("隐藏文件。\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "plan.md").write_text("同名文件。\n", encoding="utf-8")
    report = ingest_paths([tmp_path])
    assert [d.doc_id for d in report.documents] == ["plan"]
    assert report.documents[0].title == "侧车标题"
    assert report.documents[0].meta["year"] == 2021
    [dup] = report.errors
    assert dup.path == str(tmp_path / "sub" / "plan.md")
    assert dup.reason == f"document id 'plan' is already used by {tmp_path / 'plan.txt'}"


def test_bad_sidecar_is_reported(tmp_path):
    (tmp_path / "plan.txt").write_text(PLAN_TEXT, encoding="utf-8")
    (tmp_path / "plan.meta.json").write_text("{oops", encoding="utf-8")
    report = ingest_paths([tmp_path])
    assert not report.documents
    assert report.errors[0].path == str(tmp_path / "plan.meta.json")
