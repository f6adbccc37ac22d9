"""Leads for the web tests: a territory for a dealer and a lead in it (issue #18.2)."""

from __future__ import annotations

from portal.leads import service as leads
from portal.leads.territories import set_territory
from tests.web.conftest import WebWorld


def give_territory(world: WebWorld, slug: str = "dealer-group", ranges: str = "DE 20000-22999") -> None:
    with world.scene.uow() as uow:
        set_territory(
            uow=uow,
            principal=world.scene.p("owner", "admin"),
            organization_id=world.scene.orgs[slug].id,
            postal_ranges=ranges,
            regions="",
            capacity=10,
        )


def new_lead(world: WebWorld, company: str = "Hafen Kälte GmbH", postal_code: str = "21073") -> int:
    with world.scene.uow() as uow:
        return leads.create_lead(
            uow=uow,
            principal=world.scene.p("owner", "sales"),
            values=leads.LeadFields(
                company=company, contact_name="Jana Voss", postal_code=postal_code, city="Hamburg"
            ),
        ).id
