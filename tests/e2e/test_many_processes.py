"""Production's shape: several `portal serve` processes and several `portal exchange run` workers on
one PostgreSQL (docs/deploy.md). Two serve processes on two ports, as on two cores or behind one
load balancer, started without PORTAL_SECRET_KEY on one data folder (the key kept there), and two
workers polling one partner's inbox:

- a login on one process holds on the other, and a logout on the other ends it on the first;
- a login form fetched from one process may be sent to the other, and failed logins count once
  across both: the throttle refuses the next attempt on either;
- a subscription on one process, authenticated by a login made on the other, sees a change made
  through the other;
- two workers apply each inbound file exactly once while both servers run.

``portal serve --workers 2`` is checked on its own: both of its processes accept connections, and a
login made through one is honoured by the other.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx2
import pytest
from sqlalchemy import func, select
from websockets.sync.client import ClientConnection, connect

from portal.db import make_engine, make_sessionmaker
from portal.gql.ids import encode_id
from portal.models import Event, ExchangeRecord, RecordState
from portal.orders import service as orders
from portal.web.sessions import SESSION_COOKIE
from tests.builders import build_scene
from tests.changefeed import TIMEOUT as FEED_TIMEOUT
from tests.changefeed import settle
from tests.e2e.server import PG_URL, Server, World, portal_serve, private_database
from tests.exchange.helpers import Partner, order_response, partner_scene
from tests.web.conftest import PASSWORD, add_users

pytestmark = pytest.mark.slow

NEEDS_POSTGRES = pytest.mark.skipif(
    PG_URL is None,
    reason="several processes on one database are PostgreSQL's deployment: SQLite takes one writer at "
    "a time and has no SKIP LOCKED for the workers (set PORTAL_TEST_DATABASE_URL)",
)
PORTAL = str(Path(sys.executable).parent / "portal")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
ORDER_EVENTS = "subscription($after: String) { orderEvents(after: $after) { kind entityId operation } }"
CONFIRM = "mutation($i: ConfirmOrderInput!) { confirmOrder(input: $i) { userErrors { message } } }"


@dataclass
class Cluster:
    world: World
    partner: Partner
    a: Server
    b: Server
    workers: list[subprocess.Popen[bytes]]
    logs: list[Path]

    def worker_logs(self) -> str:
        return "\n".join(log.read_text(errors="replace")[-2000:] for log in self.logs)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if PG_URL is None:
        pytest.skip(NEEDS_POSTGRES.kwargs["reason"])
    tmp = Path(tmp_path_factory.mktemp("cluster"))
    data = {"PORTAL_DATA_DIR": str(tmp / "data")}  # one data folder, as on one machine
    with private_database(tmp) as url, ExitStack() as stack:
        engine = make_engine(url)
        stack.callback(engine.dispose)
        factory = make_sessionmaker(engine)
        partner = partner_scene(factory, tmp / "partner")
        add_users(factory, partner.scene)
        world = World(url, engine, factory, partner.scene)
        a = stack.enter_context(portal_serve(url, tmp, env=data, secret_key=None))
        b = stack.enter_context(portal_serve(url, tmp, env=data, secret_key=None))
        workers, logs = [], []
        for n in range(2):
            logs.append(tmp / f"worker-{n}.log")
            workers.append(stack.enter_context(exchange_worker(url, logs[-1])))
        yield Cluster(world, partner, a, b, workers, logs)


@contextmanager
def exchange_worker(url: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "PORTAL_DATABASE_URL": url}
    env.pop("PORTAL_EXCHANGE_CRASH_AT", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [PORTAL, "exchange", "run", "--interval", "0.2"], env=env, stdout=out, stderr=subprocess.STDOUT
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


def csrf(response: httpx2.Response) -> str:
    match = CSRF.search(response.text)
    assert match, response.text[:500]
    return match.group(1)


def try_login(client: httpx2.Client, form_from: Server, post_to: Server, email: str, password: str) -> int:
    """The login form fetched from one process, sent to another (a load balancer may do that)."""
    token = csrf(client.get(f"{form_from.base}/login"))
    response = client.post(
        f"{post_to.base}/login", data={"csrf": token, "email": email, "password": password, "next": "/"}
    )
    return response.status_code


def logged_in_cookie(form_from: Server, post_to: Server, email: str) -> str:
    with httpx2.Client(follow_redirects=False, timeout=30) as client:
        assert try_login(client, form_from, post_to, email, PASSWORD) == 303
        cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie
    return cookie


@NEEDS_POSTGRES
def test_a_login_on_one_process_holds_on_the_other_and_a_logout_there_ends_it(cluster: Cluster) -> None:
    a, b = cluster.a, cluster.b
    cookie = logged_in_cookie(a, a, "owner@example.test")
    with httpx2.Client(follow_redirects=False, timeout=30, cookies={SESSION_COOKIE: cookie}) as on_b:
        start = on_b.get(f"{b.base}/")
        assert start.status_code == 200, start.headers.get("location")
        assert "Owner User" in start.text
        assert on_b.post(f"{b.base}/logout", data={"csrf": csrf(start)}).status_code == 303
    with httpx2.Client(follow_redirects=False, timeout=30, cookies={SESSION_COOKIE: cookie}) as on_a:
        after = on_a.get(f"{a.base}/")
    assert after.status_code == 303 and after.headers["location"] == "/login"


@NEEDS_POSTGRES
def test_failed_logins_count_once_across_both_processes(cluster: Cluster) -> None:
    a, b = cluster.a, cluster.b
    email = "dealer-other@example.test"
    statuses = []
    with httpx2.Client(follow_redirects=False, timeout=30) as client:
        for n in range(6):  # the account's limit is five failures
            form_from, post_to = (a, b) if n % 2 == 0 else (b, a)
            statuses.append(try_login(client, form_from, post_to, email, "a wrong guess"))
        statuses.append(try_login(client, a, b, email, PASSWORD))  # now even the right one waits
        statuses.append(try_login(client, b, a, email, PASSWORD))
    assert statuses == [400] * 5 + [429] * 3


def latest_cursor(server: Server, token: str) -> str:
    after = None
    while True:
        body = httpx2.post(
            f"{server.base}/graphql",
            json={
                "query": "query($after: String) { changes(first: 500, after: $after) { endCursor hasMore } }",
                "variables": {"after": after},
            },
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
        page = body["data"]["changes"]
        after = page["endCursor"]
        if not page["hasMore"]:
            return str(after)


@contextmanager
def subscribe_with_cookie(
    server: Server, cookie: str, query: str, variables: dict[str, Any]
) -> Iterator[ClientConnection]:
    with connect(
        server.ws,
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers={"Cookie": f"{SESSION_COOKIE}={cookie}"},
        open_timeout=10,
    ) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        ack = json.loads(ws.recv(timeout=10))
        assert ack["type"] == "connection_ack", ack
        ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}})
        )
        yield ws


@NEEDS_POSTGRES
def test_a_subscription_on_one_process_sees_a_change_made_through_the_other(cluster: Cluster) -> None:
    w, a, b = cluster.world, cluster.a, cluster.b
    s = w.scene
    order = s.order(s.customer("Becker KG", shared_with=("dealer-branch",)), supplier="supplier-a")
    cookie = logged_in_cookie(b, b, "supplier-a@example.test")  # the supplier's user, logged in on B
    settle(w.engine)
    after = latest_cursor(a, w.token("owner"))
    with subscribe_with_cookie(a, cookie, ORDER_EVENTS, {"after": after}) as ws:
        lines = [{"lineNo": 1, "action": "ACCEPT"}, {"lineNo": 2, "action": "ACCEPT"}]
        response = httpx2.post(
            f"{b.base}/graphql",
            json={
                "query": CONFIRM,
                "variables": {"i": {"order": encode_id("Order", order.id), "lines": lines}},
            },
            headers={"Authorization": f"Bearer {w.token('supplier-a')}"},
            timeout=30,
        )
        assert response.json()["data"] == {"confirmOrder": {"userErrors": []}}
        message = json.loads(ws.recv(timeout=FEED_TIMEOUT))  # the feed may wait for others' transactions
    assert message["type"] == "next", message
    assert message["payload"]["data"]["orderEvents"] == {
        "kind": "order.confirmed",
        "entityId": encode_id("Order", order.id),
        "operation": "UPSERT",
    }


@NEEDS_POSTGRES
def test_two_workers_apply_each_inbound_file_once_while_both_servers_serve(cluster: Cluster) -> None:
    partner, s = cluster.partner, cluster.partner.scene
    customer = s.customer("Wagner OHG")
    owner, supplier_id = s.p("owner"), s.orgs["supplier-a"].id
    files = 30
    with s.uow() as uow:
        created = [
            orders.create_order(
                uow=uow,
                principal=owner,
                customer_id=customer.id,
                lines=[orders.NewOrderLine(sku="P-100", quantity=Decimal(2))],
            )
            for _ in range(files)
        ]
        for order in created:
            orders.route_order(uow=uow, principal=owner, order_id=order.id, supplier_id=supplier_id)
        order_ids = sorted(order.id for order in created)
        for n, order in enumerate(created):
            partner.send(
                f"w{n:03d}.edi", order_response(order, quantities={1: None}, number=f"W{n}"), str(5000 + n)
            )
    factory = cluster.world.factory
    mine = ExchangeRecord.filename.like("w%.edi")
    deadline = time.monotonic() + 120
    while True:
        with factory() as session:
            applied = session.scalar(
                select(func.count()).where(mine, ExchangeRecord.state == RecordState.APPLIED)
            )
        if applied == files:
            break
        assert all(worker.poll() is None for worker in cluster.workers), cluster.worker_logs()
        assert time.monotonic() < deadline, f"{applied} of {files} applied: {cluster.worker_logs()}"
        time.sleep(0.2)  # polling the ledger until the workers are done, with a deadline
    with factory() as session:
        records = session.scalar(select(func.count()).where(mine, ExchangeRecord.direction == "inbound"))
        confirmed = session.execute(
            select(Event.entity_id, func.count())
            .where(Event.kind == "order.confirmed", Event.entity_id.in_(order_ids))
            .group_by(Event.entity_id)
        ).all()
    assert records == files
    assert sorted(entity for entity, _ in confirmed) == order_ids
    assert {count for _, count in confirmed} == {1}
    for server in (cluster.a, cluster.b):
        assert httpx2.get(f"{server.base}/healthz", timeout=10).status_code == 200


# --- portal serve --workers 2 ---


def _listening_and_established(port: int) -> tuple[set[int], dict[int, int]]:
    """Socket inodes on ``port``: the listening ones, and the server side of each established
    connection by the client's port (from /proc/net/tcp)."""
    listening: set[int] = set()
    established: dict[int, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
            if int(local.rsplit(":", 1)[1], 16) != port:
                continue
            if state == "0A":
                listening.add(inode)
            elif state == "01":
                established[int(remote.rsplit(":", 1)[1], 16)] = inode
    return listening, established


def _sockets_of(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[len("socket:[") : -1]))
    return inodes


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_all("set-cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def _request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    cookie: str = "",
    form: dict[str, str] | None = None,
) -> tuple[http.client.HTTPResponse, str]:
    """One request on this very connection (so to the process that accepted it)."""
    headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"} if cookie else {}
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=urlencode(form) if form is not None else None, headers=headers)
    response = connection.getresponse()
    return response, response.read().decode()


@pytest.mark.skipif(
    not Path("/proc/net/tcp").exists(), reason="tells the processes apart through /proc (Linux)"
)
def test_serve_with_two_workers_serves_from_two_processes_that_share_the_session_key(tmp_path: Path) -> None:
    with private_database(tmp_path) as url:
        engine = make_engine(url)
        try:
            add_users(make_sessionmaker(engine), build_scene(make_sessionmaker(engine)))
        finally:
            engine.dispose()
        data = {"PORTAL_DATA_DIR": str(tmp_path / "data")}
        with portal_serve(url, tmp_path, env=data, args=("--workers", "2"), secret_key=None) as server:
            port = int(server.base.rsplit(":", 1)[1])
            listening, _ = _listening_and_established(port)
            workers = [pid for pid in _children(server.process.pid) if _sockets_of(pid) & listening]
            assert len(workers) == 2, server.stderr()
            # New connections until each process has accepted one (the kernel hands each to whichever
            # process accepts first; a process still starting accepts none).
            held: dict[int, http.client.HTTPConnection] = {}
            deadline = time.monotonic() + 30
            while len(held) < 2:
                assert time.monotonic() < deadline, f"only {sorted(held)} of {workers} accepted"
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                assert _request(connection, "GET", "/healthz")[0].status == 200
                assert connection.sock is not None
                inode = _listening_and_established(port)[1][connection.sock.getsockname()[1]]
                pid = next(pid for pid in workers if inode in _sockets_of(pid))
                if pid in held:
                    connection.close()
                else:
                    held[pid] = connection
            first, second = held.values()
            page, form = _request(first, "GET", "/login")
            match = CSRF.search(form)
            assert match, form[:300]
            fields = {
                "csrf": match.group(1),
                "email": "owner@example.test",
                "password": PASSWORD,
                "next": "/",
            }
            login, _ = _request(first, "POST", "/login", _cookies(page)[SESSION_COOKIE], fields)
            assert login.status == 303
            start, _ = _request(second, "GET", "/", _cookies(login)[SESSION_COOKIE])
            assert start.status == 200, start.getheader("location")
            for connection in held.values():
                connection.close()
