"""The SELECT clause: `*`, `VALUE expr` or a list of items, and the names projected items get.

Source: learn.microsoft.com/azure/cosmos-db/nosql/query/select. An item is named by its `AS` alias, else by
its last property name (`c.a.b` → `b`, `c["x-y"]` → `x-y`), else `$1`, `$2`, ... in order; undefined
values are left out of the projected object.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from local_emulators.cosmos.query import ast
from local_emulators.cosmos.query.errors import QueryCompileError
from local_emulators.cosmos.query.evaluator import Bindings, CompileContext, ExpressionCompiler, Fn, GroupMode, Params
from local_emulators.cosmos.query.values import UNDEFINED


def contains_aggregate(node: Any) -> bool:
    """Tell whether a clause or expression holds an aggregate outside any subquery."""
    if isinstance(node, ast.Aggregate):
        return True
    if isinstance(node, ast.Subquery):
        return False
    if isinstance(node, tuple | list):
        return any(contains_aggregate(item) for item in node)
    if dataclasses.is_dataclass(node):
        return any(contains_aggregate(getattr(node, f.name)) for f in dataclasses.fields(node))
    return False


def item_names(items: tuple[ast.SelectItem, ...]) -> list[str]:
    """The property name each SELECT item gets in the projected object."""
    names: list[str] = []
    unnamed = 0
    for item in items:
        if item.alias is not None:
            names.append(item.alias)
        elif isinstance(item.expr, ast.Member | ast.Ident):
            names.append(item.expr.name)
        else:
            unnamed += 1
            names.append(f"${unnamed}")
    return names


def compile_projection(
    context: CompileContext,
    select: ast.Select,
    names: frozenset[str],
    aliases: list[str],
    group: GroupMode | None,
    has_from: bool,
) -> Fn:
    """Compile the SELECT clause into a function from a row's bindings to its result (or UNDEFINED)."""
    compiler = ExpressionCompiler(context, names, group)
    if select.star:
        if not has_from:
            raise QueryCompileError("'SELECT *' is not valid if the FROM clause is omitted", None, context.text)
        if len(aliases) != 1:
            raise QueryCompileError("'SELECT *' is only valid with a single input set", None, context.text)
        alias = aliases[0]
        return lambda b, p: b[alias]
    if select.value is not None:
        return compiler.compile(select.value)
    keys = item_names(select.items)
    duplicates = {key for key in keys if keys.count(key) > 1}
    if duplicates:
        raise QueryCompileError(f"Duplicate property name '{sorted(duplicates)[0]}' in the SELECT list", None,
                                context.text)  # fmt: skip
    fields = [(key, compiler.compile(item.expr)) for key, item in zip(keys, select.items, strict=True)]

    def project(b: Bindings, p: Params) -> Any:
        result = {}
        for key, fn in fields:
            value = fn(b, p)
            if value is not UNDEFINED:
                result[key] = value
        return result

    return project
