"""Small agents for hosting tests: a worker with a checkpointed side effect and a sink, plus a scripted team."""

from __future__ import annotations

from typing import Any, ClassVar

from switchboard.agent import Agent, AgentContext, AgentState
from switchboard.agentchat import AssistantAgent
from switchboard.errors import PermanentError, TransientError
from switchboard.messages import Message
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.protocol import TEAM_MESSAGES
from switchboard.runtime import Router
from switchboard.teams import RoundRobinGroupChat
from switchboard.termination import MaxMessageTermination

TEAM = "team"
TEAM_AGENTS = ("team", "writer", "critic")


class Job(Message):
    """Work for the worker: `kind` = ok | transient | permanent."""

    message_type: ClassVar[str] = "test.hosting.Job"
    kind: str = "ok"
    n: int = 0


class JobDone(Message):
    """The worker's answer, published to every subscriber."""

    message_type: ClassVar[str] = "test.hosting.JobDone"
    n: int
    effect: int


class WorkerState(AgentState):
    jobs: int = 0


class SinkState(AgentState):
    done: list[int] = []


class Flaky(TransientError):
    """A transient failure a test asks for."""


class Broken(PermanentError):
    """A permanent failure a test asks for."""


class Worker(Agent[WorkerState]):
    """Does a side effect through a checkpoint (counted in `effects`), then publishes `JobDone`."""

    def __init__(self, name: str = "worker") -> None:
        super().__init__(name)
        self.effects: list[str] = []

    async def handle(self, message: Job, ctx: AgentContext[WorkerState]) -> None:
        if message.kind == "transient":
            raise Flaky("the dependency is busy")
        if message.kind == "permanent":
            raise Broken("the job can never work")

        async def effect() -> int:
            self.effects.append(ctx.idempotency_key())
            return len(self.effects)

        result = await ctx.checkpoint("tool", effect, encode=lambda value: value, decode=int)
        ctx.state.jobs += 1
        ctx.publish(JobDone(n=message.n, effect=result))


class Sink(Agent[SinkState]):
    """Remembers every finished job."""

    async def handle(self, message: JobDone, ctx: AgentContext[SinkState]) -> None:
        ctx.state.done = [*ctx.state.done, message.n]


def scripted_team(turns: int = 2) -> tuple[RoundRobinGroupChat, ScriptedModelClient]:
    """A round-robin team `team` of a writer and a critic on a scripted model; stops after `turns` answers."""
    replies: dict[str, Any] = {
        "agents": {
            "writer": [{"content": f"draft {i}"} for i in range(turns)],
            "critic": [{"content": f"review {i}"} for i in range(turns)],
        }
    }
    client = ScriptedModelClient(Script.model_validate(replies))
    team = RoundRobinGroupChat(
        [AssistantAgent("writer", model_client=client), AssistantAgent("critic", model_client=client)],
        termination=MaxMessageTermination(1 + turns),
        name=TEAM,
    )
    return team, client


def hosting_router(worker: Worker | None = None, turns: int = 2) -> tuple[Router, Worker, ScriptedModelClient]:
    """The router of every test agent: the scripted team, the worker and the sink."""
    team, client = scripted_team(turns)
    worker = worker or Worker()
    router = Router([*team.agents(), worker, Sink("sink")], extra_messages=TEAM_MESSAGES)
    return router, worker, client
