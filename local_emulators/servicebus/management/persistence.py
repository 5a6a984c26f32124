"""Entities created, changed or deleted through the management API, kept in the data directory.

With ``--data-dir`` the broker's messages survive a restart; so must the queues they are in. The catalog's
whole state is written (atomically) to ``servicebus-entities.json`` after each change and applied on top of
the configuration file at the next start, before the stored messages are put back. Delete the file to
start again from the configuration alone.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from local_emulators.servicebus.broker.queue import Queue
from local_emulators.servicebus.broker.topic import Subscription
from local_emulators.servicebus.durations import format_duration, parse_duration
from local_emulators.servicebus.errors import StoreError
from local_emulators.servicebus.management import broker_entities as live
from local_emulators.servicebus.management.atom_requests import typed_value
from local_emulators.servicebus.management.atom_responses import typed_text
from local_emulators.servicebus.management.catalog import Catalog, EntityRecord
from local_emulators.servicebus.management.rules import ActionSpec, FilterSpec, RuleSpec, compile_rule
from local_emulators.servicebus.management.schema import DURATION, FIELDS, RUNTIME, defaults

ENTITIES_FILE = "servicebus-entities.json"
Json = dict[str, Any]


def _typed(values: dict[str, Any]) -> list[list[str]]:
    return [[key, *typed_text(value)] for key, value in values.items()]


def _untyped(rows: list[list[str]]) -> dict[str, Any]:
    return {key: typed_value(text, xsd_type) for key, xsd_type, text in rows}


def encode_fields(kind: str, fields: dict[str, Any]) -> Json:
    """A description's settable fields as JSON (durations as ISO 8601, "never" as null)."""
    out: Json = {}
    for spec in FIELDS[kind]:
        if spec.kind == RUNTIME:
            continue
        value = fields.get(spec.name)
        out[spec.name] = format_duration(value) if isinstance(value, timedelta) else value
    return out


def decode_fields(kind: str, saved: Json) -> dict[str, Any]:
    """The inverse of `encode_fields`."""
    out: dict[str, Any] = {}
    for spec in FIELDS[kind]:
        if spec.kind == RUNTIME or spec.name not in saved:
            continue
        value = saved[spec.name]
        out[spec.name] = parse_duration(value) if spec.kind == DURATION and isinstance(value, str) else value
    return out


def encode_rule(rule: RuleSpec) -> Json:
    """A rule as JSON, its parameter and property values with their XML schema types."""
    action = None
    if rule.action is not None:
        action = {"expression": rule.action.expression, "parameters": _typed(rule.action.parameters)}
    rule_filter = rule.filter
    return {
        "name": rule.name,
        "created_ms": rule.created_ms,
        "filter": {
            "kind": rule_filter.kind,
            "expression": rule_filter.expression,
            "parameters": _typed(rule_filter.parameters),
            "correlation": rule_filter.correlation,
            "properties": _typed(rule_filter.properties),
        },
        "action": action,
    }


def decode_rule(saved: Json) -> RuleSpec:
    """The inverse of `encode_rule`."""
    f = saved["filter"]
    rule_filter = FilterSpec(
        f["kind"], f.get("expression"), _untyped(f["parameters"]), dict(f["correlation"]), _untyped(f["properties"])
    )
    action = saved.get("action")
    spec_action = ActionSpec(action["expression"], _untyped(action["parameters"])) if action else None
    return RuleSpec(saved["name"], rule_filter, spec_action, int(saved["created_ms"]))


def write(path: Path, state: Json) -> None:
    """Replace the saved state atomically (a crash leaves the old file or the new one).

    Raises:
        StoreError: The file cannot be written.
    """
    temporary = path.with_suffix(".tmp")
    try:
        temporary.write_text(json.dumps(state, indent=1))
        os.replace(temporary, path)
    except OSError as error:
        raise StoreError(f"cannot save the entities to {path}: {error}") from error


def read(path: Path) -> Json | None:
    """The saved state, or None when there is none.

    Raises:
        StoreError: The file exists but cannot be read.
    """
    if not path.exists():
        return None
    try:
        state: Json = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise StoreError(f"cannot read the saved entities in {path}: {error}") from error
    return state


def _key(kind: str, name: str, topic: str | None) -> str:
    return name.lower() if kind != "subscription" else f"{topic}/subscriptions/{name}".lower()


def install(catalog: Catalog, record: EntityRecord) -> None:
    """Put a saved entity in place, creating it or replacing its properties and rules (no checks)."""
    key = _key(record.kind, record.name, record.topic)
    broker = catalog.broker
    props = live.properties_from(record.fields)
    compiled = [compile_rule(spec) for spec in record.rules.values()]
    if key not in catalog.records:
        if record.kind == "queue":
            broker.add_queue(record.name, props)
        elif record.kind == "topic":
            broker.add_topic(record.name, props)
        else:
            broker.add_subscription(catalog.topic(record.topic or ""), record.name, props, compiled)
    entity = broker.entity(record.name if record.topic is None else f"{record.topic}/Subscriptions/{record.name}")
    if isinstance(entity, Queue):
        live.set_properties(entity, props)
    else:
        entity.props = props
    if isinstance(entity, Subscription):
        entity.rules = compiled
    catalog.records[key] = record


class SavedEntities:
    """Keeps the entities the management API touched in ``<data-dir>/servicebus-entities.json``.

    Args:
        catalog: The catalog to restore into and listen to.
        path: The file.
    """

    def __init__(self, catalog: Catalog, path: Path) -> None:
        self.catalog = catalog
        self.path = path
        self.managed: set[str] = set()
        self.deleted: set[str] = set()

    def restore(self) -> int:
        """Apply the saved state (before the broker's messages are restored); return how many entities.

        Raises:
            StoreError: The file cannot be read or does not describe valid entities.
        """
        state = read(self.path)
        if state is not None:
            try:
                self._apply(state)
            except (KeyError, TypeError, ValueError) as error:
                raise StoreError(f"the saved entities in {self.path} are not valid: {error!r}") from error
        self.catalog.changed = self._changed
        return len(self.managed)

    def _apply(self, state: Json) -> None:
        for key in state.get("deleted", []):
            record = self.catalog.records.get(key)
            if record is not None and record.topic is None:
                self.catalog.delete_entity(record.name)
            elif record is not None:
                self.catalog.delete_subscription(record.topic or "", record.name)
            self.deleted.add(key)
        order = {"queue": 0, "topic": 0, "subscription": 1}
        for item in sorted(state.get("entities", []), key=lambda entity: order[entity["kind"]]):
            kind = item["kind"]
            fields = defaults(kind) | decode_fields(kind, item["fields"])
            rules = {rule["name"].lower(): decode_rule(rule) for rule in item.get("rules", [])}
            record = EntityRecord(
                kind, item["name"], item.get("topic"), fields, int(item["created_ms"]), int(item["updated_ms"]), rules
            )
            install(self.catalog, record)
            self.managed.add(_key(kind, record.name, record.topic))

    def _changed(self, key: str, gone: bool) -> None:
        if gone:
            self.managed.discard(key)
            self.deleted.add(key)
            prefix = key + "/subscriptions/"
            self.managed = {k for k in self.managed if not k.startswith(prefix)}
        else:
            self.managed.add(key)
            self.deleted.discard(key)
        records = [self.catalog.records[k] for k in sorted(self.managed) if k in self.catalog.records]
        entities = [
            {
                "kind": r.kind,
                "name": r.name,
                "topic": r.topic,
                "created_ms": r.created_ms,
                "updated_ms": r.updated_ms,
                "fields": encode_fields(r.kind, r.fields),
                "rules": [encode_rule(spec) for spec in r.rules.values()],
            }
            for r in records
        ]
        write(self.path, {"version": 1, "entities": entities, "deleted": sorted(self.deleted)})
