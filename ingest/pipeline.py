"""The ingest pipeline: files → cleaned text → structure → passages, as ``Document`` records.

Public API:

- ``ingest_file(path) -> Document`` — one file that holds one document;
- ``ingest_text(doc_id, title, text, source=…) -> Document`` — text already in memory
  (an upload, a test);
- ``ingest_paths(paths) -> IngestReport`` — files and directories; one bad file never stops the
  others: its ``IngestError`` (file and reason) is reported and the file skipped.

Ids are derived from the document id and positions in the cleaned text only, so ingesting the
same file again gives the same ids: paragraphs ``<doc_id>#p<n>``, passages
``<doc_id>#p<n>.s<m>`` (``m`` = first sentence, 1-based), tables ``<doc_id>#t<k>`` and table
rows ``<doc_id>#t<k>.r<n>`` (data rows in order, the total row last).
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.clean import Cleaned, clean_text
from ingest.errors import IngestError
from ingest.identity import read_identity, sidecar_fields
from ingest.loaders import Source, load, read_sidecar
from ingest.model import Document, Paragraph, Passage, Table, TableRow
from ingest.sentences import group_sentences, split_sentences
from ingest.structure import Layout, heading_level, parse_layout
from ingest.tables import build_table

# Files in a corpus directory that are about the corpus, not part of it.
SKIPPED_NAMES = re.compile(r"^readme(\.[a-z]+)?$", re.IGNORECASE)
SIDECAR_SUFFIX = ".meta.json"

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class IngestReport:
    """Documents read, and the files (or jsonl lines) that could not be, with the reason."""

    documents: tuple[Document, ...]
    errors: tuple[IngestError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def slug(name: str) -> str:
    """A stable, URL- and id-safe document id from a file stem (Chinese characters kept)."""
    s = unicodedata.normalize("NFKC", name).strip()
    s = re.sub(r"[^\w.\-]+", "-", s)
    s = re.sub(r"-{2,}", "-", s).strip("-.")
    return s or "doc"


# ---------------------------------------------------------------- building a document


def _paragraph_passages(doc_id: str, n: int, text: str, span: tuple[int, int], section: tuple[str, ...]):
    pid = f"{doc_id}#p{n}"
    start = span[0]
    body = text[span[0] : span[1]]
    sentences = split_sentences(body)
    groups = group_sentences([e - s for s, e in sentences])
    passages = []
    for first, last in groups:
        s = start + sentences[first][0]
        e = start + sentences[last - 1][1]
        passages.append(
            Passage(
                id=f"{pid}.s{first + 1}",
                doc_id=doc_id,
                kind="paragraph",
                text=text[s:e],
                section=section,
                span=(s, e),
                paragraph_id=pid,
                sentences=(first, last),
            )
        )
    return Paragraph(id=pid, doc_id=doc_id, section=section, span=span, text=body), passages


def _tables(doc_id: str, layout: Layout) -> tuple[list[Table], list[Passage]]:
    tables: list[Table] = []
    passages: list[Passage] = []
    for k, block in enumerate(layout.tables, start=1):
        built = build_table(
            block.raw,
            table_id=f"{doc_id}#t{k}",
            doc_id=doc_id,
            title=block.title,
            section=block.section,
            unit=block.unit,
            level_of=heading_level,
            span=block.span,
        )
        table = built.table
        tables.append(table)
        section = block.section
        if block.title and (not section or section[-1] != block.title):
            section = (*section, block.title)
        for row, row_text, row_span in zip(table.rows, built.passages_text, built.row_spans, strict=True):
            passages.append(
                Passage(
                    id=f"{table.id}.r{row.index}",
                    doc_id=doc_id,
                    kind="table_row",
                    text=row_text,
                    section=section,
                    span=row_span,
                    paragraph_id=table.id,
                    row=row,
                )
            )
    return tables, passages


def _with_confidence(
    tables: list[Table], passages: list[Passage], ranges: tuple[tuple[int, int, float], ...], cleaned: Cleaned
) -> tuple[list[Table], list[Passage]]:
    """Rows of tables read by OCR with their confidence (``ranges`` are in the source text)."""
    starts = [start for start, _, _ in ranges]
    rows: dict[tuple[str, int], TableRow] = {}
    for p in passages:
        if p.row is not None:
            at = cleaned.raw_offset(p.span[0])
            k = bisect.bisect_right(starts, at) - 1
            if k >= 0 and at < ranges[k][1]:
                rows[(p.row.table_id, p.row.index)] = dataclasses.replace(p.row, confidence=ranges[k][2])
    tables = [dataclasses.replace(t, rows=tuple(rows.get((r.table_id, r.index), r) for r in t.rows)) for t in tables]
    passages = [
        dataclasses.replace(p, row=rows[(p.row.table_id, p.row.index)])
        if p.row is not None and (p.row.table_id, p.row.index) in rows
        else p
        for p in passages
    ]
    return tables, passages


def _with_pages(passages: list[Passage], pages: tuple[tuple[int, int], ...], cleaned: Cleaned) -> list[Passage]:
    """Each passage with the page its first character was printed on."""
    offsets = [offset for offset, _ in pages]
    out: list[Passage] = []
    for p in passages:
        at = bisect.bisect_right(offsets, cleaned.raw_offset(p.span[0])) - 1
        out.append(dataclasses.replace(p, page=pages[max(at, 0)][1]))
    return out


def build_document(source: Source, *, doc_id: str | None = None, title: str | None = None) -> Document:
    """Clean, structure and cut one loaded source into a ``Document``, with its identity
    (``ingest.identity``); a ``title`` given here wins over the one read from the document."""
    doc_id = doc_id or slug(source.name)
    bad = next((c for c in source.text if 0xD800 <= ord(c) <= 0xDFFF), None)
    if bad is not None:
        raise IngestError(source.name, f"the text contains an unpaired surrogate U+{ord(bad):04X}; it is not valid Unicode")
    cleaned = clean_text(source.text)
    text = cleaned.text
    layout = parse_layout(text, markdown=source.markdown, heading_hints=source.heading_hints)

    paragraphs: list[Paragraph] = []
    passages: list[Passage] = []
    for n, block in enumerate(layout.paragraphs, start=1):
        paragraph, ps = _paragraph_passages(doc_id, n, text, block.span, block.section)
        paragraphs.append(paragraph)
        passages.extend(ps)
    tables, row_passages = _tables(doc_id, layout)
    if source.row_confidence:
        tables, row_passages = _with_confidence(tables, row_passages, source.row_confidence, cleaned)
    passages.extend(row_passages)
    passages.sort(key=lambda p: (p.span[0], p.id))
    if source.pages:
        passages = _with_pages(passages, source.pages, cleaned)

    meta: dict[str, Any] = dict(source.meta)
    meta.update(
        format=source.format,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        removed_chars=cleaned.removed_chars,
        normalised_chars=cleaned.normalised_chars,
    )
    overrides = dict(source.overrides)
    if title and title.strip():
        overrides["title"] = title.strip()
    properties = {**source.properties, "title": source.title or ""}
    doc_title, identity = read_identity(
        text, name=source.name, layout_title=layout.title, properties=properties, overrides=overrides
    )
    return Document(
        doc_id=doc_id,
        title=doc_title,
        source=str(source.path),
        text=text,
        headings=layout.headings,
        paragraphs=tuple(paragraphs),
        tables=tuple(tables),
        passages=tuple(passages),
        meta=meta,
        identity=identity,
    )


def ingest_text(
    doc_id: str,
    title: str | None,
    text: str,
    *,
    source: str = "<text>",
    markdown: bool = False,
    meta: dict[str, Any] | None = None,
) -> Document:
    """Ingest text already in memory (it is cleaned like a file's text)."""
    if not text.strip():
        raise IngestError(source, "the text is empty")
    src = Source(
        doc_id,
        text,
        Path(source),
        "md" if markdown else "txt",
        markdown=markdown,
        meta=meta or {},
        overrides={"title": title.strip()} if title and title.strip() else {},
    )
    return build_document(src, doc_id=slug(doc_id))


def _with_sidecar(path: Path, source: Source) -> Source:
    """The source with its sidecar's identity fields as overrides; other fields go to ``meta``."""
    meta = read_sidecar(path)
    if not meta:
        return source
    fields = sidecar_fields(meta, str(path.with_name(path.stem + SIDECAR_SUFFIX)))
    extra = {k: v for k, v in meta.items() if k != "title"}
    return dataclasses.replace(source, meta={**source.meta, **extra}, overrides={**source.overrides, **fields})


def ingest_file(path: str | Path) -> Document:
    """Ingest one file holding one document (a ``<stem>.meta.json`` beside it may set its title,
    name, issuer, date, year, region, document number, kind and period)."""
    path = Path(path)
    result = load(path)
    if not result.sources:
        raise result.errors[0] if result.errors else IngestError(str(path), "the file has no documents")
    if len(result.sources) != 1:
        raise IngestError(str(path), f"holds {len(result.sources)} documents; read it with ingest_paths")
    source = result.sources[0]
    if source.format != "jsonl":
        source = _with_sidecar(path, source)
    return build_document(source)


# ---------------------------------------------------------------- many files


def _skipped(rel: Path) -> bool:
    return (
        any(part.startswith(".") for part in rel.parts)
        or SKIPPED_NAMES.match(rel.name) is not None
        or rel.name.endswith(SIDECAR_SUFFIX)
    )


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[IngestError]]:
    """Expand directories (recursively, in name order, skipping hidden files, READMEs and
    ``*.meta.json`` sidecars); files named explicitly are always taken."""
    files: list[Path] = []
    errors: list[IngestError] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            files.append(p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not _skipped(f.relative_to(p)):
                    add(f)
        elif p.is_file():
            add(p)
        else:
            errors.append(IngestError(str(p), "no such file or directory"))
    return files, errors


def ingest_paths(paths: Iterable[str | Path], progress: Progress | None = None) -> IngestReport:
    """Ingest files and directories; report, and skip, whatever cannot be read.

    ``progress(done, total, path)`` is called after each file.
    """
    files, errors = collect_files(paths)
    documents: list[Document] = []
    owner: dict[str, str] = {}
    for done, path in enumerate(files, start=1):
        try:
            result = load(path)
            errors.extend(result.errors)
            for source in result.sources:
                src = source if source.format == "jsonl" else _with_sidecar(path, source)
                try:
                    doc = build_document(src)
                except IngestError as exc:  # one bad document of a .jsonl file spares the others
                    errors.append(IngestError(str(path), f"document '{src.name}': {exc.reason}"))
                    continue
                if doc.doc_id in owner:
                    errors.append(
                        IngestError(
                            str(path), f"document id '{doc.doc_id}' is already used by {owner[doc.doc_id]}"
                        )
                    )
                    continue
                owner[doc.doc_id] = doc.source
                documents.append(doc)
        except IngestError as exc:
            errors.append(exc)
        except Exception as exc:  # one file's surprise must not stop the rest
            errors.append(IngestError(str(path), f"could not be ingested ({type(exc).__name__}: {exc})"))
        if progress is not None:
            progress(done, len(files), str(path))
    return IngestReport(documents=tuple(documents), errors=tuple(errors))


__all__ = [
    "IngestReport",
    "build_document",
    "collect_files",
    "ingest_file",
    "ingest_paths",
    "ingest_text",
    "slug",
]
