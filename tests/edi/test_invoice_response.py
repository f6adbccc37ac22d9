"""The buyer's decision on an invoice (issue #17.4): Peppol Invoice Response (UBL ApplicationResponse),
EDIFACT COMDIS and X12 824 write what they read; the UBL one is valid against the UBL 2.1 XSD and
reads the Peppol example; bad files fail with a position; formats without one refuse it by name."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import edi
import edi.documents as doc
from edi.errors import EdiError
from edi.xml.safe import parse_xml
from edi.xml.schemas import SchemaStore
from tests.edi.corpus import CORPUS

BUYER = doc.Party(name="Wärmewerk GmbH", gln="4012345000016")
SELLER = doc.Party(name="NordTec", gln="4023456000017")
ENVELOPES = {
    "edifact": doc.Envelope(
        "4012345000016", "4023456000017", "9", sender_qualifier="14", recipient_qualifier="14"
    ),
    "x12": doc.Envelope("OWNER", "NORDTEC", "9", sender_qualifier="ZZ", recipient_qualifier="ZZ"),
    "ubl": doc.Envelope("4012345000016", "4023456000017", "9"),
}
TYPES = {"edifact": "COMDIS", "x12": "824", "ubl": "ApplicationResponse"}
# what each format does not carry (see the codec modules' docstrings)
NOT_CARRIED: dict[str, dict[str, object]] = {
    "edifact": {"reason_code": None, "action_code": None},
    "x12": {"reason_code": None, "action_code": None, "invoice_type": "380"},
    "ubl": {},
}
Status = doc.InvoiceResponseStatus


def response(status: Status = Status.UNDER_QUERY, reason: str | None = None) -> doc.InvoiceResponse:
    return doc.InvoiceResponse(
        number="IR-17",
        issue_date=date(2030, 1, 12),
        status=status,
        invoice_number="INV-2030-0042",
        buyer=BUYER,
        seller=SELLER,
        invoice_date=date(2030, 1, 5),
        reason=reason or "Line 2 billed at 25.00, ordered at 15.50: please credit the difference",
        reason_code="PRI",
        action_code="CNA",
    )


def _read(data: bytes) -> doc.InvoiceResponse:
    decoded = edi.decode_all(data)
    assert decoded.error is None
    (message,) = decoded.messages
    assert message.error is None and message.warnings == ()
    assert isinstance(message.document, doc.InvoiceResponse)
    return message.document


@pytest.mark.parametrize("fmt", ["edifact", "x12", "ubl"])
@pytest.mark.parametrize("status", [Status.UNDER_QUERY, Status.REJECTED, Status.APPROVED])
def test_an_invoice_response_reads_back_as_written(fmt: str, status: Status) -> None:
    written = response(status)
    data = edi.encode(written, format=fmt, envelope=ENVELOPES[fmt])
    assert edi.detect(data).message_type == TYPES[fmt]
    assert _read(data) == replace(written, **NOT_CARRIED[fmt])  # type: ignore[arg-type]
    assert edi.check_elements(data) == []


def test_the_comdis_names_the_invoice_its_decision_and_the_reason() -> None:
    text = edi.encode(response(Status.REJECTED), format="edifact", envelope=ENVELOPES["edifact"]).decode(
        "latin-1"
    )
    assert "UNH+1+COMDIS:D:96A:UN:EAN001'BGM+67+IR-17+9'DTM+137:20300112:102'RFF+IV:INV-2030-0042'" in text
    assert "NAD+BY+4012345000016::9++Wärmewerk GmbH'NAD+SU+4023456000017::9++NordTec'" in text
    assert "DOC+380+INV-2030-0042:8'DTM+137:20300105:102'AJT+9'FTX+ACE+++Line 2 billed at 25.00" in text


def test_a_long_dispute_reason_is_spread_over_several_ftx_and_read_whole() -> None:
    reason = " ".join(f"word{i}" for i in range(150))  # about 1,000 characters
    data = edi.encode(response(reason=reason), format="edifact", envelope=ENVELOPES["edifact"])
    assert data.count(b"FTX+ACE") == 4  # 1,040 characters in lines of up to 70, five to an FTX
    assert _read(data).reason == reason


def test_the_824_keeps_the_reason_whole_in_nte_and_its_start_in_ted() -> None:
    reason = "Quantity 10 billed, 8 received (see goods receipt WE-12); * and ~ are separators here"
    data = edi.encode(response(reason=reason), format="x12", envelope=ENVELOPES["x12"]).decode()
    assert "OTI*TE*IV*INV-2030-0042~DTM*003*20300105~TED*848*Quantity 10 billed" in data
    assert "NTE*GEN*" in data
    assert _read(data.encode()).reason == " ".join(reason.replace("*", " ").replace("~", " ").split())


def test_the_ubl_invoice_response_is_valid_against_the_ubl_21_schema() -> None:
    data = edi.encode(response(), format="ubl", envelope=ENVELOPES["ubl"])
    root = parse_xml(data)
    store = SchemaStore(CORPUS / "xml")
    assert store.locate(root).name == "UBL-ApplicationResponse-2.1.xsd"
    store.validate(root)
    text = data.decode()
    assert (
        "<cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:invoice_response:3</cbc:CustomizationID>" in text
    )
    assert '<cbc:StatusReasonCode listID="OPStatusReason">PRI</cbc:StatusReasonCode>' in text
    assert '<cbc:StatusReasonCode listID="OPStatusAction">CNA</cbc:StatusReasonCode>' in text


def test_the_peppol_example_reads_as_an_invoice_response_and_a_message_level_response_does_not() -> None:
    folder = CORPUS.parent / "conformance" / "peppol-poacc"
    if not folder.is_dir():
        pytest.skip("conformance files not present")
    example = _read((folder / "InvoiceResponse_Example.xml").read_bytes())
    assert (example.status, example.invoice_number, example.invoice_date) == (
        Status.REJECTED,
        "inv021",
        date(2018, 9, 22),
    )
    assert (example.reason, example.action_code, example.buyer.gln) == (
        "VAT Reference not found",
        "NOA",
        "5798000012349",
    )
    mlr = edi.decode_all((folder / "MessageLevelResponse_Example.xml").read_bytes()).messages[0]
    assert isinstance(mlr.document, doc.Acknowledgement)


WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzÄÖÜäöüß0123456789.,:'?!()/-", min_size=1, max_size=15),
    min_size=1,
    max_size=60,
).map(" ".join)
NUMBERS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/", min_size=1, max_size=20)
DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
CARRIED = {
    "edifact": [Status.UNDER_QUERY, Status.REJECTED, Status.APPROVED, Status.CONDITIONALLY_ACCEPTED],
    "x12": [Status.UNDER_QUERY, Status.REJECTED, Status.APPROVED, Status.CONDITIONALLY_ACCEPTED],
    "ubl": list(Status),
}


@settings(max_examples=60, deadline=None)
@given(data=st.data(), fmt=st.sampled_from(["edifact", "x12", "ubl"]))
def test_any_invoice_response_round_trips(data: st.DataObject, fmt: str) -> None:
    written = doc.InvoiceResponse(
        number=data.draw(NUMBERS),
        issue_date=data.draw(DATES),
        status=data.draw(st.sampled_from(CARRIED[fmt])),
        invoice_number=data.draw(NUMBERS),
        buyer=BUYER,
        seller=SELLER,
        invoice_date=data.draw(st.none() | DATES),
        invoice_type=data.draw(st.sampled_from(["380", "381", "383"])),
        reason=data.draw(st.none() | WORDS),
        reason_code=data.draw(st.none() | st.sampled_from(["REF", "PRI", "QTY", "OTH"])),
        action_code=data.draw(st.none() | st.sampled_from(["NOA", "PIN", "NIN", "CNA"])),
    )
    assert _read(edi.encode(written, format=fmt, envelope=ENVELOPES[fmt])) == replace(
        written,
        **NOT_CARRIED[fmt],  # type: ignore[arg-type]
    )


def test_a_comdis_without_the_disputed_invoice_fails_with_its_position() -> None:
    data = edi.encode(response(), format="edifact", envelope=ENVELOPES["edifact"])
    broken = data.replace(b"RFF+IV:INV-2030-0042'", b"").replace(b"DOC+380+INV-2030-0042'", b"DOC+380'")
    broken = broken.replace(b"UNT+11+", b"UNT+10+")
    (message,) = edi.decode_all(broken).messages
    assert isinstance(message.error, EdiError)
    assert "DOC disputed document" in str(message.error)


def test_an_824_without_an_invoice_number_fails_at_the_oti() -> None:
    data = edi.encode(response(), format="x12", envelope=ENVELOPES["x12"]).decode()
    broken = data.replace("OTI*TE*IV*INV-2030-0042~", "OTI*TE*IV~")
    (message,) = edi.decode_all(broken.encode()).messages
    assert message.error is not None and "OTI03" in str(message.error)
    assert message.error.position is not None and message.error.position.segment_tag == "OTI"


@pytest.mark.parametrize("status", [Status.PAID, Status.IN_PROCESS, Status.ACKNOWLEDGED])
@pytest.mark.parametrize("fmt", ["edifact", "x12"])
def test_edifact_and_x12_refuse_a_decision_they_have_no_form_for(fmt: str, status: Status) -> None:
    with pytest.raises(EdiError, match=f"invoice response {status.value}"):
        edi.encode(response(status), format=fmt, envelope=ENVELOPES[fmt])


@pytest.mark.parametrize("fmt", ["cii", "opentrans"])
def test_formats_without_an_invoice_response_refuse_it(fmt: str) -> None:
    with pytest.raises(EdiError, match="InvoiceResponse"):
        edi.encode(response(), format=fmt, envelope=ENVELOPES["ubl"])
