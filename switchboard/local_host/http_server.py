"""HTTP triggers on one port, as `func start` serves them: `/<routePrefix>/<route>`, methods, auth levels.

Auth: `anonymous` is open; `function` and `admin` need the host key (setting `SWITCHBOARD_HOST_KEY`) in the
`x-functions-key` header or the `code` query parameter. Without that setting the host runs open, as `func start`
does locally, and says so once at start-up.
"""

from __future__ import annotations

import hmac
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import azure.functions as func
from aiohttp import web

from switchboard.local_host.errors import PortInUseError
from switchboard.local_host.invoker import FunctionInvoker
from switchboard.local_host.validation import IndexedFunction

logger = logging.getLogger("switchboard.host")
HOST_KEY_SETTING = "SWITCHBOARD_HOST_KEY"
_PARAMETER = re.compile(r"\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::[^}?]*)?(\?)?\}")


def route_pattern(template: str) -> re.Pattern[str]:
    """Compile a Functions route template (``runs/{id}``, ``{id:int}``, ``{opt?}``, ``{*rest}``) to a regex."""
    parts: list[str] = []
    position = 0
    for match in _PARAMETER.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        catch_all, name, optional = match.group(1), match.group(2), match.group(3)
        body = f"(?P<{name}>.+)" if catch_all else f"(?P<{name}>[^/]+)"
        if optional or catch_all:
            body = f"{body}?"
            if parts and parts[-1].endswith("/"):  # `a/{b?}` also matches `a`
                parts[-1] = parts[-1][:-1]
                body = f"(?:/{body})?"
        parts.append(body)
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("^" + "".join(parts) + "$", re.IGNORECASE)


@dataclass(frozen=True)
class HttpRoute:
    """One HTTP-triggered function's route."""

    function: IndexedFunction
    pattern: re.Pattern[str]
    methods: frozenset[str] | None
    anonymous: bool

    @classmethod
    def of(cls, function: IndexedFunction) -> HttpRoute:
        """Read the httpTrigger binding of ``function``."""
        trigger = function.trigger
        methods = trigger.get("methods")
        return cls(
            function=function,
            pattern=route_pattern(str(trigger.get("route") or function.name).strip("/")),
            methods=frozenset(str(m).upper() for m in methods) if methods else None,
            anonymous=str(trigger.get("authLevel", "FUNCTION")).upper() == "ANONYMOUS",
        )


class HttpFunctions:
    """The aiohttp handler that routes requests to HTTP-triggered functions."""

    def __init__(
        self,
        functions: list[IndexedFunction],
        *,
        route_prefix: str,
        host_key: str | None,
        invoker: FunctionInvoker,
        context_factory: Callable[[IndexedFunction], Any],
        function_timeout: timedelta | None,
    ) -> None:
        """Index the routes of ``functions``."""
        self._routes = [HttpRoute.of(f) for f in functions]
        self._prefix = f"/{route_prefix}/" if route_prefix else "/"
        self._host_key = host_key
        self._invoker = invoker
        self._context_factory = context_factory
        self._timeout = function_timeout.total_seconds() if function_timeout else None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one request: 404 unknown route, 405 wrong method, 401 missing/wrong key, else the function."""
        path = request.path
        if not path.startswith(self._prefix):
            return web.Response(status=404, text="Not Found")
        relative = path[len(self._prefix) :].strip("/")
        method_mismatch = False
        for route in self._routes:
            match = route.pattern.match(relative)
            if match is None:
                continue
            if route.methods is not None and request.method.upper() not in route.methods:
                method_mismatch = True
                continue
            if not route.anonymous and not self._authorized(request):
                return web.Response(status=401, text="Unauthorized: pass the host key in x-functions-key or ?code=")
            params = {k: v for k, v in match.groupdict().items() if v is not None}
            return await self._invoke(route.function, request, params)
        if method_mismatch:
            return web.Response(status=405, text="Method Not Allowed")
        return web.Response(status=404, text="Not Found")

    def _authorized(self, request: web.Request) -> bool:
        if self._host_key is None:
            return True
        given = request.headers.get("x-functions-key") or request.query.get("code") or ""
        return hmac.compare_digest(given.encode(), self._host_key.encode())

    async def _invoke(self, function: IndexedFunction, request: web.Request, params: dict[str, str]) -> web.Response:
        started = time.perf_counter()
        http_request = func.HttpRequest(
            method=request.method,
            url=str(request.url),
            headers=dict(request.headers),
            params=dict(request.query),
            route_params=params,
            body=await request.read(),
        )
        arguments: dict[str, Any] = {str(function.trigger["name"]): http_request}
        arguments |= {name: self._context_factory(function) for name in function.unbound}
        try:
            result = await self._invoker.invoke(function, arguments, self._timeout)
            response = _to_response(result)
        except Exception as error:  # the host answers 500 and logs the failure, never the details to the caller
            logger.debug("function %s raised", function.name, exc_info=error)
            logger.info(
                "invocation function=%s method=%s status=500 error=%s duration_ms=%.0f",
                function.name,
                request.method,
                type(error).__name__,
                (time.perf_counter() - started) * 1000,
            )
            return web.Response(status=500)
        logger.info(
            "invocation function=%s method=%s status=%d duration_ms=%.0f",
            function.name,
            request.method,
            response.status,
            (time.perf_counter() - started) * 1000,
        )
        return response


def _to_response(result: Any) -> web.Response:
    if result is None:
        return web.Response(status=204)
    if isinstance(result, func.HttpResponse):
        headers = {k: v for k, v in result.headers.items() if k.lower() != "content-type"}
        content_type = result.headers.get("content-type") or result.mimetype
        if result.charset and "charset" not in content_type:
            content_type = f"{content_type}; charset={result.charset}"
        headers["Content-Type"] = content_type
        return web.Response(status=result.status_code, body=result.get_body(), headers=headers)
    if isinstance(result, bytes | str):
        return web.Response(status=200, body=result if isinstance(result, bytes) else result.encode())
    raise TypeError(f"an HTTP function must return func.HttpResponse, str or bytes, not {type(result).__name__}")


MAX_REQUEST_BYTES = 100 * 1024 * 1024
"""The Functions host's default request body limit (100 MB); past it aiohttp answers 413 naming the limit."""


async def start_http_server(
    handler: HttpFunctions, port: int, *, max_request_bytes: int = MAX_REQUEST_BYTES
) -> tuple[web.AppRunner, int]:
    """Listen on 127.0.0.1:``port`` (0 = a free port).

    A body larger than ``max_request_bytes`` is refused with 413 before any function runs (the functions
    themselves may take less: `POST /api/runs` reads at most 1 MiB).

    Returns:
        The runner (clean it up to stop) and the bound port.

    Raises:
        PortInUseError: The port is taken.
    """
    app = web.Application(client_max_size=max_request_bytes)
    app.router.add_route("*", "/{tail:.*}", handler.handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    # SO_REUSEADDR only lets a restarted host bind over TIME_WAIT; a port another process listens on still fails.
    site = web.TCPSite(runner, "127.0.0.1", port, reuse_address=True)
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()
        raise PortInUseError(f"cannot listen on 127.0.0.1:{port}: {error.strerror or error}") from error
    return runner, int(runner.addresses[0][1])
