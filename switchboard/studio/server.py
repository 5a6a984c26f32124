"""The studio's web server: the page and its static files, and a proxy to the Function App's HTTP API.

Everything the browser loads comes from this server (no CDN, no other origin: the Content-Security-Policy says so),
and the browser calls only `/api/...` here; the server forwards the calls it knows to the Function App with the
credential it holds (`FunctionAppApi`), so no key ever reaches the page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from switchboard.studio.api_client import FunctionAppApi, StudioError

STATIC = Path(__file__).parent / "static"
PAGES = ("/", "/runs", "/deadletters", "/teams")
"""Paths that serve the single page (it draws the view of the path itself); `/runs/{id}` too."""

FORWARDED = (
    ("GET", re.compile(r"runs")),
    ("POST", re.compile(r"runs")),
    ("GET", re.compile(r"runs/[A-Za-z0-9-]{1,100}")),
    ("POST", re.compile(r"runs/[A-Za-z0-9-]{1,100}/(cancel|input)")),
    ("GET", re.compile(r"teams")),
    ("GET", re.compile(r"deadletters")),
    ("GET", re.compile(r"deadletters/[a-z][a-z0-9-]{0,49}/[^/]{1,200}")),
    ("POST", re.compile(r"deadletters/[a-z][a-z0-9-]{0,49}/[^/]{1,200}/replay")),
)
"""The API calls the studio forwards (method, path after `/api/`); anything else gets a 404 from the studio."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

_API = web.AppKey("api", FunctionAppApi)
_CONFIG = web.AppKey("config", dict)


@dataclass(frozen=True)
class StudioConfig:
    """What the page needs to know besides the API.

    Attributes:
        trace_url: The trace link of a run, with `{run_id}` in it (the local App Insights page, or the portal).
        target: Where the studio points, shown in the header (`local stack` or the app's URL).
        price_input: USD per million prompt tokens, for the cost column.
        price_output: USD per million completion tokens.
        poll_ms: How often the page polls a run that has not ended.
    """

    trace_url: str | None = None
    target: str = ""
    price_input: float = 0.0
    price_output: float = 0.0
    poll_ms: int = 700


def studio_app(api: FunctionAppApi, config: StudioConfig) -> web.Application:
    """The studio's aiohttp application; closing it closes the API client."""
    app = web.Application(middlewares=[_security_headers])
    app[_API] = api
    app[_CONFIG] = {
        "trace_url": config.trace_url,
        "target": config.target,
        "price_input": config.price_input,
        "price_output": config.price_output,
        "poll_ms": config.poll_ms,
    }
    for page in PAGES:
        app.router.add_get(page, _page)
    app.router.add_get("/runs/{run_id}", _page)
    app.router.add_get("/studio/config.json", _config)
    app.router.add_route("*", "/api/{path:.*}", _forward)
    app.router.add_static("/static/", STATIC, show_index=False)

    async def close(_: web.Application) -> None:
        await api.close()

    app.on_cleanup.append(close)
    return app


@web.middleware
async def _security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    response = await handler(request)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


async def _page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html")


async def _config(request: web.Request) -> web.Response:
    return web.json_response(request.app[_CONFIG])


async def _forward(request: web.Request) -> web.Response:
    path = request.match_info["path"].strip("/")
    if not any(method == request.method and pattern.fullmatch(path) for method, pattern in FORWARDED):
        return web.json_response({"error": f"the studio does not forward {request.method} /api/{path}"}, status=404)
    body = await request.read() if request.method == "POST" else None
    try:
        status, payload = await request.app[_API].call(
            request.method, path, query=dict(request.query), body=body or None
        )
    except StudioError as error:
        return web.json_response({"error": error.reason}, status=502)
    return web.Response(text=json.dumps(payload), status=status, content_type="application/json")
