"""The local host refuses a body past its request limit with 413 naming the limit, as the Functions host does."""

from __future__ import annotations

import asyncio
import inspect
import urllib.error
import urllib.request
from collections.abc import AsyncIterator

import azure.functions as func
import pytest

from switchboard.local_host.http_server import MAX_REQUEST_BYTES, HttpFunctions, start_http_server
from switchboard.local_host.invoker import FunctionInvoker
from switchboard.local_host.validation import IndexedFunction


async def _echo(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(str(len(req.get_body())))


def _post(url: str, body: bytes) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
async def small_host() -> AsyncIterator[str]:
    trigger = {"type": "httpTrigger", "name": "req", "route": "echo", "methods": ["POST"], "authLevel": "ANONYMOUS"}
    echo = IndexedFunction(
        name="echo",
        user_function=_echo,
        bindings=(trigger,),
        trigger=trigger,
        annotations={"req": inspect.Parameter.empty},
        unbound={},
        is_async=True,
    )
    invoker = FunctionInvoker()
    invoker.start()
    handler = HttpFunctions(
        [echo],
        route_prefix="api",
        host_key=None,
        invoker=invoker,
        context_factory=lambda f: None,
        function_timeout=None,
    )
    runner, port = await start_http_server(handler, 0, max_request_bytes=1024)
    try:
        yield f"http://127.0.0.1:{port}/api/echo"
    finally:
        await runner.cleanup()
        invoker.close()


async def test_a_body_past_the_limit_is_refused_with_413_naming_it(small_host: str) -> None:
    assert await asyncio.to_thread(_post, small_host, b"x" * 1024) == (200, "1024")
    status, text = await asyncio.to_thread(_post, small_host, b"x" * 4096)
    assert status == 413
    assert "1024" in text


def test_the_default_limit_is_the_functions_hosts() -> None:
    assert MAX_REQUEST_BYTES == 100 * 1024 * 1024
