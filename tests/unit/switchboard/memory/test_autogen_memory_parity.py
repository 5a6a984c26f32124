"""Our memory types against AutoGen 0.7's `autogen_core.memory`, side by side."""

from __future__ import annotations

from autogen_core import memory as ag
from autogen_core.model_context import UnboundedChatCompletionContext

from switchboard.memory import ChatBuffer, ListMemory, MemoryContent, MemoryMimeType
from switchboard.models.chat import SystemMessage


def test_mime_types_and_content_fields_match() -> None:
    assert {m.name: m.value for m in MemoryMimeType} == {m.name: m.value for m in ag.MemoryMimeType}
    ours = MemoryContent(content="x", mime_type=MemoryMimeType.MARKDOWN, metadata={"a": 1}).model_dump(mode="json")
    theirs = ag.MemoryContent(content="x", mime_type=ag.MemoryMimeType.MARKDOWN, metadata={"a": 1}).model_dump(
        mode="json"
    )
    assert ours == theirs
    # AutoGen's JSON dumps of our results validate as theirs, and back.
    assert ag.MemoryContent.model_validate(ours).content == "x"
    assert MemoryContent.model_validate(theirs).mime == "text/markdown"


async def test_list_memory_adds_the_same_system_message_as_autogen() -> None:
    facts = ["Alice prefers metric units.", "Bob is allergic to peanuts."]
    ours, theirs = ListMemory(name="m"), ag.ListMemory(name="m")
    for fact in facts:
        await ours.add(MemoryContent(content=fact, mime_type=MemoryMimeType.TEXT))
        await theirs.add(ag.MemoryContent(content=fact, mime_type=ag.MemoryMimeType.TEXT))
    buffer = ChatBuffer()
    context = UnboundedChatCompletionContext()
    our_result = await ours.update_context(buffer)
    their_result = await theirs.update_context(context)
    (their_message,) = await context.get_messages()
    assert buffer.messages == [SystemMessage(content=str(their_message.content))]
    assert [r.content for r in our_result.memories.results] == [r.content for r in their_result.memories.results]
    assert (await ours.query("anything")).model_dump(mode="json") == (await theirs.query("anything")).model_dump(
        mode="json"
    )
