"""HTTP routes: ingestion (`/v2.1/track`, `/v2/track`), live-metrics stubs, control plane, JSON API and pages."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from aiohttp import web

from local_emulators.appinsights.backend.ingestion import IngestionResult, Ingestor
from local_emulators.appinsights.backend.queries import find_run, recent_runs
from local_emulators.appinsights.errors import BodyTooLargeError, RequestRefusedError, RunNotFoundError, ThrottledError
from local_emulators.appinsights.settings import Settings
from local_emulators.appinsights.views.run_list import render_run_list
from local_emulators.appinsights.views.waterfall import render_waterfall

LOG = logging.getLogger("local_emulators.appinsights")
INGESTOR: web.AppKey[Ingestor] = web.AppKey("ingestor", Ingestor)
SETTINGS: web.AppKey[Settings] = web.AppKey("settings", Settings)
_TRACK_PATHS = ("/v2.1/track", "/v2/track")
_LIVE_METRICS_ACTIONS = ("quickpulseservice.svc/ping", "quickpulseservice.svc/post")


class _Gate:
    """Counts ingestion requests under way; past the limit a request is throttled (429, Retry-After)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active = 0


GATE: web.AppKey[_Gate] = web.AppKey("gate", _Gate)


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=json.dumps(body), content_type="application/json", headers=headers)


async def _read_body(request: web.Request, limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLargeError(f"The request body exceeds {limit} bytes.")
    body = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > limit:
            raise BodyTooLargeError(f"The request body exceeds {limit} bytes.")
    return bytes(body)


async def track(request: web.Request) -> web.Response:
    """`POST /v2.1/track` and `/v2/track`: store the envelopes, answer per item as Azure does."""
    ingestor, gate = request.app[INGESTOR], request.app[GATE]
    if gate.active >= gate.limit:
        error: RequestRefusedError = ThrottledError("Too many concurrent ingestion requests; retry later.")
        retry = str(ingestor.limits.retry_after_seconds)
        return _json(error.status, IngestionResult.refused(error).body(), {"Retry-After": retry})
    gate.active += 1
    try:
        body = await _read_body(request, ingestor.limits.max_body_bytes)
        result = ingestor.ingest(body, request.headers.get("Content-Encoding"))
    except ConnectionError:
        LOG.debug("client left before sending its whole body")
        return web.Response(status=400)
    except RequestRefusedError as refused:
        LOG.info("ingestion refused (%d): %s", refused.status, refused.message)
        response = _json(refused.status, IngestionResult.refused(refused).body())
        if isinstance(refused, BodyTooLargeError):
            response.force_close()  # the rest of an oversized body is not read
        return response
    finally:
        gate.active -= 1
    return _json(result.status, result.body())


async def fallback_post(request: web.Request) -> web.Response:
    """Ingestion under a doubled slash, and live metrics (QuickPulse) pings and posts answered 'not subscribed'.

    The exporter joins `IngestionEndpoint=http://host:port/` and `/v2.1/track` into `//v2.1/track`; Azure accepts it.
    """
    path = re.sub("/{2,}", "/", request.path)
    if path.rstrip("/") in _TRACK_PATHS:
        return await track(request)
    if path.lower().rstrip("/").endswith(_LIVE_METRICS_ACTIONS):
        await request.read()
        return web.Response(status=200, headers={"x-ms-qps-subscribed": "false"})
    LOG.warning("no route for POST %s", request.path)
    return _json(404, {"error": f"no route POST {request.path}"})


async def health(request: web.Request) -> web.Response:
    """`GET /health`: liveness and what is stored."""
    store = request.app[INGESTOR].store
    ingesting = request.app[GATE].active
    return _json(200, {"status": "healthy", "items": store.items, "bytes": store.bytes, "ingesting": ingesting})


async def reset(request: web.Request) -> web.Response:
    """`POST /reset`: delete every stored envelope (tests)."""
    request.app[INGESTOR].store.reset()
    return _json(200, {"status": "reset"})


def _limit(request: web.Request, default: int, most: int) -> int:
    try:
        return max(1, min(int(request.query.get("limit", default)), most))
    except ValueError as error:
        raise web.HTTPBadRequest(text="limit must be an integer") from error


async def api_runs(request: web.Request) -> web.Response:
    """`GET /api/runs`: recent runs, newest first."""
    return _json(200, {"runs": recent_runs(request.app[INGESTOR].store, _limit(request, 50, 500))})


async def api_run(request: web.Request) -> web.Response:
    """`GET /api/runs/{id}`: one run's spans, agents and totals."""
    try:
        return _json(200, find_run(request.app[INGESTOR].store, request.match_info["run"]).to_json())
    except RunNotFoundError as missing:
        return _json(404, {"error": str(missing)})


async def api_envelopes(request: web.Request) -> web.Response:
    """`GET /api/envelopes?operation_id=&type=&name=&limit=`: stored envelopes as the exporter sent them."""
    query = request.query
    texts = request.app[INGESTOR].store.envelopes(
        operation_id=query.get("operation_id"),
        kind=query.get("type"),
        name=query.get("name"),
        limit=_limit(request, 1000, 100_000),
    )
    return web.Response(text="[" + ",".join(texts) + "]", content_type="application/json")


async def home(request: web.Request) -> web.Response:
    """`GET /`: the run list page."""
    ingestor, settings = request.app[INGESTOR], request.app[SETTINGS]
    port = request.url.port or settings.port
    connection_string = settings.connection_string(port)
    runs = recent_runs(ingestor.store)
    html = render_run_list(runs, stored_items=ingestor.store.items, connection_string=connection_string)
    return web.Response(text=html, content_type="text/html")


async def run_page(request: web.Request) -> web.Response:
    """`GET /runs/{id}`: the run's waterfall page."""
    try:
        run = find_run(request.app[INGESTOR].store, request.match_info["run"])
    except RunNotFoundError as missing:
        text = f"<p>{missing}</p><p><a href='/'>all runs</a></p>"
        return web.Response(status=404, text=text, content_type="text/html")
    return web.Response(text=render_waterfall(run.to_json()), content_type="text/html")


def build_app(ingestor: Ingestor, settings: Settings) -> web.Application:
    """The aiohttp application with every route."""
    app = web.Application()
    app[INGESTOR] = ingestor
    app[SETTINGS] = settings
    app[GATE] = _Gate(settings.limits.max_concurrent_requests)
    app.router.add_post("/v2.1/track", track)
    app.router.add_post("/v2/track", track)
    app.router.add_get("/health", health)
    app.router.add_post("/reset", reset)
    app.router.add_get("/api/runs", api_runs)
    app.router.add_get("/api/runs/{run}", api_run)
    app.router.add_get("/api/envelopes", api_envelopes)
    app.router.add_get("/", home)
    app.router.add_get("/runs/{run}", run_page)
    app.router.add_post("/{tail:.*}", fallback_post)
    return app
