"""host.json and local.settings.json are read as the Functions host reads them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from switchboard.local_host.app_settings import AppSettings
from switchboard.local_host.errors import AppLoadError, SettingMissingError
from switchboard.local_host.host_config import load_host_config, parse_timespan


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00:05:00", timedelta(minutes=5)),
        ("1.02:00:00", timedelta(days=1, hours=2)),
        ("00:00:00.80", timedelta(milliseconds=800)),
        ("-00:00:00.0010000", -timedelta(milliseconds=1)),
    ],
)
def test_timespans(text: str, expected: timedelta) -> None:
    assert parse_timespan(text) == expected


def test_host_json_options_defaults_and_infinite_renewal(tmp_path: Path) -> None:
    assert load_host_config(tmp_path).service_bus.auto_complete_messages is True  # no host.json: defaults
    host_json = {
        "functionTimeout": "00:10:00",
        "extensions": {
            "serviceBus": {
                "autoCompleteMessages": False,
                "maxConcurrentSessions": 3,
                "maxAutoLockRenewalDuration": "-00:00:00.0010000",
                "clientRetryOptions": {"tryTimeout": "00:00:20"},
            },
            "http": {"routePrefix": ""},
        },
    }
    (tmp_path / "host.json").write_text(json.dumps(host_json))
    config = load_host_config(tmp_path)
    assert config.function_timeout == timedelta(minutes=10)
    assert config.route_prefix == ""
    options = config.service_bus
    assert (options.auto_complete_messages, options.max_concurrent_sessions) == (False, 3)
    assert options.max_auto_lock_renewal_duration is None  # negative = renew as long as the function runs
    assert options.session_idle_timeout == timedelta(seconds=20)  # defaults to the client's tryTimeout
    (tmp_path / "host.json").write_text('{"functionTimeout": "ten minutes"}')
    with pytest.raises(AppLoadError, match="not a TimeSpan"):
        load_host_config(tmp_path)


def test_environment_wins_over_local_settings_and_expressions_resolve(tmp_path: Path) -> None:
    values = {"QUEUE": "from-file", "ONLY_FILE": "f", "Conn": "file-conn"}
    (tmp_path / "local.settings.json").write_text(json.dumps({"Values": values}))
    settings = AppSettings.load(tmp_path, {"QUEUE": "from-env"})
    assert settings.resolve("%QUEUE%-%ONLY_FILE%", "test") == "from-env-f"
    with pytest.raises(SettingMissingError, match="'NOPE'"):
        settings.resolve("%NOPE%", "test")
    environ = {"Conn": "env-conn"}
    settings.export(environ)
    assert environ == {"Conn": "env-conn", "QUEUE": "from-env", "ONLY_FILE": "f"}
