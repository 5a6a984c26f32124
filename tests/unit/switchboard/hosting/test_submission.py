"""`submit_run`: one run per idempotency key, a conflict for another body, and nothing left when the send fails."""

from __future__ import annotations

import pytest

from switchboard.errors import PermanentError, TransientError
from switchboard.hosting.ingress_rules import run_id_for_key
from switchboard.hosting.memory import InMemoryHostStore
from switchboard.hosting.submission import IdempotencyConflictError, SubmitUnavailableError, submit_run
from switchboard.hosting.task_request import TaskRequest

REQUEST = TaskRequest(task="write a haiku", team="research")


class Tasks:
    """The `tasks` queue: what was posted, and the failures to raise first."""

    def __init__(self, *failures: Exception) -> None:
        self.posted: list[tuple[str, str, str | None]] = []
        self.failures = list(failures)

    async def send_task(self, run_id: str, *, task: str, team: str | None = None) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.posted.append((run_id, task, team))


async def test_the_same_key_names_the_same_run_and_the_retry_re_sends_while_queued() -> None:
    store, tasks = InMemoryHostStore(), Tasks()
    first = await submit_run(store, tasks, REQUEST, idempotency_key="k-1")
    again = await submit_run(store, tasks, REQUEST, idempotency_key="k-1")
    assert first.run_id == again.run_id == run_id_for_key("k-1")
    assert (first.replayed, again.replayed) == (False, True)
    # Still queued: the retry posts the task again, with the same MessageId (duplicate detection drops the copy).
    assert [posted[0] for posted in tasks.posted] == [first.run_id, first.run_id]
    assert len(store.runs_by_id) == 1


async def test_a_retry_of_a_started_run_posts_nothing_and_reports_its_status() -> None:
    store, tasks = InMemoryHostStore(), Tasks()
    first = await submit_run(store, tasks, REQUEST, idempotency_key="k-2")
    store.runs_by_id[first.run_id]["status"] = "running"
    again = await submit_run(store, tasks, REQUEST, idempotency_key="k-2")
    assert (again.run_id, again.replayed, again.status) == (first.run_id, True, "running")
    assert len(tasks.posted) == 1


@pytest.mark.parametrize(
    "other", [TaskRequest(task="another", team="research"), TaskRequest(task="write a haiku", team="x")]
)
async def test_the_same_key_with_another_body_is_a_conflict(other: TaskRequest) -> None:
    store, tasks = InMemoryHostStore(), Tasks()
    await submit_run(store, tasks, REQUEST, idempotency_key="k-3")
    with pytest.raises(IdempotencyConflictError) as caught:
        await submit_run(store, tasks, other, idempotency_key="k-3")
    assert "different request" in caught.value.reason
    assert len(tasks.posted) == 1


async def test_a_failed_send_leaves_no_run_and_a_retry_with_the_key_succeeds() -> None:
    store, tasks = InMemoryHostStore(), Tasks(TransientError("server busy"))
    with pytest.raises(SubmitUnavailableError) as caught:
        await submit_run(store, tasks, REQUEST, idempotency_key="k-4")
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 0
    assert store.runs_by_id == {}
    retried = await submit_run(store, tasks, REQUEST, idempotency_key="k-4")
    assert retried.replayed is False
    assert store.runs_by_id[retried.run_id]["status"] == "queued"


async def test_a_failed_send_without_a_key_leaves_no_run_either() -> None:
    store = InMemoryHostStore()
    with pytest.raises(SubmitUnavailableError):
        await submit_run(store, Tasks(TransientError("down")), REQUEST)
    with pytest.raises(PermanentError):
        await submit_run(store, Tasks(PermanentError("no such queue")), REQUEST)
    assert store.runs_by_id == {}


async def test_a_failed_re_send_keeps_the_run_an_earlier_request_made() -> None:
    store, tasks = InMemoryHostStore(), Tasks()
    first = await submit_run(store, tasks, REQUEST, idempotency_key="k-5")
    tasks.failures.append(TransientError("busy"))
    with pytest.raises(SubmitUnavailableError):
        await submit_run(store, tasks, REQUEST, idempotency_key="k-5")
    assert first.run_id in store.runs_by_id
