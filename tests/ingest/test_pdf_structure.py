"""Word documents printed to PDF by LibreOffice keep their headings and title when read back."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from evaluation import formats
from ingest.pipeline import ingest_file
from ingest.structure import split_heading

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(formats.libreoffice() is None, reason="libreoffice is not installed"),
]

REPORTS = ("gwr2025_hebei", "gwr2025_fujian", "gwr2025_shanxi", "gwr2025_hubei")
OUTLINE_TITLE = "中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要"
_CN = "一二三四五六七八九十"


def _restyled(src: Path, dst: Path) -> Path:
    """A report with real heading styles: its chapters in Heading 1 without their "一、" (only
    their type says they are headings), its sections in Heading 2 on lines of their own."""
    lines = [ln.strip() for ln in src.read_text(encoding="utf-8").splitlines() if ln.strip()]
    d = docx.Document()
    d.add_paragraph(lines[0], style="Title")
    for line in lines[1:]:
        split = split_heading(line)
        if split and split[0] == 1 and split[2] is None and "、" in line:
            d.add_paragraph(line.split("、", 1)[1], style="Heading 1")
        elif split and split[0] == 2:
            d.add_paragraph(line[: split[1]], style="Heading 2")
            if split[2] is not None:
                d.add_paragraph(line[split[2] :])
        else:
            d.add_paragraph(line)
    d.save(str(dst))
    return dst


def _run(p, text: str, size: float, bold: bool = False, font: str | None = None):
    r = p.add_run(text)
    r.font.size, r.bold = Pt(size), bold
    if font:
        r.font.name = font
        r._element.rPr.rFonts.set(qn("w:eastAsia"), font)
    return r


def _outline(body: list[str], dst: Path) -> Path:
    """A plan outline: a two-line title whose "2035" is a Latin run set lower than the rest,
    then 篇 / 章 / 节 headings distinguished by size and face, and body paragraphs."""
    d = docx.Document()
    d.styles["Normal"].font.size = Pt(12)
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "中华人民共和国国民经济和社会发展", 22, True)
    _run(p, "", 22).add_break(WD_BREAK.LINE)
    _run(p, "第十四个五年规划和", 22, True)
    lowered = _run(p, "2035", 22, True, "DejaVu Serif")
    position = OxmlElement("w:position")
    position.set(qn("w:val"), "-10")  # half-points: 5 pt below the line
    lowered._element.rPr.append(position)
    _run(p, "年远景目标纲要", 22, True)
    texts = iter(body * 4)

    def heading(text: str, size: float, centred: bool, font: str | None = None) -> None:
        h = d.add_paragraph()
        if centred:
            h.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(h, text, size, True, font)

    def paragraph() -> None:
        para = d.add_paragraph()
        para.paragraph_format.first_line_indent = Pt(24)
        _run(para, next(texts), 12)

    for part in range(3):
        heading(f"第{_CN[part]}篇 第{_CN[part]}部分", 18, True)
        for chapter in range(2):
            heading(f"第{_CN[chapter]}章 章的标题", 16, True)
            paragraph()
            for section in range(2):
                heading(f"第{_CN[section]}节 节的标题", 12, False, "Noto Sans CJK SC")
                paragraph()
                paragraph()
    d.save(str(dst))
    return dst


@pytest.fixture(scope="module")
def printed(tmp_path_factory, shared_dir) -> dict[str, tuple[Path, Path]]:
    """Each document as .docx and as the PDF LibreOffice prints of it, converted in one run."""
    d = tmp_path_factory.mktemp("libreoffice")
    policy = shared_dir / "evaldata" / "policy_docs"
    docs: dict[str, Path] = {}
    for stem in REPORTS:
        (d / "as-is").mkdir(exist_ok=True)
        docs[stem] = d / "as-is" / f"{stem}.docx"
        docs[stem].write_bytes((policy / f"{stem}.docx").read_bytes())
        docs[f"styled-{stem}"] = _restyled(policy / f"{stem}.txt", d / f"styled-{stem}.docx")
    body = [ln.strip() for ln in (policy / "gwr_national_2021.txt").read_text(encoding="utf-8").splitlines()]
    docs["outline"] = _outline([ln for ln in body if len(ln) > 80][:12], d / "outline.docx")
    out: dict[str, tuple[Path, Path]] = {}
    for folder in {p.parent for p in docs.values()}:
        group = [p for p in docs.values() if p.parent == folder]
        formats.docx_to_pdf(group, folder)
    for key, path in docs.items():
        out[key] = (path, path.with_suffix(".pdf"))
    return out


@pytest.mark.parametrize("stem", REPORTS)
def test_a_report_as_printed_keeps_its_headings_and_title(printed, stem):
    src, pdf = printed[stem]
    a, b = ingest_file(src), ingest_file(pdf)
    assert abs(len(b.headings) - len(a.headings)) <= 0.05 * len(a.headings)
    assert b.title == a.title and b.title.startswith("2025年")
    assert b.headings[0].level == 0 and b.headings[0].text == b.title


@pytest.mark.parametrize("stem", REPORTS)
def test_a_report_with_heading_styles_keeps_them_from_type_alone(printed, stem):
    src, pdf = printed[f"styled-{stem}"]
    a, b = ingest_file(src), ingest_file(pdf)
    assert abs(len(b.headings) - len(a.headings)) <= 0.05 * len(a.headings)
    # The chapters carry no number: only their size and weight make them level-1 headings.
    chapters = [h.text for h in a.headings if h.level == 1]
    assert len(chapters) >= 2 and not any("、" in c[:3] for c in chapters)
    assert [h.text for h in b.headings if h.level == 1] == chapters
    assert [(h.level, h.text) for h in b.headings] == [(h.level, h.text) for h in a.headings]


def test_an_outline_keeps_its_parts_chapters_sections_and_whole_title(printed):
    src, pdf = printed["outline"]
    a, b = ingest_file(src), ingest_file(pdf)
    assert b.title == OUTLINE_TITLE
    assert b.headings[0].level == 0 and b.headings[0].text == OUTLINE_TITLE
    levels = Counter((h.level, h.text[2]) for h in b.headings if h.text.startswith("第"))
    assert levels == {(1, "篇"): 3, (2, "章"): 6, (3, "节"): 12}
    assert len(b.headings) == len(a.headings)
    section = next(p for p in b.paragraphs if p.section[-1:] == ("第二节 节的标题",))
    assert section.section == ("第一篇 第一部分", "第一章 章的标题", "第二节 节的标题")
