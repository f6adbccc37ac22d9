"""The one catalogue of the portal's entities.

Each entry says, once, how an entity is named everywhere: in events, the change feed and exchange
links (``name``), in global ids and GraphQL (``type_name``), to people (``label``, ``plural``:
English, translated by the web's catalog), which of its fields the change feed carries and which of
those name an organization, and how long its lists of children may be (the GraphQL cost table).
The change feed, ``node(id:)``, global ids of events and links, the cost limit and the web's list
titles are derived from it (``tests/portal/test_entities.py`` checks that they are).

The access policy is not here: who may see an entity is ``portal.access.policy``'s one question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from portal.models import (
    Activity,
    ApiToken,
    Campaign,
    Case,
    Contact,
    Customer,
    DealRegistration,
    ExchangeProfile,
    ExchangeRecord,
    GoodsReceipt,
    Invitation,
    Invoice,
    Lead,
    Notification,
    Opportunity,
    OpportunityLine,
    Order,
    OrderLine,
    Organization,
    Product,
    Segment,
    Shipment,
    Task,
    User,
)
from portal.orders.limits import MAX_DELIVERIES, MAX_LINES_PER_ORDER, MAX_VERSIONS_PER_ORDER


def N_(message: str) -> str:  # noqa: N802 - the gettext marker (portal.web.catalog extracts this file)
    return message


@dataclass(frozen=True, slots=True)
class Entity:
    name: str  # in events, the change feed and exchange links: "order", "exchange_record"
    model: type[Any]
    type_name: str  # in global ids and GraphQL: "Order", "ExchangeRecord"
    label: str
    plural: str
    # The fields of the entity's state in the change feed; None: not in the feed. An allow-list:
    # a new column reaches sync clients only when it is named here.
    feed: tuple[str, ...] | None = None
    organization_refs: tuple[str, ...] = ()  # feed fields holding an organization id
    children: dict[str, int] = field(default_factory=dict)  # GraphQL list field -> most items


ENTITIES: tuple[Entity, ...] = (
    Entity(
        "order",
        Order,
        "Order",
        N_("Order"),
        N_("Orders"),
        feed=(
            "number",
            "customer_reference",
            "order_date",
            "requested_date",
            "currency",
            "dealer_id",
            "supplier_id",
            "cancelled_at",
            "updated_at",
            "version",
        ),
        organization_refs=("dealer_id", "supplier_id"),
        children={"lines": MAX_LINES_PER_ORDER, "versions": MAX_VERSIONS_PER_ORDER},
    ),
    Entity("order_line", OrderLine, "OrderLine", N_("Order line"), N_("Order lines")),
    Entity(
        "shipment",
        Shipment,
        "Shipment",
        N_("Shipment"),
        N_("Shipments"),
        feed=(
            "number",
            "order_id",
            "shipped_on",
            "expected_delivery",
            "carrier",
            "tracking_number",
            "packages",
        ),
        children={"lines": MAX_LINES_PER_ORDER},
    ),
    Entity(
        "invoice",
        Invoice,
        "Invoice",
        N_("Invoice"),
        N_("Invoices"),
        feed=(
            "number",
            "order_id",
            "issue_date",
            "due_date",
            "currency",
            "gross_total",
            "match_status",
            "status",
            "amount_owed",
            "payment_scheduled_on",
        ),
        children={"lines": MAX_LINES_PER_ORDER},
    ),
    Entity(
        "case",
        Case,
        "Case",
        N_("Case"),
        N_("Cases"),
        feed=(
            "number",
            "subject",
            "status",
            "priority",
            "category",
            "sla_due_at",
            "routed_to_id",
            "updated_at",
            "version",
        ),
        organization_refs=("routed_to_id",),
    ),
    Entity(
        "customer",
        Customer,
        "Customer",
        N_("Customer"),
        N_("Customers"),
        feed=(
            "number",
            "name",
            "street",
            "postal_code",
            "city",
            "country_code",
            "email",
            "phone",
            "vat_id",
            "gln",
            "updated_at",
            "version",
        ),
    ),
    Entity(
        "contact",
        Contact,
        "Contact",
        N_("Contact"),
        N_("Contacts"),
        feed=(
            "customer_id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "position",
            "email_consent",
            "email_consent_at",
            "email_consent_source",
            "phone_consent",
            "phone_consent_at",
            "phone_consent_source",
            "erased_at",
            "version",
        ),
    ),
    Entity(
        "activity",
        Activity,
        "Activity",
        N_("Activity"),
        N_("Activities"),
        feed=(
            "customer_id",
            "contact_id",
            "kind",
            "subject",
            "occurred_at",
            "starts_at",
            "ends_at",
            "due_at",
        ),
    ),
    Entity(
        "task",
        Task,
        "Task",
        N_("Task"),
        N_("Tasks"),
        feed=(
            "subject",
            "notes",
            "due_on",
            "done_at",
            "assignee_id",
            "customer_id",
            "organization_id",
            "updated_at",
        ),
        organization_refs=("organization_id",),
    ),
    Entity(
        "opportunity",
        Opportunity,
        "Opportunity",
        N_("Opportunity"),
        N_("Opportunities"),
        feed=(
            "number",
            "name",
            "customer_id",
            "dealer_id",
            "stage",
            "amount",
            "currency",
            "probability",
            "expected_close",
            "lost_reason",
            "order_id",
            "updated_at",
            "version",
        ),
        organization_refs=("dealer_id",),
        children={"lines": MAX_LINES_PER_ORDER},
    ),
    Entity(
        "opportunity_line",
        OpportunityLine,
        "OpportunityLine",
        N_("Opportunity line"),
        N_("Opportunity lines"),
    ),
    Entity(
        "deal_registration",
        DealRegistration,
        "DealRegistration",
        N_("Deal registration"),
        N_("Deal registrations"),
        feed=(
            "number",
            "dealer_id",
            "prospect_name",
            "vat_id",
            "street",
            "postal_code",
            "city",
            "country_code",
            "amount",
            "currency",
            "expected_close",
            "status",
            "reason",
            "protected_until",
            "customer_id",
            "opportunity_id",
            "updated_at",
            "version",
        ),
        organization_refs=("dealer_id",),
    ),
    Entity(
        "lead",
        Lead,
        "Lead",
        N_("Lead"),
        N_("Leads"),
        feed=(
            "number",
            "company",
            "contact_name",
            "email",
            "phone",
            "street",
            "postal_code",
            "city",
            "country_code",
            "region",
            "source",
            "campaign_id",
            "status",
            "dealer_id",
            "answer_due_at",
            "customer_id",
            "opportunity_id",
            "updated_at",
            "version",
        ),
        organization_refs=("dealer_id",),
    ),
    # The budget is not in the feed: dealers who see a campaign do not see its budget.
    Entity(
        "campaign",
        Campaign,
        "Campaign",
        N_("Campaign"),
        N_("Campaigns"),
        feed=(
            "name",
            "starts_on",
            "ends_on",
            "channel",
            "description",
            "created_at",
            "updated_at",
            "version",
        ),
    ),
    Entity("segment", Segment, "Segment", N_("Segment"), N_("Segments")),
    Entity(
        "organization",
        Organization,
        "Organization",
        N_("Organization"),
        N_("Organizations"),
        feed=("slug", "name", "kind", "parent_id"),
        organization_refs=("parent_id",),
    ),
    Entity(
        "goods_receipt",
        GoodsReceipt,
        "GoodsReceipt",
        N_("Goods receipt"),
        N_("Goods receipts"),
        feed=(
            "order_id",
            "shipment_id",
            "supplier_id",
            "received_by_org_id",
            "received_on",
            "note",
            "has_discrepancy",
            "over_received",
            "created_at",
        ),
        organization_refs=("supplier_id", "received_by_org_id"),
        children={"lines": MAX_LINES_PER_ORDER},
    ),
    Entity("product", Product, "Product", N_("Product"), N_("Products")),
    Entity("user", User, "User", N_("User"), N_("Users")),
    Entity("api_token", ApiToken, "ApiToken", N_("API token"), N_("API tokens")),
    Entity("invitation", Invitation, "Invitation", N_("Invitation"), N_("Invitations")),
    Entity("exchange_record", ExchangeRecord, "ExchangeRecord", N_("EDI message"), N_("EDI messages")),
    Entity(
        "exchange_profile",
        ExchangeProfile,
        "ExchangeProfile",
        N_("Exchange profile"),
        N_("Exchange profiles"),
    ),
    # A user's own inbox entry (portal.notify): not in the change feed.
    Entity("notification", Notification, "Notification", N_("Notification"), N_("Notifications")),
)

BY_NAME: MappingProxyType[str, Entity] = MappingProxyType({e.name: e for e in ENTITIES})
BY_TYPE_NAME: MappingProxyType[str, Entity] = MappingProxyType({e.type_name: e for e in ENTITIES})
FEED: MappingProxyType[str, Entity] = MappingProxyType({e.name: e for e in ENTITIES if e.feed is not None})
# Lists of object types that are not entities of their own (no global id), and their bounds.
NESTED_CAPS: dict[tuple[str, str], int] = {
    ("OrderVersion", "lines"): MAX_LINES_PER_ORDER,
    ("OrderVersion", "changes"): MAX_LINES_PER_ORDER,
    ("OrderLine", "schedule"): MAX_DELIVERIES,
    ("OrderLine", "proposedSchedule"): MAX_DELIVERIES,
}
# The GraphQL cost table: (type, list field) -> the most items the list can hold.
LIST_CAPS: MappingProxyType[tuple[str, str], int] = MappingProxyType(
    {(e.type_name, child): cap for e in ENTITIES for child, cap in e.children.items()} | NESTED_CAPS
)


def type_name(entity: str) -> str:
    """The global id prefix of an entity name ("order" -> "Order"); an unknown name is kept."""
    found = BY_NAME.get(entity)
    return found.type_name if found is not None else entity


__all__ = ["BY_NAME", "BY_TYPE_NAME", "ENTITIES", "FEED", "LIST_CAPS", "Entity", "type_name"]
