"""The Mutation root. Thin: decode ids, call one service, return a payload with ``userErrors``.

Each operation runs in one unit of work (opened and committed by the endpoint,
``portal.gql.endpoint``, when the operation succeeds). A domain error rolls back everything the
mutation wrote and comes back as ``userErrors``; an id the caller may not see fails exactly as a
missing id does, because every service loads through ``portal.access.get_visible``.
"""

from __future__ import annotations

import base64
import binascii
import enum
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import strawberry
from strawberry import UNSET

from portal import models as m
from portal.access import Principal
from portal.activities import service as activities
from portal.cases import service as cases
from portal.customers import service as customers
from portal.db import UnitOfWork
from portal.errors import InvalidInput, NotFound, PortalError
from portal.gql import types as t
from portal.gql.errors import UserError, user_error
from portal.gql.ids import decode_id
from portal.gql.types import ctx
from portal.orders import fulfilment
from portal.orders import service as orders

R = TypeVar("R")
B = TypeVar("B", bound=t.Built)


def pk(value: strawberry.ID, type_name: str, entity: str) -> int:
    decoded = decode_id(value)
    if decoded is None or decoded[0] != type_name:
        raise NotFound(entity, value)
    return decoded[1]


def opt_pk(value: strawberry.ID | None, type_name: str, entity: str) -> int | None:
    return None if value is None else pk(value, type_name, entity)


def run(
    info: strawberry.Info, action: Callable[[UnitOfWork, Principal], R]
) -> tuple[R | None, list[UserError]]:
    """Run one use case in the operation's unit of work; a domain error undoes it and becomes a user error."""
    c = ctx(info)
    try:
        return action(c.uow, c.principal), []
    except PortalError as exc:
        c.session.rollback()
        return None, [user_error(exc)]


def reload(info: strawberry.Info, model: type[Any], build: type[B], ident: int | None) -> B | None:
    if ident is None:
        return None
    found = ctx(info).loaders.by_ids(model, build, [ident])
    return found[0] if found else None


# --- orders --------------------------------------------------------------------------------------


@strawberry.enum
class LineAction(enum.Enum):
    ACCEPT = "accepted"
    REJECT = "rejected"
    CHANGE = "changed"


@strawberry.input
class LineAnswerInput:
    line_no: int
    action: LineAction
    quantity: Decimal | None = None
    promised_date: date | None = None
    unit_price: Decimal | None = None
    reason: str | None = strawberry.field(
        default=None, description="Why the line is rejected (REJECT only); shown to the buyer."
    )


@strawberry.input
class ConfirmOrderInput:
    order: strawberry.ID
    lines: list[LineAnswerInput]
    expected_version: int | None = strawberry.field(default=None, description="The order's version you read.")


@strawberry.type
class OrderPayload:
    order: t.Order | None
    user_errors: list[UserError]


@strawberry.input
class ShipLineInput:
    line_no: int
    quantity: Decimal
    batch_number: str | None = None
    sscc: str | None = None


@strawberry.input
class CreateShipmentInput:
    order: strawberry.ID
    number: str = strawberry.field(
        description="Your ship notice (despatch advice) number; unique per supplier."
    )
    shipped_on: date
    lines: list[ShipLineInput]
    expected_delivery: date | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    packages: int = 1


@strawberry.type
class ShipmentPayload:
    shipment: t.Shipment | None
    user_errors: list[UserError]


@strawberry.input
class BillLineInput:
    line_no: int
    quantity: Decimal
    unit_price: Decimal | None = None
    tax_rate: Decimal = Decimal(19)


@strawberry.input
class SubmitInvoiceInput:
    order: strawberry.ID
    number: str
    issue_date: date
    lines: list[BillLineInput]
    due_date: date | None = None


@strawberry.type
class InvoicePayload:
    invoice: t.Invoice | None
    user_errors: list[UserError]


@strawberry.input
class NewOrderLineInput:
    quantity: Decimal
    product: strawberry.ID | None = None
    sku: str | None = None
    unit_price: Decimal | None = None
    requested_date: date | None = None


@strawberry.input
class CreateOrderInput:
    customer: strawberry.ID
    lines: list[NewOrderLineInput]
    dealer: strawberry.ID | None = None
    contact: strawberry.ID | None = None
    requested_date: date | None = None
    customer_reference: str | None = None
    note: str | None = None
    currency: str = "EUR"


@strawberry.input
class RouteOrderInput:
    order: strawberry.ID
    supplier: strawberry.ID


@strawberry.input
class CancelOrderInput:
    order: strawberry.ID
    expected_version: int | None = strawberry.field(default=None, description="The order's version you read.")


# --- cases ---------------------------------------------------------------------------------------


CaseAction = t.CaseAction


@strawberry.input
class CreateCaseInput:
    subject: str
    description: str = ""
    priority: m.CasePriority = m.CasePriority.NORMAL
    customer: strawberry.ID | None = None
    order: strawberry.ID | None = None
    routed_to: strawberry.ID | None = None


@strawberry.input
class UpdateCaseInput:
    case: strawberry.ID
    subject: str | None = None
    description: str | None = None
    priority: m.CasePriority | None = None
    action: CaseAction | None = strawberry.field(default=None, description="Change the status.")
    expected_version: int | None = None


@strawberry.input
class RouteCaseInput:
    case: strawberry.ID
    organization: strawberry.ID | None = strawberry.field(description="null keeps the case in-house")
    expected_version: int | None = None


@strawberry.input
class ChangeCaseStatusInput:
    case: strawberry.ID
    action: CaseAction
    expected_version: int | None = None


@strawberry.input
class AddCaseAttachmentInput:
    case: strawberry.ID
    filename: str
    content_type: str = strawberry.field(description="One of the accepted types, e.g. application/pdf.")
    content_base64: str = strawberry.field(
        description="The file, base64-encoded; at most the server's PORTAL_MAX_ATTACHMENT_BYTES once decoded."
    )
    internal: bool = strawberry.field(default=False, description="Owner staff only: hidden from partners.")


@strawberry.type
class CaseAttachmentPayload:
    attachment: t.CaseAttachment | None
    case: t.Case | None
    user_errors: list[UserError]


@strawberry.input
class AddCaseCommentInput:
    case: strawberry.ID
    body: str
    internal: bool = False


@strawberry.type
class CasePayload:
    case: t.Case | None
    user_errors: list[UserError]


@strawberry.type
class CaseCommentPayload:
    comment: t.CaseComment | None
    case: t.Case | None
    user_errors: list[UserError]


# --- activities, customers -----------------------------------------------------------------------


@strawberry.input
class LogActivityInput:
    customer: strawberry.ID
    kind: m.ActivityKind
    subject: str
    body: str = ""
    contact: strawberry.ID | None = None
    occurred_at: datetime | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    due_at: datetime | None = None


@strawberry.input
class ScheduleAppointmentInput:
    customer: strawberry.ID
    subject: str
    starts_at: datetime
    ends_at: datetime
    contact: strawberry.ID | None = None
    body: str = ""


@strawberry.type
class ActivityPayload:
    activity: t.Activity | None
    user_errors: list[UserError]


@strawberry.input
class ShareCustomerInput:
    customer: strawberry.ID
    organization: strawberry.ID


@strawberry.input
class AddContactInput:
    customer: strawberry.ID
    last_name: str
    first_name: str = ""
    email: str | None = None
    phone: str | None = None
    position: str | None = None


@strawberry.input
class UpdateContactInput:
    contact: strawberry.ID
    first_name: str | None = strawberry.field(default=None, description="Omitted or null: unchanged.")
    last_name: str | None = strawberry.field(default=None, description="Omitted or null: unchanged.")
    email: str | None = strawberry.field(
        default=UNSET, description='Omitted: unchanged; null or "": cleared.'
    )
    phone: str | None = strawberry.field(
        default=UNSET, description='Omitted: unchanged; null or "": cleared.'
    )
    position: str | None = strawberry.field(
        default=UNSET, description='Omitted: unchanged; null or "": cleared.'
    )


@strawberry.type
class ContactPayload:
    contact: t.Contact | None
    user_errors: list[UserError]


@strawberry.type
class CustomerPayload:
    customer: t.Customer | None
    user_errors: list[UserError]


@strawberry.type
class Mutation:
    @t.mutation(description="The supplier's answer per line: accept, reject, or change quantity/date/price.")
    def confirm_order(self, info: strawberry.Info, input: ConfirmOrderInput) -> OrderPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            answers = [
                orders.LineAnswer(
                    line_no=a.line_no,
                    action=m.LineResponse(a.action.value),
                    quantity=a.quantity,
                    promised_date=a.promised_date,
                    unit_price=a.unit_price,
                    reason=a.reason,
                )
                for a in input.lines
            ]
            order_id = pk(input.order, "Order", "order")
            orders.respond_to_order(
                uow=uow,
                principal=p,
                order_id=order_id,
                answers=answers,
                expected_version=input.expected_version,
            )
            return order_id

        ident, errors = run(info, act)
        return OrderPayload(order=reload(info, m.Order, t.Order, ident), user_errors=errors)

    @t.mutation(description="A ship notice (despatch advice) for lines of one order.")
    def create_shipment(self, info: strawberry.Info, input: CreateShipmentInput) -> ShipmentPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            shipment = fulfilment.record_shipment(
                uow=uow,
                principal=p,
                order_id=pk(input.order, "Order", "order"),
                number=input.number,
                shipped_on=input.shipped_on,
                lines=[
                    fulfilment.ShipLine(s.line_no, s.quantity, s.batch_number, s.sscc) for s in input.lines
                ],
                carrier=input.carrier,
                tracking_number=input.tracking_number,
                expected_delivery=input.expected_delivery,
                packages=input.packages,
            )
            return shipment.id

        ident, errors = run(info, act)
        return ShipmentPayload(shipment=reload(info, m.Shipment, t.Shipment, ident), user_errors=errors)

    @t.mutation(description="An invoice for lines of one order; over-billing is accepted but flagged.")
    def submit_invoice(self, info: strawberry.Info, input: SubmitInvoiceInput) -> InvoicePayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            invoice = fulfilment.submit_invoice(
                uow=uow,
                principal=p,
                order_id=pk(input.order, "Order", "order"),
                number=input.number,
                issue_date=input.issue_date,
                due_date=input.due_date,
                lines=[
                    fulfilment.BillLine(b.line_no, b.quantity, b.unit_price, b.tax_rate) for b in input.lines
                ],
            )
            return invoice.id

        ident, errors = run(info, act)
        return InvoicePayload(invoice=reload(info, m.Invoice, t.Invoice, ident), user_errors=errors)

    @t.mutation(description="A customer order (owner staff, dealers and partners).")
    def create_order(self, info: strawberry.Info, input: CreateOrderInput) -> OrderPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            order = orders.create_order(
                uow=uow,
                principal=p,
                customer_id=pk(input.customer, "Customer", "customer"),
                dealer_id=opt_pk(input.dealer, "Organization", "organization"),
                contact_id=opt_pk(input.contact, "Contact", "contact"),
                requested_date=input.requested_date,
                customer_reference=input.customer_reference,
                note=input.note,
                currency=input.currency,
                lines=[
                    orders.NewOrderLine(
                        quantity=line.quantity,
                        product_id=opt_pk(line.product, "Product", "product"),
                        sku=line.sku,
                        unit_price=line.unit_price,
                        requested_date=line.requested_date,
                    )
                    for line in input.lines
                ],
            )
            return order.id

        ident, errors = run(info, act)
        return OrderPayload(order=reload(info, m.Order, t.Order, ident), user_errors=errors)

    @strawberry.mutation
    def create_case(self, info: strawberry.Info, input: CreateCaseInput) -> CasePayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            case = cases.open_case(
                uow=uow,
                principal=p,
                subject=input.subject,
                description=input.description,
                priority=input.priority,
                customer_id=opt_pk(input.customer, "Customer", "customer"),
                order_id=opt_pk(input.order, "Order", "order"),
                routed_to_id=opt_pk(input.routed_to, "Organization", "organization"),
            )
            return case.id

        ident, errors = run(info, act)
        return CasePayload(case=reload(info, m.Case, t.Case, ident), user_errors=errors)

    @t.mutation(description="Edit subject, description, priority, and/or change the status.")
    def update_case(self, info: strawberry.Info, input: UpdateCaseInput) -> CasePayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            case_id = pk(input.case, "Case", "case")
            version = input.expected_version
            if input.subject is not None or input.description is not None or input.priority is not None:
                case = cases.update_case(
                    uow=uow,
                    principal=p,
                    case_id=case_id,
                    subject=input.subject,
                    description=input.description,
                    priority=input.priority,
                    expected_version=version,
                )
                uow.flush()
                version = None if version is None else case.version
            if input.action is not None:
                cases.change_status(
                    uow=uow, principal=p, case_id=case_id, action=input.action.value, expected_version=version
                )
            return case_id

        ident, errors = run(info, act)
        return CasePayload(case=reload(info, m.Case, t.Case, ident), user_errors=errors)

    @t.mutation(description="Route a case to one external organization, or back in-house (owner staff).")
    def route_case(self, info: strawberry.Info, input: RouteCaseInput) -> CasePayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            case_id = pk(input.case, "Case", "case")
            cases.route_case(
                uow=uow,
                principal=p,
                case_id=case_id,
                organization_id=opt_pk(input.organization, "Organization", "organization"),
                expected_version=input.expected_version,
            )
            return case_id

        ident, errors = run(info, act)
        return CasePayload(case=reload(info, m.Case, t.Case, ident), user_errors=errors)

    @strawberry.mutation
    def add_case_comment(self, info: strawberry.Info, input: AddCaseCommentInput) -> CaseCommentPayload:
        def act(uow: UnitOfWork, p: Principal) -> tuple[int, int]:
            comment = cases.add_comment(
                uow=uow,
                principal=p,
                case_id=pk(input.case, "Case", "case"),
                body=input.body,
                internal=input.internal,
            )
            return comment.id, comment.case_id

        ids, errors = run(info, act)
        comment_id, case_id = ids if ids else (None, None)
        return CaseCommentPayload(
            comment=reload(info, m.CaseComment, t.CaseComment, comment_id),
            case=reload(info, m.Case, t.Case, case_id),
            user_errors=errors,
        )

    @t.mutation(description="A call, meeting, appointment, e-mail, note or task on a customer.")
    def log_activity(self, info: strawberry.Info, input: LogActivityInput) -> ActivityPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            activity = activities.log_activity(
                uow=uow,
                principal=p,
                customer_id=pk(input.customer, "Customer", "customer"),
                kind=input.kind,
                subject=input.subject,
                body=input.body,
                contact_id=opt_pk(input.contact, "Contact", "contact"),
                occurred_at=input.occurred_at,
                starts_at=input.starts_at,
                ends_at=input.ends_at,
                due_at=input.due_at,
            )
            return activity.id

        ident, errors = run(info, act)
        return ActivityPayload(activity=reload(info, m.Activity, t.Activity, ident), user_errors=errors)

    @strawberry.mutation
    def schedule_appointment(self, info: strawberry.Info, input: ScheduleAppointmentInput) -> ActivityPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            activity = activities.schedule_appointment(
                uow=uow,
                principal=p,
                customer_id=pk(input.customer, "Customer", "customer"),
                subject=input.subject,
                starts_at=input.starts_at,
                ends_at=input.ends_at,
                contact_id=opt_pk(input.contact, "Contact", "contact"),
                body=input.body,
            )
            return activity.id

        ident, errors = run(info, act)
        return ActivityPayload(activity=reload(info, m.Activity, t.Activity, ident), user_errors=errors)

    @t.mutation(description="Share a customer with a dealer or partner (owner staff).")
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
        return CustomerPayload(customer=reload(info, m.Customer, t.Customer, ident), user_errors=errors)

    @t.mutation(description="Stop sharing a customer with an organization (owner staff).")
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
        return CustomerPayload(customer=reload(info, m.Customer, t.Customer, ident), user_errors=errors)

    @t.mutation(description="Route an order to a supplier (owner sales and admins); it leaves by EDI or API.")
    def route_order(self, info: strawberry.Info, input: RouteOrderInput) -> OrderPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            order_id = pk(input.order, "Order", "order")
            orders.route_order(
                uow=uow,
                principal=p,
                order_id=order_id,
                supplier_id=pk(input.supplier, "Organization", "organization"),
            )
            return order_id

        ident, errors = run(info, act)
        return OrderPayload(order=reload(info, m.Order, t.Order, ident), user_errors=errors)

    @t.mutation(
        description="Cancel an order nothing of which has shipped (owner staff, or the dealer who sold it)."
    )
    def cancel_order(self, info: strawberry.Info, input: CancelOrderInput) -> OrderPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            order_id = pk(input.order, "Order", "order")
            orders.cancel_order(
                uow=uow, principal=p, order_id=order_id, expected_version=input.expected_version
            )
            return order_id

        ident, errors = run(info, act)
        return OrderPayload(order=reload(info, m.Order, t.Order, ident), user_errors=errors)

    @t.mutation(description="Start, wait, resolve, reopen or close a case (see Case.allowedActions).")
    def change_case_status(self, info: strawberry.Info, input: ChangeCaseStatusInput) -> CasePayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            case_id = pk(input.case, "Case", "case")
            cases.change_status(
                uow=uow,
                principal=p,
                case_id=case_id,
                action=input.action.value,
                expected_version=input.expected_version,
            )
            return case_id

        ident, errors = run(info, act)
        return CasePayload(case=reload(info, m.Case, t.Case, ident), user_errors=errors)

    @t.mutation(description="Attach a file (base64) to a case; the same types and size limit as the portal.")
    def add_case_attachment(
        self, info: strawberry.Info, input: AddCaseAttachmentInput
    ) -> CaseAttachmentPayload:
        limit = ctx(info).limits.max_attachment_bytes

        def act(uow: UnitOfWork, p: Principal) -> tuple[t.CaseAttachment, int]:
            case_id = pk(input.case, "Case", "case")
            data = _decode_upload(input.content_base64, limit)
            content_type = input.content_type.split(";")[0].strip().lower()
            try:
                attachment = cases.add_attachment(
                    uow=uow,
                    principal=p,
                    case_id=case_id,
                    filename=input.filename,
                    content_type=content_type,
                    data=data,
                    internal=input.internal,
                    max_bytes=limit,
                )
            except InvalidInput as exc:  # the portal's form has one "file" field; here it is two
                if exc.field != "file":
                    raise
                accepted = content_type in cases.ALLOWED_ATTACHMENT_TYPES
                field = "content_base64" if accepted else "content_type"
                raise InvalidInput(field, exc.detail) from exc
            return t.CaseAttachment.of(attachment), case_id

        result, errors = run(info, act)
        attachment, case_id = result if result else (None, None)
        return CaseAttachmentPayload(
            attachment=attachment, case=reload(info, m.Case, t.Case, case_id), user_errors=errors
        )

    @t.mutation(description="A contact person of a customer the caller may see.")
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
        return ContactPayload(contact=reload(info, m.Contact, t.Contact, ident), user_errors=errors)

    @t.mutation(description="Change a contact person; omitted fields stay as they are.")
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
        return ContactPayload(contact=reload(info, m.Contact, t.Contact, ident), user_errors=errors)


def _decode_upload(content: str, limit: int) -> bytes:
    """Base64 to bytes; a text longer than any file within the limit is refused before decoding."""
    if len(content) > (limit + 2) // 3 * 4 + 4:
        raise InvalidInput("content_base64", f"the file is larger than the limit of {limit} bytes")
    try:
        return base64.b64decode(content.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("content_base64", "is not valid base64") from None
