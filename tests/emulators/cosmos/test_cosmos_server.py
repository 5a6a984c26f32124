"""Start-up, HTTP and HTTPS on one port, the account document, and the command line."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from azure.cosmos import CosmosClient, PartitionKey

from tests.emulators.cosmos.cosmos_harness import Emulator, start_emulator
from tests.support.processes import REPO_ROOT


def test_becomes_ready_and_writes_its_certificate(tmp_path: Path) -> None:
    # Start-up time is a benchmark figure, not a test assertion (this machine is shared and noisy).
    running = start_emulator(tmp_path / "data")
    try:
        assert (tmp_path / "data" / "cosmos-emulator.crt").exists()
    finally:
        running.process.stop()


def test_help_explains_every_option() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "local_emulators.cosmos", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    for option in ("--host", "--port", "--data-dir", "--key", "--in-memory", "--no-tls", "--strict-queries"):
        assert option in result.stdout


@pytest.mark.filterwarnings("ignore:Unverified HTTPS request")
def test_http_and_https_on_the_same_port(emulator: Emulator) -> None:
    plain = CosmosClient(emulator.http, credential=emulator.key)
    secure = CosmosClient(emulator.https, credential=emulator.key, connection_verify=False)
    db = plain.create_database("both-schemes")
    try:
        container = db.create_container("c", PartitionKey("/pk"))
        container.upsert_item({"id": "1", "pk": "p", "via": "http"})
        over_tls = secure.get_database_client("both-schemes").get_container_client("c")
        assert over_tls.read_item("1", "p")["via"] == "http"
        over_tls.upsert_item({"id": "2", "pk": "p", "via": "https"})
        assert container.read_item("2", "p")["via"] == "https"
    finally:
        plain.delete_database("both-schemes")


def test_certificate_in_the_data_dir_verifies_for_localhost(emulator: Emulator) -> None:
    context = ssl.create_default_context(cafile=str(emulator.data_dir / "cosmos-emulator.crt"))
    url = f"https://localhost:{emulator.port}/_emulator/health"
    with urllib.request.urlopen(url, context=context, timeout=5) as response:
        assert json.loads(response.read())["status"] == "ok"


def test_account_advertises_the_endpoint_the_client_used(client: CosmosClient, emulator: Emulator) -> None:
    account = client.get_database_account()
    assert account.WritableLocations[0]["databaseAccountEndpoint"] == emulator.http
    assert account.ConsistencyPolicy is not None
    assert account.ConsistencyPolicy["defaultConsistencyLevel"] == "Session"


def test_connection_string_works(emulator: Emulator) -> None:
    client = CosmosClient.from_connection_string(f"AccountEndpoint={emulator.http};AccountKey={emulator.key};")
    assert isinstance(list(client.list_databases()), list)
