"""The whole exchange loop with real processes: `portal serve`, `portal exchange run` and `portal
exchange simulate` (the supplier NordTec on a folder profile). An order created and routed over
GraphQL (HTTP) comes back confirmed, shipped and invoiced, and GraphQL shows it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.web.live import serve

OWNER = {"Authorization": "Bearer ptk_demo_waermewerk_owner"}
SUPPLIER = {"Authorization": "Bearer ptk_demo_nordtec_supplier"}


def portal(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "portal.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@contextmanager
def background(env: dict[str, str], log: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "portal.cli", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def gql(base: str, headers: dict[str, str], query: str, **variables: Any) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - our own server
        f"{base}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={**headers, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server
        body: dict[str, Any] = json.loads(response.read())
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


ORDER = """query($id: ID!) { node(id: $id) { ... on Order { number status
  lines { lineNo response quantityOrdered quantityConfirmed quantityShipped quantityInvoiced }
  shipments { number carrier } invoices { number grossTotal matchStatus } } } }"""


@pytest.mark.slow
def test_routed_order_comes_back_confirmed_shipped_and_invoiced(
    empty_database_url: str, tmp_path: Path
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PORTAL_DATABASE_URL": empty_database_url,
        "PORTAL_DATA_DIR": str(tmp_path / "var"),
    }
    portal(env, "seed", "demo", "--scale", "0.02")
    root = tmp_path / "var" / "exchange" / "nordtec"
    portal(
        env,
        *("exchange", "profile", "add", "--org", "nordtec", "--transport", "folder", "--root", str(root)),
        *("--format", "edifact", "--partner-id", "4023456000017", "--our-id", "4012345000016"),
    )
    with ExitStack() as stack:
        base = stack.enter_context(serve(empty_database_url))
        worker = stack.enter_context(
            background(env, tmp_path / "worker.log", "exchange", "run", "--interval", "0.5")
        )
        simulator = stack.enter_context(
            background(
                env,
                tmp_path / "simulator.log",
                *("exchange", "simulate", "--profile", "nordtec", "--delay", "1", "--poll", "0.2"),
                *("--seed", "4", "--change-rate", "0.5", "--reject-rate", "0"),
            )
        )
        customer = gql(base, OWNER, "{ customers(first: 1) { nodes { id } } }")["customers"]["nodes"][0]["id"]
        nordtec = gql(base, OWNER, '{ organizations(filter: {nameContains: "NordTec"}) { nodes { id } } }')
        created = gql(
            base,
            OWNER,
            """mutation($input: CreateOrderInput!) { createOrder(input: $input) {
                 order { id } userErrors { message } } }""",
            input={
                "customer": customer,
                "lines": [{"sku": "WW-1000", "quantity": "10"}, {"sku": "WW-1003", "quantity": "6"}],
            },
        )["createOrder"]
        assert created["userErrors"] == [], created
        order_id = created["order"]["id"]
        routed = gql(
            base,
            OWNER,
            "mutation($input: RouteOrderInput!) { routeOrder(input: $input) { userErrors { message } } }",
            input={"order": order_id, "supplier": nordtec["organizations"]["nodes"][0]["id"]},
        )
        assert routed["routeOrder"]["userErrors"] == []

        seen = []
        deadline = time.monotonic() + 90
        while True:
            order = gql(base, SUPPLIER, ORDER, id=order_id)["node"]
            if not seen or seen[-1] != order["status"]:
                seen.append(order["status"])
            if order["status"] == "INVOICED":
                break
            for process, name in ((worker, "worker"), (simulator, "simulator")):
                assert process.poll() is None, (tmp_path / f"{name}.log").read_text()[-3000:]
            if time.monotonic() > deadline:
                pytest.fail(
                    f"statuses {seen}\n{(tmp_path / 'worker.log').read_text()[-3000:]}\n"
                    f"{(tmp_path / 'simulator.log').read_text()[-3000:]}"
                )
            time.sleep(0.2)  # polling the server with a deadline
    assert {line["response"] for line in order["lines"]} <= {"ACCEPTED", "CHANGED"}
    for line in order["lines"]:
        assert line["quantityShipped"] == line["quantityInvoiced"] == line["quantityConfirmed"], line
    [shipment] = order["shipments"]
    [invoice] = order["invoices"]
    assert shipment["number"] == f"LS-{order['number']}"
    assert invoice["number"] == f"RE-{order['number']}" and invoice["matchStatus"] == "MATCHED"
    log = (tmp_path / "simulator.log").read_text()
    assert f"order {order['number']} received" in log
