"""The sweeper's schedule choice and the lifecycle settings' defaults and names (no I/O)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from switchboard.functions.sweeper_function import DEFAULT_SCHEDULE, sweeper_schedule
from switchboard.hosting.lifecycle_settings import RunLifecycleSettings
from switchboard.state.retention import ItemTtls


def test_the_schedule_is_the_setting_when_set_and_five_minutes_otherwise() -> None:
    assert sweeper_schedule({"SweeperSchedule": "*/1 * * * * *"}) == "%SweeperSchedule%"
    assert sweeper_schedule({}) == DEFAULT_SCHEDULE == "0 */5 * * * *"
    assert sweeper_schedule({"SweeperSchedule": ""}) == DEFAULT_SCHEDULE


def test_lifecycle_defaults_keep_runs_and_expire_hop_items_after_a_week(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOP_RETENTION_SECONDS", "RUN_RETENTION_SECONDS", "MAX_DELIVERY_COUNT", "STALE_RUN_SECONDS"):
        monkeypatch.delenv(f"SWITCHBOARD_{name}", raising=False)
    settings = RunLifecycleSettings()
    assert (settings.max_delivery_count, settings.stale_after_seconds) == (10, 7200)
    assert ItemTtls.from_settings(settings) == ItemTtls(hop=7 * 24 * 3600, run=None)
    monkeypatch.setenv("SWITCHBOARD_RUN_RETENTION_SECONDS", "86400")
    assert ItemTtls.from_settings(RunLifecycleSettings()).run == 86400


def test_items_get_the_ttl_of_their_kind() -> None:
    ttls = ItemTtls(hop=5, run=None)
    assert ttls.hop_item({"id": "inbox:a:m"}) == {"id": "inbox:a:m", "ttl": 5}
    assert ttls.run_item({"id": "run-1"}) == {"id": "run-1"}


def test_a_bad_setting_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_HOP_RETENTION_SECONDS", "0")
    with pytest.raises(ValidationError, match="SWITCHBOARD_HOP_RETENTION_SECONDS"):
        RunLifecycleSettings()
