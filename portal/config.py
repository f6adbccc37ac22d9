"""Settings, read once from ``PORTAL_*`` environment variables.

Where the data lives, one rule for every command: ``PORTAL_DATABASE_URL`` if set, else the SQLite
file ``portal.sqlite3`` in the data folder ``PORTAL_DATA_DIR`` (default ``var`` in the working
folder). ``make demo`` runs from the checkout's root, so ``portal ...`` from there reaches the
demo's database. The demo's exchange folders are below the data folder too.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA_DIR = "var"
DATABASE_FILE = "portal.sqlite3"
DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable. ``from_env`` is the only reader of the environment."""

    database_url: str = f"sqlite:///{DEFAULT_DATA_DIR}/{DATABASE_FILE}"
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    demo: bool = False
    debug: bool = False
    graphql_introspection: bool = False
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
    exchange_max_file_bytes: int = 50 * 1024 * 1024  # bigger inbound EDI files are refused (recorded)
    # Addresses of reverse proxies whose X-Forwarded-Proto/-For are believed ("*": any); None: none.
    trust_proxy: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("PORTAL_DATA_DIR") or DEFAULT_DATA_DIR).resolve()
        demo = _flag(env.get("PORTAL_DEMO"), False)
        return cls(
            database_url=env.get("PORTAL_DATABASE_URL") or f"sqlite:///{data_dir / DATABASE_FILE}",
            secret_key=env.get("PORTAL_SECRET_KEY") or secrets.token_urlsafe(32),
            demo=demo,
            debug=_flag(env.get("PORTAL_DEBUG"), False),
            graphql_introspection=_flag(env.get("PORTAL_GRAPHQL_INTROSPECTION"), demo),
            data_dir=data_dir,
            max_attachment_bytes=int(env.get("PORTAL_MAX_ATTACHMENT_BYTES") or DEFAULT_MAX_ATTACHMENT_BYTES),
            exchange_max_file_bytes=int(env.get("PORTAL_EXCHANGE_MAX_FILE_BYTES") or 50 * 1024 * 1024),
            trust_proxy=(env.get("PORTAL_TRUST_PROXY") or "").strip() or None,
        )
