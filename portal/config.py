"""Settings, read once from ``PORTAL_*`` environment variables.

Where the data lives, one rule for every command: ``PORTAL_DATABASE_URL`` if set, else the SQLite
file ``portal.sqlite3`` in the data folder ``PORTAL_DATA_DIR`` (default ``var`` in the working
folder). ``make demo`` runs from the checkout's root, so ``portal ...`` from there reaches the
demo's database. The demo's exchange folders are below the data folder too.

The key that signs session cookies: ``PORTAL_SECRET_KEY`` if set. Otherwise ``portal serve`` (and
``portal demo``) keep one generated key in the data folder (:func:`shared_secret_key`), so every
process started on that folder, and every restart, signs and accepts the same cookies; processes on
several machines need ``PORTAL_SECRET_KEY`` (docs/deploy.md).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_DATA_DIR = "var"
DATABASE_FILE = "portal.sqlite3"
DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - the name of the file, not a key
MIN_SECRET_KEY_LENGTH = 32


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable. ``from_env`` is the only reader of the environment."""

    database_url: str = f"sqlite:///{DEFAULT_DATA_DIR}/{DATABASE_FILE}"
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    # Whether secret_key is shared by every process: from PORTAL_SECRET_KEY or the data folder's
    # key file. False: made up for this process alone (fine for commands that sign no cookies).
    secret_key_shared: bool = False
    demo: bool = False
    debug: bool = False
    graphql_introspection: bool = False
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
    exchange_max_file_bytes: int = 50 * 1024 * 1024  # bigger inbound EDI files are refused (recorded)
    # A CSV export of a list longer than this (by its count) is prepared by the worker instead.
    export_inline_rows: int = 100_000
    # Addresses of reverse proxies whose X-Forwarded-Proto/-For are believed ("*": any); None: none.
    trust_proxy: str | None = None
    # E-mail (portal.notify.mail): SMTP when smtp_host is set, else .eml files in data_dir/mail.
    smtp_host: str | None = None
    smtp_port: int | None = None  # None: 465 for "tls", 587 for "starttls", 25 for "none"
    smtp_security: str = "starttls"  # starttls, tls or none
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_timeout: float = 30.0
    # PEM file of the CAs that vouch for the SMTP server's certificate (a private CA); None: the
    # system's trusted CAs. The certificate and its name are verified either way.
    smtp_ca_file: Path | None = None
    mail_from: str = "Portal <portal@localhost>"
    # The address the portal is reached at, for links in e-mails ("https://portal.example.com");
    # None: the address of the request that queued the mail.
    base_url: str | None = None
    # Origins (scheme://host[:port]) besides the request's Host and base_url's whose pages may use
    # the session cookie: forms and /graphql over HTTP and WebSocket (portal.origins).
    allowed_origins: tuple[str, ...] = ()
    # Networks webhook targets may lie in although they are private, loopback, link-local...
    # ("127.0.0.0/8,::1/128"); empty: only public addresses (portal.notify.webhooks.guard).
    webhook_allow_networks: str = ""
    webhook_timeout: float = 10.0  # seconds to connect, and to wait for each read of the answer
    # How long an approved deal registration protects its dealer, unless the approver gives a day.
    deal_protection_days: int = 90
    # How long a dealer has to accept or decline a lead offered to it (issue #18.2).
    lead_answer_hours: int = 48

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("PORTAL_DATA_DIR") or DEFAULT_DATA_DIR).resolve()
        demo = _flag(env.get("PORTAL_DEMO"), False)
        return cls(
            database_url=env.get("PORTAL_DATABASE_URL") or f"sqlite:///{data_dir / DATABASE_FILE}",
            secret_key=env.get("PORTAL_SECRET_KEY") or secrets.token_urlsafe(32),
            secret_key_shared=bool(env.get("PORTAL_SECRET_KEY")),
            demo=demo,
            debug=_flag(env.get("PORTAL_DEBUG"), False),
            graphql_introspection=_flag(env.get("PORTAL_GRAPHQL_INTROSPECTION"), demo),
            data_dir=data_dir,
            max_attachment_bytes=int(env.get("PORTAL_MAX_ATTACHMENT_BYTES") or DEFAULT_MAX_ATTACHMENT_BYTES),
            exchange_max_file_bytes=int(env.get("PORTAL_EXCHANGE_MAX_FILE_BYTES") or 50 * 1024 * 1024),
            trust_proxy=(env.get("PORTAL_TRUST_PROXY") or "").strip() or None,
            smtp_host=(env.get("PORTAL_SMTP_HOST") or "").strip() or None,
            smtp_port=int(env["PORTAL_SMTP_PORT"]) if env.get("PORTAL_SMTP_PORT") else None,
            smtp_security=_smtp_security(env.get("PORTAL_SMTP_SECURITY")),
            smtp_user=env.get("PORTAL_SMTP_USER") or None,
            smtp_password=env.get("PORTAL_SMTP_PASSWORD") or None,
            smtp_ca_file=_existing_file("PORTAL_SMTP_CA_FILE", env.get("PORTAL_SMTP_CA_FILE")),
            mail_from=env.get("PORTAL_MAIL_FROM") or "Portal <portal@localhost>",
            base_url=(env.get("PORTAL_BASE_URL") or "").strip().rstrip("/") or None,
            allowed_origins=_origins(env.get("PORTAL_ALLOWED_ORIGINS")),
            export_inline_rows=int(env.get("PORTAL_EXPORT_INLINE_ROWS") or 100_000),
            webhook_allow_networks=(env.get("PORTAL_WEBHOOK_ALLOW_NETWORKS") or "").strip(),
            webhook_timeout=float(env.get("PORTAL_WEBHOOK_TIMEOUT") or 10.0),
            deal_protection_days=_protection_days(env.get("PORTAL_DEAL_PROTECTION_DAYS")),
            lead_answer_hours=_positive(env.get("PORTAL_LEAD_ANSWER_HOURS"), 48, "PORTAL_LEAD_ANSWER_HOURS"),
        )

    def for_serving(self) -> Settings:
        """These settings with the key every process on this data folder shares: ``PORTAL_SECRET_KEY``,
        else the one kept in the data folder (made on first use). Every process that signs or checks
        something (`portal serve` its cookies, the worker of `portal exchange run` and `portal demo`
        the unsubscribe links of its mails) uses this one resolution."""
        if self.secret_key_shared:
            return self
        return replace(self, secret_key=shared_secret_key(self.data_dir), secret_key_shared=True)

    def with_base_url(self, base_url: str) -> Settings:
        """These settings with ``base_url`` where ``PORTAL_BASE_URL`` left it unset (`portal demo`
        gives its worker the address it serves at)."""
        if self.base_url is not None:
            return self
        return replace(self, base_url=base_url.rstrip("/"))


def _protection_days(value: str | None) -> int:
    days = int(value) if value and value.strip() else 90
    if not 1 <= days <= 730:
        raise ValueError(f"PORTAL_DEAL_PROTECTION_DAYS must be between 1 and 730, not {value!r}")
    return days


def _positive(value: str | None, default: int, name: str) -> int:
    if not (value or "").strip():
        return default
    number = int(str(value).strip())
    if number < 1:
        raise ValueError(f"{name} must be a positive whole number, not {value!r}")
    return number


SMTP_SECURITY = ("starttls", "tls", "none")


def _smtp_security(value: str | None) -> str:
    chosen = (value or "starttls").strip().lower()
    if chosen not in SMTP_SECURITY:
        raise ValueError(f"PORTAL_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}, not {value!r}")
    return chosen


def _origins(value: str | None) -> tuple[str, ...]:
    found: list[str] = []
    for item in (value or "").split(","):
        item = item.strip().rstrip("/")
        if not item:
            continue
        parts = urlsplit(item)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
            raise ValueError(
                f"PORTAL_ALLOWED_ORIGINS: {item!r} is not an origin such as https://portal.example.com"
            )
        found.append(item)
    return tuple(found)


def _existing_file(name: str, value: str | None) -> Path | None:
    if not (value or "").strip():
        return None
    path = Path(str(value).strip()).expanduser().resolve()
    if not path.is_file():
        raise ValueError(f"{name} names {str(path)!r}, which is not a readable file")
    return path


class SecretKeyError(Exception):
    """The data folder's key file cannot be made or read; the message names the file and the way out."""


def shared_secret_key(data_dir: Path) -> str:
    """The session key kept in ``data_dir/secret_key``, made on first use (readable by its owner
    only). Processes starting at once agree on one key: the file appears complete or not at all
    (written under a name of its own, then linked into place; the first link wins, the others read
    the winner's)."""
    path = data_dir / SECRET_KEY_FILE
    way_out = "set PORTAL_SECRET_KEY, or delete the file to have a new key made (this logs everyone out)"
    try:
        if not path.exists():
            _make_secret_key(path)
        key = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretKeyError(f"cannot read the session key {path}: {exc}; {way_out}") from exc
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise SecretKeyError(
            f"the session key {path} is shorter than {MIN_SECRET_KEY_LENGTH} characters; {way_out}"
        )
    return key


def _make_secret_key(path: Path) -> None:
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_urlsafe(48) + "\n")
                out.flush()
                os.fsync(out.fileno())
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: its key it is
        finally:
            draft.unlink()
    except OSError as exc:
        raise SecretKeyError(
            f"cannot keep a session key in {path}: {exc}; set PORTAL_SECRET_KEY (the same value for"
            " every `portal serve` process) or make the data folder (PORTAL_DATA_DIR) writable"
        ) from exc
