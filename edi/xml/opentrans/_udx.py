"""User-defined extensions (HEADER_UDX / ITEM_UDX) and the rules a partner agreement sets for them.

The openTRANS XSD lets any content into a UDX (``xsd:anyType``); what a field may hold is agreed
between the partners, usually as an extra XSD that redefines ``udxHEADER``/``udxITEM``. A
:class:`UdxRule` states such an agreement for one UDX element; the decoder checks every UDX element
that has a rule and leaves the others alone.

``DEFAULT_UDX_RULES`` holds the agreement published with the openTRANS reference samples
(OpenTransSharp's ``CustomData.xsd``: ``UDX.ORGANIZATION.CUSTOM_DATA_2`` is 1..10 characters,
``UDX.ORGANIZATION.CUSTOM_DATA`` holds one or more ``UDX.ORGANIZATION.CUSTOM_DATA.NAME``). A partner
profile with its own extensions passes its own rules.

The encoder writes UDX fields of its own where openTRANS has no element: in ORDERRESPONSE the
supplier's accept/reject/change answer, ``UDX.ECRM.RESPONSE_STATUS`` (header) and
``UDX.ECRM.LINE_STATUS`` (item), each ``accepted``, ``rejected`` or ``changed``; in ORDERCHANGE what
happens to a line, ``UDX.ECRM.LINE_ACTION`` (item): ``added``, ``changed`` or ``cancelled``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from edi.errors import MappingError
from edi.xml.opentrans._read import local_name, position_of, text_of

__all__ = [
    "DEFAULT_UDX_RULES",
    "LINE_ACTION",
    "LINE_STATUS",
    "RESPONSE_STATUS",
    "UdxRule",
    "check_udx",
    "udx_value",
]

RESPONSE_STATUS = "UDX.ECRM.RESPONSE_STATUS"
LINE_STATUS = "UDX.ECRM.LINE_STATUS"
LINE_ACTION = "UDX.ECRM.LINE_ACTION"


@dataclass(frozen=True, slots=True)
class UdxRule:
    """What one UDX element (by its local name, e.g. ``UDX.ACME.COLOR``) may hold: a text length
    range, and, for a structured field, the child elements it must contain at least once."""

    name: str
    min_length: int = 1
    max_length: int | None = None
    required_children: tuple[str, ...] = ()


DEFAULT_UDX_RULES: Mapping[str, UdxRule] = {
    rule.name: rule
    for rule in (
        UdxRule("UDX.ORGANIZATION.CUSTOM_DATA_2", min_length=1, max_length=10),
        UdxRule(
            "UDX.ORGANIZATION.CUSTOM_DATA",
            min_length=0,
            required_children=("UDX.ORGANIZATION.CUSTOM_DATA.NAME",),
        ),
    )
}


def check_udx(containers: Iterable[etree._Element], rules: Mapping[str, UdxRule]) -> None:
    """Raise :class:`MappingError` for the first UDX element in ``containers`` that breaks its rule."""
    for container in containers:
        for element in container.iter():
            if not isinstance(element.tag, str) or element is container:
                continue
            rule = rules.get(local_name(element))
            if rule is not None:
                _check(element, rule)


def _check(element: etree._Element, rule: UdxRule) -> None:
    present = {local_name(child) for child in element if isinstance(child.tag, str)}
    for required in rule.required_children:
        if required not in present:
            raise MappingError(
                f"user-defined field {rule.name} must contain {required} (partner UDX agreement)",
                position=position_of(element),
            )
    if rule.required_children:
        return
    value = text_of(element) or ""
    if len(value) < rule.min_length or (rule.max_length is not None and len(value) > rule.max_length):
        upper = "" if rule.max_length is None else f"..{rule.max_length}"
        raise MappingError(
            f"user-defined field {rule.name} holds {len(value)} characters ({value[:40]!r}); "
            f"the partner UDX agreement allows {rule.min_length}{upper}",
            position=position_of(element),
        )


def udx_value(container: etree._Element | None, name: str) -> str | None:
    """Text of the UDX child ``name`` (no namespace or the openTRANS one) of a *_UDX element."""
    if container is None:
        return None
    for child in container:
        if isinstance(child.tag, str) and local_name(child) == name:
            return text_of(child)
    return None
