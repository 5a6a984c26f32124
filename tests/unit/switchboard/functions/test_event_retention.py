"""The `run-events` topic cannot fill: its `monitor` subscription drops events after an hour, in Azure and locally."""

from __future__ import annotations

import json

from switchboard.cli.infra_command import servicebus_emulator_config
from switchboard.functions.entities import build_entities
from tests.support.processes import REPO_ROOT


def test_the_monitor_subscription_expires_events_without_dead_lettering_them() -> None:
    (topic,) = build_entities(["writer"]).service_bus.topics
    (monitor,) = topic.subscriptions
    assert monitor.name == "monitor"
    assert monitor.properties.default_message_time_to_live == "PT1H"
    assert monitor.properties.dead_lettering_on_message_expiration is False
    assert topic.properties.default_message_time_to_live == "P1D"


def test_the_committed_entity_list_the_bicep_deploys_carries_the_same_limits() -> None:
    entities = json.loads((REPO_ROOT / "infra" / "entities.json").read_text())
    (topic,) = entities["serviceBus"]["topics"]
    (monitor,) = topic["subscriptions"]
    assert monitor["properties"]["defaultMessageTimeToLive"] == "PT1H"
    assert monitor["properties"]["deadLetteringOnMessageExpiration"] is False
    assert topic["properties"]["defaultMessageTimeToLive"] == "P1D"


def test_the_local_emulator_config_keeps_an_hour_and_no_dead_lettering() -> None:
    config = servicebus_emulator_config(build_entities(["writer"]))
    (topic,) = config["UserConfig"]["Namespaces"][0]["Topics"]
    (monitor,) = topic["Subscriptions"]
    assert monitor["Properties"]["DefaultMessageTimeToLive"] == "PT1H"
    assert monitor["Properties"]["DeadLetteringOnMessageExpiration"] is False
