"""All settings in one typed place, read from ``ASSISTANT_*`` environment variables.

| variable | meaning | default |
| --- | --- | --- |
| ASSISTANT_INDEX_DIR | folder of the persisted index (Chroma + lexical SQLite) | ./index |
| ASSISTANT_CHROMA_URL | ``http://host:port`` of a Chroma server; unset = embedded store in the index folder | unset |
| ASSISTANT_COLLECTION | Chroma collection name | opcc_reports |
| ASSISTANT_EMBEDDING_MODEL | folder of a sentence-transformers model | the packaged all-MiniLM-L6-v2 |
| ASSISTANT_EMBED_BATCH_SIZE | chunks per embedding batch | 64 |
| ASSISTANT_EMBED_BUFFER | chunks gathered across files before one encode call (sorted by length there) | 1024 |
| ASSISTANT_CHUNK_SIZE | longest chunk, in characters, before a paragraph is split | 500 |
| ASSISTANT_CHUNK_OVERLAP | overlap between the pieces of a split paragraph | 80 |
| ASSISTANT_MAX_FILE_MB | largest file ingested | 50 |
| ASSISTANT_MAX_PAGES | most pages a PDF may have | 2000 |
| ASSISTANT_MAX_TEXT_CHARS | most text a report may yield (a decompression bomb stops here) | 20000000 |
| ASSISTANT_PDF_TIMEOUT | seconds one PDF may take to parse, in its own worker process | 60 |
| ASSISTANT_PDF_MEMORY_MB | memory the PDF worker process may use | 1536 |
| ASSISTANT_PDF_READER | `pypdf` (plain text) or `layout` (pdfplumber positions, tables read as rows) | pypdf |
| ASSISTANT_LLM_BASE_URL | OpenAI-compatible server (llama.cpp, vLLM, Ollama /v1) for the optional LLM answerer | unset |
| ASSISTANT_LLM_MODEL | model name sent to that server | local |
| ASSISTANT_LLM_API_KEY | API key for that server | not-needed |
| ASSISTANT_LLM_GGUF | a local GGUF file run in-process with llama-cpp-python (instead of a server) | unset |
| ASSISTANT_LLM_MAX_TOKENS | longest generated answer | 160 |
| ASSISTANT_LLM_TIMEOUT | seconds to wait for the LLM | 60 |
| ASSISTANT_USERS_FILE | the app's users: names, roles and scrypt password hashes (`assistant users`) | ./users.json |
| ASSISTANT_AUDIT_DB | the append-only audit log (SQLite) of questions, searches, exports, uploads and sign-ins | ./audit.sqlite3 |
| ASSISTANT_AUDIT_KEY_FILE | secret key of the audit log's MAC chain (0600); keep it apart from the log | the log's name with `.key` |
| ASSISTANT_UPLOAD_DIR | where reports uploaded in the app are stored before ingestion | ./corpus/uploads |
| ASSISTANT_HOST | address `assistant serve` listens on | 127.0.0.1 |
| ASSISTANT_PORT | port `assistant serve` listens on | 7860 |
| ASSISTANT_CONCURRENCY | questions and searches the app answers at once (others queue) | 4 |
| ASSISTANT_MAX_QUESTION_CHARS | longest question or search accepted | 2000 |
| ASSISTANT_LOGIN_RATE | sign-in attempts one address may make per minute (more are refused at once) | 20 |
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime settings; each field maps to ``ASSISTANT_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    index_dir: Path = Field(default=Path("index"))
    chroma_url: str | None = None
    collection: str = "opcc_reports"
    embedding_model: Path | None = None
    embed_batch_size: int = 64
    embed_buffer: int = 1024
    chunk_size: int = 500
    chunk_overlap: int = 80
    max_file_mb: float = 50.0
    max_pages: int = 2000
    max_text_chars: int = 20_000_000
    pdf_timeout: float = 60.0
    pdf_memory_mb: int = 1536
    pdf_reader: Literal["pypdf", "layout"] = "pypdf"
    llm_base_url: str | None = None
    llm_model: str = "local"
    llm_api_key: str = "not-needed"
    llm_gguf: Path | None = None
    llm_max_tokens: int = 160
    llm_timeout: float = 60.0
    users_file: Path = Field(default=Path("users.json"))
    audit_db: Path = Field(default=Path("audit.sqlite3"))
    audit_key_file: Path | None = None
    upload_dir: Path = Field(default=Path("corpus/uploads"))
    host: str = "127.0.0.1"
    port: int = 7860
    concurrency: int = 4
    max_question_chars: int = 2000
    login_rate: int = 20

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
