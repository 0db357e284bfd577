"""Request and response models of the HTTP contract (v1).

Validation lives here so every route refuses bad input the same way: FastAPI turns a failed
validator into a 422 whose message says what to fix.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from index.filters import MAX_FILTER_TEXT, MAX_YEAR, MIN_YEAR, DocFilter, doc_filter
from ingest.errors import InvalidRequest
from service.hits import hit_to_dict
from service.validation import MAX_TEXT, check_text

if TYPE_CHECKING:
    from index.types import Hit
    from ingest.model import Document
    from service.answer.engine import Answer
    from service.catalog import ModelEntry
    from service.runtime import SearchResult
    from service.timeline import DocCount, Timeline, YearCount

TitleOf = Callable[[str], str]

MAX_TOP_K = 50
MAX_DOC_IDS = 100
MAX_MODEL_NAME = 200

Mode = Literal["hybrid", "semantic", "keyword", "exact"]


def clean_doc_ids(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    if len(value) > MAX_DOC_IDS:
        raise ValueError(f"doc_ids lists {len(value)} documents; the limit is {MAX_DOC_IDS}")
    return [check_text(v, "doc_ids entry") for v in value]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strict=True)


# Limits shown in the OpenAPI schema; enforced by ``check_text`` so the messages stay its own.
_TEXT_LIMITS = {"minLength": 1, "maxLength": MAX_TEXT}
_DOC_IDS_LIMITS = {"maxItems": MAX_DOC_IDS}


_FILTER_TEXT_LIMITS = {"minLength": 1, "maxLength": MAX_FILTER_TEXT}


class _Filters(_Strict):
    """Which documents to draw on, by their identity (see ``GET /api/documents``)."""

    year_from: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR, strict=True,
                                  description="Only documents of this year or later.")
    year_to: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR, strict=True,
                                description="Only documents of this year or earlier.")
    region: str | None = Field(None, description="Only documents for this region: 全国, a province (with or without 省), a city (市) or a district (区) …",
                               json_schema_extra=_FILTER_TEXT_LIMITS)
    kind: str | None = Field(None, description="Only documents of this kind: 政府工作报告, 规划, 通知, 意见 …",
                             json_schema_extra=_FILTER_TEXT_LIMITS)

    _r = field_validator("region")(lambda v: check_text(v, "region", MAX_FILTER_TEXT) if v is not None else v)
    _k = field_validator("kind")(lambda v: check_text(v, "kind", MAX_FILTER_TEXT) if v is not None else v)

    @model_validator(mode="after")
    def _years_in_order(self):  # noqa: ANN202 - pydantic's validator signature
        try:
            self.to_filter()
        except InvalidRequest as e:
            raise ValueError(str(e)) from None
        return self

    def to_filter(self) -> DocFilter:
        return doc_filter(year_from=self.year_from, year_to=self.year_to, region=self.region, kind=self.kind,
                          doc_ids=getattr(self, "doc_ids", None))


class SearchRequest(_Filters):
    query: str = Field(
        ..., description="Words, a question, or (mode exact) the exact wording to find.",
        json_schema_extra=_TEXT_LIMITS,
    )
    top_k: int = Field(10, ge=1, le=MAX_TOP_K, strict=True)
    mode: Mode = "hybrid"
    doc_ids: list[str] | None = Field(
        None, description="Only search these documents.", json_schema_extra=_DOC_IDS_LIMITS
    )

    _q = field_validator("query")(lambda v: check_text(v, "query"))
    _d = field_validator("doc_ids")(lambda v: clean_doc_ids(v))


class TimelineRequest(_Filters):
    """The exact wording to follow over the documents, with exact search's filters."""

    query: str = Field(..., description="The exact wording to find, as in exact search.", json_schema_extra=_TEXT_LIMITS)
    doc_ids: list[str] | None = Field(
        None, description="Only these documents.", json_schema_extra=_DOC_IDS_LIMITS
    )

    _q = field_validator("query")(lambda v: check_text(v, "query"))
    _d = field_validator("doc_ids")(lambda v: clean_doc_ids(v))


class DocCountOut(BaseModel):
    doc_id: str
    name: str = Field(..., description="The document's distinct name.")
    date: str | None = None
    year: int | None = None
    count: int = Field(..., description="Occurrences of the phrase in the document (exact search's count).")

    @classmethod
    def from_core(cls, d: DocCount) -> DocCountOut:
        return cls(doc_id=d.doc_id, name=d.name, date=d.date, year=d.year, count=d.count)


class YearCountOut(BaseModel):
    year: int
    count: int = Field(..., description="Occurrences in that year's documents, summed.")
    documents: int = Field(..., description="Documents of that year searched.")
    matched: int = Field(..., description="Of those, how many hold the phrase.")

    @classmethod
    def from_core(cls, y: YearCount) -> YearCountOut:
        return cls(year=y.year, count=y.count, documents=y.documents, matched=y.matched)


class TimelineResponse(BaseModel):
    query: str
    total: int
    summary: str = Field(..., description="First and last appearance in words (Chinese).")
    first: DocCountOut | None = Field(None, description="The earliest dated document holding the phrase.")
    last: DocCountOut | None = Field(None, description="The latest dated document holding the phrase.")
    documents: list[DocCountOut] = Field(
        ..., description="Every searched document in date order (undated last), with 0 where the phrase is absent."
    )
    years: list[YearCountOut] = Field(..., description="Every year a searched document is from, ascending.")
    undated: int = Field(0, description="Occurrences in documents without a year (in no year).")

    @classmethod
    def from_timeline(cls, t: Timeline) -> TimelineResponse:
        def one(d: DocCount | None) -> DocCountOut | None:
            return DocCountOut.from_core(d) if d is not None else None

        return cls(query=t.phrase, total=t.total, summary=t.describe(), first=one(t.first), last=one(t.last),
                   documents=[DocCountOut.from_core(d) for d in t.documents],
                   years=[YearCountOut.from_core(y) for y in t.years], undated=t.undated)


MAX_HISTORY = 20


def clean_history(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    if len(value) > MAX_HISTORY:
        raise ValueError(f"history holds {len(value)} turns; the limit is {MAX_HISTORY}")
    return [check_text(v, "history entry") for v in value]


class AskRequest(_Filters):
    question: str = Field(..., json_schema_extra=_TEXT_LIMITS)
    top_k: int = Field(5, ge=1, le=MAX_TOP_K, strict=True)
    doc_ids: list[str] | None = Field(None, json_schema_extra=_DOC_IDS_LIMITS)
    history: list[str] | None = Field(
        None, description="Earlier questions of this conversation, oldest first; a follow-up is "
        "read against them. The server keeps no conversation state.",
        json_schema_extra={"maxItems": MAX_HISTORY},
    )

    _q = field_validator("question")(lambda v: check_text(v, "question"))
    _d = field_validator("doc_ids")(lambda v: clean_doc_ids(v))
    _h = field_validator("history")(lambda v: clean_history(v))


class HitOut(BaseModel):
    id: str
    doc_id: str
    doc_title: str
    kind: Literal["paragraph", "table_row"]
    section: list[str]
    text: str
    span: list[int] = Field(..., min_length=2, max_length=2)
    score: float | None = None
    highlights: list[list[int]]
    row: dict[str, Any] | None = None
    page: int | None = Field(None, description="The printed page the passage starts on (paged formats such as PDF).")

    @classmethod
    def from_hit(cls, hit: Hit, doc_title: str, with_score: bool = True) -> HitOut:
        return cls(**hit_to_dict(hit, doc_title, with_score))


def _citations(hits: Sequence[Hit], title_of: TitleOf) -> list[HitOut]:
    return [HitOut.from_hit(h, title_of(h.passage.doc_id)) for h in hits]


class SearchResponse(BaseModel):
    query: str
    mode: Mode
    total: int
    took_ms: float
    results: list[HitOut]
    per_doc: dict[str, int] = Field(default_factory=dict, description="Matches per document.")

    @classmethod
    def from_result(cls, res: SearchResult, title_of: TitleOf) -> SearchResponse:
        return cls(query=res.query, mode=res.mode, total=res.total, took_ms=res.took_ms, per_doc=res.per_doc,
                   results=_citations(res.hits, title_of))


class AskResponse(BaseModel):
    question: str
    answer: str
    grounded: bool
    citations: list[HitOut]
    took_ms: float
    kind: str = Field("", description="How the answer was made: extractive, table lookup, aggregate …")
    notes: list[str] = Field(default_factory=list)
    short_answer: str | None = Field(
        None, description="The minimal answer (a figure, name, date): a verbatim slice of the first "
        "citation's text, or null when the question has none.",
    )
    resolved_question: str | None = Field(
        None, description="The question as answered, when a follow-up was completed from history."
    )

    @classmethod
    def from_answer(cls, ans: Answer, title_of: TitleOf, took_ms: float) -> AskResponse:
        return cls(question=ans.question, answer=ans.text, grounded=ans.grounded,
                   citations=_citations(ans.citations, title_of), took_ms=took_ms, kind=ans.kind,
                   notes=list(ans.notes), short_answer=ans.short_answer, resolved_question=ans.resolved)


class DocumentOut(BaseModel):
    doc_id: str
    title: str = Field(..., description="The document's title (a bare 政府工作报告 gets its year and region).")
    name: str = Field(..., description="How citations and answers name it: distinct within the collection.")
    issuer: str | None = Field(None, description="The issuing body: 国务院, 安徽省人民政府 …")
    date: str | None = Field(None, description="ISO date, as precise as the document says: 2019-03-05, 2019-03, 2019.")
    year: int | None = None
    region: str | None = Field(None, description="全国, a province, or a city or district with its city (…市…区).")
    doc_number: str | None = Field(None, description="The document number: 国发〔2021〕29号.")
    kind: str | None = Field(None, description="政府工作报告, 规划, 通知, 意见, 方案 …")
    period: list[int] | None = Field(None, description="The years a plan covers: [2021, 2025].")
    source: str
    paragraphs: int
    passages: int
    tables: int
    rows: int
    headings: int
    characters: int

    @classmethod
    def from_document(cls, d: Document) -> DocumentOut:
        i = d.identity
        return cls(doc_id=d.doc_id, title=d.title, name=d.name, issuer=i.issuer, date=i.date, year=i.year,
                   region=i.region, doc_number=i.doc_number, kind=i.kind,
                   period=list(i.period) if i.period else None, source=d.source, paragraphs=len(d.paragraphs),
                   passages=len(d.passages), tables=len(d.tables), rows=sum(len(t.rows) for t in d.tables),
                   headings=len(d.headings), characters=len(d.text))


class Health(BaseModel):
    status: Literal["ok", "loading", "error"]
    documents: int
    passages: int
    model: str | None = None
    index_built: str | None = None
    detail: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class ChatFilters(_Filters):
    """``/v1/chat/completions``'s one extra field: the filters of ``/api/ask`` in one object."""

    doc_ids: list[str] | None = Field(None, description="Only these documents.", json_schema_extra=_DOC_IDS_LIMITS)

    _d = field_validator("doc_ids")(lambda v: clean_doc_ids(v))


class ChatRequest(BaseModel):
    """OpenAI's request shape; other OpenAI fields (temperature …) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = Field("planqa", description="`planqa` (every document) or `planqa:<doc_id>` (one); "
                       "GET /v1/models lists them.", json_schema_extra={"maxLength": MAX_MODEL_NAME})
    messages: list[ChatMessage] = Field(..., min_length=1, max_length=100)
    stream: bool = False
    stream_options: StreamOptions | None = Field(
        None, description="With `include_usage`, a last chunk before `[DONE]` carries `usage`."
    )
    top_k: int = Field(5, ge=1, le=MAX_TOP_K)
    filters: ChatFilters | None = Field(
        None, description="planqa's extension: answer only from documents of these years, region, kind or ids "
        "(OpenAI clients send it as an extra body field).",
    )

    @field_validator("model")
    @classmethod
    def _model_name(cls, v: str) -> str:
        if len(v) > MAX_MODEL_NAME:
            raise ValueError(f"model is {len(v)} characters; the limit is {MAX_MODEL_NAME}")
        if any(0xD800 <= ord(c) <= 0xDFFF or unicodedata.category(c) == "Cc" for c in v):
            raise ValueError("model contains control characters or unpaired surrogates; remove them")
        return v


class ChatReply(BaseModel):
    role: Literal["assistant"]
    content: str


class ChatChoice(BaseModel):
    index: int
    finish_reason: str
    message: ChatReply


class ChatCompletion(BaseModel):
    """The non-streaming reply; a streamed reply sends the same fields as SSE chunks."""

    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage
    citations: list[HitOut]
    grounded: bool
    short_answer: str | None = None

    @classmethod
    def from_answer(cls, ans: Answer, title_of: TitleOf, cid: str, created: int, model: str,
                    usage: Usage) -> ChatCompletion:
        return cls(
            id=cid, object="chat.completion", created=created, model=model,
            choices=[ChatChoice(index=0, finish_reason="stop", message=ChatReply(role="assistant", content=ans.text))],
            usage=usage, citations=_citations(ans.citations, title_of), grounded=ans.grounded,
            short_answer=ans.short_answer,
        )


class Usage(BaseModel):
    """Tokens by the embedding model's tokenizer: the messages sent, and the answer's text."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int

    @classmethod
    def of(cls, prompt_tokens: int, completion_tokens: int) -> Usage:
        return cls(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                   total_tokens=prompt_tokens + completion_tokens)


class ModelOut(BaseModel):
    """One entry of ``/v1/models``: OpenAI's fields, plus which document it answers from."""

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "planqa"
    doc_id: str | None = Field(None, description="The one document this model answers from; null: every document.")
    title: str

    @classmethod
    def from_entry(cls, e: ModelEntry) -> ModelOut:
        return cls(id=e.id, created=e.created, doc_id=e.doc_id, title=e.title)


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]


# ---- errors --------------------------------------------------------------------------------------


class ValidationIssue(BaseModel):
    """One of FastAPI's validation errors: where (``loc``), what (``msg``), and its ``type``."""

    loc: list[str | int]
    msg: str
    type: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class ErrorOut(BaseModel):
    """Every 4xx: ``detail`` says what to fix (a list of issues for schema validation errors)."""

    detail: str | list[ValidationIssue]


class OpenAIError(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIErrorOut(BaseModel):
    """Every error under ``/v1``, in OpenAI's shape: ``error.message`` says what to fix."""

    error: OpenAIError
