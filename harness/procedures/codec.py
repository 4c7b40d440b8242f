"""JSON for the stages' frozen dataclasses, read back strictly.

The extraction cache lives on disk, where files get truncated, edited or
written by another version. Decoding therefore checks every value against the
dataclass's type hints and refuses anything else (``CodecError``): a damaged
or foreign file is rebuilt, never half-trusted. Nothing is ever executed or
imported on the strength of what a file says (unlike pickle).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
Json = None | bool | int | float | str | list["Json"] | dict[str, "Json"]
_Decoder = Callable[[object], Any]


class CodecError(ValueError):
    """The data does not have the shape of the type it should decode to."""


def encode(value: object) -> Json:
    """A dataclass (holding dataclasses, enums, tuples, strings, numbers) as JSON values."""
    kind: Any = type(value)
    if kind is str or value is None:  # most of a page's values: before any isinstance
        return value  # type: ignore[return-value]
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    names = _field_names(kind)
    if names is not None:
        return {name: encode(getattr(value, name)) for name in names}
    raise TypeError(f"cannot encode {kind.__name__} as JSON")


@functools.cache
def _field_names(kind: Any) -> tuple[str, ...] | None:
    """A dataclass's field names, in order (looked up once per class); None for others."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(field.name for field in dataclasses.fields(kind))


def decode(kind: type[T], data: object) -> T:
    """``data`` (from ``json.loads``) as a ``kind``; raises CodecError when it is not one."""
    hint: Any = kind
    found: T = _decoder(hint)(data)
    return found


@functools.cache
def _decoder(hint: Any) -> _Decoder:
    """A checking decoder for one type hint, built once per hint."""
    if hint in (str, int, float, bool, type(None)):
        return functools.partial(_scalar, hint)
    origin = typing.get_origin(hint)
    if origin is tuple:
        return _tuple_decoder(typing.get_args(hint))
    if origin in (typing.Union, types.UnionType):
        return _union_decoder(typing.get_args(hint))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return functools.partial(_member, hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)
    raise TypeError(f"no JSON decoding for {hint!r}")


def _scalar(kind: type, data: object) -> object:
    # type() rather than isinstance(): True is an int, 1 is not a bool.
    if type(data) is not kind and not (kind is float and type(data) is int):
        raise CodecError(f"expected {kind.__name__}, found {type(data).__name__}")
    return data


def _member(kind: type[enum.Enum], data: object) -> enum.Enum:
    try:
        return kind(data)
    except ValueError:
        raise CodecError(f"{data!r} is not a {kind.__name__}") from None


def _items(data: object) -> list[object]:
    if type(data) is not list:
        raise CodecError(f"expected a list, found {type(data).__name__}")
    return data


def _tuple_decoder(arguments: tuple[Any, ...]) -> _Decoder:
    if len(arguments) == 2 and arguments[1] is Ellipsis:
        item = _decoder(arguments[0])
        return lambda data: tuple(item(value) for value in _items(data))
    positions = tuple(_decoder(argument) for argument in arguments)

    def fixed(data: object) -> tuple[object, ...]:
        values = _items(data)
        if len(values) != len(positions):
            raise CodecError(f"expected {len(positions)} values, found {len(values)}")
        return tuple(decode_one(value) for decode_one, value in zip(positions, values, strict=True))

    return fixed


def _union_decoder(members: tuple[Any, ...]) -> _Decoder:
    """``X | None`` by value; a union of dataclasses by their field names (no tag needed
    while no two members have the same fields)."""
    shapes: dict[frozenset[str], _Decoder] = {}
    others: list[_Decoder] = []
    for member in members:
        decoder = _decoder(member)
        if dataclasses.is_dataclass(member):
            shapes[frozenset(field.name for field in dataclasses.fields(member))] = decoder
        else:
            others.append(decoder)

    def union(data: object) -> object:
        if type(data) is dict:
            chosen = shapes.get(frozenset(data))
            if chosen is not None:
                return chosen(data)
        for other in others:
            try:
                return other(data)
            except CodecError:
                continue
        raise CodecError(f"{type(data).__name__} matches no member of the union")

    return union


def _dataclass_decoder(kind: type) -> _Decoder:
    hints = typing.get_type_hints(kind)
    fields = tuple((field.name, _decoder(hints[field.name])) for field in dataclasses.fields(kind))
    names = frozenset(name for name, _ in fields)

    def build(data: object) -> object:
        if type(data) is not dict or data.keys() != names:
            raise CodecError(f"not a {kind.__name__}")
        return kind(**{name: decode_field(data[name]) for name, decode_field in fields})

    return build
