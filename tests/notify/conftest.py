from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.config import Settings
from tests.notify.smtp import SmtpServer, smtp_server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_settings(smtp: SmtpServer, tmp_path: Path) -> Settings:
    return Settings(
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_security="none",
        mail_from="Portal <portal@portal.example>",
        base_url="https://portal.example",
        data_dir=tmp_path,
        smtp_timeout=5.0,
    )


from tests.web.conftest import world  # noqa: E402, F401 - the web portal on the scene, for the page tests
