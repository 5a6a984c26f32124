from __future__ import annotations

import asyncio
import enum
import json
import time

from pydantic import BaseModel

from switchboard.models.chat import ToolCall
from switchboard.tools import FunctionTool, tool


class Depth(enum.Enum):
    QUICK = "quick"
    THOROUGH = "thorough"


class Window(BaseModel):
    start_year: int
    end_year: int | None = None


def search(query: str, depth: Depth, window: Window, limit: int = 3, source: str | None = None) -> list[str]:
    """Search the notes for a query.

    Args:
        query: What to look for.
        depth: How hard to look; thorough reads
            every note.
        window: Which years count.
        limit: At most this many hits.
        source: Only notes from this source.
    """
    return [f"{query}/{depth.value}/{window.start_year}/{limit}/{source}"]


def _call(arguments: dict[str, object] | str, name: str = "search") -> ToolCall:
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return ToolCall(id="c1", name=name, arguments=text)


def test_schema_from_hints_and_docstring() -> None:
    spec = FunctionTool(search).spec
    params = spec.parameters
    assert spec.name == "search"
    assert spec.description == "Search the notes for a query."
    assert params["type"] == "object"
    assert params["required"] == ["query", "depth", "window"]
    props = params["properties"]
    assert props["query"] == {"type": "string", "description": "What to look for."}
    assert props["depth"]["description"] == "How hard to look; thorough reads every note."
    assert params["$defs"]["Depth"]["enum"] == ["quick", "thorough"]
    assert props["window"]["$ref"] == "#/$defs/Window"
    assert params["$defs"]["Window"]["required"] == ["start_year"]
    assert props["limit"]["default"] == 3
    assert {"type": "null"} in props["source"]["anyOf"]
    assert params["additionalProperties"] is False


async def test_valid_arguments_reach_the_function_as_typed_values() -> None:
    result = await FunctionTool(search).run(
        _call({"query": "actors", "depth": "quick", "window": {"start_year": 2020}})
    )
    assert not result.is_error
    assert json.loads(result.content) == ["actors/quick/2020/3/None"]
    assert result.tool_call_id == "c1"


async def test_invalid_arguments_come_back_as_an_error_result_without_calling() -> None:
    calls: list[int] = []

    def count(n: int) -> int:
        """Count."""
        calls.append(n)
        return n

    counter = FunctionTool(count)
    bad_type = await counter.run(_call({"n": "many"}, "count"))
    extra = await counter.run(_call({"n": 1, "m": 2}, "count"))
    not_json = await counter.run(_call("{n:", "count"))
    assert bad_type.is_error
    assert "n:" in bad_type.content
    assert extra.is_error
    assert "m" in extra.content
    assert not_json.is_error
    assert calls == []


async def test_exceptions_become_error_results() -> None:
    def explode(reason: str) -> str:
        """Fail."""
        raise RuntimeError(reason)

    result = await FunctionTool(explode).run(_call({"reason": "disk full"}, "explode"))
    assert result.is_error
    assert "RuntimeError: disk full" in result.content


async def test_async_tools_and_the_decorator() -> None:
    @tool(name="shout", timeout=2)
    async def loud(text: str) -> str:
        """Upper-case text."""
        await asyncio.sleep(0)
        return text.upper()

    assert isinstance(loud, FunctionTool)
    result = await loud.run(_call({"text": "hi"}, "shout"))
    assert (result.content, result.is_error, result.name) == ("HI", False, "shout")


async def test_per_tool_timeout_for_async_and_sync_tools() -> None:
    async def slow_async() -> str:
        """Sleep."""
        await asyncio.sleep(5)
        return "late"

    def slow_sync() -> str:
        """Sleep on a thread."""
        time.sleep(0.6)
        return "late"

    started = time.monotonic()
    first = await FunctionTool(slow_async, timeout=0.1).run(_call({}, "slow_async"))
    second = await FunctionTool(slow_sync, timeout=0.1).run(_call({}, "slow_sync"))
    assert first.is_error
    assert "timed out" in first.content
    assert second.is_error
    assert "timed out" in second.content
    assert time.monotonic() - started < 0.6
