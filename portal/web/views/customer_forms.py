"""The customer master's forms: a new customer (with the duplicate warning), editing a customer,
editing a contact with its consents, and erasing a contact on request (issue #18)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from starlette.responses import Response

from portal import validation
from portal.access import get_visible, load_by_ids
from portal.access import permissions as may
from portal.customers import erasure
from portal.customers import service as customers
from portal.errors import InvalidInput, NotFound, PossibleDuplicates
from portal.models import Contact, Customer
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors
from portal.web.i18n import TIMEZONE

CUSTOMER_FIELDS = tuple(customers.CUSTOMER_CHECKS)
CONTACT_FIELDS = ("first_name", "last_name", "position", "email", "phone")
CHANNELS = ("email", "phone")


def customer_values(customer: Customer) -> dict[str, str]:
    return {name: str(getattr(customer, name) or "") for name in CUSTOMER_FIELDS} | {
        "version": str(customer.version)
    }


def contact_values(contact: Contact) -> dict[str, str]:
    values = {name: str(getattr(contact, name) or "") for name in CONTACT_FIELDS}
    for channel in CHANNELS:
        values[f"{channel}_consent"] = "1" if getattr(contact, f"{channel}_consent") else ""
        values[f"{channel}_consent_source"] = getattr(contact, f"{channel}_consent_source") or ""
        at = getattr(contact, f"{channel}_consent_at")
        values[f"{channel}_consent_at"] = at.astimezone(TIMEZONE).date().isoformat() if at else ""
    return values | {"version": str(contact.version)}


def customer_checks(ctx: Ctx) -> list[Callable[[], object]]:
    """Each field of the customer form checked as the service checks it."""

    def field(name: str, check: Callable[[str | None], object]) -> Callable[[], object]:
        return lambda: check(ctx.form.text(name))

    return [
        *(field(name, check) for name, check in customers.CUSTOMER_CHECKS.items()),
        customers.address_check(ctx.form.text("postal_code"), ctx.form.text("country_code")),
    ]


def customer_fields(ctx: Ctx) -> customers.CustomerFields:
    get = ctx.form.optional
    return customers.CustomerFields(
        name=ctx.form.text("name"),
        street=get("street"),
        postal_code=get("postal_code"),
        city=get("city"),
        country_code=ctx.form.text("country_code"),
        vat_id=get("vat_id"),
        gln=get("gln"),
        email=get("email"),
        phone=get("phone"),
    )


def contact_checks(ctx: Ctx) -> list[Callable[[], object]]:
    checks: list[Callable[[], object]] = [
        lambda: validation.required_text("last_name", ctx.form.text("last_name"), max_length=100),
        lambda: validation.text("first_name", ctx.form.text("first_name"), max_length=100, required=False),
        lambda: validation.text("position", ctx.form.text("position"), max_length=100, required=False),
        lambda: validation.email("email", ctx.form.optional("email")),
        lambda: validation.text("phone", ctx.form.text("phone"), max_length=50, required=False),
    ]

    def day(channel: str) -> Callable[[], object]:
        return lambda: ctx.form.date(f"{channel}_consent_at")

    return checks + [day(channel) for channel in CHANNELS]


def consent_checks(ctx: Ctx, current: Contact | None) -> list[Callable[[], object]]:
    def check(channel: str) -> Callable[[], object]:
        return lambda: read_consent(ctx, channel, current)

    return [check(channel) for channel in CHANNELS]


def read_consent(ctx: Ctx, channel: str, current: Contact | None) -> customers.Consent | None:
    """The consent the form asks for, or None when it leaves it as it is (a new contact without the
    box ticked, or an unchanged box and source). A change needs its source."""
    given = ctx.form.checkbox(f"{channel}_consent")
    source = ctx.form.text(f"{channel}_consent_source")
    day = ctx.form.date(f"{channel}_consent_at")
    if current is None:
        if not given:
            return None
    elif given == getattr(current, f"{channel}_consent") and (
        source == (getattr(current, f"{channel}_consent_source") or "")
    ):
        return None
    if not source:
        raise InvalidInput(f"{channel}_consent_source", "say how the consent was given or withdrawn")
    at = None
    if day is not None and day != datetime.now(TIMEZONE).date():
        at = datetime.combine(day, time(12), TIMEZONE)
    return customers.Consent(given=given, source=source, at=at)


class CustomerFormViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    # -- a new customer ----------------------------------------------------------------------
    def new(self, ctx: Ctx) -> Response:
        may.require(ctx.principal, may.can_create_customer(ctx.principal), "create customers")
        if ctx.request.method == "GET":
            return self._new_form(ctx, FormErrors(), {"country_code": "DE"})

        def create() -> Response:
            ctx.form.validate(*customer_checks(ctx))  # every wrong field at once
            try:
                customer = customers.create_customer(
                    uow=ctx.uow,
                    principal=ctx.principal,
                    **vars_of(customer_fields(ctx)),
                    allow_duplicates=ctx.form.checkbox("confirm_duplicates"),
                )
            except PossibleDuplicates as found:  # shown with the form: go on, or open one of them
                ctx.uow.session.rollback()
                return self._new_form(ctx, FormErrors(), ctx.form.values(), duplicates=found)
            return ctx.redirect(
                f"/customers/{customer.id}",
                ctx._("Customer %(number)s has been created.", number=customer.number),
            )

        return ctx.attempt(create, lambda errors: self._new_form(ctx, errors, ctx.form.values()))

    def _new_form(
        self,
        ctx: Ctx,
        errors: FormErrors,
        values: dict[str, str],
        *,
        duplicates: PossibleDuplicates | None = None,
    ) -> Response:
        shown: list[Any] = []
        if duplicates is not None:
            found = load_by_ids(ctx.db, ctx.principal, Customer, duplicates.customer_ids)
            shown = [found[i] for i in duplicates.customer_ids if i in found]
        return ctx.render(
            "customer_form.html",
            status_code=409 if duplicates is not None else 400 if errors else 200,
            customer=None,
            errors=errors,
            values=values,
            duplicates=shown,
            hidden_vat_id=duplicates is not None and duplicates.hidden_vat_id,
            warned=duplicates is not None,
        )

    # -- editing a customer ------------------------------------------------------------------
    def edit(self, ctx: Ctx) -> Response:
        customer_id = ctx.request.path_params["customer_id"]
        customer = get_visible(ctx.db, ctx.principal, Customer, customer_id)
        may.require(ctx.principal, may.can_edit_customer(ctx.principal), "edit customers")
        if ctx.request.method == "GET":
            return self._edit_form(ctx, customer, FormErrors(), customer_values(customer))

        def save() -> Response:
            ctx.form.validate(*customer_checks(ctx), lambda: ctx.form.integer("version"))
            customers.update_customer(
                uow=ctx.uow,
                principal=ctx.principal,
                customer_id=customer_id,
                fields=customer_fields(ctx),
                expected_version=ctx.form.integer("version"),
            )
            return ctx.redirect(f"/customers/{customer_id}", ctx._("The customer has been saved."))

        def again(errors: FormErrors) -> Response:
            fresh = get_visible(ctx.db, ctx.principal, Customer, customer_id)
            return self._edit_form(ctx, fresh, errors, ctx.form.values())

        return ctx.attempt(save, again)

    def _edit_form(
        self, ctx: Ctx, customer: Customer, errors: FormErrors, values: dict[str, str]
    ) -> Response:
        return ctx.render(
            "customer_form.html",
            status_code=400 if errors else 200,  # ctx.attempt sets 409 or 403 where it applies
            customer=customer,
            errors=errors,
            values=values,
            duplicates=[],
            hidden_vat_id=False,
            warned=False,
        )

    # -- editing and erasing a contact -------------------------------------------------------
    def _contact(self, ctx: Ctx) -> tuple[int, Contact]:
        customer_id = ctx.request.path_params["customer_id"]
        contact = get_visible(ctx.db, ctx.principal, Contact, ctx.request.path_params["contact_id"])
        if contact.customer_id != customer_id:  # another customer's contact: as a missing one
            raise NotFound("contact", contact.id)
        return customer_id, contact

    def edit_contact(self, ctx: Ctx) -> Response:
        customer_id, contact = self._contact(ctx)
        may.require(ctx.principal, may.can_add_contact(ctx.principal), "edit contacts")
        if ctx.request.method == "GET":
            return self._contact_form(ctx, contact, FormErrors(), contact_values(contact))

        def save() -> Response:
            ctx.form.validate(
                *contact_checks(ctx),
                *consent_checks(ctx, contact),
                lambda: ctx.form.integer("version"),
            )
            customers.update_contact(
                uow=ctx.uow,
                principal=ctx.principal,
                contact_id=contact.id,
                first_name=ctx.form.text("first_name"),
                last_name=ctx.form.text("last_name"),
                email=ctx.form.optional("email"),
                phone=ctx.form.optional("phone"),
                position=ctx.form.optional("position"),
                email_consent=read_consent(ctx, "email", contact),
                phone_consent=read_consent(ctx, "phone", contact),
                expected_version=ctx.form.integer("version"),
            )
            return ctx.redirect(f"/customers/{customer_id}", ctx._("The contact has been saved."))

        def again(errors: FormErrors) -> Response:
            fresh = get_visible(ctx.db, ctx.principal, Contact, contact.id)
            return self._contact_form(ctx, fresh, errors, ctx.form.values())

        return ctx.attempt(save, again)

    def erase_contact(self, ctx: Ctx) -> Response:
        customer_id, contact = self._contact(ctx)

        def erase() -> Response:
            erasure.erase_contact(
                uow=ctx.uow,
                principal=ctx.principal,
                contact_id=contact.id,
                expected_version=ctx.form.integer("version"),
            )
            return ctx.redirect(
                f"/customers/{customer_id}", ctx._("The contact's personal data has been erased.")
            )

        def again(errors: FormErrors) -> Response:
            fresh = get_visible(ctx.db, ctx.principal, Contact, contact.id)
            return self._contact_form(ctx, fresh, errors, contact_values(fresh), form="erase")

        return ctx.attempt(erase, again)

    def _contact_form(
        self, ctx: Ctx, contact: Contact, errors: FormErrors, values: dict[str, str], *, form: str = "edit"
    ) -> Response:
        customer = get_visible(ctx.db, ctx.principal, Customer, contact.customer_id)
        return ctx.render(
            "contact_form.html",
            status_code=400 if errors else 200,  # ctx.attempt sets 409 or 403 where it applies
            customer=customer,
            contact=contact,
            errors=errors,
            values=values,
            form=form,
        )


def vars_of(fields: customers.CustomerFields) -> dict[str, Any]:
    return {name: getattr(fields, name) for name in CUSTOMER_FIELDS}
