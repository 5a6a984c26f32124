"""Fixtures of the fault tests: a stack of the crash-test app (a side-effecting tool and a ledger of its effects)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.faults import clear_faults
from tests.support.hosted_runs import CRASH_APP, make_stack
from tests.support.stack import Stack, load_app_module, scrub_env


@pytest.fixture
def crash_app_stack(tmp_path: Path) -> Iterator[Stack]:
    """The crash app's stack, not started (start what the test needs); short locks so a lost host's work returns soon.

    `stack.extra_env["CRASH_EFFECTS_DB"]` is the ledger of the side-effecting tool (tables `effects`, `attempts`).
    """
    module = load_app_module(CRASH_APP / "function_app.py")
    from switchboard.functions.entities import entities_for

    scrub_env()
    stack = make_stack(tmp_path, CRASH_APP, CRASH_APP / "script.json", entities_for(module.TEAMS), LockDuration="PT5S")
    stack.extra_env["CRASH_EFFECTS_DB"] = str(tmp_path / "effects.sqlite")
    try:
        yield stack
    finally:
        # An emulator the test killed cannot be cleared, and needs no clearing.
        with contextlib.suppress(OSError):
            clear_faults(stack)
        stack.stop_all()
