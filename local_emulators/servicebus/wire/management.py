"""The `<entity>/$management` node: lock renewal, peek, scheduling, deferred receive, sessions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from local_emulators.servicebus.amqp.message import parse_message
from local_emulators.servicebus.amqp.types import Array, Int, Symbol, Timestamp
from local_emulators.servicebus.broker import queue as q
from local_emulators.servicebus.broker.queue import Queue
from local_emulators.servicebus.broker.sessions import SessionState
from local_emulators.servicebus.errors import ArgumentError, ServiceBusEmulatorError, UnauthorizedError
from local_emulators.servicebus.wire.delivery import encode_delivery
from local_emulators.servicebus.wire.ports import ConnectionPort
from local_emulators.servicebus.wire.sending import OutgoingLink

_DISPOSITIONS = {
    "completed": q.COMPLETE,
    "abandoned": q.ABANDON,
    "defered": q.DEFER,
    "deferred": q.DEFER,
    "suspended": q.DEAD_LETTER,
}
Response = tuple[int, Any]
_ARGUMENT_ERRORS = (TypeError, ValueError, KeyError, AttributeError, OverflowError)


class _Request:
    def __init__(self, conn: ConnectionPort, node: str, application: dict[Any, Any], body: Any) -> None:
        self.conn = conn
        self.node = node
        self.body: dict[Any, Any] = body if isinstance(body, dict) else {}
        self.now = conn.ctx.now_ms()
        self.link = conn.find_link(application.get("associated-link-name"))

    def arg(self, name: str, default: Any = None) -> Any:
        return self.body.get(name, default)

    def queue(self) -> Queue:
        return self.conn.ctx.broker.receiver_entity(self.node)

    def session(self, queue: Queue) -> SessionState | None:
        session_id = self.arg("session-id")
        if session_id is None:
            return None
        session = queue.sessions.get(str(session_id))
        session.check_owner(self.owner(), self.now)
        return session

    def owner(self) -> object | None:
        return self.link if isinstance(self.link, OutgoingLink) else None


def handle(conn: ConnectionPort, node: str, application: dict[Any, Any], body: Any) -> tuple[dict[Any, Any], Any]:
    """Run one management operation on entity ``node``.

    Returns:
        Response application properties (``statusCode``, ``statusDescription``, ``errorCondition``) and body.
    """
    operation = str(application.get("operation", "")).removeprefix("com.microsoft:")
    handler = _OPERATIONS.get(operation)
    try:
        # A token for the entity or for its management node both count (the JS SDK sends the latter).
        if not (conn.is_authorized(node) or conn.is_authorized(f"{node}/$management")):
            raise UnauthorizedError(f"no valid token covers '{node}'")
        if handler is None:
            raise ArgumentError(f"unsupported management operation {operation!r:.80}")
        try:
            status, response = handler(_Request(conn, node, application, body))
        except _ARGUMENT_ERRORS as exc:  # a request field of the wrong type or value
            raise ArgumentError(f"invalid request body: {type(exc).__name__}") from exc
    except ServiceBusEmulatorError as exc:
        return {
            "statusCode": Int(exc.status),
            "statusDescription": str(exc),
            "errorCondition": Symbol(exc.condition),
        }, None
    return {"statusCode": Int(status), "statusDescription": "OK" if status == 200 else "No content"}, response


def _renew_lock(r: _Request) -> Response:
    queue = r.queue()
    expirations = [Timestamp(queue.renew(uuid.UUID(str(t)), r.now)) for t in r.arg("lock-tokens", [])]
    return 200, {"expirations": Array(0x83, expirations)}


def _peek(r: _Request) -> Response:
    queue = r.queue()
    session_id = r.arg("session-id")
    found = queue.peek(
        int(r.arg("from-sequence-number", 0)),
        int(r.arg("message-count", 1)),
        str(session_id) if session_id is not None else None,
    )
    if not found:
        return 204, None
    return 200, {"messages": [{"message": encode_delivery(m, state=m.state)} for m in found]}


def _schedule(r: _Request) -> Response:
    parsed = [parse_message(item["message"]) for item in r.arg("messages", []) if isinstance(item, dict)]
    sent = r.conn.ctx.broker.send(r.node, parsed, r.now)
    return 200, {"sequence-numbers": Array(0x81, [m.seq for m in sent])}


def _cancel(r: _Request) -> Response:
    r.conn.ctx.broker.cancel_scheduled(r.node, r.arg("sequence-numbers", []))
    return 200, None


def _receive_by_sequence(r: _Request) -> Response:
    queue = r.queue()
    lock = int(r.arg("receiver-settle-mode", 1)) != 0
    deliveries = queue.receive_deferred(r.arg("sequence-numbers", []), r.now, lock=lock, session=r.session(queue))
    messages = []
    for d in deliveries:
        # The state annotation tells the client these are deferred messages, as Azure marks them.
        encoded = encode_delivery(d.message, d.locked_until_ms or None, state=d.message.state)
        item: dict[str, Any] = {"message": encoded}
        if d.lock_token is not None:
            item["lock-token"] = d.lock_token
        messages.append(item)
    return 200, {"messages": messages}


def _update_disposition(r: _Request) -> Response:
    queue = r.queue()
    outcome = _DISPOSITIONS.get(str(r.arg("disposition-status")))
    if outcome is None:
        raise ArgumentError(f"unknown disposition-status {r.arg('disposition-status')!r}")
    for token in r.arg("lock-tokens", []):
        queue.settle(
            uuid.UUID(str(token)),
            outcome,
            r.now,
            owner=r.owner(),
            reason=r.arg("deadletter-reason"),
            description=r.arg("deadletter-description"),
        )
    return 200, None


def _get_session_state(r: _Request) -> Response:
    session = r.session(r.queue())
    return 200, {"session-state": session.state if session is not None else None}


def _set_session_state(r: _Request) -> Response:
    queue = r.queue()
    session = r.session(queue)
    if session is None:
        raise ArgumentError("session-id is required")
    state = r.arg("session-state")
    session.state = bytes(state) if state is not None else None
    queue.journal.session_state(queue.path, session.session_id, session.state)
    return 200, None


def _renew_session_lock(r: _Request) -> Response:
    queue = r.queue()
    session = r.session(queue)
    if session is None:
        raise ArgumentError("session-id is required")
    session.locked_until_ms = r.now + queue.props.lock_duration_ms
    return 200, {"expiration": Timestamp(session.locked_until_ms)}


def _get_message_sessions(r: _Request) -> Response:
    ids = [s.session_id for s in r.queue().sessions.sessions.values() if s.ready or s.state is not None]
    if not ids:
        return 204, None
    return 200, {"skip": Int(0), "sessions-ids": Array(0xB1, ids)}


_OPERATIONS: dict[str, Callable[[_Request], Response]] = {
    "renew-lock": _renew_lock,
    "peek-message": _peek,
    "schedule-message": _schedule,
    "cancel-scheduled-message": _cancel,
    "receive-by-sequence-number": _receive_by_sequence,
    "update-disposition": _update_disposition,
    "get-session-state": _get_session_state,
    "set-session-state": _set_session_state,
    "renew-session-lock": _renew_session_lock,
    "get-message-sessions": _get_message_sessions,
}
