"""Cosmos fault injection for a period (`for_seconds`) with Cosmos's retry hint (`retry_after_ms`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.cosmos import ContainerProxy, CosmosClient, PartitionKey, exceptions

from tests.emulators.cosmos.cosmos_harness import Emulator, start_emulator


@pytest.fixture
def own_emulator(tmp_path: Path) -> Iterator[Emulator]:
    """A private emulator: faults would disturb the shared one."""
    running = start_emulator(tmp_path / "data", "--in-memory")
    yield running
    running.process.stop()


def _container(emulator: Emulator, **client_options: Any) -> ContainerProxy:
    client = CosmosClient(emulator.http, credential=emulator.key, **client_options)
    return client.create_database_if_not_exists("f").create_container_if_not_exists("c", PartitionKey("/pk"))


def test_429_carries_cosmos_headers_and_lasts_for_the_period(own_emulator: Emulator) -> None:
    # One throttle retry (0 means "the default 9" to the SDK): both attempts fall inside the period.
    container = _container(own_emulator, retry_throttle_total=1)
    view = own_emulator.control("faults", {"status": 429, "for_seconds": 1.0, "retry_after_ms": 250})
    assert view["active"] is True
    assert view["rate"] == 1.0
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        container.create_item({"id": "1", "pk": "a"})
    assert caught.value.status_code == 429
    assert caught.value.sub_status == 3200
    assert caught.value.headers["x-ms-retry-after-ms"] == "250"
    time.sleep(1.1)
    container.create_item({"id": "1", "pk": "a"})
    assert own_emulator.control("faults")["active"] is False
    assert own_emulator.control("faults")["injected"] == 2


def test_the_sdk_waits_the_retry_hint_between_attempts(own_emulator: Emulator) -> None:
    container = _container(own_emulator)
    own_emulator.control("faults", {"status": 429, "count": 3, "retry_after_ms": 300})
    started = time.monotonic()
    container.upsert_item({"id": "1", "pk": "a"})
    took = time.monotonic() - started
    # Three throttled attempts, each followed by the 300 ms the header asked for, then success.
    assert took >= 0.85
    assert own_emulator.control("faults")["injected"] == 3


def test_empty_settings_turn_faults_off(own_emulator: Emulator) -> None:
    container = _container(own_emulator, retry_throttle_total=1)
    own_emulator.control("faults", {"status": 503, "for_seconds": 60})
    assert own_emulator.control("faults", {})["active"] is False
    container.create_item({"id": "1", "pk": "a"})
    assert container.read_item("1", "a")["id"] == "1"
