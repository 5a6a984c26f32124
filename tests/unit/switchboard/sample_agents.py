"""Message and agent types shared by the foundation's unit tests."""

from __future__ import annotations

from switchboard.agent import Agent, AgentContext, AgentState, NoState
from switchboard.messages import Message


class Ping(Message):
    message_type = "test.ping"
    n: int


class Pong(Message):
    message_type = "test.pong"
    n: int


class Note(Message):
    message_type = "test.note"
    text: str
    tags: list[str] = []


class CountState(AgentState):
    count: int = 0
    seen: list[int] = []


class Counter(Agent[CountState]):
    """Counts pings and answers each with a pong to the sender."""

    async def handle(self, message: Ping, ctx: AgentContext[CountState]) -> None:
        ctx.state.count += 1
        ctx.state.seen.append(message.n)
        ctx.send(Pong(n=message.n), to=ctx.sender or "client")


class Echo(Agent[NoState]):
    """Publishes a note for every ping or pong it gets."""

    async def handle(self, message: Ping | Pong, ctx: AgentContext[NoState]) -> None:
        ctx.publish(Note(text=f"{type(message).__name__}:{message.n}"))


class Boom(Exception):
    pass


class Failing(Agent[CountState]):
    """Changes its state, emits, then fails: nothing of it may survive."""

    async def handle(self, message: Ping, ctx: AgentContext[CountState]) -> None:
        ctx.state.count += 100
        ctx.publish(Note(text="never"))
        raise Boom("handler failed")
