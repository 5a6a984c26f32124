"""Messages under lock, and the Settlement gRPC service that `ServiceBusMessageActions` calls (as the host serves it).

Every message handed to a function is held here by its lock token until it is settled, whether by the function
(through the gRPC service) or by the host after the invocation (auto-complete, abandon on failure). Settling
twice is refused, so the host never completes what the function already dead-lettered.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import grpc
from azure.servicebus import ServiceBusReceivedMessage
from azure.servicebus.aio import ServiceBusReceiver
from azurefunctions.extensions.bindings.protos import settlement_pb2, settlement_pb2_grpc
from google.protobuf.empty_pb2 import Empty
from google.protobuf.timestamp_pb2 import Timestamp


@dataclass
class HeldMessage:
    """One message under lock, and how it was settled (None while unsettled)."""

    receiver: ServiceBusReceiver
    message: ServiceBusReceivedMessage
    outcome: str | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def settle(self, outcome: str, reason: str | None = None, description: str | None = None) -> bool:
        """Settle once: ``outcome`` is completed, abandoned, deadlettered or deferred.

        Returns:
            False when the message was already settled (nothing is sent then).
        """
        async with self._lock:
            if self.outcome is not None:
                return False
            if outcome == "completed":
                await self.receiver.complete_message(self.message)
            elif outcome == "abandoned":
                await self.receiver.abandon_message(self.message)
            elif outcome == "deadlettered":
                await self.receiver.dead_letter_message(self.message, reason=reason, error_description=description)
            elif outcome == "deferred":
                await self.receiver.defer_message(self.message)
            else:
                raise ValueError(f"unknown settlement {outcome!r}")
            self.outcome = outcome
            return True


@dataclass
class HeldSession:
    """A session receiver a function may act on (state, lock renewal, release)."""

    receiver: ServiceBusReceiver
    release_requested: bool = False


class HeldMessages:
    """Held messages by lock token and open sessions by session id."""

    def __init__(self) -> None:
        """Start empty."""
        self._messages: dict[str, HeldMessage] = {}
        self._sessions: dict[str, HeldSession] = {}

    def hold(self, receiver: ServiceBusReceiver, message: ServiceBusReceivedMessage) -> HeldMessage:
        """Hold ``message`` until `drop`."""
        held = HeldMessage(receiver, message)
        self._messages[str(message.lock_token)] = held
        return held

    def drop(self, held: HeldMessage) -> None:
        """Forget a message after its invocation."""
        self._messages.pop(str(held.message.lock_token), None)

    def message(self, lock_token: str) -> HeldMessage | None:
        """The held message with ``lock_token``, if any."""
        return self._messages.get(lock_token)

    def open_session(self, session_id: str, receiver: ServiceBusReceiver) -> HeldSession:
        """Register an accepted session."""
        held = HeldSession(receiver)
        self._sessions[session_id] = held
        return held

    def close_session(self, session_id: str) -> None:
        """Forget a released session."""
        self._sessions.pop(session_id, None)

    def session(self, session_id: str) -> HeldSession | None:
        """The open session ``session_id``, if any."""
        return self._sessions.get(session_id)


class SettlementService:
    """The `Settlement` gRPC service of azurefunctions-extensions-bindings-servicebus, served from held messages."""

    def __init__(self, held: HeldMessages) -> None:
        """Serve settlements of the messages in ``held``."""
        self._held = held

    async def _message(self, lock_token: str, context: Any) -> HeldMessage:
        held = self._held.message(lock_token)
        if held is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"no message with lock token {lock_token} is held")
            raise AssertionError("unreachable: abort raises")
        return held

    async def _session(self, session_id: str, context: Any) -> HeldSession:
        held = self._held.session(session_id)
        if held is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"session {session_id} is not held by this host")
            raise AssertionError("unreachable: abort raises")
        return held

    async def _settle(self, request: Any, context: Any, outcome: str, **details: str | None) -> Empty:
        held = await self._message(request.locktoken, context)
        try:
            settled = await held.settle(outcome, **details)
        except Exception as error:  # the SDK's error goes back to the function as a gRPC status
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"{type(error).__name__}: {error}")
        if not settled:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"message already {held.outcome}")
        return Empty()

    async def Complete(self, request: Any, context: Any) -> Empty:  # noqa: N802 - gRPC method names
        """Complete the message."""
        return await self._settle(request, context, "completed")

    async def Abandon(self, request: Any, context: Any) -> Empty:  # noqa: N802
        """Abandon the message (Service Bus redelivers it until maxDeliveryCount)."""
        return await self._settle(request, context, "abandoned")

    async def Deadletter(self, request: Any, context: Any) -> Empty:  # noqa: N802
        """Move the message to the dead-letter queue with reason and description."""
        reason = request.deadletterReason.value if request.HasField("deadletterReason") else None
        description = (
            request.deadletterErrorDescription.value if request.HasField("deadletterErrorDescription") else None
        )
        return await self._settle(request, context, "deadlettered", reason=reason, description=description)

    async def Defer(self, request: Any, context: Any) -> Empty:  # noqa: N802
        """Defer the message."""
        return await self._settle(request, context, "deferred")

    async def RenewMessageLock(self, request: Any, context: Any) -> Empty:  # noqa: N802
        """Renew the message's lock."""
        held = await self._message(request.locktoken, context)
        try:
            await held.receiver.renew_message_lock(held.message)
        except Exception as error:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"{type(error).__name__}: {error}")
        return Empty()

    async def GetSessionState(self, request: Any, context: Any) -> Any:  # noqa: N802
        """Return the session's state."""
        held = await self._session(request.sessionId, context)
        state = await held.receiver.session.get_state()
        return settlement_pb2.GetSessionStateResponse(sessionState=bytes(state or b""))

    async def SetSessionState(self, request: Any, context: Any) -> Empty:  # noqa: N802
        """Set the session's state."""
        held = await self._session(request.sessionId, context)
        await held.receiver.session.set_state(bytes(request.sessionState))
        return Empty()

    async def ReleaseSession(self, request: Any, context: Any) -> Empty:  # noqa: N802
        """Release the session once the current invocation ends."""
        held = await self._session(request.sessionId, context)
        held.release_requested = True
        return Empty()

    async def RenewSessionLock(self, request: Any, context: Any) -> Any:  # noqa: N802
        """Renew the session's lock and return the new expiry."""
        held = await self._session(request.sessionId, context)
        locked_until: datetime = await held.receiver.session.renew_lock()
        stamp = Timestamp()
        stamp.FromDatetime(locked_until.astimezone(UTC).replace(tzinfo=None))
        return settlement_pb2.RenewSessionLockResponse(lockedUntil=stamp)


async def start_settlement_server(held: HeldMessages) -> tuple[Any, int]:
    """Serve the Settlement service on a free loopback port.

    Returns:
        The running `grpc.aio.Server` and its port.
    """
    server = grpc.aio.server()
    settlement_pb2_grpc.add_SettlementServicer_to_server(SettlementService(held), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, int(port)
