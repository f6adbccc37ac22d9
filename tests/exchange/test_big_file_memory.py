"""A big EDIFACT or X12 file is processed message by message (issue #12 item 4): the worker never holds
every decoded document of the file at once (they take about five times the file), only the file, one
message's document and each message's result. Measured with tracemalloc around the processing of one
stored file of several megabytes; the ledger still records every message and the acknowledgement."""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import edi
from adapters import FetchedFile
from portal.exchange import contents, inbound
from portal.models import ExchangeProfile, ExchangeRecord, RecordState
from tests.exchange.helpers import OWNER_GLN, SUPPLIER_GLN, partner_scene

MB = 1024 * 1024
LINES = 150  # long messages: the decoding dominates, not the savepoint of each message


def edifact_orders(messages: int) -> bytes:
    """An interchange of ``messages`` ORDERS from the partner (a supplier sends no orders, so each
    message is refused: what costs here is decoding and the per-message work, not new orders)."""
    parts = [f"UNA:+.? 'UNB+UNOC:3+{SUPPLIER_GLN}:14+{OWNER_GLN}:14+260101:1200+BIG1'"]
    for m in range(1, messages + 1):
        body = [
            f"UNH+{m}+ORDERS:D:96A:UN:EAN008'",
            f"BGM+220+PO{m:08d}+9'",
            "DTM+137:20260101:102'",
            f"NAD+BY+{OWNER_GLN}::9'",
            f"NAD+SU+{SUPPLIER_GLN}::9'",
            "CUX+2:EUR:9'",
        ]
        for n in range(1, LINES + 1):
            body += [
                f"LIN+{n}++40123450000{n % 100:02d}:EN'",
                f"PIA+5+ART{n}:SA+B{n}:IN'",
                f"IMD+F++:::Article number {n} with a longer description'",
                f"QTY+21:{n * 3}'",
                f"PRI+AAA:{n}.25'",
            ]
        body += ["UNS+S'", f"CNT+2:{LINES}'"]
        parts += body
        parts.append(f"UNT+{len(body) + 1}+{m}'")
    parts.append(f"UNZ+{messages}+BIG1'")
    return "".join(parts).encode("latin-1")


def x12_850s(sets: int) -> bytes:
    """An interchange of ``sets`` 850 purchase orders from the partner (refused, as above)."""
    segs = [
        f"ISA*00*          *00*          *ZZ*{SUPPLIER_GLN:<15}*ZZ*{OWNER_GLN:<15}*260101*1200*U*00401*"
        "000000001*0*P*>",
        f"GS*PO*{SUPPLIER_GLN}*{OWNER_GLN}*20260101*1200*1*X*004010",
    ]
    for s in range(1, sets + 1):
        body = [f"ST*850*{s:04d}", f"BEG*00*SA*PO{s:06d}**20260101", "CUR*BY*EUR"]
        for n in range(1, LINES + 1):
            body.append(f"PO1*{n}*{n + 2}*EA*{n}.95**UP*0{s % 1000:05d}{n:06d}*VN*ART{n}*BP*B{n}")
            body.append(f"PID*F****WIDGET NUMBER {n} WITH A LONGER DESCRIPTION")
        body.append(f"CTT*{LINES}")
        body.append(f"SE*{len(body) + 1}*{s:04d}")
        segs += body
    segs += [f"GE*{sets}*1", "IEA*1*000000001"]
    return ("~\n".join(segs) + "~\n").encode("ascii")


FILES = {"edifact": (edifact_orders, "CONTRL"), "x12": (x12_850s, "997")}


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_a_big_file_is_processed_in_memory_of_about_its_own_size(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str
) -> None:
    make, ack_type = FILES[fmt]
    count = 600
    data = make(count)
    size = len(data)
    assert size > 6 * MB
    # What holding every document costs (the worker did this before it streamed): several times
    # the file, so the bound below can only hold when the documents are let go one by one. Measured
    # on a third of the messages and scaled to the file: the messages are alike, so the documents
    # grow with the bytes (5x for EDIFACT, 4x for X12 at 200 and at 600 messages), and decoding the
    # whole file under tracemalloc took as long as the rest of the test.
    part = make(count // 3)
    tracemalloc.start()
    try:
        whole = edi.decode_all(part)
        _, part_documents = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(whole.messages) == count // 3 and whole.messages[0].document is not None
    del whole
    assert part_documents > 3 * len(part)
    all_documents = part_documents * size / len(part)

    partner_scene(factory, tmp_path, fmt)
    with factory() as session:
        profile = session.scalars(select(ExchangeProfile)).one()
    fetched = FetchedFile("big." + fmt, data, size, hashlib.sha256(data).hexdigest())
    assert inbound.store(factory, profile, fetched) == "stored"
    del fetched, data

    tracemalloc.start()
    try:
        processed = inbound.process_pending(factory)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert processed == 1
    # A chunk of the stored file at a time, one document, the results: less than the file (about
    # 0.8x here, most of it fixed costs), where holding every document took about 6x.
    assert peak < 1.5 * size, f"peak {peak / MB:.1f} MB for a {size / MB:.1f} MB file"
    assert peak < all_documents / 2
    with factory() as session:
        rec = session.scalars(select(ExchangeRecord).where(ExchangeRecord.filename == "big." + fmt)).one()
        assert rec.state is RecordState.FAILED  # every message refused: a supplier sends no orders
        assert len(rec.messages) == count
        assert rec.messages[0]["reference"] in ("1", "0001")
        assert rec.messages[-1]["reference"] in (str(count), f"{count:04d}")
        assert all(not m["ok"] and "PurchaseOrder is not accepted" in str(m["error"]) for m in rec.messages)
        assert rec.error is not None and rec.error.startswith(f"message {rec.messages[0]['reference']}: ")
        assert 900 < len(rec.error) <= 1000  # the reasons of the first messages, cut to the ledger's size
        assert rec.ack_record_id is not None
        ack_rec = session.get_one(ExchangeRecord, rec.ack_record_id)
        assert ack_rec.message_type == ack_type
        ack = edi.decode_all(contents.read_all(session, ack_rec.id)).messages[0].document
    assert isinstance(ack, edi.documents.Acknowledgement)
    # Every message acknowledged from the summaries: accepted, its syntax was right.
    assert [m.message_reference for m in ack.messages] == [m["reference"] for m in rec.messages]
    assert {m.status for m in ack.messages} == {edi.documents.AckStatus.ACCEPTED}
