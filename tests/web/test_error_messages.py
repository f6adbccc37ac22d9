"""Errors in the user's language: service messages with parameters, field names as labels, roles
and file types as words, and every error of a form reported at its field."""

from __future__ import annotations

from typing import Any

from lxml import html as lxml_html
from starlette.testclient import TestClient

from portal.cases import service as cases
from portal.errors import InvalidInput
from portal.web.forms import FormInvalid, errors_from
from portal.web.i18n import load_translations
from tests.web.conftest import WebWorld, csrf_of, post_form


def _gettext(locale: str) -> Any:
    catalog = load_translations(locale)

    def gettext(message: str, **variables: Any) -> str:
        text: str = catalog.ugettext(message)
        return text % variables if variables else text

    return gettext


def _german(client: TestClient, url: str) -> None:
    client.get(url, params={"lang": "de"})


def _field_errors(page: str) -> dict[str, str]:
    tree = lxml_html.fromstring(page)
    return {
        p.get("id").removesuffix("-error"): p.text_content() for p in tree.xpath('//p[@class="field-error"]')
    }


def test_a_service_message_with_numbers_is_translated_with_local_numbers() -> None:
    exc = InvalidInput("lines[2].quantity", "confirms 99999, more than the 3 ordered")
    german = errors_from(exc, _gettext("de"), "de")
    assert german.fields == {"line-2-quantity": "bestätigt 99.999, mehr als die bestellten 3"}
    assert german.labels["line-2-quantity"] == "Position 2: Menge"
    english = errors_from(exc, _gettext("en"), "en")
    assert english.fields == {"line-2-quantity": "confirms 99,999, more than the 3 ordered"}


def test_field_names_in_messages_are_the_forms_labels() -> None:
    exc = InvalidInput("lines[1].delivery_date", "must not be before shipped_on")
    message = errors_from(exc, _gettext("de"), "de").fields["line-1-delivery_date"]
    assert "shipped_on" not in message and "Versand" in message


def test_an_unknown_english_message_never_reaches_a_german_page() -> None:
    exc = InvalidInput("thing", "frobnication failed for xyz")
    assert errors_from(exc, _gettext("de"), "de").fields["thing"] == "Dieser Wert wird nicht angenommen."
    assert errors_from(exc, _gettext("en"), "en").fields["thing"] == "frobnication failed for xyz"


def test_every_error_of_a_form_is_reported() -> None:
    exc = FormInvalid(
        [
            InvalidInput("last_name", "must not be empty"),
            InvalidInput("email", "'x' is not an e-mail address"),
        ]
    )
    errors = errors_from(exc, _gettext("de"), "de")
    assert errors.fields == {"last_name": "darf nicht leer sein", "email": "„x“ ist keine E-Mail-Adresse"}
    assert [label for _name, label, _message in errors.summary()] == ["Nachname", "E-Mail-Adresse"]


def test_a_contact_form_reports_every_wrong_field_in_german(world: WebWorld) -> None:
    customer = world.scene.customer("Fehler KG", shared_with=("dealer-group",))
    client = world.client("dealer-group")
    url = f"/customers/{customer.id}"
    _german(client, url)
    response = post_form(client, url, f"{url}/contacts", {"last_name": " ", "email": "keine-adresse"})
    assert response.status_code == 400  # type: ignore[attr-defined]
    errors = _field_errors(response.text)  # type: ignore[attr-defined]
    assert set(errors) >= {"last_name", "email"}
    assert "keine E-Mail-Adresse" in errors["email"] and "not" not in errors["email"]


def test_a_case_edit_reports_subject_and_priority_together(world: WebWorld) -> None:
    with world.scene.uow() as uow:
        case = cases.open_case(uow=uow, principal=world.scene.p("dealer-group"), subject="S")
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    response = post_form(
        client, url, f"{url}/edit", {"version": str(case.version), "subject": " ", "priority": "asap"}
    )
    assert set(_field_errors(response.text)) >= {"subject", "priority"}  # type: ignore[attr-defined]


def test_a_refused_file_type_is_named_in_words_not_as_a_mime_type(world: WebWorld) -> None:
    with world.scene.uow() as uow:
        case = cases.open_case(uow=uow, principal=world.scene.p("dealer-group"), subject="S")
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    _german(client, url)
    response = client.post(
        f"{url}/attachments",
        data={"csrf": csrf_of(client.get(url).text)},
        files={"file": ("run.exe", b"MZ", "application/x-msdownload")},
    )
    message = _field_errors(response.text)["file"]
    assert "Diese Art von Datei" in message and "PDF-Dokument" in message
    assert "application/" not in message


def test_roles_are_shown_as_words(world: WebWorld) -> None:
    client = world.client("owner")
    _german(client, "/admin/users")
    page = lxml_html.fromstring(client.get("/admin/users").text)
    cells = [td.text_content() for td in page.xpath('//td[@data-label="Rollen"]')]
    assert "Administrator" in cells and "admin" not in cells
    options = page.xpath('//select[@name="roles"]/option/text()')
    assert "Vertrieb" in options and "sales" not in options


def test_a_message_the_catalog_knows_from_elsewhere_is_translated_not_replaced() -> None:
    exc = InvalidInput("lines[1].quantity", "must be a whole number for a unit counted in pieces")
    german = errors_from(exc, _gettext("de"), "de").fields["line-1-quantity"]
    assert german == "muss bei einer Mengeneinheit in Stück eine ganze Zahl sein"


# What the procure-to-pay services say (portal.invoicing, portal.orders, portal.exchange.upload),
# as they say it: none may fall back to the general sentence on a German page.
P2P_MESSAGES = [
    "pays 9999.00 EUR, more than the 788.07 EUR still owed on invoice RE-1",
    "the credit note of 9999.00 EUR is larger than the 788.07 EUR still owed on invoice RE-1",
    "was received before (EDI message 17); process that one again instead",
    "the credit note is in USD, invoice RE-1 in EUR",
    "line 2 has 5 shipped, more than the 3 the change confirms: reject the change",
    "line 2 is counted twice",
    "must be between 0 and the 5 counted",
    "must be between 0 and 365 days",
    "order SO-1 has no ship notice 17",
    "ship notice DN-1 has no line 3",
    "at most 200 lines per order; put further lines on a new order",
    "at most 200 lines per order; split it into several orders",
    "line 2 was shipped meanwhile; a shipped line cannot change",
    "a goods receipt needs at least one line",
    "a supplier does not sell orders",
    "decide on at least one line",
    "decided twice",
    "give a reason code for the damaged or missing goods (short, damaged, wrong item, other)",
    "has more than 2 decimal places",
    "is more than the credit note's gross total",
    "must be a percentage between 0 and 100 (two decimals)",
    "choose accept or reject for at least one line",
    "enter what arrived of at least one line",
    "the invoice names no order (RFF+ON / BIG04 / OrderReference)",
    "a reason goes with a rejection: choose “Rejected”",
]


def test_procure_to_pay_messages_are_german_with_their_values_and_money_as_the_reader_writes_it() -> None:
    from portal.web import i18n

    i18n.compile_catalogs()  # the catalogue as edited (the app does this at start)
    german, english = _gettext("de"), _gettext("en")
    fallback = german("This value is not accepted.")
    for message in P2P_MESSAGES:
        exc = InvalidInput("amount", message)
        text = errors_from(exc, german, "de").fields["amount"]
        assert text != fallback, message
    pay = InvalidInput("amount", P2P_MESSAGES[0])
    assert errors_from(pay, german, "de").fields["amount"] == (
        "zahlt 9.999,00\xa0€, mehr als die 788,07\xa0€, die auf Rechnung RE-1 noch offen sind"
    )
    credit = InvalidInput("gross_total", P2P_MESSAGES[1])
    assert "9.999,00\xa0€" in errors_from(credit, german, "de").fields["gross_total"]
    assert errors_from(credit, english, "en").fields["gross_total"] == (
        "the credit note of €9,999.00 is larger than the €788.07 still owed on invoice RE-1"
    )
