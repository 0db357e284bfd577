"""Loaders: one per file suffix, each turning a file's bytes into text the pipeline can read.

Plain text and Markdown are decoded (government files are often GBK/GB18030 or UTF-16, not
UTF-8, so the encoding is detected). docx and pdf carry structure a plain reading would lose —
heading styles, tables — so their loaders render it into the same plain layout the text exports
use: one paragraph per line, headings as hints by line number, tables as one tab-indented cell per
line with a blank line between rows. From there every format goes through the same cleaning,
structure and table code (the structured formats live in ``word``, ``doc``, ``pdf`` and
``webpage``, and register their suffixes here). ``.jsonl`` holds one document per line (``id``/``title``/``text``),
the shape of evaluation corpora.

Every failure is an ``IngestError`` naming the file and the reason in plain words.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import IngestError

Row = list[str]


@dataclass(frozen=True)
class Source:
    """One document as read from disk, before cleaning."""

    name: str  # what the document id is made from: the file stem, or a jsonl line's id
    text: str
    path: Path
    format: str
    title: str | None = None
    markdown: bool = False
    heading_hints: Mapping[int, int] = field(default_factory=dict)  # line number → heading level
    meta: dict[str, Any] = field(default_factory=dict)
    # (offset in ``text``, page number) where each printed page's content begins, for paged formats
    pages: tuple[tuple[int, int], ...] = ()
    # what the file says about itself besides ``title`` (a ``date``), and identity fields given
    # outright (a sidecar's, a jsonl line's title), which win over what is read from the text
    properties: Mapping[str, str] = field(default_factory=dict)
    overrides: Mapping[str, Any] = field(default_factory=dict)
    # (start, end, confidence) in ``text`` of each row of a table read by OCR
    row_confidence: tuple[tuple[int, int, float], ...] = ()


@dataclass(frozen=True)
class LoadResult:
    """What a file yielded: its documents, and problems with parts of it (bad jsonl lines)."""

    sources: tuple[Source, ...]
    errors: tuple[IngestError, ...] = ()


Loader = Callable[[Path, bytes], LoadResult]
_LOADERS: dict[str, Loader] = {}


def loader(*suffixes: str) -> Callable[[Loader], Loader]:
    """Register a loader for file suffixes (lower case, with the dot)."""

    def register(fn: Loader) -> Loader:
        for suffix in suffixes:
            _LOADERS[suffix] = fn
        return fn

    return register


def _register_formats() -> None:
    """Import the loaders of the structured formats, which register themselves."""
    from ingest import doc, pdf, webpage, word  # noqa: F401


def supported_suffixes() -> tuple[str, ...]:
    _register_formats()
    return tuple(sorted(_LOADERS))


def load(path: Path) -> LoadResult:
    """Read a file with the loader its suffix selects."""
    _register_formats()
    suffix = path.suffix.lower()
    fn = _LOADERS.get(suffix)
    if fn is None:
        shown = f"'{suffix}'" if suffix else "(no suffix)"
        raise IngestError(
            str(path), f"unsupported file type {shown} (supported: {', '.join(supported_suffixes())})"
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(str(path), "no such file") from None
    except IsADirectoryError:
        raise IngestError(str(path), "is a directory, not a file") from None
    except OSError as exc:
        raise IngestError(str(path), f"cannot read the file ({exc.strerror or exc})") from None
    if not data:
        raise IngestError(str(path), "the file is empty")
    return fn(path, data)


def read_sidecar(path: Path) -> dict[str, Any]:
    """Metadata from ``<stem>.meta.json`` beside the file (``{"title": …}``), or ``{}``."""
    sidecar = path.with_name(path.stem + ".meta.json")
    if not sidecar.is_file():
        return {}
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IngestError(str(sidecar), f"invalid metadata file ({exc})") from None
    if not isinstance(meta, dict):
        raise IngestError(str(sidecar), "invalid metadata file (expected a JSON object)")
    return meta


# ---------------------------------------------------------------- decoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\x1b")
BINARY_REASON = "looks like a binary file, not text"
UNDECODABLE_REASON = "cannot decode the text (tried UTF-8, UTF-16, GB18030, Big5 and charset detection)"


def _texty(text: str) -> bool:
    if not text or "\x00" in text:
        return False
    controls = sum(1 for ch in text if ch < " " and ch not in _ALLOWED_CONTROLS)
    return controls <= len(text) * 0.001


# The lead bytes of each encoding's block of most frequent characters (GB2312 level 1, 3,755
# characters; Big5 "frequently used", 5,401): most Han characters of real text fall there, while
# bytes of another encoding decoded by mistake scatter over rare ones.
_COMMON_BLOCK = {"gb18030": ("gb2312", 0xB0, 0xD7), "big5": ("big5", 0xA4, 0xC6)}


def _plausible_chinese(text: str, encoding: str = "gb18030") -> bool:
    han = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return True
    codec, low, high = _COMMON_BLOCK.get(encoding, _COMMON_BLOCK["gb18030"])
    common = 0
    for ch in han:
        try:
            b = ch.encode(codec)
        except UnicodeEncodeError:
            continue
        common += low <= b[0] <= high
    return common >= 0.6 * len(han)


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode text bytes, detecting the encoding; returns ``(text, encoding)``."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                raise IngestError(name, UNDECODABLE_REASON) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _texty(text):
            return text, "utf-8"
    if b"\x00" in data:
        # UTF-16 without a byte-order mark: ASCII characters give a NUL in every other byte.
        if len(data) % 2 == 0:
            for enc in ("utf-16-le", "utf-16-be"):
                try:
                    text = data.decode(enc)
                except UnicodeDecodeError:
                    continue
                if _texty(text) and _plausible_chinese(text):
                    return text, enc
        raise IngestError(name, BINARY_REASON)
    controls = sum(1 for b in data if b < 0x20 and chr(b) not in _ALLOWED_CONTROLS)
    if controls > len(data) * 0.01:
        raise IngestError(name, BINARY_REASON)
    for enc in ("gb18030", "big5"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _texty(text) and _plausible_chinese(text, enc):
            return text, enc
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        text = str(best)
        if _texty(text):
            return text, best.encoding
    raise IngestError(name, UNDECODABLE_REASON)


def _decoded(path: Path, data: bytes) -> tuple[str, str]:
    text, encoding = decode_bytes(data, str(path))
    if not text.strip():
        raise IngestError(str(path), "the file has no text")
    return text, encoding


# ---------------------------------------------------------------- text formats


@loader(".txt")
def load_txt(path: Path, data: bytes) -> LoadResult:
    text, encoding = _decoded(path, data)
    return LoadResult((Source(path.stem, text, path, "txt", meta={"encoding": encoding}),))


@loader(".md")
def load_md(path: Path, data: bytes) -> LoadResult:
    text, encoding = _decoded(path, data)
    return LoadResult((Source(path.stem, text, path, "md", markdown=True, meta={"encoding": encoding}),))


_ID_KEYS = ("id", "doc_id", "pid")
_TEXT_KEYS = ("text", "content", "context")


@loader(".jsonl")
def load_jsonl(path: Path, data: bytes) -> LoadResult:
    text, encoding = _decoded(path, data)
    sources: list[Source] = []
    errors: list[IngestError] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(IngestError(where, f"invalid JSON ({exc.msg})"))
            continue
        if not isinstance(obj, dict):
            errors.append(IngestError(where, "expected a JSON object with 'id', 'title' and 'text'"))
            continue
        body = next((obj[k] for k in _TEXT_KEYS if isinstance(obj.get(k), str)), None)
        if body is None or not body.strip():
            errors.append(IngestError(where, "no 'text' in this line"))
            continue
        ident = next((str(obj[k]) for k in _ID_KEYS if obj.get(k) not in (None, "")), f"{path.stem}-{n}")
        title = obj.get("title") if isinstance(obj.get("title"), str) else None
        meta = {"encoding": encoding, "line": n}
        meta.update({k: v for k, v in obj.items() if k not in (*_ID_KEYS, *_TEXT_KEYS, "title")})
        given = {"title": title.strip()} if title and title.strip() else {}
        sources.append(Source(ident, body, path, "jsonl", meta=meta, overrides=given))
    return LoadResult(tuple(sources), tuple(errors))


# ---------------------------------------------------------------- rendering structured formats

_INLINE_WS = re.compile(r"[\t\r\n\v\f\u2028\u2029]+")


def _one_line(s: str | None) -> str:
    return _INLINE_WS.sub(" ", s or "").strip()


def render_blocks(blocks: Iterable[tuple[str, Any, int | None]]) -> tuple[str, dict[int, int]]:
    """Lay out ``("text", str, level|None)`` and ``("table", rows, None)`` blocks as plain text.

    Returns the text and the heading hints (line number → level) for ``structure.parse_layout``.
    """
    text, hints, _ = render_blocks_located(blocks)
    return text, hints


def render_blocks_located(
    blocks: Iterable[tuple[str, Any, int | None]],
) -> tuple[str, dict[int, int], list[int | None]]:
    """``render_blocks``, plus the offset in the text where each block starts (None if empty)."""
    lines: list[str] = []
    hints: dict[int, int] = {}
    first_lines: list[int | None] = []
    for kind, value, level in blocks:
        if kind == "text":
            line = _one_line(value)
            if not line:
                first_lines.append(None)
                continue
            if level is not None:
                hints[len(lines)] = level
            first_lines.append(len(lines))
            lines.append(line)
        else:
            rows = [[_one_line(c) for c in row] for row in value]
            rows = [r for r in rows if any(r)]
            if not rows:
                first_lines.append(None)
                continue
            if lines and lines[-1] != "":
                lines.append("")
            first_lines.append(len(lines))
            for row in rows:
                lines.extend("\t" + c for c in row)
                lines.append("")
    offsets: list[int] = []
    at = 0
    for line in lines:
        offsets.append(at)
        at += len(line) + 1
    starts = [offsets[n] if n is not None else None for n in first_lines]
    return "\n".join(lines).rstrip("\n") + "\n", hints, starts


__all__ = [
    "BINARY_REASON",
    "LoadResult",
    "Source",
    "UNDECODABLE_REASON",
    "decode_bytes",
    "load",
    "loader",
    "read_sidecar",
    "render_blocks",
    "render_blocks_located",
    "supported_suffixes",
]
