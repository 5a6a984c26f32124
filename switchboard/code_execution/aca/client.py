"""HTTP calls to the sessions data plane (current API), with each failure mapped to an error type by status.

401/403 → `SessionsAuthError`; 404 → `CodeFileNotFoundError`; 413 → `CodeTooLargeError`; other 4xx →
`InvalidCodeRequestError`; 408/429/5xx and connection failures → `SessionsUnavailableError` (transient).
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from switchboard.code_execution.aca.tokens import TokenSource
from switchboard.code_execution.errors import (
    CodeExecutionError,
    CodeFileNotFoundError,
    CodeTooLargeError,
    InvalidCodeRequestError,
    SessionsAuthError,
    SessionsUnavailableError,
)

API_VERSION = "2025-10-02-preview"
"""The data-plane API version this client speaks (executions and files)."""


def _message(status: int, body: bytes) -> str:
    try:
        error = json.loads(body).get("error", {})
        text = str(error.get("message") or error.get("code") or "")
    except (ValueError, AttributeError):
        text = body[:200].decode("utf-8", errors="replace")
    return f"the sessions pool answered {status}: {text or 'no details'}"


def error_for(status: int, body: bytes) -> CodeExecutionError:
    """The error type a failed response maps to (by status code, never by text)."""
    message = _message(status, body)
    if status in (401, 403):
        return SessionsAuthError(message)
    if status == 404:
        return CodeFileNotFoundError(message)
    if status == 413:
        return CodeTooLargeError(message)
    if status in (408, 429) or status >= 500:
        return SessionsUnavailableError(message)
    return InvalidCodeRequestError(message)


class SessionsClient:
    """One session's data-plane calls.

    Args:
        endpoint: The pool management endpoint (ends with the pool's path; a trailing slash is added).
        tokens: Where bearer tokens come from.
        http: The aiohttp session to send with.
    """

    def __init__(self, endpoint: str, tokens: TokenSource, http: aiohttp.ClientSession) -> None:
        self._endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self._tokens = tokens
        self._http = http

    async def request(
        self,
        method: str,
        path: str,
        identifier: str,
        *,
        json_body: Any = None,
        data: aiohttp.FormData | None = None,
        query: dict[str, str] | None = None,
        seconds: float = 60.0,
    ) -> bytes:
        """Send one request for session `identifier`; return the body of a 2xx reply.

        `seconds` bounds the whole request (connect, send, wait, read).

        Raises:
            CodeExecutionError: The subtype of `error_for`, or `SessionsUnavailableError` when unreachable.
        """
        params = {"api-version": API_VERSION, "identifier": identifier, **(query or {})}
        headers = {"Authorization": f"Bearer {await self._tokens.token()}"}
        try:
            async with self._http.request(
                method,
                self._endpoint + path,
                params=params,
                headers=headers,
                json=json_body,
                data=data,
                timeout=aiohttp.ClientTimeout(total=seconds),
            ) as response:
                body = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            raise SessionsUnavailableError(
                f"the sessions pool at {self._endpoint} is unreachable: {error!r}"
            ) from error
        if status in (401, 403):
            self._tokens.invalidate()
        if status >= 400:
            raise error_for(status, body)
        return body

    async def request_json(self, method: str, path: str, identifier: str, **kwargs: Any) -> Any:
        """`request` and decode the JSON reply."""
        body = await self.request(method, path, identifier, **kwargs)
        try:
            return json.loads(body)
        except ValueError as error:
            raise SessionsUnavailableError("the sessions pool answered something that is not JSON") from error
