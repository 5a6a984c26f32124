"""The studio server forwards only the API calls it knows, adds the credential itself, and serves no foreign code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from switchboard.studio import ApiAuth, FunctionAppApi, StudioConfig, studio_app

KEY = "secret-function-key"


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[TestServer, list[dict[str, Any]]]]:
    """A real HTTP server standing in for the Function App: records what reaches it."""
    seen: list[dict[str, Any]] = []

    async def anything(request: web.Request) -> web.Response:
        seen.append({"path": request.path, "method": request.method, "headers": dict(request.headers)})
        if request.headers.get("x-functions-key") != KEY:
            return web.Response(status=401, text="Unauthorized")
        return web.json_response({"path": request.path, "query": dict(request.query)})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", anything)
    server = TestServer(app)
    await server.start_server()
    yield server, seen
    await server.close()


@pytest.fixture
async def studio(upstream: tuple[TestServer, list[dict[str, Any]]]) -> AsyncIterator[TestClient[Any, Any]]:
    server, _ = upstream
    api = FunctionAppApi(str(server.make_url("/")), ApiAuth(key=KEY))
    client = TestClient(TestServer(studio_app(api, StudioConfig(trace_url="http://t/{run_id}", target="here"))))
    await client.start_server()
    yield client
    await client.close()


async def test_known_calls_are_forwarded_with_the_key_which_the_page_never_sees(
    studio: TestClient[Any, Any], upstream: tuple[TestServer, list[dict[str, Any]]]
) -> None:
    response = await studio.get("/api/runs", params={"status": "completed"})
    assert response.status == 200
    assert await response.json() == {"path": "/api/runs", "query": {"status": "completed"}}
    _, seen = upstream
    assert seen[-1]["headers"]["x-functions-key"] == KEY
    for page in ("/", "/runs", "/runs/abc", "/deadletters", "/teams", "/studio/config.json", "/static/studio.js"):
        answer = await studio.get(page)
        assert answer.status == 200, page
        assert KEY not in await answer.text(), page
        assert "default-src 'self'" in answer.headers["Content-Security-Policy"]


async def test_unknown_calls_are_refused_without_reaching_the_app(
    studio: TestClient[Any, Any], upstream: tuple[TestServer, list[dict[str, Any]]]
) -> None:
    _, seen = upstream
    for method, path in (("DELETE", "/api/runs/x"), ("GET", "/api/admin/host/keys"), ("POST", "/api/runs/../x")):
        response = await studio.request(method, path)
        assert response.status == 404, path
    assert seen == []


async def test_an_unreachable_app_is_a_clear_502() -> None:
    api = FunctionAppApi("http://127.0.0.1:9", ApiAuth())
    client = TestClient(TestServer(studio_app(api, StudioConfig())))
    await client.start_server()
    try:
        response = await client.get("/api/teams")
        assert response.status == 502
        assert "did not answer" in (await response.json())["error"]
    finally:
        await client.close()


def test_the_page_loads_nothing_from_another_origin() -> None:
    from switchboard.studio.server import STATIC

    for path in STATIC.iterdir():
        text = path.read_text()
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", ""), path
        assert "https://" not in text, path


async def test_an_entra_token_and_a_key_travel_together() -> None:
    async def token() -> str:
        return "tok"

    assert await ApiAuth(key="k", token=token).headers() == {"x-functions-key": "k", "Authorization": "Bearer tok"}
    assert await ApiAuth(token=token).headers() == {"Authorization": "Bearer tok"}
    assert await ApiAuth().headers() == {}
