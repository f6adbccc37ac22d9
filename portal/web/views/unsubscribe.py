"""The unsubscribe link of notification mails (no login): GET shows what it turns off and a
button; POST turns e-mail off for that kind. The signed token in the URL is the credential, so the
POST needs no CSRF token: mail programs send it by themselves (RFC 8058, ``List-Unsubscribe-Post``)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from portal.db import unit_of_work
from portal.notify.mailing import DIGEST_ALL, read_unsubscribe_token, turn_email_off
from portal.notify.rules import RULE_OF
from portal.web.core import Web, unread
from portal.web.labels import N_
from portal.web.sessions import locale_of, origin_allowed

LINK_INVALID = N_("This unsubscribe link is not valid. Change your e-mail choices on the preferences page.")
DIGEST_LABEL = N_("Daily digest")


class UnsubscribeViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def _(self, request: Request, message: str) -> str:
        text: str = self.web.translations[locale_of(request)].ugettext(message)
        return text

    def _page(self, request: Request, *, status_code: int = 200, **context: Any) -> Response:
        values: dict[str, Any] = {"error": None, "done": False, "label": "", **context}
        response = self.web.render(request, "unsubscribe.html", status_code=status_code, **values)
        response.headers["cache-control"] = "no-store"
        return response

    async def unsubscribe(self, request: Request) -> Response:
        found = read_unsubscribe_token(self.web.settings.secret_key, request.path_params["token"])
        if found is None:
            return self._page(request, status_code=400, error=self._(request, LINK_INVALID))
        user_id, kind = found
        label = self._(request, DIGEST_LABEL if kind == DIGEST_ALL else RULE_OF[kind].label)
        if request.method == "GET":
            return self._page(request, label=label, done=False)
        if not origin_allowed(request):
            return unread(self.web.error_page(request, 403))

        def act() -> bool:
            try:
                with unit_of_work(self.web.sessions) as uow:
                    turn_email_off(uow, user_id, kind)
            except LookupError:
                return False
            return True

        if not await run_in_threadpool(act):
            return self._page(request, status_code=400, error=self._(request, LINK_INVALID))
        return self._page(request, label=label, done=True)
