"""Cases (thread, internal comments, attachments, status), customers (history, activities,
appointments, sharing), and partner admins managing users and tokens."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.cases import service as cases
from portal.models import Case
from portal.models.base import utcnow
from tests.web.conftest import WebWorld, csrf_of, post_form


def _case(world: WebWorld, *, by: str = "dealer-group") -> Case:
    with world.scene.uow() as uow:
        return cases.open_case(
            uow=uow, principal=world.scene.p(by), subject="Pumpe defekt", description="Leckt"
        )


def test_dealer_opens_a_case_and_comments_on_it(world: WebWorld) -> None:
    customer = world.scene.customer("Kunde Eins", shared_with=("dealer-group",))
    client = world.client("dealer-group")
    response = post_form(
        client,
        "/cases/new",
        "/cases/new",
        {"subject": "Heizung fällt aus", "priority": "high", "customer_id": str(customer.id)},
    )
    assert response.status_code == 303, response.text
    url = response.headers["location"]
    commented = post_form(client, url, f"{url}/comments", {"body": "Techniker ist unterwegs"})
    assert commented.status_code == 303
    page = client.get(url)
    assert "Heizung fällt aus" in page.text and "Techniker ist unterwegs" in page.text
    assert "left" in page.text  # the SLA clock runs


def test_an_empty_case_subject_is_reported_at_the_field(world: WebWorld) -> None:
    client = world.client("dealer-group")
    response = post_form(client, "/cases/new", "/cases/new", {"subject": " ", "description": "kept text"})
    assert response.status_code == 400
    assert 'id="subject-error"' in response.text and "kept text" in response.text


def test_internal_comments_are_never_shown_to_external_users(world: WebWorld) -> None:
    case = _case(world)
    owner = world.client("owner")
    url = f"/cases/{case.id}"
    post_form(owner, url, f"{url}/comments", {"body": "Nur intern: Kulanz prüfen", "internal": "1"})
    post_form(owner, url, f"{url}/comments", {"body": "Wir kümmern uns"})
    assert "Nur intern" in owner.get(url).text
    dealer_page = world.client("dealer-group").get(url)
    assert "Wir kümmern uns" in dealer_page.text and "Nur intern" not in dealer_page.text


def test_external_user_cannot_write_an_internal_comment(world: WebWorld) -> None:
    case = _case(world)
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    post_form(client, url, f"{url}/comments", {"body": "sichtbar", "internal": "1"})
    owner_page = world.client("owner").get(url)
    assert re.search(r'class="comment">\s*<p class="meta">', owner_page.text)  # stored as a shared comment


def test_attachment_upload_and_download_roundtrip(world: WebWorld) -> None:
    case = _case(world)
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    page = client.get(url)
    response = client.post(
        f"{url}/attachments",
        data={"csrf": csrf_of(page.text)},
        files={"file": ("report.pdf", b"%PDF-1.4 test", "application/pdf")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    link = re.search(rf'href="({url}/attachments/\d+)"', client.get(url).text)
    assert link
    download = client.get(link.group(1))
    assert download.content == b"%PDF-1.4 test"
    assert download.headers["content-type"] == "application/pdf"
    assert "sandbox" in download.headers["content-security-policy"]


def test_attachment_of_a_refused_type_is_reported_at_the_file_field(world: WebWorld) -> None:
    case = _case(world)
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    page = client.get(url)
    response = client.post(
        f"{url}/attachments",
        data={"csrf": csrf_of(page.text)},
        files={"file": ("run.exe", b"MZ...", "application/x-msdownload")},
    )
    assert response.status_code == 400
    assert 'id="file-error"' in response.text and "not accepted" in response.text


def test_attachment_over_the_size_limit_is_refused(world: WebWorld) -> None:
    case = _case(world)
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    page = client.get(url)
    limit = world.app.state.settings.max_attachment_bytes
    response = client.post(
        f"{url}/attachments",
        data={"csrf": csrf_of(page.text)},
        files={"file": ("big.txt", b"x" * (limit + 100 * 1024), "text/plain")},
    )
    assert response.status_code == 400
    assert 'id="file-error"' in response.text and 'class="main-nav"' in response.text
    assert "big.txt" not in client.get(url).text


def test_case_status_change_with_a_stale_version_is_refused(world: WebWorld) -> None:
    case = _case(world)
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    response = post_form(
        client, url, f"{url}/status", {"action": "resolve", "version": str(case.version - 1 or 99)}
    )
    assert response.status_code == 409
    fresh = post_form(client, url, f"{url}/status", {"action": "resolve", "version": str(case.version)})
    assert fresh.status_code == 303


def test_dealer_schedules_an_appointment_on_a_customer(world: WebWorld) -> None:
    customer = world.scene.customer("Termin GmbH", shared_with=("dealer-group",))
    client = world.client("dealer-group")
    url = f"/customers/{customer.id}"
    response = post_form(
        client,
        url,
        f"{url}/activities",
        {
            "kind": "appointment",
            "subject": "Wartung vor Ort",
            "starts_at": "2030-03-04T09:00",
            "ends_at": "2030-03-04T10:30",
        },
    )
    assert response.status_code == 303, response.text
    page = client.get(url)
    assert "Wartung vor Ort" in page.text
    assert "Mar 4, 2030, 9:00" in page.text  # shown in Berlin time, as entered


def test_an_appointment_that_ends_before_it_starts_is_reported_at_the_end_field(world: WebWorld) -> None:
    customer = world.scene.customer(shared_with=("dealer-group",))
    client = world.client("dealer-group")
    url = f"/customers/{customer.id}"
    response = post_form(
        client,
        url,
        f"{url}/activities",
        {
            "kind": "meeting",
            "subject": "Besuch",
            "starts_at": "2030-03-04T09:00",
            "ends_at": "2030-03-04T08:00",
        },
    )
    assert response.status_code == 400
    assert 'id="ends_at-error"' in response.text and 'value="Besuch"' in response.text


def test_dealer_adds_a_contact_who_can_then_be_picked_for_a_call(world: WebWorld) -> None:
    customer = world.scene.customer("Kontakt AG", shared_with=("dealer-group",))
    client = world.client("dealer-group")
    url = f"/customers/{customer.id}"
    response = post_form(
        client,
        url,
        f"{url}/contacts",
        {"first_name": "Jana", "last_name": "Schulz", "email": "jana@kontakt.example", "phone": "+49 40 1"},
    )
    assert response.status_code == 303, response.text
    page = client.get(url).text
    assert "Jana Schulz" in page and 'href="mailto:jana@kontakt.example"' in page
    assert re.search(r'<option value="\d+"[^>]*>Jana Schulz</option>', page)  # offered in the call form


def test_a_contact_without_last_name_or_with_a_bad_email_is_reported_at_the_fields(world: WebWorld) -> None:
    customer = world.scene.customer(shared_with=("dealer-group",))
    client = world.client("dealer-group")
    url = f"/customers/{customer.id}"
    response = post_form(client, url, f"{url}/contacts", {"first_name": "Jana", "last_name": ""})
    assert response.status_code == 400
    assert 'id="last_name-error"' in response.text and 'value="Jana"' in response.text
    assert '<details class="add-contact" open>' in response.text
    bad = post_form(client, url, f"{url}/contacts", {"last_name": "Schulz", "email": "not-an-address"})
    assert bad.status_code == 400
    assert 'id="email-error"' in bad.text
    assert "Schulz" not in client.get(url).text.split('id="h-contacts"')[1].split("</ul>")[0]


def test_owner_shares_a_customer_with_a_dealer(world: WebWorld) -> None:
    customer = world.scene.customer("Geteilt KG")
    assert world.client("dealer-other").get(f"/customers/{customer.id}").status_code == 404
    owner = world.client("owner")
    url = f"/customers/{customer.id}"
    response = post_form(
        owner, url, f"{url}/share", {"organization_id": str(world.scene.orgs["dealer-other"].id)}
    )
    assert response.status_code == 303
    assert world.client("dealer-other").get(url).status_code == 200


def test_partner_admin_adds_a_user_to_its_own_organization(world: WebWorld) -> None:
    client = world.client("dealer-group")
    response = post_form(
        client,
        "/admin/users",
        "/admin/users",
        {"name": "Neu", "email": "neu@dealer.example", "password": "long-enough-pw", "roles": "member"},
    )
    assert response.status_code == 303, response.text
    assert "neu@dealer.example" in client.get("/admin/users").text
    assert "neu@dealer.example" not in world.client("dealer-other").get("/admin/users").text


def test_adding_a_user_with_a_short_password_is_reported_at_the_field(world: WebWorld) -> None:
    client = world.client("dealer-group")
    response = post_form(
        client,
        "/admin/users",
        "/admin/users",
        {"name": "Neu", "email": "kurz@dealer.example", "password": "short", "roles": "member"},
    )
    assert response.status_code == 400
    assert 'id="password-error"' in response.text and 'value="kurz@dealer.example"' in response.text


def test_an_api_token_is_shown_once(world: WebWorld) -> None:
    client = world.client("supplier-a")
    response = post_form(
        client, "/admin/tokens", "/admin/tokens", {"name": "ERP", "expires_in_days": "30", "roles": "member"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/admin/tokens"
    shown = client.get("/admin/tokens")
    assert shown.headers["cache-control"] == "no-store"
    secret = re.search(r'id="new-token" class="secret">(ptk_[^<]+)<', shown.text)
    assert secret
    listing = client.get("/admin/tokens").text
    assert "ERP" in listing and secret.group(1) not in listing and secret.group(1)[:10] in listing


def test_members_cannot_manage_users(world: WebWorld) -> None:
    assert world.client("partner").get("/admin/users").status_code == 403


def test_owner_routes_a_case_to_a_partner_who_then_sees_it(world: WebWorld) -> None:
    case = _case(world, by="owner")
    url = f"/cases/{case.id}"
    assert world.client("partner").get(url).status_code == 404
    response = post_form(
        world.client("owner"),
        url,
        f"{url}/route",
        {"routed_to_id": str(world.scene.orgs["partner"].id), "version": str(case.version)},
    )
    assert response.status_code == 303
    assert "Pumpe defekt" in world.client("partner").get(url).text


def test_contact_history_is_shown_in_the_users_language(world: WebWorld) -> None:
    customer = world.scene.customer("Historie GmbH", shared_with=("dealer-group",))
    order = world.scene.order(customer, by="dealer-group")
    client = world.client("dealer-group")
    url = f"/customers/{customer.id}"
    post_form(client, url, f"{url}/activities", {"kind": "call", "subject": "Rückruf"})
    page = client.get(url, params={"lang": "de"}).text
    assert f"Auftrag {order.number}" in page and "Anruf: Rückruf" in page


def _open_case(world: WebWorld, subject: str = "Pumpe leckt") -> Case:
    customer = world.scene.customer(shared_with=("dealer-group",))
    with world.scene.uow() as uow:
        return cases.open_case(
            uow=uow, principal=world.scene.p("dealer-group"), subject=subject, customer_id=customer.id
        )


def test_editing_a_case_priority_moves_its_sla_deadline(world: WebWorld) -> None:
    case = _open_case(world)
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    response = post_form(
        client,
        url,
        f"{url}/edit",
        {
            "version": str(case.version),
            "subject": "Pumpe leckt stark",
            "priority": "urgent",
            "description": "Wasser",
        },
    )
    assert response.status_code == 303, response.text
    with world.scene.factory() as session:
        saved = session.get_one(Case, case.id)
        assert (saved.subject, saved.priority.value, saved.description) == (
            "Pumpe leckt stark",
            "urgent",
            "Wasser",
        )
        assert saved.sla_due_at < case.sla_due_at  # urgent: 4 h instead of the default
    assert "Pumpe leckt stark" in client.get(url).text


def test_a_stale_case_edit_says_so_and_keeps_what_was_typed(world: WebWorld) -> None:
    case = _open_case(world)
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    token = csrf_of(client.get(url).text)
    with world.scene.uow() as uow:
        cases.update_case(
            uow=uow,
            principal=world.scene.p("owner"),
            case_id=case.id,
            changes=cases.CaseChanges(subject="Geändert"),
        )
    response = client.post(
        f"{url}/edit",
        data={"csrf": token, "version": str(case.version), "subject": "Mein Text", "priority": "high"},
    )
    assert response.status_code == 409
    assert 'value="Mein Text"' in response.text and '<details class="edit-case" open>' in response.text
    with world.scene.factory() as session:
        assert session.get_one(Case, case.id).subject == "Geändert"


def test_an_empty_subject_or_unknown_priority_is_reported_at_the_field(world: WebWorld) -> None:
    case = _open_case(world)
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    empty = post_form(
        client, url, f"{url}/edit", {"version": str(case.version), "subject": " ", "priority": "low"}
    )
    assert empty.status_code == 400 and 'id="subject-error"' in empty.text
    unknown = post_form(
        client, url, f"{url}/edit", {"version": str(case.version), "subject": "x", "priority": "asap"}
    )
    assert unknown.status_code == 400 and 'id="priority-error"' in unknown.text


def _set_sla(case: Case, world: WebWorld, due_in: timedelta) -> None:
    with world.scene.uow() as uow:
        stored = uow.session.get(Case, case.id)
        assert stored is not None
        stored.sla_due_at = utcnow() + due_in


def test_the_sla_clock_counts_overdue_time_exactly_and_in_days_when_long(world: WebWorld) -> None:
    case = _case(world)
    client = world.client("dealer-group")
    _set_sla(case, world, -timedelta(minutes=30, seconds=5))
    assert "overdue by 0 h 30 min" in client.get(f"/cases/{case.id}").text  # not "1 h 30 min"
    _set_sla(case, world, -timedelta(days=3, hours=5, minutes=1))
    assert "overdue by 3 d 5 h" in client.get(f"/cases/{case.id}").text
    _set_sla(case, world, timedelta(days=2, hours=1, minutes=10))
    assert "2 d 1 h left" in client.get(f"/cases/{case.id}").text
    _set_sla(case, world, -timedelta(days=1, hours=2, minutes=1))
    german = client.get(f"/cases/{case.id}", params={"lang": "de"}).text
    assert "überfällig seit 1 Tg. 2 Std." in german
