"""Alembic environment: runs on the connection handed over by ``portal.migrate``."""

from __future__ import annotations

from alembic import context

from portal.models import Base
from portal.models.search import include_name

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through `portal db upgrade` (portal.migrate), which passes a connection"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
    # the text-search indexes and FTS5 tables are made by portal.models.search, not by models
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
