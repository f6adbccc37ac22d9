"""openTRANS ORDERCHANGE (issue #17): the line action without our UDX field (a dealer's system
writes none), the reversal by a negative QUANTITY, and what the decoder refuses."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest

from edi.documents import ChangeAction, OrderChange
from edi.errors import MappingError
from edi.xml.opentrans import decode, encode
from tests.edi.xml.opentrans.documents import CHANGE
from tests.edi.xml.opentrans.xsd import xsd_errors


def _without_udx(data: bytes) -> bytes:
    """What a dealer's ERP writes: the same items without our UDX field."""
    data = re.sub(rb"\s*<ITEM_UDX>.*?</ITEM_UDX>", b"", data, flags=re.DOTALL)
    assert b"UDX.ECRM" not in data
    return data


def _change(data: bytes) -> OrderChange:
    message = decode(data)
    assert message.ok, message.error
    assert isinstance(message.document, OrderChange)
    return message.document


def test_the_line_action_is_written_where_openTRANS_has_none() -> None:
    data = encode(CHANGE)
    assert xsd_errors(data) == []
    assert data.count(b"<UDX.ECRM.LINE_ACTION>") == 3
    assert b"<QUANTITY>-1.5</QUANTITY>" in data  # the cancelled line reversed, as openTRANS does it
    assert b"<ORDERCHANGE_SEQUENCE_ID>2</ORDERCHANGE_SEQUENCE_ID>" in data


def test_without_the_udx_field_a_reversal_cancels_and_anything_else_changes() -> None:
    data = _without_udx(encode(CHANGE))
    assert xsd_errors(data) == []
    change = _change(data)
    assert [(line.line_id, line.action, line.quantity) for line in change.lines] == [
        ("1", ChangeAction.CHANGED, Decimal(3)),
        ("2", ChangeAction.CANCELLED, Decimal("1.5")),
        ("3", ChangeAction.CHANGED, Decimal(4)),  # an added line cannot be told from a changed one
    ]


def test_a_cancellation_without_its_quantity_is_written_as_zero_and_read_back_so() -> None:
    line = dataclasses.replace(CHANGE.lines[1], quantity=None)
    data = encode(dataclasses.replace(CHANGE, lines=(line,)))
    assert b"<QUANTITY>0</QUANTITY>" in data
    assert _change(data).lines == (line,)
    assert _change(_without_udx(data)).lines == (line,)


def test_a_negative_quantity_on_a_changed_line_is_refused_naming_the_line() -> None:
    data = encode(CHANGE).replace(b"<QUANTITY>3</QUANTITY>", b"<QUANTITY>-3</QUANTITY>")
    message = decode(data)
    assert isinstance(message.error, MappingError)
    assert "QUANTITY -3 of line '1' (changed) must be more than zero" in message.error.message


@pytest.mark.parametrize(
    ("old", "new", "names"),
    [
        (b">added<", b">inserted<", "UDX.ECRM.LINE_ACTION 'inserted' is not one of"),
        (
            b"<ORDERCHANGE_SEQUENCE_ID>2<",
            b"<ORDERCHANGE_SEQUENCE_ID>two<",
            "ORDERCHANGE_SEQUENCE_ID 'two' is not a count",
        ),
        (b"<TOTAL_ITEM_NUM>3<", b"<TOTAL_ITEM_NUM>2<", "TOTAL_ITEM_NUM says 2 items"),
    ],
)
def test_content_faults_are_mapping_errors(old: bytes, new: bytes, names: str) -> None:
    data = encode(CHANGE)
    assert old in data
    message = decode(data.replace(old, new))
    assert isinstance(message.error, MappingError)
    assert names in message.error.message
    assert message.envelope.control_reference == "PO-1"  # the order it was about, for the ledger
