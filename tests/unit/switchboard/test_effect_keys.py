"""Side-effect keys: a hash of the tool and its canonical arguments, the run and the step position of the call."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from switchboard.agent.effect_keys import EffectKeys, call_digest, canonical_arguments
from switchboard.agentchat import AssistantAgent
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.protocol.messages import TEAM_MESSAGES, TurnCompleted, TurnRequested
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.runtime import InProcessRuntime
from switchboard.tools import FunctionTool

RUN = "run-keys"


def test_canonical_arguments_sort_keys_and_drop_whitespace() -> None:
    assert canonical_arguments('{"b": 1,  "a": {"d": [2, 1], "c": "é"}}') == '{"a":{"c":"é","d":[2,1]},"b":1}'
    assert canonical_arguments("") == "{}"
    assert canonical_arguments("not json") == "not json"


def test_the_digest_names_the_call_not_its_spelling() -> None:
    same = call_digest("send_mail", '{"to": "ops", "cc": "dev"}')
    assert same == call_digest("send_mail", '{"cc":"dev","to":"ops"}')
    assert same != call_digest("send_mail", '{"to": "ops", "cc": "qa"}')
    assert same != call_digest("send_fax", '{"to": "ops", "cc": "dev"}')
    # A tool name cannot be smuggled into the arguments to collide with another call.
    assert call_digest("a", '"b"') != call_digest('a","b', "")


def test_a_failed_call_retried_with_the_same_arguments_reuses_the_key_of_its_first_attempt() -> None:
    keys = EffectKeys(f"{RUN}:helper:m1")
    first = keys.key("pay", '{"amount": 5}', position=1)
    digest = call_digest("pay", '{"amount":5}')
    assert first == f"{RUN}:helper:m1:1:pay:{digest}"
    keys.settled("pay", '{"amount": 5}', position=1, succeeded=False)
    assert keys.key("pay", '{ "amount" : 5 }', position=3) == first
    keys.settled("pay", '{"amount": 5}', position=3, succeeded=False)
    assert keys.key("pay", '{"amount": 5}', position=5) == first  # still the first attempt's
    assert keys.key("pay", '{"amount": 6}', position=5) != first  # another call
    keys.settled("pay", '{"amount": 5}', position=5, succeeded=True)
    # Once done, asking for the same payment again is a new effect with a key of its own.
    again = keys.key("pay", '{"amount": 5}', position=7)
    assert again != first
    assert again.startswith(f"{RUN}:helper:m1:7:pay:")


def _ask(text: str) -> TurnRequested:
    return TurnRequested(team="team", turn=0, new_messages=(TranscriptEntry(source="user", content=text),))


async def test_a_timed_out_tool_retried_by_the_model_reuses_its_key_so_the_effect_happens_once() -> None:
    effects: dict[str, str] = {}
    keys_seen: list[str] = []
    release = threading.Event()

    def pay(to: str, amount: int, idempotency_key: str) -> str:
        """Pay someone; the first attempt is slow, so the tool times out after the effect is already done.

        Args:
            to: The payee.
            amount: How much.
        """
        keys_seen.append(idempotency_key)
        effects.setdefault(idempotency_key, f"{to}:{amount}")
        if len(keys_seen) == 1:
            release.wait(5)
        return "paid"

    call: dict[str, Any] = {"name": "pay", "arguments": {"to": "ops", "amount": 5}}
    retry: dict[str, Any] = {"name": "pay", "arguments": {"amount": 5, "to": "ops"}}  # same call, other order
    model = ScriptedModelClient(
        Script.model_validate(
            {"agents": {"helper": [{"tool_calls": [call]}, {"tool_calls": [retry]}, {"content": "Paid once."}]}}
        )
    )
    agent = AssistantAgent(
        "helper", model_client=model, tools=[FunctionTool(pay, side_effects=True, timeout=0.2)], max_tool_iterations=2
    )
    runtime = InProcessRuntime([agent], extra_messages=TEAM_MESSAGES)
    runtime.send(_ask("pay ops 5"), to="helper", run_id=RUN)
    try:
        await runtime.run_until_idle()
    finally:
        release.set()
    await asyncio.sleep(0)
    (reply,) = runtime.to_client
    done = runtime.router.registry.decode(reply)
    assert isinstance(done, TurnCompleted)
    assert done.entry.content == "Paid once."
    assert [a.is_error for a in done.entry.tool_activity] == [True, False]  # timed out, then paid
    assert len(keys_seen) == 2
    assert keys_seen[0] == keys_seen[1]
    assert effects == {keys_seen[0]: "ops:5"}
