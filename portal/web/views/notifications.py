"""The inbox: a user's notifications (list, filters, mark read) and what the user wants to be told."""

from __future__ import annotations

from starlette.responses import Response

from portal.access import permissions as may
from portal.errors import InvalidInput
from portal.notify import service
from portal.notify.queries import NotificationQuery, list_notifications
from portal.notify.rules import LEAD_CHOICES, RULE_OF, RULES, Choice, Email, Kind, link, title
from portal.partners import service as partners
from portal.reading import PageRequest
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors
from portal.web.labels import N_

PER_PAGE = 50
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}  # as the header's switch names them

EMAIL_LABELS = {
    Email.IMMEDIATE.value: N_("Immediately"),
    Email.DIGEST.value: N_("Daily digest"),
    Email.OFF.value: N_("Off"),
}


class NotificationViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def _require(self, ctx: Ctx) -> None:
        may.require(ctx.principal, may.can_use_inbox(ctx.principal), "use an inbox")

    def inbox(self, ctx: Ctx) -> Response:
        self._require(ctx)
        params = ctx.request.query_params
        unread = params.get("unread") == "1"
        kind = params.get("kind") or ""
        if kind and kind not in RULE_OF:
            raise InvalidInput("kind", "unknown value")
        page = list_notifications(
            ctx.db,
            ctx.principal,
            NotificationQuery(unread=unread, kinds=frozenset({kind}) if kind else frozenset()),
            page=PageRequest(
                first=None if params.get("before") else PER_PAGE,
                after=params.get("after"),
                last=PER_PAGE if params.get("before") else None,
                before=params.get("before"),
            ),
        )
        entries = [
            {
                "id": row.id,
                "title": title(row.kind, row.payload, ctx._),
                "href": link(row.entity, row.entity_id, row.payload),
                "created_at": row.created_at,
                "read": row.read_at is not None,
                "kind": ctx._(RULE_OF[row.kind].label) if row.kind in RULE_OF else row.kind,
            }
            for row in page.items
        ]
        response = ctx.render(
            "notifications.html",
            entries=entries,
            pager=page,
            unread_only=unread,
            kind=kind,
            kinds=[(r.kind.value, ctx._(r.label)) for r in RULES],
        )
        response.headers["cache-control"] = "no-store"
        return response

    def mark_read(self, ctx: Ctx) -> Response:
        """POST /notifications/read: ``id`` (one or more) marks those; ``all`` = 1 marks every one."""
        self._require(ctx)
        if ctx.form.text("all") == "1":
            service.mark_read(ctx.uow, ctx.principal, None)
            return ctx.redirect("/notifications", ctx._("All notifications are marked read."))
        data = ctx.form.data
        raw = data.getlist("id") if data is not None else []
        ids: list[int] = []
        for value in raw:
            if not isinstance(value, str) or not value.isdigit() or len(value) > 10:
                raise InvalidInput("id", "is not a whole number")
            ids.append(int(value))
        count = service.mark_read(ctx.uow, ctx.principal, ids)
        target = ctx.form.text("next")
        target = target if target.startswith("/") and not target.startswith("//") else "/notifications"
        return ctx.redirect(target, ctx._("Marked read.") if count else None)

    def preferences(self, ctx: Ctx) -> Response:
        self._require(ctx)
        if ctx.request.method == "POST":

            def save() -> Response:
                choices: dict[str, Choice] = {}
                for rule in [pref.rule for pref in service.preferences(ctx.db, ctx.principal)]:
                    kind = rule.kind.value
                    email = ctx.form.text(f"{kind}.email")
                    if email not in EMAIL_LABELS:
                        raise InvalidInput(f"{kind}.email", "unknown value")
                    lead = ctx.form.integer(f"{kind}.lead", required=rule.kind is Kind.APPOINTMENT_REMINDER)
                    choices[kind] = Choice(
                        inbox=ctx.form.text(f"{kind}.inbox") == "1",
                        email=Email(email),
                        lead_minutes=lead if rule.kind is Kind.APPOINTMENT_REMINDER else None,
                    )
                service.set_preferences(ctx.uow, ctx.principal, choices)
                return ctx.redirect("/notifications/preferences", ctx._("Your choices are saved."))

            return ctx.attempt(save, lambda errors: self._preferences_page(ctx, errors=errors))
        return self._preferences_page(ctx)

    def _preferences_page(self, ctx: Ctx, errors: FormErrors | None = None) -> Response:
        prefs = service.preferences(ctx.db, ctx.principal)
        return ctx.render(
            "notification_preferences.html",
            prefs=[
                {
                    "kind": p.rule.kind.value,
                    "label": ctx._(p.rule.label),
                    "inbox": p.choice.inbox,
                    "email": p.choice.email.value,
                    "lead": p.choice.lead_minutes,
                    "has_lead": p.rule.kind is Kind.APPOINTMENT_REMINDER,
                }
                for p in prefs
            ],
            email_choices=[(value, ctx._(label)) for value, label in EMAIL_LABELS.items()],
            mail_language=LANGUAGE_NAMES[partners.own_language(ctx.db, ctx.principal)],
            lead_choices=LEAD_CHOICES,
            errors=errors or FormErrors(),
        )
