"""Queueing a mail: rendered now, in the caller's unit of work, idempotent by its dedupe key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.models import MailMessage, MailStatus
from portal.models.base import utcnow
from portal.notify.mail.render import pick_locale, render

MAIL_FOLDER = "mail"


def mail_folder(settings: Settings) -> Path | None:
    """Where mails are written as ``.eml`` files when no SMTP server is configured; None with SMTP."""
    return None if settings.smtp_host else settings.data_dir / MAIL_FOLDER


def enqueue_mail(
    session: Session,
    *,
    to: str,
    user_id: int | None,
    locale: str,
    template: str,
    context: dict[str, Any],
    dedupe_key: str,
    headers: dict[str, str] | None = None,
) -> bool:
    """Queue one mail to ``to``, rendered from ``template`` in ``locale`` with ``context``; False
    (and nothing queued) if a mail with ``dedupe_key`` exists already.

    Runs in the caller's transaction: the mail is sent only if that commits. ``context`` may carry
    ``unsubscribe_url``: it becomes the ``List-Unsubscribe`` header. ``headers`` adds others."""
    if session.scalar(select(MailMessage.id).where(MailMessage.dedupe_key == dedupe_key)) is not None:
        return False
    language = pick_locale(locale)
    rendered = render(template, language, context)
    extra: dict[str, str] = dict(headers or {})
    unsubscribe = context.get("unsubscribe_url")
    if unsubscribe:
        extra.setdefault("List-Unsubscribe", f"<{unsubscribe}>")
    message = MailMessage(
        to_address=to,
        user_id=user_id,
        locale=language,
        template=template,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        headers=extra,
        dedupe_key=dedupe_key,
        status=MailStatus.QUEUED,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    try:
        with session.begin_nested():  # a concurrent enqueue of the same key may win the insert
            session.add(message)
    except IntegrityError:
        return False
    return True
