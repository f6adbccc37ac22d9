"""A real SMTP server on loopback (aiosmtpd) whose answers a test can script: "451 ..." then OK,
"550 ...", or gone (stopped: connections are refused). Optionally with STARTTLS or implicit TLS
and a login (``controller`` keyword arguments of aiosmtpd's Controller); each message records
whether it came over TLS and who had logged in."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    """What the server received, and the answers it gives next (one per DATA, then "250 OK")."""

    received: list[EmailMessage] = field(default_factory=list)
    # Per received message: (over TLS, the login name or None).
    sessions: list[tuple[bool, str | None]] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.arrived:
            if self.answers:
                return self.answers.pop(0)
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.received.append(parsed)
            name = session.auth_data if isinstance(session.auth_data, str) else None
            implicit = server.transport is not None and server.transport.get_extra_info("sslcontext")
            self.sessions.append((session.ssl is not None or bool(implicit), name))
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Block until ``count`` messages have arrived (a condition, not a sleep)."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
            return list(self.received)


@dataclass
class SmtpServer:
    port: int
    mailbox: Mailbox
    controller: Controller | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **self.options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@contextmanager
def smtp_server(port: int | None = None, **options: Any) -> Iterator[SmtpServer]:
    server = SmtpServer(port or free_port(), Mailbox(), options=options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def authenticator(user: str, password: str) -> Any:
    """An aiosmtpd authenticator that accepts one login; the session's ``auth_data`` is the name."""

    def check(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        given = (auth_data.login, auth_data.password) if isinstance(auth_data, LoginPassword) else None
        if given == (user.encode(), password.encode()):
            return AuthResult(success=True, auth_data=user)
        return AuthResult(success=False, handled=False)

    return check


def part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body(preferencelist=(subtype,))
    assert body is not None, f"no text/{subtype} part"
    return str(body.get_content())
