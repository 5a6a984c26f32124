"""`host.json`: the Service Bus extension options, the function timeout and the HTTP route prefix."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from switchboard.local_host.errors import AppLoadError

# .NET TimeSpan text: [-][d.]hh:mm:ss[.fffffff]
_TIMESPAN = re.compile(
    r"^(?P<sign>-)?(?:(?P<days>\d+)\.)?(?P<h>\d{1,2}):(?P<m>\d{2}):(?P<s>\d{2})(?:\.(?P<f>\d{1,7}))?$"
)


def parse_timespan(text: str) -> timedelta:
    """Parse a .NET TimeSpan string as host.json writes it (``"00:05:00"``, ``"1.00:00:00"``, ``"00:00:00.80"``).

    Args:
        text: The TimeSpan text.

    Returns:
        The duration (negative when the text starts with ``-``).

    Raises:
        AppLoadError: The text is not a TimeSpan.
    """
    match = _TIMESPAN.match(text.strip())
    if match is None:
        raise AppLoadError(f"host.json: {text!r} is not a TimeSpan (expected [d.]hh:mm:ss[.fff])")
    fraction = match["f"] or "0"
    value = timedelta(
        days=int(match["days"] or 0),
        hours=int(match["h"]),
        minutes=int(match["m"]),
        seconds=int(match["s"]),
        microseconds=int(fraction.ljust(7, "0")[:6]),
    )
    return -value if match["sign"] else value


@dataclass(frozen=True)
class ServiceBusOptions:
    """`extensions.serviceBus` of host.json, with the extension's defaults (ServiceBusOptions.cs)."""

    auto_complete_messages: bool = True
    max_concurrent_calls: int = 16 * (os.cpu_count() or 1)
    max_concurrent_sessions: int = 8
    max_concurrent_calls_per_session: int = 1
    # None = renew for as long as the function runs (a negative TimeSpan in host.json).
    max_auto_lock_renewal_duration: timedelta | None = timedelta(minutes=5)
    session_idle_timeout: timedelta = timedelta(minutes=1)
    prefetch_count: int = 0


@dataclass(frozen=True)
class HostConfig:
    """What the local host takes from host.json."""

    service_bus: ServiceBusOptions = field(default_factory=ServiceBusOptions)
    function_timeout: timedelta | None = timedelta(minutes=30)
    route_prefix: str = "api"


def load_host_config(script_root: Path) -> HostConfig:
    """Read ``script_root/host.json`` (defaults when the file is absent).

    Args:
        script_root: The app's directory.

    Returns:
        The configuration.

    Raises:
        AppLoadError: host.json is not valid JSON or holds a malformed value.
    """
    path = script_root / "host.json"
    if not path.exists():
        return HostConfig()
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:
        raise AppLoadError(f"{path}: {error}") from error
    extensions = raw.get("extensions") or {}
    sb = extensions.get("serviceBus") or {}
    defaults = ServiceBusOptions()
    timeout = raw.get("functionTimeout")
    renewal = sb.get("maxAutoLockRenewalDuration")
    renewal_value = defaults.max_auto_lock_renewal_duration if renewal is None else parse_timespan(str(renewal))
    idle = sb.get("sessionIdleTimeout") or (sb.get("clientRetryOptions") or {}).get("tryTimeout")
    options = ServiceBusOptions(
        auto_complete_messages=bool(sb.get("autoCompleteMessages", defaults.auto_complete_messages)),
        max_concurrent_calls=int(sb.get("maxConcurrentCalls", defaults.max_concurrent_calls)),
        max_concurrent_sessions=int(sb.get("maxConcurrentSessions", defaults.max_concurrent_sessions)),
        max_concurrent_calls_per_session=int(
            sb.get("maxConcurrentCallsPerSession", defaults.max_concurrent_calls_per_session)
        ),
        max_auto_lock_renewal_duration=None if renewal_value and renewal_value < timedelta(0) else renewal_value,
        session_idle_timeout=parse_timespan(str(idle)) if idle else defaults.session_idle_timeout,
        prefetch_count=int(sb.get("prefetchCount", defaults.prefetch_count)),
    )
    function_timeout = parse_timespan(str(timeout)) if timeout else HostConfig().function_timeout
    http = extensions.get("http") or {}
    return HostConfig(
        service_bus=options,
        function_timeout=None if function_timeout and function_timeout < timedelta(0) else function_timeout,
        route_prefix=str(http.get("routePrefix", "api")).strip("/"),
    )
