"""``uploadInvoice`` (#17.6): a supplier's e-invoice through the API, as a multipart request (the
GraphQL multipart request spec) or base64 in JSON, over the real ASGI app; the same service as the
portal's upload, so a refused file stays in the ledger (the operation commits) and its findings are
the ``userErrors``."""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from edi.xml import codec
from portal.models import (
    Direction,
    ExchangeRecord,
    Invoice,
    LineResponse,
    Order,
    Organization,
    RecordState,
)
from portal.orders import service as orders
from tests.builders import Scene
from tests.exchange.helpers import OWNER_GLN, SUPPLIER_GLN
from tests.exchange.test_upload import xrechnung
from tests.gql.conftest import Api, gid

UPLOAD = """
mutation Upload($input: UploadInvoiceInput!) {
  uploadInvoice(input: $input) {
    invoice { id number grossTotal }
    exchangeRecord { id state filename messages { scenario findings { rule level } } }
    userErrors { field message code }
  }
}
"""


def confirmed_order(scene: Scene) -> int:
    """supplier-a (no exchange profile) with an order it confirmed, as the upload tests have it."""
    with scene.uow() as uow:
        uow.session.get_one(Organization, scene.orgs["owner"].id).gln = OWNER_GLN
        uow.session.get_one(Organization, scene.orgs["supplier-a"].id).gln = SUPPLIER_GLN
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 4))
    with scene.uow() as uow:
        sp = scene.p("supplier-a")
        current = orders.load_order(uow, sp, order.id)
        answers = [
            orders.LineAnswer(line_no=ln.line_no, action=LineResponse.ACCEPTED) for ln in current.lines
        ]
        orders.respond_to_order(uow=uow, principal=sp, order_id=order.id, answers=answers)
    return order.id


def multipart(
    api: Api, data: bytes, *, as_: str = "supplier-a", headers: dict[str, str] | None = None, **fields: Any
) -> Any:
    operations = {"query": UPLOAD, "variables": {"input": {"file": None, **fields}}}
    return api.client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.file"]})},
        files={"0": ("invoice.xml", data, "application/xml")},
        headers=headers if headers is not None else {"Authorization": f"Bearer {api.token(as_)}"},
    )


def _records(factory: sessionmaker[Session], state: RecordState) -> int:
    with factory() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(ExchangeRecord)
                .where(ExchangeRecord.direction == Direction.INBOUND, ExchangeRecord.state == state)
            )
            or 0
        )


def test_a_multipart_upload_becomes_the_invoice_by_the_order_it_names(api: Api) -> None:
    order_id = confirmed_order(api.scene)
    data = codec.encode(xrechnung(api.scene, order_id), syntax="ubl", profile="xrechnung")
    response = multipart(api, data)
    assert response.status_code == 200, response.text
    result = response.json()["data"]["uploadInvoice"]
    assert result["userErrors"] == []
    assert result["invoice"]["number"] == "INV-1"
    record = result["exchangeRecord"]
    assert record["state"] == "APPLIED" and record["filename"] == "invoice.xml"
    assert record["messages"][0]["scenario"] == "XRechnung 3.0 (UBL Invoice)"
    with api.scene.factory() as session:
        invoice = session.scalars(select(Invoice)).one()
        assert invoice.order_id == order_id and invoice.supplier_id == api.scene.orgs["supplier-a"].id


def test_the_base64_variant_takes_the_same_path(api: Api) -> None:
    order_id = confirmed_order(api.scene)
    data = codec.encode(xrechnung(api.scene, order_id), syntax="cii", profile="xrechnung")
    content = base64.b64encode(data).decode()
    body = api.ok(
        UPLOAD,
        {"input": {"contentBase64": content, "filename": "inv.xml", "order": gid("Order", order_id)}},
        as_="supplier-a",
    )
    result = body["uploadInvoice"]
    assert result["userErrors"] == [] and result["invoice"]["number"] == "INV-1"
    assert result["exchangeRecord"]["messages"][0]["scenario"] == "XRechnung 3.0 (CII)"


def test_a_refused_file_is_kept_and_its_broken_rules_are_the_user_errors(api: Api) -> None:
    order_id = confirmed_order(api.scene)
    data = codec.encode(xrechnung(api.scene, order_id, seller_city=None), syntax="ubl", profile="xrechnung")
    response = multipart(api, data)
    result = response.json()["data"]["uploadInvoice"]
    assert result["invoice"] is None
    assert result["exchangeRecord"]["state"] == "FAILED"
    assert {"field": ["file"], "code": "EINVOICE_REFUSED"}.items() <= result["userErrors"][0].items()
    assert any("BR-DE-3: Seller city (BT-37)" in e["message"] for e in result["userErrors"])
    # committed: the supplier finds the failed file in its ledger afterwards
    assert _records(api.scene.factory, RecordState.FAILED) == 1
    with api.scene.factory() as session:
        assert session.scalar(select(func.count()).select_from(Invoice)) == 0


def test_an_invoice_naming_another_suppliers_order_is_refused_without_saying_whose(api: Api) -> None:
    order_id = confirmed_order(api.scene)
    data = codec.encode(xrechnung(api.scene, order_id), syntax="ubl", profile="xrechnung")
    result = multipart(api, data, as_="supplier-b").json()["data"]["uploadInvoice"]
    assert result["invoice"] is None
    [error] = result["userErrors"]
    with api.scene.factory() as session:
        number = session.get_one(Order, order_id).number
    assert (
        error["message"] == f"the invoice names order {number}, which is not one of your orders: not applied"
    )
    assert "supplier-a" not in error["message"].lower() and "Supplier A" not in error["message"]
    # naming the order by id is "not found", as for an order that does not exist
    wrong = multipart(api, data, as_="supplier-b", order=gid("Order", order_id)).json()["data"][
        "uploadInvoice"
    ]
    assert wrong["userErrors"][0]["code"] == "NOT_FOUND" and wrong["exchangeRecord"] is None


def test_a_multipart_request_without_a_header_a_form_cannot_send_is_refused(api: Api) -> None:
    order_id = confirmed_order(api.scene)
    data = codec.encode(xrechnung(api.scene, order_id), syntax="ubl", profile="xrechnung")
    refused = multipart(api, data, headers={})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "CSRF_PREVENTED"
    assert _records(api.scene.factory, RecordState.APPLIED) == 0


def test_neither_or_both_ways_of_sending_the_file_is_a_user_error(api: Api) -> None:
    body = api.ok(UPLOAD, {"input": {}}, as_="supplier-a")
    assert body["uploadInvoice"]["userErrors"][0]["field"] == ["file"]
    bad = api.ok(UPLOAD, {"input": {"contentBase64": "***"}}, as_="supplier-a")
    assert bad["uploadInvoice"]["userErrors"][0]["field"] == ["contentBase64"]
