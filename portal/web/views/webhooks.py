"""/admin/webhooks: an organization's admin registers webhook endpoints, sees the secret once,
rotates it, disables, enables and deletes endpoints, reads the delivery log, sends a delivery
again and sends a test event (`portal.notify.webhooks`; own organization only)."""

from __future__ import annotations

from starlette.responses import Response

from portal.access import permissions as may
from portal.errors import InvalidInput
from portal.notify.webhooks import guard, service
from portal.notify.webhooks.kinds import offered_kinds
from portal.notify.webhooks.queries import DeliveryQuery, EndpointQuery, list_deliveries, list_endpoints
from portal.reading import PageRequest
from portal.web import labels
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors

PER_PAGE = 50


class WebhookViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def _require(self, ctx: Ctx) -> None:
        may.require(
            ctx.principal,
            may.can_manage_webhooks(ctx.principal),
            "manage webhooks",
            only="your organization's admins",
        )

    def _allowed(self) -> tuple[guard.Network, ...]:
        return guard.allowed_networks(self.web.settings.webhook_allow_networks)

    def _kinds(self, ctx: Ctx) -> list[str]:
        data = ctx.form.data
        chosen = [v for v in (data.getlist("event_kinds") if data is not None else []) if isinstance(v, str)]
        if not chosen:
            raise InvalidInput("event_kinds", "choose at least one event kind")
        return chosen

    def _kind_options(self, ctx: Ctx) -> list[tuple[str, str]]:
        return [
            (kind, ctx._(labels.WEBHOOK_EVENT_KINDS[kind])) for kind in offered_kinds(ctx.principal.org_kind)
        ]

    def endpoints(self, ctx: Ctx) -> Response:
        """GET: the organization's endpoints and the form; POST: register one."""
        self._require(ctx)
        if ctx.request.method == "GET":
            return self._endpoints_page(ctx, FormErrors(), {}, [])

        def register() -> Response:
            made = service.create_endpoint(
                ctx.uow,
                ctx.principal,
                url=ctx.form.text("url"),
                event_kinds=self._kinds(ctx),
                description=ctx.form.text("description"),
                allowed_networks=self._allowed(),
            )
            ctx.session.secret = made.secret  # shown once by the next GET, never stored in the page
            return ctx.redirect(
                f"/admin/webhooks/{made.endpoint.id}", ctx._("The endpoint has been registered.")
            )

        def again(errors: FormErrors) -> Response:
            chosen = ctx.form.data.getlist("event_kinds") if ctx.form.data is not None else []
            return self._endpoints_page(ctx, errors, ctx.form.values(), [str(v) for v in chosen])

        return ctx.attempt(register, again)

    def _endpoints_page(
        self, ctx: Ctx, errors: FormErrors, values: dict[str, str], chosen: list[str]
    ) -> Response:
        query = ctx.request.query_params
        page = list_endpoints(
            ctx.db,
            ctx.principal,
            EndpointQuery(organization_id=ctx.principal.org_id),
            page=PageRequest(first=PER_PAGE, after=query.get("after")),
        )
        return ctx.render(
            "admin_webhooks.html",
            status_code=400 if errors else 200,
            endpoints=page.items,
            pager=page,
            kinds=self._kind_options(ctx),
            kind_labels=labels.WEBHOOK_EVENT_KINDS,
            chosen=chosen,
            errors=errors,
            values=values,
        )

    def endpoint(self, ctx: Ctx) -> Response:
        """GET: one endpoint, its secret once after registration or rotation, its delivery log;
        POST: change URL, kinds, description."""
        self._require(ctx)
        endpoint_id = int(ctx.request.path_params["endpoint_id"])
        if ctx.request.method == "GET":
            return self._endpoint_page(ctx, endpoint_id, FormErrors(), None, secret=ctx.session.pop_secret())

        def change() -> Response:
            service.update_endpoint(
                ctx.uow,
                ctx.principal,
                endpoint_id,
                url=ctx.form.text("url"),
                event_kinds=self._kinds(ctx),
                description=ctx.form.text("description"),
                allowed_networks=self._allowed(),
            )
            return ctx.redirect(f"/admin/webhooks/{endpoint_id}", ctx._("The endpoint has been changed."))

        return ctx.attempt(
            change, lambda errors: self._endpoint_page(ctx, endpoint_id, errors, ctx.form.values())
        )

    def _endpoint_page(
        self,
        ctx: Ctx,
        endpoint_id: int,
        errors: FormErrors,
        values: dict[str, str] | None,
        *,
        secret: str | None = None,
        action_error: str | None = None,
    ) -> Response:
        endpoint = service.get_endpoint(ctx.db, ctx.principal, endpoint_id)
        query = ctx.request.query_params
        log = list_deliveries(
            ctx.db,
            ctx.principal,
            DeliveryQuery(organization_id=ctx.principal.org_id, endpoint_id=endpoint.id),
            page=PageRequest(first=PER_PAGE, after=query.get("after")),
        )
        if values is None:
            values = {"url": endpoint.url, "description": endpoint.description}
            chosen = list(endpoint.event_kinds)
        else:
            data = ctx.form.data
            chosen = [str(v) for v in data.getlist("event_kinds")] if data is not None else []
        response = ctx.render(
            "admin_webhook.html",
            status_code=400 if errors or action_error else 200,
            endpoint=endpoint,
            disabled_reason=labels.webhook_disabled_reason(endpoint.disabled_reason or "", ctx._),
            deliveries=log.items,
            pager=log,
            secret=secret,
            kinds=self._kind_options(ctx),
            kind_labels=labels.WEBHOOK_EVENT_KINDS,
            status_labels=labels.WEBHOOK_STATUSES,
            chosen=chosen,
            errors=errors,
            values=values,
            action_error=action_error,
        )
        response.headers["cache-control"] = "no-store"
        return response

    def rotate(self, ctx: Ctx) -> Response:
        self._require(ctx)
        endpoint_id = int(ctx.request.path_params["endpoint_id"])
        made = service.rotate_secret(ctx.uow, ctx.principal, endpoint_id)
        ctx.session.secret = made.secret
        return ctx.redirect(
            f"/admin/webhooks/{endpoint_id}",
            ctx._("A new secret has been made. The previous one signs as well for 24 hours."),
        )

    def set_enabled(self, ctx: Ctx) -> Response:
        self._require(ctx)
        endpoint_id = int(ctx.request.path_params["endpoint_id"])
        enabled = ctx.form.text("enabled")
        if enabled not in {"0", "1"}:
            raise InvalidInput("enabled", "unknown value")
        service.update_endpoint(ctx.uow, ctx.principal, endpoint_id, enabled=enabled == "1")
        flash = ctx._("The endpoint is enabled.") if enabled == "1" else ctx._("The endpoint is disabled.")
        return ctx.redirect(f"/admin/webhooks/{endpoint_id}", flash)

    def delete(self, ctx: Ctx) -> Response:
        self._require(ctx)
        service.delete_endpoint(ctx.uow, ctx.principal, int(ctx.request.path_params["endpoint_id"]))
        return ctx.redirect("/admin/webhooks", ctx._("The endpoint has been deleted."))

    def send_test(self, ctx: Ctx) -> Response:
        self._require(ctx)
        endpoint_id = int(ctx.request.path_params["endpoint_id"])

        def send() -> Response:
            service.send_test(ctx.uow, ctx.principal, endpoint_id)
            return ctx.redirect(
                f"/admin/webhooks/{endpoint_id}",
                ctx._("A test event is on its way; reload to see the outcome."),
            )

        return ctx.attempt(send, lambda errors: self._refused(ctx, endpoint_id, errors))

    def redeliver(self, ctx: Ctx) -> Response:
        self._require(ctx)
        endpoint_id = int(ctx.request.path_params["endpoint_id"])
        delivery_id = int(ctx.request.path_params["delivery_id"])

        def again() -> Response:
            delivery = service.redeliver(ctx.uow, ctx.principal, delivery_id)
            if delivery.endpoint_id != endpoint_id:
                raise InvalidInput("delivery", "belongs to another endpoint")
            return ctx.redirect(
                f"/admin/webhooks/{endpoint_id}", ctx._("The delivery will be sent again in a moment.")
            )

        return ctx.attempt(again, lambda errors: self._refused(ctx, endpoint_id, errors))

    def _refused(self, ctx: Ctx, endpoint_id: int, errors: FormErrors) -> Response:
        reason = next(iter(errors.fields.values()), None) if errors.fields else errors.general
        return self._endpoint_page(ctx, endpoint_id, FormErrors(), None, action_error=reason)
