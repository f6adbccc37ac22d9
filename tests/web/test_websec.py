"""Web hardening: attachment names, HEAD requests, caching and transport headers, the e-mail
check of /admin/users, CSV formula cells (issue #12: 7 and the web Low items)."""

from __future__ import annotations

import re
from urllib.parse import unquote

from portal.cases import service as cases
from tests.web.conftest import WebWorld, csrf_of


def test_an_attachment_with_a_non_latin1_name_downloads_under_its_name(world: WebWorld) -> None:
    with world.scene.uow() as uow:
        case = cases.open_case(
            uow=uow, principal=world.scene.p("dealer-group"), subject="Pumpe", description="Leckt"
        )
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    name = "Łódź-€-测试.pdf"
    response = client.post(
        f"{url}/attachments",
        data={"csrf": csrf_of(client.get(url).text)},
        files={"file": (name, b"%PDF-1.4 test", "application/pdf")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    link = re.search(rf'href="({url}/attachments/\d+)"', client.get(url).text)
    assert link
    download = client.get(link.group(1))
    assert download.status_code == 200
    assert download.content == b"%PDF-1.4 test"
    disposition = download.headers["content-disposition"]
    disposition.encode("ascii")  # nothing but ASCII in the header
    assert disposition.startswith("inline; ")
    fallback = re.search(r'filename="([^"]*)"', disposition)
    assert fallback and fallback.group(1) == "odz--.pdf"
    star = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert star and unquote(star.group(1)) == name
