"""The syntax tree of a SQL filter, and its canonical text.

Two families of nodes: *expressions* yield values (numbers, strings, booleans, NULL) and *predicates*
yield TRUE, FALSE or UNKNOWN. The grammar keeps them apart: AND/OR/NOT take predicates, comparisons
take expressions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

Scope = Literal["sys", "user"]


@dataclass(frozen=True)
class Constant:
    """A literal: int, float, str, bool, or None for NULL."""

    value: Any
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Property:
    """A property reference; `name` is canonical for `sys` and as written for `user`."""

    scope: Scope
    name: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Function:
    """`newid()`, or `property(name)` whose argument yields the property name at run time."""

    name: Literal["newid", "property"]
    argument: Expression | None
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Unary:
    """Unary `+` or `-`."""

    operator: Literal["+", "-"]
    operand: Expression
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Arithmetic:
    """Binary `+ - * / %`."""

    operator: Literal["+", "-", "*", "/", "%"]
    left: Expression
    right: Expression
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Comparison:
    """`= <> != > >= < <=` (`!=` is kept as written; it means `<>`)."""

    operator: Literal["=", "<>", "!=", ">", ">=", "<", "<="]
    left: Expression
    right: Expression
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Logical:
    """`AND` / `OR` under three-valued logic."""

    operator: Literal["AND", "OR"]
    left: Predicate
    right: Predicate
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Not:
    """`NOT` under three-valued logic."""

    operand: Predicate
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class In:
    """`x [NOT] IN (a, b, ...)`."""

    operand: Expression
    items: tuple[Expression, ...]
    negated: bool = False
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Like:
    """`x [NOT] LIKE pattern [ESCAPE char]`."""

    operand: Expression
    pattern: Expression
    escape: Expression | None = None
    negated: bool = False
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class IsNull:
    """`property IS [NOT] NULL` (any expression is accepted on the left)."""

    operand: Expression
    negated: bool = False
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Exists:
    """`EXISTS(property)`."""

    operand: Property
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class SetProperty:
    """Rule action statement `SET property = expression`."""

    target: Property
    value: Expression
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class RemoveProperty:
    """Rule action statement `REMOVE property`."""

    target: Property
    position: int = field(default=0, compare=False)


Expression = Constant | Property | Function | Unary | Arithmetic
Predicate = Comparison | Logical | Not | In | Like | IsNull | Exists | Constant
Node = Expression | Predicate
Statement = SetProperty | RemoveProperty


def is_predicate(node: Node) -> bool:
    """Tell whether a node can stand where a predicate is required (a boolean constant counts)."""
    if isinstance(node, Constant):
        return isinstance(node.value, bool)
    return isinstance(node, Comparison | Logical | Not | In | Like | IsNull | Exists)


def statements_text(statements: tuple[Statement, ...]) -> str:
    """Render rule action statements as text that parses back to equal statements."""
    rendered = []
    for statement in statements:
        if isinstance(statement, SetProperty):
            rendered.append(f"SET {to_text(statement.target)} = {to_text(statement.value)}")
        else:
            rendered.append(f"REMOVE {to_text(statement.target)}")
    return "; ".join(rendered)


def to_text(node: Node) -> str:
    """Render a node as SQL filter text that parses back to an equal tree.

    Every compound node is parenthesised, so the text does not rely on precedence.
    """
    match node:
        case Constant(value=value):
            return _constant_text(value)
        case Property(scope=scope, name=name):
            return f"{scope}.[{name.replace(']', ']]')}]"
        case Function(name="newid"):
            return "newid()"
        case Function(argument=argument):
            return f"property({to_text(argument)})" if argument is not None else "property()"
        case Unary(operator=operator, operand=operand):
            return f"({operator}{to_text(operand)})"
        case Arithmetic(operator=op, left=left, right=right) | Comparison(operator=op, left=left, right=right):
            return f"({to_text(left)} {op} {to_text(right)})"
        case Logical(operator=op, left=left, right=right):
            return f"({to_text(left)} {op} {to_text(right)})"
        case Not(operand=operand):
            return f"(NOT {to_text(operand)})"
        case In(operand=operand, items=items, negated=negated):
            listed = ", ".join(to_text(item) for item in items)
            return f"({to_text(operand)} {'NOT ' if negated else ''}IN ({listed}))"
        case Like(operand=operand, pattern=pattern, escape=escape, negated=negated):
            tail = f" ESCAPE {to_text(escape)}" if escape is not None else ""
            return f"({to_text(operand)} {'NOT ' if negated else ''}LIKE {to_text(pattern)}{tail})"
        case IsNull(operand=operand, negated=negated):
            return f"({to_text(operand)} IS {'NOT ' if negated else ''}NULL)"
        case Exists(operand=operand):
            return f"EXISTS({to_text(operand)})"
    raise TypeError(f"not a filter syntax node: {node!r}")


def _constant_text(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, int):
        # A negative constant only arises from folding; keep it a valid expression.
        return str(value) if value >= 0 else f"(-{-value})"
    if isinstance(value, float) and math.isfinite(value):
        text = repr(abs(value))
        if "e" not in text and "." not in text:
            text += ".0"
        return text if value >= 0 else f"(-{text})"
    raise TypeError(f"no SQL literal for {value!r}")
