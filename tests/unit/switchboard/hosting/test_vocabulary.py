"""One vocabulary for hosted runs: run statuses, settlement outcomes, entity names and the task request."""

from __future__ import annotations

import json

import pytest

from switchboard.hosting.entity_names import RUN_EVENTS_TOPIC, TASKS_QUEUE
from switchboard.hosting.run_status import ACTIVE_STATUSES, TERMINAL_STATUSES, RunStatus
from switchboard.hosting.settlement import Outcome
from switchboard.hosting.task_request import InvalidTaskError, TaskRequest, parse_task, task_request
from switchboard.state.run_documents import ACTIVE_CONDITION

TEAMS = {"team": "team", "other": "other-manager"}


def test_run_status_values_are_the_wire_and_storage_contract() -> None:
    assert [status.value for status in RunStatus] == [
        "queued",
        "running",
        "awaiting_input",
        "completed",
        "failed",
        "cancelled",
    ]
    # A str: it is stored, sent and formatted as its value.
    assert json.dumps({"status": RunStatus.AWAITING_INPUT}) == '{"status": "awaiting_input"}'
    assert f"{RunStatus.CANCELLED}" == "cancelled"


def test_one_terminal_set_splits_the_statuses_and_drives_the_cosmos_condition() -> None:
    assert {"completed", "failed", "cancelled"} == TERMINAL_STATUSES
    assert ACTIVE_STATUSES == (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.AWAITING_INPUT)
    assert set(ACTIVE_STATUSES) | TERMINAL_STATUSES == set(RunStatus)
    assert ACTIVE_CONDITION == "from c where NOT (c.status IN ('completed', 'failed', 'cancelled'))"


def test_settlement_outcomes_keep_their_labels() -> None:
    assert str(Outcome.RUN_ENDED) == "run-ended"
    assert {outcome.value for outcome in Outcome} >= {"handled", "resent", "duplicate", "bad-input", "retry"}


def test_entity_names_are_the_fixed_ones() -> None:
    assert (TASKS_QUEUE, RUN_EVENTS_TOPIC) == ("tasks", "run-events")


def test_one_parser_serves_bytes_and_decoded_requests_alike() -> None:
    body = {"task": "write", "team": "other"}
    assert parse_task(json.dumps(body).encode(), teams=TEAMS, default_team="team", run_id="r") == TaskRequest(
        "write", "other"
    )
    assert task_request(body, teams=TEAMS, default_team="team") == TaskRequest("write", "other")
    assert task_request({"task": "write"}, teams=TEAMS, default_team="team") == TaskRequest("write", "team")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (["a list"], "JSON object"),
        ({"task": "  "}, "non-empty"),
        ({"task": 3}, "non-empty"),
        ({"task": "t", "team": "nope"}, "unknown team 'nope'"),
    ],
)
def test_a_bad_request_says_what_is_wrong(data: object, words: str) -> None:
    with pytest.raises(InvalidTaskError, match=words):
        task_request(data, teams=TEAMS, default_team="team")
