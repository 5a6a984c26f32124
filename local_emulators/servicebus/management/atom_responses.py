"""Writing the ATOM entries, feeds and errors the SDK reads, in Azure's element names and order."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from local_emulators.servicebus.durations import format_duration
from local_emulators.servicebus.management.rules import CORRELATION_FIELDS, RuleSpec
from local_emulators.servicebus.management.schema import ENTITY, RUNTIME, TEXT, XML, Field, write_value

ATOM = "http://www.w3.org/2005/Atom"
SB = "http://schemas.microsoft.com/netservices/2010/10/servicebus/connect"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
COUNTS = "http://schemas.microsoft.com/netservices/2011/06/servicebus"
_COUNT_NAMES = (
    "ActiveMessageCount",
    "DeadLetterMessageCount",
    "ScheduledMessageCount",
    "TransferMessageCount",
    "TransferDeadLetterMessageCount",
)
_INT32_MAX = 2**31 - 1


def timestamp(ms: int) -> str:
    """An ISO 8601 UTC time with milliseconds, as Azure writes them."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _element(name: str, text: str) -> str:
    return f"<{name}>{escape(text)}</{name}>"


def description(
    element: str,
    fields: tuple[Field, ...],
    values: Mapping[str, Any],
    runtime: Mapping[str, Any],
    times: tuple[int, int],
    namespace_url: str,
) -> str:
    """A ``QueueDescription``/``TopicDescription``/``SubscriptionDescription`` element.

    Args:
        element: The element name.
        fields: The kind's field table, in Azure's order.
        values: Settable values by field name.
        runtime: Counts and sizes (``MessageCount``, ``ActiveMessageCount``, ``SizeInBytes``, ...).
        times: (created, updated) in ms since the epoch.
        namespace_url: ``sb://host[:port]`` to prefix forwarding targets with, as Azure returns them.
    """
    created, updated = times
    computed = {
        "CreatedAt": timestamp(created),
        "UpdatedAt": timestamp(updated),
        "AccessedAt": timestamp(updated),
        "IsAnonymousAccessible": "false",
        "SupportOrdering": "true",
        "EntityAvailabilityStatus": "Available",
    }
    parts = []
    for field in fields:
        if field.kind == RUNTIME:
            if field.name == "CountDetails":
                counts = "".join(f"<d2p1:{n}>{int(runtime.get(n, 0))}</d2p1:{n}>" for n in _COUNT_NAMES)
                parts.append(f'<CountDetails xmlns:d2p1="{COUNTS}">{counts}</CountDetails>')
            elif field.name in computed:
                parts.append(_element(field.name, computed[field.name]))
            else:
                parts.append(_element(field.name, str(int(runtime.get(field.name, 0)))))
            continue
        value = values.get(field.name)
        if field.kind == XML:
            parts.append(f"<{field.name}>{value or ''}</{field.name}>")
            continue
        if field.kind in (TEXT, ENTITY) and value is None:
            continue
        text = f"{namespace_url}/{value}" if field.kind == ENTITY else write_value(field, value)
        parts.append(_element(field.name, text))
    return f'<{element} xmlns="{SB}" xmlns:i="{XSI}">{"".join(parts)}</{element}>'


def rule_description(spec: RuleSpec) -> str:
    """A ``RuleDescription`` element."""
    rule_filter = spec.filter
    inner = []
    if rule_filter.kind == "CorrelationFilter":
        for name, _ in CORRELATION_FIELDS:
            if name in rule_filter.correlation:
                inner.append(_element(name, rule_filter.correlation[name]))
        inner.append(f"<Properties>{_key_values(rule_filter.properties)}</Properties>")
    else:
        inner.append(_element("SqlExpression", rule_filter.expression or ""))
        inner.append("<CompatibilityLevel>20</CompatibilityLevel>")
        if rule_filter.parameters:
            inner.append(f"<Parameters>{_key_values(rule_filter.parameters)}</Parameters>")
    filter_xml = f'<Filter i:type="{rule_filter.kind}">{"".join(inner)}</Filter>'
    if spec.action is None:
        action_xml = '<Action i:type="EmptyRuleAction"/>'
    else:
        parameters = f"<Parameters>{_key_values(spec.action.parameters)}</Parameters>" if spec.action.parameters else ""
        action_xml = (
            f'<Action i:type="SqlRuleAction">{_element("SqlExpression", spec.action.expression)}'
            f"<CompatibilityLevel>20</CompatibilityLevel>{parameters}</Action>"
        )
    tail = _element("CreatedAt", timestamp(spec.created_ms)) + _element("Name", spec.name)
    return f'<RuleDescription xmlns="{SB}" xmlns:i="{XSI}">{filter_xml}{action_xml}{tail}</RuleDescription>'


def _key_values(values: Mapping[str, Any]) -> str:
    pairs = []
    for key, value in values.items():
        xsd_type, text = typed_text(value)
        pairs.append(
            f"<KeyValueOfstringanyType>{_element('Key', key)}"
            f'<Value i:type="d6p1:{xsd_type}" xmlns:d6p1="{XSD}">{escape(text)}</Value></KeyValueOfstringanyType>'
        )
    return "".join(pairs)


def typed_text(value: Any) -> tuple[str, str]:
    """A parameter or property value as its XML schema type and text (the types the SDK writes)."""
    if isinstance(value, bool):
        return "boolean", "true" if value else "false"
    if isinstance(value, int):
        return ("int" if -_INT32_MAX - 1 <= value <= _INT32_MAX else "long"), str(value)
    if isinstance(value, float):
        return "double", repr(value)
    if isinstance(value, datetime):
        return "dateTime", value.isoformat()
    if isinstance(value, timedelta):
        return "duration", format_duration(value)
    return "string", str(value)


def entry(url: str, title: str, content: str, times: tuple[int, int], author: str | None = None) -> str:
    """One ATOM entry around a description (``url`` is the entity's address with the api-version)."""
    created, updated = times
    author_xml = f"<author><name>{escape(author)}</name></author>" if author else ""
    return (
        f'<entry xml:base={quoteattr(url)} xmlns="{ATOM}"><id>{escape(url)}</id>'
        f'<title type="text">{escape(title)}</title><published>{timestamp(created)}</published>'
        f"<updated>{timestamp(updated)}</updated>{author_xml}"
        f'<link rel="self" href={quoteattr(url)}/><content type="application/xml">{content}</content></entry>'
    )


def feed(url: str, title: str, entries: list[str], updated_ms: int, next_url: str | None = None) -> str:
    """An ATOM feed of entries; ``next_url`` links the next page when there is one."""
    next_link = f'<link rel="next" href={quoteattr(next_url)}/>' if next_url else ""
    return (
        f'<feed xmlns="{ATOM}"><title type="text">{escape(title)}</title><id>{escape(url)}</id>'
        f'<updated>{timestamp(updated_ms)}</updated><link rel="self" href={quoteattr(url)}/>{next_link}'
        f"{''.join(entries)}</feed>"
    )


def namespace_info(name: str, created_ms: int) -> str:
    """The ``NamespaceInfo`` element of ``GET /$namespaceinfo``."""
    return (
        f'<NamespaceInfo xmlns="{SB}" xmlns:i="{XSI}">{_element("CreatedTime", timestamp(created_ms))}'
        f"<MessagingSKU>Standard</MessagingSKU>{_element('ModifiedTime', timestamp(created_ms))}"
        f"{_element('Name', name)}<NamespaceType>Messaging</NamespaceType></NamespaceInfo>"
    )


def error(status: int, detail: str) -> str:
    """The error body Azure sends: ``<Error><Code>status</Code><Detail>...</Detail></Error>``."""
    return f"<Error><Code>{status}</Code>{_element('Detail', detail)}</Error>"
