"""Pick the code executor the settings call for: the sessions pool when `ACA_SESSIONS_ENDPOINT` is set, else local.

Settings (the same names in the environment, local.settings.json and the Function App):

- `ACA_SESSIONS_ENDPOINT`: the session pool's management endpoint (locally: the sessions emulator's URL, written by
  `python -m local_emulators up`).
- `ACA_SESSIONS_TOKEN`: locally only, the emulator's static bearer token. In Azure it is absent and the executor
  gets Entra tokens for https://dynamicsessions.io from azure-identity (the identity needs the "Azure ContainerApps
  Session Executor" role on the pool).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from switchboard.code_execution.protocol import CodeExecutor

ENDPOINT_SETTING = "ACA_SESSIONS_ENDPOINT"
TOKEN_SETTING = "ACA_SESSIONS_TOKEN"


def executor_from_settings(
    session_id: str,
    *,
    settings: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    local_work_root: Path | None = None,
) -> CodeExecutor:
    """The executor for one run.

    Args:
        session_id: The run's session identifier (use the run id: the session then survives host restarts).
        settings: Where to read the settings; default the environment.
        timeout: Seconds a block may run.
        local_work_root: Without a pool: keep each session's work directory under this directory (named by a hash
            of `session_id`, so the files survive a host restart); default a temporary directory per executor.

    Returns:
        An `ACADynamicSessionsCodeExecutor` on the configured pool, or a sandboxed `LocalCommandLineCodeExecutor`
        when no pool is configured.
    """
    values = os.environ if settings is None else settings
    endpoint = values.get(ENDPOINT_SETTING, "").strip()
    if endpoint:
        # Imported here: the Azure adapter (and azure-identity) loads only when a pool is configured.
        from switchboard.code_execution.aca import ACADynamicSessionsCodeExecutor

        token = values.get(TOKEN_SETTING, "").strip() or None
        return ACADynamicSessionsCodeExecutor(endpoint, static_token=token, session_id=session_id, timeout=timeout)
    from switchboard.code_execution.local import LocalCommandLineCodeExecutor

    if local_work_root is None:
        return LocalCommandLineCodeExecutor(timeout=timeout)
    # Hashed: a session identifier may hold characters that are not safe in a file name.
    work_dir = local_work_root / hashlib.sha256(session_id.encode()).hexdigest()[:32]
    return LocalCommandLineCodeExecutor(timeout=timeout, work_dir=work_dir)
