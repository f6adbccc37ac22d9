"""The case mutations: thin, decode ids, call one service, return a payload with ``userErrors``."""

from __future__ import annotations

import base64
import binascii
from dataclasses import fields

import strawberry

from portal import models as m
from portal.access import Principal
from portal.cases import service as cases
from portal.db import UnitOfWork
from portal.errors import InvalidInput
from portal.gql.base import ctx, mutation, opt_pk, pk, reload, run
from portal.gql.cases.inputs import (
    AddCaseAttachmentInput,
    AddCaseCommentInput,
    ChangeCaseStatusInput,
    CreateCaseInput,
    RouteCaseInput,
    UpdateCaseInput,
)
from portal.gql.cases.types import Case, CaseAttachment, CaseComment
from portal.gql.errors import UserError


@strawberry.type
class CasePayload:
    case: Case | None
    user_errors: list[UserError]


@strawberry.type
class CaseCommentPayload:
    comment: CaseComment | None
    case: Case | None
    user_errors: list[UserError]


@strawberry.type
class CaseAttachmentPayload:
    attachment: CaseAttachment | None
    case: Case | None
    user_errors: list[UserError]


@strawberry.type
class CasesMutation:
    @strawberry.mutation
    def create_case(self, info: strawberry.Info, input: CreateCaseInput) -> CasePayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            case = cases.open_case(
                uow=uow,
                principal=p,
                subject=input.subject,
                description=input.description,
                priority=input.priority,
                category=input.category,
                customer_id=opt_pk(input.customer, "Customer", "customer"),
                order_id=opt_pk(input.order, "Order", "order"),
                routed_to_id=opt_pk(input.routed_to, "Organization", "organization"),
            )
            return case.id

        ident, errors = run(info, act)
        return CasePayload(case=reload(info, m.Case, Case, ident), user_errors=errors)

    @mutation(description="Edit subject, description, priority, category, and/or change the status.")
    def update_case(self, info: strawberry.Info, input: UpdateCaseInput) -> CasePayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            case_id = pk(input.case, "Case", "case")
            version = input.expected_version
            changes = cases.CaseChanges(**{f.name: getattr(input, f.name) for f in fields(cases.CaseChanges)})
            if changes:
                case = cases.update_case(
                    uow=uow, principal=p, case_id=case_id, changes=changes, expected_version=version
                )
                uow.flush()
                version = None if version is None else case.version
            if input.action is not None:
                cases.change_status(
                    uow=uow, principal=p, case_id=case_id, action=input.action.value, expected_version=version
                )
            return case_id

        ident, errors = run(info, act)
        return CasePayload(case=reload(info, m.Case, Case, ident), user_errors=errors)

    @mutation(description="Route a case to one external organization, or back in-house (owner staff).")
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
        return CasePayload(case=reload(info, m.Case, Case, ident), user_errors=errors)

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
            comment=reload(info, m.CaseComment, CaseComment, comment_id),
            case=reload(info, m.Case, Case, case_id),
            user_errors=errors,
        )

    @mutation(description="Start, wait, resolve, reopen or close a case (see Case.allowedActions).")
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
        return CasePayload(case=reload(info, m.Case, Case, ident), user_errors=errors)

    @mutation(description="Attach a file (base64) to a case; the same types and size limit as the portal.")
    def add_case_attachment(
        self, info: strawberry.Info, input: AddCaseAttachmentInput
    ) -> CaseAttachmentPayload:
        limit = ctx(info).limits.max_attachment_bytes

        def act(uow: UnitOfWork, p: Principal) -> tuple[CaseAttachment, int]:
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
            return CaseAttachment.of(attachment), case_id

        result, errors = run(info, act)
        attachment, case_id = result if result else (None, None)
        return CaseAttachmentPayload(
            attachment=attachment, case=reload(info, m.Case, Case, case_id), user_errors=errors
        )


def _decode_upload(content: str, limit: int) -> bytes:
    """Base64 to bytes; a text longer than any file within the limit is refused before decoding."""
    if len(content) > (limit + 2) // 3 * 4 + 4:
        raise InvalidInput("content_base64", f"the file is larger than the limit of {limit} bytes")
    try:
        return base64.b64decode(content.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("content_base64", "is not valid base64") from None
