"""portal/web calls services and the read layer; it never builds SQL itself."""

from __future__ import annotations

import re
from pathlib import Path

import portal.web

WEB = Path(portal.web.__file__).parent
SQL_BUILDING = re.compile(
    r"(?<![.\w])(?<!def )(select|insert|update|delete|text|and_|or_|func)\("
    r"|\.where\(|\.execute\(|\.scalars?\(|"
    r"from sqlalchemy import"
)


def test_web_package_builds_no_sql() -> None:
    offenders = {
        str(path.relative_to(WEB)): sorted(set(SQL_BUILDING.findall(path.read_text(encoding="utf-8"))))
        for path in WEB.rglob("*.py")
        if SQL_BUILDING.search(path.read_text(encoding="utf-8"))
    }
    assert offenders == {}


def test_the_layering_check_notices_sql() -> None:
    assert SQL_BUILDING.search("rows = session.execute(select(Order).where(x))")
    assert not SQL_BUILDING.search("orders.respond_to_order(uow=ctx.uow, principal=p, order_id=1)")
