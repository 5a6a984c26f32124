"""The HTTP layer (routes and wire shapes) of the sessions emulator, on aiohttp.

Every route needs `identifier` and `api-version` query parameters and a bearer token (see `auth`). The
`api-version` picks the shape of `GET /files`: `2024-02-02-preview` answers AutoGen's legacy shape.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import BodyPartReader, web

from local_emulators.sessions.auth import check_authorization
from local_emulators.sessions.backend import SessionsBackend
from local_emulators.sessions.errors import BadRequestError, PayloadTooLargeError, SessionsEmulatorError
from local_emulators.sessions.responses import (
    error_json,
    execution_json,
    file_json,
    legacy_execution_json,
    legacy_file_json,
)

LEGACY_API_VERSION = "2024-02-02-preview"
BACKEND: web.AppKey[SessionsBackend] = web.AppKey("backend", SessionsBackend)
TOKEN: web.AppKey[str] = web.AppKey("token", str)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        if request.path != "/health":
            check_authorization(request.headers.get("Authorization"), request.app[TOKEN])
            if not request.query.get("api-version"):
                raise BadRequestError("the 'api-version' query parameter is required")
        return await handler(request)
    except SessionsEmulatorError as error:
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return web.json_response(error_json(error.code, str(error)), status=error.status, headers=headers)
    except web.HTTPRequestEntityTooLarge:
        limit = request.app[BACKEND].settings.max_code_bytes
        message = f"the request body is too large: code may be at most {limit} bytes"
        return web.json_response(error_json(PayloadTooLargeError.code, message), status=413)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return web.json_response(error_json(type(error).__name__, error.reason), status=error.status)


def _backend(request: web.Request) -> SessionsBackend:
    return request.app[BACKEND]


def _identifier(request: web.Request) -> str:
    return request.query.get("identifier", "")


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read() or b"null")
    except ValueError as error:
        raise BadRequestError("the body is not JSON") from error
    if not isinstance(body, dict):
        raise BadRequestError("the body must be a JSON object")
    return body


def _check_inline(properties: dict[str, Any]) -> bool:
    """Validate the input and execution types; returns whether the execution is asynchronous."""
    if str(properties.get("codeInputType", "Inline")).lower() != "inline":
        raise BadRequestError("only codeInputType 'Inline' is supported")
    execution_type = str(properties.get("executionType", "Synchronous")).lower()
    if execution_type not in ("synchronous", "asynchronous"):
        raise BadRequestError("executionType must be 'Synchronous' or 'Asynchronous'")
    return execution_type == "asynchronous"


async def execute(request: web.Request) -> web.Response:
    """POST /executions (current API)."""
    body = await _json_body(request)
    asynchronous = _check_inline(body)
    execution = await _backend(request).execute(
        _identifier(request), body.get("code"), timeout_seconds=body.get("timeoutInSeconds"), asynchronous=asynchronous
    )
    location = f"{request.url.with_path(f'/executions/{execution.id}').with_query(request.query)}"
    headers = {"operation-id": execution.id, "Operation-Location": location}
    return web.json_response(execution_json(execution), status=202 if asynchronous else 200, headers=headers)


async def get_execution(request: web.Request) -> web.Response:
    """GET /executions/{id} (current API)."""
    execution = _backend(request).execution(_identifier(request), request.match_info["execution_id"])
    return web.json_response(execution_json(execution))


async def legacy_execute(request: web.Request) -> web.Response:
    """POST /code/execute (2024-02-02-preview): the body and the reply are wrapped in `properties`."""
    properties = (await _json_body(request)).get("properties")
    if not isinstance(properties, dict):
        raise BadRequestError("the body must be {'properties': {...}}")
    if _check_inline(properties):
        raise BadRequestError("the 2024-02-02-preview API runs only synchronous executions")
    execution = await _backend(request).execute(
        _identifier(request), properties.get("code"), timeout_seconds=properties.get("timeoutInSeconds")
    )
    return web.json_response(legacy_execution_json(execution), headers={"operation-id": execution.id})


async def list_files(request: web.Request) -> web.Response:
    """GET /files (both APIs; the shape follows api-version)."""
    entries = _backend(request).list_files(_identifier(request), request.query.get("path", ""))
    if request.query["api-version"] == LEGACY_API_VERSION:
        return web.json_response({"value": [legacy_file_json(e) for e in entries if not e.is_directory]})
    return web.json_response({"value": [file_json(entry) for entry in entries]})


async def _read_upload(request: web.Request, limit: int) -> tuple[str, bytes]:
    if not request.content_type.startswith("multipart/"):
        raise BadRequestError("upload a file as multipart/form-data with a 'file' field")
    reader = await request.multipart()
    async for part in reader:
        if isinstance(part, BodyPartReader) and part.name == "file":
            if not part.filename:
                raise BadRequestError("the 'file' field needs a filename")
            data = bytearray()
            while chunk := await part.read_chunk():
                data.extend(chunk)
                if len(data) > limit:
                    raise PayloadTooLargeError(f"the file is over the upload limit of {limit} bytes")
            return part.filename, bytes(data)
    raise BadRequestError("the multipart body has no 'file' field")


async def upload(request: web.Request) -> web.Response:
    """POST /files (current API) and POST /files/upload (2024-02-02-preview)."""
    backend = _backend(request)
    name, data = await _read_upload(request, backend.settings.max_upload_bytes)
    entry = backend.write_file(_identifier(request), name, data, request.query.get("path", ""))
    if request.path.endswith("/upload"):
        return web.json_response({"value": [legacy_file_json(entry)]})
    return web.json_response(file_json(entry), status=201)


async def file_metadata(request: web.Request) -> web.Response:
    """GET /files/{name} (current API)."""
    entry = _backend(request).file_entry(
        _identifier(request), request.match_info["name"], request.query.get("path", "")
    )
    return web.json_response(file_json(entry))


async def file_content(request: web.Request) -> web.Response:
    """GET /files/{name}/content (current API) and GET /files/content/{name} (2024-02-02-preview)."""
    data, content_type = _backend(request).read_file(
        _identifier(request), request.match_info["name"], request.query.get("path", "")
    )
    return web.Response(body=data, content_type=content_type)


async def delete_file(request: web.Request) -> web.Response:
    """DELETE /files/{name} (current API): 204."""
    _backend(request).delete_file(_identifier(request), request.match_info["name"], request.query.get("path", ""))
    return web.Response(status=204)


async def health(request: web.Request) -> web.Response:
    """GET /health: liveness, without a token."""
    return web.json_response({"status": "ok", "sessions": _backend(request).session_count()})


def build_app(backend: SessionsBackend, token: str, sweep_seconds: float) -> web.Application:
    """The aiohttp application: routes, the auth and error middleware, and the idle-session sweeper."""
    app = web.Application(middlewares=[_guard], client_max_size=backend.settings.max_code_bytes * 4 + 65536)
    app[BACKEND] = backend
    app[TOKEN] = token
    app.router.add_get("/health", health)
    app.router.add_post("/executions", execute)
    app.router.add_get("/executions/{execution_id}", get_execution)
    app.router.add_post("/code/execute", legacy_execute)
    app.router.add_post("/files/upload", upload)
    app.router.add_get("/files/content/{name}", file_content)
    app.router.add_get("/files", list_files)
    app.router.add_post("/files", upload)
    app.router.add_get("/files/{name}", file_metadata)
    app.router.add_get("/files/{name}/content", file_content)
    app.router.add_delete("/files/{name}", delete_file)
    app.cleanup_ctx.append(_sweeper(sweep_seconds))
    return app


def _sweeper(every: float) -> Callable[[web.Application], AsyncIterator[None]]:
    async def sweep(app: web.Application) -> AsyncIterator[None]:
        async def loop() -> None:
            while True:
                await asyncio.sleep(every)
                for identifier in await app[BACKEND].expire_idle():
                    sys.stderr.write(f"sessions-emulator: session {identifier!r} expired after its cooldown\n")

        task = asyncio.create_task(loop())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await app[BACKEND].close()

    return sweep
