"""Optional LLM wording over the same numbered passages, accepted only when it stays checkable.

Any OpenAI-compatible server works (``PLANQA_LLM_BASE_URL``, ``PLANQA_LLM_API_KEY``,
``PLANQA_LLM_MODEL``). The model sees the citations as numbered passages; its answer is kept only
if it cites at least one of them, every ``[n]`` exists, and every number it writes occurs in the
passages it cites. Anything else — a timeout, an invented figure, ``[9]`` of five — falls back to
the extractive answer, with the reason reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from index.textnorm import normalize
from index.types import Hit
from ingest.errors import LLMError
from service.answer import text as T

if TYPE_CHECKING:
    from service.settings import Settings

SYSTEM_PROMPT = (
    "你是政府规划文件的问答助手。只能依据用户给出的编号段落回答，不得使用段落以外的知识。"
    "用简洁的中文直接回答问题，每句话后用方括号编号（如[1]）标明所依据的段落。"
    "数字、单位和名称必须与段落原文完全一致，不得换算、估算或四舍五入。"
    "如果段落中没有答案，只回答：文档中没有找到相关信息。"
)

MAX_PASSAGE_CHARS = 600
_REFUSAL = re.compile(r"没有找到|未找到|没有提及|未提及|无法回答|无法确定|没有相关信息|not (found|mentioned)", re.I)


@dataclass
class LLMClient:
    """A minimal OpenAI-compatible chat-completions client (non-streaming)."""

    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 60.0
    transport: httpx.BaseTransport | None = None

    @property
    def endpoint(self) -> str:
        base = self.base_url.rstrip("/")
        return base if base.endswith("/chat/completions") else base + "/chat/completions"

    def complete(self, messages: list[dict[str, str]]) -> str:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0, "stream": False}
        try:
            with httpx.Client(timeout=self.timeout_s, transport=self.transport) as client:
                r = client.post(self.endpoint, json=body, headers=headers)
        except httpx.TimeoutException:
            raise LLMError(f"LLM timed out after {self.timeout_s:g}s") from None
        except httpx.HTTPError as e:
            raise LLMError(f"LLM unreachable: {type(e).__name__}") from None
        if r.status_code != 200:
            raise LLMError(f"LLM answered HTTP {r.status_code}")
        try:
            content = r.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMError("LLM response is not a chat completion") from None
        if not isinstance(content, str) or not content.strip():
            raise LLMError("LLM returned an empty answer")
        return content.strip()


def client_from_settings(settings: Settings) -> LLMClient | None:
    """The configured client, or None when no LLM is configured (the default)."""
    if not settings.llm_base_url or not settings.llm_model:
        return None
    return LLMClient(base_url=settings.llm_base_url, model=settings.llm_model, api_key=settings.llm_api_key,
                     timeout_s=settings.llm_timeout_s)


def build_messages(question: str, citations: list[Hit]) -> list[dict[str, str]]:
    lines = []
    for i, h in enumerate(citations, start=1):
        p = h.passage
        where = " › ".join(p.section)
        body = p.text if len(p.text) <= MAX_PASSAGE_CHARS else p.text[:MAX_PASSAGE_CHARS] + "…"
        lines.append(f"[{i}]（{where}）{body}" if where else f"[{i}] {body}")
    user = "段落：\n" + "\n".join(lines) + f"\n\n问题：{question}\n请依据以上段落回答，并用[编号]标注出处。"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def _tidy_markers(text: str) -> str:
    """【1】 → [1]; [1,2] / [1、2] → [1][2]."""
    text = re.sub(r"【\s*(\d+)\s*】", r"[\1]", text)
    text = re.sub(r"［\s*(\d+)\s*］", r"[\1]", text)

    def split(m: re.Match[str]) -> str:
        return "".join(f"[{n}]" for n in re.findall(r"\d+", m.group(0)))

    return re.sub(r"\[\s*\d+(?:\s*[,，、]\s*\d+)+\s*\]", split, text)


def _number_in(n: str, text: str) -> bool:
    bare = n.rstrip("%％")
    return re.search(rf"(?<![\d.]){re.escape(bare)}(?![\d])", text) is not None


def validate(answer: str, citations: list[Hit]) -> tuple[str, str | None]:
    """The tidied answer and None when acceptable, else the reason it is rejected."""
    text = _tidy_markers(answer.strip())
    if not text:
        return text, "empty answer"
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", text)]
    if not markers:
        return text, "the answer cites no passage"
    bad = sorted({n for n in markers if not 1 <= n <= len(citations)})
    if bad:
        return text, "cites passages that do not exist: " + ", ".join(f"[{n}]" for n in bad)
    if _REFUSAL.search(text):
        return text, "the LLM said the passages do not answer"
    cited_text = normalize(" ".join(citations[n - 1].passage.text for n in set(markers)))
    cited_text = cited_text.replace(",", "")
    plain = re.sub(r"\[\d+\]", " ", normalize(text)).replace(",", "")
    wrong = [n for n in T.numbers(plain) if not _number_in(n, cited_text)]
    wrong += [n for n in T.CN_NUMBER_RE.findall(plain) if len(n) > 1 and n not in cited_text]
    if wrong:
        return text, "numbers not in the cited passages: " + ", ".join(dict.fromkeys(wrong))
    return text, None


def llm_answer(client: LLMClient, question: str, citations: list[Hit]) -> tuple[str | None, str | None]:
    """(answer, None) when the LLM's answer passes the checks, else (None, reason)."""
    if not citations:
        return None, "no passages to give the LLM"
    try:
        raw = client.complete(build_messages(question, citations))
    except LLMError as e:
        return None, str(e)
    text, reason = validate(raw, citations)
    if reason is not None:
        return None, reason
    return text, None
