"""The hosted CLI's pure parts: settings precedence, report choice, entry printing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from switchboard.cli.hosted_settings import load_settings
from switchboard.cli.run_render import EntryPrinter, report_of
from switchboard.hosting.settings import HostingSettingsError


def _settings_file(tmp_path: Path, values: dict[str, str]) -> Path:
    path = tmp_path / "local.settings.json"
    path.write_text(json.dumps({"IsEncrypted": False, "Values": values}))
    return path


def test_the_environment_wins_over_local_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _settings_file(tmp_path, {"COSMOS_ENDPOINT": "http://file:1/", "COSMOS_KEY": "file-key"})
    monkeypatch.setenv("COSMOS_ENDPOINT", "http://env:2/")
    monkeypatch.delenv("COSMOS_KEY", raising=False)
    settings = load_settings(path)
    assert settings.cosmos_endpoint == "http://env:2/"
    assert settings.cosmos_key is not None
    assert settings.cosmos_key.get_secret_value() == "file-key"


def test_a_broken_settings_file_is_a_settings_error(tmp_path: Path) -> None:
    path = tmp_path / "local.settings.json"
    path.write_text("{not json")
    with pytest.raises(HostingSettingsError, match="cannot read"):
        load_settings(path)


def test_the_report_is_the_report_authors_last_entry() -> None:
    view = {
        "transcript": [
            {"source": "user", "kind": "task", "content": "task"},
            {"source": "writer", "content": "draft 1"},
            {"source": "writer", "content": "draft 2"},
            {"source": "reviewer", "content": "APPROVE"},
        ]
    }
    assert report_of(view, "writer") == "draft 2"
    assert report_of(view, "nobody") == "APPROVE"  # no entry by that author: the last word
    assert report_of({"transcript": [{"source": "user", "kind": "task", "content": "t"}]}, "writer") is None


def test_entries_print_with_speaker_tokens_and_tools() -> None:
    console = Console(record=True, width=100)
    printer = EntryPrinter(console)
    printer({"source": "researcher", "content": "found it", "usage": {"prompt_tokens": 7, "completion_tokens": 3}})
    printer({"source": "writer", "content": "", "tool_calls": ["search_notes"]})
    text = console.export_text()
    assert "researcher · 10 tokens" in text
    assert "found it" in text
    assert "(empty)" in text
    assert "used search_notes" in text


def test_model_text_is_printed_as_written_not_as_rich_markup() -> None:
    console = Console(record=True, width=100)
    EntryPrinter(console)({"source": "writer", "content": "return data[note] + [bold]x[/bold]"})
    assert "return data[note] + [bold]x[/bold]" in console.export_text()


def test_the_environment_is_read_even_for_names_the_file_also_sets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COSMOS_ENDPOINT", "http://from-env/")
    settings = load_settings(_settings_file(tmp_path, {"COSMOS_ENDPOINT": "http://from-file/"}))
    assert settings.cosmos_endpoint == "http://from-env/"
    assert load_settings(tmp_path / "missing.json").cosmos_endpoint == "http://from-env/"
