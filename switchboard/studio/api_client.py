"""`FunctionAppApi`: the studio server's client of the Function App's HTTP API, holding the credential.

The browser never sees the credential: it calls the studio, and the studio adds a function key (`x-functions-key`)
or an Entra ID bearer token (azure-identity's `DefaultAzureCredential`, for an app behind App Service
authentication) to each request it forwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from switchboard.errors import SwitchboardError

TIMEOUT_SECONDS = 30.0
"""How long one forwarded call may take (a dead-letter replay receives with a short wait per queue)."""


class StudioError(SwitchboardError):
    """The studio cannot serve: a bad option, or the Function App cannot be reached."""


TokenSource = Callable[[], Awaitable[str]]


@dataclass(frozen=True)
class ApiAuth:
    """How the studio authenticates to the Function App: a function key, an Entra ID token source, both, or nothing.

    Attributes:
        key: A function (or host) key, sent as `x-functions-key`.
        token: Returns a bearer token for each call (see `entra_token_source`).
    """

    key: str | None = None
    token: TokenSource | None = None

    async def headers(self) -> dict[str, str]:
        """The headers that carry the credential."""
        headers: dict[str, str] = {}
        if self.key:
            headers["x-functions-key"] = self.key
        if self.token is not None:
            # Easy Auth checks the bearer token; the Functions host still checks the key of a function-level route.
            headers["Authorization"] = f"Bearer {await self.token()}"
        return headers


def entra_token_source(scope: str) -> TokenSource:
    """A token source for `scope` (e.g. `api://<app client id>/.default`) through `DefaultAzureCredential`.

    Raises:
        StudioError: azure-identity is not installed.
    """
    try:
        from azure.identity.aio import DefaultAzureCredential
    except ImportError as error:  # pragma: no cover - azure-identity is a dependency of the hosted extra
        raise StudioError("--entra-scope needs azure-identity (pip install azure-identity)") from error
    credential = DefaultAzureCredential()

    async def token() -> str:
        return (await credential.get_token(scope)).token

    return token


class FunctionAppApi:
    """Forwards calls to `<base>/api/...`, adding the credential; one connection pool per studio."""

    def __init__(self, base_url: str, auth: ApiAuth) -> None:
        """Point at the app's root URL (e.g. `https://myapp.azurewebsites.net`)."""
        self.base_url = base_url.rstrip("/")
        self._auth = auth
        self._session: aiohttp.ClientSession | None = None

    async def call(self, method: str, path: str, *, query: dict[str, str], body: bytes | None) -> tuple[int, Any]:
        """Send one request to `<base>/api/<path>`.

        Returns:
            The status and the JSON body (or `{"error": text}` when the app answered something else).

        Raises:
            StudioError: The app cannot be reached.
        """
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS))
        headers = {"Content-Type": "application/json", **(await self._auth.headers())}
        url = f"{self.base_url}/api/{path}"
        try:
            async with self._session.request(method, url, params=query, data=body, headers=headers) as response:
                text = await response.text()
                try:
                    payload: Any = await response.json(content_type=None) if text else {}
                except ValueError:
                    payload = {"error": text.strip()[:500] or response.reason}
                return response.status, payload
        except (aiohttp.ClientError, TimeoutError) as error:
            raise StudioError(f"the Function App at {self.base_url} did not answer: {error!r}") from error

    async def close(self) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None
