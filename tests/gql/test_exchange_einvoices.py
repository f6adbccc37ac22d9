"""E-invoice validation in the API: a profile says what becomes of invalid inbound e-invoices, and an
exchange record shows the scenario and the findings of its e-invoice."""

from __future__ import annotations

from portal.models import Direction, ExchangeProfile, ExchangeRecord, RecordState
from tests.gql.conftest import Api, gid

PROFILE = """mutation($input: CreateExchangeProfileInput!) {
  createExchangeProfile(input: $input) { profile { invalidEinvoices } userErrors { field message code } }
}"""
RECORDS = """{ exchangeRecords(first: 5) { edges { node { filename messages {
  ok error scenario findings { rule level message location } } } } } }"""


def _as_admin(api: Api, query: str, variables: dict[str, object]) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {api.token('owner', 'admin')}"}
    body = api.client.post("/graphql", json={"query": query, "variables": variables}, headers=headers).json()
    assert "errors" not in body, body
    return dict(body["data"])


def _input(api: Api, root: str, **extra: str) -> dict[str, object]:
    return {
        "organization": gid("Organization", api.scene.orgs["supplier-b"].id),
        "transport": "FOLDER",
        "partnerId": "4012345000016",
        "ourId": "4012345000009",
        "root": root,
        **extra,
    }


def test_a_profile_rejects_invalid_einvoices_unless_told_to_accept_them(api: Api, tmp_path: object) -> None:
    made = _as_admin(api, PROFILE, {"input": _input(api, str(tmp_path))})
    assert made["createExchangeProfile"] == {"profile": {"invalidEinvoices": "REJECT"}, "userErrors": []}
    with api.scene.factory() as session:
        session.query(ExchangeProfile).delete()
        session.commit()
    made = _as_admin(api, PROFILE, {"input": _input(api, str(tmp_path), invalidEinvoices="ACCEPT")})
    assert made["createExchangeProfile"]["profile"] == {"invalidEinvoices": "ACCEPT"}
    with api.scene.factory() as session:
        assert session.query(ExchangeProfile).one().invalid_einvoices == "accept"


def test_an_exchange_record_shows_the_scenario_and_findings_of_its_einvoice(api: Api) -> None:
    finding = {
        "rule": "BR-DE-3",
        "flag": "fatal",
        "message": "BR-DE-3: Seller city (BT-37) must be given.",
        "location": "/Invoice[1]/AccountingSupplierParty[1]/Party[1]/PostalAddress[1]",
    }
    with api.scene.uow() as uow:
        uow.session.add(
            ExchangeRecord(
                organization_id=api.scene.orgs["supplier-a"].id,
                direction=Direction.INBOUND,
                state=RecordState.FAILED,
                filename="inv.xml",
                size=3,
                sha256="c" * 64,
                messages=[
                    {
                        "reference": "1",
                        "type": "Invoice",
                        "ok": False,
                        "error": "breaks BR-DE-3",
                        "scenario": "XRechnung 3.0 (UBL Invoice)",
                        "findings": [finding],
                    }
                ],
            )
        )
    [edge] = api.ok(RECORDS, as_="supplier-a")["exchangeRecords"]["edges"]
    [message] = edge["node"]["messages"]
    assert message["scenario"] == "XRechnung 3.0 (UBL Invoice)"
    assert message["findings"] == [
        {"rule": "BR-DE-3", "level": "fatal", "message": finding["message"], "location": finding["location"]}
    ]
