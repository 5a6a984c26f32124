"""`PythonCodeExecutionTool`: a tool through which an `AssistantAgent`'s model runs Python (AutoGen's tool).

It is a `FunctionTool`, so an assistant's tool loop treats it like any other: each call is a checkpointed step (a
redelivered message replays its result, the code does not run again), and with `approval="always"` (the default
here: model-written code runs only once a person approves it) the run pauses durably before each call. The code
runs in the run's session (the assistant hands the tool its run id), so variables and files persist across calls and
hosts.
"""

from __future__ import annotations

import contextvars

from switchboard.agent import CancellationToken
from switchboard.agentchat.code_blocks import describe
from switchboard.agentchat.code_sessions import SessionScoped, execute_for_run, session_of
from switchboard.code_execution import CodeBlock, CodeExecutor
from switchboard.models.chat import ToolCall, ToolResultMessage
from switchboard.tools import FunctionTool
from switchboard.tools.function_tool import Approval

NAME = "CodeExecutor"
"""The tool's name as the model sees it (AutoGen's)."""

DESCRIPTION = "Execute Python code blocks."
"""AutoGen's default description."""

OUTSIDE_A_RUN = "no-run"
"""The session identifier of calls made outside a hosted or in-process run (a direct `run`)."""

_SESSION: contextvars.ContextVar[str | None] = contextvars.ContextVar("code_session", default=None)


class PythonCodeExecutionTool(FunctionTool):
    """Runs the model's Python code through a code executor, in the run's session.

    Example:
        >>> tool = PythonCodeExecutionTool(PerRunExecutor(lambda run: sessions_executor(session_id=run)))
        >>> analyst = AssistantAgent("analyst", model_client=client, tools=[tool])
    """

    def __init__(
        self,
        executor: CodeExecutor | SessionScoped,
        *,
        description: str = DESCRIPTION,
        name: str = NAME,
        timeout: float = 240.0,
        approval: Approval = "always",
        approval_timeout: float | None = None,
    ) -> None:
        """Wrap `executor`.

        Args:
            executor: Runs the code; scoped per run when it has `for_session` (see `PerRunExecutor`).
            description: What the model is told the tool does.
            name: The tool's name.
            timeout: Seconds a call may take in all (the executor's own timeout should be shorter).
            approval: `always` (default): a person approves each call first; `never`: calls run at once.
            approval_timeout: Seconds a person may take to decide; then the call is denied. None: no limit.
        """
        self.executor = session_of(executor)
        super().__init__(
            self._execute,
            name=name,
            description=description,
            timeout=timeout,
            approval=approval,
            approval_timeout=approval_timeout,
        )

    async def run(
        self,
        call: ToolCall,
        *,
        idempotency_key: str | None = None,
        cancellation_token: CancellationToken | None = None,
        session_id: str | None = None,
    ) -> ToolResultMessage:
        """Run the call's code in `session_id`'s session (see `FunctionTool.run`)."""
        token = _SESSION.set(session_id)
        try:
            # The function runs in a task created inside, which copies this context and so sees the session.
            return await super().run(
                call, idempotency_key=idempotency_key, cancellation_token=cancellation_token, session_id=session_id
            )
        finally:
            _SESSION.reset(token)

    async def _execute(self, code: str, cancellation_token: CancellationToken) -> str:
        """Execute Python code and return what it printed.

        Args:
            code: The Python code to execute.
            cancellation_token: The run's token (hidden from the model): cancelling it stops the code.
        """
        session = _SESSION.get() or OUTSIDE_A_RUN
        result = await execute_for_run(
            self.executor, session, [CodeBlock(code=code, language="python")], cancellation_token
        )
        return describe(result)

    def __repr__(self) -> str:
        return f"PythonCodeExecutionTool(name={self.name!r})"
