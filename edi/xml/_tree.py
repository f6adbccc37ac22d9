"""Small helpers shared by the XML mappings: namespaced lookups that report where data is missing or
malformed, and builders that keep element order explicit."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from edi.errors import EncodeError, MappingError, Position

UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
UBL_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
UBL_MAINDOC = "urn:oasis:names:specification:ubl:schema:xsd:{}-2"
CII_RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
CII_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
CII_UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
CII_QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
ZF1_RSM = "urn:ferd:CrossIndustryDocument:invoice:1p0"
ZF1_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
ZF1_UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15"

UBL_NS = {"cbc": UBL_CBC, "cac": UBL_CAC}
CII_NS = {"rsm": CII_RSM, "ram": CII_RAM, "udt": CII_UDT, "qdt": CII_QDT}
ZF1_NS = {"rsm": ZF1_RSM, "ram": ZF1_RAM, "udt": ZF1_UDT}

_CII_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def position_of(element: etree._Element) -> Position:
    """Line number and element path of ``element`` in its document."""
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        qname = etree.QName(node)
        name = f"{node.prefix}:{qname.localname}" if node.prefix else qname.localname
        parent = node.getparent()
        if parent is not None:
            same = [sibling for sibling in parent if sibling.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        steps.append(name)
        node = parent
    line = element.sourceline if isinstance(element.sourceline, int) else None
    return Position(line=line, segment_tag="/" + "/".join(reversed(steps)))


class Reader:
    """Read values below one element with a fixed prefix map; every failure names the element path."""

    __slots__ = ("ns",)

    def __init__(self, ns: dict[str, str]) -> None:
        self.ns = ns

    def first(self, el: etree._Element, path: str) -> etree._Element | None:
        found = el.find(path, self.ns)
        return found

    def all(self, el: etree._Element, path: str) -> list[etree._Element]:
        return list(el.iterfind(path, self.ns))

    def text(self, el: etree._Element | None, path: str) -> str | None:
        if el is None:
            return None
        found = el.find(path, self.ns)
        if found is None or found.text is None:
            return None
        value = found.text.strip()
        return value or None

    def required(self, el: etree._Element, path: str, what: str) -> str:
        value = self.text(el, path)
        if value is None:
            raise MappingError(
                f"{what} is missing: expected {path} below {el.tag.split('}')[-1]}", position=position_of(el)
            )
        return value

    def decimal(self, el: etree._Element | None, path: str) -> Decimal | None:
        if el is None:
            return None
        found = el.find(path, self.ns)
        if found is None or found.text is None or not found.text.strip():
            return None
        return to_decimal(found.text, found)

    def required_decimal(self, el: etree._Element, path: str, what: str) -> Decimal:
        value = self.decimal(el, path)
        if value is None:
            raise MappingError(f"{what} is missing: expected a number in {path}", position=position_of(el))
        return value

    def date(self, el: etree._Element | None, path: str) -> date | None:
        if el is None:
            return None
        found = el.find(path, self.ns)
        if found is None or found.text is None or not found.text.strip():
            return None
        return to_date(found.text, found)


def to_decimal(raw: str, where: etree._Element) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise MappingError(f"{raw.strip()!r} is not a decimal number", position=position_of(where)) from None
    if not value.is_finite():
        raise MappingError(f"{raw.strip()!r} is not a finite number", position=position_of(where))
    return value


def to_date(raw: str, where: etree._Element) -> date:
    """ISO dates (UBL) and CII format 102 ``YYYYMMDD``."""
    value = raw.strip()
    match = _CII_DATE.match(value)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        return date.fromisoformat(value[:10])
    except ValueError:
        raise MappingError(f"{value!r} is not a valid date", position=position_of(where)) from None


def fmt_decimal(value: Decimal) -> str:
    """Plain notation without exponent (XSD decimal forbids ``1E+2``)."""
    text = format(value, "f")
    return text


class Builder:
    """Append namespaced children: ``b.sub(parent, "cbc:ID", "42", schemeID="0088")``. ``None`` text
    writes nothing, so optional fields stay one line each."""

    __slots__ = ("ns",)

    def __init__(self, ns: dict[str, str]) -> None:
        self.ns = ns

    def qname(self, name: str) -> str:
        prefix, local = name.split(":")
        return f"{{{self.ns[prefix]}}}{local}"

    def el(self, parent: etree._Element, name: str, **attrs: str) -> etree._Element:
        return etree.SubElement(parent, self.qname(name), attrib=attrs or None)

    def sub(
        self, parent: etree._Element, name: str, value: str | Decimal | date | None, **attrs: str | None
    ) -> etree._Element | None:
        if value is None:
            return None
        clean = {k: v for k, v in attrs.items() if v is not None}
        child = etree.SubElement(parent, self.qname(name), attrib=clean or None)
        if isinstance(value, Decimal):
            child.text = fmt_decimal(value)
        elif isinstance(value, date):
            child.text = value.isoformat()
        else:
            try:
                child.text = value
            except ValueError as exc:
                raise EncodeError(f"{name} cannot hold {value!r} in XML: {exc}") from None
        return child


def serialize(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
