"""CosmosRunStore on the Cosmos emulator through azure-cosmos aio: the commit batch, ETags, steps, run views."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from switchboard.errors import Disposition, DuplicateMessageError, StateConflictError, disposition_for
from switchboard.hosting.ports import RunEndedError
from switchboard.hosting.settings import HostingSettings
from switchboard.messages import Envelope
from switchboard.runtime.protocols import Commit, TranscriptRecord
from switchboard.state import CosmosRunStore, StoreUnavailableError
from tests.support.emulators import restart_cosmos, start_cosmos
from tests.support.hosting_agents import Job

pytestmark = pytest.mark.emulator

RUN = "run-store-1"
AT = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def outgoing(n: int = 1) -> tuple[Envelope, ...]:
    return tuple(
        Envelope.wrap(Job(n=i), run_id=RUN, message_id=f"out-{i}", source="worker", target="sink", created_at=AT)
        for i in range(n)
    )


def commit(
    message_id: str, *, etag: str | None, data: dict[str, Any], entries: range = range(0), **extra: Any
) -> Commit:
    return Commit(
        agent="worker",
        run_id=RUN,
        message_id=message_id,
        schema_version=1,
        state=data,
        expected_etag=etag,
        outgoing=extra.pop("out", outgoing()),
        transcript=tuple(TranscriptRecord(i, {"source": "writer", "content": f"entry {i}"}) for i in entries),
        run_patch=extra.pop("run_patch", {"updated_at": "2026-11-29T10:00:00+00:00"}),
    )


async def items_of(store: CosmosRunStore) -> dict[str, dict[str, Any]]:
    return {doc["id"]: doc async for doc in store.container.query_items("SELECT * FROM c", partition_key=RUN)}


async def test_one_commit_writes_inbox_state_outbox_entries_and_run_patch_in_one_batch(store: CosmosRunStore) -> None:
    assert await store.create_run(RUN, task="t", team="team")
    before = store.counter.snapshot()
    etag = await store.commit(
        commit("m1", etag=None, data={"jobs": 1}, entries=range(2), run_patch={"status": "running"})
    )
    assert (store.counter.snapshot() - before).requests == 1
    found = await items_of(store)
    assert set(found) == {RUN, "state:worker", "inbox:worker:m1", "outbox:worker:m1", "entry:000000", "entry:000001"}
    assert found["state:worker"]["data"] == {"jobs": 1}
    assert found["state:worker"]["_etag"] == etag
    assert found["state:worker"]["type"] == "state"
    assert found["inbox:worker:m1"]["type"] == "inbox"
    assert found["outbox:worker:m1"]["envelopes"][0]["message_id"] == "out-0"
    assert found["entry:000001"] == {**found["entry:000001"], "index": 1, "type": "entry", "content": "entry 1"}
    assert found[RUN]["status"] == "running"
    assert all(doc["run_id"] == RUN for doc in found.values())
    loaded = await store.load("worker", RUN)
    assert loaded is not None
    assert (loaded.agent, loaded.schema_version, loaded.data, loaded.etag) == ("worker", 1, {"jobs": 1}, etag)
    assert await store.load("critic", RUN) is None


async def test_a_second_commit_of_the_same_message_raises_duplicate_and_changes_nothing(store: CosmosRunStore) -> None:
    await store.create_run(RUN, task="t", team="team")
    etag = await store.commit(commit("m1", etag=None, data={"jobs": 1}, entries=range(1)))
    before = await items_of(store)
    with pytest.raises(DuplicateMessageError):
        # Even with the right etag and new entries, the inbox mark wins: nothing of it is stored.
        await store.commit(commit("m1", etag=etag, data={"jobs": 2}, entries=range(1, 3), out=outgoing(2)))
    assert await items_of(store) == before
    stored = await store.outbox("worker", RUN, "m1")
    assert stored == outgoing()


async def test_a_stale_etag_is_a_state_conflict_and_rolls_the_whole_batch_back(store: CosmosRunStore) -> None:
    await store.create_run(RUN, task="t", team="team")
    first = await store.commit(commit("m1", etag=None, data={"jobs": 1}))
    await store.commit(commit("m2", etag=first, data={"jobs": 2}))
    with pytest.raises(StateConflictError):
        await store.commit(commit("m3", etag=first, data={"jobs": 99}, entries=range(5, 6)))
    with pytest.raises(StateConflictError):  # created meanwhile by someone else
        await store.commit(commit("m4", etag=None, data={"jobs": 99}))
    found = await items_of(store)
    assert found["state:worker"]["data"] == {"jobs": 2}
    assert not {"inbox:worker:m3", "outbox:worker:m3", "entry:000005", "inbox:worker:m4"} & set(found)


async def test_a_commit_on_an_ended_run_is_refused_whole(store: CosmosRunStore) -> None:
    await store.create_run(RUN, task="t", team="team")
    assert await store.request_cancel(RUN) == "cancelled"
    with pytest.raises(RunEndedError):
        await store.commit(commit("m1", etag=None, data={"jobs": 1}))
    assert set(await items_of(store)) == {RUN}


async def test_steps_are_written_through_first_write_wins_and_the_hop_snapshot_reads_them(
    store: CosmosRunStore,
) -> None:
    await store.create_run(RUN, task="t", team="team")
    await store.record(RUN, "worker:m1:0", {"kind": "tool", "result": {"answer": 42}})
    await store.record(RUN, "worker:m1:0", {"kind": "tool", "result": "second"})
    await store.record(RUN, "worker:m1:1", {"kind": "chat", "result": "hi"})
    await store.record(RUN, "worker:m2:0", {"kind": "chat", "result": "other message"})
    assert await store.recall(RUN, "worker:m1:0") == {"kind": "tool", "result": {"answer": 42}}
    assert await store.recall(RUN, "worker:m9:0") is None
    before = store.counter.snapshot()
    snapshot = await store.snapshot(RUN, "worker", "m1")
    assert (store.counter.snapshot() - before).requests == 1
    assert snapshot.steps == {
        "worker:m1:0": {"kind": "tool", "result": {"answer": 42}},
        "worker:m1:1": {"kind": "chat", "result": "hi"},
    }
    assert snapshot.status == "queued"
    assert snapshot.state is None
    assert snapshot.outbox is None
    await store.commit(commit("m1", etag=None, data={"jobs": 1}))
    again = await store.snapshot(RUN, "worker", "m1")
    assert again.outbox == outgoing()
    assert again.state is not None
    assert again.state.data == {"jobs": 1}
    other = await store.snapshot(RUN, "worker", "m2")
    assert other.steps == {"worker:m2:0": {"kind": "chat", "result": "other message"}}
    assert other.outbox is None


async def test_run_documents_and_the_run_view(store: CosmosRunStore) -> None:
    assert await store.create_run(RUN, task="write", team="team")
    assert not await store.create_run(RUN, task="other", team="x")  # a re-post changes nothing
    await store.create_run("run-store-2", task="second", team="team")
    entries = (
        TranscriptRecord(0, {"source": "user", "content": "write", "kind": "task"}),
        TranscriptRecord(
            1, {"source": "writer", "content": "a", "usage": {"prompt_tokens": 3, "completion_tokens": 4}}
        ),
        TranscriptRecord(
            2, {"source": "writer", "content": "b", "usage": {"prompt_tokens": 1, "completion_tokens": 1}}
        ),
    )
    await store.commit(
        Commit("team", RUN, "m1", 1, {}, None, (), entries[::-1], {"status": "running", "updated_at": "later"})
    )
    view = await store.get_run(RUN)
    assert view is not None
    assert view["id"] == RUN
    assert (view["status"], view["task"], view["team"], view["updated_at"]) == ("running", "write", "team", "later")
    assert [e["content"] for e in view["transcript"]] == ["write", "a", "b"]
    assert view["usage"] == {"writer": {"prompt_tokens": 4, "completion_tokens": 5}}
    assert await store.read(RUN, 1, 2) == [entries[1].entry]
    assert await store.get_run("nope") is None
    listed = await store.list_runs()
    assert {run["run_id"] for run in listed} == {RUN, "run-store-2"}
    assert [run["run_id"] for run in await store.list_runs(status="running")] == [RUN]
    assert await store.fail_run(RUN, "Broken: no") is True
    assert await store.fail_run(RUN, "again") is False
    assert await store.request_cancel(RUN) == "failed"
    failed = await store.read_run(RUN)
    assert failed is not None
    assert (failed["status"], failed["error"]) == ("failed", "Broken: no")


async def test_commit_bytes_stay_flat_as_the_transcript_grows(store: CosmosRunStore) -> None:
    await store.create_run(RUN, task="t", team="team")
    etag: str | None = None
    sizes = []
    for i in range(60):
        before = store.counter.snapshot()
        etag = await store.commit(commit(f"m{i}", etag=etag, data={"jobs": i}, entries=range(i, i + 1)))
        sizes.append((store.counter.snapshot() - before).bytes_sent)
    # The first commit creates the state (no If-Match); after that only the digits of indexes and ids grow.
    assert max(sizes[-10:]) <= min(sizes[1:10]) + 16


async def test_a_cosmos_outage_is_transient_and_the_same_store_recovers_after_a_restart(tmp_path: Path) -> None:
    own = start_cosmos(tmp_path)  # its own process: this test kills it
    settings = HostingSettings.model_validate({"COSMOS_ENDPOINT": own.endpoint, "COSMOS_KEY": own.key})
    store = CosmosRunStore.from_settings(settings)
    try:
        await store.create_if_missing()
        await store.create_run(RUN, task="t", team="team")
        own.process.kill_hard()
        with pytest.raises(StoreUnavailableError) as raised:
            await store.read_run(RUN)
        assert disposition_for(raised.value) is Disposition.RETRY
        own = restart_cosmos(own, tmp_path)
        run = await store.read_run(RUN)
        assert run is not None
        assert run["status"] == "queued"
    finally:
        await store.close()
        own.process.stop()


async def test_the_store_reaches_the_emulator_over_https_with_its_own_transport(settings: HostingSettings) -> None:
    """The store's own transport (no per-request proxy or netrc lookups) reaches an https endpoint too."""
    endpoint = (settings.cosmos_endpoint or "").replace("http://", "https://")
    assert endpoint.startswith("https://127.0.0.1:")
    secure = settings.model_copy(update={"cosmos_endpoint": endpoint})
    opened = CosmosRunStore.from_settings(secure)
    try:
        await opened.create_if_missing()
        assert await opened.create_run("run-over-tls", task="t", team="team")
        assert (await opened.read_run("run-over-tls") or {})["status"] == "queued"
    finally:
        await opened.close()
