"""The public surface of ``edi.x12``: names, call shapes and format detection."""

from __future__ import annotations

import io

import edi.x12
from edi.documents import PurchaseOrder
from edi.x12 import decode, detect
from tests.edi.x12._build import interchange, purchase_order


def test_public_names_are_pinned() -> None:
    assert sorted(edi.x12.__all__) == [
        "ACK_TYPES",
        "DecodeResult",
        "Segment",
        "Separators",
        "SetInfo",
        "acknowledge",
        "acknowledge_all",
        "decode",
        "decode_all",
        "detect",
        "encode",
        "parse_segments",
        "read_isa",
        "serialize_segments",
    ]
    for name in edi.x12.__all__:
        assert getattr(edi.x12, name).__doc__ or name in ("ACK_TYPES", "Segment")


def test_decode_reads_a_binary_file_object_and_bytes_alike() -> None:
    data = interchange(purchase_order("0001"), purchase_order("0002"))
    from_bytes = [m.document for m in decode(data)]
    from_file = [m.document for m in decode(io.BytesIO(data))]
    assert from_bytes == from_file
    assert all(isinstance(d, PurchaseOrder) for d in from_file)
    assert len(from_file) == 2


def test_detect_names_the_first_transaction_set() -> None:
    assert detect(interchange(purchase_order())) == ("x12", "850")
    assert detect(b"  \n" + interchange(purchase_order()).replace(b"ST*850", b"ST*810")) == ("x12", "810")
    assert detect(b"") is None
