"""Code executors between AutoGen's component JSON and Switchboard.

AutoGen's `LocalCommandLineCodeExecutor` becomes ours, which runs code in a sandbox (AutoGen's runs it directly on
the host); Docker and Jupyter executors have no peer here and are refused by path.
"""

from __future__ import annotations

from typing import Any

from switchboard.code_execution.local import LocalCommandLineCodeExecutor
from switchboard.components.errors import ComponentError
from switchboard.components.loader import Loader, unsupported, want
from switchboard.components.spec import ComponentSpec, component

LOCAL = "autogen_ext.code_executors.local.LocalCommandLineCodeExecutor"


def load_local_executor(loader: Loader, spec: ComponentSpec, path: str) -> LocalCommandLineCodeExecutor:
    """Our sandboxed local executor with AutoGen's timeout and work directory."""
    unsupported(spec.config, path, {"functions_module": "functions"})
    return LocalCommandLineCodeExecutor(
        timeout=float(want(spec.config, "timeout", (int, float), path, 60)),
        work_dir=want(spec.config, "work_dir", str, path),
    )


def dump_executor(executor: Any, path: str) -> dict[str, Any]:
    """AutoGen's component for `executor` (only the local executor has one)."""
    if not isinstance(executor, LocalCommandLineCodeExecutor):
        raise ComponentError(path, f"code executor {type(executor).__name__} has no AutoGen form")
    config: dict[str, Any] = {"timeout": int(executor.timeout), "functions_module": "functions"}
    if executor._requested_work_dir is not None:
        config["work_dir"] = str(executor._requested_work_dir)
    return component(LOCAL, "code_executor", config)


PROVIDERS = {
    LOCAL: ("code_executor", load_local_executor),
    "LocalCommandLineCodeExecutor": ("code_executor", load_local_executor),
}
"""Allowed code executor providers: name to (component type, builder)."""
