"""Random worlds for the tenant-isolation suite, and an independent model of who may see what.

The model below is written from the product rules, in plain Python over the generated spec, without
looking at ``portal.access.policy``: if the two disagree, one of them is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st
from sqlalchemy.orm import Session

from portal.access import RULES
from portal.models import (
    Activity,
    ActivityKind,
    ApiToken,
    CalendarFeed,
    Campaign,
    CampaignMember,
    Case,
    CaseAttachment,
    CaseComment,
    CasePriority,
    Contact,
    CreditNote,
    Customer,
    CustomerAssignment,
    DealRegistration,
    Direction,
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
    LeadStatus,
    LineResponse,
    MatchStatus,
    MessageKind,
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
    RecordState,
    Segment,
    Shipment,
    ShipmentLine,
    Task,
    Territory,
    User,
    VersionKind,
    WebhookDelivery,
    WebhookEndpoint,
)

EXTERNAL_KINDS = (OrgKind.DEALER, OrgKind.PARTNER, OrgKind.SUPPLIER)


@dataclass(frozen=True)
class OrderSpec:
    customer: int
    dealer: int | None
    supplier: int | None
    shipped: bool
    invoiced: bool


@dataclass(frozen=True)
class CaseSpec:
    opened_by: int
    routed_to: int | None
    customer: int | None
    comments: tuple[tuple[int, bool], ...]  # (author org, internal)
    attachment_internal: bool | None


@dataclass(frozen=True)
class WorldSpec:
    kinds: tuple[OrgKind, ...]  # index 0 is the owner
    parents: tuple[int | None, ...]
    customers: int
    assignments: frozenset[tuple[int, int]]  # (customer, org)
    orders: tuple[OrderSpec, ...]
    cases: tuple[CaseSpec, ...]
    activities: tuple[tuple[int, int], ...]  # (customer, org)
    events: tuple[int, ...]  # actor org
    tasks: tuple[tuple[int, int | None], ...] = ()  # (org, customer or None), assigned to the org's user
    opportunities: tuple[tuple[int, int | None], ...] = ()  # (customer, selling dealer or None)
    deals: tuple[int, ...] = ()  # the registering dealer or partner of each deal registration
    # (status, current dealer or None, campaign or None, dealers it was offered to before)
    leads: tuple[tuple[LeadStatus, int | None, int | None, tuple[int, ...]], ...] = ()
    territories: tuple[int, ...] = ()  # sellers with a territory
    campaigns: int = 0
    campaign_members: frozenset[tuple[int, int]] = frozenset()  # (campaign, customer) of its segment
    segments: int = 0


@st.composite
def worlds(draw: st.DrawFn, mixed_trees: bool = False) -> WorldSpec:
    n_ext = draw(st.integers(2, 5))
    kinds = (OrgKind.OWNER, *draw(st.lists(st.sampled_from(EXTERNAL_KINDS), min_size=n_ext, max_size=n_ext)))
    parents: list[int | None] = [None]
    for i in range(1, len(kinds)):
        # mixed_trees: the service lets an organization sit below one of any kind (a dealer group
        # with a supplier branch); the kind-specific order rules must hold for such trees too.
        below = [j for j in range(1, i) if mixed_trees or kinds[j] is kinds[i]]
        parents.append(draw(st.sampled_from([None, *below])))
    orgs = range(len(kinds))
    sellers = [i for i in orgs if kinds[i] in (OrgKind.DEALER, OrgKind.PARTNER)]
    suppliers = [i for i in orgs if kinds[i] is OrgKind.SUPPLIER]
    n_customers = draw(st.integers(1, 4))
    pairs = [(c, o) for c in range(n_customers) for o in sellers]
    assignments = frozenset(draw(st.lists(st.sampled_from(pairs), max_size=6)) if pairs else [])
    order_specs = tuple(
        draw(
            st.lists(
                st.builds(
                    OrderSpec,
                    customer=st.integers(0, n_customers - 1),
                    dealer=st.sampled_from([None, *sellers]),
                    supplier=st.sampled_from([None, *suppliers]),
                    shipped=st.booleans(),
                    invoiced=st.booleans(),
                ),
                max_size=5,
            )
        )
    )
    case_specs = tuple(
        draw(
            st.lists(
                st.builds(
                    CaseSpec,
                    opened_by=st.sampled_from(list(orgs)),
                    routed_to=st.sampled_from([None, *range(1, len(kinds))]),
                    customer=st.sampled_from([None, *range(n_customers)]),
                    comments=st.lists(st.tuples(st.sampled_from(list(orgs)), st.booleans()), max_size=3).map(
                        tuple
                    ),
                    attachment_internal=st.sampled_from([None, True, False]),
                ),
                max_size=4,
            )
        )
    )
    activity_orgs = [0, *sellers]
    activities = tuple(
        draw(st.lists(st.tuples(st.integers(0, n_customers - 1), st.sampled_from(activity_orgs)), max_size=5))
    )
    events = tuple(draw(st.lists(st.sampled_from(list(orgs)), max_size=4)))
    # Tasks of any organization (suppliers have no customers: theirs have none), some on a customer.
    task_specs = tuple(
        draw(
            st.lists(
                st.sampled_from(list(orgs)).flatmap(
                    lambda o: st.tuples(
                        st.just(o),
                        st.just(None)
                        if kinds[o] is OrgKind.SUPPLIER
                        else st.sampled_from([None, *range(n_customers)]),
                    )
                ),
                max_size=5,
            )
        )
    )
    opportunities = tuple(
        draw(
            st.lists(
                st.tuples(st.integers(0, n_customers - 1), st.sampled_from([None, *sellers])), max_size=4
            )
        )
    )
    deal_specs = tuple(draw(st.lists(st.sampled_from(sellers), max_size=4))) if sellers else ()
    campaigns = draw(st.integers(0, 2))
    with_dealer = (LeadStatus.OFFERED, LeadStatus.ACCEPTED, LeadStatus.CONVERTED)
    lead_specs = tuple(
        draw(
            st.lists(
                st.tuples(
                    st.sampled_from(list(LeadStatus)),
                    st.sampled_from([None, *sellers]),
                    st.sampled_from([None, *range(campaigns)]),
                    st.lists(st.sampled_from(sellers), max_size=2, unique=True).map(tuple)
                    if sellers
                    else st.just(()),
                ).map(lambda t: (t[0], t[1] if t[0] in with_dealer else None, t[2], t[3])),
                max_size=5,
            )
        )
    )
    territories = tuple(draw(st.lists(st.sampled_from(sellers), unique=True, max_size=3))) if sellers else ()
    members = (
        frozenset(
            draw(
                st.sets(st.tuples(st.integers(0, campaigns - 1), st.integers(0, n_customers - 1)), max_size=4)
            )
        )
        if campaigns
        else frozenset()
    )
    return WorldSpec(
        kinds,
        tuple(parents),
        n_customers,
        assignments,
        order_specs,
        case_specs,
        activities,
        events,
        task_specs,
        opportunities,
        deal_specs,
        lead_specs,
        territories,
        campaigns,
        members,
        draw(st.integers(0, 2)),
    )


@dataclass
class Built:
    """Database ids per spec index, for each entity."""

    org: list[int]
    ids: dict[type, dict[int, int]]  # model -> spec key -> database id  (spec key: position in build order)
    owner_of: dict[type, dict[int, object]]  # model -> database id -> spec record


NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def build(session: Session, spec: WorldSpec) -> dict[type, dict[int, tuple[object, ...]]]:
    """Insert the world; return, per model, database id -> the facts the model needs."""
    facts: dict[type, dict[int, tuple[object, ...]]] = {}

    def add(model: type, obj: object, *fact: object) -> int:
        session.add(obj)
        session.flush()
        ident: int = obj.id  # type: ignore[attr-defined]
        facts.setdefault(model, {})[ident] = fact
        return ident

    org_ids: list[int] = []
    user_ids: list[int] = []
    for i, kind in enumerate(spec.kinds):
        parent = spec.parents[i]
        org_ids.append(
            add(
                Organization,
                Organization(
                    slug=f"org-{i}",
                    name=f"Org {i}",
                    kind=kind,
                    parent_id=org_ids[parent] if parent is not None else None,
                ),
                i,
            )
        )
        uid = add(
            User,
            User(
                organization_id=org_ids[i],
                email=f"u{i}@example.com",
                name=f"U{i}",
                password_hash="x",
                roles="admin",
            ),
            i,
        )
        # A user's own inbox entry and preference: nobody else's, not even the owner's staff.
        add(Notification, Notification(user_id=uid, kind="order_routed", entity="order", entity_id=1), uid)
        add(NotificationPreference, NotificationPreference(user_id=uid, kind="order_routed"), uid)
        add(Export, Export(user_id=uid, list_name="orders", dialect="comma", locale="en"), uid)
        add(CalendarFeed, CalendarFeed(user_id=uid, token_hash=f"{uid:064d}"), uid)
        user_ids.append(uid)
        add(
            ApiToken,
            ApiToken(
                organization_id=org_ids[i], name=f"t{i}", prefix="ptk", token_hash=f"{i:064d}", roles="admin"
            ),
            i,
        )
        add(
            Invitation,
            Invitation(
                organization_id=org_ids[i],
                email=f"new{i}@example.com",
                name=f"N{i}",
                roles="admin",
                token_hash=f"{i:064d}",
                expires_at=datetime(2030, 1, 1, tzinfo=UTC),
            ),
            i,
        )
    product = Product(sku="SKU-1", name="Thing", price=Decimal(1))
    add(Product, product)
    customers = [add(Customer, Customer(number=f"K{c}", name=f"Cust {c}"), c) for c in range(spec.customers)]
    for c, cid in enumerate(customers):
        add(Contact, Contact(customer_id=cid, first_name="A", last_name=f"Bee{c}"), c)
    for c, o in sorted(spec.assignments):
        add(CustomerAssignment, CustomerAssignment(customer_id=customers[c], organization_id=org_ids[o]), o)
    for n, o in enumerate(spec.orders):
        order = Order(
            number=f"SO-{n}",
            customer_id=customers[o.customer],
            dealer_id=org_ids[o.dealer] if o.dealer is not None else None,
            supplier_id=org_ids[o.supplier] if o.supplier is not None else None,
            created_by_org_id=org_ids[0],
            order_date=date(2026, 1, 5),
            delivery_name="D",
        )
        oid = add(Order, order, o.dealer, o.supplier)
        line = OrderLine(
            order_id=oid, line_no=1, description="x", unit_price=Decimal(1), quantity_ordered=Decimal(2)
        )
        if o.supplier is not None and not o.shipped and n % 2 == 0:
            # a supplier's change awaiting the buyer's review (issue #17): the review inbox's rows
            line.proposed_response, line.proposed_quantity = LineResponse.CHANGED, Decimal(1)
        lid = add(OrderLine, line, o.dealer, o.supplier)
        if o.supplier is not None and n % 3 == 0:
            # the buyer changed the routed order (issue #17, part 2): its versions
            for number in (1, 2):
                add(
                    OrderVersion,
                    OrderVersion(
                        order_id=oid,
                        number=number,
                        kind=VersionKind.ORIGINAL if number == 1 else VersionKind.CHANGED,
                    ),
                    o.dealer,
                    o.supplier,
                )
        if o.supplier is not None and o.shipped:
            sid = add(
                Shipment,
                Shipment(
                    order_id=oid,
                    supplier_id=org_ids[o.supplier],
                    number=f"DN-{n}",
                    shipped_on=date(2026, 1, 6),
                ),
                o.dealer,
                o.supplier,
            )
            add(
                ShipmentLine,
                ShipmentLine(shipment_id=sid, order_line_id=lid, quantity=Decimal(2)),
                o.dealer,
                o.supplier,
            )
        if o.supplier is not None and (o.shipped or n % 3 == 0):
            # a goods receipt (issue #17.3), on the ship notice when there is one; counted by the
            # dealer the order was sold by, else by the owner: seen exactly where the shipment is
            receipt = add(
                GoodsReceipt,
                GoodsReceipt(
                    order_id=oid,
                    supplier_id=org_ids[o.supplier],
                    shipment_id=sid if o.shipped else None,
                    received_by_org_id=org_ids[o.dealer] if o.dealer is not None else org_ids[0],
                    received_on=date(2026, 1, 8),
                    has_discrepancy=n % 2 == 0,
                    over_received=not o.shipped,
                ),
                o.dealer,
                o.supplier,
            )
            add(
                GoodsReceiptLine,
                GoodsReceiptLine(receipt_id=receipt, order_line_id=lid, quantity=Decimal(2)),
                o.dealer,
                o.supplier,
            )
        if o.supplier is not None and o.invoiced:
            iid = add(
                Invoice,
                Invoice(
                    order_id=oid,
                    supplier_id=org_ids[o.supplier],
                    number=f"R-{n}",
                    issue_date=date(2026, 1, 7),
                    currency="EUR",
                    net_total=Decimal(2),
                    tax_total=Decimal(0),
                    gross_total=Decimal(2),
                    match_status=MatchStatus.MATCHED,
                ),
                o.supplier,
            )
            add(
                InvoiceLine,
                InvoiceLine(
                    invoice_id=iid,
                    order_line_id=lid,
                    quantity=Decimal(2),
                    unit_price=Decimal(1),
                    net_amount=Decimal(2),
                    tax_rate=Decimal(0),
                ),
                o.supplier,
            )
            # The workflow's rows: a payment, the dispute thread (the owner asks, the supplier
            # answers with a credit note); each seen exactly where its invoice is.
            add(
                InvoicePayment,
                InvoicePayment(invoice_id=iid, paid_on=date(2026, 2, 1), amount=Decimal(1)),
                o.supplier,
            )
            cid = add(
                CreditNote,
                CreditNote(
                    invoice_id=iid,
                    supplier_id=org_ids[o.supplier],
                    number=f"GS-{n}",
                    issue_date=date(2026, 1, 9),
                    currency="EUR",
                    net_total=Decimal(1),
                    tax_total=Decimal(0),
                    gross_total=Decimal(1),
                ),
                o.supplier,
            )
            for kind, author, note in ((MessageKind.DISPUTE, 0, None), (MessageKind.ANSWER, o.supplier, cid)):
                add(
                    InvoiceMessage,
                    InvoiceMessage(
                        invoice_id=iid,
                        kind=kind,
                        body="?",
                        author_org_id=org_ids[author],
                        credit_note_id=note,
                    ),
                    o.supplier,
                )
    for n, c in enumerate(spec.cases):
        case = Case(
            number=f"C-{n}",
            subject="s",
            priority=CasePriority.NORMAL,
            opened_by_org_id=org_ids[c.opened_by],
            routed_to_id=org_ids[c.routed_to] if c.routed_to is not None else None,
            customer_id=customers[c.customer] if c.customer is not None else None,
            sla_due_at=NOW + timedelta(hours=24),
        )
        case_id = add(Case, case, c.opened_by, c.routed_to)
        for author, internal in c.comments:
            add(
                CaseComment,
                CaseComment(
                    case_id=case_id,
                    author_org_id=org_ids[author],
                    author_name="x",
                    body="b",
                    internal=internal,
                ),
                c.opened_by,
                c.routed_to,
                internal,
            )
        if c.attachment_internal is not None:
            add(
                CaseAttachment,
                CaseAttachment(
                    case_id=case_id,
                    uploaded_by_org_id=org_ids[c.opened_by],
                    filename="a.txt",
                    content_type="text/plain",
                    size=1,
                    sha256="0" * 64,
                    internal=c.attachment_internal,
                    data=b"a",
                ),
                c.opened_by,
                c.routed_to,
                c.attachment_internal,
            )
    for c, o in spec.activities:
        add(
            Activity,
            Activity(
                customer_id=customers[c],
                organization_id=org_ids[o],
                kind=ActivityKind.NOTE,
                subject="n",
                occurred_at=NOW,
            ),
            c,
            o,
        )
    for o, c in spec.tasks:
        add(
            Task,
            Task(
                organization_id=org_ids[o],
                assignee_id=user_ids[o],
                customer_id=customers[c] if c is not None else None,
                subject="t",
                due_on=NOW.date(),
            ),
            o,
            c,
        )
    for n, (c, d) in enumerate(spec.opportunities):
        opp_id = add(
            Opportunity,
            Opportunity(
                number=f"OP-{n}",
                name="Deal",
                customer_id=customers[c],
                dealer_id=org_ids[d] if d is not None else None,
                expected_close=date(2026, 2, 1),
                created_by_org_id=org_ids[0],
            ),
            d,
        )
        add(
            OpportunityLine,
            OpportunityLine(
                opportunity_id=opp_id,
                line_no=1,
                product_id=product.id,
                sku="SKU-1",
                description="Thing",
                quantity=Decimal(1),
                unit_price=Decimal(1),
            ),
            d,
        )
    for n, d in enumerate(spec.deals):
        add(
            DealRegistration,
            DealRegistration(
                number=f"DR-{n}",
                dealer_id=org_ids[d],
                prospect_name="Prospect",
                name_key="prospect",
                postal_code="10115",
                description="Deal",
                amount=Decimal(1),
                expected_close=date(2026, 2, 1),
            ),
            d,
        )
    campaign_ids = [
        add(Campaign, Campaign(name=f"Campaign {n}", channel="mail", budget=Decimal(1)), n)
        for n in range(spec.campaigns)
    ]
    for o in spec.territories:
        add(Territory, Territory(organization_id=org_ids[o], postal_ranges=["DE 1"], regions=[]), o)
    campaign_facts: dict[int, set[tuple[int | None, LeadStatus]]] = {}
    for n, (status, dealer, campaign, before) in enumerate(spec.leads):
        lead_id = add(
            Lead,
            Lead(
                number=f"LD-{n}",
                company="Prospect",
                status=status,
                dealer_id=org_ids[dealer] if dealer is not None else None,
                campaign_id=campaign_ids[campaign] if campaign is not None else None,
            ),
            status,
            dealer,
        )
        if campaign is not None:
            campaign_facts.setdefault(campaign, set()).add((dealer, status))
        for offered in (*before, *([dealer] if dealer is not None else [])):
            add(
                LeadOffer,
                LeadOffer(lead_id=lead_id, dealer_id=org_ids[offered], answer_due_at=NOW),
                offered,
                status,
                dealer,
            )
    for n, ident in enumerate(campaign_ids):  # the leads of the campaign: (dealer, status) each,
        # and the customers of its segment
        facts[Campaign][ident] = (
            frozenset(campaign_facts.get(n, set())),
            frozenset(c for campaign, c in spec.campaign_members if campaign == n),
        )
    for campaign, c in sorted(spec.campaign_members):
        add(CampaignMember, CampaignMember(campaign_id=campaign_ids[campaign], customer_id=customers[c]), c)
    for n in range(spec.segments):
        add(Segment, Segment(name=f"Segment {n}", filter={"country_code": "DE"}), n)
    endpoints: dict[int, int] = {}
    for n, o in enumerate(spec.events):  # each event delivered to a webhook endpoint of its actor
        event_id = add(
            Event, Event(kind="x.y", entity="x", entity_id=1, actor_org_id=org_ids[o], payload={}), o
        )
        if o not in endpoints:
            endpoints[o] = add(
                WebhookEndpoint,
                WebhookEndpoint(
                    organization_id=org_ids[o], url=f"https://hooks.example/{o}", secret="whsec_x"
                ),
                o,
            )
        add(
            WebhookDelivery,
            WebhookDelivery(
                endpoint_id=endpoints[o],
                organization_id=org_ids[o],
                event_id=event_id,
                event_kind="x.y",
                webhook_id=f"msg_{n}",
            ),
            o,
        )
    with_profile: set[int] = set()
    for n, o in enumerate(spec.events):  # one exchange file per event, from its (external) actor
        if o == 0:
            continue
        if o not in with_profile:
            with_profile.add(o)
            add(
                ExchangeProfile,
                ExchangeProfile(
                    organization_id=org_ids[o], transport="folder", partner_id=f"P{o}", our_id="OWNER"
                ),
                o,
            )
        rid = add(
            ExchangeRecord,
            ExchangeRecord(
                organization_id=org_ids[o],
                direction=Direction.INBOUND,
                state=RecordState.RECEIVED,
                filename=f"f{n}.edi",
                size=1,
                sha256="0" * 64,
            ),
            o,
        )
        add(ExchangeLink, ExchangeLink(record_id=rid, entity="order", entity_id=1), o)
    return facts


def rows_of(facts: dict[type, dict[int, tuple[object, ...]]], model: type, keep: object) -> set[int]:
    return {ident for ident, fact in facts.get(model, {}).items() if keep(*fact)}  # type: ignore[operator]


def expected_visible(
    spec: WorldSpec,
    viewer: int,
    facts: dict[type, dict[int, tuple[object, ...]]],
    viewer_user: int | None = None,
) -> dict[type, set[int]]:
    """Who may see what, straight from the product rules. ``viewer_user``: the principal's user (an
    inbox and its preferences are that user's alone; an organization's principal has none)."""
    personal = {
        Notification: rows_of(facts, Notification, lambda u: u == viewer_user),
        NotificationPreference: rows_of(facts, NotificationPreference, lambda u: u == viewer_user),
        Export: rows_of(facts, Export, lambda u: u == viewer_user),
        CalendarFeed: rows_of(facts, CalendarFeed, lambda u: u == viewer_user),
    }
    if spec.kinds[viewer] is OrgKind.OWNER:
        return {model: set(facts.get(model, {})) for model in RULES} | personal
    mine = {viewer}
    grew = True
    while grew:
        children = {i for i, parent in enumerate(spec.parents) if parent in mine}
        grew = not children <= mine
        mine |= children
    is_supplier = spec.kinds[viewer] is OrgKind.SUPPLIER
    seen_customers = set() if is_supplier else {c for c, o in spec.assignments if o in mine}

    def rows(model: type, keep: object) -> set[int]:
        return {ident for ident, fact in facts.get(model, {}).items() if keep(*fact)}  # type: ignore[operator]

    customer_ids = rows(Customer, lambda c: c in seen_customers)

    def dealer_sees(status: LeadStatus, dealer: int | None) -> bool:
        return (
            dealer is not None
            and dealer in mine
            and status
            in (
                LeadStatus.OFFERED,
                LeadStatus.ACCEPTED,
                LeadStatus.CONVERTED,
            )
        )

    return {
        Organization: rows(Organization, lambda i: i in mine),
        User: rows(User, lambda i: i in mine),
        ApiToken: rows(ApiToken, lambda i: i in mine),
        Invitation: rows(Invitation, lambda i: i in mine),
        Product: rows(Product, lambda: True),
        Customer: customer_ids,
        Contact: rows(Contact, lambda c: c in seen_customers),
        CustomerAssignment: rows(CustomerAssignment, lambda o: o in mine),
        Order: rows(Order, lambda d, s: d in mine or s in mine),
        OrderLine: rows(OrderLine, lambda d, s: d in mine or s in mine),
        OrderVersion: rows(OrderVersion, lambda d, s: d in mine or s in mine),
        Shipment: rows(Shipment, lambda d, s: d in mine or s in mine),
        ShipmentLine: rows(ShipmentLine, lambda d, s: d in mine or s in mine),
        GoodsReceipt: rows(GoodsReceipt, lambda d, s: d in mine or s in mine),
        GoodsReceiptLine: rows(GoodsReceiptLine, lambda d, s: d in mine or s in mine),
        Invoice: rows(Invoice, lambda s: s in mine),
        InvoiceLine: rows(InvoiceLine, lambda s: s in mine),
        InvoicePayment: rows(InvoicePayment, lambda s: s in mine),
        InvoiceMessage: rows(InvoiceMessage, lambda s: s in mine),
        CreditNote: rows(CreditNote, lambda s: s in mine),
        Case: rows(Case, lambda opened, routed: opened in mine or routed in mine),
        CaseComment: rows(
            CaseComment, lambda opened, routed, internal: (opened in mine or routed in mine) and not internal
        ),
        CaseAttachment: rows(
            CaseAttachment,
            lambda opened, routed, internal: (opened in mine or routed in mine) and not internal,
        ),
        Activity: rows(Activity, lambda c, o: c in seen_customers and (o in mine or o == 0)),
        # its organizations' own tasks; one on a customer only while that customer is visible
        Task: rows(Task, lambda o, c: o in mine and (c is None or c in seen_customers)),
        # an opportunity: the dealer that sells it (and the organizations above it); the owner's own
        # (no dealer): nobody outside
        Opportunity: rows(Opportunity, lambda d: d is not None and d in mine),
        OpportunityLine: rows(OpportunityLine, lambda d: d is not None and d in mine),
        # a deal registration: the registering dealer (and the organizations above it)
        DealRegistration: rows(DealRegistration, lambda d: d in mine),
        # a lead: offered to, accepted or converted by one of its organizations; its offers: its own
        # offers of such a lead (not another dealer's); a campaign: one of such a lead
        Lead: rows(Lead, lambda status, d: dealer_sees(status, d)),
        LeadOffer: rows(LeadOffer, lambda offered, status, d: offered in mine and dealer_sees(status, d)),
        Territory: rows(Territory, lambda o: o in mine),
        # a campaign: one of such a lead, or whose segment holds a visible customer; its members: of
        # visible customers; segments: the owner's alone
        Campaign: rows(
            Campaign,
            lambda leads, members: (
                any(dealer_sees(status, d) for d, status in leads) or bool(members & seen_customers)
            ),
        ),
        CampaignMember: rows(CampaignMember, lambda c: c in seen_customers),
        Segment: set(),
        Event: rows(Event, lambda o: o in mine),
        ExchangeProfile: rows(ExchangeProfile, lambda o: o in mine),
        ExchangeRecord: rows(ExchangeRecord, lambda o: o in mine),
        ExchangeLink: rows(ExchangeLink, lambda o: o in mine),
        **personal,
        WebhookEndpoint: rows(WebhookEndpoint, lambda o: o in mine),
        WebhookDelivery: rows(WebhookDelivery, lambda o: o in mine),
    }
