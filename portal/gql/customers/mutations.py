"""The customer and contact mutations: thin, decode ids, call one service, return a payload."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import strawberry
from strawberry import UNSET

from portal import models as m
from portal.access import Principal
from portal.customers import erasure
from portal.customers import service as customers
from portal.db import UnitOfWork
from portal.errors import PossibleDuplicates
from portal.gql.base import ctx, mutation, pk, reload, run
from portal.gql.customers.inputs import (
    AddContactInput,
    ConsentInput,
    CreateCustomerInput,
    EraseContactInput,
    ShareCustomerInput,
    UpdateContactInput,
    UpdateCustomerInput,
)
from portal.gql.customers.types import Contact, Customer
from portal.gql.errors import UserError


def _consent(value: ConsentInput | None) -> customers.Consent | None:
    return None if value is None else customers.Consent(given=value.given, source=value.source, at=value.at)


_CUSTOMER_FIELDS = (
    "name",
    "street",
    "postal_code",
    "city",
    "country_code",
    "vat_id",
    "gln",
    "email",
    "phone",
)


@strawberry.type
class ContactPayload:
    contact: Contact | None
    user_errors: list[UserError]


@strawberry.type
class CustomerPayload:
    customer: Customer | None
    user_errors: list[UserError]


@strawberry.type
class CreateCustomerPayload:
    customer: Customer | None
    duplicates: list[Customer] = strawberry.field(
        description="With the DUPLICATE error: the look-alikes the caller may see (none were created)."
    )
    user_errors: list[UserError]


@strawberry.type
class CustomersMutation:
    @mutation(
        description="Create a customer (owner sales staff, dealers: shared with the dealer). One that "
        "looks like an existing customer (same VAT id, or a similar name at the same postal code) is "
        "refused with DUPLICATE unless createDespiteDuplicates."
    )
    def create_customer(self, info: strawberry.Info, input: CreateCustomerInput) -> CreateCustomerPayload:
        found: list[int] = []

        def act(uow: UnitOfWork, p: Principal) -> int:
            try:
                customer = customers.create_customer(
                    uow=uow,
                    principal=p,
                    name=input.name,
                    street=input.street,
                    postal_code=input.postal_code,
                    city=input.city,
                    country_code=input.country_code,
                    vat_id=input.vat_id,
                    gln=input.gln,
                    email=input.email,
                    phone=input.phone,
                    allow_duplicates=input.create_despite_duplicates,
                )
            except PossibleDuplicates as exc:
                found.extend(exc.customer_ids)
                raise
            return customer.id

        ident, errors = run(info, act)
        duplicates = ctx(info).loaders.by_ids(m.Customer, Customer, found) if found else []
        return CreateCustomerPayload(
            customer=reload(info, m.Customer, Customer, ident), duplicates=duplicates, user_errors=errors
        )

    @mutation(description="Change a customer's master data; omitted fields stay as they are.")
    def update_customer(self, info: strawberry.Info, input: UpdateCustomerInput) -> CustomerPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            customer_id = pk(input.customer, "Customer", "customer")
            current = customers.load_customer(uow, p, customer_id)
            given: dict[str, Any] = {
                name: value for name in _CUSTOMER_FIELDS if (value := getattr(input, name)) is not UNSET
            }
            for name in ("name", "country_code"):  # null: unchanged (they cannot be cleared)
                if given.get(name) is None:
                    given.pop(name, None)
            customers.update_customer(
                uow=uow,
                principal=p,
                customer_id=customer_id,
                fields=replace(customers.CustomerFields.of(current), **given),
                expected_version=input.expected_version,
            )
            return customer_id

        ident, errors = run(info, act)
        return CustomerPayload(customer=reload(info, m.Customer, Customer, ident), user_errors=errors)

    @mutation(
        description="Erase a contact person's data on request (owner admins): names, e-mail, phone, "
        "position and consents, and the person's name, e-mail and phone in the customer's activities. "
        "The erasure is logged without personal data."
    )
    def erase_contact(self, info: strawberry.Info, input: EraseContactInput) -> ContactPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            contact = erasure.erase_contact(
                uow=uow,
                principal=p,
                contact_id=pk(input.contact, "Contact", "contact"),
                expected_version=input.expected_version,
            )
            return contact.id

        ident, errors = run(info, act)
        return ContactPayload(contact=reload(info, m.Contact, Contact, ident), user_errors=errors)

    @mutation(description="Share a customer with a dealer or partner (owner staff).")
    def share_customer(self, info: strawberry.Info, input: ShareCustomerInput) -> CustomerPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            assignment = customers.share_customer(
                uow=uow,
                principal=p,
                customer_id=pk(input.customer, "Customer", "customer"),
                organization_id=pk(input.organization, "Organization", "organization"),
            )
            return assignment.customer_id

        ident, errors = run(info, act)
        return CustomerPayload(customer=reload(info, m.Customer, Customer, ident), user_errors=errors)

    @mutation(description="Stop sharing a customer with an organization (owner staff).")
    def unshare_customer(self, info: strawberry.Info, input: ShareCustomerInput) -> CustomerPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            customer_id = pk(input.customer, "Customer", "customer")
            customers.unshare_customer(
                uow=uow,
                principal=p,
                customer_id=customer_id,
                organization_id=pk(input.organization, "Organization", "organization"),
            )
            return customer_id

        ident, errors = run(info, act)
        return CustomerPayload(customer=reload(info, m.Customer, Customer, ident), user_errors=errors)

    @mutation(description="A contact person of a customer the caller may see.")
    def add_contact(self, info: strawberry.Info, input: AddContactInput) -> ContactPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            contact = customers.add_contact(
                uow=uow,
                principal=p,
                customer_id=pk(input.customer, "Customer", "customer"),
                first_name=input.first_name,
                last_name=input.last_name,
                email=input.email,
                phone=input.phone,
                position=input.position,
                email_consent=_consent(input.email_consent),
                phone_consent=_consent(input.phone_consent),
            )
            return contact.id

        ident, errors = run(info, act)
        return ContactPayload(contact=reload(info, m.Contact, Contact, ident), user_errors=errors)

    @mutation(description="Change a contact person; omitted fields stay as they are.")
    def update_contact(self, info: strawberry.Info, input: UpdateContactInput) -> ContactPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            contact_id = pk(input.contact, "Contact", "contact")
            optional: dict[str, Any] = {
                name: value
                for name in ("email", "phone", "position")
                if (value := getattr(input, name)) is not UNSET
            }
            customers.update_contact(
                uow=uow,
                principal=p,
                contact_id=contact_id,
                first_name=input.first_name,
                last_name=input.last_name,
                email_consent=_consent(input.email_consent),
                phone_consent=_consent(input.phone_consent),
                expected_version=input.expected_version,
                **optional,
            )
            return contact_id

        ident, errors = run(info, act)
        return ContactPayload(contact=reload(info, m.Contact, Contact, ident), user_errors=errors)
