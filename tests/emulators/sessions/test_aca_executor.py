"""Switchboard's ACADynamicSessionsCodeExecutor against the sessions emulator: the protocol, each sandbox property,
files, tokens and their refresh, and bad input changing nothing."""

from __future__ import annotations

import ast
import asyncio
from collections.abc import AsyncIterator

import pytest
from azure.core.credentials import AccessToken

from switchboard.agent import CancellationToken
from switchboard.code_execution import (
    CANCELLED_EXIT_CODE,
    TIMEOUT_EXIT_CODE,
    CodeBlock,
    CodeExecutor,
    CodeFile,
    CodeFileNotFoundError,
    CodeTooLargeError,
    InvalidCodeRequestError,
    SessionsAuthError,
    SessionsUnavailableError,
    UnsupportedLanguageError,
)
from switchboard.code_execution.aca import ACADynamicSessionsCodeExecutor, TokenSource
from tests.support.processes import free_port
from tests.support.sessions import EMULATOR_TOKEN, HOST_SECRET, SessionsEmulator, entra_shaped_token

pytestmark = pytest.mark.emulator


def py(code: str) -> CodeBlock:
    return CodeBlock(code, "python")


@pytest.fixture
async def executor(sessions: SessionsEmulator) -> AsyncIterator[ACADynamicSessionsCodeExecutor]:
    async with ACADynamicSessionsCodeExecutor(sessions.endpoint, static_token=EMULATOR_TOKEN, timeout=30) as running:
        yield running


async def run(executor: ACADynamicSessionsCodeExecutor, *blocks: CodeBlock) -> tuple[int, str]:
    result = await executor.execute_code_blocks(list(blocks), CancellationToken())
    return result.exit_code, result.output


async def test_stateful_python_with_the_last_expression_in_the_output(executor: ACADynamicSessionsCodeExecutor) -> None:
    assert isinstance(executor, CodeExecutor)
    assert await run(executor, py("x = 20\nprint('set')"), py("x * 2 + 2")) == (0, "set\n42")
    assert await run(executor, py("x")) == (0, "20")


async def test_an_exception_is_exit_code_1_and_stops_the_blocks(executor: ACADynamicSessionsCodeExecutor) -> None:
    code, output = await run(executor, py("raise RuntimeError('boom')"), py("print('never')"))
    assert code == 1
    assert "RuntimeError: boom" in output
    assert "never" not in output


async def test_one_session_per_run_survives_a_new_executor(sessions: SessionsEmulator) -> None:
    async with ACADynamicSessionsCodeExecutor(
        sessions.endpoint, static_token=EMULATOR_TOKEN, session_id="run-4711"
    ) as first:
        await run(first, py("progress = 'half done'"))
    async with ACADynamicSessionsCodeExecutor(
        sessions.endpoint, static_token=EMULATOR_TOKEN, session_id="run-4711"
    ) as after_host_restart:
        assert await run(after_host_restart, py("progress")) == (0, "half done")
        await after_host_restart.restart()
        assert after_host_restart.session_id == "run-4711-1"
        code, output = await run(after_host_restart, py("progress"))
        assert code == 1
        assert "NameError" in output


async def test_files_upload_list_download_delete_and_reported(executor: ACADynamicSessionsCodeExecutor) -> None:
    assert await executor.upload_file("sales.csv", b"amount\n3\n4\n") == CodeFile("sales.csv", 11)
    result = await executor.execute_code_blocks(
        [py("import pandas as pd\nopen('total.txt', 'w').write(str(pd.read_csv('sales.csv')['amount'].sum()))")],
        CancellationToken(),
    )
    assert result.exit_code == 0, result.output
    assert result.files == [CodeFile("total.txt", 1)]
    assert await executor.download_file("total.txt") == b"7"
    assert [f.name for f in await executor.list_files()] == ["sales.csv", "total.txt"]
    await executor.delete_file("sales.csv")
    assert [f.name for f in await executor.list_files()] == ["total.txt"]


async def test_a_missing_file_is_a_clear_error_and_changes_nothing(executor: ACADynamicSessionsCodeExecutor) -> None:
    await executor.upload_file("keep.txt", b"k")
    with pytest.raises(CodeFileNotFoundError, match=r"no file 'missing\.txt'"):
        await executor.download_file("missing.txt")
    with pytest.raises(CodeFileNotFoundError):
        await executor.delete_file("missing.txt")
    assert await executor.list_files() == [CodeFile("keep.txt", 1)]


async def test_timeout_is_exit_code_124(sessions: SessionsEmulator) -> None:
    async with ACADynamicSessionsCodeExecutor(sessions.endpoint, static_token=EMULATOR_TOKEN, timeout=1) as executor:
        code, output = await run(executor, py("import time\ntime.sleep(30)"))
    assert code == TIMEOUT_EXIT_CODE
    assert "timed out" in output


async def test_cancellation_is_exit_code_125(executor: ACADynamicSessionsCodeExecutor) -> None:
    token = CancellationToken()
    asyncio.get_running_loop().call_later(0.5, token.cancel)
    result = await executor.execute_code_blocks([py("import time\ntime.sleep(3)")], token)
    assert result.exit_code == CANCELLED_EXIT_CODE


async def test_memory_cap(executor: ACADynamicSessionsCodeExecutor) -> None:
    code, output = await run(executor, py("hog = bytearray(1024 * 1024 * 1024)"))
    assert code == 1
    assert "MemoryError" in output


async def test_output_cap(executor: ACADynamicSessionsCodeExecutor) -> None:
    code, output = await run(executor, py("print('q' * 50_000)"))
    assert code == 0
    assert output.count("q") == 4000
    assert "output truncated" in output


async def test_no_secrets_reach_the_code(executor: ACADynamicSessionsCodeExecutor) -> None:
    code, output = await run(executor, py("import os\nstr(dict(os.environ))"))
    assert code == 0
    assert "PATH" in output
    assert HOST_SECRET not in output


async def test_no_writes_outside_mnt_data(executor: ACADynamicSessionsCodeExecutor, sessions: SessionsEmulator) -> None:
    targets = [str(sessions.data_dir / "planted"), "/etc/planted", "/usr/planted", "/planted"]
    code = (
        f"ok = []\nfor t in {targets!r}:\n    try: open(t, 'w').write('x'); ok.append(t)\n    except OSError: pass\nok"
    )
    assert await run(executor, py(code)) == (0, "[]")
    assert not (sessions.data_dir / "planted").exists()


async def test_no_network(executor: ACADynamicSessionsCodeExecutor, sessions: SessionsEmulator) -> None:
    code = (
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {sessions.process.port}), timeout=3); 'connected'\n"
        "except OSError as error:\n"
        "    print('blocked', type(error).__name__)"
    )
    code_, output = await run(executor, py(code))
    assert (code_, output.split()[0]) == (0, "blocked")


async def test_sessions_are_isolated(sessions: SessionsEmulator) -> None:
    async with (
        ACADynamicSessionsCodeExecutor(sessions.endpoint, static_token=EMULATOR_TOKEN) as first,
        ACADynamicSessionsCodeExecutor(sessions.endpoint, static_token=EMULATOR_TOKEN) as second,
    ):
        await run(first, py("mine = 1\nopen('mine.txt', 'w').write('1')"))
        code, output = await run(second, py("import os\n['mine' in globals(), os.listdir('.')]"))
        assert code == 0
        assert ast.literal_eval(output) == [False, []]
        assert first.session_id != second.session_id


@pytest.mark.parametrize(
    ("blocks", "error"),
    [
        ([py("1"), CodeBlock("echo hi", "sh")], UnsupportedLanguageError),
        ([py("1"), py("x = 1\n" * 1_700_000)], CodeTooLargeError),
        ([], InvalidCodeRequestError),
    ],
    ids=["unknown-language", "10MB-of-code", "no-blocks"],
)
async def test_bad_input_is_refused_before_anything_is_sent(
    sessions: SessionsEmulator, blocks: list[CodeBlock], error: type[Exception]
) -> None:
    before = sessions.session_count()
    async with ACADynamicSessionsCodeExecutor(sessions.endpoint, static_token=EMULATOR_TOKEN) as executor:
        with pytest.raises(error) as raised:
            await executor.execute_code_blocks(blocks, CancellationToken())
    assert str(raised.value)
    assert sessions.session_count() == before


async def test_the_pool_limit_on_code_size_is_a_too_large_error(sessions: SessionsEmulator) -> None:
    async with ACADynamicSessionsCodeExecutor(
        sessions.endpoint, static_token=EMULATOR_TOKEN, max_code_bytes=50_000_000, track_files=False
    ) as executor:
        with pytest.raises(CodeTooLargeError, match="413"):
            await executor.execute_code_blocks([py("x = 1\n" * 1_700_000)], CancellationToken())


class CountingCredential:
    """A sync azure-core TokenCredential issuing Entra-shaped tokens of a chosen lifetime."""

    def __init__(self, lifetime: float) -> None:
        self.lifetime = lifetime
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        self.scopes.append(scopes)
        token, expires = entra_shaped_token(lifetime=self.lifetime)
        return AccessToken(token, expires)


class AsyncCountingCredential(CountingCredential):
    """The same, as an AsyncTokenCredential."""

    async def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:  # type: ignore[override]
        return CountingCredential.get_token(self, *scopes)

    async def close(self) -> None:
        return None


@pytest.mark.parametrize("credential_type", [CountingCredential, AsyncCountingCredential])
async def test_entra_tokens_for_dynamicsessions_are_cached_and_refreshed_before_expiry(
    sessions: SessionsEmulator, credential_type: type[CountingCredential]
) -> None:
    long_lived = credential_type(lifetime=3600)
    async with ACADynamicSessionsCodeExecutor(sessions.endpoint, credential=long_lived, track_files=False) as executor:
        for _ in range(3):
            assert await run(executor, py("1 + 1")) == (0, "2")
    assert long_lived.scopes == [("https://dynamicsessions.io/.default",)]
    # Within the 300 s refresh margin from the start: every request gets a fresh token.
    short_lived = credential_type(lifetime=200)
    async with ACADynamicSessionsCodeExecutor(sessions.endpoint, credential=short_lived, track_files=False) as executor:
        for _ in range(3):
            assert await run(executor, py("1 + 1")) == (0, "2")
    assert len(short_lived.scopes) == 3


async def test_refresh_follows_the_clock() -> None:
    now = [1000.0]
    credential = CountingCredential(lifetime=0)
    credential.get_token = lambda *scopes, **kw: AccessToken("t", int(now[0] + 3600))  # type: ignore[method-assign]
    source = TokenSource(credential, refresh_margin=300, clock=lambda: now[0])
    await source.token()
    now[0] += 3000
    await source.token()
    assert source.fetches == 1
    now[0] += 400  # 200 s before expiry: inside the margin
    await source.token()
    assert source.fetches == 2


async def test_a_refused_token_is_an_auth_error(sessions: SessionsEmulator) -> None:
    async with ACADynamicSessionsCodeExecutor(sessions.endpoint, static_token="not-the-token") as executor:
        with pytest.raises(SessionsAuthError, match="401"):
            await run(executor, py("1"))


async def test_an_unreachable_pool_is_transient() -> None:
    async with ACADynamicSessionsCodeExecutor(
        f"http://127.0.0.1:{free_port()}/", static_token=EMULATOR_TOKEN
    ) as executor:
        with pytest.raises(SessionsUnavailableError) as raised:
            await run(executor, py("1"))
    assert raised.value.retryable


def test_bad_settings_are_refused() -> None:
    with pytest.raises(InvalidCodeRequestError, match="session_id"):
        ACADynamicSessionsCodeExecutor("http://x/", static_token="t", session_id="a b")
    with pytest.raises(InvalidCodeRequestError, match="timeout"):
        ACADynamicSessionsCodeExecutor("http://x/", static_token="t", timeout=221)
