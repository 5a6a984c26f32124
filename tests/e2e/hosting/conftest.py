"""Fixtures: the whole local serverless stack as real processes, for the product app and the crash-test app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.cli.infra_command import servicebus_emulator_config
from switchboard.hosting.entities import EntityList
from tests.support.processes import REPO_ROOT
from tests.support.stack import Stack, repo_script_root, scrub_env

DEMO_SCRIPT = REPO_ROOT / "agents" / "scripts" / "research_demo.json"
CRASH_APP = Path(__file__).with_name("crash_app")


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
    from switchboard.hosting.entities import entities_for

    scrub_env()
    stack = make_stack(tmp_path_factory.mktemp("stack"), repo_script_root(), DEMO_SCRIPT, entities_for(TEAMS))
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()
