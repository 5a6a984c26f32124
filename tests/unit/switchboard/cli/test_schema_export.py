"""`switchboard schema export`: the committed schemas/ match the code, and they describe the real wire."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from switchboard.cli.app import app
from switchboard.messages import Envelope
from switchboard.protocol import TaskSubmitted, TranscriptEntry, TurnCompleted
from switchboard.protocol.schemas import REGISTERED_MESSAGES, export_schemas, message_file
from tests.support.processes import REPO_ROOT

SCHEMAS = REPO_ROOT / "schemas"


def load(name: str) -> dict[str, object]:
    return dict(json.loads((SCHEMAS / name).read_text(encoding="utf-8")))


def test_the_committed_schemas_do_not_drift_from_the_code() -> None:
    result = CliRunner().invoke(app, ["schema", "export", "--check", "--out", str(SCHEMAS)])
    assert result.exit_code == 0, f"{result.output}\nrun `python -m switchboard schema export` and commit schemas/"


def test_every_registered_message_has_a_versioned_schema_listed_in_the_index() -> None:
    listed = {(m["type"], m["version"]): m["file"] for m in load("index.json")["messages"]}  # type: ignore[attr-defined]
    assert listed == {(c.message_type, c.message_version): message_file(c) for c in REGISTERED_MESSAGES}
    for cls in REGISTERED_MESSAGES:
        schema = load(message_file(cls))
        assert (schema["x-message-type"], schema["x-message-version"]) == (cls.message_type, cls.message_version)


def test_the_schemas_accept_real_messages_and_refuse_broken_ones() -> None:
    entry = TranscriptEntry(source="writer", content="a poem", tool_calls=("lookup",))
    jsonschema.validate(entry.model_dump(mode="json"), load("transcript-entry.schema.json"))
    envelope = Envelope.wrap(TaskSubmitted(task="Write"), run_id="r1", target="team")
    jsonschema.validate(envelope.model_dump(mode="json"), load("envelope.schema.json"))
    turn = TurnCompleted(team="team", turn=1, entry=entry)
    jsonschema.validate(turn.model_dump(mode="json"), load(message_file(TurnCompleted)))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"task": 3}, load(message_file(TaskSubmitted)))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**envelope.model_dump(mode="json"), "version": 0}, load("envelope.schema.json"))


def test_check_names_the_stale_files_and_export_rewrites_them(tmp_path: Path) -> None:
    (tmp_path / "index.json").write_text("{}", encoding="utf-8")
    (tmp_path / "gone.v1.schema.json").write_text("{}", encoding="utf-8")
    stale = CliRunner().invoke(app, ["schema", "export", "--check", "--out", str(tmp_path)])
    assert stale.exit_code == 1
    assert "gone.v1.schema.json" in stale.output
    assert "index.json" in stale.output
    written = CliRunner().invoke(app, ["schema", "export", "--out", str(tmp_path)])
    assert written.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(export_schemas())
