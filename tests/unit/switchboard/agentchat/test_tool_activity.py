"""Each tool call's arguments and result reach the transcript (capped, scrubbed) and `runs show` prints them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rich.console import Console

from switchboard.agentchat import AssistantAgent
from switchboard.agentchat.scrubbing import transcript_scrubber
from switchboard.cli.run_render import EntryPrinter
from switchboard.protocol.tool_activity import TOOL_TEXT_LIMIT, capped
from switchboard.testing import scripted_model, take_turn

SECRET = "sup3r-s3cret-cosmos-key-value"


def read_config(name: str) -> str:
    """Read a setting.

    Args:
        name: The setting.
    """
    return f"{name}=AccountEndpoint=https://x/;AccountKey={SECRET};" + "x" * 3000


def broken(n: int) -> str:
    """Always fails.

    Args:
        n: Anything.
    """
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def secret_setting(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("COSMOS_KEY", SECRET)
    transcript_scrubber.cache_clear()
    yield
    transcript_scrubber.cache_clear()


async def test_the_entry_records_arguments_and_results_capped_and_scrubbed() -> None:
    calls = [
        {"name": "read_config", "arguments": {"name": f"db {SECRET}"}},
        {"name": "broken", "arguments": {"n": 1}},
    ]
    model = scripted_model({"ops": [{"tool_calls": calls}, {"content": "done"}]})
    agent = AssistantAgent("ops", model_client=model, tools=[read_config, broken])
    entry = await take_turn(agent, "check the database")
    first, second = entry.tool_activity
    assert first.name == "read_config"
    assert first.arguments == '{"name": "db [REDACTED]"}'
    assert SECRET not in first.result
    assert "AccountKey=[REDACTED]" in first.result
    assert first.result.endswith("more characters)")
    assert len(first.result) < TOOL_TEXT_LIMIT + 40
    assert (second.name, second.is_error) == ("broken", True)
    assert "RuntimeError: boom" in second.result
    assert entry.tool_calls == ("read_config", "broken")


def test_capping_says_how_much_was_left_out() -> None:
    assert capped("abc", 5) == "abc"
    assert capped("abcdefgh", 5) == "abcde… (3 more characters)"


def test_the_printer_shows_each_call_with_its_arguments_and_result() -> None:
    console = Console(record=True, width=200)
    EntryPrinter(console)(
        {
            "source": "classifier",
            "content": "P1",
            "tool_calls": ["lookup_customer"],
            "tool_activity": [
                {"name": "lookup_customer", "arguments": '{"email": "ana@contoso.com"}', "result": "enterprise"},
                {"name": "page_oncall", "arguments": "{}", "result": "no one on call", "is_error": True},
            ],
        }
    )
    text = console.export_text()
    assert 'lookup_customer({"email": "ana@contoso.com"}) → enterprise' in text
    assert "page_oncall({}) → error: no one on call" in text
