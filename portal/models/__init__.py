"""SQLAlchemy models, one module per aggregate. Importing this package registers every table."""

from portal.models.activities import Activity, ActivityKind
from portal.models.base import Base
from portal.models.campaigns import (
    Campaign,
    CampaignChannel,
    CampaignMember,
    CampaignStatus,
    Segment,
    campaign_status,
)
from portal.models.case_tallies import CaseTally
from portal.models.cases import SLA, Case, CaseAttachment, CaseCategory, CaseComment, CasePriority, CaseStatus
from portal.models.catalog import Product
from portal.models.customers import Contact, Customer, CustomerAssignment
from portal.models.deals import DealRegistration, DealStatus
from portal.models.events import Counter, Event
from portal.models.exchange import (
    Direction,
    ExchangeLink,
    ExchangeProfile,
    ExchangeRecord,
    RecordState,
    exchange_contents,
)
from portal.models.exports import Export, ExportStatus, export_contents
from portal.models.fulfilment import (
    OPEN_INVOICE_STATUSES,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    MatchStatus,
    Shipment,
    ShipmentLine,
)
from portal.models.invoicing import CreditNote, InvoiceMessage, InvoicePayment, MessageKind
from portal.models.leads import (
    DEALER_LEAD_STATUSES,
    OPEN_LEAD_STATUSES,
    QUEUED_LEAD_STATUSES,
    Lead,
    LeadOffer,
    LeadStatus,
    OfferOutcome,
    Territory,
)
from portal.models.logins import LoginFailure, RevokedSession
from portal.models.mail import Invitation, MailMessage, MailStatus, PasswordReset
from portal.models.notifications import Notification, NotificationPreference
from portal.models.opportunities import (
    CLOSED_STAGES,
    DEFAULT_PROBABILITY,
    OPEN_STAGES,
    Opportunity,
    OpportunityLine,
    OpportunityStage,
)
from portal.models.opportunity_tallies import OpportunityTally
from portal.models.order_versions import LineChangeKind, OrderVersion, VersionKind
from portal.models.orders import LineResponse, Order, OrderLine, OrderStatus, ReviewOutcome, derive_status
from portal.models.organizations import EXTERNAL_ROLES, OWNER_ROLES, ApiToken, Organization, OrgKind, User
from portal.models.receiving import GoodsReceipt, GoodsReceiptLine, ReceiptReason
from portal.models.search import SEARCHED  # registers the search objects with create_all
from portal.models.tallies import DayTally, OrderTally
from portal.models.tasks import CalendarFeed, Task
from portal.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint

__all__ = [
    "CLOSED_STAGES",
    "DEALER_LEAD_STATUSES",
    "DEFAULT_PROBABILITY",
    "EXTERNAL_ROLES",
    "OPEN_INVOICE_STATUSES",
    "OPEN_LEAD_STATUSES",
    "OPEN_STAGES",
    "OWNER_ROLES",
    "QUEUED_LEAD_STATUSES",
    "SEARCHED",
    "SLA",
    "Activity",
    "ActivityKind",
    "ApiToken",
    "Base",
    "CalendarFeed",
    "Campaign",
    "CampaignChannel",
    "CampaignMember",
    "CampaignStatus",
    "Case",
    "CaseAttachment",
    "CaseCategory",
    "CaseComment",
    "CasePriority",
    "CaseStatus",
    "CaseTally",
    "Contact",
    "Counter",
    "CreditNote",
    "Customer",
    "CustomerAssignment",
    "DayTally",
    "DealRegistration",
    "DealStatus",
    "DeliveryStatus",
    "Direction",
    "Event",
    "ExchangeLink",
    "ExchangeProfile",
    "ExchangeRecord",
    "Export",
    "ExportStatus",
    "GoodsReceipt",
    "GoodsReceiptLine",
    "Invitation",
    "Invoice",
    "InvoiceLine",
    "InvoiceMessage",
    "InvoicePayment",
    "InvoiceStatus",
    "Lead",
    "LeadOffer",
    "LeadStatus",
    "LineChangeKind",
    "LineResponse",
    "LoginFailure",
    "MailMessage",
    "MailStatus",
    "MatchStatus",
    "MessageKind",
    "Notification",
    "NotificationPreference",
    "OfferOutcome",
    "Opportunity",
    "OpportunityLine",
    "OpportunityStage",
    "OpportunityTally",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OrderTally",
    "OrderVersion",
    "OrgKind",
    "Organization",
    "PasswordReset",
    "Product",
    "ReceiptReason",
    "RecordState",
    "ReviewOutcome",
    "RevokedSession",
    "Segment",
    "Shipment",
    "ShipmentLine",
    "Task",
    "Territory",
    "User",
    "VersionKind",
    "WebhookDelivery",
    "WebhookEndpoint",
    "campaign_status",
    "derive_status",
    "exchange_contents",
    "export_contents",
]
