from __future__ import annotations

from typing import Any

import pytest

from switchboard.agent import Agent, AgentContext, AgentState, CancellationToken, NoState, function_agent
from switchboard.errors import AgentDefinitionError, CancelledError, StateVersionError
from tests.unit.switchboard.sample_agents import Counter, CountState, Echo, Ping, Pong


def test_routing_key_comes_from_the_handler_type_hint() -> None:
    assert Counter.handles == (Ping,)
    assert Echo.handles == (Ping, Pong)
    assert Counter.state_type is CountState
    assert Echo.state_type is NoState


def test_missing_hint_is_a_definition_error() -> None:
    with pytest.raises(AgentDefinitionError, match="needs a type hint"):

        class NoHint(Agent[NoState]):
            async def handle(self, message, ctx: AgentContext[NoState]) -> None:  # type: ignore[no-untyped-def]
                pass


def test_non_message_hint_is_a_definition_error() -> None:
    with pytest.raises(AgentDefinitionError, match="is not a Message subclass"):

        class WrongHint(Agent[NoState]):
            async def handle(self, message: int, ctx: AgentContext[NoState]) -> None:
                pass


def test_handler_must_take_message_and_context() -> None:
    with pytest.raises(AgentDefinitionError, match="takes \\(message, ctx\\)"):

        class OneParam(Agent[NoState]):
            async def handle(self, message: Ping) -> None:  # type: ignore[override]
                pass


def test_agent_without_handler_cannot_be_built() -> None:
    class Abstract(Agent[NoState]):
        pass

    with pytest.raises(AgentDefinitionError, match="defines no handle"):
        Abstract("abstract")


@pytest.mark.parametrize("name", ["Planner", "1st", "has space", "dot.ted", "", "x" * 51, "trailing-"])
def test_agent_names_follow_the_functions_host_rule(name: str) -> None:
    with pytest.raises(AgentDefinitionError, match="is not a valid queue/function name"):
        Counter(name)


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("Primary Agent", "primary_agent"), ("1st", "agent_1st"), ("trailing_", "trailing"), ("tasks", None)],
)
def test_a_name_hosting_would_refuse_is_refused_when_the_agent_is_built(name: str, suggestion: str | None) -> None:
    # A name no queue or function could carry is refused here, not first at deploy.
    with pytest.raises(AgentDefinitionError) as caught:
        Counter(name)
    assert f"agent name {name!r}" in caught.value.reason
    if suggestion is None:
        assert "reserved for the hosting layer" in caught.value.reason
    else:
        assert f"try {suggestion!r}" in caught.value.reason
        Counter(suggestion)  # the suggestion is itself valid


@pytest.mark.parametrize("name", ["primary_agent", "user-proxy", "critic_2"])
def test_autogens_usual_names_are_valid_hosted_names(name: str) -> None:
    assert Counter(name).name == name


def test_function_agent_routes_by_its_hint() -> None:
    @function_agent("echo", description="echoes")
    async def echo(message: Pong, ctx: AgentContext[Any]) -> None:
        ctx.publish(Ping(n=message.n))

    assert echo.name == "echo"
    assert echo.handles == (Pong,)
    assert echo.state_type is NoState
    assert echo.description == "echoes"
    assert echo.accepts(Pong(n=1))
    assert not echo.accepts(Ping(n=1))


def test_state_restore_upcasts_older_versions() -> None:
    class V2(AgentState):
        state_version = 2
        total: int

        @classmethod
        def upcast(cls, data: dict[str, Any], from_version: int) -> dict[str, Any]:
            return {"total": data["count"]}

    assert V2.restore({"count": 5}, 1) == V2(total=5)
    with pytest.raises(StateVersionError, match="newer"):
        V2.restore({"total": 1}, 3)
    with pytest.raises(StateVersionError, match="cannot read stored state of version 1"):
        AgentStateV2NoUpcast.restore({}, 1)


class AgentStateV2NoUpcast(AgentState):
    state_version = 2


def test_cancellation_token_runs_callbacks_once_and_raises() -> None:
    token = CancellationToken()
    calls: list[str] = []
    token.add_callback(lambda: calls.append("a"))
    token.raise_if_cancelled()
    token.cancel()
    token.cancel()
    token.add_callback(lambda: calls.append("late"))
    assert calls == ["a", "late"]
    with pytest.raises(CancelledError):
        token.raise_if_cancelled()
