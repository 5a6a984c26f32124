"""AutoGen 0.7.5's own ACADynamicSessionsCodeExecutor, unmodified, against the sessions emulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from autogen_core import CancellationToken
from autogen_core.code_executor import CodeBlock
from autogen_ext.code_executors.azure import ACADynamicSessionsCodeExecutor
from azure.core.credentials import AccessToken

from tests.support.sessions import SessionsEmulator, entra_shaped_token

pytestmark = pytest.mark.emulator


class EntraShapedCredential:
    """A TokenProvider (AutoGen's sync protocol) handing out tokens shaped like Entra's for dynamicsessions.io."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        self.scopes.append(scopes)
        token, expires = entra_shaped_token()
        return AccessToken(token, expires)


async def test_autogen_runs_stateful_code_and_moves_files(sessions: SessionsEmulator, tmp_path: Path) -> None:
    credential = EntraShapedCredential()
    executor = ACADynamicSessionsCodeExecutor(
        pool_management_endpoint=sessions.endpoint, credential=credential, timeout=60, work_dir=str(tmp_path)
    )
    token = CancellationToken()
    async with executor:
        (tmp_path / "numbers.csv").write_text("n\n1\n2\n3\n")
        await executor.upload_files(["numbers.csv"], token)
        assert "numbers.csv" in await executor.get_file_list(token)

        first = await executor.execute_code_blocks(
            [
                CodeBlock(
                    "import pandas as pd\ntotal = int(pd.read_csv('numbers.csv')['n'].sum())\nprint(total)", "python"
                )
            ],
            token,
        )
        assert (first.exit_code, first.output) == (0, "6\n")
        second = await executor.execute_code_blocks(
            [CodeBlock("open('/mnt/data/doubled.txt', 'w').write(str(total * 2))\ntotal * 2", "python")], token
        )
        assert (second.exit_code, second.output) == (0, "12")

        (tmp_path / "doubled.txt").unlink(missing_ok=True)
        await executor.download_files(["doubled.txt"], token)
        assert (tmp_path / "doubled.txt").read_text() == "12"

        failed = await executor.execute_code_blocks([CodeBlock("raise KeyError('nope')", "python")], token)
        assert failed.exit_code == 1
        assert "KeyError: 'nope'" in failed.output
        with pytest.raises(FileNotFoundError):
            await executor.download_files(["missing.txt"], token)
    assert credential.scopes
    assert all(scopes == ("https://dynamicsessions.io/.default",) for scopes in credential.scopes)


async def test_autogen_sessions_are_isolated_by_restart(sessions: SessionsEmulator, tmp_path: Path) -> None:
    executor = ACADynamicSessionsCodeExecutor(
        pool_management_endpoint=sessions.endpoint, credential=EntraShapedCredential(), work_dir=str(tmp_path)
    )
    token = CancellationToken()
    async with executor:
        await executor.execute_code_blocks([CodeBlock("kept = 'before restart'", "python")], token)
        await executor.restart()
        result = await executor.execute_code_blocks([CodeBlock("'kept' in globals()", "python")], token)
    assert (result.exit_code, result.output.strip()) == (0, "False")
