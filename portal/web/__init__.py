"""The partner web portal (starlette routes, jinja2 templates, static files, de/en)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from portal.config import Settings

STATIC = Path(__file__).parent / "static"


def web_routes(settings: Settings, sessions: sessionmaker[Session]) -> list[BaseRoute]:
    """Routes to mount in the app."""
    from portal.exchange.upload import MAX_UPLOAD_BYTES
    from portal.leads.importing import MAX_BYTES as MAX_IMPORT_BYTES
    from portal.web.admission import Admission, slots_for
    from portal.web.core import Web, favicon
    from portal.web.views.accounts import AccountViews, InvitationAdminViews
    from portal.web.views.admin import AdminViews
    from portal.web.views.auth import AuthViews
    from portal.web.views.calendar import CalendarViews
    from portal.web.views.campaigns import CampaignViews, SegmentViews
    from portal.web.views.cases import CaseViews
    from portal.web.views.customer_forms import CustomerFormViews
    from portal.web.views.customers import CustomerViews
    from portal.web.views.dashboard import DashboardViews
    from portal.web.views.deals import DealViews
    from portal.web.views.exchange import ExchangeViews
    from portal.web.views.exchange_admin import ExchangeAdminViews
    from portal.web.views.exports import ExportViews
    from portal.web.views.invoices import InvoiceViews
    from portal.web.views.leads import LeadViews, TerritoryViews
    from portal.web.views.lists import SPECS, ListViews, visible_specs
    from portal.web.views.mail_admin import MailAdminViews
    from portal.web.views.notifications import NotificationViews
    from portal.web.views.opportunities import OpportunityViews
    from portal.web.views.orders import OrderViews
    from portal.web.views.pickers import PickerViews
    from portal.web.views.tasks import TaskViews
    from portal.web.views.tolerances import ToleranceViews
    from portal.web.views.webhooks import WebhookViews

    engine = sessions.kw["bind"]
    web = Web(settings, sessions, admission=Admission(slots_for(engine.dialect.name)))
    for env in web.envs.values():
        env.globals["nav_items"] = visible_specs
    auth = AuthViews(web)
    lists = ListViews(web)
    dashboard = DashboardViews(web)
    orders = OrderViews(web)
    invoices = InvoiceViews(web)
    cases = CaseViews(web)
    customers = CustomerViews(web)
    customer_forms = CustomerFormViews(web)
    admin = AdminViews(web)
    tolerances = ToleranceViews(web)
    account = AccountViews(web)
    from portal.web.views.unsubscribe import UnsubscribeViews

    unsubscribe = UnsubscribeViews(web)
    invitations = InvitationAdminViews(web, admin.users_page)
    mail = MailAdminViews(web)
    exchange = ExchangeViews(web)
    exchange_admin = ExchangeAdminViews(web)
    pickers = PickerViews(web)
    exports = ExportViews(web)
    notifications = NotificationViews(web)
    webhooks = WebhookViews(web)
    tasks = TaskViews(web)
    calendar = CalendarViews(web)
    opportunities = OpportunityViews(web)
    deals = DealViews(web)
    lead_views = LeadViews(web)
    territory_views = TerritoryViews(web)
    campaign_views = CampaignViews(web)
    segment_views = SegmentViews(web)
    page = web.page
    sales = web.sales_page  # the sales area: missing (404) to suppliers
    return [
        Route("/favicon.ico", favicon, methods=["GET"]),
        Route("/login", auth.login_form, methods=["GET"]),
        Route("/login", auth.login, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/account/password", page(auth.password), methods=["GET", "POST"]),
        Route("/password/forgot", account.forgot, methods=["GET", "POST"]),
        Route("/password/reset/{token}", account.reset, methods=["GET", "POST"]),
        Route("/invitation/{token}", account.invitation, methods=["GET", "POST"]),
        Route("/notifications/unsubscribe/{token}", unsubscribe.unsubscribe, methods=["GET", "POST"]),
        Route("/", page(dashboard.page), methods=["GET"]),
        Route("/my-day", page(tasks.my_day), methods=["GET"]),
        Route("/tasks/week", page(tasks.week), methods=["GET"]),
        Route("/tasks/new", page(tasks.new), methods=["GET", "POST"]),
        Route("/tasks/{task_id:int}", page(tasks.detail), methods=["GET", "POST"]),
        Route("/tasks/{task_id:int}/done", page(tasks.done), methods=["POST"]),
        Route("/tasks/{task_id:int}/reopen", page(tasks.reopen), methods=["POST"]),
        Route("/account/calendar", page(calendar.settings), methods=["GET", "POST"]),
        Route("/calendar/{token}.ics", calendar.feed, methods=["GET"]),
        Route("/orders/new", page(orders.new), methods=["GET", "POST"]),
        Route("/pick/{kind}", page(pickers.pick), methods=["GET"]),
        Route("/orders/{order_id:int}", page(orders.detail), methods=["GET"]),
        Route("/orders/{order_id:int}/respond", page(orders.respond), methods=["POST"]),
        Route("/orders/{order_id:int}/shipments", page(orders.ship), methods=["POST"]),
        Route("/orders/{order_id:int}/invoices", page(orders.invoice), methods=["POST"]),
        Route(
            "/orders/{order_id:int}/invoice-file",
            page(orders.upload_invoice, max_bytes=MAX_UPLOAD_BYTES + 64 * 1024),
            methods=["POST"],
        ),
        Route("/orders/{order_id:int}/receipts", page(orders.receive), methods=["POST"]),
        Route("/orders/{order_id:int}/route", page(orders.route), methods=["POST"]),
        Route("/orders/{order_id:int}/review", page(orders.review), methods=["POST"]),
        Route("/invoices/upload", page(invoices.upload_form), methods=["GET"]),
        Route(
            "/invoices/upload",
            page(invoices.upload, max_bytes=MAX_UPLOAD_BYTES + 64 * 1024),
            methods=["POST"],
        ),
        Route("/invoices/{invoice_id:int}", page(invoices.detail), methods=["GET"]),
        Route("/invoices/{invoice_id:int}/files/{record_id:int}", page(invoices.original), methods=["GET"]),
        Route("/invoices/{invoice_id:int}/review", page(invoices.review), methods=["POST"]),
        Route("/invoices/{invoice_id:int}/payments", page(invoices.pay), methods=["POST"]),
        Route("/invoices/{invoice_id:int}/schedule", page(invoices.schedule), methods=["POST"]),
        Route("/invoices/{invoice_id:int}/answer", page(invoices.answer), methods=["POST"]),
        Route("/invoices/{invoice_id:int}/credit-notes", page(invoices.credit), methods=["POST"]),
        Route("/orders/{order_id:int}/change", page(orders.change), methods=["POST"]),
        Route("/cases/new", page(cases.new), methods=["GET", "POST"]),
        Route("/cases/{case_id:int}", page(cases.detail), methods=["GET"]),
        Route("/cases/{case_id:int}/comments", page(cases.comment), methods=["POST"]),
        Route(
            "/cases/{case_id:int}/attachments",
            page(
                cases.attach,
                # Up to four times the limit is read (files spool to disk), so that the page
                # can say "too large" and keep the comment; beyond, the body is dropped unread.
                max_bytes=4 * settings.max_attachment_bytes + 64 * 1024,
                too_large=cases.attach_too_large,
            ),
            methods=["POST"],
        ),
        Route("/cases/{case_id:int}/attachments/{attachment_id:int}", page(cases.download), methods=["GET"]),
        Route("/cases/{case_id:int}/status", page(cases.status), methods=["POST"]),
        Route("/cases/{case_id:int}/route", page(cases.route), methods=["POST"]),
        Route("/cases/{case_id:int}/edit", page(cases.edit), methods=["POST"]),
        Route("/customers/new", page(customer_forms.new), methods=["GET", "POST"]),
        Route("/pipeline", sales(opportunities.board), methods=["GET"]),
        Route("/leads/new", sales(lead_views.new), methods=["GET", "POST"]),
        Route(
            "/leads/import",
            # the preview's form carries the file's text back (percent-encoded: up to three bytes a byte)
            sales(lead_views.import_page, max_bytes=4 * MAX_IMPORT_BYTES + 64 * 1024),
            methods=["GET", "POST"],
        ),
        Route("/leads/distribute", sales(lead_views.distribute), methods=["POST"]),
        Route("/leads/{lead_id:int}", sales(lead_views.detail), methods=["GET"]),
        Route("/leads/{lead_id:int}/edit", sales(lead_views.edit), methods=["GET", "POST"]),
        Route("/leads/{lead_id:int}/accept", sales(lead_views.accept), methods=["POST"]),
        Route("/leads/{lead_id:int}/decline", sales(lead_views.decline), methods=["POST"]),
        Route("/leads/{lead_id:int}/convert", sales(lead_views.convert), methods=["POST"]),
        Route("/leads/{lead_id:int}/reassign", sales(lead_views.reassign), methods=["POST"]),
        Route("/leads/{lead_id:int}/disqualify", sales(lead_views.disqualify), methods=["POST"]),
        Route("/campaigns/new", sales(campaign_views.new), methods=["GET", "POST"]),
        Route("/campaigns/results", sales(campaign_views.results), methods=["GET"]),
        Route("/campaigns/{campaign_id:int}", sales(campaign_views.detail), methods=["GET"]),
        Route("/campaigns/{campaign_id:int}/edit", sales(campaign_views.edit), methods=["GET", "POST"]),
        Route("/campaigns/{campaign_id:int}/recount", sales(campaign_views.recount), methods=["POST"]),
        Route("/segments", sales(segment_views.index), methods=["GET"]),
        Route("/segments/new", sales(segment_views.new), methods=["GET", "POST"]),
        Route("/segments/{segment_id:int}/delete", sales(segment_views.delete), methods=["POST"]),
        Route("/admin/territories", sales(territory_views.index), methods=["GET"]),
        Route(
            "/admin/territories/{organization_id:int}", sales(territory_views.edit), methods=["GET", "POST"]
        ),
        Route("/opportunities/new", sales(opportunities.new), methods=["GET", "POST"]),
        Route("/opportunities/{opportunity_id:int}", sales(opportunities.detail), methods=["GET"]),
        Route("/opportunities/{opportunity_id:int}/stage", sales(opportunities.stage), methods=["POST"]),
        Route("/opportunities/{opportunity_id:int}/edit", sales(opportunities.edit), methods=["POST"]),
        Route("/opportunities/{opportunity_id:int}/lines", sales(opportunities.add_line), methods=["POST"]),
        Route(
            "/opportunities/{opportunity_id:int}/lines/remove",
            sales(opportunities.remove_line),
            methods=["POST"],
        ),
        Route("/deals/new", sales(deals.new), methods=["GET", "POST"]),
        Route("/deals/{deal_id:int}", sales(deals.detail), methods=["GET"]),
        Route("/deals/{deal_id:int}/approve", sales(deals.approve), methods=["POST"]),
        Route("/deals/{deal_id:int}/reject", sales(deals.reject), methods=["POST"]),
        Route("/deals/{deal_id:int}/withdraw", sales(deals.withdraw), methods=["POST"]),
        Route("/customers/{customer_id:int}", page(customers.detail), methods=["GET"]),
        Route("/customers/{customer_id:int}/edit", page(customer_forms.edit), methods=["GET", "POST"]),
        Route(
            "/customers/{customer_id:int}/contacts/{contact_id:int}/edit",
            page(customer_forms.edit_contact),
            methods=["GET", "POST"],
        ),
        Route(
            "/customers/{customer_id:int}/contacts/{contact_id:int}/erase",
            page(customer_forms.erase_contact),
            methods=["POST"],
        ),
        Route("/customers/{customer_id:int}/activities", page(customers.log), methods=["POST"]),
        Route("/customers/{customer_id:int}/share", page(customers.share), methods=["POST"]),
        Route("/customers/{customer_id:int}/contacts", page(customers.add_contact), methods=["POST"]),
        Route("/exchange/{record_id:int}", page(exchange.detail), methods=["GET"]),
        Route("/exchange/{record_id:int}/download", page(exchange.download), methods=["GET"]),
        Route("/exchange/{record_id:int}/reprocess", page(exchange.reprocess), methods=["POST"]),
        Route("/exchange/{record_id:int}/discard", page(exchange.discard), methods=["POST"]),
        Route("/exports", page(exports.mine), methods=["GET"]),
        Route("/exports", page(exports.prepare), methods=["POST"]),
        Route("/exports/{export_id:int}/download", page(exports.download), methods=["GET"]),
        Route("/admin/exchange", page(exchange_admin.profiles), methods=["GET", "POST"]),
        Route("/admin/users", page(admin.users), methods=["GET", "POST"]),
        Route("/admin/tolerances", page(tolerances.page), methods=["GET", "POST"]),
        Route("/admin/users/{user_id:int}/active", page(admin.set_active), methods=["POST"]),
        Route("/admin/invitations", page(invitations.invite), methods=["POST"]),
        Route("/admin/invitations/{invitation_id:int}/resend", page(invitations.resend), methods=["POST"]),
        Route("/admin/invitations/{invitation_id:int}/revoke", page(invitations.revoke), methods=["POST"]),
        Route("/admin/mail", page(mail.index), methods=["GET"]),
        Route("/admin/mail/{name}", page(mail.show), methods=["GET"]),
        Route("/admin/tokens", page(admin.tokens), methods=["GET", "POST"]),
        Route("/admin/tokens/{token_id:int}/revoke", page(admin.revoke), methods=["POST"]),
        Route("/notifications", page(notifications.inbox), methods=["GET"]),
        Route("/notifications/read", page(notifications.mark_read), methods=["POST"]),
        Route("/notifications/preferences", page(notifications.preferences), methods=["GET", "POST"]),
        Route("/admin/webhooks", page(webhooks.endpoints), methods=["GET", "POST"]),
        Route("/admin/webhooks/{endpoint_id:int}", page(webhooks.endpoint), methods=["GET", "POST"]),
        Route("/admin/webhooks/{endpoint_id:int}/rotate", page(webhooks.rotate), methods=["POST"]),
        Route("/admin/webhooks/{endpoint_id:int}/enabled", page(webhooks.set_enabled), methods=["POST"]),
        Route("/admin/webhooks/{endpoint_id:int}/delete", page(webhooks.delete), methods=["POST"]),
        Route("/admin/webhooks/{endpoint_id:int}/test", page(webhooks.send_test), methods=["POST"]),
        Route(
            "/admin/webhooks/{endpoint_id:int}/deliveries/{delivery_id:int}/redeliver",
            page(webhooks.redeliver),
            methods=["POST"],
        ),
        *[Route(f"/{name}", page(lists.handler(name)), methods=["GET"]) for name in SPECS],
        *[Route(f"/{name}.csv", page(lists.handler(name, export=True)), methods=["GET"]) for name in SPECS],
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


def web_middleware(settings: Settings) -> list[Middleware]:
    from portal.web.sessions import WebSessionMiddleware

    return [Middleware(WebSessionMiddleware, secret_key=settings.secret_key)]
