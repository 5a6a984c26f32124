"""A client's receiver link: deliver messages within credit, take settlements, hold session locks."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from local_emulators.servicebus.amqp import codec
from local_emulators.servicebus.amqp import performatives as p
from local_emulators.servicebus.amqp.frames import disposition_frame
from local_emulators.servicebus.amqp.types import Described, Symbol, UInt
from local_emulators.servicebus.broker import queue as q
from local_emulators.servicebus.broker.messages import Delivery
from local_emulators.servicebus.broker.sessions import SessionState
from local_emulators.servicebus.errors import (
    NotAllowedError,
    OperationTimeoutError,
    ServerBusyError,
    ServiceBusEmulatorError,
    SessionLockLostError,
)
from local_emulators.servicebus.wire.delivery import encode_delivery
from local_emulators.servicebus.wire.links import Link, refuse_attach
from local_emulators.servicebus.wire.ports import SessionPort

SESSION_FILTER = Symbol("com.microsoft:session-filter")
_TICKS_AT_EPOCH = 621355968000000000
_DEFAULT_ACCEPT_TIMEOUT_MS = 60_000
_ECHO = {code: codec.encode(p.described(code, [])) for code in (p.ACCEPTED, p.REJECTED, p.RELEASED)}


def dotnet_ticks(unix_ms: int) -> int:
    """Convert Unix milliseconds to .NET ticks (what session lock expiry is expressed in)."""
    return _TICKS_AT_EPOCH + unix_ms * 10_000


def _outcome(state: Any) -> tuple[str, str | None, str | None]:
    code = p.outcome_code(state)
    fields = state.value if isinstance(state, Described) and isinstance(state.value, list) else []
    if code == p.ACCEPTED:
        return q.COMPLETE, None, None
    if code == p.MODIFIED:
        undeliverable = len(fields) > 1 and bool(fields[1])
        return (q.DEFER if undeliverable else q.ABANDON), None, None
    if code == p.REJECTED:
        error = fields[0] if fields else None
        info = error.value[2] if isinstance(error, Described) and len(error.value) > 2 else None
        info = info if isinstance(info, dict) else {}
        return q.DEAD_LETTER, info.get("DeadLetterReason"), info.get("DeadLetterErrorDescription")
    return q.RELEASE, None, None


class OutgoingLink(Link):
    """Delivers messages from a queue, subscription or dead-letter queue to a receiving client."""

    def __init__(self, session: SessionPort, fields: list[Any], path: str) -> None:
        super().__init__(session, fields, path)
        self.require_authorization()
        self.entity = self.ctx.broker.receiver_entity(path)
        self.lock = fields[p.A_SND_SETTLE] != p.SETTLE_SETTLED
        self.delivery_count = 0
        self.credit = 0
        self.drain = False
        self.session_state: SessionState | None = None
        self._wanted_session: str | None = None
        self._pending_accept: asyncio.TimerHandle | None = None
        self._pump_scheduled = False
        filters = self.source.value[p.S_FILTER] if isinstance(self.source, Described) else None
        self._session_filter = isinstance(filters, dict) and SESSION_FILTER in filters
        if self._session_filter != self.entity.session_enabled:
            raise NotAllowedError(
                f"'{path}' {'requires' if self.entity.session_enabled else 'does not support'} session receivers"
            )
        if self._session_filter and isinstance(filters, dict):
            wanted = filters[SESSION_FILTER]
            self._wanted_session = str(wanted) if wanted is not None else None

    # ---------------------------------------------------------------- attach and sessions
    def attached(self) -> None:
        """Answer now, or (next-available session with none free) once a session frees up."""
        self.entity.listeners.add(self._wake)
        if not self._session_filter:
            self.reply_attach()
            return
        if not self._try_accept():
            timeout = self.properties.get(Symbol("com.microsoft:timeout"), _DEFAULT_ACCEPT_TIMEOUT_MS)
            self._pending_accept = asyncio.get_running_loop().call_later(int(timeout) / 1000, self._accept_timed_out)

    def _try_accept(self) -> bool:
        lock_ms = self.entity.props.lock_duration_ms
        try:
            state = self.entity.sessions.lock(self._wanted_session, self, lock_ms, self.ctx.now_ms())
        except ServiceBusEmulatorError as exc:
            self._refuse(exc)
            return True
        if state is None:
            return False
        self.session_state = state
        source = Described(self.source.descriptor, list(self.source.value))
        source.value[p.S_FILTER] = {**source.value[p.S_FILTER], SESSION_FILTER: state.session_id}
        self.reply_attach(
            source,
            {
                Symbol("com.microsoft:locked-until-utc"): dotnet_ticks(state.locked_until_ms),
                Symbol("com.microsoft:session-id"): state.session_id,
            },
        )
        return True

    def _refuse(self, exc: ServiceBusEmulatorError, detach: bool = True) -> None:
        self.entity.listeners.discard(self._wake)
        self.session.links.pop(self.handle, None)
        self.detached = True
        refuse_attach(self.session, self.fields, exc, detach)

    def _accept_timed_out(self) -> None:
        self._pending_accept = None
        if not self.detached and self.session_state is None:
            try:
                self._refuse(OperationTimeoutError("no session became available in time"))
            except Exception as exc:  # a timer's error closes its own connection
                self.conn.fail(exc)

    # ---------------------------------------------------------------- delivery
    def on_flow(self, fields: list[Any]) -> None:
        """Take the client's credit (and drain request), then deliver."""
        count = fields[p.F_DELIVERY_COUNT]
        base = int(count) if count is not None else self.delivery_count
        self.credit = max(0, base + int(fields[p.F_LINK_CREDIT] or 0) - self.delivery_count)
        self.drain = bool(fields[p.F_DRAIN])
        if self.credit and self.ctx.faults.busy(self.ctx.now_ms()):
            # A receive asked for while the namespace is busy is refused, as Azure throttles it.
            self.ctx.faults.injected["server-busy"] += 1
            self.detach_with_error(ServerBusyError("the namespace is busy (injected fault); retry after a while"))
            return
        self.pump()

    def window_opened(self) -> None:
        """Resume delivering if credit is waiting on the session window."""
        if self.credit:
            self._wake()

    def _wake(self) -> None:
        # Called while another connection's frame is handled: an error here closes this one.
        try:
            if self._pending_accept is not None and self._try_accept():
                self._pending_accept.cancel()
                self._pending_accept = None
        except Exception as exc:
            self.conn.fail(exc)
            return
        if not self._pump_scheduled and self.credit > 0 and not self.detached:
            self._pump_scheduled = True
            asyncio.get_running_loop().call_soon(self.pump)

    def pump(self) -> None:
        """Send as many messages as credit and the session window allow (an error closes the connection)."""
        self._pump_scheduled = False
        try:
            self._pump()
        except Exception as exc:
            self.conn.fail(exc)

    def _pump(self) -> None:
        state = self.session_state
        if self.detached or (self._session_filter and (state is None or state.owner is not self)):
            return
        if self.ctx.faults.busy(self.ctx.now_ms()):
            return
        now = self.ctx.now_ms()
        while self.credit > 0 and self.session.remote_incoming_window > 0:
            delivery = self.entity.take(now, lock=self.lock, session=self.session_state)
            if delivery is None:
                break
            self.send_delivery(delivery)
        if self.drain and self.credit > 0:
            self.delivery_count += self.credit
            self.credit = 0
            self.session.send(
                p.FLOW, self.session.flow_fields(UInt(self.handle), UInt(self.delivery_count), UInt(0), drain=True)
            )

    def send_delivery(self, delivery: Delivery) -> None:
        """Transfer one delivery; the tag is the lock token in .NET GUID byte order."""
        session = self.session
        delivery_id = session.next_delivery_id
        session.next_delivery_id += 1
        token = delivery.lock_token
        tag = token.bytes_le if token is not None else uuid.uuid4().bytes_le
        locked_until = delivery.locked_until_ms if token is not None and self.session_state is None else None
        payload = encode_delivery(delivery.message, locked_until)
        session.transfer(self.handle, delivery_id, tag, token is None, payload)
        if token is not None:
            session.unsettled[delivery_id] = (self, token)
        self.credit -= 1
        self.delivery_count += 1

    # ---------------------------------------------------------------- settlement
    def on_disposition(self, delivery_id: int, token: uuid.UUID, state: Any, settled: bool) -> None:
        """Apply the client's outcome; echo it (or the error) when the client awaits one."""
        outcome, reason, description = _outcome(state)
        try:
            self.entity.settle(
                token,
                outcome,
                self.ctx.now_ms(),
                owner=self if self.session_state else None,
                reason=reason,
                description=description,
            )
            code = p.outcome_code(state) or p.ACCEPTED
            # pyamqp treats an echoed rejected outcome that carries an error as a failure.
            echo = _ECHO.get(code) or codec.encode(p.described(code, list(state.value or [])))
        except ServiceBusEmulatorError as exc:
            echo = codec.encode(p.described(p.REJECTED, [p.error(exc.condition, str(exc))]))
        if not settled:
            self.conn.send_raw(disposition_frame(self.session.channel, False, delivery_id, delivery_id, True, echo))

    def lose_session_lock(self, error: SessionLockLostError) -> None:
        """The session lock was taken away (injected expiry): detach with the error, as Azure does."""
        if not self.detached:
            self.detach_with_error(error)

    def on_detach(self) -> None:
        """Stop delivering; give back a held session (its unsettled messages count as delivered)."""
        super().on_detach()
        self.entity.listeners.discard(self._wake)
        if self._pending_accept is not None:
            self._pending_accept.cancel()
            self._pending_accept = None
            self._refuse(OperationTimeoutError("the receiver closed before a session was accepted"), detach=False)
        state, self.session_state = self.session_state, None
        if state is not None and state.owner is self:
            state.owner = None
            self.entity.release_session_messages(state, self.ctx.now_ms())
            self.entity.notify()
        for delivery_id, (link, _token) in list(self.session.unsettled.items()):
            if link is self:
                del self.session.unsettled[delivery_id]
