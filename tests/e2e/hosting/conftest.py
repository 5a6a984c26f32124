"""Fixtures: the whole local serverless stack as real processes, for the product app and the crash-test app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchboard.cli.infra_command import servicebus_emulator_config
from switchboard.functions.entities import EntityList
from tests.support.hosted_runs import DEMO_SCRIPT
from tests.support.stack import Stack, load_app_module, repo_script_root, scrub_env

CRASH_APP = Path(__file__).with_name("crash_app")
HITL_APP = Path(__file__).with_name("hitl_app")


def make_stack(
    root: Path, script_root: Path, model_script: Path, entities: EntityList, **queue_overrides: object
) -> Stack:
    """A stack whose Service Bus has every entity of `entities` (queue properties optionally overridden)."""
    config = servicebus_emulator_config(entities)
    for namespace in config["UserConfig"]["Namespaces"]:
        for queue in namespace["Queues"]:
            queue["Properties"].update(queue_overrides)
    path = root / "servicebus-config.json"
    path.write_text(json.dumps(config, indent=2))
    return Stack(root=root, script_root=script_root, model_script=model_script, servicebus_config=path)


@pytest.fixture(scope="module")
def product_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The product's function_app.py with the research team on the scripted demo model."""
    from agents.registry import TEAMS
    from switchboard.functions.entities import entities_for

    scrub_env()
    stack = make_stack(tmp_path_factory.mktemp("stack"), repo_script_root(), DEMO_SCRIPT, entities_for(TEAMS))
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def app_stack(root: Path, app: Path) -> Stack:
    """A stack for the app folder `app` (its function_app.py and script.json), entities from its TEAMS."""
    from switchboard.functions.entities import entities_for
    from tests.support.stack import load_app_module

    module = load_app_module(app / "function_app.py")
    scrub_env()
    return make_stack(root, app, app / "script.json", entities_for(module.TEAMS))


def runs_container(stack: Stack) -> Any:
    """The `runs` container of the stack's Cosmos emulator, through the plain azure-cosmos SDK."""
    from azure.cosmos import CosmosClient

    from tests.emulators.cosmos.cosmos_harness import KEY

    return CosmosClient(stack.cosmos_endpoint, KEY).get_database_client("switchboard").get_container_client("runs")


def wait_run_ended(stack: Stack, run_id: str, timeout: float = 120.0) -> dict[str, Any]:
    """Poll the run document until it is `completed` or `failed`; fails with the processes' logs otherwise."""
    import time

    deadline = time.monotonic() + timeout
    item: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        found = list(runs_container(stack).query_items("SELECT * FROM c WHERE c.type = 'run'", partition_key=run_id))
        item = found[0] if found else None
        if item is not None and item["status"] in ("completed", "failed"):
            return dict(item)
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not end: {item}\n{stack.logs()}")


@pytest.fixture(scope="module")
def hitl_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    module = load_app_module(HITL_APP / "function_app.py")
    from switchboard.functions.entities import entities_for

    scrub_env()
    root = tmp_path_factory.mktemp("hitl")
    stack = make_stack(root, HITL_APP, HITL_APP / "script.json", entities_for(module.TEAMS))
    stack.extra_env["HITL_MARKS"] = str(root / "marks.txt")
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()
