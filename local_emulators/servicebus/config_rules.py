"""Subscription rules of the config file: `FilterType` Sql or Correlation, and an optional action."""

from __future__ import annotations

from local_emulators.servicebus.config_fields import Fields
from local_emulators.servicebus.config_models import RuleConfig, RuleFilter
from local_emulators.servicebus.config_source import ConfigError, Node, Position
from local_emulators.servicebus.filters import (
    CorrelationFilter,
    FilterSyntaxError,
    compile_sql_action,
    compile_sql_filter,
)

_RULE = {"Name": None, "Properties": None}
_RULE_PROPERTIES = {"FilterType": None, "SqlFilter": None, "CorrelationFilter": None, "Action": None}
_SQL = {"SqlExpression": None, "Parameters": None, "CompatibilityLevel": None, "RequiresPreprocessing": None}
_ACTION = {"SqlExpression": None, "CompatibilityLevel": None, "RequiresPreprocessing": None}
# Config name → CorrelationFilter attribute. `Subject` is accepted as the newer SDKs' name of `Label`.
_CORRELATION = {
    "ContentType": "content_type",
    "CorrelationId": "correlation_id",
    "Label": "label",
    "Subject": "label",
    "MessageId": "message_id",
    "ReplyTo": "reply_to",
    "ReplyToSessionId": "reply_to_session_id",
    "SessionId": "session_id",
    "To": "to",
    "Properties": None,
}
_FILTER_TYPES = {"sql": "Sql", "correlation": "Correlation"}


def read_rule(fields: Fields, node: Node, owner: str) -> RuleConfig:
    """Build one rule.

    Args:
        fields: The reader for this file.
        node: The rule object.
        owner: Describes the subscription, e.g. "subscription 'topic/sub'".

    Raises:
        ConfigError: For anything invalid, at its line.
    """
    rule = fields.members(node, f"a rule of {owner}", _RULE, required=("Name", "Properties"))
    name_node = rule["Name"].node
    if name_node.value != "$Default":
        fields.name(name_node, f"rule name in {owner}")
    name = fields.string(name_node, f"rule name in {owner}")
    what = f"rule {name!r} of {owner}"
    properties = fields.members(rule["Properties"].node, f"Properties of {what}", _RULE_PROPERTIES, ("FilterType",))
    type_node = properties["FilterType"].node
    filter_type = _FILTER_TYPES.get(fields.string(type_node, f"FilterType of {what}").lower())
    if filter_type is None:
        raise fields.fail(type_node, f"FilterType of {what} must be 'Sql' or 'Correlation', not {type_node.value!r}")
    wanted, unwanted = ("SqlFilter", "CorrelationFilter")[:: 1 if filter_type == "Sql" else -1]
    if unwanted in properties:
        raise fields.fail(properties[unwanted], f"{what} has FilterType {filter_type} but also a {unwanted}")
    if wanted not in properties:
        raise fields.fail(properties["FilterType"], f"{what} has FilterType {filter_type} but no {wanted}")
    if filter_type == "Sql":
        rule_filter: RuleFilter = _sql_filter(fields, properties["SqlFilter"].node, what)
    else:
        rule_filter = _correlation_filter(fields, properties["CorrelationFilter"].node, what)
    if "Action" not in properties:
        return RuleConfig(name=name, filter=rule_filter)
    action_fields = fields.members(properties["Action"].node, f"Action of {what}", _ACTION, ("SqlExpression",))
    action_node = action_fields["SqlExpression"].node
    action_text = fields.string(action_node, f"Action SqlExpression of {what}")
    if not action_text.strip():
        return RuleConfig(name=name, filter=rule_filter)
    try:
        action = compile_sql_action(action_text)
    except FilterSyntaxError as error:
        raise _syntax_error(fields, action_node, error, f"Action SqlExpression of {what}") from None
    return RuleConfig(name=name, filter=rule_filter, action_sql=action_text, action=action)


def _sql_filter(fields: Fields, node: Node, what: str) -> RuleFilter:
    members = fields.members(node, f"SqlFilter of {what}", _SQL, required=("SqlExpression",))
    expression_node = members["SqlExpression"].node
    expression = fields.string(expression_node, f"SqlExpression of {what}")
    parameters = {}
    if "Parameters" in members:
        listed = fields.mapping(members["Parameters"].node, f"Parameters of {what}")
        parameters = {key: fields.scalar(member.node, f"parameter {key!r} of {what}") for key, member in listed.items()}
    try:
        return compile_sql_filter(expression, parameters)
    except FilterSyntaxError as error:
        raise _syntax_error(fields, expression_node, error, f"SqlExpression of {what}") from None


def _syntax_error(fields: Fields, node: Node, error: FilterSyntaxError, what: str) -> ConfigError:
    where = node.position
    # The column inside the file is exact when the JSON string has no escape sequences.
    column = where.column + 1 + error.position if node.raw == error.expression else where.column
    reason = f"{what} does not parse: {error} in {error.expression!r}"
    return fields.fail(Position(where.line, column), reason)


def _correlation_filter(fields: Fields, node: Node, what: str) -> CorrelationFilter:
    members = fields.members(node, f"CorrelationFilter of {what}", _CORRELATION)
    values: dict[str, str] = {}
    for key, member in members.items():
        attribute = _CORRELATION[key]
        if attribute is None:
            continue
        if attribute in values:
            raise fields.fail(member, f"CorrelationFilter of {what} sets both Label and Subject")
        # Microsoft's sample writes "" for conditions it does not use.
        if text := fields.string(member.node, f"CorrelationFilter {key} of {what}"):
            values[attribute] = text
    properties = {}
    if "Properties" in members:
        listed = fields.mapping(members["Properties"].node, f"CorrelationFilter Properties of {what}")
        properties = {
            key: fields.scalar(m.node, f"correlation property {key!r} of {what}") for key, m in listed.items()
        }
    correlation = CorrelationFilter(properties=properties, **values)
    if correlation.is_empty():
        raise fields.fail(node, f"CorrelationFilter of {what} sets no condition")
    return correlation
