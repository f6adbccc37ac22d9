"""The buyer's change of a routed order on the web (issue #17, part 2): the change form on the order
page (every field checked, what was typed kept), the versions, what the supplier sees, de and en."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from portal.models import LineResponse, Order
from portal.orders import service as orders_service
from portal.orders.fulfilment import ShipLine, record_shipment
from tests.web.conftest import WebWorld, post_form


def _routed(world: WebWorld) -> Order:
    customer = world.scene.customer(shared_with=("dealer-group",))
    order = world.scene.order(customer, by="dealer-group", supplier="supplier-a", quantities=(10, 5))
    with world.scene.uow() as uow:
        orders_service.respond_to_order(
            uow=uow,
            principal=world.scene.p("supplier-a"),
            order_id=order.id,
            answers=[
                orders_service.LineAnswer(1, LineResponse.ACCEPTED),
                orders_service.LineAnswer(2, LineResponse.ACCEPTED),
            ],
        )
    return order


def _version(html: str) -> str:
    found = re.search(r'id="change-form".*?name="version" value="(\d+)"', html, re.S)
    assert found
    return found.group(1)


def test_the_owner_changes_a_line_and_the_supplier_sees_the_version(world: WebWorld) -> None:
    order = _routed(world)
    owner = world.client("owner")
    url = f"/orders/{order.id}"
    later = (date.today() + timedelta(days=14)).isoformat()
    response = post_form(
        owner,
        url,
        f"{url}/change",
        {
            "version": _version(owner.get(url).text),
            "line-1-quantity": "12",
            "line-1-requested_date": later,
            "line-2-cancel": "1",
            "note": "Kunde braucht mehr",
        },
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = owner.get(url).text
    assert 'id="version-2"' in page and "Kunde braucht mehr" in page
    cancelled_row = page.split('<tr class="cancelled">')[1].split("</tr>")[0]
    assert 'class="badge s-cancelled"' in cancelled_row and "s-accepted" not in cancelled_row
    supplier = world.client("supplier-a")
    seen = supplier.get(url, params={"lang": "de", "version": "1"}).text
    assert "Version 2" in seen and "Vom Einkauf geändert" in seen
    shown = seen.split('id="shown-version"')[1].split("</table>")[0]
    assert ">10<" in shown  # version 1 had 10 on line 1
    assert "12,50\xa0€" in shown and "12.5000" not in shown  # prices as money, not as stored
    listed = seen.split('id="version-2"')[1].split("</li></ul>")[0]
    assert "(10 → 12)" in listed
    day = date.fromisoformat(later)
    assert f"→ {day.day:02d}.{day.month:02d}.{day.year})" in listed  # the date as the reader writes it
    assert 'id="change-form"' not in seen  # the supplier does not change the buyer's order
    assert 'id="respond-form"' in seen  # it confirms line 1 again
    assert "hat den Auftrag" in seen and "zu Version 2 geändert" in seen  # the history says so
    assert 'id="versions"' not in world.client("supplier-b").get(url).text  # not found at all


def test_bad_input_is_named_per_field_and_kept(world: WebWorld) -> None:
    order = _routed(world)
    owner = world.client("owner")
    url = f"/orders/{order.id}"
    # the add-line article starts empty: a browser submits the first choice of a list
    add = owner.get(url).text.split('id="change-add"')[1].split("</fieldset>")[0]
    assert re.search(r'<select[^>]*name="line-3-product"[^>]*>\s*<option value="">', add)
    response = post_form(
        owner,
        url,
        f"{url}/change",
        {
            "version": _version(owner.get(url).text),
            "line-1-quantity": "zwölf",
            "line-2-requested_date": (date.today() - timedelta(days=1)).isoformat(),
            "line-3-quantity": "4",
            "note": "kept",
        },
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert 'id="line-1-quantity-error"' in html
    assert 'id="line-3-product-error"' in html  # an added line needs its article
    assert 'value="zwölf"' in html and 'value="kept"' in html
    empty = post_form(owner, url, f"{url}/change", {"version": _version(owner.get(url).text)})
    assert empty.status_code == 400  # type: ignore[attr-defined]
    assert "at least one line" in empty.text  # type: ignore[attr-defined]


def test_a_second_editor_is_told_and_a_shipped_line_is_not_offered(world: WebWorld) -> None:
    order = _routed(world)
    owner = world.client("owner")
    url = f"/orders/{order.id}"
    stale = _version(owner.get(url).text)
    ok = post_form(owner, url, f"{url}/change", {"version": stale, "line-1-quantity": "11"})
    assert ok.status_code == 303  # type: ignore[attr-defined]
    late = post_form(
        owner, url, f"{url}/change", {"version": stale, "line-2-quantity": "6"}, params={"lang": "en"}
    )
    assert late.status_code in (400, 409)  # type: ignore[attr-defined]
    assert "changed" in late.text  # type: ignore[attr-defined]
    with world.scene.uow() as uow:
        orders_service.respond_to_order(
            uow=uow,
            principal=world.scene.p("supplier-a"),
            order_id=order.id,
            answers=[orders_service.LineAnswer(1, LineResponse.ACCEPTED)],
        )
        record_shipment(
            uow=uow,
            principal=world.scene.p("supplier-a"),
            order_id=order.id,
            number="DN-1",
            shipped_on=date.today(),
            lines=[ShipLine(1, Decimal(1))],
        )
    page = owner.get(url).text
    form = page.split('id="change-form"')[1].split("</form>")[0]
    assert 'name="line-1-quantity"' not in form and 'name="line-2-quantity"' in form
    assert "cannot change" in form


def test_a_line_shipped_meanwhile_is_refused_by_name_and_the_typed_values_stay(world: WebWorld) -> None:
    order = _routed(world)
    owner = world.client("owner")
    url = f"/orders/{order.id}"
    version = _version(owner.get(url).text)  # the form shown while nothing was shipped
    with world.scene.uow() as uow:
        record_shipment(
            uow=uow,
            principal=world.scene.p("supplier-a"),
            order_id=order.id,
            number="DN-RACE",
            shipped_on=date.today(),
            lines=[ShipLine(2, Decimal(5))],
        )
    response = post_form(
        owner,
        url,
        f"{url}/change",
        {
            "version": version,
            "line-1-quantity": "8",
            "line-2-quantity": "3",
            "line-2-requested_date": "",
            "note": "weniger",
        },
        headers={"accept-language": "de"},
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    section = html.split('id="h-change"')[1].split("</section>")[0]
    message = "Position 2 wurde inzwischen versandt; eine versandte Position kann nicht geändert werden"
    assert message in section and 'id="line-2-quantity-error"' in section
    assert "mindestens eine Position" not in section  # not "change at least one line"
    assert 'value="8"' in section and 'value="weniger"' in section  # what was typed stays
    assert "Ihre Eingabe: Menge 3" in section
    with world.scene.uow() as uow:  # nothing changed
        current = orders_service.load_order(uow, world.scene.p("owner"), order.id)
        assert [line.quantity_ordered for line in current.lines] == [Decimal(10), Decimal(5)]
