"""The access policy against an independent model, on random worlds: every principal, every entity,
the list and every single id."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine, select

from portal.access import RULES, Principal, descendant_ids, get_visible, organization_kinds, visible_ids
from portal.access.queries import entity_name
from portal.db import make_sessionmaker
from portal.errors import NotFound
from portal.models import Organization, User
from tests.access.world import WorldSpec, build, expected_visible, worlds
from tests.conftest import wipe


def test_every_model_has_a_rule_and_the_model_covers_it() -> None:
    from portal.models import Base

    # Counters and the shared login state (revoked session ids, failed logins) hold no tenant data
    # and are never read through a page, a query or an export; nor do the mail outbox (read by the
    # sender only) and the password reset links (found by their token's hash only).
    internal = {"Counter", "RevokedSession", "LoginFailure", "MailMessage", "PasswordReset"}
    # The dashboard tallies are counts, read only through portal.access.tallies (which tally rows a
    # principal adds up); tests/access/test_tally_isolation.py and the figure-by-figure comparison
    # with `visible` in tests/portal/test_order_summaries.py hold them to the orders' rule (the
    # opportunity tallies: tests/portal/test_opportunity_tallies.py, to the opportunities' rule).
    internal |= {"OrderTally", "DayTally", "CaseTally", "OpportunityTally"}
    mapped = {mapper.class_ for mapper in Base.registry.mappers if mapper.class_.__name__ not in internal}
    assert mapped == set(RULES), "every table except the internal ones needs an access rule"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=worlds(mixed_trees=True))
def test_policy_matches_independent_model(engine: Engine, spec: WorldSpec) -> None:
    factory = make_sessionmaker(engine)
    try:
        with factory() as session:
            facts = build(session, spec)
            session.commit()
            orgs = list(session.scalars(select(Organization).order_by(Organization.id)))
            user_of = {fact[0]: uid for uid, fact in facts[User].items()}  # one user per organization
            principals = []
            for index, org in enumerate(orgs):
                org_ids, supplier_ids = organization_kinds(session, org.id)
                assert org_ids == descendant_ids(session, org.id)
                # the kinds of the tree known (the portal's principals: one column per kind) and
                # not known (both columns against every organization of the tree)
                for known in (supplier_ids, None):
                    principals.append(
                        (
                            index,
                            Principal(
                                org.id,
                                org.kind,
                                org_ids,
                                frozenset({"admin"}),
                                user_id=user_of[index],
                                supplier_ids=known,
                            ),
                        )
                    )
            for index, principal in principals:
                expected = expected_visible(spec, index, facts, viewer_user=user_of[index])
                for model in RULES:
                    got = visible_ids(session, principal, model)
                    assert got == expected[model], (
                        f"{model.__name__} for org {index} ({principal.org_kind}, {principal.supplier_ids})"
                    )
                    for ident in facts.get(model, {}):
                        if ident in expected[model]:
                            assert get_visible(session, principal, model, ident).id == ident  # type: ignore[attr-defined]
                        else:
                            with pytest.raises(NotFound) as hidden:
                                get_visible(session, principal, model, ident)
                            assert hidden.value.message == f"{entity_name(model)} {ident} not found"
                    with pytest.raises(NotFound) as missing:
                        get_visible(session, principal, model, 10_000_000)
                    assert missing.value.message == f"{entity_name(model)} 10000000 not found"
    finally:
        wipe(engine)
