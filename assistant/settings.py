"""All settings in one typed place, read from ``ASSISTANT_*`` environment variables.

Each field carries its description; the README's settings table is generated from them
(``python scripts/docs.py``) and ``tests/test_docs.py`` checks it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "ASSISTANT_"


def _setting(default: Any, description: str, shown: str | None = None) -> Any:
    """A field with its description and, where the value alone would mislead, the default as documented."""
    return Field(default, description=description, json_schema_extra={"shown": shown} if shown else None)


class Settings(BaseSettings):
    """Runtime settings; each field maps to ``ASSISTANT_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    index_dir: Path = _setting(
        Path("index"), "folder of the persisted index (Chroma + lexical SQLite); `--index` overrides"
    )
    chroma_url: str | None = _setting(
        None, "`http://host:port` of a Chroma server (`chroma run`); unset = embedded store in the index folder"
    )
    collection: str = _setting("opcc_reports", "Chroma collection name")
    embedding_model: Path | None = _setting(
        None, "folder of a sentence-transformers model", "the packaged all-MiniLM-L6-v2"
    )
    embed_batch_size: int = _setting(64, "chunks per embedding batch")
    query_threads: int = _setting(
        1, "intra-op threads that encode one question (0: all cores); 1 keeps questions quick when a core is busy"
    )
    upload_threads: int = _setting(
        1,
        "intra-op threads that encode an upload in the app (0: all cores); 1 leaves a core to questions, "
        "which then run beside the upload instead of after its batches",
    )
    embed_buffer: int = _setting(1024, "chunks gathered across files before one encode call (sorted by length there)")
    chunk_size: int = _setting(500, "longest chunk, in characters, before a paragraph is split")
    chunk_overlap: int = _setting(80, "overlap, in characters, between the pieces of a split paragraph")
    max_file_mb: float = _setting(50.0, "largest file ingested or uploaded, in MB")
    max_pages: int = _setting(2000, "most pages a PDF may have")
    max_text_chars: int = _setting(20_000_000, "most text a report may yield (a decompression bomb stops here)")
    pdf_timeout: float = _setting(60.0, "seconds one PDF may take to parse, in its own worker process")
    pdf_memory_mb: int = _setting(1536, "memory, in MB, the PDF worker process may use")
    ocr: bool = _setting(True, "read PDF pages with no text layer (scans) by OCR, offline (RapidOCR); false: skip them")
    ocr_timeout: float = _setting(120.0, "seconds OCR may take to read one page")
    ocr_file_timeout: float = _setting(
        3600.0, "seconds OCR may take over one file's pages; the pages left are skipped with a warning"
    )
    ocr_memory_mb: int = _setting(3072, "memory, in MB, the OCR worker process may use")
    pdf_reader: Literal["pypdf", "layout"] = _setting(
        "pypdf", "`pypdf` (plain text) or `layout` (pdfplumber positions, tables read as rows; see Benchmarks)"
    )
    llm_base_url: str | None = _setting(
        None, "OpenAI-compatible server (llama.cpp, vLLM, Ollama `/v1`) for the optional LLM answerer"
    )
    llm_model: str = _setting("local", "model name sent to that server")
    llm_api_key: str = _setting("not-needed", "API key for that server")
    llm_gguf: Path | None = _setting(
        None, "a local GGUF file run in-process by xllamacpp (the `[llm]` extra; instead of a server)"
    )
    llm_max_tokens: int = _setting(160, "longest generated answer, in tokens")
    llm_timeout: float = _setting(60.0, "seconds to wait for the LLM")
    users_file: Path = _setting(
        Path("users.json"), "the app's users: names, roles, clearances and scrypt password hashes (`assistant users`)"
    )
    audit_db: Path = _setting(
        Path("audit.sqlite3"),
        "the append-only audit log (SQLite) of questions, searches, exports, uploads and sign-ins",
    )
    audit_key_file: Path | None = _setting(
        None, "secret key of the audit log's MAC chain (0600); keep it apart from the log", "the log's name with `.key`"
    )
    upload_dir: Path = _setting(Path("corpus/uploads"), "where reports uploaded in the app are stored and indexed from")
    host: str = _setting("127.0.0.1", "address `assistant serve` listens on")
    port: int = _setting(7860, "port `assistant serve` listens on")
    concurrency: int = _setting(
        0, "questions and searches the app answers at once, others queue (0: one per core, measured best on 2 cores)"
    )
    max_question_chars: int = _setting(2000, "longest question or search accepted")
    login_rate: int = _setting(20, "sign-in attempts one address may make per minute (more are refused at once)")
    trusted_proxies: str = _setting(
        "",
        "comma-separated addresses or networks of reverse proxies whose `X-Forwarded-For`, `-Proto` and `-Host` "
        "are believed (the connection's own address is the client's otherwise)",
        "none",
    )

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url or self.llm_gguf)

    def with_index(self, index_dir: Path | str | None) -> Settings:
        """A copy of these settings pointing at another index folder (``--index``)."""
        if index_dir is None:
            return self
        return self.model_copy(update={"index_dir": Path(index_dir)})


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
