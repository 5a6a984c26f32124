"""Read the deployment's entity list (`infra/entities.json`) and turn it into what each emulator needs.

The file is written by `switchboard infra entities` from the agent registry; the emulators read the JSON only
(they never import the product). Service Bus gets Microsoft's emulator Config.json (ARM property names become
PascalCase, time-to-live capped at the emulator's one hour); Cosmos gets its database and containers created
through the SDK once the emulator is up (`provision.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_emulators.up_errors import EntitiesFileError

EMULATOR_NAMESPACE = "sbemulatorns"
EMULATOR_MAX_TTL = "PT1H"
"""Microsoft's Service Bus emulator refuses a longer DefaultMessageTimeToLive."""


@dataclass(frozen=True)
class CosmosContainer:
    """A container to create and its partition key path."""

    name: str
    partition_key: str


@dataclass(frozen=True)
class EntityFile:
    """The entity list as the emulators need it.

    Attributes:
        queues: `{"name", "properties"}` per queue (ARM property names).
        topics: `{"name", "properties", "subscriptions": [{"name", "properties"}]}` per topic.
        cosmos_database: The Cosmos database to create.
        cosmos_containers: Its containers.
    """

    queues: tuple[dict[str, Any], ...]
    topics: tuple[dict[str, Any], ...]
    cosmos_database: str
    cosmos_containers: tuple[CosmosContainer, ...]

    def entity_names(self) -> list[str]:
        """Every queue, and every topic/subscription pair, for messages to the user."""
        names = [q["name"] for q in self.queues]
        names += [f"{t['name']}/{s['name']}" for t in self.topics for s in t.get("subscriptions", [])]
        return names


def load_entities(path: Path) -> EntityFile:
    """Read and check the entity list at `path`.

    Raises:
        EntitiesFileError: The file is unreadable or lacks a part the emulators need.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        bus, cosmos = data["serviceBus"], data["cosmos"]
        queues = tuple(_named(q) for q in bus["queues"])
        topics = tuple(_named(t) for t in bus.get("topics", []))
        for topic in topics:
            for subscription in topic.get("subscriptions", []):
                _named(subscription)
        containers = tuple(CosmosContainer(str(c["name"]), str(c["partitionKey"])) for c in cosmos["containers"])
        return EntityFile(queues, topics, str(cosmos["database"]), containers)
    except OSError as error:
        raise EntitiesFileError(f"cannot read the entity list {path}: {error.strerror or error}") from error
    except (ValueError, KeyError, TypeError) as error:
        raise EntitiesFileError(
            f"{path} is not an entity list as 'switchboard infra entities' writes it ({type(error).__name__}: {error})"
        ) from error


def _named(entity: Any) -> dict[str, Any]:
    if not isinstance(entity, dict) or not isinstance(entity.get("name"), str):
        raise ValueError(f"an entity without a name: {entity!r}")
    if not isinstance(entity.get("properties", {}), dict):
        raise ValueError(f"{entity['name']}: properties must be an object")
    return entity


def servicebus_emulator_config(entities: EntityFile) -> dict[str, Any]:
    """The queues, topics and subscriptions as Microsoft's Service Bus emulator Config.json."""
    queues = [{"Name": q["name"], "Properties": _emulator_properties(q.get("properties", {}))} for q in entities.queues]
    topics = [
        {
            "Name": t["name"],
            "Properties": _emulator_properties(t.get("properties", {})),
            "Subscriptions": [
                {"Name": s["name"], "Properties": _emulator_properties(s.get("properties", {}))}
                for s in t.get("subscriptions", [])
            ],
        }
        for t in entities.topics
    ]
    namespace = {"Name": EMULATOR_NAMESPACE, "Queues": queues, "Topics": topics}
    return {"UserConfig": {"Namespaces": [namespace], "Logging": {"Type": "File"}}}


def _emulator_properties(properties: dict[str, Any]) -> dict[str, Any]:
    converted = {name[:1].upper() + name[1:]: value for name, value in properties.items()}
    converted["DefaultMessageTimeToLive"] = EMULATOR_MAX_TTL
    return converted


def write_servicebus_config(entities: EntityFile, path: Path) -> Path:
    """Write the emulator Config.json for `entities` to `path` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(servicebus_emulator_config(entities), indent=2) + "\n", encoding="utf-8")
    return path
