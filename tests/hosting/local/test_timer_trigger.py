"""`switchboard host` runs timer triggers on their NCRONTAB schedule (from an app setting), as the Functions host."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.hosting.local.conftest import run_host_once, start_host, stop_gracefully
from tests.support.processes import ServerProcess

pytestmark = pytest.mark.emulator


def test_a_timer_function_runs_on_the_schedule_its_setting_names(emulator: ServerProcess, tmp_path: Path) -> None:
    host = start_host(tmp_path, emulator.port, name="tick", extra_env={"TOY_TICK": "*/1 * * * * *"})
    try:
        started = time.monotonic()
        ticks = host.wait_records(3, fn="tick", timeout=20)
        assert all(tick["past_due"] is False for tick in ticks)
        assert all(tick["label"] == "from-env" for tick in ticks)
        # Once a second, not faster: three ticks take at least two seconds.
        assert time.monotonic() - started >= 2.0
        assert "function tick runs on schedule */1 * * * * *" in host.process.log()
    finally:
        assert stop_gracefully(host.process) == 0


def test_the_schedule_from_local_settings_does_not_fire_early(emulator: ServerProcess, tmp_path: Path) -> None:
    # local.settings.json says once a year (1 January, midnight): nothing runs while the host is up.
    host = start_host(tmp_path, emulator.port, name="yearly")
    try:
        time.sleep(2.5)
        assert host.records(fn="tick") == []
        assert "function tick runs on schedule 0 0 0 1 1 *" in host.process.log()
    finally:
        assert stop_gracefully(host.process) == 0


def test_a_bad_schedule_stops_the_host_at_start_up_naming_it(tmp_path: Path) -> None:
    source = (
        "import azure.functions as func\napp = func.FunctionApp()\n"
        "@app.timer_trigger(arg_name='timer', schedule='%TICK%')\n"
        "def tick(timer: func.TimerRequest) -> None:\n    pass\n"
    )
    (tmp_path / "function_app.py").write_text(source)
    result = run_host_once(["--port", "0", "--script-root", str(tmp_path)], env={"TICK": "61 * * * * *"})
    assert result.returncode == 2
    assert "'61' is outside 0-59" in result.stderr
    missing = run_host_once(["--port", "0", "--script-root", str(tmp_path)], env={"TICK": ""})
    assert missing.returncode == 2
    assert "TICK" in missing.stderr
