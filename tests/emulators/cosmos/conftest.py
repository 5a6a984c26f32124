"""Fixtures: one emulator process for the session, an SDK client, and a fresh database per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from azure.cosmos import ContainerProxy, CosmosClient, DatabaseProxy, PartitionKey

from tests.emulators.cosmos.cosmos_harness import Emulator, start_emulator


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """One emulator shared by the session's tests (each test uses its own database).

    Five ranges per container (Azure's layout gives one): these tests exercise cross-partition behaviour.
    """
    running = start_emulator(tmp_path_factory.mktemp("cosmos") / "data", "--partitions", "5")
    yield running
    running.process.stop()


@pytest.fixture(scope="session")
def client(emulator: Emulator) -> CosmosClient:
    return CosmosClient(emulator.http, credential=emulator.key)


@pytest.fixture
def database(client: CosmosClient) -> Iterator[DatabaseProxy]:
    db = client.create_database(f"db-{uuid.uuid4().hex[:10]}")
    yield db
    client.delete_database(db)


@pytest.fixture
def container(database: DatabaseProxy) -> ContainerProxy:
    return database.create_container("items", PartitionKey("/pk"))
