"""Lead pages (issue #18.2): the list with its filters and CSV, the form (every wrong field named,
what was typed kept), the dealer's answer and conversion, marketing's reassigning, the import with
its preview and the user's choice, and the owner admins' territories."""

from __future__ import annotations

from datetime import date, timedelta

from portal.leads import service as leads
from portal.models import LeadStatus
from tests.leads import give_territory, new_lead
from tests.web.conftest import WebWorld, csrf_of, post_form


def test_marketing_creates_a_lead_that_goes_to_the_covering_dealer(world: WebWorld) -> None:
    give_territory(world)
    client = world.client("owner")
    response = post_form(
        client,
        "/leads/new",
        "/leads/new",
        {"company": "Kühlhaus Nord", "postal_code": "20095", "city": "Hamburg", "country_code": "DE"},
    )
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    page = client.get(response.headers["location"])  # type: ignore[attr-defined]
    assert "Kühlhaus Nord" in page.text and "Dealer Group" in page.text
    assert "Dealer Group" in client.get("/leads?status=offered").text


def test_a_bad_form_names_every_wrong_field_and_keeps_what_was_typed(world: WebWorld) -> None:
    client = world.client("owner")
    response = post_form(
        client,
        "/leads/new",
        "/leads/new",
        {"company": " ", "email": "kein-mail", "country_code": "Deutschland", "notes": "kept note"},
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    for field in ("company", "email", "country_code"):
        assert f'id="{field}-error"' in text, field
    assert "kept note" in text and "kein-mail" in text


def test_the_lead_forms_check_postal_code_and_country(world: WebWorld) -> None:
    client = world.client("owner")
    for postal, country, field in (("6031X1", "DE", "postal_code"), ("60311", "XX", "country_code")):
        response = post_form(
            client,
            "/leads/new",
            "/leads/new",
            {"company": "Kühlhaus Nord", "postal_code": postal, "country_code": country},
            headers={"accept-language": "de"},
        )
        assert response.status_code == 400  # type: ignore[attr-defined]
        text = response.text  # type: ignore[attr-defined]
        assert f'id="{field}-error"' in text and f'value="{postal}"' in text, (postal, country)
    german = post_form(
        client,
        "/leads/new",
        "/leads/new",
        {"company": "K", "postal_code": "ABCDE", "country_code": "DE"},
        headers={"accept-language": "de"},
    )
    assert "eine deutsche Postleitzahl hat fünf Ziffern" in german.text  # type: ignore[attr-defined]
    ident = new_lead(world)
    edit = f"/leads/{ident}/edit"
    response = post_form(
        client, edit, edit, {"company": "Hafen Kälte GmbH", "postal_code": "2107", "country_code": "DE"}
    )
    assert response.status_code == 400 and 'id="postal_code-error"' in response.text  # type: ignore[attr-defined]
    response = post_form(  # another country: letters, digits, spaces and hyphens
        client, edit, edit, {"company": "Hafen Kälte GmbH", "postal_code": "SW1A 1AA", "country_code": "GB"}
    )
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]


def test_the_dealer_accepts_and_converts_and_another_dealer_gets_404(world: WebWorld) -> None:
    give_territory(world)
    ident = new_lead(world)
    other = world.client("dealer-other")
    assert other.get(f"/leads/{ident}").status_code == 404
    assert "Hafen Kälte" not in other.get("/leads").text
    client = world.client("dealer-group")
    page = client.get(f"/leads/{ident}")
    assert 'id="accept-form"' in page.text and 'id="reassign-form"' not in page.text
    response = client.post(
        f"/leads/{ident}/accept", data={"csrf": csrf_of(page.text), "version": "2"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    page = client.get(f"/leads/{ident}")
    assert 'id="convert-form"' in page.text
    response = client.post(
        f"/leads/{ident}/convert",
        data={
            "csrf": csrf_of(page.text),
            "version": "3",
            "target": "new",
            "opportunity_name": "Kälteanlage",
            "expected_close": (date.today() + timedelta(days=40)).isoformat(),
            "amount": "12.000,50",
        },
        headers={"accept-language": "de"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/opportunities/")
    opp = client.get(response.headers["location"])
    assert "Kälteanlage" in opp.text
    assert f'id="opportunity-lead" href="/leads/{ident}">LD-' in opp.text  # where it came from


def test_converting_names_every_wrong_field_at_once_a_past_close_included(world: WebWorld) -> None:
    give_territory(world)
    ident = new_lead(world)
    client = world.client("dealer-group")
    page = client.get(f"/leads/{ident}")
    client.post(f"/leads/{ident}/accept", data={"csrf": csrf_of(page.text), "version": "2"})
    page = client.get(f"/leads/{ident}")
    response = client.post(
        f"/leads/{ident}/convert",
        data={
            "csrf": csrf_of(page.text),
            "version": "3",
            "target": "new",
            "opportunity_name": "",
            "expected_close": "2020-01-01",
            "amount": "zwölf",
        },
        headers={"accept-language": "de"},
        follow_redirects=False,
    )
    assert response.status_code == 400, response.text
    for field in ("opportunity_name", "expected_close", "amount"):
        assert f'id="{field}-error"' in response.text, field
    assert "darf nicht in der Vergangenheit liegen" in response.text
    assert 'value="zwölf"' in response.text and 'value="2020-01-01"' in response.text
    # a past date alone is refused too: nothing is converted
    response = client.post(
        f"/leads/{ident}/convert",
        data={
            "csrf": csrf_of(page.text),
            "version": "3",
            "target": "new",
            "opportunity_name": "Kälteanlage",
            "expected_close": (date.today() - timedelta(days=1)).isoformat(),
        },
        follow_redirects=False,
    )
    assert response.status_code == 400 and 'id="expected_close-error"' in response.text
    with world.scene.uow() as uow:
        assert leads.load_lead(uow, world.scene.p("owner"), ident).status is LeadStatus.ACCEPTED


def test_declining_without_a_reason_is_refused_at_the_field(world: WebWorld) -> None:
    give_territory(world)
    ident = new_lead(world)
    client = world.client("dealer-group")
    page = client.get(f"/leads/{ident}")
    response = client.post(
        f"/leads/{ident}/decline", data={"csrf": csrf_of(page.text), "reason": ""}, follow_redirects=False
    )
    assert response.status_code == 400 and 'id="reason-error"' in response.text
    response = client.post(
        f"/leads/{ident}/decline",
        data={"csrf": csrf_of(page.text), "reason": "Zu weit weg"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/leads"
    assert client.get(f"/leads/{ident}").status_code == 404  # it left the dealer


def test_marketing_reassigns_a_queued_lead_by_hand(world: WebWorld) -> None:
    ident = new_lead(world, postal_code="50667")  # nobody covers it
    client = world.client("owner")
    queue = client.get("/leads?status=unassigned")
    assert "Hafen Kälte" in queue.text
    response = post_form(
        client,
        f"/leads/{ident}",
        f"/leads/{ident}/reassign",
        {"dealer_id": str(world.scene.orgs["dealer-other"].id), "how": "hand"},
    )
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    assert world.client("dealer-other").get(f"/leads/{ident}").status_code == 200


def test_the_list_filters_by_dealer_and_exports_csv(world: WebWorld) -> None:
    give_territory(world)
    give_territory(world, "dealer-other", "DE 80000-81999")
    new_lead(world, "Nord GmbH", "21073")
    new_lead(world, "Süd GmbH", "80331")
    client = world.client("owner")
    page = client.get(f"/leads?dealer={world.scene.orgs['dealer-other'].id}")
    assert "Süd GmbH" in page.text and "Nord GmbH" not in page.text
    assert 'id="flt-campaign"' in page.text and "Dealer Other" in page.text
    csv = client.get("/leads.csv")
    assert csv.status_code == 200 and "Nord GmbH" in csv.text and "Süd GmbH" in csv.text
    dealer_csv = world.client("dealer-group").get("/leads.csv")
    assert "Nord GmbH" in dealer_csv.text and "Süd GmbH" not in dealer_csv.text
    assert world.client("supplier-a").get("/leads").status_code == 404


IMPORT = (
    "\ufeffFirma;Ansprechpartner;E-Mail;PLZ;Ort;Land;Spalte X\n"
    "Alpha GmbH;Anna Alt;anna@alpha.example;20095;Hamburg;DE;x\n"
    ";Bert Bad;bert@example;20095;Hamburg;DE;y\n"
    "Gamma KG;;;80331;München;DEU;z\n"
    "Delta AG;Dora D;;21073;Hamburg;;\n"
)


def _upload(world: WebWorld, text: str) -> tuple[object, str]:
    client = world.client("owner")
    page = client.get("/leads/import")
    response = client.post(
        "/leads/import",
        data={"csrf": csrf_of(page.text)},
        files={"file": ("leads.csv", text.encode("utf-8"), "text/csv")},
        follow_redirects=False,
    )
    return client, response  # type: ignore[return-value]


def test_the_import_previews_bad_rows_and_imports_nothing_or_the_good_rows(world: WebWorld) -> None:
    give_territory(world)
    client, preview = _upload(world, IMPORT)
    assert preview.status_code == 200, preview.text  # type: ignore[attr-defined]
    text = preview.text  # type: ignore[attr-defined]
    assert 'id="import-errors"' in text and "Spalte X" in text
    assert ">3<" in text and ">4<" in text  # the lines of the two bad rows
    csrf = csrf_of(text)
    body = IMPORT.lstrip("\ufeff")
    nothing = client.post(  # type: ignore[attr-defined]
        "/leads/import", data={"csrf": csrf, "step": "import", "mode": "all_or_nothing", "csv": body}
    )
    assert nothing.status_code == 400 and 'id="nothing-imported"' in nothing.text
    assert "Alpha GmbH" not in client.get("/leads").text  # type: ignore[attr-defined]
    done = client.post(  # type: ignore[attr-defined]
        "/leads/import",
        data={"csrf": csrf, "step": "import", "mode": "good_rows", "csv": body},
        follow_redirects=False,
    )
    assert done.status_code == 303
    listed = client.get("/leads").text  # type: ignore[attr-defined]
    assert "Alpha GmbH" in listed and "Delta AG" in listed and "Gamma KG" not in listed
    with world.scene.uow() as uow:
        from portal.leads.queries import LeadQuery, list_leads

        rows = list_leads(
            uow.session, world.scene.p("owner"), LeadQuery(statuses=frozenset({LeadStatus.OFFERED}))
        )
        assert {r.company for r in rows.items} == {"Alpha GmbH", "Delta AG"}  # distributed at once


def test_an_import_without_a_company_column_is_refused_at_the_file(world: WebWorld) -> None:
    _client, response = _upload(world, "Name,City\nA,B\n")
    assert response.status_code == 400 and 'id="file-error"' in response.text  # type: ignore[attr-defined]


def test_a_territory_form_names_every_bad_line_and_a_negative_capacity_at_once(world: WebWorld) -> None:
    client = world.client("owner")
    dealer = world.scene.orgs["dealer-other"].id
    url = f"/admin/territories/{dealer}"
    bad = post_form(
        client,
        url,
        url,
        {
            "postal_ranges": "DE 80000-81999\nXY abc\n1010-",
            "regions": "DE-BY\nNord!\n<Süd>",
            "capacity": "-3",
            "active": "1",
        },
        headers={"accept-language": "de"},
    )
    assert bad.status_code == 400  # type: ignore[attr-defined]
    text = bad.text  # type: ignore[attr-defined]
    for field in ("postal_ranges", "regions", "capacity"):
        assert f'id="{field}-error"' in text, field
    assert "„XY abc“ ist kein PLZ-Bereich; „1010-“ ist kein PLZ-Bereich" in text
    assert "„Nord!“ ist keine Region; „&lt;Süd&gt;“ ist keine Region" in text


def test_owner_admin_edits_a_territory_and_others_may_not(world: WebWorld) -> None:
    client = world.client("owner")
    dealer = world.scene.orgs["dealer-other"].id
    assert "Dealer Other" in client.get("/admin/territories").text
    bad = post_form(
        client,
        f"/admin/territories/{dealer}",
        f"/admin/territories/{dealer}",
        {"postal_ranges": "DE 8x000-79999", "regions": "", "capacity": "viele", "active": "1"},
    )
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert 'id="postal_ranges-error"' in bad.text and 'id="capacity-error"' in bad.text  # type: ignore[attr-defined]
    assert "8x000-79999" in bad.text  # type: ignore[attr-defined]
    good = post_form(
        client,
        f"/admin/territories/{dealer}",
        f"/admin/territories/{dealer}",
        {"postal_ranges": "DE 80000-81999\nAT 1010", "regions": "DE-BY", "capacity": "3", "active": "1"},
    )
    assert good.status_code == 303  # type: ignore[attr-defined]
    assert "DE 80000-81999, AT 1010" in client.get("/admin/territories").text
    assert world.client("dealer-other").get("/admin/territories").status_code == 403
