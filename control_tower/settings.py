"""The one settings object. Every knob lives here; read it with ``get_settings()``.

Values come from the environment (prefix ``CT_``), then ``.env``, then defaults.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CT_", env_file=".env", extra="ignore")

    # --- state ---------------------------------------------------------------
    data_dir: Path = Field(Path("./data"), description="All state lives under this folder.")
    models_dir: Path | None = Field(
        None,  # filled in by _fill_defaults
        description="Where prepared model weights live (default: <data_dir>/models).",
    )
    database_url: str | None = Field(
        None,  # filled in by _fill_defaults
        description="SQLAlchemy URL (default: SQLite file under data_dir).",
    )

    # --- LLM endpoint --------------------------------------------------------
    llm_url: str | None = Field(
        None,
        description="OpenAI-compatible base URL of an external LLM server (…/v1). "
        "When unset, `ct serve` starts the embedded vLLM server itself.",
    )
    llm_profile: str = Field("tiny", description="vLLM profile: tiny, small, kanana-8b, qwen3-8b.")
    llm_model: str | None = Field(
        None, description="Served model name; default: the profile's name."
    )
    llm_host: str = "127.0.0.1"
    llm_port: int = 8001
    llm_api_key: str = "EMPTY"
    llm_timeout_s: float = 120.0
    llm_max_retries: int = 2
    llm_temperature: float = 0.2
    llm_max_tokens: int = 1024
    llm_repetition_penalty: float = 1.1
    llm_tensor_parallel_size: int = 1
    llm_startup_timeout_s: float = 600.0
    vllm_python: Path | None = Field(
        None, description="Python of the vLLM environment (default: ./.venv-vllm/bin/python)."
    )

    # --- embeddings / index --------------------------------------------------
    embedding_model: str = Field(
        "multilingual-e5-small",
        description="Embedded model name (prepared under models_dir) or a local path "
        "to any sentence-transformers folder.",
    )
    embedding_engine: Literal["auto", "onnx", "torch"] = Field(
        "auto",
        description="How vectors are computed. onnx: ONNX Runtime on the folder's "
        "onnx/model.onnx (written by `ct models prepare`; ~2x faster queries, torch not "
        "loaded). torch: sentence-transformers (any folder or hub model). auto: onnx when the "
        "folder has a usable ONNX file and embedding_dtype is float32, else torch.",
    )
    embedding_batch_size: int = Field(
        32, description="Texts per forward pass (torch engine; ONNX encodes one text at a time)."
    )
    embedding_dtype: Literal["float32", "bfloat16"] = Field(
        "float32",
        description="Compute precision of the torch engine on CPU (the ONNX engine is always "
        "float32). bfloat16 is faster but drifts (cosine ~0.998 vs float32); index and queries "
        "must use the same value.",
    )
    embedding_threads: int = Field(
        0,
        description="torch / ONNX Runtime threads for embedding; 0 = half the usable cores (1 on "
        "2 cores: the embedder shares the CPU with vLLM, and 2 contended threads made torch "
        "queries ~20x slower).",
    )
    chroma_mode: Literal["embedded", "http"] = "embedded"
    chroma_url: str | None = Field(None, description="Chroma server URL; implies chroma_mode=http.")
    chroma_collection: str = "chunks"

    # --- retrieval -----------------------------------------------------------
    retrieval_fusion: str = Field(
        "adaptive_minmax",
        description="Fusion strategy name (control_tower.retrieval.strategies); "
        "chosen from measurements, see docs/RETRIEVAL.md.",
    )
    retrieval_candidates: int = Field(
        50, description="Candidates taken from each of dense and sparse before fusion."
    )
    retrieval_max_chunks_per_doc: int = Field(
        1, description="Default cap on chunks of one document in a result list."
    )

    # --- ingestion -----------------------------------------------------------
    chunk_size: int = 600
    chunk_overlap: int = 90
    parse_timeout_s: float = 120.0
    parse_memory_mb: int = 2048
    max_file_mb: int = 200
    # Bound on chunks per document (more: the file is skipped, code too_many_chunks). Hostile
    # DOCX within the zip guards expanded to 649 chunks (38.7 KB, 52 s of ingest) and 6,424
    # (75 KB, longer than the ingest lock timeout). The largest real document in the shared
    # corpora (579 HWP/HWPX/TXT files) makes 44 chunks; a 600-page plan at ~1,000 characters
    # a page makes ~1,200. 2,000 chunks (~1.1 M characters) keeps every real document and
    # bounds one file's embedding to about a minute on 2 cores (~30 chunks/s).
    max_chunks_per_document: int = Field(
        2000, ge=1, description="Most chunks one document may become; more: skipped."
    )
    parse_workers: int = Field(1, description="Sandboxed parser worker processes.")
    zip_max_members: int = Field(10_000, description="Zip bomb guard: most members in a ZIP.")
    zip_max_uncompressed_mb: int = Field(1024, description="Zip bomb guard: total inflated size.")
    zip_max_ratio: float = Field(200.0, description="Zip bomb guard: inflated/compressed ratio.")

    # --- web app -------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8000
    # Request line + headers uvicorn (h11) buffers before the app sees a request; h11's own
    # 16 KB default answered a long search URL with a plain-text English 400 before the app
    # could say "검색어가 너무 깁니다". A Hangul syllable is 9 URL bytes (%XX x 3): 256 KB fits
    # a 10,000-syllable NFC query (90 KB) or an NFD one of ~9,000 syllables, plus cookies.
    http_max_head_kb: int = Field(
        256, ge=16, description="Most KB of request line + headers the server accepts."
    )
    upload_max_files: int = Field(100, ge=1, description="Most files in one upload request.")
    upload_max_batch_mb: int = Field(1024, ge=1, description="Most bytes in one upload request.")

    # --- background jobs (Huey; see docs/JOBS.md) ----------------------------
    jobs_backend: Literal["sqlite", "redis"] = Field(
        "sqlite",
        description="Task queue storage: sqlite (<data_dir>/jobs/huey.db, no server) or redis "
        "(implied by jobs_redis_url; needed when workers run on other machines).",
    )
    jobs_redis_url: str | None = Field(None, description="redis://host:port/db for the queue.")
    jobs_workers: int = Field(2, ge=1, description="Worker threads of the job consumer.")
    jobs_embedded: bool = Field(
        True, description="Run the job consumer inside the web app (off: `ct jobs worker`)."
    )
    jobs_heartbeat_s: float = Field(
        5.0,
        gt=0,
        description="A running job's row is touched this often; a row silent for "
        "6 heartbeats is taken as a dead worker and marked interrupted.",
    )

    # --- accounts and sessions -----------------------------------------------
    session_idle_minutes: int = Field(
        30, ge=1, description="A session unused this long is dead (idle expiry)."
    )
    session_absolute_hours: int = Field(
        12, ge=1, description="A session is dead this long after login, used or not."
    )
    session_cookie_secure: bool | None = Field(
        None,
        description="Secure flag of the session cookies. None = automatic: set when the "
        "request came over HTTPS (directly or as reported by a trusted proxy) or when the "
        "server listens on a non-loopback address; plain http on 127.0.0.1/localhost "
        "(development, the demo) works without it.",
    )
    login_max_failures: int = Field(
        5, ge=1, description="Wrong passwords in a row before an account is locked."
    )
    login_lockout_minutes: int = Field(15, ge=1, description="How long a locked account waits.")
    login_ip_max_failures: int = Field(
        20,
        ge=1,
        description="Failed logins from one address within the window before "
        "that address is refused (per-address rate limit).",
    )
    login_ip_window_minutes: int = Field(10, ge=1, description="Window of the address limit.")
    trusted_header: str | None = Field(
        None,
        description="Header carrying the user name set by the city's SSO reverse proxy "
        "(e.g. X-Remote-User). Off when unset; honoured only from trusted_proxies.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or CIDR ranges of the SSO reverse proxy (JSON list in "
        'CT_TRUSTED_PROXIES, e.g. ["10.0.0.5", "10.1.0.0/16"]).',
    )

    # --- chat assistant ---------------------------------------------------------
    chat_max_steps: int = Field(4, ge=1, le=10, description="Tool calls per chat turn, at most.")
    chat_tool_calling: bool = Field(
        False,
        description="Let the model choose tools by free-form tool calls (vLLM "
        "--enable-auto-tool-choice --tool-call-parser hermes). Off: ambiguous questions are "
        "routed by a guided-decoding choice among the tool names (works on tiny).",
    )
    chat_use_llm: bool = Field(
        True, description="Compose answers with the LLM; off: extractive answers only."
    )
    chat_llm_timeout_s: float = Field(
        60.0, gt=0, description="Per LLM call in a chat turn; then the extractive fallback."
    )
    chat_answer_max_tokens: int = Field(320, ge=32, description="Length cap of a composed answer.")
    chat_evidence_chars: int = Field(
        360, ge=80, description="Characters of each passage shown to the model when composing."
    )

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        # Resolve once, so a later chdir (tests, workers) cannot move the state.
        self.data_dir = self.data_dir.expanduser().resolve()
        if self.models_dir is None:
            self.models_dir = self.data_dir / "models"
        self.models_dir = Path(self.models_dir).expanduser().resolve()
        if self.database_url is None:
            self.database_url = f"sqlite:///{self.data_dir / 'control_tower.db'}"
        return self

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def effective_chroma_mode(self) -> str:
        return "http" if self.chroma_url else self.chroma_mode

    @property
    def llm_base_url(self) -> str:
        """Where clients talk to the LLM: the external URL or the embedded server."""
        if self.llm_url:
            return self.llm_url.rstrip("/")
        return f"http://{self.llm_host}:{self.llm_port}/v1"

    @property
    def llm_is_external(self) -> bool:
        return self.llm_url is not None

    @property
    def vllm_python_path(self) -> Path:
        return (self.vllm_python or Path(".venv-vllm/bin/python")).absolute()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    """Tests change CT_* variables and need a fresh object."""
    get_settings.cache_clear()
