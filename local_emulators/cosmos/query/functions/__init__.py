"""Registry of the built-in scalar functions, looked up case-insensitively by name."""

from __future__ import annotations

from local_emulators.cosmos.query.functions import (
    arrays,
    datetimes,
    fulltext,
    mathematics,
    spatial,
    strings,
    type_checks,
)
from local_emulators.cosmos.query.functions import vector as vector_functions
from local_emulators.cosmos.query.functions.base import FunctionSpec

_FAMILIES = (type_checks, strings, mathematics, arrays, datetimes, vector_functions, fulltext, spatial)
REGISTRY: dict[str, FunctionSpec] = {spec.name: spec for family in _FAMILIES for spec in family.FUNCTIONS}


def lookup(name: str) -> FunctionSpec | None:
    """The built-in function called `name` (any case), or None if there is none."""
    return REGISTRY.get(name.upper())


__all__ = ["REGISTRY", "FunctionSpec", "lookup"]
