"""Per-request batch loaders: every relation of a page is fetched with one scoped read per relation
(``portal.access.queries.rows_by_id`` / ``rows_by_parent``: Core rows), whatever the page size.
Rows become plain strawberry objects (no ORM identity map).

They are DataLoaders without the event loop: strawberry's ``DataLoader`` batches the keys that are
awaited in the same tick, which costs a coroutine, a future and a loop turn per field (about 300 per
page of 50 orders, a third of the request's CPU). Here every object remembers the batch it was
loaded with (its *siblings*); the first time a relation is asked of one of them, it is loaded for
all of them in one query and cached for the request. Same guarantee (a constant number of
statements per page), synchronous resolvers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from portal import models as m
from portal.access import Principal
from portal.access.queries import rows_by_id, rows_by_parent
from portal.campaigns.queries import Results, results_for
from portal.gql.base import Built
from portal.gql.campaigns.types import Campaign, Segment
from portal.gql.cases.types import CaseComment
from portal.gql.customers.types import Contact, Customer, CustomerAssignment
from portal.gql.leads.types import LeadOffer
from portal.gql.opportunities.types import Opportunity, OpportunityLine
from portal.gql.orders.types import (
    CreditNote,
    GoodsReceipt,
    GoodsReceiptLine,
    Invoice,
    InvoiceLine,
    InvoiceMessage,
    InvoicePayment,
    Order,
    OrderLine,
    OrderVersion,
    Shipment,
    ShipmentLine,
)
from portal.gql.partners.types import Organization
from portal.gql.partners.users import User
from portal.partners.queries import users_by_ids
from portal.records import Record

B = TypeVar("B", bound=Built)
V = TypeVar("V")


def build_all(build: type[B], model: type[Any], rows: Iterable[Record]) -> list[B]:
    """Objects of one batch from rows of every column of ``model``'s table; each knows its
    siblings, so relations load for the whole batch at once. The object types declare every column
    of their table (``pk`` for ``id``), so a row fills the instance directly: at 500 rows a page,
    the dataclass ``__init__`` with keyword arguments would be a tenth of the request. Columns past
    the table's (a list's sort key) are left out."""
    keys = _keys(model)
    width = len(keys)
    new = object.__new__
    objs: list[B] = []
    for row in rows:
        obj = new(build)
        obj.__dict__.update(zip(keys, row[:width], strict=True))
        objs.append(obj)
    for obj in objs:
        obj._siblings = objs
    return objs


_KEYS: dict[type[Any], tuple[str, ...]] = {}


def _keys(model: type[Any]) -> tuple[str, ...]:
    keys = _KEYS.get(model)
    if keys is None:
        keys = _KEYS[model] = tuple("pk" if c.key == "id" else c.key for c in model.__table__.columns)
    return keys


class BatchLoader(Generic[V]):
    """Keyed by an integer id; the first ``load`` of a key fetches it with every key of its group."""

    def __init__(self, fetch: Callable[[list[int]], dict[int, V]], default: Callable[[], V]) -> None:
        self._fetch = fetch
        self._default = default
        self._cache: dict[int, V] = {}

    def load(self, key: int, group: Iterable[int | None] = ()) -> V:
        cache = self._cache
        if key not in cache:
            wanted = {k for k in group if k is not None and k not in cache}
            wanted.add(key)
            keys = sorted(wanted)
            found = self._fetch(keys)
            for k in keys:
                cache[k] = found[k] if k in found else self._default()
        return cache[key]


class Loaders:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.organization = self._by_id(m.Organization, Organization)
        self.customer = self._by_id(m.Customer, Customer)
        self.contact = self._by_id(m.Contact, Contact)
        self.order = self._by_id(m.Order, Order)
        self.opportunity = self._by_id(m.Opportunity, Opportunity)
        self.lines_by_order = self._by_parent(m.OrderLine, OrderLine, "order_id", "line_no")
        self.versions_by_order = self._by_parent(m.OrderVersion, OrderVersion, "order_id", "number")
        self.shipments_by_order = self._by_parent(m.Shipment, Shipment, "order_id")
        self.invoices_by_order = self._by_parent(m.Invoice, Invoice, "order_id")
        self.shipment = self._by_id(m.Shipment, Shipment)
        self.receipts_by_order = self._by_parent(m.GoodsReceipt, GoodsReceipt, "order_id")
        self.receipts_by_shipment = self._by_parent(m.GoodsReceipt, GoodsReceipt, "shipment_id")
        self.receipt_lines = self._by_parent(m.GoodsReceiptLine, GoodsReceiptLine, "receipt_id")
        self.shipment_lines = self._by_parent(m.ShipmentLine, ShipmentLine, "shipment_id")
        self.invoice_lines = self._by_parent(m.InvoiceLine, InvoiceLine, "invoice_id")
        self.invoice_payments = self._by_parent(m.InvoicePayment, InvoicePayment, "invoice_id")
        self.invoice_messages = self._by_parent(m.InvoiceMessage, InvoiceMessage, "invoice_id")
        self.credit_notes = self._by_parent(m.CreditNote, CreditNote, "invoice_id")
        self.contacts_by_customer = self._by_parent(m.Contact, Contact, "customer_id")
        self.assignments_by_customer = self._by_parent(
            m.CustomerAssignment, CustomerAssignment, "customer_id"
        )
        self.comments_by_case = self._by_parent(m.CaseComment, CaseComment, "case_id")
        self.lines_by_opportunity = self._by_parent(
            m.OpportunityLine, OpportunityLine, "opportunity_id", "line_no"
        )
        self.opportunity = self._by_id(m.Opportunity, Opportunity)
        self.campaign = self._by_id(m.Campaign, Campaign)
        self.segment = self._by_id(m.Segment, Segment)
        self.campaign_results: BatchLoader[Results | None] = BatchLoader(self._campaign_results, lambda: None)
        self.offers_by_lead = self._by_parent(m.LeadOffer, LeadOffer, "lead_id")
        self.user: BatchLoader[User | None] = BatchLoader(self._users, lambda: None)

    def _campaign_results(self, ids: list[int]) -> dict[int, Results | None]:
        campaigns = rows_by_id(self.session, self.principal, m.Campaign, ids)
        return dict(results_for(self.session, self.principal, campaigns))

    def _users(self, ids: list[int]) -> dict[int, User | None]:
        """Visible users (of the principal's organizations; owner staff: all), as the API shows them."""
        return {ident: User.of(row) for ident, row in users_by_ids(self.session, self.principal, ids).items()}

    def by_ids(self, model: type[Any], build: type[B], ids: Iterable[int]) -> list[B]:
        return build_all(build, model, rows_by_id(self.session, self.principal, model, ids))

    def _by_id(self, model: type[Any], build: type[B]) -> BatchLoader[B | None]:
        def fetch(ids: list[int]) -> dict[int, B | None]:
            return {obj.pk: obj for obj in self.by_ids(model, build, ids)}

        return BatchLoader(fetch, lambda: None)

    def _by_parent(
        self, model: type[Any], build: type[B], parent: str, order_by: str = "id"
    ) -> BatchLoader[list[B]]:
        def fetch(ids: list[int]) -> dict[int, list[B]]:
            rows = rows_by_parent(self.session, self.principal, model, parent, ids, order_by=order_by)
            groups: dict[int, list[B]] = defaultdict(list)
            for obj in build_all(build, model, rows):
                groups[getattr(obj, parent)].append(obj)
            return groups

        return BatchLoader(fetch, list)
