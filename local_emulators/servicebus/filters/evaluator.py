"""Evaluate a SQL filter tree against a message under three-valued logic (None is UNKNOWN)."""

from __future__ import annotations

import uuid
from typing import Any

from local_emulators.servicebus.filters import syntax_tree as st
from local_emulators.servicebus.filters import values
from local_emulators.servicebus.filters.message_view import MessageView, canonical_system_property


def evaluate_predicate(node: st.Predicate, view: MessageView) -> bool | None:
    """Return TRUE, FALSE, or None for UNKNOWN.

    Args:
        node: A predicate node.
        view: The message.
    """
    match node:
        case st.Comparison(operator=op, left=left, right=right):
            return values.compare(op, evaluate_value(left, view), evaluate_value(right, view))
        case st.Logical(operator="AND", left=left, right=right):
            first = evaluate_predicate(left, view)
            if first is False:
                return False
            second = evaluate_predicate(right, view)
            if second is False:
                return False
            return True if first and second else None
        case st.Logical(left=left, right=right):
            first = evaluate_predicate(left, view)
            if first is True:
                return True
            second = evaluate_predicate(right, view)
            if second is True:
                return True
            return False if first is False and second is False else None
        case st.Not(operand=operand):
            result = evaluate_predicate(operand, view)
            return None if result is None else not result
        case st.In(operand=operand, items=items, negated=negated):
            return _flip(_in(evaluate_value(operand, view), items, view), negated)
        case st.Like(operand=operand, pattern=pattern, escape=escape, negated=negated):
            escape_value = evaluate_value(escape, view) if escape is not None else None
            if escape is not None and escape_value is None:
                return None
            matched = values.like(evaluate_value(operand, view), evaluate_value(pattern, view), escape_value)
            return _flip(matched, negated)
        case st.IsNull(operand=operand, negated=negated):
            return (evaluate_value(operand, view) is None) != negated
        case st.Exists(operand=operand):
            if operand.scope == "sys":
                return view.system_value(operand.name) is not None
            return view.has_application(operand.name)
        case st.Constant(value=value):
            return value if isinstance(value, bool) else None
    raise TypeError(f"not a predicate: {node!r}")


def evaluate_value(node: st.Expression, view: MessageView) -> Any:
    """Return an expression's value, None for NULL or UNKNOWN.

    Args:
        node: An expression node.
        view: The message.
    """
    match node:
        case st.Constant(value=value):
            return value
        case st.Property(scope="sys", name=name):
            return values.normalize(view.system_value(name))
        case st.Property(name=name):
            return values.normalize(view.application_value(name))
        case st.Arithmetic(operator=op, left=left, right=right):
            return values.arithmetic(op, evaluate_value(left, view), evaluate_value(right, view))
        case st.Unary(operator="-", operand=operand):
            return values.negate(evaluate_value(operand, view))
        case st.Unary(operand=operand):
            result = evaluate_value(operand, view)
            return result if values.is_number(result) else None
        case st.Function(name="newid"):
            return str(uuid.uuid4())
        case st.Function(argument=argument) if argument is not None:
            return _dynamic_property(evaluate_value(argument, view), view)
    raise TypeError(f"not an expression: {node!r}")


def _dynamic_property(name: Any, view: MessageView) -> Any:
    # property('sys.Label') reads a system property; any other name is an application property.
    if not isinstance(name, str):
        return None
    scope, dot, rest = name.partition(".")
    if dot and scope.lower() == "sys":
        canonical = canonical_system_property(rest)
        return values.normalize(view.system_value(canonical)) if canonical else None
    if dot and scope.lower() == "user":
        name = rest
    return values.normalize(view.application_value(name))


def _in(value: Any, items: tuple[st.Expression, ...], view: MessageView) -> bool | None:
    if value is None:
        return None
    return any(values.compare("=", value, evaluate_value(item, view)) for item in items)


def _flip(result: bool | None, negated: bool) -> bool | None:
    if result is None:
        return None
    return result != negated
