"""Start-up failures are clear exit-2 errors: an app that does not load or validate, a taken port."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.hosting.local.conftest import run_host_once


def _app(tmp_path: Path, source: str) -> Path:
    (tmp_path / "function_app.py").write_text(source)
    return tmp_path


def test_an_app_that_raises_on_import_exits_2(tmp_path: Path) -> None:
    root = _app(tmp_path, "import azure.functions as func\nraise RuntimeError('broken on purpose')\n")
    result = run_host_once(["--port", "0", "--script-root", str(root)])
    assert result.returncode == 2
    assert "failed to load" in result.stderr
    assert "broken on purpose" in result.stderr


def test_an_invalid_function_name_exits_2_naming_the_function(tmp_path: Path) -> None:
    source = (
        "import azure.functions as func\n"
        "app = func.FunctionApp()\n"
        "@app.function_name('agent.planner')\n"
        "@app.route(route='x', auth_level=func.AuthLevel.ANONYMOUS)\n"
        "def f(req: func.HttpRequest) -> func.HttpResponse:\n"
        "    return func.HttpResponse('x')\n"
    )
    result = run_host_once(["--port", "0", "--script-root", str(_app(tmp_path, source))])
    assert result.returncode == 2
    assert "function 'agent.planner': invalid function name" in result.stderr


def test_a_taken_port_exits_2(tmp_path: Path) -> None:
    source = (
        "import azure.functions as func\n"
        "app = func.FunctionApp()\n"
        "@app.route(route='x', auth_level=func.AuthLevel.ANONYMOUS)\n"
        "def f(req: func.HttpRequest) -> func.HttpResponse:\n"
        "    return func.HttpResponse('x')\n"
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_host_once(["--port", str(port), "--script-root", str(_app(tmp_path, source))])
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
