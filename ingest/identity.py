"""A document's identity: its real title, issuing body, date and year, region, document number,
kind and plan period.

A collection of government documents is only usable when a reader can tell them apart: nine
national work reports all printed "政府工作报告" must be cited as "2019年政府工作报告" and
"2013年政府工作报告". Chinese government documents state their identity in a fixed way, so it is
read from the text with the conventions any such document follows:

- the header: title lines (a title spaced letter by letter is closed up), the document number
  line (``国发〔2019〕4号``), the date line (``——2019年3月5日在第十三届全国人民代表大会…``,
  ``（2018年1月2日）``) and the speaker line (``安徽省人民政府省长 王清宪``);
- the signature: the issuing body on the line above a date standing alone (``国务院`` /
  ``2019年1月24日``);
- the title's own parts: ``X关于Y的通知`` names the issuer and the kind, a leading place names
  the region, ``“十四五”`` or ``（2021—2025年）`` the plan period;
- a work report without a header is dated by its review: ``一、2013年工作回顾`` is the 2014
  report; a review that names no year in its heading is dated by the latest year it reports on.

The file's own properties (``.docx`` core properties, PDF metadata, an HTML ``<title>``) come
next, and a sidecar ``<stem>.meta.json`` overrides anything. A title is never a section heading:
without a title line the title is what the document is (a work report) or the file's name.
A title that only says what kind of document it is ("政府工作报告") is qualified with the year
and, below the national level, the region, so titles stay distinct across a collection.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ingest.errors import IngestError
from ingest.govdoc import (
    CN_ORD,
    DATE,
    DATE_LINE,
    DOC_NUMBER,
    NATIONAL,
    UNIT,
    YEAR_WORD,
    find_date,
    iso_date,
    kind_of,
    plan_period,
    qualified_title,
    region_of_place,
)
from ingest.model import Document, Identity
from ingest.structure import heading_level

_NATIONAL_ISSUER = re.compile(r"^(?:国务院|中共中央|中央|全国|国家|中华人民共和国|最高人民)")
_ORGAN = re.compile(r"(?:院|厅|部|委|局|办|署|行|政府|委员会|中央|办公室|总局|人大常委会)$")
_OFFICE = r"(?:代理?)?(?:总理|副总理|省长|市长|区长|县长|州长|旗长|盟长|主席)"
_SPEAKER = re.compile(rf"{_OFFICE}[\s\u3000]*[\u4e00-\u9fff·]{{2,4}}$")
_SPEAKER_ISSUER = re.compile(rf"^((?:[\u4e00-\u9fff]{{2,16}}?人民政府)|国务院){_OFFICE}")
_CONGRESS = re.compile(
    rf"(?:^|在|日|——)\s*(?!在)([\u4e00-\u9fff]{{2,12}}?{UNIT})\s*第[{CN_ORD}]+\s*届\s*人民代表大会"
)
_NATIONAL_CONGRESS = re.compile(rf"第[{CN_ORD}]+届全国人民代表大会")
_ON_BEHALF = re.compile(r"我代表([\u4e00-\u9fff]{0,12}?)(国务院|人民政府|政府)")
_REPORTING = re.compile(r"向(?:大会|全会)(?:作|报告)")
_SENTENCE_END = re.compile(r"[。；！？]")
_TITLE_BAN = re.compile(r"[。；！？：:，,]")
_SPACED = re.compile(r"^(?:[\u4e00-\u9fff][\s\u3000]+){2,}[\u4e00-\u9fff]$")
_CONNECTIVE_END = re.compile(r"(?:和|与|及|暨|的|之|、|“|（|\()$")
_REVIEW = re.compile(r"回顾")
_PLAN_HEAD = re.compile(r"(?:总体部署|工作安排|工作任务|重点工作|总体要求|工作的建议|主要目标|目标任务)")
_TARGET_YEAR = re.compile(r"(?:到|至|－|—|-|~|～)\s*$")
HEADER_LINES = 8
MAX_TITLE_CHARS = 80
# what a sidecar may set; its other fields go to the document's ``meta`` as before
SIDECAR_FIELDS = ("title", "name", "issuer", "date", "year", "region", "doc_number", "kind", "period")


# ---- reading the text ---------------------------------------------------------------------------


def _despace(line: str) -> str:
    return re.sub(r"[\s\u3000]+", "", line) if _SPACED.match(line) else line


def _lines(text: str) -> list[str]:
    return [ln.strip().lstrip("#").strip() for ln in text.splitlines() if ln.strip()]


def _header(lines: list[str]) -> list[str]:
    """The lines before the body: stop at a salutation, a numbered heading or a long paragraph."""
    out: list[str] = []
    for line in lines[:HEADER_LINES]:
        level = heading_level(line)
        if (level is not None and not (level == 4 and DATE.search(line))) or len(line) > 120:
            break
        if len(line) <= 40 and line.endswith(("：", ":")):
            break
        out.append(line)
    return out


def _is_title_line(line: str) -> bool:
    line = _despace(line)
    return (
        0 < len(line) <= MAX_TITLE_CHARS
        and not _TITLE_BAN.search(line)
        and not line.startswith(("——", "—", "|", "\t"))
        and heading_level(line) is None
        and DATE_LINE.match(line) is None
        and DOC_NUMBER.fullmatch(line) is None
        and _SPEAKER.search(line) is None
        and not (DATE.search(line) and ("会议" in line or DATE.match(line)))
        and sum("\u4e00" <= c <= "\u9fff" for c in line) >= 2
    )


def title_lines(header: list[str]) -> str | None:
    """The title printed at the top: the first title line, and the next when the first breaks off."""
    for i, line in enumerate(header):
        if not _is_title_line(line):
            continue
        title = _despace(line)
        nxt = header[i + 1] if i + 1 < len(header) else None
        if nxt and _is_title_line(nxt) and _CONNECTIVE_END.search(title) and _despace(nxt) not in title:
            title += _despace(nxt)
        return title
    return None


def _plausible_property_title(title: str | None) -> str | None:
    """A title from file properties, unless it is a file name or a word processor's default."""
    if not title:
        return None
    t = re.sub(r"^Microsoft Word\s*-\s*", "", title.strip())
    t = re.sub(r"\.(?:docx?|pdf|wps|txt|html?)$", "", t, flags=re.IGNORECASE).strip()
    t = re.split(r"\s*[_|｜]\s*", t)[0].strip()  # "标题_政府信息公开" → "标题"
    if sum("\u4e00" <= c <= "\u9fff" for c in t) < 2 or heading_level(t) is not None:
        return None
    return t[:MAX_TITLE_CHARS]


def _is_report(lines: list[str]) -> bool:
    """A report delivered to a people's congress: addressed to its deputies, reporting work."""
    opening = "".join(lines[:12])
    return "各位代表" in opening and _REPORTING.search(opening) is not None and "工作" in opening


def _sections(lines: list[str]) -> list[tuple[str, list[str]]]:
    """(level-1 heading, the lines under it) for the whole text."""
    out: list[tuple[str, list[str]]] = []
    for line in lines:
        if heading_level(line) == 1 and len(line) <= 60 and not _SENTENCE_END.search(line):
            out.append((line, []))
        elif out:
            out[-1][1].append(line)
    return out


def report_year(lines: list[str]) -> int | None:
    """The year of a work report without a dated header, from what it reviews and what it plans.

    ``2013年工作回顾`` is reviewed in the 2014 report; ``2014年工作总体部署`` is planned in it; a
    review heading without a year (``过去一年和五年工作回顾``) is dated by the latest year its
    text reports on (years after 到/至 are targets, not what is reported).
    """
    sections = _sections(lines)
    for heading, _ in sections:
        years = [int(y) for y in YEAR_WORD.findall(heading)]
        if years and _REVIEW.search(heading):
            return years[0] + 1
    for heading, _ in sections:
        years = [int(y) for y in YEAR_WORD.findall(heading)]
        if years and _PLAN_HEAD.search(heading):
            return years[0]
    for heading, body in sections:
        if not _REVIEW.search(heading):
            continue
        text = "\n".join(body)
        years = [int(m.group(1)) for m in YEAR_WORD.finditer(text) if not _TARGET_YEAR.search(text[:m.start()][-2:])]
        if years:
            return max(years) + 1
    return None


def _signature(lines: list[str]) -> tuple[str | None, str, int] | None:
    """(issuer, date, year) of the first signature: a date on a line of its own, the body above it."""
    for i, line in enumerate(lines):
        if DATE_LINE.match(line) is None:
            continue
        found = find_date(line)
        if found is None:
            continue
        above = lines[i - 1] if i > 0 else ""
        issuer = above if 0 < len(above) <= 30 and not _TITLE_BAN.search(above) and _ORGAN.search(above) else None
        return issuer, found[0], found[1]
    return None


def _doc_number(header: list[str]) -> str | None:
    for line in header:
        m = DOC_NUMBER.search(line)
        if m and (m.start() == 0 or len(line) <= 30):
            return f"{m.group(1)}〔{m.group(2)}〕{int(m.group(3))}号"
    return None


def _issuer_from_title(title: str) -> str | None:
    head, sep, _ = title.partition("关于")
    head = head.strip()
    if not sep or not 2 <= len(head) <= 30 or _TITLE_BAN.search(head):
        return None
    parts = [p for p in re.split(r"[\s\u3000、]+", head) if p]
    if parts and all(_ORGAN.search(p) for p in parts):
        return "、".join(parts)
    return None


@dataclass
class _Found:
    """Fields as they are found, each with where it came from."""

    values: dict[str, Any]
    origin: dict[str, str]

    def put(self, key: str, value: Any, origin: str) -> None:
        if value is not None and self.values.get(key) is None:
            self.values[key] = value
            self.origin[key] = origin


def _read_text(text: str, found: _Found) -> list[str]:
    lines = _lines(text)
    header = _header(lines)
    joined = "\n".join(header)
    found.put("title", title_lines(header), "text")
    found.put("doc_number", _doc_number(header), "text")
    for line in header:
        if DATE_LINE.match(line) or line.startswith("——") or "人民代表大会" in line:
            date = find_date(line)
            if date:
                found.put("date", date[0], "text")
                found.put("year", date[1], "text")
                break
    if _NATIONAL_CONGRESS.search(joined):
        found.put("region", NATIONAL, "text")
    m = _CONGRESS.search(joined)
    if m:
        found.put("congress_region", m.group(1), "text")
    for line in header:
        sm = _SPEAKER_ISSUER.match(line)
        if sm:
            found.put("issuer", sm.group(1), "text")
    if _is_report(lines):
        found.put("report", True, "text")
        om = _ON_BEHALF.search("".join(lines[:12]))
        if om:
            found.put("on_behalf", (om.group(1), om.group(2)), "text")
    sig = _signature(lines)
    if sig:
        found.put("signature", sig, "text")
    return lines


# ---- the whole identity -----------------------------------------------------------------------


def read_identity(
    text: str,
    *,
    name: str,
    layout_title: str | None = None,
    properties: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> tuple[str, Identity]:
    """(title, identity) of a cleaned document text.

    ``name`` is the file's name (the last resort for a title); ``layout_title`` the title the
    structure parser or the format marked; ``properties`` the file's metadata (``title``,
    ``date``); ``overrides`` the sidecar's fields, which win over everything.
    """
    props = properties or {}
    over = dict(overrides or {})
    f = _Found({}, {})
    for key in SIDECAR_FIELDS:
        f.put(key, over.get(key), "sidecar")
    if f.values.get("date") and not f.values.get("year"):
        f.put("year", int(str(f.values["date"])[:4]), "sidecar")
    lines = _read_text(text, f)
    v = f.values

    text_title = v.get("title") if f.origin.get("title") == "text" else None
    prop_title = _plausible_property_title(props.get("title"))
    if f.origin.get("title") != "sidecar":
        layout = layout_title.strip() if layout_title and _is_title_line(layout_title.strip()) else None
        best = text_title or layout
        if prop_title and (best is None or (best in prop_title and len(prop_title) > len(best))):
            v["title"], f.origin["title"] = prop_title, "properties"
        elif best:
            v["title"], f.origin["title"] = _despace(best), "text"
    title = v.get("title")

    kind = v.get("kind") or (kind_of(title) if title else None)
    if kind is None and v.get("report"):
        kind = "政府工作报告"
    f.put("kind", kind, "text")
    if title is None and kind == "政府工作报告":
        title = "政府工作报告"
        f.origin["title"] = "text"

    # issuer: the title's own prefix, the signature, the speaker line, the one reporting
    if title:
        f.put("issuer", _issuer_from_title(title), "text")
    sig = v.get("signature")
    if sig:
        f.put("issuer", sig[0], "text")
        f.put("date", sig[1], "text")
        f.put("year", sig[2], "text")

    # region: the title's leading place, the congress the report was made to, the issuer's level
    if title:
        f.put("region", region_of_place(title), "text")
    if v.get("congress_region"):
        cr = v["congress_region"]
        f.put("region", region_of_place(cr) or cr, "text")
    if v.get("issuer"):
        issuer = str(v["issuer"])
        f.put("region", NATIONAL if _NATIONAL_ISSUER.match(issuer) else region_of_place(issuer), "text")
    behalf = v.get("on_behalf")
    if behalf:
        who, body = behalf
        if body == "国务院":
            f.put("issuer", "国务院", "text")
            f.put("region", NATIONAL, "text")
        else:
            specific = who if who and who not in ("省", "市", "区", "县", "自治区", "州", "盟", "旗") else None
            place = specific or v.get("region")
            if place and place != NATIONAL:
                f.put("issuer", f"{place}人民政府", "text")
                f.put("region", region_of_place(place) or place, "text")

    # year: a report's review, the document number, the title, the plan period, the file
    if v.get("year") is None and kind == "政府工作报告":
        f.put("year", report_year(lines), "text")
    if v.get("doc_number"):
        m = DOC_NUMBER.search(str(v["doc_number"]))
        f.put("year", int(m.group(2)) if m else None, "text")
    period = v.get("period")
    if isinstance(period, (list, tuple)):
        period = (int(period[0]), int(period[1]))
    elif isinstance(period, str):
        period = plan_period(period + "年") or plan_period(period)
    if period is None and title:
        period = plan_period(title)
        f.put("period", period, "text")
    if title and kind != "规划":
        m = re.match(r"^\s*((?:19|20)\d{2})\s*年", title)
        f.put("year", int(m.group(1)) if m else None, "text")
    if period:
        f.put("year", period[0], "text")
    if props.get("date"):
        found = find_date(str(props["date"])) or iso_date(str(props["date"]))
        if found:
            f.put("date", found[0], "properties")
            f.put("year", found[1], "properties")

    if title is None:
        title = prop_title or name
        f.origin["title"] = "properties" if prop_title else "file name"
    elif f.origin.get("title") != "sidecar":
        title = qualified_title(title, kind, v.get("year"), v.get("region"))
    year = v.get("year")
    identity = Identity(
        name=str(v.get("name") or title),
        issuer=v.get("issuer"),
        date=str(v["date"]) if v.get("date") else (str(year) if year else None),
        year=int(year) if year else None,
        region=v.get("region"),
        doc_number=v.get("doc_number"),
        kind=kind,
        period=period,
        origin={k: o for k, o in f.origin.items() if k in SIDECAR_FIELDS},
    )
    return title, identity


def sidecar_fields(meta: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The identity fields of a sidecar, checked: a wrong value is an ``IngestError`` naming it."""
    out: dict[str, Any] = {}
    for key in SIDECAR_FIELDS:
        value = meta.get(key)
        if value is None or value == "":
            continue
        if key == "year":
            if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit() \
                    or not 1900 <= int(value) <= 2100:
                raise IngestError(where, f"invalid metadata file ('year' must be a year such as 2021, not {value!r})")
            out[key] = int(value)
        elif key == "period":
            period = _sidecar_period(value)
            if period is None:
                raise IngestError(where, f"invalid metadata file ('period' must be like \"2021-2025\", not {value!r})")
            out[key] = period
        elif key == "date":
            found = iso_date(str(value)) if isinstance(value, str) else None
            found = found or (find_date(value) if isinstance(value, str) else None)
            if found is None:
                raise IngestError(where, f"invalid metadata file ('date' must be like \"2019-03-05\", not {value!r})")
            out[key] = found[0]
        elif not isinstance(value, str) or not value.strip():
            raise IngestError(where, f"invalid metadata file ('{key}' must be text, not {value!r})")
        else:
            out[key] = value.strip()
    return out


def _sidecar_period(value: Any) -> tuple[int, int] | None:
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(x, int) for x in value):
        a, b = value
    elif isinstance(value, str):
        found = plan_period(value if value.endswith("年") else value + "年") or plan_period(value)
        if found is None:
            return None
        a, b = found
    else:
        return None
    return (a, b) if 1900 <= a <= b <= 2100 else None


# ---- a collection -------------------------------------------------------------------------------


def distinct_names(documents: Iterable[Document]) -> dict[str, str]:
    """doc_id → the name each document is shown under, no two alike.

    Documents sharing a name are told apart by their date where those differ, else by their id.
    """
    docs = list(documents)
    groups: dict[str, list[Document]] = {}
    for d in docs:
        groups.setdefault(d.name, []).append(d)
    out: dict[str, str] = {}
    for name, group in groups.items():
        if len(group) == 1:
            out[group[0].doc_id] = name
            continue
        dates = Counter(d.identity.date for d in group)
        for d in group:
            date = d.identity.date
            tag = date if date and dates[date] == 1 else d.doc_id
            out[d.doc_id] = f"{name}（{tag}）"
    return out


def with_distinct_names(documents: Iterable[Document]) -> list[Document]:
    """The documents, each named as ``distinct_names`` says (unchanged ones are the same objects)."""
    docs = list(documents)
    names = distinct_names(docs)
    return [d if d.name == names[d.doc_id] else replace(d, identity=replace(d.identity, name=names[d.doc_id]))
            for d in docs]


__all__ = [
    "SIDECAR_FIELDS",
    "distinct_names",
    "read_identity",
    "report_year",
    "sidecar_fields",
    "title_lines",
    "with_distinct_names",
]
