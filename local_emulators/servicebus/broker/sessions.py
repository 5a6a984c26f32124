"""Sessions of a session-enabled queue or subscription: FIFO per session, one owner, a lock."""

from __future__ import annotations

import heapq
import uuid
from dataclasses import dataclass, field

from local_emulators.servicebus.errors import SessionCannotBeLockedError, SessionLockLostError


@dataclass(slots=True)
class SessionState:
    """One session: its ready messages (by sequence number), state blob and lock."""

    session_id: str
    ready: list[int] = field(default_factory=list)
    state: bytes | None = None
    owner: object | None = None
    locked_until_ms: int = 0
    locked_tokens: set[uuid.UUID] = field(default_factory=set)

    def is_locked(self, now_ms: int) -> bool:
        """Tell whether an owner holds a live lock."""
        return self.owner is not None and self.locked_until_ms > now_ms

    def check_owner(self, owner: object | None, now_ms: int) -> None:
        """Make sure ``owner`` (None: anyone) holds the live lock.

        Raises:
            SessionLockLostError: The lock expired or belongs to someone else.
        """
        if not self.is_locked(now_ms) or (owner is not None and owner is not self.owner):
            raise SessionLockLostError(f"the lock on session {self.session_id!r} was lost")


class SessionRegistry:
    """The sessions of one entity, keyed by session id."""

    def __init__(self) -> None:
        self.sessions: dict[str, SessionState] = {}

    def get(self, session_id: str) -> SessionState:
        """Return the session, creating an empty one on first use."""
        session = self.sessions.get(session_id)
        if session is None:
            session = self.sessions[session_id] = SessionState(session_id)
        return session

    def push_ready(self, session_id: str, seq: int) -> None:
        """Make message ``seq`` available in its session, in sequence order."""
        heapq.heappush(self.get(session_id).ready, seq)

    def lock(self, session_id: str | None, owner: object, lock_ms: int, now_ms: int) -> SessionState | None:
        """Lock a named session, or the first unlocked one with messages.

        Returns:
            The locked session, or None when no session is available (named sessions never return None).

        Raises:
            SessionCannotBeLockedError: The named session is locked by someone else.
        """
        if session_id is not None:
            session = self.get(session_id)
            if session.is_locked(now_ms) and session.owner is not owner:
                raise SessionCannotBeLockedError(f"session {session_id!r} is locked by another receiver")
        else:
            candidates = [s for s in self.sessions.values() if s.ready and not s.is_locked(now_ms)]
            if not candidates:
                return None
            session = min(candidates, key=lambda s: s.ready[0])
        session.owner = owner
        session.locked_until_ms = now_ms + lock_ms
        return session

    def expired(self, now_ms: int) -> list[SessionState]:
        """Return the sessions whose owner's lock ran out, with their owner cleared."""
        lapsed = [s for s in self.sessions.values() if s.owner is not None and s.locked_until_ms <= now_ms]
        for session in lapsed:
            session.owner = None
        return lapsed

    def any_available(self, now_ms: int) -> bool:
        """Tell whether some unlocked session has messages."""
        return any(s.ready and not s.is_locked(now_ms) for s in self.sessions.values())

    def prune(self, session_id: str) -> None:
        """Forget a session that has nothing left worth keeping."""
        session = self.sessions.get(session_id)
        if session is not None and not session.ready and session.state is None and session.owner is None:
            del self.sessions[session_id]
