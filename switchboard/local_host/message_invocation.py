"""One Service Bus–triggered invocation, settled as the Functions host settles it.

autoCompleteMessages on: complete on success, abandon on exception. Off: the function settles through
`ServiceBusMessageActions`; an exception still abandons an unsettled message (the host's processor does), and a
message left unsettled stays locked until its lock expires. The message lock is renewed while the function runs
(sessions: the session's lock, renewed by the listener), up to maxAutoLockRenewalDuration.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from azure.servicebus import ServiceBusReceivedMessage
from azure.servicebus.aio import AutoLockRenewer, ServiceBusReceiver, ServiceBusSession

from switchboard.local_host.invoker import FunctionInvoker
from switchboard.local_host.servicebus_binding import build_trigger_argument, worker_supplied_arguments
from switchboard.local_host.settlement import HeldMessages
from switchboard.local_host.validation import IndexedFunction

logger = logging.getLogger("switchboard.host")

# AutoLockRenewer needs a bound; "renew while it runs" becomes a year.
UNBOUNDED_RENEWAL = timedelta(days=365)


@dataclass(frozen=True)
class InvocationSettings:
    """What a Service Bus invocation needs from host.json and the binding."""

    auto_complete: bool
    function_timeout: timedelta | None
    max_lock_renewal: timedelta | None


class MessageInvocation:
    """Runs one function for each message it is given and settles the message."""

    def __init__(
        self,
        function: IndexedFunction,
        settings: InvocationSettings,
        invoker: FunctionInvoker,
        held: HeldMessages,
        context_factory: Callable[[], Any],
    ) -> None:
        """Bind the invocation to its function and to the host's shared parts."""
        self._function = function
        self._settings = settings
        self._invoker = invoker
        self._held = held
        self._context_factory = context_factory
        renewal = settings.max_lock_renewal or UNBOUNDED_RENEWAL
        self.renewer = AutoLockRenewer(max_lock_renewal_duration=renewal.total_seconds())

    async def process(
        self, receiver: ServiceBusReceiver, message: ServiceBusReceivedMessage, session: ServiceBusSession | None
    ) -> str:
        """Invoke the function for ``message`` and settle it.

        Cancellation (shutdown after the grace period) abandons the message before re-raising.

        Args:
            receiver: The receiver that holds the message's lock.
            message: The message.
            session: The session of a session message (its lock is renewed by the listener), else None.

        Returns:
            The outcome: completed, abandoned, deadlettered, deferred, or unsettled.
        """
        started = time.perf_counter()
        held = self._held.hold(receiver, message)
        if session is None:
            try:
                self.renewer.register(receiver, message)
            except ValueError:  # no lock expiry on the message: nothing to renew against
                logger.warning("message %s carries no lock expiry; its lock is not renewed", message.message_id)
        outcome = "unsettled"
        failure: str | None = None
        try:
            try:
                arguments = {
                    str(self._function.trigger["name"]): build_trigger_argument(
                        self._function, message, session.locked_until_utc if session else None
                    ),
                    **worker_supplied_arguments(self._function, self._context_factory),
                }
                timeout = self._settings.function_timeout
                await self._invoker.invoke(self._function, arguments, timeout.total_seconds() if timeout else None)
            except asyncio.CancelledError:
                failure = "cancelled at shutdown"
                await asyncio.shield(self._settle_after(held, failed=True))
                raise
            except TimeoutError:
                failure = "timed out (functionTimeout)"
            except Exception as error:  # any user exception fails the invocation, as in the worker
                failure = type(error).__name__
                # The traceback may quote message content, so only at DEBUG (`switchboard host --log-level DEBUG`).
                logger.debug("function %s raised", self._function.name, exc_info=error)
            await self._settle_after(held, failed=failure is not None)
            outcome = held.outcome or "unsettled"
            return outcome
        finally:
            outcome = held.outcome or outcome
            self._held.drop(held)
            logger.info(
                "invocation function=%s message_id=%s session=%s delivery=%s outcome=%s%s duration_ms=%.0f",
                self._function.name,
                message.message_id,
                message.session_id or "-",
                (message.delivery_count or 0) + 1,
                outcome,
                f" error={failure}" if failure else "",
                (time.perf_counter() - started) * 1000,
            )

    async def _settle_after(self, held: Any, *, failed: bool) -> None:
        if held.outcome is not None:
            return
        try:
            if failed:
                await held.settle("abandoned")
            elif self._settings.auto_complete:
                await held.settle("completed")
            else:
                logger.warning(
                    "function %s returned without settling message %s (autoCompleteMessages is off): "
                    "it stays locked until its lock expires",
                    self._function.name,
                    held.message.message_id,
                )
        except Exception as error:  # e.g. the lock was lost: the broker redelivers, nothing to do here
            logger.warning(
                "settling message %s of %s failed: %s",
                held.message.message_id,
                self._function.name,
                type(error).__name__,
            )

    async def close(self) -> None:
        """Stop renewing locks."""
        await self.renewer.close()
