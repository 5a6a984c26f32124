"""LocalCommandLineCodeExecutor: each sandbox property, cancellation, files, and bad input changing nothing."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from switchboard.agent import CancellationToken
from switchboard.code_execution import (
    CANCELLED_EXIT_CODE,
    TIMEOUT_EXIT_CODE,
    CodeBlock,
    CodeExecutor,
    CodeFile,
    CodeTooLargeError,
    ExecutorNotStartedError,
    InvalidCodeRequestError,
    SandboxUnavailableError,
    UnsupportedLanguageError,
)
from switchboard.code_execution import local as local_module
from switchboard.code_execution.local import LocalCommandLineCodeExecutor
from switchboard.code_execution.sandbox import SandboxPolicy


def py(code: str) -> CodeBlock:
    return CodeBlock(code, "python")


@pytest.fixture
async def executor() -> AsyncIterator[LocalCommandLineCodeExecutor]:
    async with LocalCommandLineCodeExecutor(timeout=20) as running:
        yield running


async def run(executor: LocalCommandLineCodeExecutor, *blocks: CodeBlock) -> tuple[int, str]:
    result = await executor.execute_code_blocks(list(blocks), CancellationToken())
    return result.exit_code, result.output


async def test_satisfies_the_protocol_and_runs_python_and_sh(executor: LocalCommandLineCodeExecutor) -> None:
    assert isinstance(executor, CodeExecutor)
    assert executor.sandboxed
    code, output = await run(executor, py("print(6 * 7)"), CodeBlock("echo from-sh", "sh"))
    assert (code, output) == (0, "42\nfrom-sh\n")


async def test_stops_at_the_first_failing_block(executor: LocalCommandLineCodeExecutor) -> None:
    code, output = await run(executor, py("raise SystemExit(3)"), CodeBlock("echo never", "sh"))
    assert code == 3
    assert "never" not in output


async def test_reports_the_files_a_block_wrote(executor: LocalCommandLineCodeExecutor) -> None:
    result = await executor.execute_code_blocks(
        [py("import pathlib; pathlib.Path('out/r.csv').parent.mkdir(); pathlib.Path('out/r.csv').write_text('a,b')")],
        CancellationToken(),
    )
    assert result.files == [CodeFile("out/r.csv", 3)]
    assert (executor.work_dir / "out" / "r.csv").read_text() == "a,b"


async def test_files_persist_between_executions_and_restart_clears_them(
    executor: LocalCommandLineCodeExecutor,
) -> None:
    await run(executor, py("open('keep.txt', 'w').write('x')"))
    assert await run(executor, CodeBlock("cat keep.txt", "sh")) == (0, "x")
    await executor.restart()
    code, _ = await run(executor, CodeBlock("cat keep.txt", "sh"))
    assert code != 0


async def test_timeout_kills_the_block_and_its_children_with_exit_code_124() -> None:
    async with LocalCommandLineCodeExecutor(timeout=1) as executor:
        started = asyncio.get_running_loop().time()
        code, output = await run(executor, CodeBlock("sleep 30 & sleep 30", "sh"))
        assert code == TIMEOUT_EXIT_CODE
        assert "Timeout" in output
        assert asyncio.get_running_loop().time() - started < 10


async def test_cancellation_kills_the_block_with_exit_code_125(executor: LocalCommandLineCodeExecutor) -> None:
    token = CancellationToken()
    asyncio.get_running_loop().call_later(0.5, token.cancel)
    result = await executor.execute_code_blocks([py("import time; time.sleep(30)")], token)
    assert result.exit_code == CANCELLED_EXIT_CODE


async def test_memory_cap_makes_a_large_allocation_fail() -> None:
    policy = SandboxPolicy(memory_bytes=256 * 1024 * 1024)
    async with LocalCommandLineCodeExecutor(timeout=20, policy=policy) as executor:
        code, output = await run(executor, py("x = bytearray(512 * 1024 * 1024)"))
        assert code != 0
        assert "MemoryError" in output
        assert await run(executor, py("x = bytearray(16 * 1024 * 1024); print(len(x))")) == (0, "16777216\n")


async def test_output_is_capped_with_a_note() -> None:
    async with LocalCommandLineCodeExecutor(timeout=20, max_output_bytes=1000) as executor:
        code, output = await run(executor, py("print('y' * 5_000_000)"))
        assert code == 0
        assert output.split("\n")[0] == "y" * 1000
        assert "output truncated" in output


async def test_no_secret_from_the_host_environment_reaches_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "sk-host-secret")
    monkeypatch.setenv("SERVICEBUS_CONNECTION_STRING", "Endpoint=sb://x;SharedAccessKey=host-secret")
    monkeypatch.setenv("HARMLESS_LOOKING_NAME", "host-secret")
    async with LocalCommandLineCodeExecutor(timeout=20, environment={"GIVEN": "on-purpose"}) as executor:
        code, output = await run(
            executor,
            py("import os; print(dict(os.environ))"),
            CodeBlock("cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'", "sh"),
        )
    assert code == 0
    assert "host-secret" not in output
    assert "on-purpose" in output


async def test_no_writes_outside_the_work_dir(executor: LocalCommandLineCodeExecutor, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("original")
    targets = [str(victim), str(tmp_path / "new.txt"), "/tmp/escaped.txt", "/etc/escaped", str(Path.cwd() / "x")]
    code, output = await run(
        executor,
        py(
            "ok = []\n"
            f"for target in {targets!r}:\n"
            "    try:\n"
            "        open(target, 'w').write('pwned'); ok.append(target)\n"
            "    except OSError:\n"
            "        pass\n"
            "print('written:', ok)"
        ),
    )
    assert (code, output) == (0, "written: []\n")
    assert victim.read_text() == "original"
    assert not (tmp_path / "new.txt").exists()
    assert not os.path.exists("/tmp/escaped.txt")  # noqa: ASYNC240 - a single stat


async def test_the_host_filesystem_is_not_visible(executor: LocalCommandLineCodeExecutor) -> None:
    code, output = await run(
        executor, py("import os; print([p for p in ('/work', '/root/.ssh', '/home') if os.path.exists(p)])")
    )
    assert (code, output) == (0, "[]\n")


@pytest.fixture
def host_server() -> Iterator[int]:
    """A TCP server on the host's loopback that answers 'reached'."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.sendall(b"reached")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


CONNECT = (
    "import socket\n"
    "try:\n"
    "    print(socket.create_connection(('127.0.0.1', {port}), timeout=3).recv(16).decode())\n"
    "except OSError as error:\n"
    "    print('blocked', type(error).__name__)\n"
)


async def test_no_network_by_default_and_network_when_asked(host_server: int) -> None:
    async with LocalCommandLineCodeExecutor(timeout=20) as executor:
        code, output = await run(executor, py(CONNECT.format(port=host_server)))
        assert code == 0
        assert output.startswith("blocked")
    async with LocalCommandLineCodeExecutor(timeout=20, policy=SandboxPolicy(network=True)) as executor:
        assert await run(executor, py(CONNECT.format(port=host_server))) == (0, "reached\n")


async def test_executors_are_isolated_from_each_other_and_from_host_processes() -> None:
    async with LocalCommandLineCodeExecutor(timeout=20) as first, LocalCommandLineCodeExecutor(timeout=20) as second:
        await run(first, py("open('mine.txt', 'w').write('first')"))
        code, output = await run(
            second, py("import os; print(os.listdir('.'), sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))")
        )
        assert code == 0
        listed, pids = output.split("] [")
        assert "mine.txt" not in listed
        assert len(pids.strip("]\n").split(",")) <= 3  # bubblewrap's init, the shell-less python: nothing of the host
        assert first.work_dir != second.work_dir


@pytest.mark.parametrize(
    ("blocks", "error"),
    [
        ([CodeBlock("print(1)", "ruby")], UnsupportedLanguageError),
        ([py("print(1)"), py("x = 1\n" * 1_500_000)], CodeTooLargeError),
        ([], InvalidCodeRequestError),
    ],
    ids=["unknown-language", "10MB-of-code", "no-blocks"],
)
async def test_bad_input_is_refused_before_anything_runs(
    executor: LocalCommandLineCodeExecutor, blocks: list[CodeBlock], error: type[Exception]
) -> None:
    marker = [py("open('ran.txt', 'w').write('ran')")]
    with pytest.raises(error) as raised:
        await executor.execute_code_blocks(marker + blocks if blocks else blocks, CancellationToken())
    assert str(raised.value)
    assert list(executor.work_dir.iterdir()) == []


async def test_unused_executor_refuses_clearly() -> None:
    with pytest.raises(ExecutorNotStartedError):
        await LocalCommandLineCodeExecutor().execute_code_blocks([py("1")], CancellationToken())


async def test_without_namespaces_it_refuses_loudly_unless_allowed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(local_module, "probe_bubblewrap", lambda _scratch: "user namespaces are disabled")
    with pytest.raises(SandboxUnavailableError, match="user namespaces are disabled"):
        await LocalCommandLineCodeExecutor().start()
    assert "refusing to run code" in caplog.text
    executor = LocalCommandLineCodeExecutor(allow_unsandboxed=True, timeout=20)
    with pytest.warns(RuntimeWarning, match="unsandboxed"):
        await executor.start()
    try:
        assert not executor.sandboxed
        assert "UNSANDBOXED" in caplog.text
        monkeypatch.setenv("SOME_TOKEN", "host-secret")
        code, output = await run(executor, py("import os; print(os.getcwd()); print(os.environ.get('SOME_TOKEN'))"))
        assert (code, output) == (0, f"{executor.work_dir}\nNone\n")
    finally:
        await executor.stop()


async def test_code_cannot_make_a_user_namespace_to_regain_privileges(executor: LocalCommandLineCodeExecutor) -> None:
    code, output = await run(executor, CodeBlock("unshare --user --map-root-user id", "sh"))
    assert code != 0
    assert "uid=0" not in output
