"""Reading the ATOM entries the SDK PUTs: a queue, topic or subscription description, or a rule.

The SDK writes ``<entry><content type="application/xml"><QueueDescription>...``; elements are matched by
local name because clients differ in namespace prefixes (the Python SDK strips its ``ns1:``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from local_emulators.servicebus.durations import parse_duration
from local_emulators.servicebus.errors import ArgumentError
from local_emulators.servicebus.management.rules import (
    CORRELATION,
    CORRELATION_FIELDS,
    SQL,
    ActionSpec,
    FilterSpec,
    RuleSpec,
)

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
DESCRIPTIONS = {"QueueDescription": "queue", "TopicDescription": "topic", "SubscriptionDescription": "subscription"}
_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")
MAX_DEPTH = 32


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def read_description(body: bytes) -> ET.Element:
    """Return the description element inside the entry's content.

    Raises:
        ArgumentError: The body is not an ATOM entry with content (HTTP 400).
    """
    if any(marker in body.upper() for marker in _FORBIDDEN):
        raise ArgumentError("Document type declarations are not allowed in the request body.")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise ArgumentError(f"The request body is not valid XML: {error}.") from None
    _check_depth(root)
    content = next((child for child in root if local(child.tag) == "content"), None)
    description = next(iter(content), None) if content is not None else None
    if local(root.tag) != "entry" or description is None:
        raise ArgumentError("The request body must be an ATOM entry whose content holds a description.")
    return description


def _check_depth(root: ET.Element) -> None:
    # Descriptions nest a few levels; deeper input would only reach recursive code (serialisation) later.
    pending = [(root, 1)]
    while pending:
        element, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise ArgumentError(f"The request body nests elements deeper than {MAX_DEPTH} levels.")
        pending.extend((item, depth + 1) for item in element)


def leaf_values(element: ET.Element) -> dict[str, str]:
    """The element's simple children by local name; of nested ones only AuthorizationRules, as raw XML."""
    values = {local(child.tag): (child.text or "") for child in element if len(child) == 0}
    rules = child(element, "AuthorizationRules")
    if rules is not None:
        values["AuthorizationRules"] = "".join(ET.tostring(rule, encoding="unicode") for rule in rules)
    return values


def child(element: ET.Element, name: str) -> ET.Element | None:
    """The first child with this local name."""
    return next((c for c in element if local(c.tag) == name), None)


def read_rule(element: ET.Element, name: str) -> RuleSpec:
    """Build a rule from a ``RuleDescription`` element (the URL's rule name wins over the body's).

    Raises:
        ArgumentError: The filter or a parameter value is malformed.
    """
    filter_element = child(element, "Filter")
    if filter_element is None:
        rule_filter = FilterSpec("TrueFilter", "1=1")
    else:
        kind = _xsi_type(filter_element) or SQL
        values = leaf_values(filter_element)
        rule_filter = FilterSpec(kind, values.get("SqlExpression"))
        rule_filter.parameters = _key_values(child(filter_element, "Parameters"))
        if kind == CORRELATION:
            rule_filter.correlation = {n: values[n] for n, _ in CORRELATION_FIELDS if values.get(n)}
            rule_filter.properties = _key_values(child(filter_element, "Properties"))
    action = None
    action_element = child(element, "Action")
    if action_element is not None and _xsi_type(action_element) == "SqlRuleAction":
        text = leaf_values(action_element).get("SqlExpression", "")
        if text.strip():
            action = ActionSpec(text, _key_values(child(action_element, "Parameters")))
    return RuleSpec(name, rule_filter, action)


def _xsi_type(element: ET.Element) -> str | None:
    value = element.get(XSI_TYPE)
    return value.rsplit(":", 1)[-1] if value else None


def _key_values(element: ET.Element | None) -> dict[str, Any]:
    if element is None:
        return {}
    found: dict[str, Any] = {}
    for pair in element:
        key, value = child(pair, "Key"), child(pair, "Value")
        if key is None or value is None or not key.text:
            raise ArgumentError("Each KeyValueOfstringanyType needs a Key and a Value.")
        found[key.text] = typed_value(value.text or "", _xsi_type(value) or "string")
    return found


def typed_value(text: str, xsd_type: str) -> Any:
    """Convert an ``xsi:type``-tagged value as the SDK writes them (string, int, long, double, ...).

    Raises:
        ArgumentError: The text does not fit the type.
    """
    try:
        if xsd_type in ("int", "long", "short", "byte"):
            return int(text)
        if xsd_type in ("double", "float", "decimal"):
            return float(text)
        if xsd_type == "boolean":
            if text.lower() not in ("true", "false"):
                raise ValueError(text)
            return text.lower() == "true"
        if xsd_type == "dateTime":
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        if xsd_type == "duration":
            return parse_duration(text)
    except ValueError:
        raise ArgumentError(f"The value '{text}' is not a valid {xsd_type}.") from None
    return text
