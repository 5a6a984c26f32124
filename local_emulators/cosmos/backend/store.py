"""SQLite persistence: every acknowledged write is committed here first, in one transaction.

WAL mode with `synchronous=NORMAL` survives a crash of the process (kill -9) because committed pages
reach the operating system before the call returns; only a power cut could lose the last commits.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from local_emulators.cosmos.backend import change_log
from local_emulators.cosmos.backend.models import ItemRecord

_SCHEMA = """
CREATE TABLE IF NOT EXISTS databases (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS containers (
    rid TEXT PRIMARY KEY, db_id TEXT NOT NULL, id TEXT NOT NULL, lsn INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS offers (rid TEXT PRIMARY KEY, resource_rid TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    coll_rid TEXT NOT NULL, pk TEXT NOT NULL, id TEXT NOT NULL, epk TEXT NOT NULL, lsn INTEGER NOT NULL,
    seq INTEGER NOT NULL, ts INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (coll_rid, pk, id)) WITHOUT ROWID;
"""


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class SqliteStore:
    """The durable copy of the emulator's state.

    Args:
        path: The database file, or `None` for a throwaway in-memory store.
    """

    def __init__(self, path: Path | None) -> None:
        target = str(path) if path is not None else ":memory:"
        self._conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self._conn.executescript(change_log.SCHEMA)

    def close(self) -> None:
        """Close the database file."""
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work; rolled back if the block raises."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # ------------------------------------------------------------------ loading
    def databases(self) -> list[dict[str, Any]]:
        """Every stored database body."""
        return [json.loads(row[0]) for row in self._conn.execute("SELECT body FROM databases")]

    def containers(self) -> list[tuple[str, int, dict[str, Any]]]:
        """Every stored container as (database id, LSN, body)."""
        rows = self._conn.execute("SELECT db_id, lsn, body FROM containers")
        return [(db_id, lsn, json.loads(body)) for db_id, lsn, body in rows]

    def offers(self) -> list[tuple[str, dict[str, Any]]]:
        """Every stored offer as (resource rid, body)."""
        return [(rid, json.loads(body)) for rid, body in self._conn.execute("SELECT resource_rid, body FROM offers")]

    def items(self, coll_rid: str) -> Iterator[ItemRecord]:
        """The records of one container, in creation order."""
        rows = self._conn.execute(
            "SELECT id, pk, epk, lsn, seq, ts, body FROM items WHERE coll_rid = ? ORDER BY seq", (coll_rid,)
        )
        for item_id, pk, epk, lsn, seq, ts, body in rows:
            yield ItemRecord(id=item_id, pk=pk, epk=epk, lsn=lsn, seq=seq, ts=ts, body=json.loads(body), text=body)

    def changes_after(self, coll_rid: str, after_lsn: int, pk: str | None) -> Iterator[change_log.ChangeEntry]:
        """The change log of one container after an LSN (optionally one partition key), in LSN order."""
        sql = "SELECT lsn, pk, epk, entry FROM change_log WHERE coll_rid = ? AND lsn > ?"
        args: tuple[Any, ...] = (coll_rid, after_lsn)
        if pk is not None:
            sql, args = sql + " AND pk = ?", (*args, pk)
        for lsn, key, epk, entry in self._conn.execute(sql + " ORDER BY lsn, rowid", args):
            yield change_log.ChangeEntry(lsn, key, epk, entry)

    # ------------------------------------------------------------------ catalog writes
    def put_database(self, body: dict[str, Any]) -> None:
        """Insert or overwrite a database."""
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO databases VALUES (?, ?)", (body["id"], _dumps(body)))

    def delete_database(self, db_id: str, container_rids: Iterable[str]) -> None:
        """Delete a database and everything in its containers."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM databases WHERE id = ?", (db_id,))
            for rid in container_rids:
                self._delete_container(conn, rid)

    def put_container(self, db_id: str, lsn: int, body: dict[str, Any]) -> None:
        """Insert or overwrite a container."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO containers VALUES (?, ?, ?, ?, ?)",
                (body["_rid"], db_id, body["id"], lsn, _dumps(body)),
            )

    def delete_container(self, rid: str) -> None:
        """Delete a container, its items and its offer."""
        with self.transaction() as conn:
            self._delete_container(conn, rid)

    @staticmethod
    def _delete_container(conn: sqlite3.Connection, rid: str) -> None:
        conn.execute("DELETE FROM containers WHERE rid = ?", (rid,))
        conn.execute("DELETE FROM items WHERE coll_rid = ?", (rid,))
        conn.execute("DELETE FROM change_log WHERE coll_rid = ?", (rid,))
        conn.execute("DELETE FROM offers WHERE resource_rid = ?", (rid,))

    def put_offer(self, resource_rid: str, body: dict[str, Any]) -> None:
        """Insert or overwrite an offer."""
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO offers VALUES (?, ?, ?)", (body["_rid"], resource_rid, _dumps(body)))

    def delete_offers_of(self, resource_rid: str) -> None:
        """Delete the offers of a resource."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM offers WHERE resource_rid = ?", (resource_rid,))

    # ------------------------------------------------------------------ item writes
    def commit_items(
        self,
        coll_rid: str,
        lsn: int,
        upserts: Iterable[ItemRecord],
        deletes: Iterable[tuple[str, str]],
        changes: Iterable[change_log.ChangeEntry] = (),
    ) -> None:
        """Write a container's staged changes and its new LSN in one transaction.

        Args:
            coll_rid: The container's rid.
            lsn: The container's LSN after these changes.
            upserts: Records to insert or overwrite.
            deletes: (partition key string, id) pairs to remove.
            changes: The full-fidelity change log entries of these changes.
        """
        with self.transaction() as conn:
            for pk, item_id in deletes:
                conn.execute("DELETE FROM items WHERE coll_rid = ? AND pk = ? AND id = ?", (coll_rid, pk, item_id))
            conn.executemany(
                "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(coll_rid, r.pk, r.id, r.epk, r.lsn, r.seq, r.ts, r.text) for r in upserts],
            )
            conn.executemany(
                "INSERT INTO change_log VALUES (?, ?, ?, ?, ?)",
                [(coll_rid, c.lsn, c.pk, c.epk, c.entry) for c in changes],
            )
            conn.execute("UPDATE containers SET lsn = ? WHERE rid = ?", (lsn, coll_rid))

    def wipe(self) -> None:
        """Delete everything (the control plane's reset)."""
        with self.transaction() as conn:
            for table in ("items", "change_log", "offers", "containers", "databases"):
                conn.execute(f"DELETE FROM {table}")
