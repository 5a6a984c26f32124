"""The local host's life: start everything in the order the Functions host does, run, and stop gracefully.

Start: settings (exported to the environment as the worker sees them), host.json, the settlement gRPC server and
the worker's command line (`--host --port --functions-grpc-max-message-length`, read by `ServiceBusMessageActions`),
then the app, the HTTP server and one listener per Service Bus trigger. Stop (SIGTERM/SIGINT): stop receiving,
let in-flight invocations finish within the grace period, cancel the rest (their messages are abandoned), close.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from switchboard.instrumentation import flush as flush_telemetry
from switchboard.local_host.app_loader import load_app
from switchboard.local_host.app_settings import AppSettings
from switchboard.local_host.host_config import HostConfig, load_host_config
from switchboard.local_host.http_server import HOST_KEY_SETTING, HttpFunctions, start_http_server
from switchboard.local_host.invoker import FunctionInvoker, InvocationContext
from switchboard.local_host.message_invocation import InvocationSettings, MessageInvocation
from switchboard.local_host.servicebus_listener import ServiceBusConnections, TriggerEntity, TriggerListener
from switchboard.local_host.settlement import HeldMessages, start_settlement_server
from switchboard.local_host.timer_listener import TimerListener
from switchboard.local_host.validation import IndexedFunction

logger = logging.getLogger("switchboard.host")
GRPC_MAX_MESSAGE_LENGTH = 2147483647


@dataclass(frozen=True)
class HostOptions:
    """Command-line options of `switchboard host`."""

    script_root: Path
    port: int = 7071
    grace_seconds: float = 20.0


def worker_command_line(grpc_port: int) -> list[str]:
    """The arguments the Functions host starts the Python worker with (the SDK-type binding parses them)."""
    worker_id, request_id = str(uuid.uuid4()), str(uuid.uuid4())
    return [
        *("--host", "127.0.0.1", "--port", str(grpc_port)),
        *("--workerId", worker_id, "--requestId", request_id, "--grpcMaxMessageLength", str(GRPC_MAX_MESSAGE_LENGTH)),
        *("--functions-uri", f"http://127.0.0.1:{grpc_port}/", "--functions-worker-id", worker_id),
        *("--functions-request-id", request_id, "--functions-grpc-max-message-length", str(GRPC_MAX_MESSAGE_LENGTH)),
    ]


class LocalHost:
    """`switchboard host`: runs one app until signalled."""

    def __init__(self, options: HostOptions) -> None:
        """Prepare (nothing starts before `run`)."""
        self._options = options
        self._root = options.script_root.resolve()
        self._stopping = asyncio.Event()
        self._held = HeldMessages()
        self._invoker = FunctionInvoker()
        self._listeners: list[TriggerListener] = []
        self._timers: list[TimerListener] = []
        self._invocations: list[MessageInvocation] = []
        self._cleanups: list[Any] = []

    async def run(self) -> None:
        """Start, serve until SIGTERM/SIGINT, then stop gracefully.

        Raises:
            LocalHostError: The app does not load or validate, a setting is missing, or the port is taken.
        """
        try:
            listener_tasks = await self._start()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self._stopping.set)
            await self._stopping.wait()
            logger.info(
                "stopping: no new messages; waiting up to %.0fs for in-flight invocations", self._options.grace_seconds
            )
            await self._drain()
            await asyncio.wait(listener_tasks)
        finally:
            self._stopping.set()
            await self._close()

    async def _start(self) -> list[asyncio.Task[None]]:
        settings = AppSettings.load(self._root)
        settings.export()
        config = load_host_config(self._root)
        server, grpc_port = await start_settlement_server(self._held)
        self._cleanups.append(lambda: server.stop(1))
        sys.argv = [sys.argv[0], *worker_command_line(grpc_port)]
        functions = load_app(self._root)
        connections = ServiceBusConnections(settings)
        self._cleanups.append(connections.close)
        for function in functions:
            if function.trigger_type == "serviceBusTrigger":
                self._listeners.append(self._listener(function, settings, config, connections))
            elif function.trigger_type == "timerTrigger":
                self._timers.append(self._timer(function, settings, config))
        self._invoker.start()
        await self._start_http(functions, settings, config)
        logger.info(
            "functions: %s",
            ", ".join(f"{f.name} [{f.trigger_type}]" for f in functions) or "(none)",
        )
        tasks = [asyncio.create_task(listener.run()) for listener in self._listeners]
        return tasks + [asyncio.create_task(timer.run()) for timer in self._timers]

    def _timer(self, function: IndexedFunction, settings: AppSettings, config: HostConfig) -> TimerListener:
        context = lambda: InvocationContext(function.name, self._root)  # noqa: E731
        timer = TimerListener(function, settings, self._invoker, context, self._stopping, config.function_timeout)
        logger.info("function %s runs on schedule %s", function.name, timer.schedule.text)
        return timer

    async def _start_http(self, functions: list[IndexedFunction], settings: AppSettings, config: HostConfig) -> None:
        http_functions = [f for f in functions if f.trigger_type == "httpTrigger"]
        host_key = settings.get(HOST_KEY_SETTING) or None
        if host_key is None and any(str(f.trigger.get("authLevel", "")).upper() != "ANONYMOUS" for f in http_functions):
            logger.warning(
                "%s is not set: function- and admin-level routes are open (as with func start)", HOST_KEY_SETTING
            )
        handler = HttpFunctions(
            http_functions,
            route_prefix=config.route_prefix,
            host_key=host_key,
            invoker=self._invoker,
            context_factory=lambda f: InvocationContext(f.name, self._root),
            function_timeout=config.function_timeout,
        )
        runner, port = await start_http_server(handler, self._options.port)
        self._cleanups.append(runner.cleanup)
        prefix = f"/{config.route_prefix}" if config.route_prefix else ""
        print(f"Switchboard host listening on http://127.0.0.1:{port}{prefix}", flush=True)

    def _listener(
        self, function: IndexedFunction, settings: AppSettings, config: HostConfig, connections: ServiceBusConnections
    ) -> TriggerListener:
        entity = TriggerEntity.of(function, settings)
        auto_complete = function.trigger.get("autoCompleteMessages", config.service_bus.auto_complete_messages)
        invocation = MessageInvocation(
            function,
            InvocationSettings(
                auto_complete=bool(auto_complete),
                function_timeout=config.function_timeout,
                max_lock_renewal=config.service_bus.max_auto_lock_renewal_duration,
            ),
            self._invoker,
            self._held,
            lambda: InvocationContext(function.name, self._root),
        )
        self._invocations.append(invocation)
        if entity.sessions and config.service_bus.max_concurrent_calls_per_session > 1:
            logger.warning("maxConcurrentCallsPerSession > 1: this host runs one message per session at a time")
        client = connections.client(str(function.trigger["connection"]))
        logger.info("function %s listens on %s%s", function.name, entity, " (sessions)" if entity.sessions else "")
        return TriggerListener(entity, client, config.service_bus, invocation, self._held, self._stopping)

    async def _drain(self) -> None:
        # A receive under way at the stop signal may still return messages; they count as in flight.
        for listener in self._listeners:
            await listener.receives_done()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._options.grace_seconds
        in_flight: list[set[asyncio.Task[Any]]] = [each.in_flight for each in self._listeners]
        in_flight += [each.in_flight for each in self._timers]
        while pending := set[asyncio.Task[Any]]().union(*in_flight):
            remaining = deadline - loop.time()
            if remaining > 0:
                await asyncio.wait(pending, timeout=remaining)
                continue
            logger.warning("grace period over: cancelling %d invocation(s); their messages are abandoned", len(pending))
            for task in pending:
                task.cancel()
            await asyncio.wait(pending)

    async def _close(self) -> None:
        # The app first, on its own loop, while the bus is still open: its clients close their links cleanly.
        await self._invoker.shutdown_app()
        for invocation in self._invocations:
            await invocation.close()
        for cleanup in reversed(self._cleanups):
            try:
                await cleanup()
            except Exception as error:  # closing is best effort; the process is ending
                logger.warning("closing failed: %s", type(error).__name__)
        self._invoker.close()
        # Spans and metrics still buffered by the app's telemetry leave before the process does.
        flush_telemetry()
