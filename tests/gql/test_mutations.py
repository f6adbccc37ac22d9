from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from portal.models import Activity, Case, CaseComment, CustomerAssignment, Event, Invoice, Order, Shipment
from tests.gql.conftest import World, gid

ERRORS = "userErrors { field message code }"


def op(name: str, input_type: str, selection: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {selection} {ERRORS} }} }}"


CONFIRM = op(
    "confirmOrder",
    "ConfirmOrderInput",
    "order { status version lines { lineNo response quantityConfirmed promisedDate confirmedPrice } }",
)
REVIEW = op(
    "reviewLineChanges",
    "ReviewLineChangesInput",
    "order { status lines { lineNo response quantityConfirmed promisedDate confirmedPrice"
    " reviewOutcome reviewReason } }",
)
SHIP = op(
    "createShipment",
    "CreateShipmentInput",
    "shipment { number carrier trackingNumber packages lines { quantity sscc } order { status } }",
)
INVOICE = op(
    "submitInvoice", "SubmitInvoiceInput", "invoice { number netTotal taxTotal grossTotal matchStatus }"
)


def count(world: World, model: type[Any]) -> int:
    with world.api.scene.factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def confirm_all(world: World) -> None:
    lines = [{"lineNo": 1, "action": "ACCEPT"}, {"lineNo": 2, "action": "ACCEPT"}]
    data = world.api.ok(
        CONFIRM, {"input": {"order": world.gid("Order", "order_a"), "lines": lines}}, as_="supplier-a"
    )
    assert data["confirmOrder"]["userErrors"] == []


def test_supplier_confirms_changes_and_rejects_lines(world: World) -> None:
    promised = (date.today() + timedelta(days=7)).isoformat()
    lines = [
        {"lineNo": 1, "action": "CHANGE", "quantity": "8", "promisedDate": promised, "unitPrice": "11.90"},
        {"lineNo": 2, "action": "REJECT"},
    ]
    data = world.api.ok(
        CONFIRM,
        {"input": {"order": world.gid("Order", "order_a"), "lines": lines, "expectedVersion": 2}},
        as_="supplier-a",
    )
    payload = data["confirmOrder"]
    assert payload["userErrors"] == []
    # Both wait for the buyer's review (issue #17): the agreed state stays, the proposal is beside it.
    assert payload["order"]["status"] == "AWAITING_CONFIRMATION"
    proposals = world.api.ok(
        "query($id: ID!) { node(id: $id) { ... on Order { awaitingReview total proposedTotal version"
        " lines { awaitingReview proposedResponse proposedQuantity proposedPrice proposedDate } } } }",
        {"id": world.gid("Order", "order_a")},
        as_="supplier-a",
    )["node"]
    assert (proposals["awaitingReview"], proposals["proposedTotal"]) == (True, "95.2")  # 8 x 11.90
    assert proposals["lines"] == [
        {
            "awaitingReview": True,
            "proposedResponse": "CHANGED",
            "proposedQuantity": "8",
            "proposedPrice": "11.9",
            "proposedDate": promised,
        },
        {
            "awaitingReview": True,
            "proposedResponse": "REJECTED",
            "proposedQuantity": "0",
            "proposedPrice": None,
            "proposedDate": None,
        },
    ]
    decisions = [{"lineNo": 1, "accept": True}, {"lineNo": 2, "accept": True, "reason": "agreed by phone"}]
    refused = world.api.ok(
        REVIEW,
        {"input": {"order": world.gid("Order", "order_a"), "lines": decisions}},
        as_="supplier-a",
    )["reviewLineChanges"]
    assert (refused["order"], refused["userErrors"][0]["code"]) == (None, "PERMISSION_DENIED")
    reviewed = world.api.ok(
        REVIEW,
        {
            "input": {
                "order": world.gid("Order", "order_a"),
                "lines": decisions,
                "expectedVersion": proposals["version"],
            }
        },
        as_="owner",
    )["reviewLineChanges"]
    assert reviewed["userErrors"] == []
    assert reviewed["order"]["status"] == "CONFIRMED"
    assert reviewed["order"]["lines"] == [
        {
            "lineNo": 1,
            "response": "CHANGED",
            "quantityConfirmed": "8",
            "promisedDate": promised,
            "confirmedPrice": "11.9",
            "reviewOutcome": "ACCEPTED",
            "reviewReason": None,
        },
        {
            "lineNo": 2,
            "response": "REJECTED",
            "quantityConfirmed": "0",
            "promisedDate": None,
            "confirmedPrice": None,
            "reviewOutcome": "ACCEPTED",
            "reviewReason": "agreed by phone",
        },
    ]
    again = world.api.ok(
        REVIEW,
        {
            "input": {
                "order": world.gid("Order", "order_a"),
                "lines": decisions,
                "expectedVersion": proposals["version"],
            }
        },
        as_="owner",
    )["reviewLineChanges"]
    assert again["userErrors"][0]["code"] == "CONFLICT"  # a second reviewer from the same version


def test_invalid_confirmation_comes_back_as_user_errors_and_writes_nothing(world: World) -> None:
    world.api.token("supplier-a")  # issuing it writes an event
    events = count(world, Event)
    lines = [{"lineNo": 1, "action": "ACCEPT"}, {"lineNo": 2, "action": "CHANGE", "quantity": "50"}]
    data = world.api.ok(
        CONFIRM, {"input": {"order": world.gid("Order", "order_a"), "lines": lines}}, as_="supplier-a"
    )
    payload = data["confirmOrder"]
    assert payload["order"] is None
    assert payload["userErrors"] == [
        {
            "field": ["lines", "2", "quantity"],
            "message": "confirms 50, more than the 5 ordered",
            "code": "INVALID_INPUT",
        }
    ]
    assert count(world, Event) == events
    status = world.api.ok(
        "query($id: ID!) { node(id: $id) { ... on Order { status } } }", {"id": world.gid("Order", "order_a")}
    )
    assert status["node"]["status"] == "AWAITING_CONFIRMATION"


def test_stale_version_is_a_conflict(world: World) -> None:
    lines = [{"lineNo": 1, "action": "ACCEPT"}]
    data = world.api.ok(
        CONFIRM,
        {"input": {"order": world.gid("Order", "order_a"), "lines": lines, "expectedVersion": 1}},
        as_="supplier-a",
    )
    assert data["confirmOrder"]["userErrors"][0]["code"] == "CONFLICT"


def test_confirming_a_hidden_order_answers_as_for_a_missing_one(world: World) -> None:
    def attempt(order_pk: int) -> dict[str, Any]:
        lines = [{"lineNo": 1, "action": "ACCEPT"}]
        data = world.api.ok(
            CONFIRM, {"input": {"order": gid("Order", order_pk), "lines": lines}}, as_="supplier-a"
        )
        return dict(data["confirmOrder"])

    hidden, missing = attempt(world.ids["order_b"]), attempt(424242)
    assert hidden["userErrors"][0]["code"] == missing["userErrors"][0]["code"] == "NOT_FOUND"
    assert missing["userErrors"][0]["message"] == f"order {gid('Order', 424242)} not found"
    assert hidden["userErrors"][0]["message"].replace(gid("Order", world.ids["order_b"]), "N") == missing[
        "userErrors"
    ][0]["message"].replace(gid("Order", 424242), "N")


def test_ship_notice_and_invoice_after_confirmation(world: World) -> None:
    confirm_all(world)
    order = world.gid("Order", "order_a")
    ship = {
        "order": order,
        "number": "DESADV-1",
        "shippedOn": date.today().isoformat(),
        "carrier": "DHL",
        "trackingNumber": "00340434",
        "packages": 2,
        "lines": [
            {"lineNo": 1, "quantity": "10", "sscc": "340123450000000017"},
            {"lineNo": 2, "quantity": "5"},
        ],
    }
    shipment = world.api.ok(SHIP, {"input": ship}, as_="supplier-a")["createShipment"]
    assert shipment["userErrors"] == []
    assert shipment["shipment"]["order"]["status"] == "SHIPPED"
    assert (
        shipment["shipment"]["packages"] == 2
        and shipment["shipment"]["lines"][0]["sscc"] == "340123450000000017"
    )
    bill = {
        "order": order,
        "number": "INV-1",
        "issueDate": date.today().isoformat(),
        "lines": [{"lineNo": 1, "quantity": "10"}, {"lineNo": 2, "quantity": "6", "taxRate": "7"}],
    }
    invoice = world.api.ok(INVOICE, {"input": bill}, as_="supplier-a")["submitInvoice"]
    assert invoice["userErrors"] == []
    assert invoice["invoice"]["matchStatus"] == "OVER_BILLED"
    assert invoice["invoice"]["netTotal"] == "275"  # 10 x 12.50 + 6 x 25.00


def test_shipping_more_than_confirmed_names_the_line_field(world: World) -> None:
    confirm_all(world)
    ship = {
        "order": world.gid("Order", "order_a"),
        "number": "DESADV-2",
        "shippedOn": date.today().isoformat(),
        "lines": [{"lineNo": 1, "quantity": "11"}],
    }
    payload = world.api.ok(SHIP, {"input": ship}, as_="supplier-a")["createShipment"]
    assert payload["shipment"] is None
    assert payload["userErrors"][0]["field"] == ["lines", "1", "quantity"]
    assert count(world, Shipment) == 1  # only the one of the fixture's fulfilled order


def test_invoice_for_unconfirmed_order_is_an_invalid_state(world: World) -> None:
    bill = {
        "order": world.gid("Order", "order_a"),
        "number": "X",
        "issueDate": date.today().isoformat(),
        "lines": [],
    }
    payload = world.api.ok(INVOICE, {"input": bill}, as_="supplier-a")["submitInvoice"]
    assert payload["userErrors"][0]["code"] == "INVALID_STATE"
    assert count(world, Invoice) == 1


def test_dealer_creates_an_order_for_a_shared_customer(world: World) -> None:
    query = f"""mutation($input: CreateOrderInput!) {{ createOrder(input: $input) {{
        order {{ number status dealer {{ slug }} lines {{ sku quantityOrdered }} }} {ERRORS} }} }}"""
    orders_before = count(world, Order)
    product = gid("Product", world.api.scene.products[0].id)
    ok = world.api.ok(
        query,
        {
            "input": {
                "customer": world.gid("Customer", "shared"),
                "lines": [{"product": product, "quantity": "2"}],
            }
        },
        as_="dealer-group",
    )
    assert ok["createOrder"]["order"]["dealer"] == {"slug": "dealer-group"}
    assert ok["createOrder"]["order"]["status"] == "DRAFT"
    bad = world.api.ok(
        query,
        {"input": {"customer": world.gid("Customer", "shared"), "lines": [{"sku": "NOPE", "quantity": "1"}]}},
        as_="dealer-group",
    )
    assert bad["createOrder"]["userErrors"][0]["field"] == ["lines", "1", "product"]
    supplier = world.api.ok(
        query,
        {
            "input": {
                "customer": world.gid("Customer", "shared"),
                "lines": [{"sku": "P-100", "quantity": "1"}],
            }
        },
        as_="supplier-a",
    )
    assert supplier["createOrder"]["userErrors"][0]["code"] == "PERMISSION_DENIED"
    assert count(world, Order) == orders_before + 1


def test_case_lifecycle_create_update_comment_route(world: World) -> None:
    api = world.api
    created = api.ok(
        op("createCase", "CreateCaseInput", "case { id number status priority }"),
        {
            "input": {
                "subject": "Lieferung beschädigt",
                "priority": "URGENT",
                "order": world.gid("Order", "order_a"),
            }
        },
        as_="supplier-a",
    )["createCase"]
    assert created["userErrors"] == [] and created["case"]["priority"] == "URGENT"
    case_id = created["case"]["id"]
    updated = api.ok(
        op("updateCase", "UpdateCaseInput", "case { subject status }"),
        {"input": {"case": case_id, "subject": "Lieferung beschädigt (2 Kartons)", "action": "START"}},
        as_="supplier-a",
    )["updateCase"]
    assert updated["case"] == {"subject": "Lieferung beschädigt (2 Kartons)", "status": "IN_PROGRESS"}
    commented = api.ok(
        f"""mutation($input: AddCaseCommentInput!) {{ addCaseComment(input: $input) {{
            comment {{ body internal authorName }} case {{ comments {{ body }} }} {ERRORS} }} }}""",
        {"input": {"case": case_id, "body": "Fotos folgen"}},
        as_="supplier-a",
    )["addCaseComment"]
    assert commented["comment"]["body"] == "Fotos folgen" and commented["case"]["comments"] == [
        {"body": "Fotos folgen"}
    ]
    internal = api.ok(
        op("addCaseComment", "AddCaseCommentInput", "comment { body }"),
        {"input": {"case": case_id, "body": "intern", "internal": True}},
        as_="supplier-a",
    )["addCaseComment"]
    assert internal["userErrors"][0]["code"] == "PERMISSION_DENIED"
    assert count(world, CaseComment) == 1
    route = op("routeCase", "RouteCaseInput", "case { routedTo { slug } }")
    partner = gid("Organization", api.scene.orgs["partner"].id)
    denied = api.ok(route, {"input": {"case": case_id, "organization": partner}}, as_="supplier-a")[
        "routeCase"
    ]
    assert denied["userErrors"][0]["code"] == "PERMISSION_DENIED"
    routed = api.ok(route, {"input": {"case": case_id, "organization": partner}})["routeCase"]
    assert routed == {"case": {"routedTo": {"slug": "partner"}}, "userErrors": []}


def test_update_case_with_empty_subject_names_the_field(world: World) -> None:
    payload = world.api.ok(
        op("updateCase", "UpdateCaseInput", "case { subject }"),
        {"input": {"case": world.gid("Case", "case"), "subject": "  "}},
        as_="partner",
    )["updateCase"]
    assert payload == {
        "case": None,
        "userErrors": [{"field": ["subject"], "message": "must not be empty", "code": "INVALID_INPUT"}],
    }


def test_log_activity_and_schedule_appointment(world: World) -> None:
    api = world.api
    before = count(world, Activity)
    logged = api.ok(
        op("logActivity", "LogActivityInput", "activity { kind subject }"),
        {
            "input": {
                "customer": world.gid("Customer", "shared"),
                "kind": "NOTE",
                "subject": "Angebot geschickt",
            }
        },
        as_="dealer-group",
    )["logActivity"]
    assert logged == {"activity": {"kind": "NOTE", "subject": "Angebot geschickt"}, "userErrors": []}
    appointment = f"""mutation($input: ScheduleAppointmentInput!) {{ scheduleAppointment(input: $input) {{
        activity {{ kind startsAt endsAt }} {ERRORS} }} }}"""
    good = {
        "customer": world.gid("Customer", "shared"),
        "subject": "Wartung",
        "startsAt": "2030-05-01T08:00:00+02:00",
        "endsAt": "2030-05-01T10:00:00+02:00",
    }
    made = api.ok(appointment, {"input": good}, as_="dealer-group")["scheduleAppointment"]
    assert made["activity"]["kind"] == "APPOINTMENT" and made["activity"]["startsAt"].startswith(
        "2030-05-01T06:00:00"
    )
    backwards = {**good, "endsAt": "2030-05-01T07:00:00+02:00"}
    bad = api.ok(appointment, {"input": backwards}, as_="dealer-group")["scheduleAppointment"]
    assert bad["userErrors"] == [
        {"field": ["endsAt"], "message": "must be after starts_at", "code": "INVALID_INPUT"}
    ]
    hidden = api.ok(
        appointment, {"input": {**good, "customer": world.gid("Customer", "other")}}, as_="dealer-group"
    )
    assert hidden["scheduleAppointment"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert count(world, Activity) == before + 2


def test_owner_shares_and_unshares_a_customer(world: World) -> None:
    api = world.api
    share = op("shareCustomer", "ShareCustomerInput", "customer { assignments { organization { slug } } }")
    unshare = op("unshareCustomer", "ShareCustomerInput", "customer { name }")
    payload = {
        "customer": world.gid("Customer", "other"),
        "organization": gid("Organization", api.scene.orgs["dealer-other"].id),
    }
    shared = api.ok(share, {"input": payload})["shareCustomer"]
    assert {"organization": {"slug": "dealer-other"}} in shared["customer"]["assignments"]
    seen = api.ok("{ customers { nodes { name } } }", as_="dealer-other")
    assert seen["customers"]["nodes"] == [{"name": "Schulz AG"}]
    denied = api.ok(share, {"input": payload}, as_="dealer-group")["shareCustomer"]
    assert denied["userErrors"][0]["code"] == "PERMISSION_DENIED"
    assert api.ok(unshare, {"input": payload})["unshareCustomer"]["userErrors"] == []
    assert api.ok("{ customers { nodes { name } } }", as_="dealer-other")["customers"]["nodes"] == []
    assert count(world, CustomerAssignment) == 1


def test_two_mutations_in_one_operation_are_refused_and_nothing_is_written(world: World) -> None:
    before = count(world, Case)
    errors = world.api.errors(
        """mutation { a: createCase(input: {subject: "eins"}) { userErrors { code } }
                      b: createCase(input: {subject: "zwei"}) { userErrors { code } } }""",
        as_="partner",
    )
    assert errors[0]["extensions"]["code"] == "ONE_MUTATION_PER_OPERATION"
    assert count(world, Case) == before


def test_wrong_variable_type_is_a_top_level_error_with_a_code(world: World) -> None:
    variables = {
        "input": {"order": world.gid("Order", "order_a"), "lines": [{"lineNo": "x", "action": "ACCEPT"}]}
    }
    [error] = world.api.errors(CONFIRM, variables)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "lineNo" in error["message"]


def test_a_line_left_pending_is_confirmed_after_the_others_are_invoiced(world: World) -> None:
    """docs/api.md steps 3-5: answer line 1, leave line 2 for later, ship and invoice line 1, then
    answer line 2 (it used to be INVALID_STATE in 'partially_invoiced')."""
    order = world.gid("Order", "order_a")
    first = world.api.ok(
        CONFIRM, {"input": {"order": order, "lines": [{"lineNo": 1, "action": "ACCEPT"}]}}, as_="supplier-a"
    )
    assert first["confirmOrder"]["userErrors"] == []
    ship = {
        "order": order,
        "number": "DESADV-P",
        "shippedOn": date.today().isoformat(),
        "lines": [{"lineNo": 1, "quantity": "10"}],
    }
    assert world.api.ok(SHIP, {"input": ship}, as_="supplier-a")["createShipment"]["userErrors"] == []
    bill = {
        "order": order,
        "number": "INV-P",
        "issueDate": date.today().isoformat(),
        "lines": [{"lineNo": 1, "quantity": "10"}],
    }
    assert world.api.ok(INVOICE, {"input": bill}, as_="supplier-a")["submitInvoice"]["userErrors"] == []
    later = world.api.ok(
        CONFIRM, {"input": {"order": order, "lines": [{"lineNo": 2, "action": "ACCEPT"}]}}, as_="supplier-a"
    )["confirmOrder"]
    assert later["userErrors"] == []
    assert later["order"]["status"] == "PARTIALLY_INVOICED"
    assert [(line["lineNo"], line["response"]) for line in later["order"]["lines"]] == [
        (1, "ACCEPTED"),
        (2, "ACCEPTED"),
    ]
