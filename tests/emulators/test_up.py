"""`python -m local_emulators up` starts every emulator with the deployment's entities; the real SDKs reach them."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from azure.cosmos import CosmosClient
from azure.servicebus import ServiceBusClient, ServiceBusMessage

from agents.registry import TEAMS
from local_emulators.entities_file import load_entities, servicebus_emulator_config
from local_emulators.provision import write_local_settings
from local_emulators.up_errors import EntitiesFileError
from switchboard.cli.infra_command import servicebus_emulator_config as cli_emulator_config
from switchboard.functions.entities import agent_names_of, entities_for
from tests.support.processes import REPO_ROOT, free_port, port_open

ENTITIES = REPO_ROOT / "infra" / "entities.json"
SETTINGS = {
    "ServiceBusConnection",
    "COSMOS_ENDPOINT",
    "COSMOS_KEY",
    "OPENAI_BASE_URL",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "ACA_SESSIONS_ENDPOINT",
    "ACA_SESSIONS_TOKEN",
}


def read_settings(proc: subprocess.Popen[str], wanted: set[str], timeout: float = 30.0) -> dict[str, str]:
    assert proc.stdout is not None
    settings: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        name, equals, value = line.strip().partition("=")
        if equals and " " not in name:
            settings[name] = value
        if line.startswith("settings written to"):
            assert wanted <= settings.keys()
            return settings
    raise AssertionError(f"up printed no settings; got {settings}")


def _up(*args: str) -> list[str]:
    return [sys.executable, "-m", "local_emulators", "up", *args]


@pytest.mark.emulator
def test_up_creates_every_entity_writes_settings_and_stops_on_sigterm(tmp_path: Path) -> None:
    sb_port, cosmos_port, model_port, ai_port = free_port(), free_port(), free_port(), free_port()
    sessions_port = free_port()
    settings_file = tmp_path / "local.settings.json"
    proc = subprocess.Popen(
        _up(
            *("--servicebus-port", str(sb_port), "--cosmos-port", str(cosmos_port), "--data-dir", str(tmp_path)),
            *("--entities", str(ENTITIES), "--model-script", str(REPO_ROOT / "agents/scripts/research_demo.json")),
            *("--model-port", str(model_port), "--write-settings", str(settings_file)),
            *("--appinsights-port", str(ai_port), "--sessions-port", str(sessions_port)),
        ),
        cwd=tmp_path,  # not the repo: every path comes from the options
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # PYTHONPATH: this tree's emulators, not whichever checkout the interpreter has installed.
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        printed = read_settings(proc, SETTINGS)
        values = json.loads(settings_file.read_text())["Values"]
        assert {name: values[name] for name in SETTINGS} == printed
        assert values["FUNCTIONS_WORKER_RUNTIME"] == "python"
        assert len(values["SWITCHBOARD_HOST_KEY"]) >= 32
        assert stat.S_IMODE(settings_file.stat().st_mode) == 0o600
        assert printed["OPENAI_BASE_URL"] == f"http://127.0.0.1:{model_port}/v1"

        with ServiceBusClient.from_connection_string(values["ServiceBusConnection"]) as client:
            # An agent queue needs a session; the ingress queue takes plain messages; the topic fans out to monitor.
            agent = agent_names_of(TEAMS)[-1]  # any agent of the registry, whichever teams it holds
            with client.get_queue_sender(agent) as sender:
                sender.send_messages(ServiceBusMessage(b"to the agent", session_id="run-1"))
            with client.get_queue_receiver(agent, session_id="run-1", max_wait_time=5) as receiver:
                (received,) = receiver.receive_messages(max_message_count=1, max_wait_time=5)
                assert b"".join(received.body) == b"to the agent"
                receiver.complete_message(received)
            with client.get_queue_sender("tasks") as sender:
                sender.send_messages(ServiceBusMessage(b'{"task": "t"}', message_id="run-2"))
            with client.get_topic_sender("run-events") as sender:
                sender.send_messages(ServiceBusMessage(b"", subject="running", application_properties={"run_id": "r"}))
            with client.get_subscription_receiver("run-events", "monitor", max_wait_time=5) as receiver:
                (event,) = receiver.receive_messages(max_message_count=1, max_wait_time=5)
                assert event.subject == "running"
                receiver.complete_message(event)

        cosmos = CosmosClient(values["COSMOS_ENDPOINT"], values["COSMOS_KEY"])
        runs = cosmos.get_database_client("switchboard").get_container_client("runs").read()
        assert runs["partitionKey"]["paths"] == ["/run_id"]

        with urllib.request.urlopen(f"{printed['OPENAI_BASE_URL']}/models", timeout=5) as reply:
            assert json.load(reply)["data"][0]["id"] == "scripted"

        ai_endpoint = f"http://127.0.0.1:{ai_port}/"
        assert printed["APPLICATIONINSIGHTS_CONNECTION_STRING"] == (
            f"InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint={ai_endpoint};"
            f"LiveEndpoint={ai_endpoint}"
        )
        with urllib.request.urlopen(f"{ai_endpoint}health", timeout=5) as reply:
            assert json.load(reply)["status"] == "healthy"

        assert values["ACA_SESSIONS_ENDPOINT"] == f"http://127.0.0.1:{sessions_port}/"
        execute = urllib.request.Request(
            f"{values['ACA_SESSIONS_ENDPOINT']}executions?api-version=2025-02-02-preview&identifier=up-check",
            data=json.dumps({"code": "6 * 7"}).encode(),
            headers={"Authorization": f"Bearer {values['ACA_SESSIONS_TOKEN']}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(execute, timeout=30) as reply:
            assert json.load(reply)["result"]["executionResult"] == 42
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0
    assert not any(port_open(port) for port in (sb_port, cosmos_port, model_port, ai_port, sessions_port))


@pytest.mark.emulator
def test_up_refuses_a_busy_port_with_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            _up("--servicebus-port", str(port), "--cosmos-port", str(free_port()), "--data-dir", str(tmp_path)),
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr


def test_up_names_a_broken_entity_list_before_starting_anything(tmp_path: Path) -> None:
    broken = tmp_path / "entities.json"
    broken.write_text(json.dumps({"serviceBus": {"queues": [{"properties": {}}]}}))
    done = subprocess.run(
        _up("--entities", str(broken), "--data-dir", str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert f"{broken} is not an entity list" in done.stderr
    assert not (tmp_path / "servicebus.log").exists()


def test_emulator_config_from_the_file_equals_the_one_the_cli_prints() -> None:
    # Two implementations (the emulators never import the product): they must agree.
    assert servicebus_emulator_config(load_entities(ENTITIES)) == cli_emulator_config(entities_for(TEAMS))


def test_missing_entity_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EntitiesFileError, match="cannot read the entity list"):
        load_entities(tmp_path / "absent.json")


def test_settings_file_keeps_foreign_values_and_its_host_key(tmp_path: Path) -> None:
    path = tmp_path / "local.settings.json"
    path.write_text(json.dumps({"IsEncrypted": False, "Values": {"APPLICATIONINSIGHTS_CONNECTION_STRING": "x"}}))
    first = write_local_settings(path, {"COSMOS_ENDPOINT": "http://127.0.0.1:1/"})
    second = write_local_settings(path, {"COSMOS_ENDPOINT": "http://127.0.0.1:2/"})
    assert second["APPLICATIONINSIGHTS_CONNECTION_STRING"] == "x"
    assert second["COSMOS_ENDPOINT"] == "http://127.0.0.1:2/"
    assert second["SWITCHBOARD_HOST_KEY"] == first["SWITCHBOARD_HOST_KEY"]
    assert json.loads(path.read_text())["Values"] == second
