"""Unit-test one team participant (an `AssistantAgent`, say) without its team: a scripted model and one turn.

Example:
    >>> model = scripted_model({"classifier": [{"content": "Category: billing"}]})
    >>> agent = AssistantAgent("classifier", model_client=model)
    >>> entry = await take_turn(agent, "I was charged twice")
    >>> assert entry.content == "Category: billing"
    >>> assert model.requests[0].messages[-1].content == "I was charged twice"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from switchboard.agent import Agent
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.protocol.input_messages import INPUT_MESSAGES
from switchboard.protocol.messages import TEAM_MESSAGES, TurnCompleted, TurnRequested
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.testing.harness import AgentHarness


def scripted_model(replies: Mapping[str, Sequence[Mapping[str, Any]]]) -> ScriptedModelClient:
    """A model that answers each agent from its list of replies, in order (the `--model scripted` format).

    Args:
        replies: Agent name (or `"*"`) → entries such as `{"content": ...}`, `{"structured": {...}}`,
            `{"tool_calls": [{"name": ..., "arguments": {...}}]}` or `{"error": {"status": 429}}`.

    Returns:
        The client; `client.requests` holds every request it answered, to assert on prompts and tools.
    """
    return ScriptedModelClient(Script.model_validate({"agents": {k: list(v) for k, v in replies.items()}}))


async def take_turn(
    agent: Agent[Any], *messages: str | TranscriptEntry, team: str = "team", harness: AgentHarness | None = None
) -> TranscriptEntry:
    """Ask `agent` to speak once, as its team's manager would, and return what it said.

    Args:
        agent: The participant.
        messages: What it has not seen yet: texts (from the user) or transcript entries (from other agents).
        team: The name of the team asking (the agent answers to it).
        harness: A harness that holds `agent`, to take several turns in one run (its state carries over).

    Returns:
        The transcript entry of its answer (content, tool calls, usage).

    Raises:
        AssertionError: The agent did not answer exactly once.
    """
    harness = harness or AgentHarness([agent], extra_messages=(*TEAM_MESSAGES, *INPUT_MESSAGES))
    entries = tuple(
        m if isinstance(m, TranscriptEntry) else TranscriptEntry(source="user", content=m, kind="task")
        for m in messages
    )
    before = len(harness.emitted(TurnCompleted))
    turn = before
    harness.send(TurnRequested(team=team, turn=turn, new_messages=entries), to=agent.name)
    await harness.run()
    answers = harness.emitted(TurnCompleted)[before:]
    if len(answers) != 1:
        raise AssertionError(f"{agent.name} answered {len(answers)} times to one turn")
    return answers[0].answer
