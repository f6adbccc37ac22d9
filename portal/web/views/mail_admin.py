"""/admin/mail: the mails the portal wrote to its folder when no SMTP server is configured (the
demo), for owner admins. Without a mail folder (SMTP configured) the pages do not exist (404)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from starlette.responses import Response

from portal.access import permissions as may
from portal.errors import NotFound
from portal.notify.mail import mail_folder
from portal.web.core import Ctx, Web

MAX_LISTED = 200
_NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,150}\.eml$")
_HREF = re.compile(r'href="(https?://[^"]+)"')
SHOWN_HEADERS = ("From", "To", "Subject", "Date", "List-Unsubscribe")


@dataclass(frozen=True, slots=True)
class MailFile:
    name: str
    subject: str
    to: str
    date: datetime | None


def _read(path: Path) -> EmailMessage:
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _date(message: EmailMessage) -> datetime | None:
    try:
        return parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        return None


class MailAdminViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def _folder(self, ctx: Ctx) -> Path:
        may.require(
            ctx.principal,
            may.can_read_mail_folder(ctx.principal),
            "read the mail folder",
            only="owner admins",
        )
        folder = mail_folder(self.web.settings)
        if folder is None:
            raise NotFound("page", "mail")
        return folder

    def index(self, ctx: Ctx) -> Response:
        folder = self._folder(ctx)
        paths = sorted(folder.glob("*.eml"), reverse=True)[:MAX_LISTED] if folder.is_dir() else []
        mails = []
        for path in paths:
            message = _read(path)
            mails.append(
                MailFile(path.name, str(message["Subject"] or ""), str(message["To"] or ""), _date(message))
            )
        return ctx.render("admin_mail.html", mails=mails, folder=str(folder))

    def show(self, ctx: Ctx) -> Response:
        folder = self._folder(ctx)
        name = ctx.request.path_params["name"]
        path = folder / name
        if not _NAME.match(name) or not path.is_file():
            raise NotFound("mail", name)
        message = _read(path)
        text_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
        html = str(html_part.get_content()) if html_part is not None else ""
        # The headers worth reading, labelled in the template (pgettext "mail"); the date in the
        # reader's language and Berlin time as on every page.
        headers = [
            (k, _date(message) if k == "Date" else str(message[k]))
            for k in SHOWN_HEADERS
            if message[k] is not None
        ]
        return ctx.render(
            "admin_mail_message.html",
            name=name,
            subject=str(message["Subject"] or ""),
            headers=headers,
            text=str(text_part.get_content()) if text_part is not None else "",
            links=list(dict.fromkeys(_HREF.findall(html))),
        )
