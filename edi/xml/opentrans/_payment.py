"""PAYMENT <-> :class:`~edi.documents.PaymentTerms`.

The payment means is the PAYMENT choice, turned into a UNTDID 4461 code: ACCOUNT -> 58 (SEPA credit
transfer) with an IBAN, else 30; DEBIT -> 59; CHECK -> 20; CASH -> 10; CARD -> 48. Writing goes the
other way; a CARD cannot be written (it needs card data), and terms with neither a means code openTRANS
knows nor an IBAN cannot be written at all, because PAYMENT requires one of those choices.

PAYMENT_TERMS: PAYMENT_TERM is the description; of the TIME_FOR_PAYMENT entries the first with a
DISCOUNT_FACTOR (a factor: 0.02 is 2 %) gives the cash discount and its DAYS, the first with DAYS and
no discount the net days, the first PAYMENT_DATE the due date. A discount without days is written
beside the due date.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from edi.documents import PaymentTerms
from edi.errors import EncodeError, MappingError
from edi.xml.opentrans._read import children, date_of, decimal_of, find, position_of, text_of
from edi.xml.opentrans._write import decimal_text, put, put_date, sub

__all__ = ["decode_payment", "encode_payment"]

_HUNDRED = Decimal(100)
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
    due = discount = discount_days = net_days = None
    for entry in children(terms, "TIME_FOR_PAYMENT"):
        day = date_of(find(entry, "PAYMENT_DATE"))
        days = _days(find(entry, "DAYS"))
        factor = decimal_of(find(entry, "DISCOUNT_FACTOR"))
        due = due or day
        if factor and discount is None:
            discount, discount_days = factor * _HUNDRED, days
        elif not factor and days is not None and net_days is None:
            net_days = days
    return PaymentTerms(
        description=text_of(find(terms, "PAYMENT_TERM")) if terms is not None else None,
        due_date=due,
        iban=iban,
        bic=bic,
        payment_means_code=code,
        discount_percent=discount,
        discount_days=discount_days,
        net_days=net_days,
    )


def _days(element: etree._Element | None) -> int | None:
    value = text_of(element)
    if element is None or value is None:
        return None
    if not value.isdigit():
        raise MappingError(f"DAYS {value!r} is not a whole number of days", position=position_of(element))
    return int(value)


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
    discount = terms.discount_percent or None  # 0 % is no discount
    if terms.description is None and terms.due_date is None and terms.net_days is None and discount is None:
        return
    if discount is not None and terms.discount_days is None and terms.due_date is None:
        raise EncodeError(
            f"payment_terms.discount_percent {discount} needs discount_days or a due_date: openTRANS "
            "TIME_FOR_PAYMENT states a discount for DAYS or a PAYMENT_DATE"
        )
    block = sub(payment, "PAYMENT_TERMS")
    put(block, "PAYMENT_TERM", terms.description, type="other")
    factor = None if discount is None else decimal_text(discount / _HUNDRED)
    if factor is not None and terms.discount_days is not None:
        entry = sub(block, "TIME_FOR_PAYMENT")
        sub(entry, "DAYS", str(terms.discount_days))
        sub(entry, "DISCOUNT_FACTOR", factor)
        factor = None
    if terms.net_days is not None:
        sub(sub(block, "TIME_FOR_PAYMENT"), "DAYS", str(terms.net_days))
    if terms.due_date is not None:
        entry = sub(block, "TIME_FOR_PAYMENT")
        put_date(entry, "PAYMENT_DATE", terms.due_date)
        if factor is not None:
            sub(entry, "DISCOUNT_FACTOR", factor)
