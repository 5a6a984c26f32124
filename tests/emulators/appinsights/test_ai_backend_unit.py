"""Pure unit tests of the App Insights emulator's backend and views (no processes, no network, no files)."""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any

import pytest

from local_emulators.appinsights.backend.decoding import LineError, inflate, parse_items
from local_emulators.appinsights.backend.envelopes import (
    InvalidEnvelopeError,
    parse_duration,
    parse_time,
    read_envelope,
)
from local_emulators.appinsights.backend.ingestion import Ingestor
from local_emulators.appinsights.backend.queries import find_run, recent_runs
from local_emulators.appinsights.backend.runs import build_run
from local_emulators.appinsights.backend.store import TelemetryStore
from local_emulators.appinsights.errors import (
    BodyTooLargeError,
    MalformedBodyError,
    RunNotFoundError,
    UnsupportedEncodingError,
)
from local_emulators.appinsights.settings import Limits
from local_emulators.appinsights.views.text_tree import format_ms, render_run
from local_emulators.appinsights.views.waterfall import render_waterfall
from tests.emulators.appinsights.envelope_factory import IKEY, exception_envelope, span_envelope


def _item(raw: dict[str, Any]) -> Any:
    return read_envelope(raw, json.dumps(raw))


def test_durations_and_times_in_application_insights_formats() -> None:
    assert parse_duration("0.00:00:00.250") == 250.0
    assert parse_duration("1.02:03:04.5") == ((26 * 60 + 3) * 60 + 4) * 1000 + 500
    assert parse_duration("00:00:01.1234567") == pytest.approx(1123.4567)
    with pytest.raises(ValueError, match="bad duration"):
        parse_duration("1 second")
    assert parse_time("1970-01-01T00:00:01.5Z") == 1500.0
    assert parse_time("1970-01-01T00:00:01.1234567+00:00") == pytest.approx(1123.4567, abs=0.001)
    with pytest.raises(ValueError, match="zone"):
        parse_time("1970-01-01T00:00:01")


def test_inflate_caps_output_and_handles_members_deflate_and_errors() -> None:
    body = b"[" + b" " * 5000 + b"]"
    assert inflate(gzip.compress(body), "gzip", 10_000) == body
    assert inflate(gzip.compress(b"ab") + gzip.compress(b"cd"), "GZIP", 100) == b"abcd"
    assert inflate(zlib.compress(body), "deflate", 10_000) == body
    assert inflate(body, None, 1) == body  # identity: the caller checks the raw size
    with pytest.raises(BodyTooLargeError):
        inflate(gzip.compress(bytes(10_000_000)), "gzip", 100_000)
    with pytest.raises(MalformedBodyError, match="truncated"):
        inflate(gzip.compress(body)[:-12], "gzip", 10_000)
    with pytest.raises(MalformedBodyError, match="cannot be decompressed"):
        inflate(b"not gzip at all", "gzip", 10_000)
    with pytest.raises(UnsupportedEncodingError):
        inflate(body, "br", 10_000)


def test_parse_items_array_object_ndjson_and_bad_lines() -> None:
    assert parse_items(b'[{"a":1},{"b":2}]') == [{"a": 1}, {"b": 2}]
    assert parse_items(b'\xef\xbb\xbf{"a":1}') == [{"a": 1}]
    items = parse_items(b'{"a":1}\n\n{oops\n{"c":3}\n')
    assert items[0] == {"a": 1}
    assert isinstance(items[1], LineError)
    assert items[1].message == "Line 2 is not valid JSON."
    assert items[2] == {"c": 3}
    for bad in (b"", b"  \n", b"42", b"{oops", b"\xff\xfe"):
        with pytest.raises(MalformedBodyError):
            parse_items(bad)


def test_read_envelope_extracts_query_fields_and_rejects_missing_ones() -> None:
    raw = span_envelope(
        "op1",
        "s1",
        "chat gpt-4o",
        parent="p1",
        success=False,
        properties={
            "switchboard.run_id": "r1",
            "switchboard.agent": "writer",
            "gen_ai.usage.input_tokens": "12",
            "gen_ai.usage.output_tokens": "3",
            "switchboard.cost_usd": "0.0012",
            "error.type": "RateLimitError",
        },
    )
    item = _item(raw)
    assert (item.kind, item.name, item.operation_id, item.parent_id, item.span_id) == (
        "RemoteDependency",
        "chat gpt-4o",
        "op1",
        "p1",
        "s1",
    )
    assert (item.run_id, item.agent, item.input_tokens, item.output_tokens) == ("r1", "writer", 12, 3)
    assert (item.cost_usd, item.success, item.error_type, item.duration_ms) == (0.0012, False, "RateLimitError", 250.0)
    exception = _item(exception_envelope("op1", "s1", "ValueError", "boom"))
    assert (exception.kind, exception.name, exception.span_id, exception.error_type) == (
        "Exception",
        "ValueError",
        None,
        "ValueError",
    )
    for field in ("name", "time", "iKey"):
        broken = {k: v for k, v in raw.items() if k != field}
        with pytest.raises(InvalidEnvelopeError, match=f"Field '{field}' on type Envelope is required"):
            _item(broken)
    with pytest.raises(InvalidEnvelopeError, match="must be a JSON object"):
        read_envelope([1], "[1]")
    with pytest.raises(InvalidEnvelopeError, match="'time' on type Envelope is invalid"):
        _item({**raw, "time": "yesterday"})


def _ingestor(**limits: int) -> Ingestor:
    return Ingestor(TelemetryStore(None), frozenset({IKEY.upper()}), Limits(**limits))


def test_ingestion_answers_200_206_400_and_checks_the_key_case_insensitively() -> None:
    ingestor = _ingestor(max_items_per_request=3, max_item_bytes=2000)
    good = span_envelope("op", "a", "x")
    huge = span_envelope("op", "b", "y", properties={"big": "z" * 3000})
    result = ingestor.ingest(json.dumps([good, good]).encode(), None)
    assert (result.status, result.body()) == (200, {"itemsReceived": 2, "itemsAccepted": 2, "errors": []})
    result = ingestor.ingest(json.dumps([good, huge, {**good, "iKey": "other"}, good]).encode(), None)
    assert result.status == 206
    assert [(e["index"], e["message"]) for e in result.errors] == [
        (1, "The item is larger than 2000 bytes."),
        (2, "Invalid instrumentation key"),
        (3, "Too many items in one request (at most 3)."),
    ]
    assert ingestor.ingest(b"[]", None).status == 400
    with pytest.raises(BodyTooLargeError):
        _ingestor(max_body_bytes=10).ingest(json.dumps([good]).encode(), None)


def test_store_evicts_whole_least_recently_written_operations() -> None:
    store = TelemetryStore(None, max_items=5)
    ingestor = Ingestor(store, frozenset({IKEY}), Limits())

    def write(operation: str, *span_ids: str) -> None:
        ingestor.ingest(json.dumps([span_envelope(operation, span_id, "s") for span_id in span_ids]).encode(), None)

    write("old", "o1", "o2")
    write("mid", "m1", "m2")
    write("old", "o3")  # "old" is now the most recently written
    write("new", "n1", "n2")  # 7 items > 5: "mid" goes, whole
    assert store.recent_operations(10) == ["new", "old"]
    assert [json.loads(e)["data"]["baseData"]["id"] for e in store.envelopes(operation_id="old")] == ["o1", "o2", "o3"]
    assert (store.items, store.evicted_groups) == (5, 1)
    store.reset()
    assert (store.items, store.bytes, store.recent_operations(10)) == (0, 0, [])


def _run_items() -> list[Any]:
    def span(span_id: str, name: str, parent: str | None, start_ms: int, ms: int, **props: str) -> dict[str, Any]:
        time = f"2026-11-26T10:00:{start_ms // 1000:02d}.{start_ms % 1000:03d}Z"
        duration = f"0.00:00:{ms // 1000:02d}.{ms % 1000:03d}"
        return span_envelope(
            "t1",
            span_id,
            name,
            parent=parent,
            time=time,
            duration=duration,
            properties={"switchboard.run_id": "r1", **props},
        )

    raws = [
        span("p", "process planner", None, 0, 4000, **{"switchboard.agent": "planner"}),
        span("i", "invoke_agent planner", "p", 10, 3000),
        # The agent span repeats its child's usage; only the deepest span counts.
        span(
            "c", "chat gpt-4o", "i", 20, 1000, **{"gen_ai.usage.input_tokens": "100", "gen_ai.usage.output_tokens": "7"}
        ),
        span("x", "execute_tool search", "i", 1100, 500, **{"gen_ai.tool.name": "search"}),
        span("s", "send writer", "p", 3100, 10),
        span("w", "process writer", "s", 3200, 800, **{"switchboard.agent": "writer", "switchboard.cost_usd": "0.5"}),
        span(
            "wc",
            "chat gpt-4o",
            "w",
            3300,
            600,
            **{"gen_ai.usage.input_tokens": "50", "gen_ai.usage.output_tokens": "5"},
        ),
        span("wt", "execute_tool publish", "w", 3950, 40),
    ]
    raws[1]["data"]["baseData"]["properties"].update({"gen_ai.usage.input_tokens": "100"})
    raws[-1]["data"]["baseData"]["success"] = False
    raws.append(exception_envelope("t1", "wt", "PermissionError", "denied"))
    return [_item(raw) for raw in raws]


def test_run_tree_lanes_and_deepest_span_token_counting() -> None:
    run = build_run("r1", _run_items())
    assert (run.run_id, run.operation_ids, run.span_count, run.status, run.errors) == ("r1", ["t1"], 8, "failed", 1)
    assert (run.input_tokens, run.output_tokens, run.cost_usd, run.duration_ms) == (150, 12, 0.5, 4000.0)
    assert [(s.name, s.depth, s.agent, s.lane_depth) for s in run.spans] == [
        ("process planner", 0, "planner", 0),
        ("invoke_agent planner", 1, "planner", 1),
        ("chat gpt-4o", 2, "planner", 2),
        ("execute_tool search", 2, "planner", 2),
        ("send writer", 1, "planner", 1),
        ("process writer", 2, "writer", 0),
        ("chat gpt-4o", 3, "writer", 1),
        ("execute_tool publish", 3, "writer", 1),
    ]
    planner, writer = run.agents
    assert (planner.agent, planner.llm_calls, planner.tool_calls, planner.input_tokens, planner.duration_ms) == (
        "planner",
        1,
        1,
        100,
        4000.0,
    )
    assert (writer.agent, writer.input_tokens, writer.cost_usd, writer.errors, writer.duration_ms) == (
        "writer",
        50,
        0.5,
        1,
        800.0,
    )
    failed = run.spans[-1]
    assert (failed.success, failed.error_type, failed.error_message, failed.start_ms) == (
        False,
        "PermissionError",
        "denied",
        3950.0,
    )


def test_queries_find_a_run_by_id_trace_or_operation_name() -> None:
    store = TelemetryStore(None)
    store.add(_run_items())
    assert find_run(store, "r1").span_count == find_run(store, "t1").span_count == 8
    assert find_run(store, "process planner").run_id == "r1"
    with pytest.raises(RunNotFoundError):
        find_run(store, "r2")
    (summary,) = recent_runs(store)
    assert (summary["run_id"], summary["operation_id"], summary["input_tokens"], summary["agents"]) == (
        "r1",
        "t1",
        150,
        ["planner", "writer"],
    )


def test_text_tree_and_waterfall_render_the_run() -> None:
    run = build_run("r1", _run_items()).to_json()
    text = render_run(run).splitlines()
    assert text[0] == "run r1 · failed · 4.00 s · 8 spans · tokens 150 in / 12 out · $0.5000"
    assert text[3:11] == [
        "process planner  [planner]  4.00 s",
        "├─ invoke_agent planner  [planner]  3.00 s",
        "│  ├─ chat gpt-4o  1.00 s  tokens 100 in / 7 out",
        "│  └─ execute_tool search  500 ms",
        "└─ send writer  10 ms",
        "   └─ process writer  [writer]  800 ms",
        "      ├─ chat gpt-4o  600 ms  tokens 50 in / 5 out",
        "      └─ execute_tool publish  40 ms  ✗ PermissionError: denied",
    ]
    html = render_waterfall(run)
    assert html.count('<section class="lane"') == 2
    assert 'data-error="PermissionError"' in html
    assert '<b id="total-tokens">162</b>' in html
    assert "<script>" in html
    assert "http" not in html.replace("http-equiv", "")  # no external assets: the page works offline
    assert [format_ms(v) for v in (5, 850, 1250, 125_000)] == ["5.0 ms", "850 ms", "1.25 s", "2 m 05 s"]


def test_parent_cycles_and_deep_chains_neither_lose_spans_nor_overflow_the_stack() -> None:
    looped = [span_envelope("t", "a", "x", parent="a"), span_envelope("t", "b", "y", parent="c")]
    looped.append(span_envelope("t", "c", "z", parent="b"))
    run = build_run("t", [_item(raw) for raw in looped])
    assert sorted(span.id for span in run.spans) == ["a", "b", "c"]
    chain = [span_envelope("d", "s0", "root")]
    chain += [span_envelope("d", f"s{i}", "hop", parent=f"s{i - 1}") for i in range(1, 5000)]
    deep = build_run("d", [_item(raw) for raw in chain])
    assert (deep.span_count, deep.spans[-1].depth) == (5000, 4999)
