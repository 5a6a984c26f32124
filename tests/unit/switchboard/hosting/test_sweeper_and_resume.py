"""The stranded-run sweeper and `runs resume` (switchboard/hosting/sweeper.py, resume.py) on in-memory ports."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from switchboard.hosting.resume import (
    CommittedRun,
    ResumeRefusedError,
    ResumeRunNotFoundError,
    frontier,
    plan,
    resume_run,
)
from switchboard.hosting.sweeper import sweep
from switchboard.messages import Envelope
from switchboard.testing import InMemoryRunEvents
from tests.support.hosting_agents import Job, JobDone, hosting_router

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


@dataclass
class Runs:
    """Run documents by id, with the sweeper's two requests."""

    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    queried: list[tuple[list[str], str]] = field(default_factory=list)

    async def stale_runs(self, statuses: Sequence[str], cutoff: str, limit: int) -> list[Mapping[str, Any]]:
        self.queried.append((list(statuses), cutoff))
        found: list[Mapping[str, Any]] = [
            d for d in self.docs.values() if d["status"] in statuses and d["updated_at"] < cutoff
        ]
        return sorted(found, key=lambda d: d["updated_at"])[:limit]

    async def fail_if_unchanged(self, run_id: str, updated_at: str, error: str) -> bool:
        doc = self.docs[run_id]
        if doc["status"] not in ("queued", "running") or doc["updated_at"] != updated_at:
            return False
        doc.update(status="failed", error=error)
        return True


def doc(run_id: str, status: str, age: timedelta) -> dict[str, Any]:
    return {"id": run_id, "status": status, "updated_at": (NOW - age).isoformat()}


async def test_the_sweeper_fails_only_active_runs_without_progress_past_the_threshold() -> None:
    runs = Runs()
    for run in (
        doc("stuck-running", "running", timedelta(hours=3)),
        doc("stuck-queued", "queued", timedelta(hours=5)),
        doc("recent", "running", timedelta(minutes=10)),
        doc("asking", "awaiting_input", timedelta(days=3)),
        doc("done", "completed", timedelta(days=3)),
    ):
        runs.docs[run["id"]] = run
    events = InMemoryRunEvents(hosting_router()[0])
    report = await sweep(runs, events, now=NOW, stale_after=timedelta(hours=2))
    assert report.failed == ["stuck-queued", "stuck-running"]  # oldest first
    assert runs.queried == [(["queued", "running"], (NOW - timedelta(hours=2)).isoformat())]
    assert runs.docs["stuck-running"]["error"].startswith("stranded: running with no committed progress since")
    assert "switchboard runs resume" in runs.docs["stuck-running"]["error"]
    assert {run: runs.docs[run]["status"] for run in ("recent", "asking", "done")} == {
        "recent": "running",
        "asking": "awaiting_input",
        "done": "completed",
    }
    assert [(e.run_id, e.status) for e in events.events] == [("stuck-queued", "failed"), ("stuck-running", "failed")]


async def test_a_run_that_commits_between_the_query_and_the_failure_is_left_alone() -> None:
    runs = Runs({"r": doc("r", "running", timedelta(hours=3))})

    class Moving(Runs):
        async def fail_if_unchanged(self, run_id: str, updated_at: str, error: str) -> bool:
            self.docs[run_id]["updated_at"] = NOW.isoformat()  # a hop committed meanwhile
            return await super().fail_if_unchanged(run_id, updated_at, error)

    moving = Moving(runs.docs)
    events = InMemoryRunEvents(hosting_router()[0])
    report = await sweep(moving, events, now=NOW, stale_after=timedelta(hours=2))
    assert (report.failed, report.moved) == ([], ["r"])
    assert moving.docs["r"]["status"] == "running"
    assert events.events == []


RUN = "run-r"
ROUTER = hosting_router()[0]


def env(message: Any, message_id: str, target: str | None, minute: int) -> Envelope:
    return Envelope.wrap(
        message,
        run_id=RUN,
        message_id=message_id,
        source="worker",
        target=target,
        created_at=NOW + timedelta(minutes=minute),
    )


def committed(status: str = "failed", **overrides: Any) -> CommittedRun:
    fields: dict[str, Any] = {
        "run": {"id": RUN, "status": status, "team": "team"},
        "agents_with_state": frozenset({"manager", "worker"}),
        "sent": (
            env(Job(kind="ok", n=1), "m-1", "worker", 1),
            env(JobDone(n=1, effect=1), "m-2", None, 2),  # published: fanned out to its subscribers
            env(Job(kind="ok", n=2), "m-3", "worker", 3),
        ),
        "handled": frozenset({("worker", "m-1")}),
    }
    fields.update(overrides)
    return CommittedRun(**fields)


def test_the_frontier_is_every_sent_message_its_receiver_never_handled_in_send_order() -> None:
    pending = frontier(committed(), ROUTER)
    assert [(e.target, e.message_id) for e in pending] == [("sink", "m-2"), ("worker", "m-3")]


@pytest.mark.parametrize(
    ("state", "says"),
    [
        (committed("completed"), "is completed: only a failed run is resumed (it ended on purpose)"),
        (committed("cancelled"), "it ended on purpose"),
        (committed("running"), "it has not failed"),
        (committed(run={"id": RUN, "status": "failed", "team": "gone"}), "team 'gone' is not in this deployment"),
        (committed(agents_with_state=frozenset({"worker"})), "no committed state"),
        (committed(handled=frozenset({("worker", "m-1"), ("sink", "m-2"), ("worker", "m-3")})), "nothing would move"),
    ],
)
def test_resuming_is_refused_with_the_reason_where_it_is_not_safe(state: CommittedRun, says: str) -> None:
    with pytest.raises(ResumeRefusedError, match=re.escape(says)):
        plan(RUN, state, managers={"team": "manager"}, agents={"manager", "worker", "sink"}, routes=ROUTER)


def test_a_frontier_for_an_agent_a_deploy_removed_is_refused() -> None:
    with pytest.raises(ResumeRefusedError, match="goes to sink, not in this deployment"):
        plan(RUN, committed(), managers={"team": "manager"}, agents={"manager", "worker"}, routes=ROUTER)


def test_an_unknown_run_is_not_found() -> None:
    with pytest.raises(ResumeRunNotFoundError):
        plan(RUN, CommittedRun(None), managers={}, agents=set(), routes=ROUTER)


@dataclass
class Partition:
    state: CommittedRun
    reopened: list[str] = field(default_factory=list)
    reopens: bool = True

    async def committed(self, run_id: str) -> CommittedRun:
        return self.state

    async def reopen(self, run_id: str) -> bool:
        self.reopened.append(run_id)
        return self.reopens


@dataclass
class Sender:
    sent: list[tuple[str, str, str]] = field(default_factory=list)

    async def redrive(self, envelopes: Sequence[Envelope], *, attempt: str) -> None:
        self.sent.extend((str(e.target), e.message_id, attempt) for e in envelopes)


async def test_resume_reopens_the_run_resends_its_frontier_and_announces_running() -> None:
    partition, sender = Partition(committed()), Sender()
    events = InMemoryRunEvents(ROUTER)
    result = await resume_run(
        RUN,
        partition=partition,
        sender=sender,
        events=events,
        managers={"team": "manager"},
        agents={"manager", "worker", "sink"},
        routes=ROUTER,
    )
    assert partition.reopened == [RUN]
    assert result.resent == [("sink", "m-2"), ("worker", "m-3")]
    assert sender.sent == [("sink", "m-2", result.attempt), ("worker", "m-3", result.attempt)]
    assert [(e.status, e.event_id) for e in events.events] == [("running", f"{RUN}/resume-{result.attempt}/running")]


async def test_a_run_that_changed_while_resuming_sends_nothing() -> None:
    partition, sender = Partition(committed(), reopens=False), Sender()
    with pytest.raises(ResumeRefusedError, match="changed while it was being resumed"):
        await resume_run(
            RUN,
            partition=partition,
            sender=sender,
            events=InMemoryRunEvents(ROUTER),
            managers={"team": "manager"},
            agents={"manager", "worker", "sink"},
            routes=ROUTER,
        )
    assert sender.sent == []
