"""Cited answers over plan documents: table lookups and aggregates, extractive answers,
"not in the document", and an optional checked LLM rewording.

``AnswerEngine(index, retriever, llm=None).ask(question, top_k, doc_ids) -> Answer`` is the
entry point; ``client_from_settings`` builds the optional LLM client.
"""

from service.answer.engine import Answer, AnswerEngine
from service.answer.llm import LLMClient, client_from_settings

__all__ = ["Answer", "AnswerEngine", "LLMClient", "client_from_settings"]
