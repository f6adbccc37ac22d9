"""`exchangeRecords`, `reprocessExchangeRecord`, `discardExchangeRecord`: a partner's own EDI files,
scoped like everything else."""

from __future__ import annotations

import base64

from portal.exchange import contents
from portal.models import Direction, ExchangeRecord, RecordState
from tests.gql.conftest import Api, gid

QUERY = """query($filter: ExchangeRecordFilter) {
  exchangeRecords(first: 10, filter: $filter) {
    totalCount
    edges {
      node { id direction state filename error contentBase64 links { entity id } canReprocess canDiscard }
    }
  }
}"""
REPROCESS = """mutation($id: ID!) {
  reprocessExchangeRecord(id: $id) { record { state } userErrors { message code } }
}"""


def make_records(api: Api) -> dict[str, int]:
    with api.scene.uow() as uow:
        supplier = api.scene.orgs["supplier-a"].id
        failed = ExchangeRecord(
            organization_id=supplier,
            direction=Direction.INBOUND,
            state=RecordState.FAILED,
            filename="desadv.edi",
            size=5,
            sha256="a" * 64,
            messages=[],
            error="cannot ship order in state 'awaiting_confirmation'",
        )
        sent = ExchangeRecord(
            organization_id=supplier,
            direction=Direction.OUTBOUND,
            state=RecordState.SENT,
            filename="ORDERS_1.edi",
            size=3,
            sha256="b" * 64,
            messages=[],
        )
        uow.session.add_all([failed, sent])
        uow.flush()
        contents.save(uow.session, failed.id, b"UNA:+")
        contents.save(uow.session, sent.id, b"UNB")
        return {"failed": failed.id, "sent": sent.id}


def test_partner_lists_and_downloads_its_own_files(api: Api) -> None:
    ids = make_records(api)
    data = api.ok(QUERY, as_="supplier-a")["exchangeRecords"]
    assert data["totalCount"] == 2
    by_name = {edge["node"]["filename"]: edge["node"] for edge in data["edges"]}
    assert by_name["desadv.edi"]["state"] == "FAILED"
    assert base64.b64decode(by_name["desadv.edi"]["contentBase64"]) == b"UNA:+"
    assert by_name["ORDERS_1.edi"]["id"] == gid("ExchangeRecord", ids["sent"])
    inbound = api.ok(QUERY, {"filter": {"direction": "INBOUND"}}, as_="supplier-a")["exchangeRecords"]
    assert [e["node"]["filename"] for e in inbound["edges"]] == ["desadv.edi"]


def test_other_organizations_see_no_files_and_cannot_reprocess(api: Api) -> None:
    ids = make_records(api)
    for stranger in ("supplier-b", "dealer-other", "partner"):
        assert api.ok(QUERY, as_=stranger)["exchangeRecords"] == {"totalCount": 0, "edges": []}
        hidden = api.ok(REPROCESS, {"id": gid("ExchangeRecord", ids["failed"])}, as_=stranger)
        missing = api.ok(REPROCESS, {"id": gid("ExchangeRecord", 987654)}, as_=stranger)
        assert hidden["reprocessExchangeRecord"]["record"] is None
        assert hidden["reprocessExchangeRecord"]["userErrors"][0]["code"] == "NOT_FOUND"
        foreign, absent = gid("ExchangeRecord", ids["failed"]), gid("ExchangeRecord", 987654)
        assert missing["reprocessExchangeRecord"]["userErrors"][0]["message"] == (
            f"exchange record {absent} not found"  # the public id, never the internal one
        )
        assert hidden["reprocessExchangeRecord"]["userErrors"][0]["message"].replace(foreign, "#") == missing[
            "reprocessExchangeRecord"
        ]["userErrors"][0]["message"].replace(absent, "#")


def test_owner_reprocesses_a_failed_file(api: Api) -> None:
    ids = make_records(api)
    result = api.ok(REPROCESS, {"id": gid("ExchangeRecord", ids["failed"])})["reprocessExchangeRecord"]
    assert result == {"record": {"state": "RECEIVED"}, "userErrors": []}
    again = api.ok(REPROCESS, {"id": gid("ExchangeRecord", ids["sent"])})["reprocessExchangeRecord"]
    assert again["userErrors"][0]["code"] == "INVALID_STATE"


DISCARD = """mutation($id: ID!) {
  discardExchangeRecord(id: $id) { record { state error } userErrors { message code } }
}"""


def test_owner_discards_a_failed_file_others_cannot_and_hidden_is_missing(api: Api) -> None:
    ids = make_records(api)
    for stranger in ("supplier-b", "dealer-other", "partner"):
        hidden = api.ok(DISCARD, {"id": gid("ExchangeRecord", ids["failed"])}, as_=stranger)
        missing = api.ok(DISCARD, {"id": gid("ExchangeRecord", 987654)}, as_=stranger)
        assert hidden["discardExchangeRecord"]["userErrors"][0]["code"] == "NOT_FOUND"
        # The same words as for a missing id, each naming the id asked for (never an internal one).
        assert hidden["discardExchangeRecord"]["userErrors"][0]["message"].replace(
            gid("ExchangeRecord", ids["failed"]), "#"
        ) == missing["discardExchangeRecord"]["userErrors"][0]["message"].replace(
            gid("ExchangeRecord", 987654), "#"
        )
    own = api.ok(DISCARD, {"id": gid("ExchangeRecord", ids["failed"])}, as_="supplier-a")
    assert own["discardExchangeRecord"]["userErrors"][0]["code"] == "PERMISSION_DENIED"
    done = api.ok(DISCARD, {"id": gid("ExchangeRecord", ids["failed"])})["discardExchangeRecord"]
    assert done["userErrors"] == []
    assert done["record"]["state"] == "DISCARDED"
    assert done["record"]["error"].startswith("discarded by")
    sent = api.ok(DISCARD, {"id": gid("ExchangeRecord", ids["sent"])})["discardExchangeRecord"]
    assert sent["userErrors"][0]["code"] == "INVALID_STATE"


def test_the_buttons_follow_the_one_permission_function(api: Api) -> None:
    make_records(api)
    owner = {e["node"]["filename"]: e["node"] for e in api.ok(QUERY)["exchangeRecords"]["edges"]}
    assert (owner["desadv.edi"]["canReprocess"], owner["desadv.edi"]["canDiscard"]) == (True, True)
    assert (owner["ORDERS_1.edi"]["canReprocess"], owner["ORDERS_1.edi"]["canDiscard"]) == (False, False)
    edges = api.ok(QUERY, as_="supplier-a")["exchangeRecords"]["edges"]
    partner = {e["node"]["filename"]: e["node"] for e in edges}
    assert (partner["desadv.edi"]["canReprocess"], partner["desadv.edi"]["canDiscard"]) == (False, False)
