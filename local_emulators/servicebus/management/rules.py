"""Subscription rules as the management API describes them, and their compiled form for the broker."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from local_emulators.servicebus.broker.topic import Rule, RuleFilter
from local_emulators.servicebus.config_models import RuleConfig
from local_emulators.servicebus.durations import format_duration
from local_emulators.servicebus.errors import ArgumentError
from local_emulators.servicebus.filters import (
    CorrelationFilter,
    FalseFilter,
    FilterError,
    SqlFilter,
    TrueFilter,
    compile_sql_action,
    compile_sql_filter,
)

SQL, CORRELATION, TRUE, FALSE = "SqlFilter", "CorrelationFilter", "TrueFilter", "FalseFilter"
DEFAULT_RULE = "$Default"
# XML element of a correlation condition → CorrelationFilter attribute, in the order Azure writes them.
CORRELATION_FIELDS = (
    ("CorrelationId", "correlation_id"),
    ("MessageId", "message_id"),
    ("To", "to"),
    ("ReplyTo", "reply_to"),
    ("Label", "label"),
    ("SessionId", "session_id"),
    ("ReplyToSessionId", "reply_to_session_id"),
    ("ContentType", "content_type"),
)
_CONSTANT_SQL = {TRUE: "1=1", FALSE: "1=0"}


@dataclass
class FilterSpec:
    """A rule's filter as described.

    Attributes:
        kind: `SqlFilter`, `CorrelationFilter`, `TrueFilter` or `FalseFilter`.
        expression: The SQL text (SQL, true and false filters).
        parameters: Values of the SQL expression's ``@name`` placeholders.
        correlation: Correlation conditions by XML element name (``CorrelationId``, ``Label``, ...).
        properties: Correlation conditions on application properties.
    """

    kind: str
    expression: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    correlation: dict[str, str] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass
class ActionSpec:
    """A rule's SQL action: the text and its parameters."""

    expression: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass
class RuleSpec:
    """A named rule: a filter and an optional action.

    Attributes:
        name: The rule's name, unique within its subscription.
        filter: What a message must match.
        action: What the rule does to the subscription's copy, or None.
        created_ms: When it was created (ms since the epoch).
    """

    name: str
    filter: FilterSpec
    action: ActionSpec | None = None
    created_ms: int = 0


def default_rule(now_ms: int) -> RuleSpec:
    """The rule a subscription gets when none is given: `$Default` with a true filter."""
    return RuleSpec(DEFAULT_RULE, FilterSpec(TRUE, _CONSTANT_SQL[TRUE]), None, now_ms)


def compile_rule(spec: RuleSpec) -> Rule:
    """Build the broker's (filter, action) pair.

    Raises:
        ArgumentError: The SQL does not parse or the correlation filter tests nothing (HTTP 400).
    """
    try:
        action = compile_sql_action(spec.action.expression, _plain(spec.action.parameters)) if spec.action else None
        return _compile_filter(spec.filter), action
    except FilterError as error:
        raise ArgumentError(f"The rule '{spec.name}' is not valid: {error}") from None


def _plain(parameters: dict[str, Any]) -> dict[str, Any]:
    # The filter engine knows strings, numbers and booleans; dateTime and duration parameters act as their
    # ISO 8601 text (the description keeps their types).
    plain: dict[str, Any] = {}
    for name, value in parameters.items():
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, timedelta):
            value = format_duration(value)
        plain[name] = value
    return plain


def _compile_filter(spec: FilterSpec) -> RuleFilter:
    if spec.kind == TRUE:
        return TrueFilter()
    if spec.kind == FALSE:
        return FalseFilter()
    if spec.kind == SQL:
        if not (spec.expression or "").strip():
            raise ArgumentError("A SqlFilter needs a SqlExpression.")
        return compile_sql_filter(spec.expression or "", _plain(spec.parameters))
    if spec.kind == CORRELATION:
        values = {
            attribute: spec.correlation[name] for name, attribute in CORRELATION_FIELDS if name in spec.correlation
        }
        correlation = CorrelationFilter(properties=dict(spec.properties), **values)
        if correlation.is_empty():
            raise ArgumentError("A CorrelationFilter must set at least one condition.")
        return correlation
    raise ArgumentError(f"The filter type '{spec.kind}' is not supported.")


def rule_from_config(rule: RuleConfig, now_ms: int) -> RuleSpec:
    """Describe a rule that came from the configuration file."""
    described = _describe_filter(rule.filter)
    action = ActionSpec(rule.action_sql) if rule.action_sql else None
    return RuleSpec(rule.name, described, action, now_ms)


def _describe_filter(rule_filter: object) -> FilterSpec:
    if isinstance(rule_filter, SqlFilter):
        return FilterSpec(SQL, rule_filter.expression)
    if isinstance(rule_filter, CorrelationFilter):
        conditions = {
            name: str(getattr(rule_filter, attribute))
            for name, attribute in CORRELATION_FIELDS
            if getattr(rule_filter, attribute) is not None
        }
        return FilterSpec(CORRELATION, correlation=conditions, properties=dict(rule_filter.properties))
    if isinstance(rule_filter, FalseFilter):
        return FilterSpec(FALSE, _CONSTANT_SQL[FALSE])
    return FilterSpec(TRUE, _CONSTANT_SQL[TRUE])
