"""Notices -> inbox rows: the candidates who may read the object now, on the channel their
preferences (or their role's defaults) ask for, inserted once per (event or occasion, user,
channel): a key already taken is skipped, so a batch done twice adds nothing."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from portal.models import Notification
from portal.notify.notice import Notice
from portal.notify.recipients import Directory
from portal.notify.rules import Email

INSERT_CHUNK = 5000  # rows per executemany


def deliver(session: Session, notices: Sequence[Notice], now: datetime) -> int:
    """Insert the inbox rows ``notices`` give; returns how many rows are new."""
    if not notices:
        return 0
    directory = Directory(session)
    pairs: list[tuple[Notice, int]] = []
    wanted: dict[tuple[int, type[Any]], set[int]] = defaultdict(set)
    for notice in notices:
        for user_id in sorted(directory.candidates(notice)):
            pairs.append((notice, user_id))
            if notice.check is not None:
                wanted[(user_id, notice.check[0])].add(notice.check[1])
    readable = directory.readable(wanted)
    rows: list[dict[str, Any]] = []
    for notice, user_id in pairs:
        if notice.check is not None:
            if (user_id, notice.check[0], notice.check[1]) not in readable:
                continue
        elif directory.principal(user_id) is None:
            continue
        choice = directory.choice(user_id, notice.kind)
        if notice.starts_at is not None:
            lead = timedelta(minutes=choice.lead_minutes or 0)
            if notice.starts_at - lead > now:
                continue  # not yet for this user
        channel = "inbox" if choice.inbox else "email" if choice.email is not Email.OFF else None
        if channel is None:
            continue
        rows.append(
            {
                "user_id": user_id,
                "channel": channel,
                "event_id": notice.event_id,
                "occasion": notice.occasion,
                "kind": notice.kind.value,
                "entity": notice.entity,
                "entity_id": notice.entity_id,
                "payload": notice.payload,
                "created_at": now,
                "read_at": None,
                "email_state": {Email.IMMEDIATE: "pending", Email.DIGEST: "digest"}.get(choice.email, "none"),
            }
        )
    return insert_rows(session, rows)


_COLUMNS = (
    ("user_id", "int"), ("channel", "text"), ("event_id", "int"), ("occasion", "text"), ("kind", "text"),
    ("entity", "text"), ("entity_id", "int"), ("payload", "json"), ("created_at", "timestamptz"),
    ("read_at", "timestamptz"), ("email_state", "text"),
)  # fmt: skip
# PostgreSQL: one statement per chunk whatever its size, the rows as one array per column.
_UNNEST = text(
    f"INSERT INTO notifications ({', '.join(name for name, _ in _COLUMNS)}) "
    f"SELECT * FROM unnest({', '.join(f'CAST(:{name} AS {kind}[])' for name, kind in _COLUMNS)}) "
    "ON CONFLICT DO NOTHING RETURNING id"
)


def insert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert inbox rows, skipping any whose key is taken; returns how many were new (RETURNING
    counts only those). PostgreSQL gets each chunk as one ``INSERT ... SELECT FROM unnest(arrays)``
    (a handful of parameters, whatever the rows); SQLite one statement executed for many rows."""
    if not rows:
        return 0
    added = 0
    if session.get_bind().dialect.name == "postgresql":
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[start : start + INSERT_CHUNK]
            arrays: dict[str, list[Any]] = {name: [row[name] for row in chunk] for name, _ in _COLUMNS}
            arrays["payload"] = [json.dumps(p) for p in arrays["payload"]]
            added += len(session.execute(_UNNEST, arrays).all())
        return added
    table = cast(Table, Notification.__table__)
    statement = sqlite.insert(table).on_conflict_do_nothing().returning(table.c.id)
    for start in range(0, len(rows), INSERT_CHUNK):
        added += len(session.connection().execute(statement, list(rows[start : start + INSERT_CHUNK])).all())
    return added
