"""`portal exchange run` signs the unsubscribe links of its mails with the key the web process
checks them with (the data folder's key file when PORTAL_SECRET_KEY is unset), and says at start
when PORTAL_BASE_URL, the address of the links, is unset."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from portal.cli import main
from portal.config import shared_secret_key
from portal.notify.mailing import read_unsubscribe_token
from tests.builders import build_scene
from tests.notify.people import add_user


def _run(database_url: str, data_dir: Path, base_url: str | None) -> str:
    runner = CliRunner(
        env={
            "PORTAL_DATABASE_URL": database_url,
            "PORTAL_DATA_DIR": str(data_dir),
            "PORTAL_SECRET_KEY": None,  # type: ignore[dict-item]  # None: unset for the command
            "PORTAL_SMTP_HOST": None,  # type: ignore[dict-item]
            "PORTAL_BASE_URL": base_url,  # type: ignore[dict-item]
        }
    )
    result = runner.invoke(main, ["exchange", "run", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def test_worker_signs_with_the_data_folders_key_and_warns_without_base_url(
    factory: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    scene = build_scene(factory)
    user = add_user(scene, "supplier-a", "member")
    scene.order(scene.customer(), supplier="supplier-a")

    output = _run(database_url, tmp_path, None)
    assert "PORTAL_BASE_URL is not set" in " ".join(output.split())

    mails = sorted((tmp_path / "mail").rglob("*.eml"))
    assert mails, output
    signed = []
    for path in mails:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        found = re.search(r"/notifications/unsubscribe/([^>]+)>", message["List-Unsubscribe"])
        assert found, message["List-Unsubscribe"]
        assert message["List-Unsubscribe"].startswith("<http://localhost:8000/")
        signed.append(read_unsubscribe_token(shared_secret_key(tmp_path), found.group(1)))
    assert (user, "order_routed") in signed


def test_worker_with_base_url_says_nothing_about_it(
    factory: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    build_scene(factory)
    output = _run(database_url, tmp_path, "https://portal.example")
    assert "PORTAL_BASE_URL" not in output
