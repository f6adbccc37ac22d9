"""CSV export rate along one whole export (issue #15: linear in rows).

    PORTAL_DATABASE_URL=postgresql+psycopg://.../db python -m benchmarks.export_rate [--window 50000]

On a seeded database (``portal seed demo --scale 20``: 100,000 orders), writes the owner's orders
export the way the portal streams it (`portal.web.views.lists.csv_chunks`: same fetch, same
formatting) and prints rows per second for each window of rows, then the ratio of the last
window's rate to the first's (the target: at least 0.5; a quadratic export falls far below).
Wall time, since the database's share is what grows when pages re-walk from the top.
"""

from __future__ import annotations

import argparse
import os
import time

from sqlalchemy import select
from starlette.datastructures import QueryParams

from portal.access import principal_for_user
from portal.db import make_engine, make_sessionmaker
from portal.models import User
from portal.web.csv_dialect import COMMA
from portal.web.i18n import load_translations
from portal.web.views.lists import SPECS, csv_chunks

OWNER = "admin@waermewerk.example"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=int, default=50_000, help="rows per measured window")
    parser.add_argument("--list", default="orders", choices=sorted(SPECS))
    args = parser.parse_args()
    engine = make_engine(os.environ["PORTAL_DATABASE_URL"])
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        principal = principal_for_user(
            session, session.scalars(select(User).where(User.email == OWNER)).one()
        )
    spec = SPECS[args.list]
    gettext = load_translations("en").ugettext
    counted = [0]
    rates: list[float] = []
    start = window_start = time.perf_counter()
    window_rows = 0
    for _chunk in csv_chunks(
        sessions, principal, spec, spec.params(QueryParams("")), gettext, COMMA, counted=counted
    ):
        if counted[0] - window_rows >= args.window:
            now = time.perf_counter()
            rates.append((counted[0] - window_rows) / (now - window_start))
            print(f"rows {window_rows + 1:>9,}-{counted[0]:>9,}: {rates[-1]:>8,.0f} rows/s", flush=True)
            window_start, window_rows = now, counted[0]
    now = time.perf_counter()
    if counted[0] > window_rows:
        rates.append((counted[0] - window_rows) / (now - window_start))
        print(f"rows {window_rows + 1:>9,}-{counted[0]:>9,}: {rates[-1]:>8,.0f} rows/s (last, partial)")
    print(f"{counted[0]:,} rows in {now - start:.1f} s ({counted[0] / (now - start):,.0f} rows/s)")
    if len(rates) >= 2:
        print(f"end/start: {rates[-1] / rates[0]:.2f} (target >= 0.5)")
    engine.dispose()


if __name__ == "__main__":
    main()
