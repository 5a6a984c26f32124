"""Durable storage of accepted envelopes in SQLite, indexed by operation id (= trace id), run id and name.

WAL mode with `synchronous=NORMAL`: a committed transaction survives a crash of the process (kill -9), and an
item is acknowledged only after its transaction commits. Readers (`show --data-dir`) open their own connection
while the emulator writes.

Quota (Azure-like retention): when the stored envelopes pass `max_stored_items` or `max_stored_bytes`, whole
operations are deleted, least recently written first, so a run is never shown half-evicted and ingestion never
fails because storage is full. Items without an operation id (metrics) are grouped per minute of arrival.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from local_emulators.appinsights.backend.envelopes import TelemetryItem
from local_emulators.appinsights.errors import StoreError

_FIELDS = (
    "kind, name, ikey, time_ms, duration_ms, success, operation_id, operation_name, parent_id, span_id, "
    "cloud_role, run_id, agent, input_tokens, output_tokens, cost_usd, error_type"
)
_TYPES = {
    "time_ms": "REAL",
    "duration_ms": "REAL",
    "cost_usd": "REAL",
    "success": "INTEGER",
    "input_tokens": "INTEGER",
    "output_tokens": "INTEGER",
}
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, grp TEXT NOT NULL, size INTEGER NOT NULL, body TEXT NOT NULL,
    {", ".join(f"{name} {_TYPES.get(name, 'TEXT')}" for name in _FIELDS.split(", "))}
);
CREATE INDEX IF NOT EXISTS items_grp ON items(grp);
CREATE INDEX IF NOT EXISTS items_operation ON items(operation_id);
CREATE INDEX IF NOT EXISTS items_run ON items(run_id);
CREATE INDEX IF NOT EXISTS items_operation_name ON items(operation_name);
CREATE INDEX IF NOT EXISTS items_kind_name ON items(kind, name);
CREATE TABLE IF NOT EXISTS groups (
    grp TEXT PRIMARY KEY, last_seq INTEGER NOT NULL, items INTEGER NOT NULL, bytes INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS groups_last ON groups(last_seq);
"""
DATABASE_FILE = "appinsights.sqlite3"


def _group(item: TelemetryItem, now: float) -> str:
    return item.operation_id or f"~{int(now // 60)}"


def _row_item(row: Sequence[object]) -> TelemetryItem:
    (kind, name, ikey, time_ms, duration_ms, success, operation_id, operation_name, parent_id, span_id) = row[:10]
    (cloud_role, run_id, agent, input_tokens, output_tokens, cost_usd, error_type, body) = row[10:18]
    return TelemetryItem(
        kind=str(kind),
        name=str(name),
        ikey=str(ikey),
        time_ms=float(time_ms),  # type: ignore[arg-type]
        duration_ms=None if duration_ms is None else float(duration_ms),  # type: ignore[arg-type]
        success=None if success is None else bool(success),
        operation_id=operation_id,  # type: ignore[arg-type]
        operation_name=operation_name,  # type: ignore[arg-type]
        parent_id=parent_id,  # type: ignore[arg-type]
        span_id=span_id,  # type: ignore[arg-type]
        cloud_role=cloud_role,  # type: ignore[arg-type]
        run_id=run_id,  # type: ignore[arg-type]
        agent=agent,  # type: ignore[arg-type]
        input_tokens=None if input_tokens is None else int(input_tokens),  # type: ignore[call-overload]
        output_tokens=None if output_tokens is None else int(output_tokens),  # type: ignore[call-overload]
        cost_usd=None if cost_usd is None else float(cost_usd),  # type: ignore[arg-type]
        error_type=error_type,  # type: ignore[arg-type]
        body=str(body or ""),
    )


class TelemetryStore:
    """The envelopes of one emulator.

    Args:
        data_dir: Directory of the database file; None keeps everything in memory.
        max_items: Stored envelopes above this evict the oldest operations.
        max_bytes: Stored envelope bytes above this evict the oldest operations.
        read_only: Open an existing database for reading only (`show --data-dir`).
    """

    def __init__(
        self, data_dir: Path | None, *, max_items: int = 200_000, max_bytes: int = 1 << 28, read_only: bool = False
    ) -> None:
        self.max_items = max_items
        self.max_bytes = max_bytes
        try:
            if data_dir is None:
                self._db = sqlite3.connect(":memory:", isolation_level=None)
            elif read_only:
                path = data_dir / DATABASE_FILE
                if not path.is_file():
                    raise StoreError(f"no App Insights emulator data in {data_dir}")
                self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
            else:
                data_dir.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(data_dir / DATABASE_FILE, isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            if not read_only:
                self._db.executescript(_SCHEMA)
            self.items, self.bytes = self._db.execute("SELECT count(*), coalesce(sum(size), 0) FROM items").fetchone()
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the telemetry store in {data_dir}: {error}") from error
        self.evicted_groups = 0

    def add(self, items: Iterable[TelemetryItem]) -> int:
        """Store `items` in one transaction, then evict old operations past the quota; returns how many."""
        now = time.time()
        count = 0
        try:
            self._db.execute("BEGIN IMMEDIATE")
            for item in items:
                size = len(item.body.encode())
                group = _group(item, now)
                cursor = self._db.execute(
                    f"INSERT INTO items (grp, size, body, {_FIELDS}) VALUES ({', '.join('?' * 20)})",
                    (group, size, item.body, *_values(item)),
                )
                self._db.execute(
                    "INSERT INTO groups (grp, last_seq, items, bytes) VALUES (?, ?, 1, ?) ON CONFLICT(grp) DO "
                    "UPDATE SET last_seq = excluded.last_seq, items = items + 1, bytes = bytes + excluded.bytes",
                    (group, cursor.lastrowid, size),
                )
                self.items += 1
                self.bytes += size
                count += 1
            self._evict()
            self._db.execute("COMMIT")
        except sqlite3.Error as error:
            self._db.execute("ROLLBACK")
            raise StoreError(f"cannot store telemetry: {error}") from error
        return count

    def _evict(self) -> None:
        while self.items > self.max_items or self.bytes > self.max_bytes:
            oldest = self._db.execute("SELECT grp, items, bytes FROM groups ORDER BY last_seq LIMIT 1").fetchone()
            if oldest is None:
                break
            group, items, size = oldest
            self._db.execute("DELETE FROM items WHERE grp = ?", (group,))
            self._db.execute("DELETE FROM groups WHERE grp = ?", (group,))
            self.items -= items
            self.bytes -= size
            self.evicted_groups += 1

    def reset(self) -> None:
        """Delete every stored envelope."""
        self._db.execute("DELETE FROM items")
        self._db.execute("DELETE FROM groups")
        self.items, self.bytes = 0, 0

    def recent_operations(self, limit: int) -> list[str]:
        """Operation ids, most recently written first."""
        rows = self._db.execute(
            "SELECT grp FROM groups WHERE grp NOT LIKE '~%' ORDER BY last_seq DESC LIMIT ?", (limit,)
        ).fetchall()
        return [row[0] for row in rows]

    def operation_items(self, operation_ids: Sequence[str], *, with_body: bool) -> list[TelemetryItem]:
        """Every stored item of these operations, in arrival order."""
        if not operation_ids:
            return []
        marks = ", ".join("?" * len(operation_ids))
        body = "body" if with_body else "''"
        rows = self._db.execute(
            f"SELECT {_FIELDS}, {body} FROM items WHERE operation_id IN ({marks}) ORDER BY seq", tuple(operation_ids)
        ).fetchall()
        return [_row_item(row) for row in rows]

    def operations_of_run(self, run: str) -> list[str]:
        """The operations a run id names: the operation id itself, or spans tagged with it as run id or name."""
        rows = self._db.execute(
            "SELECT DISTINCT operation_id FROM items WHERE operation_id IS NOT NULL AND "
            "(operation_id = ? OR run_id = ? OR operation_name = ?)",
            (run, run, run),
        ).fetchall()
        return sorted(row[0] for row in rows)

    def envelopes(
        self, *, operation_id: str | None = None, kind: str | None = None, name: str | None = None, limit: int = 1000
    ) -> list[str]:
        """Stored envelope JSON texts matching the filters, oldest first."""
        clauses, values = [], []
        for column, value in (("operation_id", operation_id), ("kind", kind), ("name", name)):
            if value is not None:
                clauses.append(f"{column} = ?")
                values.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.execute(f"SELECT body FROM items {where} ORDER BY seq LIMIT ?", (*values, limit)).fetchall()
        return [row[0] for row in rows]

    def close(self) -> None:
        """Close the database (a checkpoint folds the WAL back into the file)."""
        self._db.close()


def _values(item: TelemetryItem) -> tuple[object, ...]:
    return (
        item.kind,
        item.name,
        item.ikey,
        item.time_ms,
        item.duration_ms,
        None if item.success is None else int(item.success),
        item.operation_id,
        item.operation_name,
        item.parent_id,
        item.span_id,
        item.cloud_role,
        item.run_id,
        item.agent,
        item.input_tokens,
        item.output_tokens,
        item.cost_usd,
        item.error_type,
    )
