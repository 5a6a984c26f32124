"""Fixtures: the whole local serverless stack as real processes, for the product app and the HITL app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.hosted_runs import DEMO_SCRIPT, make_stack
from tests.support.stack import Stack, load_app_module, repo_script_root, scrub_env

HITL_APP = Path(__file__).with_name("hitl_app")


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
