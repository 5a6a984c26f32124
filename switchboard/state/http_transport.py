"""The HTTP transport of the process's Cosmos client: aiohttp, reading proxy and netrc settings only where they exist.

The SDK's default transport runs aiohttp with `trust_env`, and aiohttp then looks, on every request, for a proxy
(two scans of the whole environment) and for a netrc file (a file lookup handed to a worker thread and back). A hop
makes two or three Cosmos requests, so in a process whose environment names no proxy and which has no netrc file,
those lookups cost a thread round trip and a failed file open per request and find nothing. There the transport is
built without them; where either exists it keeps aiohttp's per-request behaviour, so proxies and netrc credentials
work exactly as with the SDK's default.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from azure.core.pipeline.transport import AioHttpTransport


def environment_configures_http(environ: Mapping[str, str] | None = None, home: Path | None = None) -> bool:
    """Whether aiohttp's `trust_env` would find anything: a `*_proxy` variable or a netrc file.

    Args:
        environ: The environment to look at (default: the process's).
        home: The home directory whose `.netrc` counts (default: the user's).

    Returns:
        True when some proxy variable is set or a netrc file exists (then the SDK's default behaviour is kept).
    """
    env = os.environ if environ is None else environ
    if any(name.lower().endswith("_proxy") and value for name, value in env.items()):
        return True
    if environ is None and urllib.request.getproxies():  # platform proxy settings (macOS, Windows registry)
        return True
    if env.get("NETRC"):
        return True
    try:
        return ((home or Path.home()) / ("_netrc" if os.name == "nt" else ".netrc")).exists()
    except RuntimeError:  # no resolvable home directory: aiohttp would find no netrc either
        return False


def cosmos_transport() -> AioHttpTransport:
    """The aiohttp transport for a Cosmos client; the client closes it with itself."""
    return AioHttpTransport(use_env_settings=environment_configures_http())
