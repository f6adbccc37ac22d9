from __future__ import annotations

import pytest
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


UNREACHABLE = [
    "postgresql+psycopg://portal:secret@127.0.0.1:1/portal?connect_timeout=2",
    "sqlite:////nonexistent-folder-of-the-portal/portal.sqlite3",
]


@pytest.mark.parametrize("url", UNREACHABLE, ids=["postgresql", "sqlite"])
def test_healthz_reports_an_unreachable_database_without_its_details(url: str) -> None:
    app = create_app(Settings(database_url=url))
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    text = response.text.lower()
    for detail in ("127.0.0.1", "nonexistent", "psycopg", "sqlite3", "refused", "unable to open"):
        assert detail not in text, body


@pytest.mark.parametrize("url", UNREACHABLE, ids=["postgresql", "sqlite"])
def test_graphql_answers_its_json_error_when_the_database_is_away(url: str) -> None:
    app = create_app(Settings(database_url=url))
    with TestClient(app) as client:
        response = client.post(
            "/graphql",
            json={"query": "{ viewer { name } }"},
            headers={"Authorization": "Bearer ptk_whatever_0123456789"},
        )
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "retry" in error["message"]
    assert "127.0.0.1" not in response.text and "nonexistent" not in response.text
