"""PAYMENT <-> :class:`~edi.documents.PaymentTerms`.

The payment means is the PAYMENT choice, turned into a UNTDID 4461 code: ACCOUNT -> 58 (SEPA credit
transfer) with an IBAN, else 30; DEBIT -> 59; CHECK -> 20; CASH -> 10; CARD -> 48. Writing goes the
other way; a CARD cannot be written (it needs card data), and terms with neither a means code openTRANS
knows nor an IBAN cannot be written at all, because PAYMENT requires one of those choices.
"""

from __future__ import annotations

from lxml import etree

from edi.documents import PaymentTerms
from edi.xml.opentrans._read import date_of, find, text_of
from edi.xml.opentrans._write import put, put_date, sub

__all__ = ["decode_payment", "encode_payment"]

_MEANS = {"DEBIT": "59", "CHECK": "20", "CASH": "10", "CARD": "48"}
_FLAGS = {"10": "CASH", "20": "CHECK", "49": "DEBIT", "59": "DEBIT"}


def decode_payment(info: etree._Element) -> PaymentTerms | None:
    payment = find(info, "PAYMENT")
    if payment is None:
        return None
    account = find(payment, "ACCOUNT")
    iban = bic = None
    code: str | None = None
    if account is not None:
        number = find(account, "BANK_ACCOUNT")
        bank = find(account, "BANK_CODE")
        if number is not None and (number.get("type") or "").lower() == "iban":
            iban = text_of(number)
        if bank is not None and (bank.get("type") or "").lower() == "bic":
            bic = text_of(bank)
        code = "58" if iban else "30"
    else:
        code = next((value for name, value in _MEANS.items() if find(payment, name) is not None), None)
    terms = find(payment, "PAYMENT_TERMS")
    return PaymentTerms(
        description=text_of(find(terms, "PAYMENT_TERM")) if terms is not None else None,
        due_date=date_of(find(terms, "TIME_FOR_PAYMENT", "PAYMENT_DATE")) if terms is not None else None,
        iban=iban,
        bic=bic,
        payment_means_code=code,
    )


def encode_payment(info: etree._Element, terms: PaymentTerms | None, holder: str) -> None:
    if terms is None:
        return
    flag = _FLAGS.get(terms.payment_means_code or "")
    if flag is None and terms.iban is None:
        return
    payment = sub(info, "PAYMENT")
    if flag is not None:
        sub(payment, flag, "true")
    else:
        account = sub(payment, "ACCOUNT")
        sub(account, "HOLDER", holder[:50])
        put(account, "BANK_ACCOUNT", terms.iban, type="iban")
        put(account, "BANK_CODE", terms.bic, type="bic")
    if terms.description is None and terms.due_date is None:
        return
    block = sub(payment, "PAYMENT_TERMS")
    put(block, "PAYMENT_TERM", terms.description, type="other")
    if terms.due_date is not None:
        put_date(sub(block, "TIME_FOR_PAYMENT"), "PAYMENT_DATE", terms.due_date)
