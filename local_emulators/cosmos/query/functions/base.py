"""What a built-in function is to the compiler: a name, an arity range and a pure implementation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local_emulators.cosmos.query.values import UNDEFINED, is_number

Impl = Callable[..., Any]


@dataclass(frozen=True)
class FunctionSpec:
    """A built-in scalar function.

    Attributes:
        name: Upper-cased name; calls match it case-insensitively.
        min_args: Fewest arguments accepted.
        max_args: Most arguments accepted, or None for variadic functions.
        impl: Takes the evaluated arguments and returns a value or `UNDEFINED`; wrong argument types
            yield `UNDEFINED`, as in Cosmos, never an exception.
        takes_undefined: The function is called even when an argument is undefined (type checks, IIF).
            Otherwise "if any of the arguments is undefined, the function isn't called, and the result
            is undefined" (scalar-expressions remarks).
    """

    name: str
    min_args: int
    max_args: int | None
    impl: Impl
    takes_undefined: bool = False


def spec(name: str, min_args: int, max_args: int | None, impl: Impl, *, takes_undefined: bool = False) -> FunctionSpec:
    """Shorthand constructor used by the function family modules; out-of-range numbers yield undefined."""
    return FunctionSpec(name.upper(), min_args, max_args, _guarded(impl), takes_undefined)


def _guarded(impl: Impl) -> Impl:
    # Huge or non-finite numbers (1e308 as a count, NaN as ticks) must give undefined, never a 500.
    def run(*args: Any) -> Any:
        try:
            return impl(*args)
        except (ValueError, OverflowError, ZeroDivisionError):
            return UNDEFINED

    return run


def as_int(value: Any) -> int | None:
    """The value as an int when it is a whole JSON number, else None."""
    if is_number(value) and float(value).is_integer():
        return int(value)
    return None


def flag(value: Any) -> bool | None:
    """An optional boolean flag argument: UNDEFINED means False; other non-booleans mean invalid (None)."""
    if value is UNDEFINED:
        return False
    return value if isinstance(value, bool) else None
