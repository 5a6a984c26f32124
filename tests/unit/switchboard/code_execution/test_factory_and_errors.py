"""Choosing the executor from settings, the error hierarchy's dispositions, and status → error type mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.agent import CancellationToken
from switchboard.code_execution import (
    CodeBlock,
    CodeExecutionError,
    CodeFileNotFoundError,
    CodeTooLargeError,
    InvalidCodeRequestError,
    SandboxUnavailableError,
    SessionsAuthError,
    SessionsUnavailableError,
    UnsupportedLanguageError,
)
from switchboard.code_execution.aca import ACADynamicSessionsCodeExecutor, TokenSource
from switchboard.code_execution.aca.client import error_for
from switchboard.code_execution.factory import executor_from_settings
from switchboard.code_execution.local import LocalCommandLineCodeExecutor
from switchboard.errors import Disposition, disposition_for


def test_a_configured_pool_gives_the_sessions_executor_with_the_run_as_session() -> None:
    executor = executor_from_settings(
        "run-42", settings={"ACA_SESSIONS_ENDPOINT": "http://127.0.0.1:8091/", "ACA_SESSIONS_TOKEN": "local"}
    )
    assert isinstance(executor, ACADynamicSessionsCodeExecutor)
    assert executor.session_id == "run-42"


def test_no_pool_gives_the_local_sandboxed_executor() -> None:
    assert isinstance(executor_from_settings("run-42", settings={}), LocalCommandLineCodeExecutor)


async def test_a_local_work_root_keeps_the_session_files_across_executors(tmp_path: Path) -> None:
    first = executor_from_settings("run|42", settings={}, local_work_root=tmp_path)
    async with first:
        await first.execute_code_blocks(
            [CodeBlock("open('state.txt', 'w').write('kept')", "python")], CancellationToken()
        )
    again = executor_from_settings("run|42", settings={}, local_work_root=tmp_path)
    async with again:
        result = await again.execute_code_blocks([CodeBlock("cat state.txt", "sh")], CancellationToken())
    assert (result.exit_code, result.output) == (0, "kept")
    other = executor_from_settings("run|43", settings={}, local_work_root=tmp_path)
    async with other:
        result = await other.execute_code_blocks([CodeBlock("ls", "sh")], CancellationToken())
    assert (result.exit_code, result.output) == (0, "")


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, SessionsAuthError),
        (403, SessionsAuthError),
        (404, CodeFileNotFoundError),
        (413, CodeTooLargeError),
        (400, InvalidCodeRequestError),
        (429, SessionsUnavailableError),
        (503, SessionsUnavailableError),
    ],
)
def test_status_codes_map_to_error_types(status: int, error: type[CodeExecutionError]) -> None:
    mapped = error_for(status, b'{"error": {"code": "X", "message": "what went wrong"}}')
    assert type(mapped) is error
    assert "what went wrong" in mapped.reason


def test_only_service_trouble_is_retried() -> None:
    assert disposition_for(SessionsUnavailableError("x")) is Disposition.RETRY
    for permanent in (UnsupportedLanguageError, CodeTooLargeError, SessionsAuthError, SandboxUnavailableError):
        assert disposition_for(permanent("x")) is Disposition.FAIL_RUN
        assert issubclass(permanent, CodeExecutionError)


async def test_a_static_token_is_handed_out_as_is() -> None:
    assert await TokenSource(static_token="fixed").token() == "fixed"
    with pytest.raises(InvalidCodeRequestError):
        TokenSource()
