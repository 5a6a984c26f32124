"""Fixtures: one sessions emulator per module (a real process, 512 MB per kernel, 4000 characters of output)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.sessions import SessionsEmulator, start_sessions_emulator


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SessionsEmulator]:
    emulator = start_sessions_emulator(
        tmp_path_factory.mktemp("sessions"), "--memory-mb", "512", "--max-output-chars", "4000"
    )
    try:
        yield emulator
    finally:
        emulator.process.stop()
