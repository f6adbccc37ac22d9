"""Pages and API calls at two scales of data: the ratio large/small per page and role (issue #15).

    python -m benchmarks.scale_bench [--small 1] [--large 100] [--runs 30] [--check]
        [--server URL] [--anchor DATE] [--keep] [--reuse-small NAME] [--reuse-large NAME]
        [--csv-seconds 600]

Creates two PostgreSQL databases on ``--server`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``, or ``PORTAL_BENCH_DATABASE_URL``),
with unique names, and seeds them with ``portal seed demo --scale S --anchor DATE`` (a
subprocess: the real command, migrations included; its time and peak memory are printed), runs
ANALYZE, and starts one real ``portal serve`` per database. ``--reuse-small NAME`` /
``--reuse-large NAME`` measure an existing, seeded database instead (it is never dropped); the
databases created here are dropped at the end unless ``--keep``. Both scales must share the anchor
date (default: today), so that "late" and "recent" mean the same in both.

Logged in as the owner, a dealer and a supplier of the demo (password ``demo-portal-2026``; the
API with the demo tokens), it measures one request at a time, the median wall time of ``--runs``
requests (after two warm-up requests) of each:

- the dashboard (``/``);
- the orders list, page 1 (``/orders``, newest first, 50 rows);
- page 2000 (``/orders?after=<cursor>``: the cursor of row 2000 x 50 of the role's list, made with
  the portal's own cursor encoding; a role that sees fewer rows gets its last full page);
- the last page (the cursor of the row before the oldest 50, as walking "next" reaches it);
- a search with hits (a word of an order's delivery name) and one without (``?q=zzqxv``);
- the late filter (``/orders?delivery=late``);
- the sales side for the owner and the dealer: the pipeline board (``/pipeline``: its column heads
  and forecast), the opportunities, customers, leads and deal registrations lists, page 1;
- ``PullOrders`` as in docs/api.md (graphql/operations/PullOrders.graphql, the supplier's token);
- the dealer's change feed (graphql/operations/SyncChanges.graphql) from a recent cursor (1,000
  events before the newest);

and the owner's CSV export of all orders (``/orders.csv``, streamed): rows per second over the
first and over the last 10 % of its rows (an export still running after ``--csv-seconds`` is cut
there and its windows are the first and last 10 % of the rows received, marked "cut").

Prints one line per page and role: small ms, large ms, ratio large/small, and the target (every
ratio at most 2; CSV rows/s at the end at least half of its start). ``--check`` makes a missed
target the exit status (1). Requests run sequentially against an otherwise idle server; the
machine's other load still shows in single runs.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import Engine, func, make_url, select, text

from portal.access import visible
from portal.access.principal import principal_for_user
from portal.changes import START, Position, encode_cursor
from portal.db import make_engine, make_sessionmaker
from portal.models import Event, Order, User
from portal.reading import cursor
from portal.seed import DEMO_PASSWORD, DEMO_TOKENS
from portal.web.sessions import SESSION_COOKIE

__all__ = ["main"]

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PAGE_SIZE = 50  # portal.web.views.lists.PAGE_SIZE
DEEP_PAGE = 2000
FEED_BACK = 1000  # the change feed's cursor: this many events before the newest
NO_HIT = "zzqxv"
ROLES = {
    "owner": "admin@waermewerk.example",
    "dealer": "admin@haustechnik-nord.example",
    "supplier": "admin@nordtec.example",
}
TOKENS = {"dealer": DEMO_TOKENS["haustechnik-nord"], "supplier": DEMO_TOKENS["nordtec"]}
OPERATIONS = Path(__file__).resolve().parent.parent / "graphql" / "operations"
TARGET_RATIO = 2.0
TARGET_CSV = 0.5


# --- databases ------------------------------------------------------------------------------------


@dataclass
class Database:
    label: str
    scale: float
    url: str
    created: bool
    seed_seconds: float | None = None
    seed_peak_mb: float | None = None


def _admin(server: str) -> Engine:
    return make_engine(server).execution_options(isolation_level="AUTOCOMMIT")


def _url(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def seed(db: Database, anchor: dt.date) -> None:
    """``portal seed demo`` in a subprocess (the real command), timed, with its peak RSS."""
    environment = {**os.environ, "PORTAL_DATABASE_URL": db.url}
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "portal.cli",
            "seed",
            "demo",
            "--scale",
            f"{db.scale:g}",
            "--anchor",
            anchor.isoformat(),
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, stderr = process.communicate()
    db.seed_seconds = time.perf_counter() - started
    # ru_maxrss of the largest child waited for so far: this one, the seeds run one after the other
    # and the small one (seeded first) never holds more than the large one.
    db.seed_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if process.returncode:
        raise SystemExit(f"portal seed demo --scale {db.scale:g} failed:\n{stderr[-3000:]}")
    engine = _admin(db.url)
    try:
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()


@contextlib.contextmanager
def databases(args: argparse.Namespace) -> Iterator[list[Database]]:
    tag = f"scale_bench_{os.getpid()}"
    wanted = [("small", args.small, args.reuse_small), ("large", args.large, args.reuse_large)]
    made: list[Database] = []
    admin = _admin(args.server)
    try:
        for label, scale, reuse in wanted:
            if reuse:
                made.append(Database(label, scale, _url(args.server, reuse), created=False))
                continue
            name = f"{tag}_{label}"
            with admin.connect() as connection:
                connection.execute(text(f"CREATE DATABASE {name}"))
            db = Database(label, scale, _url(args.server, name), created=True)
            made.append(db)
            print(f"seeding {name} at scale {scale:g} (anchor {args.anchor})...", flush=True)
            seed(db, args.anchor)
            print(f"  {db.seed_seconds:.0f} s, peak RSS of the seed {db.seed_peak_mb:,.0f} MB", flush=True)
        yield made
    finally:
        for db in made:
            if db.created and not args.keep:
                with admin.connect() as connection:
                    connection.execute(
                        text(f"DROP DATABASE IF EXISTS {make_url(db.url).database} WITH (FORCE)")
                    )
            elif db.created:
                print(f"kept database {make_url(db.url).database} (--reuse-{db.label} it next time)")
        admin.dispose()


# --- what each request needs: cursors, a search word ---------------------------------------------


@dataclass
class Fixture:
    """Per database: the cursors and words the requests carry, and what the counts were."""

    orders: dict[str, int] = field(default_factory=dict)  # visible orders per role
    deep: dict[str, tuple[int, str]] = field(default_factory=dict)  # role -> (page number, after)
    last: dict[str, tuple[int, str]] = field(default_factory=dict)
    feed_after: str = ""
    word: str = ""


def _after_row(session: Any, principal: Any, index: int) -> str:
    """The ``after`` cursor that starts a page at row ``index + 1`` of the orders list (newest
    first, as /orders shows it): the cursor of row ``index``."""
    stmt = (
        visible(principal, Order)
        .with_only_columns(Order.created_at, Order.id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .offset(index)
        .limit(1)
    )
    created_at, ident = session.execute(stmt).one()
    return cursor.encode("order", "created_at", created_at, ident)


def prepare(url: str, word: str | None) -> Fixture:
    fixture = Fixture()
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            for role, email in ROLES.items():
                user = session.scalars(select(User).where(User.email == email)).one()
                principal = principal_for_user(session, user)
                total = session.execute(
                    visible(principal, Order).with_only_columns(func.count(Order.id))
                ).scalar_one()
                if total <= PAGE_SIZE:
                    raise SystemExit(f"the {role} sees {total} orders: too few for a second page")
                fixture.orders[role] = total
                last_start = total - PAGE_SIZE  # the oldest 50 rows
                deep_start = min((DEEP_PAGE - 1) * PAGE_SIZE, last_start)
                fixture.deep[role] = (
                    deep_start // PAGE_SIZE + 1,
                    _after_row(session, principal, deep_start - 1),
                )
                fixture.last[role] = (
                    last_start // PAGE_SIZE + 1,
                    _after_row(session, principal, last_start - 1),
                )
            back = session.execute(
                select(Event.txid, Event.id)
                .order_by(Event.txid.desc(), Event.id.desc())
                .offset(FEED_BACK)
                .limit(1)
            ).first()
            fixture.feed_after = encode_cursor(START if back is None else Position(back[0], back[1]))
            if word is None:
                # A word of the oldest order's delivery name: the seed is deterministic, so the
                # small database's words are in the large one too.
                name = session.execute(select(Order.delivery_name).order_by(Order.id).limit(1)).scalar_one()
                word = max(re.findall(r"\w{4,}", name), key=len)
            fixture.word = word
            session.rollback()
    finally:
        engine.dispose()
    return fixture


# --- requests -----------------------------------------------------------------------------------


# One request of a page: with the database's fixture, its clients and the role; checks the answer.
Request = Callable[[Fixture, dict[str, httpx2.Client], str], None]


def _rows(html: str, entity: str = "orders") -> int:
    return len(re.findall(rf'href="/{entity}/\d+"', html))


def _page(
    path: str,
    *,
    want_rows: bool = True,
    params: Callable[[Fixture, str], dict[str, str]] | None = None,
    rows_of: str = "orders",
) -> Request:
    def request(fixture: Fixture, clients: dict[str, httpx2.Client], role: str) -> None:
        response = clients[role].get(path, params=params(fixture, role) if params else None)
        if response.status_code != 200:
            raise RuntimeError(f"{path} as {role}: {response.status_code} {response.text[:300]}")
        if want_rows and not _rows(response.text, rows_of):
            raise RuntimeError(f"{path} {params(fixture, role) if params else ''} as {role}: no rows")

    return request


def _graphql(
    operation: str, variables: Callable[[Fixture], dict[str, Any]], check: Callable[[Any], bool]
) -> Request:
    query = (OPERATIONS / f"{operation}.graphql").read_text()

    def request(fixture: Fixture, clients: dict[str, httpx2.Client], role: str) -> None:
        response = clients[f"api:{role}"].post(
            "/graphql", json={"query": query, "variables": variables(fixture)}
        )
        body = response.json()
        if response.status_code != 200 or body.get("errors") or not check(body["data"]):
            raise RuntimeError(f"{operation} as {role}: {response.status_code} {response.text[:300]}")

    return request


def cases() -> list[tuple[str, str, Request]]:
    found: list[tuple[str, str, Request]] = []
    for role in ROLES:
        found.append(("dashboard", role, _page("/", want_rows=False)))
    for role in ROLES:
        found.append(("orders page 1", role, _page("/orders")))
    for role in ROLES:
        found.append(
            ("orders page 2000", role, _page("/orders", params=lambda f, r: {"after": f.deep[r][1]}))
        )
    for role in ROLES:
        found.append(
            ("orders last page", role, _page("/orders", params=lambda f, r: {"after": f.last[r][1]}))
        )
    for role in ("owner", "dealer"):
        found.append(("search, hits", role, _page("/orders", params=lambda f, r: {"q": f.word})))
        found.append(
            ("search, no hit", role, _page("/orders", want_rows=False, params=lambda f, r: {"q": NO_HIT}))
        )
    for role in ROLES:
        found.append(
            ("late filter", role, _page("/orders", want_rows=False, params=lambda f, r: {"delivery": "late"}))
        )
    for role in ("owner", "dealer"):  # the sales side: 300 opportunities and 500 customers per unit of scale
        found.append(("pipeline board", role, _page("/pipeline", rows_of="opportunities")))
        found.append(("opportunities page 1", role, _page("/opportunities", rows_of="opportunities")))
        found.append(("customers page 1", role, _page("/customers", rows_of="customers")))
        found.append(("leads page 1", role, _page("/leads", rows_of="leads")))
        found.append(("deal registrations page 1", role, _page("/deals", rows_of="deals")))
    found.append(
        ("PullOrders", "supplier", _graphql("PullOrders", lambda f: {}, lambda d: d["orders"]["edges"]))
    )
    found.append(
        (
            "change feed, recent",
            "dealer",
            _graphql("SyncChanges", lambda f: {"after": f.feed_after}, lambda d: "changes" in d["changes"]),
        )
    )
    return found


def login(base: str, email: str) -> httpx2.Client:
    client = httpx2.Client(base_url=base, follow_redirects=False, timeout=600)
    page = client.get("/login")
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, "no CSRF field on the login page"
    response = client.post(
        "/login", data={"csrf": match.group(1), "email": email, "password": DEMO_PASSWORD, "next": "/"}
    )
    if response.status_code != 303 or SESSION_COOKIE not in client.cookies:
        raise SystemExit(f"login as {email} failed: {response.status_code} {response.text[:300]}")
    return client


def clients_for(base: str) -> dict[str, httpx2.Client]:
    clients = {role: login(base, email) for role, email in ROLES.items()}
    for role, token in TOKENS.items():
        clients[f"api:{role}"] = httpx2.Client(
            base_url=base, timeout=600, headers={"Authorization": f"Bearer {token}"}
        )
    return clients


def median_ms(request: Callable[[], None], runs: int) -> float:
    for _ in range(2):
        request()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        request()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


@dataclass
class CsvRate:
    start: float  # rows/s over the first 10 % of the rows
    end: float  # rows/s over the last 10 % of the rows
    rows: int
    seconds: float
    cut: bool


def csv_rates(client: httpx2.Client, expected: int, budget: float) -> CsvRate:
    """Streams /orders.csv, noting when each line arrives. Rows come in chunks (a page of the
    export at a time), so a window's time runs from the last row before it (for the first window:
    the header) to its last row: it holds the making of every chunk in the window."""
    stamps: list[float] = []
    started = time.perf_counter()
    cut = False
    with client.stream("GET", "/orders.csv") as response:
        if response.status_code != 200 or not response.headers.get("content-type", "").startswith("text/csv"):
            raise RuntimeError(f"/orders.csv: {response.status_code} {response.headers.get('content-type')}")
        lines = response.iter_lines()
        next(lines)  # the header
        stamps.append(time.perf_counter())
        for _line in lines:
            now = time.perf_counter()
            stamps.append(now)
            if now - started > budget:
                cut = True
                break
    seconds = time.perf_counter() - started
    rows = len(stamps) - 1
    if not cut and rows < expected:
        raise RuntimeError(f"/orders.csv ended after {rows} of {expected} rows")
    tenth = max(1, rows // 10)
    start = tenth / max(stamps[tenth] - stamps[0], 1e-9)
    end = tenth / max(stamps[-1] - stamps[-1 - tenth], 1e-9)
    return CsvRate(start, end, rows, seconds, cut)


@contextlib.contextmanager
def servers(dbs: list[Database], tmp: Path) -> Iterator[dict[str, str]]:
    from tests.e2e.server import portal_serve

    with contextlib.ExitStack() as stack:
        # The streamed export at every size (a longer list is otherwise offered as a prepared
        # export, made by the worker through the same keyset pages): its rate is what is measured.
        env = {"PORTAL_EXPORT_INLINE_ROWS": str(10**9)}
        yield {db.label: stack.enter_context(portal_serve(db.url, tmp, env=env)).base for db in dbs}


# --- report -------------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=float, default=1.0, help="the small scale (default 1)")
    parser.add_argument("--large", type=float, default=100.0, help="the large scale (default 100)")
    parser.add_argument(
        "--runs", type=int, default=30, help="requests per page and role (median; default 30)"
    )
    parser.add_argument("--server", default=os.environ.get("PORTAL_BENCH_DATABASE_URL", SERVER))
    parser.add_argument("--anchor", type=dt.date.fromisoformat, default=dt.datetime.now(dt.UTC).date())
    parser.add_argument("--keep", action="store_true", help="keep the databases created here")
    parser.add_argument("--reuse-small", metavar="NAME", help="measure this seeded database as the small one")
    parser.add_argument("--reuse-large", metavar="NAME", help="measure this seeded database as the large one")
    parser.add_argument("--csv-seconds", type=float, default=600.0, help="cut the CSV export after this long")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    missed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="scale-bench-") as folder, databases(args) as dbs:
        small_word = None
        fixtures: dict[str, Fixture] = {}
        for db in dbs:
            fixtures[db.label] = prepare(db.url, small_word)
            small_word = fixtures[db.label].word
        with servers(dbs, Path(folder)) as bases:
            clients = {label: clients_for(base) for label, base in bases.items()}
            print(
                f"scale {args.small:g} vs {args.large:g}, anchor {args.anchor}, median of {args.runs} sequential"
                f" requests, one `portal serve` per database; search word {fixtures['small'].word!r}"
            )
            for db in dbs:
                f = fixtures[db.label]
                counts = ", ".join(
                    f"{role} {f.orders[role]:,} (page 2000 -> {f.deep[role][0]}, last {f.last[role][0]})"
                    for role in ROLES
                )
                seeded = (
                    ""
                    if db.seed_seconds is None
                    else f"; seeded in {db.seed_seconds:.0f} s, peak {db.seed_peak_mb:,.0f} MB"
                )
                print(f"  {db.label} ({make_url(db.url).database}): orders visible: {counts}{seeded}")
            head = f"{'what':<22} {'role':<9} {'small ms':>9} {'large ms':>9} {'ratio':>6}  target"
            print(head)
            print("-" * len(head), flush=True)
            for what, role, request in cases():
                figures = {
                    label: median_ms(
                        functools.partial(request, fixtures[label], clients[label], role), args.runs
                    )
                    for label in ("small", "large")
                }
                ratio = figures["large"] / figures["small"]
                ok = ratio <= TARGET_RATIO
                if not ok:
                    missed.append(f"{what} ({role})")
                print(
                    f"{what:<22} {role:<9} {figures['small']:>9.1f} {figures['large']:>9.1f} {ratio:>6.2f}"
                    f"  <= {TARGET_RATIO:g} {_verdict(ok)}",
                    flush=True,
                )
            rates = {
                label: csv_rates(clients[label]["owner"], fixtures[label].orders["owner"], args.csv_seconds)
                for label in ("small", "large")
            }
            s, lg = rates["small"], rates["large"]
            print(
                f"{'csv rows/s, start':<22} {'owner':<9} {s.start:>9,.0f} {lg.start:>9,.0f} {lg.start / s.start:>6.2f}"
            )
            print(
                f"{'csv rows/s, end':<22} {'owner':<9} {s.end:>9,.0f} {lg.end:>9,.0f} {lg.end / s.end:>6.2f}"
            )
            for label, r in rates.items():
                ok = r.end / r.start >= TARGET_CSV and not r.cut
                if not ok:
                    missed.append(f"csv end/start ({label})")
                cut = f", CUT after {args.csv_seconds:g} s" if r.cut else ""
                print(
                    f"{'csv end/start ' + label:<22} {'owner':<9} {r.end / r.start:>9.2f}"
                    f"  >= {TARGET_CSV:g} {_verdict(ok)}  ({r.rows:,} rows in {r.seconds:.1f} s{cut})"
                )
            for group in clients.values():
                for client in group.values():
                    client.close()
    print(f"targets missed: {len(missed)}" + (f" ({', '.join(missed)})" if missed else ""))
    if args.check and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
