"""`UserProxyAgent`: a team participant whose turns a person takes, as AutoGen's, but durable.

AutoGen's user proxy blocks inside its handler until `input_func` returns (autogen#4332: a failure or restart
loses the run). Here the turn is a question: on `TurnRequested` the agent keeps the open request in its state and
publishes `InputRequested`; its handler completes at once. The run is `awaiting_input` until the answer arrives as
an `InputProvided` message — from `POST /api/runs/{id}/input`, `switchboard runs reply`, or in-process from
`input_func` — however long that takes and whichever host handles it. The answer becomes the agent's transcript
entry. With `timeout` (seconds) a scheduled `InputTimedOut` either answers `timeout_reply` or stops the run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import BaseModel

from switchboard.agent import Agent, AgentContext, AgentState
from switchboard.errors import AgentDefinitionError
from switchboard.protocol.input_messages import InputProvided, InputRequested, InputTimedOut, RunStopped, request_id_for
from switchboard.protocol.messages import TurnCompleted, TurnRequested
from switchboard.protocol.transcript import TranscriptEntry

InputFunc = Callable[[str], str | Awaitable[str]]
"""AutoGen's `input_func`: the prompt in, the person's answer out (sync or async); used by in-process runs."""

_PROMPT_CHARS = 2000


class OpenQuestion(BaseModel):
    """The turn a user proxy owes: whom to answer and which request answers it."""

    request_id: str
    team: str
    turn: int
    reply_to: str


class UserProxyState(AgentState):
    """The user proxy's state: the open question, if any, and how many turns the person took."""

    waiting: OpenQuestion | None = None
    turns: int = 0


class UserProxyAgent(Agent[UserProxyState]):
    """A participant that hands its turn to a person and waits durably for the answer.

    Example:
        >>> editor = UserProxyAgent("editor", description="Approves the draft", timeout=3600)
        >>> team = RoundRobinGroupChat([writer, editor], termination=TextMentionTermination("APPROVE"))
        >>> result = await team.run("Draft the release note", input_func=lambda prompt: input(prompt))
    """

    def __init__(
        self,
        name: str,
        *,
        description: str = "A human user",
        input_func: InputFunc | None = None,
        timeout: float | None = None,
        timeout_reply: str | None = None,
    ) -> None:
        """Configure the proxy.

        Args:
            name: The agent's name.
            description: What the person does in the team (selector teams show it to the model).
            input_func: Asks the person in-process runs (default: `input()` on the console); hosted runs ignore
                it and wait for `InputProvided`.
            timeout: Seconds to wait for an answer; None waits as long as it takes.
            timeout_reply: The answer given when the timeout fires; None stops the run (`cancelled`) instead.
        """
        super().__init__(name, description=description)
        if timeout is not None and timeout <= 0:
            raise AgentDefinitionError(f"{name}: timeout must be positive seconds")
        self.input_func = input_func
        self.timeout = timeout
        self.timeout_reply = timeout_reply

    async def handle(
        self, message: TurnRequested | InputProvided | InputTimedOut, ctx: AgentContext[UserProxyState]
    ) -> None:
        """Ask the person on a turn; answer the team when the person (or the timeout) answers."""
        state = ctx.state
        if isinstance(message, TurnRequested):
            request_id = request_id_for(self.name, ctx.envelope.message_id)
            state.waiting = OpenQuestion(
                request_id=request_id, team=message.team, turn=message.turn, reply_to=ctx.sender or message.team
            )
            ctx.publish(
                InputRequested(
                    request_id=request_id,
                    agent=self.name,
                    team=message.team,
                    kind="input",
                    prompt=_prompt(message),
                    timeout_seconds=self.timeout,
                    on_timeout="stop" if self.timeout_reply is None else "reply",
                )
            )
            return
        waiting = state.waiting
        if waiting is None or message.request_id != waiting.request_id:
            return  # stale: answered already, or a timeout that lost the race against the answer
        state.waiting = None
        if isinstance(message, InputTimedOut) and self.timeout_reply is None:
            ctx.publish(
                RunStopped(team=waiting.team, stop_reason=f"no input from {self.name} within {self.timeout:g} s")
            )
            return
        text = self.timeout_reply if isinstance(message, InputTimedOut) else message.input
        state.turns += 1
        entry = TranscriptEntry(source=self.name, content=text or "")
        ctx.send(TurnCompleted(team=waiting.team, turn=waiting.turn, entry=entry), to=waiting.reply_to)


def _prompt(message: TurnRequested) -> str:
    """What the person sees: the latest message of the team (the one to answer), bounded."""
    if not message.new_messages:
        return "Your turn: reply to the team."
    last = message.new_messages[-1]
    text = f"{last.source}: {last.content}"
    return text if len(text) <= _PROMPT_CHARS else text[: _PROMPT_CHARS - 1] + "…"
