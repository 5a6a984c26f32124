r"""Query text from a syntax tree, printed the way Azure's query plans print rewritten queries.

The gateway's plans (and the .NET SDK's `SqlObject` printer they come from) put every clause on its own
line, wrap each binary operation in parentheses, print `FROM root AS r` for an aliased container, and
quote object keys: `SELECT VALUE [{"item": COUNT(1)}]\\nFROM c\\nWHERE (c.n > 1)`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from local_emulators.cosmos.query import ast
from local_emulators.cosmos.query.lexer import KEYWORDS
from local_emulators.cosmos.query.values import UNDEFINED

_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def literal(value: Any) -> str:
    """A constant as query text."""
    if value is UNDEFINED:
        return "undefined"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def expression(node: ast.Expr) -> str:
    """An expression as query text."""
    if isinstance(node, ast.Literal):
        return literal(node.value)
    if isinstance(node, ast.Param):
        return node.name
    if isinstance(node, ast.Ident):
        return node.name
    if isinstance(node, ast.Member):
        target = expression(node.target)
        plain = _IDENTIFIER.match(node.name) and node.name.upper() not in KEYWORDS
        return f"{target}.{node.name}" if plain else f"{target}[{json.dumps(node.name)}]"
    if isinstance(node, ast.Index):
        return f"{expression(node.target)}[{expression(node.index)}]"
    if isinstance(node, ast.Unary):
        separator = " " if node.op == "NOT" else ""
        return f"({node.op}{separator}{expression(node.operand)})"
    if isinstance(node, ast.Binary):
        return f"({expression(node.left)} {node.op} {expression(node.right)})"
    if isinstance(node, ast.Ternary):
        return f"({expression(node.condition)} ? {expression(node.then)} : {expression(node.otherwise)})"
    if isinstance(node, ast.In):
        items = ", ".join(expression(item) for item in node.items)
        return f"({expression(node.value)} {'NOT IN' if node.negated else 'IN'} ({items}))"
    if isinstance(node, ast.Between):
        word = "NOT BETWEEN" if node.negated else "BETWEEN"
        return f"({expression(node.value)} {word} {expression(node.low)} AND {expression(node.high)})"
    if isinstance(node, ast.Like):
        escape = f" ESCAPE {expression(node.escape)}" if node.escape is not None else ""
        return f"({expression(node.value)} {'NOT LIKE' if node.negated else 'LIKE'} {expression(node.pattern)}{escape})"
    if isinstance(node, ast.Call | ast.Aggregate):
        args = node.args if isinstance(node, ast.Call) else (node.arg,)
        return f"{node.name}({', '.join(expression(arg) for arg in args)})"
    if isinstance(node, ast.ArrayLiteral):
        return f"[{', '.join(expression(item) for item in node.items)}]"
    if isinstance(node, ast.ObjectLiteral):
        return "{" + ", ".join(f"{json.dumps(key)}: {expression(value)}" for key, value in node.pairs) + "}"
    if isinstance(node, ast.Subquery):
        inner = query(node.query)
        return f"({inner})" if node.kind == "scalar" else f"{node.kind.upper()}({inner})"
    raise TypeError(f"cannot print {type(node).__name__}")


def source(node: ast.Source) -> str:
    """A FROM or JOIN source as query text."""
    if isinstance(node, ast.SubquerySource):
        return f"({query(node.query)}) AS {node.alias}"
    if node.iterate:
        return f"{node.alias} IN {expression(node.expr)}"
    printed = expression(node.expr)
    return printed if printed == node.alias else f"{printed} AS {node.alias}"


def select_clause(select: ast.Select) -> str:
    """The SELECT clause, without a trailing newline."""
    words = ["SELECT"]
    if select.distinct:
        words.append("DISTINCT")
    if select.top is not None:
        words.append(f"TOP {expression(select.top)}")
    if select.star:
        words.append("*")
    elif select.value is not None:
        words.append(f"VALUE {expression(select.value)}")
    else:
        items = [expression(item.expr) + (f" AS {item.alias}" if item.alias else "") for item in select.items]
        words.append(", ".join(items))
    return " ".join(words)


def from_clause(node: ast.Query) -> str | None:
    """The FROM clause with its JOINs, or None when the query has none."""
    if node.source is None:
        return None
    return f"FROM {source(node.source)}" + "".join(f" JOIN {source(join)}" for join in node.joins)


def order_by_clause(node: ast.Query) -> str | None:
    """The ORDER BY clause, or None when the query has none."""
    if not node.order_by:
        return None
    if node.order_by[0].rank:
        return f"ORDER BY RANK {expression(node.order_by[0].expr)}"
    keys = [expression(item.expr) + (" DESC" if item.descending else "") for item in node.order_by]
    return f"ORDER BY {', '.join(keys)}"


def query(node: ast.Query) -> str:
    """A whole query as query text, one clause per line."""
    lines = [select_clause(node.select)]
    if (from_line := from_clause(node)) is not None:
        lines.append(from_line)
    if node.where is not None:
        lines.append(f"WHERE {expression(node.where)}")
    if node.group_by:
        lines.append(f"GROUP BY {', '.join(expression(key) for key in node.group_by)}")
    if (order_line := order_by_clause(node)) is not None:
        lines.append(order_line)
    if node.offset is not None and node.limit is not None:
        lines.append(f"OFFSET {expression(node.offset)} LIMIT {expression(node.limit)}")
    return "\n".join(lines)
