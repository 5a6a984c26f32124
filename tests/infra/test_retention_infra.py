"""The Bicep of stranded runs and retention: the runs container's TTL and the sweeper's settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.infra.bicep_checks.resources import instances
from tests.infra.bicep_checks.syntax import Infra

REPO = Path(__file__).resolve().parents[2]
CONTAINERS = "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers"


@pytest.fixture(scope="module")
def infra() -> Infra:
    return Infra.load(REPO / "infra")


def test_the_runs_container_has_ttl_on_per_item(infra: Infra) -> None:
    runs = [instance for instance in instances(infra, CONTAINERS) if instance.symbol == "containers"]
    assert runs, "no entity container resource"
    for instance in runs:
        # -1: on, and only items with their own `ttl` (inbox marks, outboxes, steps) expire.
        assert instance.value("properties", "resource", "defaultTtl") == -1


def test_the_function_app_sets_the_sweeper_schedule_and_the_queues_max_delivery_count() -> None:
    text = (REPO / "infra" / "modules" / "functionapp.bicep").read_text()
    assert "SweeperSchedule: sweeperSchedule" in text
    assert "param sweeperSchedule string = '0 */5 * * * *'" in text
    # The processor's last delivery is the queues' own: read from the entity list the queues are created from.
    assert "SWITCHBOARD_MAX_DELIVERY_COUNT: string(entities.serviceBus.queues[0].properties.maxDeliveryCount)" in text
    counts = {
        q["properties"]["maxDeliveryCount"]
        for q in json.loads((REPO / "infra" / "entities.json").read_text())["serviceBus"]["queues"]
    }
    assert counts == {10}
