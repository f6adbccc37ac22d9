"""SQLAlchemy models, one module per aggregate. Importing this package registers every table."""

from portal.models.activities import Activity, ActivityKind
from portal.models.base import Base
from portal.models.cases import SLA, Case, CaseAttachment, CaseCategory, CaseComment, CasePriority, CaseStatus
from portal.models.catalog import Product
from portal.models.customers import Contact, Customer, CustomerAssignment
from portal.models.events import Counter, Event
from portal.models.exchange import (
    Direction,
    ExchangeLink,
    ExchangeProfile,
    ExchangeRecord,
    RecordState,
    exchange_contents,
)
from portal.models.fulfilment import Invoice, InvoiceLine, MatchStatus, Shipment, ShipmentLine
from portal.models.logins import LoginFailure, RevokedSession
from portal.models.orders import LineResponse, Order, OrderLine, OrderStatus, derive_status
from portal.models.organizations import EXTERNAL_ROLES, OWNER_ROLES, ApiToken, Organization, OrgKind, User
from portal.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint

__all__ = [
    "EXTERNAL_ROLES",
    "OWNER_ROLES",
    "SLA",
    "Activity",
    "ActivityKind",
    "ApiToken",
    "Base",
    "Case",
    "CaseAttachment",
    "CaseCategory",
    "CaseComment",
    "CasePriority",
    "CaseStatus",
    "Contact",
    "Counter",
    "Customer",
    "CustomerAssignment",
    "DeliveryStatus",
    "Direction",
    "Event",
    "ExchangeLink",
    "ExchangeProfile",
    "ExchangeRecord",
    "Invoice",
    "InvoiceLine",
    "LineResponse",
    "LoginFailure",
    "MatchStatus",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OrgKind",
    "Organization",
    "Product",
    "RecordState",
    "RevokedSession",
    "Shipment",
    "ShipmentLine",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "derive_status",
    "exchange_contents",
]
