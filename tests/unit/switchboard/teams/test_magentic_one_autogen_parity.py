"""Side by side with AutoGen 0.7.5's MagenticOneGroupChat: the same orchestrator answers (ledgers, plans, final
answer) and participant replies give the same speaker order and stop reason (success, stall and replan, max_turns,
a ledger asked again). AutoGen's orchestrator speaks as `MagenticOneOrchestrator`, ours under the team's name.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from autogen_agentchat.agents import AssistantAgent as AgAssistant
from autogen_agentchat.messages import BaseChatMessage
from autogen_agentchat.teams import MagenticOneGroupChat as AgMagentic
from autogen_core.models import CreateResult, ModelFamily, ModelInfo, RequestUsage
from autogen_ext.models.replay import ReplayChatCompletionClient

from switchboard.teams import MagenticOneGroupChat
from tests.support.teams import assistants, scripted, text

MODEL = ModelInfo(
    vision=False, function_calling=True, json_output=False, family=ModelFamily.UNKNOWN, structured_output=False
)


def ledger(speaker: str = "coder", *, done: bool = False, progress: bool = True, loop: bool = False) -> str:
    return json.dumps(
        {
            "is_request_satisfied": {"reason": "all done" if done else "not yet", "answer": done},
            "is_progress_being_made": {"reason": "r", "answer": progress},
            "is_in_loop": {"reason": "r", "answer": loop},
            "next_speaker": {"reason": "r", "answer": speaker},
            "instruction_or_question": {"reason": "r", "answer": f"{speaker}, go on"},
        }
    )


CASES: dict[str, tuple[list[str], dict[str, Any]]] = {
    "success": (["F", "P", ledger("researcher"), ledger("coder"), ledger(done=True), "answer"], {}),
    "stall-and-replan": (
        [
            "F",
            "P",
            ledger("researcher", progress=False),
            ledger("researcher", loop=True),
            "NF",
            "NP",
            ledger("coder"),
            ledger(done=True),
            "answer",
        ],
        {"max_stalls": 2},
    ),
    "max-turns": (["F", "P", ledger("researcher"), ledger("coder"), "best effort"], {"max_turns": 1}),
    "ledger-asked-again": (["F", "P", "not json", ledger("coder"), ledger(done=True), "answer"], {}),
}
REPLIES = {"researcher": ["found it", "found more"], "coder": ["coded it", "coded more"]}


def _replay(contents: list[str]) -> ReplayChatCompletionClient:
    results = [CreateResult(finish_reason="stop", content=c, usage=RequestUsage(10, 1), cached=False) for c in contents]
    return ReplayChatCompletionClient(results, MODEL)


@pytest.mark.parametrize("name", sorted(CASES))
async def test_magentic_one_speaks_and_stops_like_autogen(name: str) -> None:
    orchestrator, options = CASES[name]
    model = scripted(
        {"magentic": text(*orchestrator, tokens=10), **{n: text(*r, tokens=10) for n, r in REPLIES.items()}}
    )
    ours = await MagenticOneGroupChat(assistants(model, *REPLIES), model, **options).run("the task")

    participants: list[Any] = [
        AgAssistant(n, model_client=_replay(r), description=f"{n} role") for n, r in REPLIES.items()
    ]
    theirs = await AgMagentic(participants, model_client=_replay(orchestrator), **options).run(task="the task")
    their_speakers = [
        "magentic" if m.source == "MagenticOneOrchestrator" else m.source
        for m in theirs.messages
        if isinstance(m, BaseChatMessage)
    ]
    assert ours.speakers() == their_speakers
    assert ours.stop_reason == theirs.stop_reason
    assert ours.final.content == orchestrator[-1]
