from __future__ import annotations

from sqlalchemy import Engine
from starlette.testclient import TestClient

from portal.app import create_app
from portal.config import Settings


def test_healthz_answers_ok_with_the_database_kind(engine: Engine) -> None:
    app = create_app(Settings(database_url=str(engine.url)), engine=engine)
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": engine.dialect.name}


def test_settings_come_from_portal_environment_variables() -> None:
    settings = Settings.from_env(
        {"PORTAL_DATABASE_URL": "sqlite:///x.db", "PORTAL_DEMO": "yes", "PORTAL_SECRET_KEY": "k" * 32}
    )
    assert settings.database_url == "sqlite:///x.db"
    assert settings.demo and settings.graphql_introspection
    assert "k" * 32 not in repr(settings)
    default = Settings.from_env({})
    assert default.database_url.startswith("sqlite:///") and default.database_url.endswith("portal.sqlite3")
    assert not default.demo and not default.graphql_introspection
