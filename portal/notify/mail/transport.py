"""Moving a rendered mail: SMTP (stdlib ``smtplib``) or ``.eml`` files in a folder.

Every failure becomes a `Delivery` outcome: temporary (4xx answers, a refused, reset or timed-out
connection, a failed login, a certificate that is not trusted, a server without STARTTLS: try
again later) or permanent (5xx answers for this message: never again), with the server's own
words. What is wrong with the server or the configuration is temporary on purpose: the message is
not at fault, and once the operator has fixed the cause the queued mails go out.

TLS (``PORTAL_SMTP_SECURITY`` ``starttls`` or ``tls``) always verifies the server's certificate
and its name, against the system's CAs or the ones in ``PORTAL_SMTP_CA_FILE``; with ``starttls`` a
server that does not offer or refuses STARTTLS gets nothing, not even the login."""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from types import TracebackType
from typing import Protocol

from portal.config import Settings
from portal.models import MailMessage
from portal.models.base import utcnow


@dataclass(frozen=True, slots=True)
class Delivery:
    ok: bool
    permanent: bool = False
    error: str | None = None


SENT = Delivery(ok=True)


def build_message(row: MailMessage, sender: str) -> EmailMessage:
    """The MIME message of an outbox row: text and HTML alternatives, its headers. The Message-ID
    is derived from the row, so a message sent again (a worker died before recording it) can be
    recognised as the same by the receiving side."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg["Date"] = format_datetime(row.created_at)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(row.dedupe_key.encode()).hexdigest()[:16]
    msg["Message-ID"] = f"<mail-{row.id}-{digest}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    for name, value in (row.headers or {}).items():
        msg[name] = str(value)
    msg.set_content(row.text)
    msg.add_alternative(row.html, subtype="html")
    return msg


class TlsRefused(smtplib.SMTPException):
    """STARTTLS was required and the server did not offer it or refused it."""


def tls_context(settings: Settings) -> ssl.SSLContext:
    """Certificate and host name verified (the defaults), against ``smtp_ca_file`` when set."""
    cafile = str(settings.smtp_ca_file) if settings.smtp_ca_file is not None else None
    return ssl.create_default_context(cafile=cafile)


class Transport(Protocol):
    def __enter__(self) -> Transport: ...
    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def send(self, message: EmailMessage) -> Delivery: ...


def _text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return " ".join(text.split())[:500]


def classify(exc: BaseException) -> Delivery:
    """What an SMTP failure means for the message."""
    if isinstance(exc, TlsRefused):
        return Delivery(ok=False, error=str(exc))
    if isinstance(exc, ssl.SSLCertVerificationError):  # before OSError: it is one
        reason = exc.verify_message or exc.reason or str(exc)
        return Delivery(
            ok=False,
            error=f"TLS: the server's certificate was not accepted ({reason}); "
            "trust its CA with PORTAL_SMTP_CA_FILE or correct PORTAL_SMTP_HOST",
        )
    if isinstance(exc, ssl.SSLError):
        return Delivery(ok=False, error=f"TLS failed: {exc.reason or exc}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [(code, msg) for code, msg in exc.recipients.values()]
        code, msg = codes[0] if codes else (451, b"recipient refused")
        return Delivery(ok=False, permanent=500 <= code < 600, error=f"{code} {_text(msg)}")
    if isinstance(exc, smtplib.SMTPAuthenticationError):  # configuration, not the message: retry
        return Delivery(ok=False, error=f"login refused: {exc.smtp_code} {_text(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        return Delivery(ok=False, permanent=500 <= code < 600, error=f"{code} {_text(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return Delivery(ok=False, error=f"the server closed the connection: {exc}")
    if isinstance(exc, TimeoutError):
        return Delivery(ok=False, error="the server did not answer in time")
    if isinstance(exc, OSError):  # refused, reset, unreachable, TLS trouble
        return Delivery(ok=False, error=f"connection failed: {exc}")
    return Delivery(ok=False, error=f"{type(exc).__name__}: {exc}")


class SmtpTransport:
    """One SMTP connection for a batch; opened lazily, opened again after the server dropped it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close()

    def _close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                self.client.close()
            self.client = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.smtp_host is not None
        context = tls_context(s)
        client: smtplib.SMTP
        if s.smtp_security == "tls":
            client = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port or 465, timeout=s.smtp_timeout, context=context
            )
        else:
            default = 587 if s.smtp_security == "starttls" else 25
            client = smtplib.SMTP(s.smtp_host, s.smtp_port or default, timeout=s.smtp_timeout)
        try:
            client.ehlo()
            if s.smtp_security == "starttls":
                self._starttls(client, context)
            if s.smtp_user:
                client.login(s.smtp_user, s.smtp_password or "")
        except BaseException:
            client.close()
            raise
        return client

    @staticmethod
    def _starttls(client: smtplib.SMTP, context: ssl.SSLContext) -> None:
        if not client.has_extn("starttls"):
            raise TlsRefused(
                "the server does not offer STARTTLS; with PORTAL_SMTP_SECURITY=starttls nothing is "
                "sent in the clear (use tls for implicit TLS, or none only on a trusted network)"
            )
        try:
            client.starttls(context=context)
        except smtplib.SMTPResponseException as exc:
            raise TlsRefused(f"the server refused STARTTLS: {exc.smtp_code} {_text(exc.smtp_error)}") from exc
        client.ehlo()

    def send(self, message: EmailMessage) -> Delivery:
        try:
            if self.client is None:
                self.client = self._connect()
            self.client.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            outcome = classify(exc)
            if not isinstance(exc, smtplib.SMTPResponseException) or isinstance(
                exc, smtplib.SMTPAuthenticationError
            ):
                self._close()  # the connection is in doubt: the next message opens a new one
            else:
                try:  # a refused message leaves the connection usable after RSET
                    if self.client is not None:
                        self.client.rset()
                except (smtplib.SMTPException, OSError):
                    self._close()
            return outcome
        return SENT


class FolderTransport:
    """Writes each mail as ``<time>-<message id>.eml`` into a folder (no SMTP server configured:
    the demo, development). Complete files only: written under a temporary name, then renamed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __enter__(self) -> FolderTransport:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def send(self, message: EmailMessage) -> Delivery:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ident = "".join(c for c in str(message["Message-ID"]) if c.isalnum() or c in "-.")[:80]
            name = f"{utcnow():%Y%m%dT%H%M%S}-{ident}.eml"
            draft = self.folder / f".{name}.tmp"
            draft.write_bytes(bytes(message))
            os.replace(draft, self.folder / name)
        except OSError as exc:
            return Delivery(ok=False, error=f"cannot write to {self.folder}: {exc}")
        return SENT


def open_transport(settings: Settings) -> Transport:
    from portal.notify.mail.outbox import mail_folder

    folder = mail_folder(settings)
    return FolderTransport(folder) if folder is not None else SmtpTransport(settings)
