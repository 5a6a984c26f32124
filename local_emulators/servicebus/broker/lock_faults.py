"""Make every held lock of a queue expire now: the fault a long pause or a broker failover causes in Azure.

Message locks lapse as if their time had run out (the message counts a delivery and is offered again);
session locks lapse with their owner cleared, so the owner's next settlement fails with session-lock-lost
and another receiver may take the session.
"""

from __future__ import annotations

import contextlib

from local_emulators.servicebus.broker import queue as q
from local_emulators.servicebus.errors import MessageLockLostError


def expire_locks(queue: q.Queue, now_ms: int) -> list[object]:
    """Expire every message and session lock of `queue` now.

    Returns:
        The owners (receiver links) whose session locks were taken away, so the wire can tell them.
    """
    owners: list[object] = []
    for session in queue.sessions.sessions.values():
        if session.owner is None:
            continue
        owners.append(session.owner)
        session.owner = None
        session.locked_until_ms = 0
        queue.release_session_messages(session, now_ms)
    for token, message in list(queue.locks.items()):
        if message.session_id is None or not queue.session_enabled:
            # Abandon is what a lapsed lock amounts to: one more delivery counted, then offered again.
            # A lock that lapsed on its own a moment ago is refused here: the next clock tick returns its message.
            with contextlib.suppress(MessageLockLostError):
                queue.settle(token, q.ABANDON, now_ms)
    if owners or queue.ready:
        queue.notify()
    return owners
