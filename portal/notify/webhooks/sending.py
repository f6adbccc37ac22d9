"""Step 2b of the dispatcher: POST one claimed delivery, signed per Standard Webhooks, to the
address the SSRF guard checked (again at each send: DNS may have changed), with no database
transaction open. Redirects are not followed; the answer is read up to a size cap and a deadline.
Every trouble becomes an `Outcome` with its reason; nothing raises."""

from __future__ import annotations

import functools
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import httpx2

from portal.config import Settings
from portal.notify.webhooks import guard, signing
from portal.notify.webhooks.claims import Job

MAX_RESPONSE_BYTES = 64 * 1024  # read of a receiver's answer; the rest is not read
EXCERPT_CHARS = 1000
USER_AGENT = "portal-webhooks/1"


@dataclass(frozen=True, slots=True)
class Outcome:
    delivery_id: int
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: int
    excerpt: str | None


@functools.cache
def _tls() -> ssl.SSLContext:
    """The system's trust store, loaded once per process (30-60 ms at each worker pass otherwise)."""
    return httpx2.create_ssl_context(verify=True, trust_env=False)


def http_client(settings: Settings) -> httpx2.Client:
    timeout = httpx2.Timeout(settings.webhook_timeout, connect=min(settings.webhook_timeout, 5.0))
    return httpx2.Client(timeout=timeout, follow_redirects=False, trust_env=False, verify=_tls())


def _pinned(target: guard.Target) -> tuple[str, str]:
    """The URL with the checked address in place of the host, and the Host header."""
    parts = urlsplit(target.url)
    address = f"[{target.address}]" if target.address.version == 6 else str(target.address)
    default = 443 if target.scheme == "https" else 80
    netloc = f"{address}:{target.port}"
    host = target.host if target.port == default else f"{target.host}:{target.port}"
    if ":" in target.host and not target.host.startswith("["):
        host = f"[{target.host}]" if target.port == default else f"[{target.host}]:{target.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), host


def _clean(text: str, limit: int) -> str:
    text = text.replace("\x00", "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def send(client: httpx2.Client, job: Job, allowed: tuple[guard.Network, ...], timeout: float) -> Outcome:
    """POST one delivery; never raises (every trouble is an outcome with its reason)."""
    started = time.monotonic()

    def outcome(ok: bool, code: int | None, error: str | None, excerpt: str | None = None) -> Outcome:
        elapsed = int((time.monotonic() - started) * 1000)
        return Outcome(job.delivery_id, ok, code, error and _clean(error, 500), elapsed, excerpt)

    try:
        target = guard.check(job.url, allowed)  # again at each send: DNS may have changed
    except (guard.TargetRefused, Exception) as exc:
        return outcome(False, None, str(exc))
    url, host = _pinned(target)
    headers = signing.headers(job.webhook_id, datetime.now(UTC), job.body, job.keys)
    headers.update({"host": host, "content-type": "application/json", "user-agent": USER_AGENT})
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    deadline = started + 3 * timeout  # a receiver that drips its answer is cut off too
    try:
        with client.stream("POST", url, content=job.body, headers=headers, extensions=extensions) as response:
            received = bytearray()
            truncated = False
            for chunk in response.iter_raw():
                received += chunk
                if len(received) >= MAX_RESPONSE_BYTES:
                    truncated = True
                    break
                if time.monotonic() > deadline:
                    return outcome(
                        False, response.status_code, f"the answer took longer than {3 * timeout:g} s"
                    )
            body = bytes(received[:MAX_RESPONSE_BYTES]).decode("utf-8", "replace")
            excerpt = _clean(body, EXCERPT_CHARS) if body else None
            code = response.status_code
            if 200 <= code < 300:
                return outcome(True, code, None, excerpt)
            if 300 <= code < 400:
                location = response.headers.get("location", "")
                return outcome(
                    False, code, f"redirect to {location or '(no location)'} not followed", excerpt
                )
            note = " (answer cut at 64 KiB)" if truncated else ""
            return outcome(False, code, f"HTTP {code}{note}", excerpt)
    except httpx2.TimeoutException as exc:
        return outcome(False, None, f"timed out ({type(exc).__name__}) after {timeout:g} s")
    except httpx2.HTTPError as exc:
        return outcome(False, None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
