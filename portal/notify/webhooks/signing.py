"""Standard Webhooks signatures (https://www.standardwebhooks.com): ``webhook-id``,
``webhook-timestamp`` and ``webhook-signature`` ("v1,<base64 HMAC-SHA256 of id.timestamp.body>").
The signing is the ``standardwebhooks`` package's; this module adds the secrets and the rotation."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timedelta

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32
ROTATION_OVERLAP = timedelta(hours=24)  # the previous secret keeps signing this long after a rotation


def new_secret() -> str:
    """A fresh secret, "whsec_" and 32 random bytes in base64 (the form receivers' libraries take)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def new_webhook_id() -> str:
    """A message id, the ``webhook-id`` header: the same on every attempt of one delivery."""
    return "msg_" + secrets.token_urlsafe(18)


def signing_secrets(
    secret: str, previous: str | None, previous_expires_at: datetime | None, now: datetime
) -> list[str]:
    """The secrets that sign now: the current one, and during a rotation's overlap the previous one."""
    found = [secret]
    if previous and previous_expires_at is not None and previous_expires_at > now:
        found.append(previous)
    return found


def headers(webhook_id: str, timestamp: datetime, body: bytes, keys: list[str]) -> dict[str, str]:
    """The three Standard Webhooks headers; one signature per secret, space-separated."""
    signature = " ".join(Webhook(key).sign(webhook_id, timestamp, body) for key in keys)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }
