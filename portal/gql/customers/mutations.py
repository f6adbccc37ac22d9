"""The customer and contact mutations: thin, decode ids, call one service, return a payload."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import UNSET

from portal import models as m
from portal.access import Principal
from portal.customers import service as customers
from portal.db import UnitOfWork
from portal.gql.base import mutation, pk, reload, run
from portal.gql.customers.inputs import AddContactInput, ShareCustomerInput, UpdateContactInput
from portal.gql.customers.types import Contact, Customer
from portal.gql.errors import UserError


@strawberry.type
class ContactPayload:
    contact: Contact | None
    user_errors: list[UserError]


@strawberry.type
class CustomerPayload:
    customer: Customer | None
    user_errors: list[UserError]


@strawberry.type
class CustomersMutation:
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
                **optional,
            )
            return contact_id

        ident, errors = run(info, act)
        return ContactPayload(contact=reload(info, m.Contact, Contact, ident), user_errors=errors)
