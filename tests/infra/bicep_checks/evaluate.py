"""A partial evaluator of Bicep expressions: what is knowable before deployment, `UNKNOWN` for the rest.

It resolves literals, variables, loop and lambda variables, `loadJsonContent` (relative to the file), member and
index access, `for` expressions, and the functions the templates use to shape entity lists (`map`, `filter`,
`flatten`, `union`, `concat`, `empty`, `length`, `string`, `toLower`). Parameters, resource properties and module
outputs are only known at deployment: they evaluate to `UNKNOWN`, and an interpolated string keeps its known parts
with `UNKNOWN_TEXT` where the unknown ones were.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tree_sitter import Node

from tests.infra.bicep_checks.syntax import (
    BicepFile,
    named_children,
    properties,
    string_literal,
    text,
    unescape,
    value_of,
)


class _Unknown:
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
"""A value known only at deployment time."""
UNKNOWN_TEXT = "\ufffd"
"""Stands for an unknown part inside an otherwise known string."""

Scope = Mapping[str, Any]
COMPARISONS: dict[str, Callable[[int, int], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


@dataclass(frozen=True)
class Lambda:
    """A lambda with the variables it closes over.

    tree-sitter-bicep binds `.member` and `[index]` tighter than `=>`, so `q => q.name` arrives as `(q => q).name`;
    `accessors` holds those trailing accesses, applied to the body's value.
    """

    parameters: tuple[str, ...]
    body: Node
    scope: Scope
    accessors: tuple[tuple[str, Any], ...] = ()


class Evaluator:
    """Evaluates expressions of one file; variables are evaluated once, on first use."""

    def __init__(self, bicep: BicepFile) -> None:
        self.bicep = bicep
        self._variables = bicep.declarations("var")
        self._cache: dict[str, Any] = {}
        self._functions: dict[str, Callable[[list[Any]], Any]] = {
            "flatten": lambda a: [y for x in a[0] for y in x] if _all_lists(a[0]) else UNKNOWN,
            "union": _union,
            "concat": _concat,
            "empty": lambda a: len(a[0]) == 0 if isinstance(a[0], str | list | dict) else UNKNOWN,
            "length": lambda a: len(a[0]) if isinstance(a[0], str | list | dict) else UNKNOWN,
            "string": lambda a: a[0] if isinstance(a[0], str) else UNKNOWN if a[0] is UNKNOWN else json.dumps(a[0]),
            "toLower": lambda a: a[0].lower() if isinstance(a[0], str) else UNKNOWN,
            "map": lambda a: self._map(a),
            "filter": lambda a: self._filter(a),
            "loadJsonContent": lambda a: self._load_json(a),
            # Resource ids: only their last segments (type names, names, role GUIDs) are knowable.
            "subscriptionResourceId": lambda a: _resource_id(a),
            "resourceId": lambda a: _resource_id(a),
            "tenantResourceId": lambda a: _resource_id(a),
        }

    def variable(self, name: str) -> Any:
        """The value of a top-level variable."""
        if name not in self._cache:
            self._cache[name] = UNKNOWN  # a self-reference stays unknown instead of recursing
            self._cache[name] = self.value(self._variables[name].children[-1], {})
        return self._cache[name]

    def value(self, node: Node, scope: Scope) -> Any:
        """The value of the expression `node` with loop/lambda variables `scope`."""
        kind = node.type
        if kind == "string":
            return self._string(node, scope)
        if kind == "number":
            return int(text(node))
        if kind == "boolean":
            return text(node) == "true"
        if kind == "null":
            return None
        if kind == "array":
            return [self.value(item, scope) for item in named_children(node)]
        if kind == "object":
            return {key: self.value(value_of(prop), scope) for key, prop in properties(node).items()}
        if kind == "identifier":
            name = text(node)
            if name in scope:
                return scope[name]
            return self.variable(name) if name in self._variables else UNKNOWN
        if kind == "parenthesized_expression":
            return self.value(named_children(node)[0], scope)
        if kind == "member_expression":
            return self._member(node, scope)
        if kind == "subscript_expression":
            target = self.value(node.child_by_field_name("object") or named_children(node)[0], scope)
            index = self.value(node.child_by_field_name("index") or named_children(node)[1], scope)
            if isinstance(target, Lambda):
                return Lambda(target.parameters, target.body, target.scope, (*target.accessors, ("index", index)))
            return _index(target, index)
        if kind == "call_expression":
            return self._call(node, scope)
        if kind == "lambda_expression":
            head = named_children(node)[0]
            names = [text(c) for c in named_children(head)] if head.type == "parenthesized_expression" else [text(head)]
            return Lambda(tuple(names), named_children(node)[-1], scope)
        if kind == "for_statement":
            return self._for(node, scope)
        if kind == "ternary_expression":
            condition, when_true, when_false = named_children(node)
            chosen = self.value(condition, scope)
            return UNKNOWN if not isinstance(chosen, bool) else self.value(when_true if chosen else when_false, scope)
        if kind == "binary_expression":
            return self._binary(node, scope)
        if kind == "unary_expression" and text(node).startswith("!"):
            operand = self.value(named_children(node)[-1], scope)
            return (not operand) if isinstance(operand, bool) else UNKNOWN
        return UNKNOWN

    def _binary(self, node: Node, scope: Scope) -> Any:
        left_node, right_node = named_children(node)
        symbol = text(next(child for child in node.children if not child.is_named))
        left, right = self.value(left_node, scope), self.value(right_node, scope)
        if symbol == "??":
            return right if left is None else left
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        if symbol in {"==", "!="}:
            return (left == right) == (symbol == "==")
        if symbol in {"&&", "||"} and isinstance(left, bool) and isinstance(right, bool):
            return (left and right) if symbol == "&&" else (left or right)
        if isinstance(left, int) and isinstance(right, int) and symbol in COMPARISONS:
            return COMPARISONS[symbol](left, right)
        return UNKNOWN

    def iterations(self, loop: Node, scope: Scope) -> list[Scope] | None:
        """The scopes of a `for` statement's iterations (item and index bound), or None when the array is unknown."""
        item, index, source = _loop_parts(loop)
        items = self.value(source, scope)
        if not isinstance(items, list):
            return None
        scopes: list[Scope] = []
        for position, element in enumerate(items):
            bound = {**scope, item: element}
            if index:
                bound[index] = position
            scopes.append(bound)
        return scopes

    def _for(self, loop: Node, scope: Scope) -> Any:
        iterations = self.iterations(loop, scope)
        if iterations is None:
            return UNKNOWN
        result = named_children(loop)[-1]
        values = []
        for bound in iterations:
            if result.type == "if_statement":
                condition, produced = named_children(result)
                if self.value(condition, bound) is False:
                    continue
                values.append(self.value(produced, bound))
            else:
                values.append(self.value(result, bound))
        return values

    def _string(self, node: Node, scope: Scope) -> Any:
        literal = string_literal(node)
        if literal is not None:
            return literal
        parts: list[str] = []
        for part in named_children(node):
            if part.type == "interpolation":
                inner = self.value(named_children(part)[0], scope)
                parts.append(
                    str(inner).lower() if isinstance(inner, bool) else str(inner) if _scalar(inner) else UNKNOWN_TEXT
                )
            else:
                parts.append(text(part) if part.type == "string_content" else unescape(text(part)))
        return "".join(parts)

    def _member(self, node: Node, scope: Scope) -> Any:
        target = self.value(node.child_by_field_name("object") or named_children(node)[0], scope)
        member = text(node.child_by_field_name("property") or named_children(node)[-1])
        if isinstance(target, Lambda):
            return Lambda(target.parameters, target.body, target.scope, (*target.accessors, ("member", member)))
        return target.get(member, UNKNOWN) if isinstance(target, dict) else UNKNOWN

    def _call(self, node: Node, scope: Scope) -> Any:
        function = node.child_by_field_name("function") or named_children(node)[0]
        name = text(function).removeprefix("sys.")
        handler = self._functions.get(name)
        if handler is None:
            return UNKNOWN
        arguments_node = node.child_by_field_name("arguments") or named_children(node)[-1]
        arguments = [self.value(argument, scope) for argument in named_children(arguments_node)]
        if name.endswith("ResourceId") or name == "resourceId":
            return handler(arguments)
        if any(argument is UNKNOWN for argument in arguments):
            return UNKNOWN
        return handler(arguments)

    def apply(self, function: Any, *arguments: Any) -> Any:
        """Call a `Lambda` value."""
        if not isinstance(function, Lambda):
            return UNKNOWN
        bound = {**function.scope, **dict(zip(function.parameters, arguments, strict=False))}
        result = self.value(function.body, bound)
        for kind, key in function.accessors:
            if kind == "member":
                result = result.get(key, UNKNOWN) if isinstance(result, dict) else UNKNOWN
            else:
                result = _index(result, key)
        return result

    def _map(self, arguments: list[Any]) -> Any:
        items, function = arguments
        if not isinstance(items, list):
            return UNKNOWN
        return [self.apply(function, item, position) for position, item in enumerate(items)]

    def _filter(self, arguments: list[Any]) -> Any:
        items, function = arguments
        if not isinstance(items, list):
            return UNKNOWN
        kept = [(item, self.apply(function, item, position)) for position, item in enumerate(items)]
        return UNKNOWN if any(not isinstance(keep, bool) for _, keep in kept) else [item for item, keep in kept if keep]

    def _load_json(self, arguments: list[Any]) -> Any:
        path = self.bicep.path.parent / str(arguments[0])
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return UNKNOWN


def _loop_parts(loop: Node) -> tuple[str, str, Node]:
    parts = [child for child in named_children(loop)]
    head = parts[0]
    if head.type == "for_loop_parameters":
        variables = named_children(head)
        return text(variables[0]), text(variables[1]) if len(variables) > 1 else "", parts[1]
    return text(head), "", parts[1]


def loop_variables(loop: Node) -> list[str]:
    """The names a `for` statement binds (item, and index when present)."""
    item, index, _ = _loop_parts(loop)
    return [name for name in (item, index) if name]


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int) and value is not UNKNOWN


def _all_lists(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, list) for item in value)


def _union(arguments: list[Any]) -> Any:
    if all(isinstance(argument, dict) for argument in arguments):
        merged: dict[str, Any] = {}
        for argument in arguments:
            merged.update(argument)
        return merged
    if all(isinstance(argument, list) for argument in arguments):
        unique: dict[str, Any] = {}
        for item in (item for argument in arguments for item in argument):
            unique.setdefault(json.dumps(item, sort_keys=True, default=repr), item)
        return list(unique.values())
    return UNKNOWN


def _concat(arguments: list[Any]) -> Any:
    if all(isinstance(argument, list) for argument in arguments):
        return [item for argument in arguments for item in argument]
    if all(_scalar(argument) for argument in arguments):
        return "".join(str(argument) for argument in arguments)
    return UNKNOWN


def _index(target: Any, index: Any) -> Any:
    if isinstance(target, list) and isinstance(index, int) and -len(target) <= index < len(target):
        return target[index]
    if isinstance(target, dict) and isinstance(index, str):
        return target.get(index, UNKNOWN)
    return UNKNOWN


def _resource_id(arguments: list[Any]) -> str:
    parts = [str(argument) if _scalar(argument) else UNKNOWN_TEXT for argument in arguments]
    return UNKNOWN_TEXT + "/" + "/".join(parts)
