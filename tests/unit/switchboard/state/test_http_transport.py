"""When the Cosmos transport keeps aiohttp's per-request proxy and netrc lookups: only where they find something."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from switchboard.state.http_transport import cosmos_transport, environment_configures_http


def test_an_environment_without_proxies_or_netrc_needs_no_lookups(tmp_path: Path) -> None:
    assert not environment_configures_http({"PATH": "/usr/bin", "HOME": str(tmp_path)}, home=tmp_path)


@pytest.mark.parametrize("name", ["HTTPS_PROXY", "http_proxy", "ALL_PROXY", "no_proxy"])
def test_any_proxy_variable_keeps_them(tmp_path: Path, name: str) -> None:
    assert environment_configures_http({name: "http://proxy:3128"}, home=tmp_path)


def test_an_empty_proxy_variable_counts_as_unset(tmp_path: Path) -> None:
    assert not environment_configures_http({"HTTPS_PROXY": ""}, home=tmp_path)


def test_a_netrc_file_or_netrc_variable_keeps_them(tmp_path: Path) -> None:
    assert environment_configures_http({"NETRC": "/etc/netrc"}, home=tmp_path)
    (tmp_path / ".netrc").write_text("machine example.com login a password b\n")
    assert environment_configures_http({}, home=tmp_path)


def test_the_transport_follows_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy:3128")
    assert cosmos_transport()._use_env_settings is True


def test_without_proxies_or_netrc_the_transport_skips_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [n for n in os.environ if n.lower().endswith("_proxy") or n == "NETRC"]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cosmos_transport()._use_env_settings is False
