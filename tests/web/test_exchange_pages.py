"""'EDI messages': a partner's files, their download and reprocessing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.exchange import contents
from portal.models import Direction, ExchangeLink, ExchangeRecord, RecordState
from tests.web.conftest import WebWorld, post_form


def add_failed_file(world: WebWorld) -> int:
    with world.scene.uow() as uow:
        record = ExchangeRecord(
            organization_id=world.scene.orgs["supplier-a"].id,
            direction=Direction.INBOUND,
            state=RecordState.FAILED,
            filename="DESADV_4711.edi",
            size=9,
            sha256="d" * 64,
            messages=[{"reference": "1", "type": "DESADV", "ok": False, "error": "order SO-1 not found"}],
            error="message 1: order SO-1 not found",
        )
        uow.session.add(record)
        uow.flush()
        contents.save(uow.session, record.id, b"UNA:+.? '")
        return record.id


def test_supplier_lists_opens_and_downloads_its_file(world: WebWorld) -> None:
    record_id = add_failed_file(world)
    client = world.client("supplier-a")
    listing = client.get("/exchange")
    assert listing.status_code == 200
    assert "DESADV_4711.edi" in listing.text
    detail = client.get(f"/exchange/{record_id}")
    assert "order SO-1 not found" in detail.text
    download = client.get(f"/exchange/{record_id}/download")
    assert download.content == b"UNA:+.? '"
    assert "attachment" in download.headers["content-disposition"]
    export = client.get("/exchange.csv")
    assert "DESADV_4711.edi" in export.text


def test_the_download_streams_the_file_chunk_by_chunk_each_in_a_session_of_its_own(
    world: WebWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_id = add_failed_file(world)
    reads: list[tuple[Session, int, int]] = []  # the sessions kept, so their ids differ
    read_chunk = contents.read_chunk

    def counted(session: Session, ident: int, offset: int, length: int, **table: Any) -> bytes:
        reads.append((session, ident, offset))
        return read_chunk(session, ident, offset, length, **table)

    monkeypatch.setattr(contents, "CHUNK", 4)
    monkeypatch.setattr(contents, "read_chunk", counted)
    download = world.client("supplier-a").get(f"/exchange/{record_id}/download")
    assert download.status_code == 200
    assert download.content == b"UNA:+.? '"
    assert download.headers["content-length"] == "9"
    assert [(ident, offset) for _, ident, offset in reads] == [(record_id, 0), (record_id, 4), (record_id, 8)]
    assert len({id(session) for session, _, _ in reads}) == 3
    # Another partner's file is not there at all: nothing of it is read.
    reads.clear()
    assert world.client("supplier-b").get(f"/exchange/{record_id}/download").status_code == 404
    assert reads == []


def test_owner_reprocesses_a_failed_file_and_the_page_says_so(world: WebWorld) -> None:
    record_id = add_failed_file(world)
    client = world.client("owner")
    response = post_form(client, f"/exchange/{record_id}", f"/exchange/{record_id}/reprocess", {})
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = client.get(f"/exchange/{record_id}")
    assert "Received" in page.text
    # Still received (no worker ran): staff may discard it instead; then neither button is left.
    response = post_form(client, f"/exchange/{record_id}", f"/exchange/{record_id}/discard", {})
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = client.get(f"/exchange/{record_id}")
    assert "Discarded" in page.text
    assert "Process again" not in page.text
    assert "/discard" not in page.text


def test_a_partner_sees_neither_button_for_its_received_file_nor_may_discard(world: WebWorld) -> None:
    record_id = add_failed_file(world)
    client = world.client("supplier-a")
    page = client.get(f"/exchange/{record_id}")
    assert "/discard" not in page.text
    response = post_form(client, f"/exchange/{record_id}", f"/exchange/{record_id}/discard", {})
    assert response.status_code == 403  # type: ignore[attr-defined]


def test_german_page_is_german(world: WebWorld) -> None:
    add_failed_file(world)
    page = world.client("supplier-a").get("/exchange", headers={"accept-language": "de"})
    assert "EDI-Nachrichten" in page.text
    assert "Fehlgeschlagen" in page.text


def test_owner_admin_creates_an_exchange_profile_and_bad_input_names_the_field(world: WebWorld) -> None:
    client = world.client("owner")
    supplier = str(world.scene.orgs["supplier-b"].id)
    bad = post_form(
        client,
        "/admin/exchange",
        "/admin/exchange",
        {
            "organization_id": supplier,
            "transport": "folder",
            "format": "edifact",
            "root": "",
            "partner_id": "4000000000017",
            "our_id": "4012345000016",
        },
    )
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert 'id="f-root"' in bad.text and 'aria-invalid="true" aria-describedby="root-error"' in bad.text  # type: ignore[attr-defined]
    good = post_form(
        client,
        "/admin/exchange",
        "/admin/exchange",
        {
            "organization_id": supplier,
            "transport": "folder",
            "format": "x12",
            "root": "/srv/edi/b",
            "partner_id": "4000000000017",
            "our_id": "4012345000016",
        },
    )
    assert good.status_code == 303  # type: ignore[attr-defined]
    assert "/srv/edi/b" in client.get("/admin/exchange").text


def test_only_owner_admins_reach_the_profiles(world: WebWorld) -> None:
    for who in ("supplier-a", "dealer-other"):
        assert world.client(who).get("/admin/exchange").status_code == 403


def test_a_files_page_names_its_orders_by_number_not_by_id(world: WebWorld) -> None:
    customer = world.scene.customer(shared_with=("dealer-group",))
    order = world.scene.order(customer, by="dealer-group", supplier="supplier-a")
    record_id = add_failed_file(world)
    with world.scene.uow() as uow:
        uow.session.add(ExchangeLink(record_id=record_id, entity="order", entity_id=order.id))
    page = world.client("supplier-a").get(f"/exchange/{record_id}", params={"lang": "en"}).text
    assert f'<a href="/orders/{order.id}">Order {order.number}</a>' in page
    assert "Touched" not in page


def test_an_einvoice_files_page_lists_its_scenario_and_findings_in_german(world: WebWorld) -> None:
    finding = {
        "rule": "BR-DE-3",
        "flag": "fatal",
        "message": "BR-DE-3: Seller city (BT-37) must be given.",
        "location": "/Invoice[1]/AccountingSupplierParty[1]/Party[1]/PostalAddress[1]",
    }
    with world.scene.uow() as uow:
        record = ExchangeRecord(
            organization_id=world.scene.orgs["supplier-a"].id,
            direction=Direction.INBOUND,
            state=RecordState.APPLIED,
            filename="inv.xml",
            size=4,
            sha256="e" * 64,
            messages=[
                {
                    "reference": "1",
                    "type": "Invoice",
                    "ok": True,
                    "error": None,
                    "scenario": "XRechnung 3.0 (UBL Invoice)",
                    "findings": [finding],
                    "finding_count": 1,
                }
            ],
        )
        uow.session.add(record)
        uow.flush()
        record_id = record.id
    page = world.client("supplier-a").get(f"/exchange/{record_id}", headers={"accept-language": "de"})
    assert "Prüfszenario: XRechnung 3.0 (UBL Invoice)" in page.text
    assert "<code>BR-DE-3</code>" in page.text
    # our own summary of the XRechnung rule, in the reader's language (#17)
    assert "BR-DE-3: Der Ort des Verkäufers (BT-37) muss angegeben sein." in page.text
    assert "Seller city" not in page.text
    assert 'data-label="Stufe">Schwerwiegend</td>' in page.text  # the level in German, labelled on a phone


def test_the_profile_form_sets_what_becomes_of_invalid_einvoices(world: WebWorld) -> None:
    client = world.client("owner")
    form = client.get("/admin/exchange").text
    assert 'name="invalid_einvoices"' in form and '<option value="reject" selected>' in form
    made = post_form(
        client,
        "/admin/exchange",
        "/admin/exchange",
        {
            "organization_id": str(world.scene.orgs["supplier-b"].id),
            "transport": "folder",
            "format": "ubl",
            "root": "/srv/edi/b",
            "partner_id": "4000000000017",
            "our_id": "4012345000016",
            "invalid_einvoices": "accept",
        },
    )
    assert made.status_code == 303  # type: ignore[attr-defined]
    assert "accepted with findings" in client.get("/admin/exchange").text
