"""``uploadInvoice`` (issue #17.6): a supplier's e-invoice file through the API, by the same service
as the portal's upload and an EDI file (`portal.exchange.upload`).

The file comes either as strawberry's ``Upload`` in a multipart request (the GraphQL multipart
request spec; the endpoint enables it and guards it against cross-site requests, see
`portal.gql.endpoint`) or base64-encoded in ``contentBase64`` for clients that only send JSON.
A refused file is kept in the exchange ledger as a failed record (the operation commits): the
payload names it, and every reason it was refused is a ``userError`` on the field ``file``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import strawberry
from strawberry.file_uploads import Upload

from portal import models as m
from portal.access import Principal
from portal.db import UnitOfWork
from portal.errors import InvalidInput
from portal.exchange import upload as uploads
from portal.gql.base import mutation, opt_pk, reload, run
from portal.gql.errors import UserError
from portal.gql.exchange import ExchangeRecord, exchange_record
from portal.gql.orders.types import Invoice

REFUSED = "EINVOICE_REFUSED"


@strawberry.input(description="One of file (multipart request) or contentBase64.")
class UploadInvoiceInput:
    file: Upload | None = strawberry.field(
        default=None,
        description="The e-invoice file, sent as a multipart request (GraphQL multipart request spec).",
    )
    content_base64: str | None = strawberry.field(
        default=None, description="Or the file base64-encoded, for clients that send JSON only."
    )
    filename: str | None = strawberry.field(
        default=None, description="The file's name in the ledger (default: the upload's own name)."
    )
    order: strawberry.ID | None = strawberry.field(
        default=None,
        description="The order the invoice is for; without it, the order the invoice names (BT-13). "
        "Owner admins upload on a supplier's behalf with it.",
    )


@strawberry.type
class UploadInvoicePayload:
    invoice: Invoice | None = strawberry.field(description="The invoice the file became.")
    exchange_record: ExchangeRecord | None = strawberry.field(
        description="The file in the exchange ledger, applied or failed, with every finding."
    )
    user_errors: list[UserError]


def _content(input: UploadInvoiceInput) -> tuple[str, bytes]:
    limit = uploads.MAX_UPLOAD_BYTES
    if (input.file is None) == (input.content_base64 is None):
        raise InvalidInput("file", "send the file either as a multipart upload or in contentBase64")
    if input.content_base64 is not None:
        text = input.content_base64.strip()
        if len(text) > (limit + 2) // 3 * 4 + 4:
            raise InvalidInput("content_base64", "is larger than the limit of 10 MB")
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("content_base64", "is not valid base64") from None
        return input.filename or "invoice", data
    upload: Any = input.file  # starlette's UploadFile: its file is spooled to disk when large
    return input.filename or upload.filename or "invoice", upload.file.read(limit + 1)


def _refusals(record: m.ExchangeRecord) -> list[UserError]:
    """Why the file was refused: each rule it broke, else each message's reason, else the file's."""
    errors: list[UserError] = []
    for message in record.messages:
        if message.get("ok"):
            continue
        broken = [f for f in message.get("findings") or [] if f.get("flag") in ("fatal", "error")]
        reasons = [f["message"] for f in broken] or [message.get("error") or "not applied"]
        errors += [UserError(field=["file"], message=reason, code=REFUSED) for reason in reasons]
    if not errors:
        errors.append(UserError(field=["file"], message=record.error or "not applied", code=REFUSED))
    return errors


@strawberry.type
class UploadMutation:
    @mutation(
        description="Upload an e-invoice (XRechnung UBL or CII, ZUGFeRD / Factur-X PDF): validated, "
        "matched and applied as an EDI file is; refused, it stays in the ledger with its findings."
    )
    def upload_invoice(self, info: strawberry.Info, input: UploadInvoiceInput) -> UploadInvoicePayload:
        def act(uow: UnitOfWork, p: Principal) -> m.ExchangeRecord:
            filename, data = _content(input)
            return uploads.upload_invoice(
                uow=uow,
                principal=p,
                filename=filename,
                data=data,
                order_id=opt_pk(input.order, "Order", "order"),
            )

        record, errors = run(info, act)
        if record is None:
            return UploadInvoicePayload(invoice=None, exchange_record=None, user_errors=errors)
        invoice_id = uploads.invoice_of(record)
        return UploadInvoicePayload(
            invoice=reload(info, m.Invoice, Invoice, invoice_id),
            exchange_record=exchange_record(info, record.id),
            user_errors=[] if invoice_id is not None else _refusals(record),
        )
