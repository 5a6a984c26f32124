"""Bearer tokens for the sessions data plane: Entra tokens for audience https://dynamicsessions.io, refreshed early.

A `TokenSource` takes any azure-identity credential — async (`AsyncTokenCredential`, the default
`DefaultAzureCredential` from `azure.identity.aio`) or sync (`TokenCredential`, called in a thread) — or a static
token (the local emulator's `ACA_SESSIONS_TOKEN`). It caches the token and asks again once it is within
`refresh_margin` seconds of expiry, so no request goes out with a token about to lapse.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import cast

from azure.core.credentials import AccessToken, TokenCredential
from azure.core.credentials_async import AsyncTokenCredential

from switchboard.code_execution.errors import InvalidCodeRequestError

SESSIONS_SCOPE = "https://dynamicsessions.io/.default"
"""The scope of the sessions data plane (audience https://dynamicsessions.io)."""


class TokenSource:
    """Hands out a valid bearer token, refreshing it before it expires.

    Args:
        credential: An azure-identity credential (async or sync); None with `static_token`.
        static_token: A fixed token (the local emulator's); never refreshed.
        refresh_margin: Seconds before expiry at which a new token is fetched.
        owns_credential: Close the credential on `close()` (set when the executor created it).
        clock: Seconds since the epoch (tests move it).
    """

    def __init__(
        self,
        credential: AsyncTokenCredential | TokenCredential | None = None,
        *,
        static_token: str | None = None,
        refresh_margin: float = 300.0,
        owns_credential: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if (credential is None) == (static_token is None):
            raise InvalidCodeRequestError("give exactly one of a credential and a static token")
        self._credential = credential
        self._static = static_token
        self._margin = refresh_margin
        self._owns = owns_credential
        self._clock = clock
        self._current: AccessToken | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0
        """How many tokens were fetched from the credential (observable refresh behaviour)."""

    async def token(self) -> str:
        """A token valid for at least `refresh_margin` more seconds (or the static token)."""
        if self._static is not None:
            return self._static
        async with self._lock:
            if self._current is None or self._current.expires_on - self._clock() <= self._margin:
                self._current = await self._fetch()
                self.fetches += 1
            return self._current.token

    def invalidate(self) -> None:
        """Forget the cached token (after the service refused it)."""
        self._current = None

    async def _fetch(self) -> AccessToken:
        credential = self._credential
        if inspect.iscoroutinefunction(getattr(credential, "get_token", None)):
            return await cast(AsyncTokenCredential, credential).get_token(SESSIONS_SCOPE)
        return await asyncio.to_thread(cast(TokenCredential, credential).get_token, SESSIONS_SCOPE)

    async def close(self) -> None:
        """Close the credential when this source owns it."""
        if not self._owns:
            return
        close = getattr(self._credential, "close", None)
        if close is not None and inspect.iscoroutinefunction(close):
            await close()
