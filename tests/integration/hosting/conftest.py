"""Fixtures: one Service Bus and one Cosmos emulator process per session; a fresh container and bus per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from azure.servicebus.aio import ServiceBusClient

from switchboard.hosting.settings import HostingSettings
from switchboard.state import CosmosRunStore
from tests.support.emulators import CosmosEmulator, ServiceBusEmulator, start_cosmos, start_servicebus
from tests.support.hosting_agents import TEAM_AGENTS

AGENT_QUEUES = (*TEAM_AGENTS, "worker", "sink", "other")


@pytest.fixture(scope="session")
def cosmos_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CosmosEmulator]:
    running = start_cosmos(tmp_path_factory.mktemp("hosting-cosmos"))
    yield running
    running.process.stop()


@pytest.fixture(scope="session")
def sb_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceBusEmulator]:
    running = start_servicebus(tmp_path_factory.mktemp("hosting-sb"), AGENT_QUEUES)
    yield running
    running.process.stop()


@pytest.fixture
def settings(cosmos_emulator: CosmosEmulator, sb_emulator: ServiceBusEmulator) -> HostingSettings:
    """Settings of a fresh Cosmos container and a purged bus."""
    sb_emulator.reset()
    return HostingSettings.model_validate(
        {
            "ServiceBusConnection": sb_emulator.connection_string,
            "COSMOS_ENDPOINT": cosmos_emulator.endpoint,
            "COSMOS_KEY": cosmos_emulator.key,
            "COSMOS_CONTAINER": f"runs-{uuid.uuid4().hex[:8]}",
        }
    )


@pytest.fixture
async def store(settings: HostingSettings) -> AsyncIterator[CosmosRunStore]:
    opened = CosmosRunStore.from_settings(settings)
    await opened.create_if_missing()
    yield opened
    await opened.close()


@pytest.fixture
async def sb_client(settings: HostingSettings) -> AsyncIterator[ServiceBusClient]:
    client = ServiceBusClient.from_connection_string(settings.service_bus_connection.get_secret_value())  # type: ignore[union-attr]
    async with client:
        yield client
