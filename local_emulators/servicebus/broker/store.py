"""Durable state in SQLite (WAL): messages, session states, sequence counters; group commit per tick.

Changes reported through the `Journal` interface are coalesced in memory and written in one
transaction at the end of the current event-loop tick; a send is acknowledged only after the
commit that holds it (see `committed`). ``synchronous=NORMAL`` in WAL mode survives a process
kill (the OS keeps the written WAL pages), which is the crash this emulator promises to survive.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from local_emulators.servicebus.amqp import codec
from local_emulators.servicebus.broker.messages import Message
from local_emulators.servicebus.errors import StoreError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (entity TEXT NOT NULL, seq INTEGER NOT NULL, bare BLOB NOT NULL,
    meta BLOB NOT NULL, state INTEGER NOT NULL, delivery_count INTEGER NOT NULL, lock_token BLOB,
    locked_until INTEGER NOT NULL, enqueued_ms INTEGER NOT NULL, PRIMARY KEY (entity, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (entity TEXT NOT NULL, session_id TEXT NOT NULL, state BLOB,
    PRIMARY KEY (entity, session_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (entity TEXT PRIMARY KEY, last_seq INTEGER NOT NULL);
"""
_PUT, _META, _DELETE = 0, 1, 2
LAZY_SECONDS = 0.05


def _meta(m: Message) -> bytes:
    """What never changes after enqueue, AMQP-encoded so that every value keeps its type."""
    return codec.encode(
        [m.annotations, m.header, m.message_id, m.session_id, m.expires_ms, m.scheduled_ms, m.dead_letter_source]
    )


def _dynamic(m: Message) -> tuple[int, int, bytes | None, int, int]:
    token = m.lock_token.bytes if m.lock_token is not None else None
    return m.state, m.delivery_count, token, m.locked_until_ms, m.enqueued_ms


def _message(seq: int, bare: bytes, meta: bytes, dynamic: tuple[Any, ...]) -> Message:
    f: list[Any] = codec.decode(meta)[0]
    state, delivery_count, token, locked_until, enqueued = dynamic
    return Message(
        seq=seq,
        bare=bare,
        annotations=f[0],
        header=f[1],
        message_id=f[2],
        session_id=f[3],
        enqueued_ms=enqueued,
        expires_ms=f[4],
        delivery_count=delivery_count,
        state=state,
        scheduled_ms=f[5],
        lock_token=uuid.UUID(bytes=token) if token else None,
        locked_until_ms=locked_until,
        dead_letter_source=f[6],
    )


class SqliteStore:
    """A `Journal` that makes the broker's state durable in ``<data_dir>/servicebus.sqlite``."""

    def __init__(self, data_dir: Path) -> None:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(data_dir / "servicebus.sqlite", isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the store in {data_dir}: {exc}") from exc
        self._pending: dict[tuple[str, int], tuple[int, Message | None]] = {}
        self._sessions: dict[tuple[str, str], bytes | None] = {}
        self._last_seq: dict[str, int] = {}
        self._clear = False
        self._waiter: asyncio.Future[None] | None = None
        self._handle: asyncio.Handle | None = None
        self._urgent = False

    # ---------------------------------------------------------------- Journal
    def saved(self, entity: str, message: Message) -> None:
        """Record a new message."""
        self._pending[(entity, message.seq)] = (_PUT, message)
        if message.seq > self._last_seq.get(entity, 0):
            self._last_seq[entity] = message.seq
        self._schedule(urgent=True)

    def touched(self, entity: str, message: Message) -> None:
        """Record a metadata change."""
        key = (entity, message.seq)
        if self._pending.get(key, (_META, None))[0] != _PUT:
            self._pending[key] = (_META, message)
        # A new lock is written at once so that it still holds (and then expires) after a crash.
        self._schedule(urgent=message.lock_token is not None)

    def removed(self, entity: str, seq: int) -> None:
        """Record a removal (a message added and removed within one batch is never written)."""
        key = (entity, seq)
        if self._pending.get(key, (_DELETE, None))[0] == _PUT:
            del self._pending[key]
        else:
            self._pending[key] = (_DELETE, None)
        self._schedule()

    def session_state(self, entity: str, session_id: str, state: bytes | None) -> None:
        """Record a session state."""
        self._sessions[(entity, session_id)] = state
        self._schedule()

    def cleared(self) -> None:
        """Record a purge of everything."""
        self._pending.clear()
        self._sessions.clear()
        self._clear = True
        self._schedule(urgent=True)

    # ---------------------------------------------------------------- commit
    def _schedule(self, urgent: bool = False) -> None:
        # New messages are committed at the end of this loop tick (their sends wait for it); locks,
        # settlements and state changes ride along or go out within LAZY_SECONDS, so a burst of
        # completions shares one transaction. A crash in that window only means redelivery.
        if self._handle is not None and (self._urgent or not urgent):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._handle is not None:
            self._handle.cancel()
        self._urgent = urgent
        self._handle = loop.call_soon(self.flush) if urgent else loop.call_later(LAZY_SECONDS, self.flush)

    async def committed(self) -> None:
        """Wait until every change recorded so far is committed."""
        if not self._pending and not self._sessions and not self._clear:
            return
        if self._waiter is None:
            self._waiter = asyncio.get_running_loop().create_future()
        waiter = self._waiter
        self._schedule(urgent=True)
        await asyncio.shield(waiter)

    def flush(self) -> None:
        """Write every pending change in one transaction."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        waiter, self._waiter = self._waiter, None
        puts, metas, deletes = [], [], []
        for (entity, seq), (op, message) in self._pending.items():
            if op == _PUT and message is not None:
                puts.append((entity, seq, message.bare, _meta(message), *_dynamic(message)))
            elif op == _META and message is not None:
                metas.append((*_dynamic(message), entity, seq))
            else:
                deletes.append((entity, seq))
        sessions = [(e, s, state) for (e, s), state in self._sessions.items()]
        counters = list(self._last_seq.items())
        self._pending, self._sessions, self._last_seq = {}, {}, {}
        clear, self._clear = self._clear, False
        db = self._db
        db.execute("BEGIN")
        if clear:
            db.execute("DELETE FROM messages")
            db.execute("DELETE FROM sessions")
            db.execute("DELETE FROM counters")
        db.executemany("INSERT OR REPLACE INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", puts)
        db.executemany(
            "UPDATE messages SET state = ?, delivery_count = ?, lock_token = ?, locked_until = ?, enqueued_ms = ? "
            "WHERE entity = ? AND seq = ?",
            metas,
        )
        db.executemany("DELETE FROM messages WHERE entity = ? AND seq = ?", deletes)
        db.executemany("INSERT OR REPLACE INTO sessions VALUES (?, ?, ?)", sessions)
        db.executemany(
            "INSERT INTO counters VALUES (?, ?) ON CONFLICT(entity) DO UPDATE SET last_seq = "
            "max(last_seq, excluded.last_seq)",
            counters,
        )
        db.execute("COMMIT")
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # ---------------------------------------------------------------- loading
    def load_messages(self) -> Iterator[tuple[str, Message]]:
        """Yield every stored message with its entity path, in sequence order."""
        rows = self._db.execute(
            "SELECT entity, seq, bare, meta, state, delivery_count, lock_token, locked_until, "
            "enqueued_ms FROM messages ORDER BY seq"
        )
        for entity, seq, bare, meta, *dynamic in rows:
            yield entity, _message(seq, bare, meta, tuple(dynamic))

    def load_sessions(self) -> Iterator[tuple[str, str, bytes | None]]:
        """Yield every stored session state."""
        yield from self._db.execute("SELECT entity, session_id, state FROM sessions")

    def load_counters(self) -> dict[str, int]:
        """Return the last sequence number handed out per entity."""
        return dict(self._db.execute("SELECT entity, last_seq FROM counters"))

    def close(self) -> None:
        """Write what is pending and close the database."""
        self.flush()
        self._db.close()
