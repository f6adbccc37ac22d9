"""Schema migrations (alembic), run with ``portal db upgrade``, and the check every other command
makes first (:func:`check_schema`).

alembic and SQLAlchemy are imported inside the functions: ``portal --help`` imports this module
without them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from portal.errors import PortalError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaNotReady(PortalError):
    """The database is missing, has no schema, or stands on an older migration than the code.
    ``portal db upgrade`` fixes all three; the message says so."""

    code = "SCHEMA_NOT_READY"


def alembic_config(engine: Engine | None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest migration of this code."""
    from alembic.script import ScriptDirectory

    config = alembic_config(None)  # the script folder needs no engine
    heads = ScriptDirectory.from_config(config).get_heads()
    return ",".join(sorted(heads))


def current_revision(engine: Engine) -> str | None:
    """The migration the database stands on; None for a database without a schema (or without a
    file: a missing SQLite file is not created by asking)."""
    from alembic.runtime.migration import MigrationContext

    if _missing_sqlite_file(engine) is not None:
        return None
    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    return ",".join(sorted(heads)) or None


def describe(engine: Engine) -> str:
    """Where the database is, for messages (the password hidden)."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        return str(engine.url.database)
    return engine.url.render_as_string(hide_password=True)


def _missing_sqlite_file(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    path = Path(str(engine.url.database))
    return None if path.exists() else path


def prepare_location(engine: Engine) -> None:
    """Create the folder of a new SQLite database file (commands that may create a database)."""
    missing = _missing_sqlite_file(engine)
    if missing is not None:
        missing.parent.mkdir(parents=True, exist_ok=True)


def check_schema(engine: Engine) -> None:
    """Raise :class:`SchemaNotReady` unless the database stands on this code's newest migration.

    Nothing is created on the way: a missing SQLite file stays missing. A schema without alembic's
    version table but with the tables (``Base.metadata.create_all``, as test fixtures build it) is
    accepted: it is the models' schema, which the migrations are checked against."""
    missing = _missing_sqlite_file(engine)
    if missing is not None:
        raise SchemaNotReady(
            f"no database at {missing}: run `portal db upgrade` first (or `make demo`), "
            "or set PORTAL_DATABASE_URL / PORTAL_DATA_DIR to an existing one"
        )
    current = current_revision(engine)
    if current is None:
        from sqlalchemy import inspect

        with engine.connect() as connection:
            if inspect(connection).has_table("organizations"):
                return
        raise SchemaNotReady(f"the database {describe(engine)} has no schema yet: run `portal db upgrade`")
    head = head_revision()
    if current != head:
        raise SchemaNotReady(
            f"the database {describe(engine)} is at revision {current}, this portal needs {head}: "
            "run `portal db upgrade`"
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    prepare_location(engine)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a new migration from the models (developers only)."""
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
