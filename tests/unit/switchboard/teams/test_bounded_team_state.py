"""A team run's documents stay the same size however long it runs: the transcript lives entry by entry."""

from __future__ import annotations

import json
from typing import Any

from switchboard.agentchat import AssistantAgent
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.protocol import RunCompleted, TaskSubmitted, TurnRequested
from switchboard.protocol.messages import TEAM_MESSAGES
from switchboard.runtime import Commit, InMemoryStateStore, InProcessRuntime
from switchboard.teams import RoundRobinGroupChat
from switchboard.termination import MaxMessageTermination
from switchboard.testing import AgentHarness, as_received


class MeasuringStore(InMemoryStateStore):
    """Records the size of every committed state document, per agent, in commit order."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: dict[str, list[int]] = {}

    async def commit(self, commit: Commit) -> str:
        self.sizes.setdefault(commit.agent, []).append(len(json.dumps(commit.state)))
        return await super().commit(commit)


def _team(turns: int) -> RoundRobinGroupChat:
    reply = {"content": "A reply of a steady length, as a model gives on every turn of a long run."}
    model = ScriptedModelClient(
        Script.model_validate({"agents": {"writer": [reply] * turns, "critic": [reply] * turns}})
    )
    participants = [AssistantAgent(name, model_client=model) for name in ("writer", "critic")]
    return RoundRobinGroupChat(participants, termination=MaxMessageTermination(turns + 1))


async def _run(turns: int) -> tuple[MeasuringStore, InProcessRuntime]:
    team = _team(turns)
    store = MeasuringStore()
    runtime = InProcessRuntime(team.agents(), store=store, extra_messages=TEAM_MESSAGES)
    runtime.send(TaskSubmitted(task="discuss"), to="team", run_id="long")
    await runtime.run_until_idle()
    return store, runtime


async def test_state_bytes_per_hop_stay_flat_in_run_length() -> None:
    store, _ = await _run(120)
    assert store.transcript_length("long") == 121
    for agent in ("team", "writer", "critic"):
        sizes = store.sizes[agent]
        # An assistant's window (32 messages) is full after ~16 turns; the manager's last hop adds the stop reason
        # once. Compare hops 40-50 with the last ones before that.
        early, late = max(sizes[40:50]), max(sizes[-10:-1])
        # Counters gain a digit (turn 40 -> 119, token sums); nothing grows with the transcript.
        assert late <= early + 16, (agent, early, late)


async def test_run_completed_carries_no_transcript_and_its_size_does_not_grow() -> None:
    sizes = []
    for turns in (10, 100):
        _, runtime = await _run(turns)
        (done_envelope,) = [e for e in runtime.unrouted if e.type == RunCompleted.message_type]
        done = runtime.router.registry.decode(done_envelope)
        assert isinstance(done, RunCompleted)
        assert done.entry_count == turns + 1
        assert set(done.model_dump()) == {"team", "stop_reason", "usage", "entry_count"}
        sizes.append(len(done_envelope.to_json()))
    assert sizes[1] <= sizes[0] + 16


async def test_team_result_reads_the_transcript_from_the_log() -> None:
    result = await _team(6).run("discuss", run_id="r")
    assert [e.source for e in result.transcript] == ["user", "writer", "critic", "writer", "critic", "writer", "critic"]
    assert result.transcript[0].content == "discuss"


async def test_each_speaker_is_shown_only_what_it_has_not_seen() -> None:
    harness = AgentHarness(_team(5).agents(), extra_messages=TEAM_MESSAGES)
    harness.send(TaskSubmitted(task="discuss"), to="team")
    await harness.run()
    requests = harness.envelopes(TurnRequested)
    # On the wire a request names the unseen range; the entries are read from the store on arrival.
    assert all(not e.payload["new_messages"] and e.payload["start"] is not None for e in requests)
    asked: list[tuple[str | None, list[str]]] = [
        (
            e.target,
            [
                m.source
                for m in as_received(TurnRequested.model_validate(e.payload), e.run_id, harness.store).new_messages
            ],
        )
        for e in requests
    ]
    assert asked == [
        ("writer", ["user"]),
        ("critic", ["user", "writer"]),
        ("writer", ["critic"]),
        ("critic", ["writer"]),
        ("writer", ["critic"]),
    ]


async def test_a_redelivered_start_after_its_commit_only_resends_the_stored_outbox() -> None:
    harness = AgentHarness(_team(2).agents(), extra_messages=TEAM_MESSAGES)
    start = harness.send(TaskSubmitted(task="discuss"), to="team")
    await harness.run()
    before: list[Any] = await harness.transcript()
    commits = harness.store.commits
    harness.redeliver(start)
    await harness.run()
    # Every hop downstream is a duplicate too (same deterministic ids): nothing is handled or stored again.
    assert harness.store.commits == commits
    assert await harness.transcript() == before
    assert len(harness.emitted(RunCompleted)) == 1
