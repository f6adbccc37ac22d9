"""The access policy: one SQL rule per entity. The only place tenancy filters are written.

Who sees what (owner staff see everything; the rules below are for external organizations, where
"its organizations" means the principal's organization and every organization below it):

======================  ==================================================================
customer                assigned to one of its organizations (suppliers: never)
contact                 of a visible customer
customer assignment     to one of its organizations
activity                on a visible customer, logged by its organizations or by the owner
order, order line       sold by (dealer) or routed to (supplier) one of its organizations
shipment, its lines     of its own (supplier), or of an order it sold (dealer)
invoice, its lines      issued by one of its organizations (supplier invoices are between
                        supplier and owner; dealers do not see them)
case                    routed to or opened by one of its organizations
case comment/attachment on a visible case, and not internal
product                 everyone (the owner's public catalogue)
organization            its organizations
user, API token         of its organizations
event                   caused by its organizations
exchange profile/record its organizations' own (the files they sent and received)
webhook endpoint,       its organizations' own (managing them: own organization only, see
delivery                permissions.can_manage_webhooks)
======================  ==================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, false, select, true

from portal.access.principal import Principal
from portal.models import (
    Activity,
    ApiToken,
    Case,
    CaseAttachment,
    CaseComment,
    Contact,
    Customer,
    CustomerAssignment,
    Event,
    ExchangeLink,
    ExchangeProfile,
    ExchangeRecord,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    Organization,
    OrgKind,
    Product,
    Shipment,
    ShipmentLine,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)

Rule = Callable[[Principal], ColumnElement[bool]]


def _customers(p: Principal) -> ColumnElement[bool]:
    if p.org_kind is OrgKind.SUPPLIER:
        return false()
    assigned = select(CustomerAssignment.customer_id).where(CustomerAssignment.organization_id.in_(p.org_ids))
    return Customer.id.in_(assigned)


def _visible_customer_ids(p: Principal) -> Select[int]:
    return select(Customer.id).where(_customers(p))


def _contacts(p: Principal) -> ColumnElement[bool]:
    return Contact.customer_id.in_(_visible_customer_ids(p))


def _assignments(p: Principal) -> ColumnElement[bool]:
    return CustomerAssignment.organization_id.in_(p.org_ids)


def _activities(p: Principal) -> ColumnElement[bool]:
    owners = select(Organization.id).where(Organization.kind == OrgKind.OWNER)
    return Activity.customer_id.in_(_visible_customer_ids(p)) & (
        Activity.organization_id.in_(p.org_ids) | Activity.organization_id.in_(owners)
    )


def _orders(p: Principal) -> ColumnElement[bool]:
    return Order.dealer_id.in_(p.org_ids) | Order.supplier_id.in_(p.org_ids)


def _order_lines(p: Principal) -> ColumnElement[bool]:
    return OrderLine.order_id.in_(select(Order.id).where(_orders(p)))


def _shipments(p: Principal) -> ColumnElement[bool]:
    sold = select(Order.id).where(Order.dealer_id.in_(p.org_ids))
    return Shipment.supplier_id.in_(p.org_ids) | Shipment.order_id.in_(sold)


def _shipment_lines(p: Principal) -> ColumnElement[bool]:
    return ShipmentLine.shipment_id.in_(select(Shipment.id).where(_shipments(p)))


def _invoices(p: Principal) -> ColumnElement[bool]:
    return Invoice.supplier_id.in_(p.org_ids)


def _invoice_lines(p: Principal) -> ColumnElement[bool]:
    return InvoiceLine.invoice_id.in_(select(Invoice.id).where(_invoices(p)))


def _cases(p: Principal) -> ColumnElement[bool]:
    return Case.routed_to_id.in_(p.org_ids) | Case.opened_by_org_id.in_(p.org_ids)


def _case_comments(p: Principal) -> ColumnElement[bool]:
    return CaseComment.case_id.in_(select(Case.id).where(_cases(p))) & CaseComment.internal.is_(False)


def _case_attachments(p: Principal) -> ColumnElement[bool]:
    return CaseAttachment.case_id.in_(select(Case.id).where(_cases(p))) & CaseAttachment.internal.is_(False)


def _everyone(_p: Principal) -> ColumnElement[bool]:
    return true()


def _organizations(p: Principal) -> ColumnElement[bool]:
    return Organization.id.in_(p.org_ids)


def _users(p: Principal) -> ColumnElement[bool]:
    return User.organization_id.in_(p.org_ids)


def _tokens(p: Principal) -> ColumnElement[bool]:
    return ApiToken.organization_id.in_(p.org_ids)


def _exchange_profiles(p: Principal) -> ColumnElement[bool]:
    return ExchangeProfile.organization_id.in_(p.org_ids)


def _exchange_records(p: Principal) -> ColumnElement[bool]:
    return ExchangeRecord.organization_id.in_(p.org_ids)


def _exchange_links(p: Principal) -> ColumnElement[bool]:
    return ExchangeLink.record_id.in_(select(ExchangeRecord.id).where(_exchange_records(p)))


def _webhook_endpoints(p: Principal) -> ColumnElement[bool]:
    return WebhookEndpoint.organization_id.in_(p.org_ids)


def _webhook_deliveries(p: Principal) -> ColumnElement[bool]:
    return WebhookDelivery.organization_id.in_(p.org_ids)


def _events(p: Principal) -> ColumnElement[bool]:
    return Event.actor_org_id.in_(p.org_ids)


RULES: dict[type[Any], Rule] = {
    Customer: _customers,
    Contact: _contacts,
    CustomerAssignment: _assignments,
    Activity: _activities,
    Order: _orders,
    OrderLine: _order_lines,
    Shipment: _shipments,
    ShipmentLine: _shipment_lines,
    Invoice: _invoices,
    InvoiceLine: _invoice_lines,
    Case: _cases,
    CaseComment: _case_comments,
    CaseAttachment: _case_attachments,
    Product: _everyone,
    Organization: _organizations,
    User: _users,
    ApiToken: _tokens,
    Event: _events,
    ExchangeProfile: _exchange_profiles,
    ExchangeRecord: _exchange_records,
    ExchangeLink: _exchange_links,
    WebhookEndpoint: _webhook_endpoints,
    WebhookDelivery: _webhook_deliveries,
}


def rule_for(principal: Principal, model: type[Any]) -> ColumnElement[bool]:
    """The SQL condition under which ``principal`` may see rows of ``model``."""
    try:
        rule = RULES[model]
    except KeyError:
        raise LookupError(f"no access rule for {model.__name__}: add one to portal.access.policy") from None
    return true() if principal.is_owner else rule(principal)
