"""The one parser of a task request `{"task": str, "team"?: str}`: a `tasks` message body, an HTTP body, the CLI."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from switchboard.errors import BadMessageError
from switchboard.hosting.ingress_rules import (
    MAX_JSON_DEPTH,
    MAX_TASK_BYTES,
    check_run_id,
    json_depth,
    preview,
    task_size,
)


class InvalidTaskError(BadMessageError):
    """A task request that can never start a run: not JSON, no task, an unknown team, or no MessageId."""


class TaskTooLargeError(InvalidTaskError):
    """A task one Service Bus message cannot carry (HTTP 413); the reason names the size and the limit."""


@dataclass(frozen=True)
class TaskRequest:
    """A valid task: what to do and which team does it."""

    task: str
    team: str


def parse_task(body: bytes, *, teams: Mapping[str, str], default_team: str, run_id: str) -> TaskRequest:
    """Validate a `tasks` message.

    Args:
        body: The message body.
        teams: The teams this app offers.
        default_team: The team of a task that names none.
        run_id: The run id it would start (its MessageId).

    Raises:
        InvalidTaskError: The reason says what is wrong.
    """
    if not run_id:
        raise InvalidTaskError("a task message needs a MessageId: it becomes the run id")
    check_run_id(run_id)
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidTaskError(f"the body is not JSON ({error.__class__.__name__} at {_where(error)})") from None
    except RecursionError:
        data = None  # nested past what the decoder recurses into: refused just below, like any deep body
    if data is None or json_depth(data) > MAX_JSON_DEPTH:
        raise InvalidTaskError(f"the body nests arrays or objects deeper than {MAX_JSON_DEPTH} levels")
    return task_request(data, teams=teams, default_team=default_team)


def task_request(data: object, *, teams: Collection[str], default_team: str | None) -> TaskRequest:
    """Validate a decoded task request (the JSON object, or the CLI's arguments as one).

    Args:
        data: The decoded request.
        teams: The team names this app offers.
        default_team: The team of a task that names none.

    Raises:
        TaskTooLargeError: The task is larger than one message carries (`MAX_TASK_BYTES`).
        InvalidTaskError: The reason says what is wrong (quoting at most a short prefix of the input).
    """
    if not isinstance(data, Mapping):
        raise InvalidTaskError('the body must be a JSON object: {"task": "...", "team": "..."}')
    task = data.get("task")
    if not isinstance(task, str) or not task.strip():
        raise InvalidTaskError('"task" must be a non-empty string')
    if (size := task_size(task)) > MAX_TASK_BYTES:
        raise TaskTooLargeError(
            f"the task is {size} bytes as UTF-8 JSON; the limit is {MAX_TASK_BYTES} bytes (one Service Bus message "
            "carries it): shorten it, or pass large inputs by reference (a URL or a file the agents can read)"
        )
    team = data.get("team") or default_team
    if not isinstance(team, str) or team not in teams:
        raise InvalidTaskError(unknown_team_reason(team, teams))
    return TaskRequest(task=task, team=team)


def unknown_team_reason(team: object, teams: Collection[str]) -> str:
    """The one message for a team the app does not offer (ingress, HTTP API, `submit` and `run` alike)."""
    # The name is quoted only in part: a caller may send anything, and an error must not echo it back whole.
    return f"unknown team {preview(team)}; this app offers {sorted(teams)}"


def _where(error: UnicodeDecodeError | json.JSONDecodeError) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"line {error.lineno} column {error.colno}"
    return f"byte {error.start}"
