"""Shutdown hooks: what an app's process closes when its host stops it (Cosmos sessions, AMQP links, HTTP pools).

The Functions worker offers apps no stop callback, so an app registers its closers here (`on_shutdown`) and a host
that owns the worker's event loop — `switchboard host` — runs them on that loop before it ends it
(`run_shutdown_hooks`). Without this, a stopping host's log fills with asyncio's "Task was destroyed but it is
pending!" (the SDKs' keep-alive tasks) and aiohttp's "Unclosed client session".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger("switchboard.host")

ShutdownHook = Callable[[], Awaitable[None]]

_hooks: list[ShutdownHook] = []


def on_shutdown(hook: ShutdownHook) -> ShutdownHook:
    """Have `hook` awaited when the host stops (last registered, first run); returns it (usable as a decorator)."""
    _hooks.append(hook)
    return hook


async def run_shutdown_hooks() -> int:
    """Await every registered hook once, newest first, and forget them; a failing hook does not stop the others.

    Returns:
        How many hooks ran.
    """
    ran = 0
    while _hooks:
        hook = _hooks.pop()
        ran += 1
        try:
            await hook()
        except Exception as error:  # closing is best effort: the process is ending
            logger.warning("a shutdown hook failed: %s: %s", type(error).__name__, error)
    return ran
