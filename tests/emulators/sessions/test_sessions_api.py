"""The sessions emulator's data plane over HTTP: both API generations, statefulness, files, auth and bad input."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.processes import REPO_ROOT, free_port
from tests.support.sessions import LEGACY_API, SessionsEmulator, entra_shaped_token

pytestmark = pytest.mark.emulator


def test_python_state_persists_and_the_last_expression_is_the_result(sessions: SessionsEmulator) -> None:
    first = sessions.execute("x = 40\nprint('hello')\nx + 1", "state-1")
    assert first["status"] == "Succeeded"
    assert first["result"]["stdout"] == "hello\n"
    assert first["result"]["executionResult"] == 41
    second = sessions.execute("x + 2", "state-1")
    assert second["result"]["executionResult"] == 42
    assert second["identifier"] == "state-1"


def test_an_exception_fails_the_execution_with_its_traceback(sessions: SessionsEmulator) -> None:
    reply = sessions.execute("1 / 0", "state-2")
    assert reply["status"] == "Failed"
    assert "ZeroDivisionError" in reply["result"]["stderr"]
    assert sessions.execute("'still alive'", "state-2")["result"]["executionResult"] == "still alive"


def test_the_data_packages_of_the_sample_are_installed(sessions: SessionsEmulator) -> None:
    reply = sessions.execute(
        "import pandas as pd, numpy as np\npd.DataFrame({'a': np.arange(4)})['a'].sum()",
        "packages",
        timeoutInSeconds=60,
    )
    assert (reply["status"], reply["result"]["executionResult"]) == ("Succeeded", "np.int64(6)"), reply


def test_legacy_code_execute_wraps_in_properties(sessions: SessionsEmulator) -> None:
    body = {"properties": {"codeInputType": "inline", "executionType": "synchronous", "code": "y = 2\ny * 21"}}
    reply = sessions.call("POST", "code/execute", "legacy-1", body=body, api_version=LEGACY_API)
    assert reply.status == 200
    properties = reply.json()["properties"]
    assert (properties["status"], properties["result"], properties["stdout"]) == ("Success", 42, "")
    body["properties"]["code"] = "print('no value')"
    properties = sessions.call("POST", "code/execute", "legacy-1", body=body, api_version=LEGACY_API).json()[
        "properties"
    ]
    assert (properties["status"], properties["result"], properties["stdout"]) == ("Success", "", "no value\n")
    body["properties"]["code"] = "raise ValueError('bad')"
    properties = sessions.call("POST", "code/execute", "legacy-1", body=body, api_version=LEGACY_API).json()[
        "properties"
    ]
    assert properties["status"] == "Failure"
    assert "ValueError: bad" in properties["stderr"]


def test_asynchronous_execution_is_polled(sessions: SessionsEmulator) -> None:
    reply = sessions.call(
        "POST",
        "executions",
        "async-1",
        body={"code": "import time; time.sleep(0.3); 7", "executionType": "Asynchronous"},
    )
    assert reply.status == 202
    execution_id = reply.json()["id"]
    assert reply.headers["operation-id"] == execution_id
    deadline = time.monotonic() + 30
    while (polled := sessions.call("GET", f"executions/{execution_id}", "async-1").json())["status"] == "Running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert (polled["status"], polled["result"]["executionResult"]) == ("Succeeded", 7)
    assert sessions.call("GET", "executions/unknown", "async-1").status == 404


def test_files_upload_list_content_metadata_delete(sessions: SessionsEmulator) -> None:
    assert sessions.upload("data.csv", b"a,b\n1,2\n", "files-1").status == 201
    listed = sessions.call("GET", "files", "files-1").json()["value"]
    assert [(f["name"], f["sizeInBytes"], f["type"]) for f in listed] == [("data.csv", 8, "file")]
    assert sessions.call("GET", "files/data.csv", "files-1").json()["sizeInBytes"] == 8
    assert sessions.call("GET", "files/data.csv/content", "files-1").body == b"a,b\n1,2\n"
    code = "import pandas as pd\nopen('/mnt/data/out.txt', 'w').write(str(pd.read_csv('data.csv')['b'].sum()))"
    assert sessions.execute(code, "files-1")["status"] == "Succeeded"
    assert sessions.call("GET", "files/out.txt/content", "files-1").body == b"2"
    assert sessions.call("DELETE", "files/data.csv", "files-1").status == 204
    assert sessions.call("GET", "files/data.csv/content", "files-1").status == 404
    assert sessions.call("DELETE", "files/data.csv", "files-1").status == 404


def test_legacy_file_routes(sessions: SessionsEmulator) -> None:
    reply = sessions.upload("in.txt", b"legacy", "files-2", path="files/upload")
    assert reply.status == 200
    assert reply.json()["value"][0]["properties"]["filename"] == "in.txt"
    listed = sessions.call("GET", "files", "files-2", api_version=LEGACY_API).json()["value"]
    assert [(f["properties"]["filename"], f["properties"]["size"]) for f in listed] == [("in.txt", 6)]
    assert sessions.call("GET", "files/content/in.txt", "files-2", api_version=LEGACY_API).body == b"legacy"
    assert sessions.call("GET", "files/content/missing.txt", "files-2", api_version=LEGACY_API).status == 404


def test_a_token_is_required(sessions: SessionsEmulator) -> None:
    assert sessions.call("GET", "files", "auth-1", token=None).status == 401
    assert sessions.call("GET", "files", "auth-1", token="wrong").status == 401
    assert (
        sessions.call("GET", "files", "auth-1", token=entra_shaped_token("https://management.azure.com")[0]).status
        == 401
    )
    assert sessions.call("GET", "files", "auth-1", token=entra_shaped_token(lifetime=-60)[0]).status == 401
    assert sessions.call("GET", "files", "auth-1", token=entra_shaped_token()[0]).status == 200
    unauthorized = sessions.call("POST", "executions", "auth-2", body={"code": "1"}, token=None)
    assert unauthorized.headers["WWW-Authenticate"] == "Bearer"
    assert "Authorization" in unauthorized.json()["error"]["message"]


@pytest.mark.parametrize(
    ("identifier", "body", "status", "says"),
    [
        ("bad-1", {"code": "x = 1\n" * 1_700_000}, 413, "at most"),
        ("bad-2", {"kode": "1"}, 400, "'code' must be a string"),
        ("bad-3", {"code": "1", "timeoutInSeconds": 221}, 400, "timeoutInSeconds"),
        ("bad-4", {"code": "1", "codeInputType": "Url"}, 400, "Inline"),
        (None, {"code": "1"}, 400, "identifier"),
        ("abc", {"code": "1"}, 400, "4-128"),
    ],
    ids=["10MB-of-code", "no-code", "timeout-over-220", "not-inline", "no-identifier", "short-identifier"],
)
def test_bad_input_gets_a_clear_error_and_allocates_nothing(
    sessions: SessionsEmulator, identifier: str | None, body: dict[str, object], status: int, says: str
) -> None:
    before = sessions.session_count()
    reply = sessions.call("POST", "executions", identifier, body=body)
    assert reply.status == status
    assert says in reply.json()["error"]["message"]
    assert sessions.session_count() == before


@pytest.mark.parametrize("name", ["../escape.txt", "..", "a/../../b.txt"])
def test_file_names_outside_mnt_data_are_refused(sessions: SessionsEmulator, name: str) -> None:
    reply = sessions.upload(name, b"x", "files-3")
    assert reply.status == 400
    assert "inside /mnt/data" in reply.json()["error"]["message"]
    assert not (sessions.data_dir / "escape.txt").exists()
    assert not (sessions.data_dir / "sessions" / "escape.txt").exists()


def test_without_a_sandbox_the_emulator_refuses_to_start(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "local_emulators", "sessions", "--port", str(free_port()), "--data-dir", str(tmp_path)],
        cwd=REPO_ROOT,
        env={**os.environ, "PATH": str(tmp_path), "PYTHONPATH": str(REPO_ROOT)},  # no bwrap on PATH
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "refusing to start: bubblewrap (bwrap) is not installed" in done.stderr


def test_sessions_run_in_parallel_and_one_session_runs_in_order(sessions: SessionsEmulator) -> None:
    for identifier in ("parallel-a", "parallel-b"):
        sessions.execute("import time\norder = []", identifier)  # warm: each kernel is started
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(
            pool.map(
                lambda args: sessions.execute(f"time.sleep(2)\norder.append({args[1]})\norder", args[0]),
                [("parallel-a", 1), ("parallel-b", 1), ("parallel-a", 2)],
            )
        )
    elapsed = time.monotonic() - started
    assert all(reply["status"] == "Succeeded" for reply in replies)
    # a's two executions ran one after the other (4 s), b's alongside them: under the 6 s of all in series.
    assert 4.0 <= elapsed < 5.6
    assert sorted(sessions.execute("order", "parallel-a")["result"]["executionResult"].strip("[]").split(", ")) == [
        "1",
        "2",
    ]
