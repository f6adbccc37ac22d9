"""Alembic environment: runs on the connection handed over by ``portal.migrate``."""

from __future__ import annotations

from alembic import context

from portal.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through `portal db upgrade` (portal.migrate), which passes a connection"
    )

context.configure(
    connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True
)
with context.begin_transaction():
    context.run_migrations()
