"""Fast constructors for the frozen document classes the decoders build by the thousand.

A frozen dataclass's generated ``__init__`` sets every field through
``object.__setattr__(self, "name", value)``, which costs a method lookup and a generic call per
field; that is most of the cost of decoding an order line. :func:`fast_constructor` returns a
function with the same signature and defaults that builds the same object faster:

* ``twin``: the instance is allocated as a private, mutable class with the very same ``__slots__``
  (so the same memory layout), filled with plain attribute stores, and then given its real class by
  ``__class__`` assignment, which CPython allows between layout-compatible classes;
* ``slots``: where that is not possible, allocate the real class and write each slot through its
  member descriptor.

Either way the result is an ordinary instance of the public class, which is not changed: same
fields, equality, hash, repr and immutability. Only frozen ``slots=True`` dataclasses without
``__post_init__`` or default factories qualify, and each constructor is tried once on import
against the class's own ``__init__``; anything else gets the class itself back, so a change to
:mod:`edi.documents` can make a constructor slower, never different.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from edi.documents import Address, Envelope, Message, OrderLine, Party, PurchaseOrder

__all__ = [
    "fast_constructor",
    "new_address",
    "new_envelope",
    "new_message",
    "new_order_line",
    "new_party",
    "new_purchase_order",
    "replace_envelope",
]

P = ParamSpec("P")
T = TypeVar("T")


def fast_constructor(cls: Callable[P, T]) -> Callable[P, T]:
    """A drop-in replacement for calling the dataclass ``cls`` (see the module docstring)."""
    kind: Any = cls
    if not isinstance(kind, type) or not dataclasses.is_dataclass(kind):
        return cls
    params = getattr(kind, "__dataclass_params__", None)
    fields = dataclasses.fields(kind)
    if (
        params is None
        or not params.frozen
        or not params.init
        or "__slots__" not in kind.__dict__
        or hasattr(kind, "__post_init__")
        or any(
            not f.init
            or f.kw_only
            or f.default_factory is not dataclasses.MISSING
            or not isinstance(kind.__dict__.get(f.name), types.MemberDescriptorType)
            or not f.name.isidentifier()
            or f.name.startswith("_")  # the template's own names start with "_"
            for f in fields
        )
    ):
        return cls
    for strategy in ("twin", "slots"):
        make = _compile(kind, fields, strategy)
        if make is not None and _agrees(make, kind, fields):
            made: Callable[P, T] = make
            return made
    return cls


def _compile(kind: type, fields: tuple[dataclasses.Field[Any], ...], strategy: str) -> Any:
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": kind}
    params: list[str] = []
    for n, f in enumerate(fields):
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            namespace[f"_d{n}"] = f.default
            params.append(f"{f.name}=_d{n}")
    if strategy == "twin":
        if kind.__bases__ != (object,):
            return None
        namespace["_twin"] = type(f"_{kind.__name__}Builder", (), {"__slots__": kind.__dict__["__slots__"]})
        body = ["    _o = _new(_twin)\n"]
        body += [f"    _o.{f.name} = {f.name}\n" for f in fields]
        body.append("    _o.__class__ = _cls\n")
    else:
        body = ["    _o = _new(_cls)\n"]
        for n, f in enumerate(fields):
            namespace[f"_s{n}"] = kind.__dict__[f.name].__set__
            body.append(f"    _s{n}(_o, {f.name})\n")
    source = f"def make({', '.join(params)}):\n{''.join(body)}    return _o\n"
    exec(source, namespace)  # noqa: S102 -- a fixed template over checked field names, as in dataclasses
    make = namespace["make"]
    make.__name__ = make.__qualname__ = f"new_{kind.__name__}"
    make.__doc__ = f"Same as ``{kind.__name__}(...)``, faster."
    return make


def _agrees(make: Callable[..., Any], kind: type, fields: tuple[dataclasses.Field[Any], ...]) -> bool:
    """Whether ``make`` builds what the class builds, field for field, on a trial set of values."""
    values = [object() for _ in fields]
    try:
        made, expected = make(*values), kind(*values)
    except TypeError:  # e.g. CPython refusing the __class__ assignment
        return False
    return type(made) is kind and all(getattr(made, f.name) is getattr(expected, f.name) for f in fields)


new_address = fast_constructor(Address)
new_envelope = fast_constructor(Envelope)
new_message = fast_constructor(Message)
new_order_line = fast_constructor(OrderLine)
new_party = fast_constructor(Party)
new_purchase_order = fast_constructor(PurchaseOrder)

_ENVELOPE_FIELDS = tuple(f.name for f in dataclasses.fields(Envelope))


def replace_envelope(envelope: Envelope, **changes: Any) -> Envelope:
    """``dataclasses.replace(envelope, **changes)``, without its per-call walk over the fields."""
    values = {name: getattr(envelope, name) for name in _ENVELOPE_FIELDS}
    values.update(changes)
    return new_envelope(**values)
