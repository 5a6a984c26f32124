"""Syntax tree of a Cosmos SQL query: frozen dataclasses that compare structurally (positions excluded)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from typing import Literal as TypingLiteral


@dataclass(frozen=True)
class Literal:
    """A constant: number, string, true/false, null or undefined."""

    value: Any
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Param:
    """A `@name` parameter; `name` includes the `@`."""

    name: str
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Ident:
    """A reference to a name bound by FROM or JOIN (or the container root inside FROM)."""

    name: str
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Member:
    """`target.name` or `target["name"]`."""

    target: Expr
    name: str
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Index:
    """`target[expr]` with a computed index or key."""

    target: Expr
    index: Expr
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Unary:
    """`-x`, `+x`, `~x` or `NOT x`."""

    op: str
    operand: Expr
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Binary:
    """Any two-operand operator, including AND, OR, `??` and `||`."""

    op: str
    left: Expr
    right: Expr
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Ternary:
    """`condition ? then : otherwise`."""

    condition: Expr
    then: Expr
    otherwise: Expr
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class In:
    """`value [NOT] IN (items...)`."""

    value: Expr
    items: tuple[Expr, ...]
    negated: bool
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Between:
    """`value [NOT] BETWEEN low AND high`."""

    value: Expr
    low: Expr
    high: Expr
    negated: bool
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Like:
    """`value [NOT] LIKE pattern [ESCAPE escape]`."""

    value: Expr
    pattern: Expr
    escape: Expr | None
    negated: bool
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Call:
    """A built-in scalar function call; `name` is upper-cased."""

    name: str
    args: tuple[Expr, ...]
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Aggregate:
    """COUNT, SUM, AVG, MIN or MAX over the rows of a group."""

    name: str
    arg: Expr
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class ArrayLiteral:
    """`[a, b, ...]`."""

    items: tuple[Expr, ...]
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class ObjectLiteral:
    """`{"key": expr, ...}`."""

    pairs: tuple[tuple[str, Expr], ...]
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Subquery:
    """A subquery used as an expression: a scalar `(SELECT ...)`, `EXISTS(...)` or `ARRAY(...)`."""

    kind: TypingLiteral["scalar", "exists", "array"]
    query: Query
    position: int = field(default=-1, compare=False)


Expr = (
    Literal | Param | Ident | Member | Index | Unary | Binary | Ternary | In | Between | Like | Call
    | Aggregate | ArrayLiteral | ObjectLiteral | Subquery
)  # fmt: skip


@dataclass(frozen=True)
class SelectItem:
    """One projected expression with its optional `AS` alias."""

    expr: Expr
    alias: str | None


@dataclass(frozen=True)
class Select:
    """The SELECT clause: `*`, `VALUE expr` or a list of items, with DISTINCT and TOP."""

    distinct: bool
    top: Expr | None
    star: bool
    value: Expr | None
    items: tuple[SelectItem, ...]


@dataclass(frozen=True)
class CollectionSource:
    """`FROM c`, `FROM root.path alias`, or with `iterate` the `alias IN expr` form (also for JOIN)."""

    alias: str
    expr: Expr
    iterate: bool
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class SubquerySource:
    """`FROM (SELECT ...) AS alias` or `JOIN (SELECT ...) AS alias`."""

    alias: str
    query: Query
    position: int = field(default=-1, compare=False)


Source = CollectionSource | SubquerySource


@dataclass(frozen=True)
class OrderItem:
    """One ORDER BY key; `rank` marks `ORDER BY RANK <FullTextScore or RRF>`, `explicit` a written ASC or DESC."""

    expr: Expr
    descending: bool
    rank: bool = False
    explicit: bool = False


@dataclass(frozen=True)
class Query:
    """A whole SELECT statement."""

    select: Select
    source: Source | None
    joins: tuple[Source, ...]
    where: Expr | None
    group_by: tuple[Expr, ...]
    order_by: tuple[OrderItem, ...]
    offset: Expr | None
    limit: Expr | None
