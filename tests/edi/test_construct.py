"""The fast document constructors build the very same objects as the public classes."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from edi import documents
from edi._construct import _compile, fast_constructor, replace_envelope
from edi.documents import Envelope, OrderLine, Party

CLASSES = [cls for _, cls in inspect.getmembers(documents, inspect.isclass) if dataclasses.is_dataclass(cls)]


def _values(cls: type[Any]) -> list[Any]:
    # Any distinct value per field will do: the constructors store, they do not validate.
    return [f"{cls.__name__}.{f.name}" for f in dataclasses.fields(cls)]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_fast_constructor_builds_an_equal_instance_of_the_same_class(cls: type[Any]) -> None:
    values = _values(cls)
    fast = fast_constructor(cls)
    assert fast is not cls  # every document class qualifies for the fast path
    made, expected = fast(*values), cls(*values)
    assert type(made) is cls
    assert made == expected
    assert hash(made) == hash(expected)
    assert repr(made) == repr(expected)
    names = [f.name for f in dataclasses.fields(cls)]
    assert fast(**dict(zip(names, values, strict=True))) == expected


@pytest.mark.parametrize("strategy", ["twin", "slots"])
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_both_strategies_build_real_instances(cls: type[Any], strategy: str) -> None:
    make = _compile(cls, dataclasses.fields(cls), strategy)
    values = _values(cls)
    made = make(*values)
    assert type(made) is cls
    assert made == cls(*values)
    assert pickle.loads(pickle.dumps(made)) == made  # noqa: S301 -- bytes we just made
    assert copy.deepcopy(made) == made
    assert dataclasses.astuple(made) == tuple(values)
    assert dataclasses.replace(made) == made


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_fast_constructor_keeps_defaults_and_immutability(cls: type[Any]) -> None:
    required = [f for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING]
    args = [f"x{n}" for n in range(len(required))]
    made = fast_constructor(cls)(*args)
    assert made == cls(*args)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.__setattr__(dataclasses.fields(cls)[0].name, "changed")


def test_fast_constructor_rejects_what_the_class_rejects() -> None:
    fast = fast_constructor(OrderLine)
    with pytest.raises(TypeError):
        fast("1")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        fast("1", Decimal(1), colour="red")  # type: ignore[call-arg]


def test_classes_the_fast_path_cannot_serve_are_returned_unchanged() -> None:
    @dataclasses.dataclass
    class Mutable:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            if self.a < 0:
                raise ValueError("negative")

    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    for cls in (Mutable, Checked, NoSlots):
        assert fast_constructor(cls) is cls


def test_replace_envelope_is_dataclasses_replace() -> None:
    base = Envelope("S", "R", "1", sender_qualifier="ZZ", test=True)
    assert replace_envelope(base, message_reference="7", version="D96A") == dataclasses.replace(
        base, message_reference="7", version="D96A"
    )
    with pytest.raises(TypeError):
        replace_envelope(base, colour="red")


def test_shared_values_are_still_equal_documents() -> None:
    party = fast_constructor(Party)(name="A", gln="4012345000009")
    line = fast_constructor(OrderLine)("1", Decimal("2"), requested_date=date(2024, 1, 1))
    assert party == Party(name="A", gln="4012345000009")
    assert line == OrderLine("1", Decimal("2"), requested_date=date(2024, 1, 1))
    assert {line, OrderLine("1", Decimal("2"), requested_date=date(2024, 1, 1))} == {line}
