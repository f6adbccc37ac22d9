"""Business facts decoded from the corpus, and decode -> encode -> decode round trips."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from edi.documents import (
    Acknowledgement,
    AckStatus,
    DespatchAdvice,
    Document,
    Invoice,
    Message,
    PurchaseOrder,
)
from edi.edifact import decode, decode_all, encode
from edi.errors import EncodeError
from tests.edi.corpus import CORPUS, corpus_files

EDIFACT = CORPUS / "edi" / "edifact"


def _docs(relative: str) -> list[Document]:
    out: list[Document] = []
    for message in decode_all((EDIFACT / relative).read_bytes()).messages:
        assert message.document is not None, str(message.error)
        out.append(message.document)
    return out


def _one(relative: str) -> Document:
    docs = [m.document for m in decode_all((EDIFACT / relative).read_bytes()).messages if m.document]
    return docs[0]


def test_eancom_orders_d96a_retail_sample_facts() -> None:
    po = _one("orders/orders_d96a_ean008_retail_sample1.edi")
    assert isinstance(po, PurchaseOrder)
    assert po.number == "1AA1TEST"
    assert po.issue_date == date(2023, 6, 6)
    assert po.buyer.gln == "5450534000017"
    assert po.seller.gln == "8450534000000"
    assert po.delivery_party is not None and po.delivery_party.gln == "5450534008617"
    assert po.invoicee is not None and po.invoicee.vat_id == "LU20260743"
    assert po.invoicee.name == "AMAZON EU SARL"
    assert po.currency == "EUR"
    assert len(po.lines) == 3
    assert po.lines[0].gtin == "9783898307529"
    assert po.lines[0].quantity == Decimal(5)
    assert po.lines[2].unit_price == Decimal("3.85")


def test_orders_d01b_large_file_has_146_lines_with_articles() -> None:
    po = _one("orders/orders_d01b_ean010_large_ok.edi")
    assert isinstance(po, PurchaseOrder)
    assert len(po.lines) == 146
    first = po.lines[0]
    assert (first.supplier_article, first.buyer_article, first.unit) == ("1001", "6001001", "GBND")
    assert first.description == "Butter 40x250g Alu"
    assert po.requested_delivery_date == date(2018, 12, 6)
    assert po.buyer.contact is not None and po.buyer.contact.phone == "020994125-32"
    assert po.buyer.name == "A+A K\ufffdlte GmbH"  # the file itself carries U+FFFD


def test_orders_without_gtin_uses_pia_articles_and_dtm_203() -> None:
    po = _one("orders/orders_d96a_ean008_no_ean_in_lin.edi")
    assert isinstance(po, PurchaseOrder)
    assert po.issue_date == date(2023, 3, 20)
    assert [ln.gtin for ln in po.lines] == [None] * 5
    assert po.lines[2].supplier_article == "98891 75"
    assert po.lines[0].unit == "BOU"
    assert po.lines[0].unit_price == Decimal("5.22")  # only a gross price (AAB) is given
    assert po.buyer.party_id == "5450534008617"  # code list ZZ, not a GLN
    assert po.seller.name == "Suppli\u00e9r1"


def test_comma_decimal_mark_from_una() -> None:
    result = decode_all((EDIFACT / "orders/orders_d96a_ean008_unoa4_una_comma_decimal.edi").read_bytes())
    po = result.messages[0].document
    assert isinstance(po, PurchaseOrder)
    assert po.number == "801715918011"
    assert [ln.quantity for ln in po.lines] == [Decimal(8), Decimal(8)]
    assert result.messages[0].envelope.syntax == "UNOA:4"


def test_invoice_d96a_totals_and_references() -> None:
    inv = _docs("invoic/invoic_d96a_ean008_bots.edi")[0]
    assert isinstance(inv, Invoice)
    assert inv.number == "20051098"
    assert inv.order_number == "4500094576"
    assert inv.despatch_number == "2028"
    assert inv.delivery_date == date(2005, 8, 26)
    assert inv.totals.tax_inclusive == Decimal("286.2")
    assert inv.totals.tax_total == Decimal("45.7")
    assert inv.totals.line_total == Decimal("240.5")
    assert inv.buyer.vat_id == "NL00XXXXXXXXXXXX"
    assert (inv.lines[0].quantity, inv.lines[0].net_amount, inv.lines[0].net_price) == (2, 13, Decimal("6.5"))
    assert len(inv.tax_subtotals) == 4


def test_invoice_d01b_price_basis_units_and_payment_means() -> None:
    inv = _one("invoic/invoic_d01b_ean011_unob.edi")
    assert isinstance(inv, Invoice)
    assert inv.buyer.gln == "5412345000013"
    assert inv.buyer.vat_id == "4146023"
    assert inv.lines[1].quantity == Decimal("12.65")
    assert inv.lines[1].unit == "KGM"
    assert inv.totals.payable == Decimal("5767.10")
    assert inv.totals.tax_exclusive == Decimal("4810")
    assert inv.payment_terms is not None and inv.payment_terms.payment_means_code == "42"


def test_invoice_price_basis_divides_the_price() -> None:
    inv = _one("invoic/invoic_d97a_unoa1.edi")
    assert isinstance(inv, Invoice)
    assert inv.type_code == "381"
    assert inv.lines[0].net_price == Decimal("36.301724")
    assert round(inv.lines[0].net_price * inv.lines[0].quantity, 2) == inv.lines[0].net_amount


def test_desadv_packages_sscc_and_batches() -> None:
    first, second, _third = _docs("desadv/desadv_d96a_ean005_bots1.edi")
    assert isinstance(first, DespatchAdvice) and isinstance(second, DespatchAdvice)
    assert first.order_number == "ref1234"
    assert [(ln.gtin, ln.quantity) for ln in first.lines] == [("8717755680019", 48), ("8717755620071", 192)]
    assert first.packages[0].package_type == "BX"
    assert second.packages[0].sscc == "354123450000000014"
    line = second.lines[0]
    assert (line.batch_number, line.best_before) == ("BATCHNUMBER", date(1999, 12, 31))
    assert (line.supplier_article, line.buyer_article) == ("SUART", "BYART")


def test_desadv_without_dtm_137_falls_back_to_despatch_date_with_warning() -> None:
    message = decode_all((EDIFACT / "desadv/desadv_d96a_unoc1.edi").read_bytes()).messages[0]
    assert isinstance(message.document, DespatchAdvice)
    assert message.document.issue_date == date(2016, 7, 26)
    assert message.document.lines[0].order_line_id == "6877871"
    assert any("DTM+11" in w for w in message.warnings)
    assert any("'0'" in w for w in message.warnings)


def test_aperak_decodes_to_application_acknowledgement() -> None:
    ack = _one("aperak/aperak_d96a_bots.edi")
    assert isinstance(ack, Acknowledgement)
    assert (ack.kind, ack.status, ack.document_reference) == (
        "application",
        AckStatus.ACCEPTED,
        "T0000000015",
    )


def test_envelope_is_filled_from_unb_ung_unh() -> None:
    message = decode_all((EDIFACT / "orders/orders_d96a_ean_with_ung_group.edi").read_bytes()).messages[0]
    env = message.envelope
    assert (env.sender, env.sender_qualifier, env.recipient) == ("5400110000009", "14", "5013546107732")
    assert (env.control_reference, env.group_reference, env.message_reference) == ("2722166169492", "1", "1")
    assert (env.version, env.association, env.syntax) == ("D96B", "EAN008B", "UNOA:3")
    assert env.prepared_at is not None and env.prepared_at.utcoffset() is not None
    assert env.prepared_at.isoformat() == "2001-05-02T12:37:00+00:00"
    assert env.ack_requested is False
    bots = decode_all((EDIFACT / "orders/orders_d96a_ean008_multi_message_bots.edi").read_bytes())
    assert bots.messages[0].envelope.test is True


def _ok_messages() -> list[tuple[str, int]]:
    out = []
    for path in corpus_files("edi/edifact", "*.edi"):
        for i, message in enumerate(decode_all(path.read_bytes()).messages):
            if message.ok:
                out.append((str(path.relative_to(EDIFACT)), i))
    return out


@pytest.mark.parametrize(("relative", "index"), _ok_messages())
def test_round_trip_gives_the_same_document(relative: str, index: int) -> None:
    message: Message = decode_all((EDIFACT / relative).read_bytes()).messages[index]
    assert message.document is not None
    written = 0
    for version in ("D96A", "D01B"):
        refused: EncodeError | None = None
        try:
            data = encode(message.document, message.envelope, version=version, charset="UNOW")
        except EncodeError as exc:
            refused = exc
        if refused is not None:
            # a value the other directory cannot hold (a 4-letter unit in D96A's an..3) is refused
            assert version != message.envelope.version and refused.position is not None, refused
            assert refused.position.segment_tag and refused.position.element, refused
            continue
        written += 1
        again = list(decode(data))
        assert len(again) == 1
        assert again[0].error is None, str(again[0].error)
        assert again[0].document == message.document
        assert again[0].envelope.control_reference == message.envelope.control_reference
    assert written, "the file's own directory must hold what was read from it"
