"""A compact ISO Schematron (queryBinding ``xslt2``) to XSLT 2.0 compiler.

It covers what the official EN 16931, XRechnung and Peppol rule files use: ``ns``, ``let`` (schema,
pattern and rule level), ``pattern``/``rule``/``assert``/``report`` with ``id``/``flag``/``role``,
``name`` and ``value-of`` in messages, ``include`` of local files, and foreign ``xsl:function``
elements. Abstract rules and patterns (``extends``, ``is-a``) are refused rather than mis-compiled.

Semantics follow ISO/IEC 19757-3: every pattern is an independent pass over the document, and in a
pattern each node is handled by the first rule whose context matches it (one XSLT mode per pattern,
rule priority falling with document order). Pattern- and schema-level ``let`` become global
variables. Failed assertions and successful reports are written as SVRL.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from edi.errors import UnsupportedError

SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
SVRL = "http://purl.oclc.org/dsdl/svrl"

_S = f"{{{SCH}}}"
_X = f"{{{XSL}}}"
_V = f"{{{SVRL}}}"

# A readable location: /Invoice[1]/cac:InvoiceLine[2]/cbc:ID[1] (prefixes as in the instance).
_LOCATION = (
    "concat(string-join(for $e in ancestor-or-self::* return concat('/', name($e), '[', "
    "count($e/preceding-sibling::*[node-name(.) = node-name($e)]) + 1, ']'), ''), "
    "if (self::attribute()) then concat('/@', name(.)) else '')"
)


def _load(path: Path, root: Path) -> etree._Element:
    target = path.resolve()
    if not target.is_relative_to(root):
        raise UnsupportedError(f"Schematron include {path} is outside the rules folder {root}")
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, remove_comments=True)
    return etree.parse(str(target), parser).getroot()


def _expand_includes(element: etree._Element, base: Path, root: Path) -> None:
    for include in list(element.iter(f"{_S}include")):
        href = include.get("href")
        if not href:
            raise UnsupportedError("Schematron <include> without href")
        included = _load(base.parent / href, root)
        _expand_includes(included, base.parent / href, root)
        parent = include.getparent()
        assert parent is not None
        parent.replace(include, included)


def _message(target: etree._Element, source: etree._Element) -> None:
    """Copy an assertion's mixed content into ``target`` as XSLT instructions."""
    if source.text:
        etree.SubElement(target, f"{_X}text").text = source.text
    for child in source:
        if child.tag == f"{_S}name":
            etree.SubElement(target, f"{_X}value-of", select=f"name({child.get('path', '.')})")
        elif child.tag == f"{_S}value-of":
            etree.SubElement(target, f"{_X}value-of", select=child.get("select", "."))
        elif isinstance(child.tag, str):  # emph, dir, span: keep their text
            etree.SubElement(target, f"{_X}text").text = "".join(child.itertext())
        if child.tail:
            etree.SubElement(target, f"{_X}text").text = child.tail


def _check(template: etree._Element, node: etree._Element, *, report: bool) -> None:
    test = node.get("test")
    if not test:
        raise UnsupportedError(
            f"Schematron {'report' if report else 'assert'} without test (line {node.sourceline})"
        )
    guard = etree.SubElement(template, f"{_X}if", test=test if report else f"not({test})")
    result = etree.SubElement(guard, f"{_V}successful-report" if report else f"{_V}failed-assert")
    result.set("test", test)
    result.set("id", node.get("id", ""))
    result.set("flag", node.get("flag") or node.get("role") or "error")
    etree.SubElement(result, f"{_X}attribute", name="location", select=_LOCATION)
    _message(etree.SubElement(result, f"{_V}text"), node)


def _let(parent: etree._Element, let: etree._Element) -> None:
    value = let.get("value")
    if value is None:
        raise UnsupportedError(f"Schematron <let name={let.get('name')!r}> without value is not supported")
    etree.SubElement(parent, f"{_X}variable", name=let.get("name", ""), select=value)


def compile_schematron(path: Path, *, root: Path | None = None, phase: str | None = None) -> str:
    """Compile the Schematron file at ``path`` to XSLT 2.0 text. Includes must stay below ``root``
    (default: the file's folder's parent)."""
    root = (root or path.parent.parent).resolve()
    schema = _load(path, root)
    _expand_includes(schema, path.resolve(), root)
    if (
        schema.find(f".//{_S}rule[@abstract]") is not None
        or schema.find(f".//{_S}pattern[@abstract]") is not None
    ):
        raise UnsupportedError(f"{path.name}: abstract rules and patterns are not supported")

    nsmap: dict[str | None, str] = {"xsl": XSL, "svrl": SVRL, "xs": "http://www.w3.org/2001/XMLSchema"}
    for prefix, uri in schema.nsmap.items():
        if prefix and prefix not in nsmap:
            nsmap[prefix] = uri
    for ns in schema.iter(f"{_S}ns"):
        nsmap[ns.get("prefix", "")] = ns.get("uri", "")
    sheet = etree.Element(f"{_X}stylesheet", nsmap=nsmap)
    sheet.set("version", "2.0")
    sheet.set("exclude-result-prefixes", " ".join(p for p in nsmap if p and p not in {"svrl"}))
    etree.SubElement(sheet, f"{_X}output", method="xml", indent="no")

    for function in schema.iter(f"{_X}function"):
        sheet.append(function.__copy__())

    active: set[str] | None = None
    chosen = phase or schema.get("defaultPhase")
    if chosen and chosen != "#ALL":
        found = schema.find(f"{_S}phase[@id='{chosen}']")
        if found is None:
            raise UnsupportedError(f"{path.name}: phase {chosen!r} is not defined")
        active = {a.get("pattern", "") for a in found.iter(f"{_S}active")}

    for let in schema.findall(f"{_S}let"):
        _let(sheet, let)
    patterns = [p for p in schema.iter(f"{_S}pattern") if active is None or p.get("id") in active]
    for pattern in patterns:
        for let in pattern.findall(f"{_S}let"):
            _let(sheet, let)

    main = etree.SubElement(sheet, f"{_X}template", match="/")
    output = etree.SubElement(main, f"{_V}schematron-output")
    for index, pattern in enumerate(patterns):
        mode = f"p{index}"
        etree.SubElement(output, f"{_V}active-pattern", id=pattern.get("id", mode))
        etree.SubElement(output, f"{_X}apply-templates", select="/", mode=mode)
        rules = pattern.findall(f"{_S}rule")
        for position, rule in enumerate(rules):
            template = etree.SubElement(
                sheet,
                f"{_X}template",
                match=rule.get("context", ""),
                mode=mode,
                priority=str(len(rules) - position + 1),
            )
            for node in rule:
                if node.tag == f"{_S}let":
                    _let(template, node)
                elif node.tag in (f"{_S}assert", f"{_S}report"):
                    _check(template, node, report=node.tag == f"{_S}report")
            etree.SubElement(template, f"{_X}apply-templates", select="@*|*", mode=mode)
        etree.SubElement(
            etree.SubElement(sheet, f"{_X}template", match="/|@*|*", mode=mode, priority="-1"),
            f"{_X}apply-templates",
            select="@*|*",
            mode=mode,
        )
        etree.SubElement(
            sheet,
            f"{_X}template",
            match="text()|comment()|processing-instruction()",
            mode=mode,
            priority="-1",
        )
    return str(etree.tostring(sheet, encoding="unicode"))
