"""The access policy: one SQL rule per entity. The only place tenancy filters are written.

Who sees what (owner staff see everything; the rules below are for external organizations, where
"its organizations" means the principal's organization and every organization below it):

======================  ==================================================================
customer                assigned to one of its organizations (suppliers: never)
contact                 of a visible customer
customer assignment     to one of its organizations
activity                on a visible customer, logged by its organizations or by the owner
order, order line       sold by (dealer) or routed to (supplier) one of its organizations; each
                        column is tested only against the organizations of its kind
                        (Principal.supplier_ids), so a dealer's rule is ``dealer_id IN ...`` alone
order version           of a visible order
shipment, its lines     of its own (supplier), or of an order it sold (dealer)
goods receipt, lines    of an order routed to it (supplier), or of an order it sold (dealer)
invoice, its lines      issued by one of its organizations (supplier invoices are between
                        supplier and owner; dealers do not see them)
invoice payment,        of a visible invoice; credit notes issued by one of its organizations
message, credit note    (all between supplier and owner)
case                    routed to or opened by one of its organizations
case comment/attachment on a visible case, and not internal
opportunity, its lines  sold by one of its organizations (``dealer_id``; the owner's own
                        opportunities, without a dealer, are the owner's alone)
deal registration       registered by one of its organizations (``dealer_id``); of another
                        dealer's, a registering dealer learns one yes/no at most
                        (``portal.access.disclosure``)
lead                    offered to, accepted or converted by one of its organizations (``dealer_id``,
                        while the status is one of those: a lead routed on leaves the dealer)
lead offer (history)    its organizations' own offers of a visible lead (not other dealers')
lead territory          its organizations' own (edited by owner admins)
campaign                that touches it: its segment holds a visible customer (``campaign_members``),
                        or it gave one of its organizations a visible lead (the budget and other
                        dealers' figures are not shown to it: the campaigns service decides that)
campaign member         of a visible customer (the segment's customers the organization sees)
segment                 the owner's alone (a saved filter may name other dealers)
product                 everyone (the owner's public catalogue)
organization            its organizations
user, API token         of its organizations
invitation              to one of its organizations
event                   caused by its organizations
exchange profile/record its organizations' own (the files they sent and received)
notification, its       the user's own, for every user (owner staff too: an inbox is personal);
preferences             an API token has none
prepared export         the user's own, for every user (owner staff too: the file holds what
                        that user saw); an API token has none
webhook endpoint,       its organizations' own (managing them: own organization only, see
delivery                permissions.can_manage_webhooks)
task                    its organizations' own, and, when it is on a customer, only while that
                        customer is visible (a task on a customer no longer shared goes with it)
calendar feed           the user's own, for every user (owner staff too); an API token has none
======================  ==================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, aliased

from portal.access.principal import Principal
from portal.models import (
    DEALER_LEAD_STATUSES,
    Activity,
    ApiToken,
    CalendarFeed,
    Campaign,
    CampaignMember,
    Case,
    CaseAttachment,
    CaseComment,
    Contact,
    CreditNote,
    Customer,
    CustomerAssignment,
    DealRegistration,
    Event,
    ExchangeLink,
    ExchangeProfile,
    ExchangeRecord,
    Export,
    GoodsReceipt,
    GoodsReceiptLine,
    Invitation,
    Invoice,
    InvoiceLine,
    InvoiceMessage,
    InvoicePayment,
    Lead,
    LeadOffer,
    Notification,
    NotificationPreference,
    Opportunity,
    OpportunityLine,
    Order,
    OrderLine,
    OrderVersion,
    Organization,
    OrgKind,
    Product,
    Segment,
    Shipment,
    ShipmentLine,
    Task,
    Territory,
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
    """The ids of the customers the principal sees, for the rules of what hangs on a customer:
    straight from the assignments (as `_customers`), without a pass over ``customers`` itself
    (PostgreSQL scanned all 50,000 customers at scale 100 to test the dealer's 14,000)."""
    if p.org_kind is OrgKind.SUPPLIER:
        return select(Customer.id).where(false())
    return select(CustomerAssignment.customer_id).where(CustomerAssignment.organization_id.in_(p.org_ids))


def _contacts(p: Principal) -> ColumnElement[bool]:
    return Contact.customer_id.in_(_visible_customer_ids(p))


def _assignments(p: Principal) -> ColumnElement[bool]:
    return CustomerAssignment.organization_id.in_(p.org_ids)


def _activities(p: Principal) -> ColumnElement[bool]:
    owners = select(Organization.id).where(Organization.kind == OrgKind.OWNER)
    return Activity.customer_id.in_(_visible_customer_ids(p)) & (
        Activity.organization_id.in_(p.org_ids) | Activity.organization_id.in_(owners)
    )


def _tasks(p: Principal) -> ColumnElement[bool]:
    return Task.organization_id.in_(p.org_ids) & (
        Task.customer_id.is_(None) | Task.customer_id.in_(_visible_customer_ids(p))
    )


def _any_of(*conditions: ColumnElement[bool] | None) -> ColumnElement[bool]:
    present = [c for c in conditions if c is not None]
    return or_(*present) if present else false()


def _orders(p: Principal) -> ColumnElement[bool]:
    # Only the column of the organization's kind: a dealer's orders by dealer_id, a supplier's by
    # supplier_id (an order is routed only to suppliers and sold only by others), so the planner
    # walks one (dealer_id, created_at, id) index instead of OR-ing two. A tree of mixed kinds tests both.
    return _any_of(
        Order.dealer_id.in_(p.buyer_ids) if p.buyer_ids else None,
        Order.supplier_id.in_(p.seller_ids) if p.seller_ids else None,
    )


def _order_lines(p: Principal) -> ColumnElement[bool]:
    return OrderLine.order_id.in_(select(Order.id).where(_orders(p)))


def _order_versions(p: Principal) -> ColumnElement[bool]:
    return OrderVersion.order_id.in_(select(Order.id).where(_orders(p)))


def _sold_by(p: Principal, order_id: ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """The order ``order_id`` was sold by one of the principal's organizations: a correlated EXISTS
    (under an OR, ``order_id IN (SELECT ...)`` makes PostgreSQL hash every order the dealer sold)."""
    sold = aliased(Order, name="sold")
    return select(sold.id).where(sold.id == order_id, sold.dealer_id.in_(p.buyer_ids)).exists()


def _shipments(p: Principal) -> ColumnElement[bool]:
    return _any_of(
        Shipment.supplier_id.in_(p.seller_ids) if p.seller_ids else None,
        _sold_by(p, Shipment.order_id) if p.buyer_ids else None,
    )


def _shipment_lines(p: Principal) -> ColumnElement[bool]:
    return ShipmentLine.shipment_id.in_(select(Shipment.id).where(_shipments(p)))


def _goods_receipts(p: Principal) -> ColumnElement[bool]:
    return _any_of(
        GoodsReceipt.supplier_id.in_(p.seller_ids) if p.seller_ids else None,
        _sold_by(p, GoodsReceipt.order_id) if p.buyer_ids else None,
    )


def _goods_receipt_lines(p: Principal) -> ColumnElement[bool]:
    return GoodsReceiptLine.receipt_id.in_(select(GoodsReceipt.id).where(_goods_receipts(p)))


def _invoices(p: Principal) -> ColumnElement[bool]:
    return Invoice.supplier_id.in_(p.seller_ids) if p.seller_ids else false()


def _invoice_lines(p: Principal) -> ColumnElement[bool]:
    return InvoiceLine.invoice_id.in_(select(Invoice.id).where(_invoices(p)))


def _invoice_payments(p: Principal) -> ColumnElement[bool]:
    return InvoicePayment.invoice_id.in_(select(Invoice.id).where(_invoices(p)))


def _invoice_messages(p: Principal) -> ColumnElement[bool]:
    return InvoiceMessage.invoice_id.in_(select(Invoice.id).where(_invoices(p)))


def _credit_notes(p: Principal) -> ColumnElement[bool]:
    return CreditNote.supplier_id.in_(p.seller_ids) if p.seller_ids else false()


def _cases(p: Principal) -> ColumnElement[bool]:
    return Case.routed_to_id.in_(p.org_ids) | Case.opened_by_org_id.in_(p.org_ids)


def _case_comments(p: Principal) -> ColumnElement[bool]:
    return CaseComment.case_id.in_(select(Case.id).where(_cases(p))) & CaseComment.internal.is_(False)


def _case_attachments(p: Principal) -> ColumnElement[bool]:
    return CaseAttachment.case_id.in_(select(Case.id).where(_cases(p))) & CaseAttachment.internal.is_(False)


def _opportunities(p: Principal) -> ColumnElement[bool]:
    # As an order's dealer column: only against the organizations that may sell.
    return Opportunity.dealer_id.in_(p.buyer_ids) if p.buyer_ids else false()


def _opportunity_lines(p: Principal) -> ColumnElement[bool]:
    return OpportunityLine.opportunity_id.in_(select(Opportunity.id).where(_opportunities(p)))


def _deal_registrations(p: Principal) -> ColumnElement[bool]:
    # As an opportunity's dealer column: only against the organizations that may sell.
    return DealRegistration.dealer_id.in_(p.buyer_ids) if p.buyer_ids else false()


def _leads(p: Principal) -> ColumnElement[bool]:
    if not p.buyer_ids:
        return false()
    return Lead.dealer_id.in_(p.buyer_ids) & Lead.status.in_(DEALER_LEAD_STATUSES)


def _lead_offers(p: Principal) -> ColumnElement[bool]:
    if not p.buyer_ids:
        return false()
    return LeadOffer.dealer_id.in_(p.buyer_ids) & LeadOffer.lead_id.in_(select(Lead.id).where(_leads(p)))


def _territories(p: Principal) -> ColumnElement[bool]:
    return Territory.organization_id.in_(p.org_ids)


def _campaigns(p: Principal) -> ColumnElement[bool]:
    member = aliased(CampaignMember, name="member")
    if p.org_kind is OrgKind.SUPPLIER:
        touches: ColumnElement[bool] = false()
    else:  # a join, not IN (...): PostgreSQL stops at the first shared member of each campaign
        shared = aliased(CustomerAssignment, name="shared")
        touches = (
            select(member.campaign_id)
            .join(shared, shared.customer_id == member.customer_id)
            .where(member.campaign_id == Campaign.id, shared.organization_id.in_(p.org_ids))
            .exists()
        )
    gave = Campaign.id.in_(select(Lead.campaign_id).where(_leads(p), Lead.campaign_id.is_not(None)))
    return touches | gave


def _campaign_members(p: Principal) -> ColumnElement[bool]:
    return CampaignMember.customer_id.in_(_visible_customer_ids(p))


def _nobody(_p: Principal) -> ColumnElement[bool]:
    return false()


def _everyone(_p: Principal) -> ColumnElement[bool]:
    return true()


def _organizations(p: Principal) -> ColumnElement[bool]:
    return Organization.id.in_(p.org_ids)


def _users(p: Principal) -> ColumnElement[bool]:
    return User.organization_id.in_(p.org_ids)


def _tokens(p: Principal) -> ColumnElement[bool]:
    return ApiToken.organization_id.in_(p.org_ids)


def _invitations(p: Principal) -> ColumnElement[bool]:
    return Invitation.organization_id.in_(p.org_ids)


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


def _own_notifications(p: Principal) -> ColumnElement[bool]:
    return false() if p.user_id is None else Notification.user_id == p.user_id


def _own_exports(p: Principal) -> ColumnElement[bool]:
    return false() if p.user_id is None else Export.user_id == p.user_id


def _own_calendar_feed(p: Principal) -> ColumnElement[bool]:
    return false() if p.user_id is None else CalendarFeed.user_id == p.user_id


def _own_preferences(p: Principal) -> ColumnElement[bool]:
    return false() if p.user_id is None else NotificationPreference.user_id == p.user_id


# Rows that belong to one user: the rule holds for owner staff as well.
PERSONAL: dict[type[Any], Rule] = {
    Notification: _own_notifications,
    Export: _own_exports,
    NotificationPreference: _own_preferences,
    CalendarFeed: _own_calendar_feed,
}

RULES: dict[type[Any], Rule] = {
    Customer: _customers,
    Contact: _contacts,
    CustomerAssignment: _assignments,
    Activity: _activities,
    Task: _tasks,
    Order: _orders,
    OrderLine: _order_lines,
    OrderVersion: _order_versions,
    Shipment: _shipments,
    ShipmentLine: _shipment_lines,
    GoodsReceipt: _goods_receipts,
    GoodsReceiptLine: _goods_receipt_lines,
    Invoice: _invoices,
    InvoiceLine: _invoice_lines,
    InvoicePayment: _invoice_payments,
    InvoiceMessage: _invoice_messages,
    CreditNote: _credit_notes,
    Case: _cases,
    CaseComment: _case_comments,
    CaseAttachment: _case_attachments,
    Opportunity: _opportunities,
    OpportunityLine: _opportunity_lines,
    DealRegistration: _deal_registrations,
    Lead: _leads,
    LeadOffer: _lead_offers,
    Territory: _territories,
    Campaign: _campaigns,
    CampaignMember: _campaign_members,
    Segment: _nobody,
    Product: _everyone,
    Organization: _organizations,
    User: _users,
    ApiToken: _tokens,
    Invitation: _invitations,
    Event: _events,
    ExchangeProfile: _exchange_profiles,
    ExchangeRecord: _exchange_records,
    ExchangeLink: _exchange_links,
    WebhookEndpoint: _webhook_endpoints,
    WebhookDelivery: _webhook_deliveries,
    **PERSONAL,
}


def rule_for(principal: Principal, model: type[Any]) -> ColumnElement[bool]:
    """The SQL condition under which ``principal`` may see rows of ``model``."""
    try:
        rule = RULES[model]
    except KeyError:
        raise LookupError(f"no access rule for {model.__name__}: add one to portal.access.policy") from None
    return true() if principal.is_owner and model not in PERSONAL else rule(principal)
