"""The EPK ranges a query can touch: the `queryRanges` of its plan.

When the filter pins the partition key (`c.pk = 'a'`, `c.pk IN ('a', 'b')`, or every path of a
hierarchical key), the gateway's plan names only those keys' EPKs as point ranges, so the SDK asks only
the partitions that hold them. Otherwise the plan names the whole space.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from local_emulators.cosmos.backend import partition_keys
from local_emulators.cosmos.backend.models import Container
from local_emulators.cosmos.backend.partitioning import epk_of
from local_emulators.cosmos.query import ast
from local_emulators.cosmos.query.plan import FULL_RANGE


def _conjuncts(node: ast.Expr | None) -> list[ast.Expr]:
    if node is None:
        return []
    if isinstance(node, ast.Binary) and node.op == "AND":
        return [*_conjuncts(node.left), *_conjuncts(node.right)]
    return [node]


def _path_of(node: ast.Expr, alias: str) -> tuple[str, ...] | None:
    names: list[str] = []
    while isinstance(node, ast.Member):
        names.append(node.name)
        node = node.target
    return tuple(reversed(names)) if isinstance(node, ast.Ident) and node.name == alias and names else None


def _constant(node: ast.Expr, parameters: Mapping[str, Any]) -> tuple[bool, Any]:
    if isinstance(node, ast.Literal):
        value = node.value
    elif isinstance(node, ast.Param) and node.name in parameters:
        value = parameters[node.name]
    else:
        return False, None
    keyable = value is None or isinstance(value, str | bool | int | float)
    return keyable, value


def _pinned(conjunct: ast.Expr, alias: str, parameters: Mapping[str, Any]) -> tuple[tuple[str, ...], list[Any]] | None:
    """The key path a conjunct pins and the values it allows, if it is `path = const` or `path IN (consts)`."""
    if isinstance(conjunct, ast.Binary) and conjunct.op == "=":
        for side, other in ((conjunct.left, conjunct.right), (conjunct.right, conjunct.left)):
            path, (ok, value) = _path_of(side, alias), _constant(other, parameters)
            if path is not None and ok:
                return path, [value]
    if isinstance(conjunct, ast.In) and not conjunct.negated:
        path = _path_of(conjunct.value, alias)
        constants = [_constant(item, parameters) for item in conjunct.items]
        if path is not None and all(ok for ok, _ in constants):
            return path, [value for _, value in constants]
    return None


def query_ranges(tree: ast.Query, container: Container, parameters: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The plan's `queryRanges` for a query on this container."""
    source, paths = tree.source, [tuple(path) for path in container.key_paths]
    if not paths or not isinstance(source, ast.CollectionSource) or source.iterate or tree.joins:
        return [dict(FULL_RANGE)]
    allowed: dict[tuple[str, ...], list[Any]] = {}
    for conjunct in _conjuncts(tree.where):
        found = _pinned(conjunct, source.alias, parameters)
        if found is not None and found[0] in paths and found[0] not in allowed:
            allowed[found[0]] = found[1]
    if any(path not in allowed for path in paths):
        return [dict(FULL_RANGE)]
    keys: list[Sequence[Any]] = [[]]
    for path in paths:
        keys = [[*key, value] for key in keys for value in allowed[path]]
    epks = sorted({epk_of(container, partition_keys.parse_header(json.dumps(list(key)))) for key in keys})
    return [{"min": epk, "max": epk, "isMinInclusive": True, "isMaxInclusive": True} for epk in epks]
