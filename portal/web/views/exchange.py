"""One EDI file of the exchange ledger: its messages and error, the raw file, "reprocess" and "discard"."""

from __future__ import annotations

from starlette.responses import Response, StreamingResponse

from portal.access import load_by_ids
from portal.exchange import handling, ledger
from portal.models import Order
from portal.web import labels
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors


class ExchangeViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def _render(self, ctx: Ctx, record_id: int, errors: FormErrors | None = None) -> Response:
        record = ledger.get_record(ctx.db, ctx.principal, record_id)
        links = ledger.links_of(ctx.db, ctx.principal, {record.id})[record.id]
        # Linked orders by number, as far as the viewer may see them (a hidden one is left out).
        orders = load_by_ids(
            ctx.db, ctx.principal, Order, [link.entity_id for link in links if link.entity == "order"]
        )
        return ctx.render(
            "exchange.html",
            record=record,
            links=links,
            orders=orders,
            errors=errors or FormErrors(),
            overdue=ledger.is_overdue(record),
            can_reprocess=handling.may(ctx.principal, record, "reprocess"),
            can_discard=handling.may(ctx.principal, record, "discard"),
            labels=labels.ALL,
        )

    def detail(self, ctx: Ctx) -> Response:
        return self._render(ctx, ctx.request.path_params["record_id"])

    def download(self, ctx: Ctx) -> Response:
        """The stored file, streamed: a 50 MB file is never whole in the server's memory."""
        file = ledger.record_download(
            ctx.db, self.web.sessions, ctx.principal, ctx.request.path_params["record_id"]
        )
        safe_name = "".join(ch for ch in file.filename if ch.isalnum() or ch in "._-") or "file"
        return StreamingResponse(
            file.chunks,
            media_type="application/octet-stream",
            headers={
                "content-length": str(file.size),
                "content-disposition": f'attachment; filename="{safe_name}"',
                "content-security-policy": "default-src 'none'; sandbox",
                "cache-control": "private, no-store",
            },
        )

    def reprocess(self, ctx: Ctx) -> Response:
        record_id = ctx.request.path_params["record_id"]

        def run() -> Response:
            handling.reprocess(uow=ctx.uow, principal=ctx.principal, record_id=record_id)
            return ctx.redirect(f"/exchange/{record_id}", ctx._("The file is queued to be processed again."))

        return ctx.attempt(run, lambda errors: self._render(ctx, record_id, errors))

    def discard(self, ctx: Ctx) -> Response:
        record_id = ctx.request.path_params["record_id"]

        def run() -> Response:
            handling.discard(uow=ctx.uow, principal=ctx.principal, record_id=record_id)
            return ctx.redirect(
                f"/exchange/{record_id}", ctx._("The file is discarded; it will not be processed.")
            )

        return ctx.attempt(run, lambda errors: self._render(ctx, record_id, errors))
