"""`portal exchange records --json` names the partner and what an acknowledgement answers;
`portal order show NUMBER` shows an order with the files it travelled in."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

import edi
from portal.cli import main
from portal.exchange.worker import run_once
from portal.orders import service as orders
from tests.builders import build_scene
from tests.exchange.helpers import Partner, order_response, partner_scene


@pytest.fixture
def runner(database_url: str) -> CliRunner:
    return CliRunner(env={"PORTAL_DATABASE_URL": database_url})


def the_loop(factory: sessionmaker[Session], tmp_path: Path) -> tuple[Partner, str]:
    """An order goes out as ORDERS; the partner acknowledges it with a CONTRL and answers with an
    ORDRSP, which we acknowledge with a CONTRL of ours."""
    partner = partner_scene(factory, tmp_path)
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(4, 2))
    run_once(factory)
    [orders_file] = partner.received("ORDERS")
    decoded = edi.decode_all(orders_file.read_bytes())
    ack = edi.acknowledgement(decoded)
    assert ack is not None
    contrl = edi.encode_acknowledgement(decoded, ack, partner.envelope("300"))
    assert contrl is not None
    partner.drop("contrl-from-partner.edi", contrl)
    with partner.scene.uow() as uow:
        loaded = orders.load_order(uow, partner.scene.p("owner"), order.id)
    partner.send("ordrsp.edi", order_response(loaded, quantities={1: None, 2: Decimal(1)}), "301")
    run_once(factory)
    partner.scene.accept_changes(order)  # the buyer agrees to line 2's cut (issue #17's review)
    return partner, order.number


def test_records_json_names_the_partner_and_what_an_acknowledgement_answers(
    factory: sessionmaker[Session], tmp_path: Path, runner: CliRunner
) -> None:
    partner, _number = the_loop(factory, tmp_path)
    result = runner.invoke(main, ["exchange", "records", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["filename"]: row for row in json.loads(result.output)}
    supplier = partner.scene.orgs["supplier-a"]
    assert {json.dumps(row["organization"]) for row in rows.values()} == {
        json.dumps({"slug": supplier.slug, "name": supplier.name})
    }
    orders_name = next(name for name in rows if name.startswith("ORDERS_"))
    ours = next(row for name, row in rows.items() if name.startswith("CONTRL_"))
    assert ours["direction"] == "outbound"
    assert ours["answers"] == {
        "id": rows["ordrsp.edi"]["id"],
        "filename": "ordrsp.edi",
        "direction": "inbound",
    }
    assert rows["ordrsp.edi"]["acknowledged_by"] == ours["id"]
    theirs = rows["contrl-from-partner.edi"]
    assert theirs["state"] == "applied"
    assert theirs["answers"] == {
        "id": rows[orders_name]["id"],
        "filename": orders_name,
        "direction": "outbound",
    }
    assert rows[orders_name]["state"] == "acknowledged"
    assert rows[orders_name]["answers"] is None
    table = runner.invoke(main, ["exchange", "records"])
    assert table.exit_code == 0 and supplier.slug in table.output


def test_order_show_gives_status_lines_supplier_and_files(
    factory: sessionmaker[Session], tmp_path: Path, runner: CliRunner
) -> None:
    partner, number = the_loop(factory, tmp_path)
    result = runner.invoke(main, ["order", "show", number, "--json"])
    assert result.exit_code == 0, result.output
    shown: dict[str, Any] = json.loads(result.output)
    assert shown["number"] == number
    assert shown["status"] == "confirmed"
    assert shown["supplier"] == {"slug": "supplier-a", "name": partner.scene.orgs["supplier-a"].name}
    assert [(line["line"], line["ordered"], line["confirmed"]) for line in shown["lines"]] == [
        (1, "4.00", "4.00"),
        (2, "2.00", "1.00"),
    ] or [(line["line"], line["ordered"], line["confirmed"]) for line in shown["lines"]] == [
        (1, "4", "4"),
        (2, "2", "1"),
    ]
    files = [(row["direction"], row["filename"].split("_")[0]) for row in shown["exchange_records"]]
    assert files == [
        ("outbound", "ORDERS"),
        ("inbound", "contrl-from-partner.edi"),
        ("inbound", "ordrsp.edi"),
        ("outbound", "CONTRL"),
    ]
    text = runner.invoke(main, ["order", "show", number])
    assert text.exit_code == 0 and "confirmed" in text.output and "ordrsp.edi" in text.output


def test_order_show_of_an_unknown_number_says_so(
    factory: sessionmaker[Session], tmp_path: Path, runner: CliRunner
) -> None:
    partner_scene(factory, tmp_path)
    result = runner.invoke(main, ["order", "show", "SO-NOPE"])
    assert result.exit_code == 1
    assert "order SO-NOPE not found" in result.output


def test_profile_add_sets_what_becomes_of_invalid_einvoices(
    runner: CliRunner, factory: sessionmaker[Session], tmp_path: Path
) -> None:
    build_scene(factory)
    common = ("exchange", "profile", "add", "--transport", "folder", "--partner-id", "P1", "--our-id", "O1")
    added = runner.invoke(main, [*common, "--org", "supplier-a", "--root", str(tmp_path / "a")])
    assert added.exit_code == 0, added.output
    accepting = ("--org", "supplier-b", "--root", str(tmp_path / "b"), "--invalid-einvoices", "accept")
    added = runner.invoke(main, [*common, *accepting])
    assert added.exit_code == 0, added.output
    listed = json.loads(runner.invoke(main, ["exchange", "profile", "list", "--json"]).stdout)
    assert {row["organization"]: row["invalid_einvoices"] for row in listed} == {
        "supplier-a": "reject",
        "supplier-b": "accept",
    }
    wrong = runner.invoke(
        main, [*common, "--org", "dealer-group", "--root", "x", "--invalid-einvoices", "ignore"]
    )
    assert wrong.exit_code == 2 and "'ignore' is not one of 'reject', 'accept'" in wrong.output
