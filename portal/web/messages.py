"""Service errors in the user's language: message ids with parameters.

The services raise ``InvalidInput(field, message)`` with English text, some of it with values in
it ("confirms 99999, more than the 3 ordered"). Here each known message becomes a catalog message
id with its parameters, and the parameters become words: numbers in the locale's format, field
names as the form's labels, file types (MIME types) and kinds by name. A message not known here is
shown as written in English and replaced by a general sentence in other languages (never English
text on a German page).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.web import labels
from portal.web.i18n import Formatter
from portal.web.labels import N_

Gettext = Callable[..., str]
_LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$|^(?:line|review)-(\d+)-(\w+)$")
# a delivery of a split line: "lines[1].schedule[0].date" (the service's) or "line-1-part-2-date"
_DELIVERY_FIELD = re.compile(r"^lines\[(\d+)\]\.schedule\[(\d+)\]\.(\w+)$|^line-(\d+)-part-(\d+)-(\w+)$")

# (pattern over the service's message, message id; named groups are the parameters)
PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), m)
    for p, m in [
        (r"^must be at most (?P<count>\d+) characters$", N_("must have at most %(count)s characters")),
        (r"^must have at least (?P<count>\d+) characters$", N_("must have at least %(count)s characters")),
        (r"^'(?P<text>.*)' is not a number$", N_("“%(text)s” is not a number")),
        (r"^'(?P<text>.*)' is not an e-mail address$", N_("“%(text)s” is not an e-mail address")),
        (r"^must not be before (?P<field>[\w.\[\]]+)$", N_("must not be before “%(field)s”")),
        (r"^must be after (?P<field>[\w.\[\]]+)$", N_("must be after “%(field)s”")),
        (
            r"^confirms (?P<quantity>[-\d.]+), more than the (?P<ordered>[-\d.]+) ordered$",
            N_("confirms %(quantity)s, more than the %(ordered)s ordered"),
        ),
        (
            r"^ships (?P<quantity>[-\d.]+) in total, more than the (?P<confirmed>[-\d.]+) confirmed$",
            N_("ships %(quantity)s in total, more than the %(confirmed)s confirmed"),
        ),
        (
            r"^the file has (?P<size>\d+) bytes; the limit is (?P<limit>\d+)$",
            N_("the file has %(size)s; the limit is %(limit)s"),
        ),
        (r"^a (?P<kind>\w+) needs a start and an end$", N_("“%(kind)s” needs a start and an end")),
        (
            r"^customers are shared with dealers and partners, not a (?P<org_kind>\w+)$",
            N_("customers are shared with dealers and partners only"),
        ),
        (r"^order (?P<number>\S+) has no line (?P<line>\S+)$", N_("order %(number)s has no line %(line)s")),
        (
            r"^the deliveries add up to (?P<total>[-\d.]+), more than the (?P<ordered>[-\d.]+) ordered$",
            N_("the deliveries add up to %(total)s, more than the %(ordered)s ordered"),
        ),
        (
            r"^the deliveries add up to (?P<total>[-\d.]+), not (?P<quantity>[-\d.]+)$",
            N_("the deliveries add up to %(total)s, not %(quantity)s"),
        ),
        (r"^two deliveries on (?P<day>[\d-]+)$", N_("two deliveries on %(day)s")),
        (r"^at most (?P<count>\d+) deliveries per line$", N_("at most %(count)s deliveries per line")),
        (
            r"^a split line is promised for its last delivery \((?P<day>[\d-]+)\)$",
            N_("a split line is promised for its last delivery (%(day)s)"),
        ),
        (r"^unknown product (?P<product>.+)$", N_("unknown product %(product)s")),
        (
            r"^changes nothing: line (?P<line>\d+) already has this quantity and date$",
            N_("changes nothing: line %(line)s already has this quantity and date"),
        ),
        (
            r"^line (?P<line>\d+) was shipped meanwhile; a shipped line cannot change$",
            N_("line %(line)s was shipped meanwhile; a shipped line cannot change"),
        ),
        (
            r"^(?P<quantity>[-\d.]+) of line (?P<line>\d+) are invoiced already$",
            N_("%(quantity)s of line %(line)s are invoiced already"),
        ),
        (r"^(?P<name>.+) is not a supplier$", N_("%(name)s is not a supplier")),
        (r"^(?P<name>.+) is not a dealer or partner$", N_("%(name)s is not a dealer or partner")),
        (r"^unknown for a (?P<org_kind>\w+) organization: .*$", N_("this role is not available here")),
        (
            r"^refused target (?P<host>.+): an? [\w() -]+ address$",
            N_("%(host)s is not a public address; webhooks go to public addresses only"),
        ),
        (r"^the host (?P<host>\S+) cannot be resolved$", N_("the host %(host)s cannot be resolved")),
        (r"^unknown event kind (?P<what>\S+)$", N_("unknown event kind %(what)s")),
        # procure-to-pay (portal.invoicing, portal.orders, portal.exchange.upload); money in the
        # reader's format ("9.999,00 €"): see _MONEY
        (
            r"^pays (?P<amount>[-\d.]+) (?P<currency>[A-Z]{3}), more than the (?P<owed>[-\d.]+) [A-Z]{3} "
            r"still owed on invoice (?P<number>.+)$",
            N_("pays %(amount)s, more than the %(owed)s still owed on invoice %(number)s"),
        ),
        (
            r"^the credit note of (?P<amount>[-\d.]+) (?P<currency>[A-Z]{3}) is larger than the "
            r"(?P<owed>[-\d.]+) [A-Z]{3} still owed on invoice (?P<number>.+)$",
            N_("the credit note of %(amount)s is larger than the %(owed)s still owed on invoice %(number)s"),
        ),
        (
            r"^was received before \(EDI message (?P<record>\d+)\); process that one again instead$",
            N_("was received before (EDI message %(record)s); process that one again instead"),
        ),
        (
            r"^the credit note is in (?P<code>\w+), invoice (?P<number>\S+) in (?P<other>\w+)$",
            N_("the credit note is in %(code)s, invoice %(number)s in %(other)s"),
        ),
        (
            r"^line (?P<line>\d+) has (?P<quantity>[-\d.]+) shipped, more than the (?P<confirmed>[-\d.]+) "
            r"the change confirms: reject the change$",
            N_(
                "line %(line)s has %(quantity)s shipped, more than the %(confirmed)s the change confirms: reject the change"  # noqa: E501
            ),
        ),
        (r"^line (?P<line>\d+) is counted twice$", N_("line %(line)s is counted twice")),
        (
            r"^must be between 0 and the (?P<quantity>[-\d.]+) counted$",
            N_("must be between 0 and the %(quantity)s counted"),
        ),
        (r"^must be between 0 and (?P<count>\d+) days$", N_("must be between 0 and %(count)s days")),
        # portal.validation.integer: a count or capacity out of its range
        (
            r"^must be between (?P<minimum>-?\d+) and (?P<maximum>-?\d+)$",
            N_("must be a whole number from %(minimum)s to %(maximum)s"),
        ),
        (
            r"^order (?P<number>\S+) has no ship notice (?P<what>.+)$",
            N_("order %(number)s has no ship notice %(what)s"),
        ),
        (
            r"^ship notice (?P<number>\S*) has no line (?P<line>\S+)$",
            N_("ship notice %(number)s has no line %(line)s"),
        ),
        (
            r"^at most (?P<count>\d+) lines per order; put further lines on a new order$",
            N_("at most %(count)s lines per order; put further lines on a new order"),
        ),
        (
            r"^at most (?P<count>\d+) lines per order; split it into several orders$",
            N_("at most %(count)s lines per order; split it into several orders"),
        ),
        # the leads (portal.leads)
        (r"^there is no campaign '(?P<name>.*)'$", N_("there is no campaign “%(name)s”")),
        (
            r"^the row has (?P<count>\d+) fields, the header names (?P<header>\d+)$",
            N_("the row has %(count)s fields, the header names %(header)s"),
        ),
        (r"^'(?P<text>.*)' is not a postal-code range$", N_("“%(text)s” is not a postal-code range")),
        (r"^'(?P<text>.*)' is not a region$", N_("“%(text)s” is not a region")),
        (
            r"^'(?P<text>.*)' is not an ISO 3166 country code$",
            N_("“%(text)s” is not an ISO 3166 country code"),
        ),
        (r"^the column '(?P<name>.*)' is named twice$", N_("the column “%(name)s” is named twice")),
        (r"^at most (?P<count>\d+) entries$", N_("at most %(count)s entries")),
        (
            r"^the file has more than (?P<count>\d+) rows; split it$",
            N_("the file has more than %(count)s rows; split it"),
        ),
    ]
]
_KNOWN = frozenset(labels.SERVICE_MESSAGES)
_NUMBERS = frozenset({"quantity", "ordered", "confirmed", "count", "minimum", "maximum"})
_MONEY = frozenset({"amount", "owed"})  # amounts in the pattern's ``currency``


def field_label(field: str, gettext: Gettext) -> str:
    """``shipped_on`` -> "Shipped on"; ``lines[2].quantity`` -> "Line 2: Quantity";
    ``line-1-part-2-date`` -> "Line 1, delivery 2: Date"."""
    delivery = _DELIVERY_FIELD.match(field)
    if delivery:
        if delivery.group(1):
            number, row, name = delivery.group(1), str(int(delivery.group(2)) + 1), delivery.group(3)
        else:
            number, row, name = delivery.group(4), delivery.group(5), delivery.group(6)
        return gettext(
            "Line %(n)s, delivery %(k)s: %(field)s", n=number, k=row, field=field_label(name, gettext)
        )
    match = _LINE_FIELD.match(field)
    if match:  # "lines[2].quantity" (a service's name) or "line-2-quantity" (the form's)
        number, name = match.group(1) or match.group(3), match.group(2) or match.group(4)
        inner = field_label(name, gettext)
        return gettext("Line %(n)s: %(field)s", n=number, field=inner)
    name = field.removeprefix("settings.")
    if name in labels.FIELDS:
        return gettext(labels.FIELDS[name])
    return gettext(N_("this field"))


_FILE_TYPE = re.compile(r"^files of type (?P<mime>\S+) are not accepted$")


def accepted_file_types(gettext: Gettext) -> str:
    """The kinds of file an attachment may be, as words ("PDF document, PNG image, ...")."""
    return ", ".join(dict.fromkeys(gettext(label) for label in labels.FILE_TYPES.values()))


def _refused_file_type(mime: str, gettext: Gettext) -> str:
    accepted = accepted_file_types(gettext)
    known = labels.FILE_TYPES.get(mime.lower())
    if known:  # a known kind the service refuses (none today): name it
        return gettext(N_("A %(kind)s is not accepted here."), kind=gettext(known))
    return gettext(N_("This kind of file is not accepted. Accepted: %(accepted)s."), accepted=accepted)


def translate(detail: str, gettext: Gettext, locale: str) -> str:
    """The service's message ``detail`` in the user's language."""
    known = translate_known(detail, gettext, locale)
    if known is not None:
        return known
    if locale == "en":
        return detail
    return gettext(N_("This value is not accepted."))


def translate_known(detail: str, gettext: Gettext, locale: str) -> str | None:
    """``detail`` in the user's language where the catalogue or a pattern knows it, else None."""
    translated = gettext(detail)
    if detail in _KNOWN or translated != detail:  # any message the catalog knows, wherever marked
        return translated
    refused = _FILE_TYPE.match(detail)
    if refused:
        return _refused_file_type(refused.group("mime"), gettext)
    fmt = Formatter(locale)
    for pattern, message in PATTERNS:
        match = pattern.match(detail)
        if match is None:
            continue
        params: dict[str, Any] = {}
        found = match.groupdict()
        currency = found.pop("currency", None)
        for name, value in found.items():
            if currency and name in _MONEY:
                params[name] = fmt.money(Decimal(value), currency)
            else:
                params[name] = _word(name, value, gettext, fmt)
        return gettext(message, **params) if params else gettext(message)
    return None


def _word(name: str, value: str, gettext: Gettext, fmt: Formatter) -> str:
    if name in _NUMBERS:
        try:
            return fmt.number(Decimal(value))
        except InvalidOperation:
            return value
    if name in ("size", "limit"):
        return fmt.file_size(int(value))
    if name == "field":
        return field_label(value, gettext)
    if name == "kind" and value in labels.ALL:
        return gettext(labels.ALL[value])
    return value
