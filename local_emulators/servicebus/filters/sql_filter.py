"""Rule filters a subscription evaluates: SQL, always-true and always-false."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from local_emulators.servicebus.filters import syntax_tree as st
from local_emulators.servicebus.filters.errors import FilterSyntaxError
from local_emulators.servicebus.filters.evaluator import evaluate_predicate
from local_emulators.servicebus.filters.message_view import MessageView
from local_emulators.servicebus.filters.parser import parse
from local_emulators.servicebus.filters.values import like_regex


class SqlFilter:
    """A compiled SQL filter expression.

    Build one with `compile_sql_filter`. Two filters are equal when their expression text is.
    """

    __slots__ = ("_root", "_text")

    def __init__(self, text: str, root: st.Predicate) -> None:
        self._text = text
        self._root = root

    @property
    def expression(self) -> str:
        """The expression text as written."""
        return self._text

    @property
    def root(self) -> st.Predicate:
        """The parsed predicate tree."""
        return self._root

    def matches(self, view: MessageView) -> bool:
        """Tell whether the message satisfies the expression (UNKNOWN does not match)."""
        return evaluate_predicate(self._root, view) is True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SqlFilter) and other._text == self._text

    def __hash__(self) -> int:
        return hash(("SqlFilter", self._text))

    def __repr__(self) -> str:
        return f"SqlFilter({self._text!r})"


@dataclass(frozen=True)
class TrueFilter:
    """Matches every message (`1=1`); the `$Default` rule's filter."""

    def matches(self, view: MessageView) -> bool:
        """Always True."""
        return True


@dataclass(frozen=True)
class FalseFilter:
    """Matches no message (`1=0`)."""

    def matches(self, view: MessageView) -> bool:
        """Always False."""
        return False


def compile_sql_filter(text: str, parameters: Mapping[str, Any] | None = None) -> SqlFilter:
    """Parse and check a SQL filter expression.

    Args:
        text: The expression, e.g. `sys.Label = 'urgent' AND priority > 3`.
        parameters: Values for `@name` placeholders, as SqlRuleFilter.Parameters carries them.

    Returns:
        The compiled filter.

    Raises:
        FilterSyntaxError: With the position of the problem.
    """
    root = parse(text, parameters)
    _check_constant_like_operands(root, text)
    return SqlFilter(text, root)


def _check_constant_like_operands(node: st.Node, text: str) -> None:
    # A constant pattern or escape can be checked once, here, instead of silently never matching.
    if isinstance(node, st.Like):
        escape: str | None = None
        if isinstance(node.escape, st.Constant):
            if not isinstance(node.escape.value, str) or len(node.escape.value) != 1:
                raise FilterSyntaxError("ESCAPE needs a string of exactly one character", text, node.escape.position)
            escape = node.escape.value
        if isinstance(node.pattern, st.Constant):
            if not isinstance(node.pattern.value, str):
                raise FilterSyntaxError("the LIKE pattern must be a string", text, node.pattern.position)
            if (node.escape is None or escape is not None) and like_regex(node.pattern.value, escape) is None:
                raise FilterSyntaxError("the LIKE pattern ends with its escape character", text, node.pattern.position)
    for child in _children(node):
        _check_constant_like_operands(child, text)


def _children(node: st.Node) -> tuple[st.Node, ...]:
    match node:
        case st.Logical(left=left, right=right) | st.Comparison(left=left, right=right):
            return (left, right)
        case st.Arithmetic(left=left, right=right):
            return (left, right)
        case st.Not(operand=operand) | st.Unary(operand=operand) | st.IsNull(operand=operand):
            return (operand,)
        case st.In(operand=operand, items=items):
            return (operand, *items)
        case st.Like(operand=operand, pattern=pattern, escape=escape):
            return (operand, pattern) if escape is None else (operand, pattern, escape)
    return ()
