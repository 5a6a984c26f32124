"""The official JavaScript SDKs against our emulators: every ``tests/js/*.test.mjs`` under ``node --test``.

Both emulators run as real processes on free loopback ports; each JS file gets their connection
details in its environment and fails this test with node's own report when any of its tests fails.
``scripts/install_js.sh`` installs the pinned npm packages (setup runs it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulators.cosmos.cosmos_harness import KEY as COSMOS_KEY
from tests.emulators.cosmos.cosmos_harness import Emulator as CosmosEmulator
from tests.emulators.cosmos.cosmos_harness import start_emulator as start_cosmos
from tests.support.hosted_runs import DEMO_SCRIPT
from tests.support.processes import REPO_ROOT, ServerProcess, free_port, port_open, start_python_module
from tests.support.stack import HOST_KEY, Stack, repo_script_root, scrub_env, write_servicebus_config

pytestmark = pytest.mark.emulator

JS_DIR = Path(__file__).resolve().parent
SB_CONFIG = JS_DIR / "servicebus.config.jsonc"
SB_KEY_NAME = "RootManageSharedAccessKey"
SB_KEY = "SAS_KEY_VALUE"
SB_ENTITIES = {
    "SB_QUEUE": "js-queue",
    "SB_SESSION_QUEUE": "js-sessions",
    "SB_MAX_DELIVERY_QUEUE": "js-max-delivery",
    "SB_TOPIC": "js-topic",
    "SB_SQL_SUBSCRIPTION": "sql",
    "SB_CORRELATION_SUBSCRIPTION": "correlation",
}
NODE_TIMEOUT_S = 240
_SUMMARY = re.compile(r"^\S*\s*(tests|pass|fail|skipped|todo) (\d+)\s*$", re.MULTILINE)


RUN_SUITE = "run_schemas.test.mjs"
"""The suite that drives a whole local deployment (test_js_run_follows_schemas), not the bare emulators."""


def suites() -> list[str]:
    """Every emulator JS test file, found at collection time so new files join without an edit here."""
    return sorted(path.name for path in JS_DIR.glob("*.test.mjs") if path.name != RUN_SUITE)


@pytest.fixture(scope="module")
def servicebus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The Service Bus emulator with the JS suite's entities, and the environment that reaches it."""
    tmp = tmp_path_factory.mktemp("js-servicebus")
    port, control = free_port(), free_port()
    args = ["--host", "127.0.0.1", "--port", str(port), "--control-port", str(control), "--config", str(SB_CONFIG)]
    process: ServerProcess = start_python_module(
        "local_emulators.servicebus",
        [*args, "--data-dir", str(tmp / "data")],
        port=port,
        log_path=tmp / "servicebus.log",
        ready=lambda: port_open(port) and port_open(control),
    )
    connection = (
        f"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName={SB_KEY_NAME};SharedAccessKey={SB_KEY};"
        "UseDevelopmentEmulator=true;"
    )
    yield {"SB_CONNECTION_STRING": connection, "SB_CONTROL_URL": f"http://127.0.0.1:{control}", **SB_ENTITIES}
    process.stop()


@pytest.fixture(scope="module")
def cosmos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The Cosmos emulator, reached over HTTPS (its certificate is self-signed) and HTTP."""
    running: CosmosEmulator = start_cosmos(tmp_path_factory.mktemp("js-cosmos") / "data")
    yield {
        "COSMOS_ENDPOINT": running.https,
        "COSMOS_HTTP_ENDPOINT": running.http,
        "COSMOS_KEY": COSMOS_KEY,
        "NODE_TLS_REJECT_UNAUTHORIZED": "0",
    }
    running.process.stop()


def _node() -> str:
    node = shutil.which("node")
    assert node, "node is not installed; the JS conformance suite needs Node.js 20+"
    assert (JS_DIR / "node_modules" / "@azure").is_dir(), "run scripts/install_js.sh (npm ci in tests/js) first"
    return node


@pytest.mark.parametrize("suite", suites())
def test_js_suite_passes(suite: str, servicebus: dict[str, str], cosmos: dict[str, str]) -> None:
    run_node_suite(suite, {**servicebus, **cosmos})


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The product's Function App under `switchboard host` on the emulators, its team on the scripted demo model."""
    from agents.registry import TEAMS
    from switchboard.cli.infra_command import servicebus_emulator_config
    from switchboard.functions.entities import entities_for

    scrub_env()
    root = tmp_path_factory.mktemp("js-stack")
    config = write_servicebus_config(root / "servicebus-config.json", servicebus_emulator_config(entities_for(TEAMS)))
    stack = Stack(root=root, script_root=repo_script_root(), model_script=DEMO_SCRIPT, servicebus_config=config)
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def test_js_run_follows_schemas(deployment: Stack) -> None:
    """A Node client posts a task, follows the run and validates what it reads against schemas/ (ajv)."""
    from agents.registry import TEAMS

    run_node_suite(
        RUN_SUITE,
        {
            "SWITCHBOARD_URL": deployment.host_url,
            "SWITCHBOARD_KEY": HOST_KEY,
            "SWITCHBOARD_TEAM": next(iter(TEAMS)),
            "SWITCHBOARD_SCHEMAS": str(REPO_ROOT / "schemas"),
        },
    )


def run_node_suite(suite: str, extra_env: dict[str, str]) -> None:
    """Run one JS file under `node --test` and fail with node's report unless every test in it passed."""
    env = {**os.environ, **extra_env, "NODE_NO_WARNINGS": "1"}
    result = subprocess.run(
        [_node(), "--test", "--test-reporter=spec", suite],
        cwd=JS_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_S,
        check=False,
    )
    report = result.stdout + result.stderr
    counts = {name: int(value) for name, value in _SUMMARY.findall(report)}
    assert result.returncode == 0, f"{suite}: {counts}\n{report}"
    assert counts.get("fail") == 0, report
    assert counts.get("skipped", 0) == 0, f"{suite} skipped tests:\n{report}"
    assert counts.get("pass", 0) > 0, f"{suite} ran no test:\n{report}"
