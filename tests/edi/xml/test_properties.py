from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from edi.documents import DespatchAdvice, Invoice, OrderResponse, PurchaseOrder
from edi.xml import codec
from edi.xml.safe import parse_xml
from tests.edi.xml._strategies import despatch_advices, invoices, order_responses, purchase_orders
from tests.edi.xml._support import STORE

# database=None: no .hypothesis folder in the checkout; 30 examples keep the module near 10 s.
PROPERTY = settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _round_trip(document: object, syntax: str) -> object:
    data = codec.encode(document, syntax=syntax)  # type: ignore[arg-type]
    assert STORE.findings(parse_xml(data)) == ()
    message = codec.decode(data)
    assert message.error is None, message.error
    return message.document


@PROPERTY
@given(invoices())
def test_invoice_survives_ubl(invoice: Invoice) -> None:
    assert _round_trip(invoice, "ubl") == invoice


@PROPERTY
@given(invoices())
def test_invoice_survives_cii(invoice: Invoice) -> None:
    assert _round_trip(invoice, "cii") == invoice


@PROPERTY
@given(purchase_orders())
def test_purchase_order_survives_ubl(order: PurchaseOrder) -> None:
    assert _round_trip(order, "ubl") == order


@PROPERTY
@given(order_responses())
def test_order_response_survives_ubl(response: OrderResponse) -> None:
    assert _round_trip(response, "ubl") == response


@PROPERTY
@given(despatch_advices())
def test_despatch_advice_survives_ubl(advice: DespatchAdvice) -> None:
    assert _round_trip(advice, "ubl") == advice
