"""The door's rules: run ids, idempotency keys, body and task sizes, JSON depth, and errors that quote only a prefix."""

from __future__ import annotations

import json

import pytest

from switchboard.hosting.ingress_rules import (
    MAX_JSON_DEPTH,
    MAX_REQUEST_BYTES,
    MAX_TASK_BYTES,
    InvalidRequestError,
    InvalidRunIdError,
    RequestTooLargeError,
    check_run_id,
    json_depth,
    preview,
    read_json_body,
    run_id_for_key,
    task_size,
)
from switchboard.hosting.task_request import InvalidTaskError, TaskTooLargeError, parse_task, task_request

TEAMS = {"research": "research"}


def test_preview_quotes_a_short_value_whole_and_a_long_one_by_prefix_and_length() -> None:
    assert preview("triag") == "'triag'"
    quoted = preview("x" * 10_000)
    assert len(quoted) < 80
    assert quoted.endswith("… (10000 characters)")


@pytest.mark.parametrize("run_id", ["0b8f7a52-3c1e-4d7b-9f55-2a6e1d4c9b30", "run-1", "a", "Team.Run_1:2", "x" * 64])
def test_valid_run_ids_pass(run_id: str) -> None:
    assert check_run_id(run_id) == run_id


@pytest.mark.parametrize("run_id", ["", "x" * 65, "a/b", "a b", "a?b", "a#b", "a\\b", "-leading", "é"])
def test_invalid_run_ids_are_refused_with_the_rule(run_id: str) -> None:
    with pytest.raises(InvalidRunIdError) as caught:
        check_run_id(run_id)
    assert "run id" in caught.value.reason


def test_a_huge_run_id_is_not_echoed() -> None:
    with pytest.raises(InvalidRunIdError) as caught:
        check_run_id("r" * 10_000)
    assert len(caught.value.reason) < 200


def test_an_idempotency_key_maps_to_one_uuid5_run_id_that_no_generated_id_can_equal() -> None:
    first = run_id_for_key("order-42")
    assert first == run_id_for_key("order-42")
    assert first != run_id_for_key("order-43")
    assert first[14] == "5"  # UUID version 5; generated run ids are version 4
    check_run_id(first)


@pytest.mark.parametrize("key", ["", "has space", "tab\t", "k" * 256, "ключ"])
def test_a_malformed_key_is_refused_without_echoing_it(key: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        run_id_for_key(key)
    assert len(caught.value.reason) < 200


def test_a_body_past_the_limit_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(RequestTooLargeError) as caught:
        read_json_body(b" " * (MAX_REQUEST_BYTES + 1))
    assert str(MAX_REQUEST_BYTES) in caught.value.reason


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000, 200_000])
def test_deep_nesting_is_refused_at_any_depth(depth: int) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        read_json_body(("[" * depth + "]" * depth).encode())
    assert "deeper" in caught.value.reason


def test_nesting_up_to_the_limit_parses() -> None:
    body = {"task": "t", "meta": json.loads("[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1))}
    assert read_json_body(json.dumps(body).encode()) == body
    assert json_depth(body) == MAX_JSON_DEPTH


def test_not_json_names_the_position_not_the_text() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        read_json_body(b"SECRET-TEXT-" * 1000)
    assert "SECRET" not in caught.value.reason
    assert "line 1 column 1" in caught.value.reason


def test_a_task_past_one_message_is_too_large_and_names_the_limit() -> None:
    task = "a" * MAX_TASK_BYTES
    assert task_size(task) > MAX_TASK_BYTES  # its quotes tip it over
    with pytest.raises(TaskTooLargeError) as caught:
        task_request({"task": task}, teams=TEAMS, default_team="research")
    assert str(MAX_TASK_BYTES) in caught.value.reason
    assert task_request({"task": "a" * (MAX_TASK_BYTES - 2)}, teams=TEAMS, default_team="research").task


def test_non_ascii_tasks_are_measured_as_utf8_not_as_escapes() -> None:
    task = "語" * 30_000  # 90 KB of UTF-8; 180 KB as \\u escapes
    assert task_request({"task": task}, teams=TEAMS, default_team="research").task == task


def test_an_unknown_team_of_ten_thousand_characters_is_quoted_by_prefix() -> None:
    with pytest.raises(InvalidTaskError) as caught:
        task_request({"task": "t", "team": "t" * 10_000}, teams=TEAMS, default_team="research")
    assert len(caught.value.reason) < 200
    assert "10000 characters" in caught.value.reason


def test_the_ingress_dead_letters_a_deep_body_and_a_bad_run_id_with_a_reason() -> None:
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    with pytest.raises(InvalidTaskError) as deep_error:
        parse_task(deep, teams=TEAMS, default_team="research", run_id="run-1")
    assert "deeper" in deep_error.value.reason
    with pytest.raises(InvalidRunIdError):
        parse_task(b'{"task": "t"}', teams=TEAMS, default_team="research", run_id="run/1")
