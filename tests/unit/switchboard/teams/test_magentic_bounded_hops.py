"""Magentic-One runs one orchestrator round per hop: a team that replans 150 times in a row (which used to be one
hop writing 150 entries) is split into bounded hops by `RoundContinued`, with the same transcript and result
in-process and hosted."""

from __future__ import annotations

from switchboard.hosting.memory import InMemoryHostStore
from switchboard.protocol import RoundContinued, TaskSubmitted
from switchboard.runtime import InMemoryStateStore, InProcessRuntime
from switchboard.runtime.protocols import Commit
from switchboard.teams import MagenticOneGroupChat
from switchboard.teams.magentic_state import MagenticOneState
from tests.support.hosted_teams import RUN, run_hosted
from tests.support.teams import assistants, scripted, text
from tests.unit.switchboard.teams.test_magentic_one import ORCHESTRATOR, ledger, said

REPLANS = 150


def stalling_team() -> MagenticOneGroupChat:
    """A team whose orchestrator stalls and replans REPLANS times in a row, then finds the request satisfied."""
    replans = [reply for n in range(REPLANS) for reply in (ledger(progress=False), said(f"F{n}"), said(f"P{n}"))]
    model = scripted(
        {
            ORCHESTRATOR: [said("F"), said("P"), *replans, ledger(done=True), said("ok")],
            "researcher": text("r"),
            "coder": text("coded"),
        }
    )
    return MagenticOneGroupChat(assistants(model, "researcher", "coder"), model, max_stalls=1, max_turns=None)


class CountingStore(InMemoryHostStore):
    """Records how many transcript entries and outgoing messages each hop's commit carried."""

    def __init__(self) -> None:
        super().__init__()
        self.hops: list[tuple[str, int]] = []

    async def commit(self, commit: Commit) -> str:
        self.hops.append((commit.agent, len(commit.transcript)))
        return await super().commit(commit)


class CountingMemoryStore(InMemoryStateStore):
    """The in-process store, recording the entries each hop's commit carried."""

    def __init__(self) -> None:
        super().__init__()
        self.hops: list[tuple[str, int]] = []

    async def commit(self, commit: Commit) -> str:
        self.hops.append((commit.agent, len(commit.transcript)))
        return await super().commit(commit)


def expected_sources() -> list[str]:
    # The task, the first ledger, one ledger per replan, the final answer.
    return ["user", *[ORCHESTRATOR] * (1 + REPLANS + 1)]


async def test_a_run_that_replans_150_times_writes_at_most_three_entries_per_hop_in_process() -> None:
    store = CountingMemoryStore()
    result = await stalling_team().run("task", store=store)
    assert max(count for _, count in store.hops) <= 3
    assert result.speakers() == expected_sources()
    assert result.transcript[-1].content == "ok"
    assert result.stop_reason == "all done"
    # Each replan posted its own ledger, in order.
    assert all(f"F{n}" in e.content and f"P{n}" in e.content for n, e in enumerate(result.transcript[2:-1]))
    state = await store.load(ORCHESTRATOR, result.run_id)
    assert state is not None
    saved = MagenticOneState.model_validate(state.data)
    assert (saved.replans, saved.n_rounds) == (REPLANS, REPLANS + 1)
    # Facts + plan + 150 × (ledger, facts, plan) + the last ledger + the final answer: each call made once.
    assert result.usage[ORCHESTRATOR].prompt_tokens == 100 * (2 + 3 * REPLANS + 2)


async def test_hosted_the_same_run_is_split_into_bounded_hops_with_the_same_transcript() -> None:
    in_process = await stalling_team().run("task")
    store = CountingStore()
    _, bus = await run_hosted(stalling_team(), "task", store=store, waves=REPLANS + 20)
    entries = await store.read(RUN, 0)
    assert [(e["source"], e["content"]) for e in entries] == [(e.source, e.content) for e in in_process.transcript]
    run = await store.read_run(RUN)
    assert run is not None
    assert (run["status"], run["stop_reason"]) == ("completed", "all done")
    manager_hops = [count for agent, count in store.hops if agent == ORCHESTRATOR]
    assert max(manager_hops) <= 3
    # Before one round per hop, the first hop wrote the task, the ledger, 150 replan ledgers and the answer at once.
    assert len(manager_hops) >= REPLANS
    assert bus.statuses == ["queued", "running", "completed"]


async def test_a_stale_or_redelivered_continuation_is_ignored() -> None:
    runtime = InProcessRuntime(stalling_team().agents())
    runtime.send(TaskSubmitted(task="task"), to=ORCHESTRATOR, run_id="r")
    await runtime.step()  # plan, one stalled round, a replan: the next round is sent to itself
    state = await runtime.state_of(ORCHESTRATOR, "r")
    assert isinstance(state, MagenticOneState)
    assert (state.n_rounds, state.replans, state.length) == (1, 1, 3)
    # A copy of an older continuation (another round count) changes nothing.
    runtime.send(RoundContinued(team=ORCHESTRATOR, turn=0, round=0), to=ORCHESTRATOR, run_id="r")
    await runtime.run_until_idle()
    final = await runtime.state_of(ORCHESTRATOR, "r")
    assert isinstance(final, MagenticOneState)
    assert final.stop_reason == "all done"
    assert final.n_rounds == REPLANS + 1
    assert final.length == len(expected_sources())
