"""A serverless run through the emulators, exported to the App Insights emulator, with the host killed mid-run.

One trace (one operation id = the run document's trace_id, operation name = the run id) whose parent/child links
cross every Service Bus hop (each `process <queue>` request is the child of a `send <queue>` dependency), span names
and attributes as the conventions say, the killed hop's retry inside the same trace; no exported byte holds the
Service Bus key, the Cosmos key, the model key or the prompt text; every saved KQL query reads fields the exporter
really sends.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.cosmos import CosmosClient
from azure.servicebus import ServiceBusClient, ServiceBusMessage

from switchboard.instrumentation import trace_id_for
from tests.emulators.cosmos.cosmos_harness import KEY as COSMOS_KEY
from tests.support.hosted_runs import CRASH_APP, make_stack
from tests.support.processes import REPO_ROOT, ServerProcess, free_port, port_open, start_python_module
from tests.support.stack import HOST_KEY, SB_KEY, Stack, load_app_module, scrub_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

MODEL_KEY = "mk-7Qz2uV9wXy3Lp0Rt"
TASK = "Summarise the zebra migration report 41b7"
QUERIES = REPO_ROOT / "infra" / "queries"


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Run one task with a kill mid-hop; yield the run id, its run document and every envelope the emulator got."""
    root = tmp_path_factory.mktemp("telemetry")
    ai_port = free_port()
    insights: ServerProcess = start_python_module(
        "local_emulators.appinsights",
        ["--host", "127.0.0.1", "--port", str(ai_port), "--data-dir", str(root / "appinsights")],
        port=ai_port,
        log_path=root / "appinsights.log",
        ready=lambda: port_open(ai_port),
    )
    module = load_app_module(CRASH_APP / "function_app.py")
    from switchboard.functions.entities import entities_for

    script = json.loads((CRASH_APP / "script.json").read_text())
    # The checker's second answer takes a while: the host is killed while it waits, mid-hop.
    script["agents"]["checker"][1]["delay"] = 2.0
    (root / "script.json").write_text(json.dumps(script))
    scrub_env()
    stack: Stack = make_stack(root, CRASH_APP, root / "script.json", entities_for(module.TEAMS), LockDuration="PT5S")
    endpoint = f"http://127.0.0.1:{ai_port}/"
    stack.extra_env.update(
        {
            "CRASH_EFFECTS_DB": str(root / "effects.sqlite"),
            "APPLICATIONINSIGHTS_CONNECTION_STRING": (
                f"InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint={endpoint};"
                f"LiveEndpoint={endpoint}"
            ),
            "OPENAI_API_KEY": MODEL_KEY,
            # Spans leave within 50 ms, so what ended before the kill is exported.
            "OTEL_BSP_SCHEDULE_DELAY": "50",
        }
    )
    try:
        stack.start_all()
        request = urllib.request.Request(
            f"{stack.host_url}/api/runs",
            data=json.dumps({"task": TASK}).encode(),
            headers={"Content-Type": "application/json", "x-functions-key": HOST_KEY},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            run_id = json.loads(response.read())["run_id"]
        deadline = time.monotonic() + 120
        while not any(
            r.get("agent") == "checker" and r.get("index") == 1
            for r in _get(f"{stack.model_url}/_script/requests")["requests"]
        ):
            assert time.monotonic() < deadline, stack.logs()
            time.sleep(0.05)
        time.sleep(0.5)
        stack.kill("host")
        stack.start_host()
        # After the restart (the killed host's metrics are lost): bad input in its own session (its own trace),
        # dead-lettered at once and counted by the dead-letter metric.
        with (
            ServiceBusClient.from_connection_string(stack.sb_connection) as client,
            client.get_queue_sender("worker") as sender,
        ):
            sender.send_messages(ServiceBusMessage(b"not an envelope", message_id="bad-1", session_id="bad-session"))
        container = (
            CosmosClient(stack.cosmos_endpoint, COSMOS_KEY)
            .get_database_client("switchboard")
            .get_container_client("runs")
        )
        while (run := container.read_item(run_id, partition_key=run_id))["status"] not in ("completed", "failed"):
            assert time.monotonic() < deadline, stack.logs()
            time.sleep(0.3)
        assert run["status"] == "completed", stack.logs()
        stack.stop("host")  # SIGTERM: the host flushes its telemetry before it exits
        envelopes = json.loads(urllib.request.urlopen(f"{endpoint}api/envelopes?limit=100000", timeout=30).read())
        yield {"run_id": run_id, "run": run, "envelopes": envelopes, "raw": json.dumps(envelopes)}
    finally:
        stack.stop_all()
        insights.stop()


def _spans(envelopes: list[dict[str, Any]], run_id: str) -> list[dict[str, Any]]:
    return [
        e
        for e in envelopes
        if e["data"]["baseType"] in ("RequestData", "RemoteDependencyData")
        and e["data"]["baseData"]["properties"].get("switchboard.run_id") == run_id
    ]


def test_the_run_is_one_trace_across_every_hop_and_the_kill(exported: dict[str, Any]) -> None:
    run_id, spans = exported["run_id"], _spans(exported["envelopes"], exported["run_id"])
    trace_id = trace_id_for(run_id)
    assert exported["run"]["trace_id"] == trace_id
    assert {s["tags"]["ai.operation.id"] for s in spans} == {trace_id}
    assert {s["tags"]["ai.operation.name"] for s in spans} == {run_id}
    by_id = {s["data"]["baseData"]["id"]: s for s in spans}
    roots = [s for s in spans if "ai.operation.parentId" not in s["tags"]]
    assert [r["data"]["baseData"]["name"] for r in roots] == ["send tasks"]
    hops = 0
    for span in spans:
        name = span["data"]["baseData"]["name"]
        parent_id = span["tags"].get("ai.operation.parentId")
        if parent_id is not None:
            assert parent_id in by_id, f"{name}: parent {parent_id} was not exported"
        if name.startswith("process "):
            hops += 1
            assert span["data"]["baseType"] == "RequestData"
            parent = by_id[parent_id]["data"]["baseData"]
            assert parent["name"] == "send " + name.removeprefix("process "), name
            assert parent["type"] == "Queue Message | servicebus"
    # tasks, crashteam ×7 (task + 6 turns), worker ×3, checker ×3.
    assert hops >= 14
    retried = [s for s in spans if s["data"]["baseData"]["properties"].get("switchboard.delivery_count", "1") != "1"]
    assert any(s["data"]["baseData"]["name"] == "process checker" for s in retried), "the killed hop's retry"


def test_span_names_and_attributes_follow_the_conventions(exported: dict[str, Any]) -> None:
    run_id, spans = exported["run_id"], _spans(exported["envelopes"], exported["run_id"])
    names = {s["data"]["baseData"]["name"] for s in spans}
    assert {"process crashteam", "invoke_agent worker", "invoke_agent checker", "execute_tool record_effect"} <= names
    assert "chat gpt-4o-mini" in names
    for span in spans:
        data = span["data"]["baseData"]
        properties = data["properties"]
        assert properties["switchboard.run_id"] == run_id, data["name"]
        assert properties["switchboard.agent"], data["name"]
        if data["name"].startswith("chat "):
            assert data["type"] == "GenAI | openai"
            assert properties["gen_ai.operation.name"] == "chat"
            assert properties["gen_ai.request.model"] == "gpt-4o-mini"
            assert int(properties["gen_ai.usage.input_tokens"]) > 0
            assert float(properties["switchboard.cost_usd"]) > 0
            assert "gen_ai.input.messages" not in properties
        if data["name"].startswith("invoke_agent "):
            assert properties["gen_ai.agent.name"] == data["name"].removeprefix("invoke_agent ")
        if data["name"].startswith("execute_tool "):
            assert properties["gen_ai.tool.name"] == "record_effect"
    metrics = {
        m["name"]
        for e in exported["envelopes"]
        if e["data"]["baseType"] == "MetricData"
        for m in e["data"]["baseData"]["metrics"]
    }
    assert {"switchboard.messages.processed", "switchboard.handler.duration", "switchboard.gen_ai.tokens"} <= metrics
    # Issue 10 §3: failures and dead letters per agent (the bad input), tokens and cost per agent and model.
    points = [
        (m["name"], e["data"]["baseData"].get("properties", {}))
        for e in exported["envelopes"]
        if e["data"]["baseType"] == "MetricData"
        for m in e["data"]["baseData"]["metrics"]
    ]
    failed = {
        p["switchboard.agent"]
        for n, p in points
        if n in ("switchboard.messages.failed", "switchboard.messages.dead_lettered")
    }
    assert failed == {"worker"}
    for name in ("switchboard.gen_ai.tokens", "switchboard.gen_ai.cost"):
        labels = [p for n, p in points if n == name]
        assert labels, f"{name} never exported"
        assert {(p["switchboard.agent"], p["gen_ai.request.model"]) for p in labels} >= {
            ("worker", "gpt-4o-mini"),
            ("checker", "gpt-4o-mini"),
        }


def test_bad_input_is_a_failed_process_span_in_its_own_trace(exported: dict[str, Any]) -> None:
    [bad] = _spans(exported["envelopes"], "bad-session")
    data = bad["data"]["baseData"]
    assert data["name"] == "process worker"
    assert data["success"] is False
    assert data["properties"]["switchboard.settlement"] == "dead_letter"
    assert bad["tags"]["ai.operation.id"] == trace_id_for("bad-session")


def test_no_exported_byte_holds_a_secret_or_the_prompt(exported: dict[str, Any]) -> None:
    raw = exported["raw"]
    # Logs are not exported (they may quote message content): only spans, span events and metrics.
    assert not [e for e in exported["envelopes"] if e["data"]["baseType"] == "MessageData"]
    assert len(exported["envelopes"]) > 20
    for secret in (SB_KEY, COSMOS_KEY, MODEL_KEY, TASK, "zebra"):
        assert secret not in raw


_FIELD = re.compile(r'customDimensions\["([^"]+)"\]')
_COLUMNS = {
    "requests": ("RequestData", {"name", "duration", "success"}),
    "dependencies": ("RemoteDependencyData", {"name", "duration", "success", "type"}),
    "customMetrics": ("MetricData", set()),
}


@pytest.mark.parametrize("query", sorted(QUERIES.glob("*.kql")), ids=lambda p: p.name)
def test_each_saved_query_reads_fields_the_exporter_sends(query: Path, exported: dict[str, Any]) -> None:
    text = query.read_text()
    tables = [t for t in _COLUMNS if re.search(rf"\b{t}\b", text)]
    assert tables, f"{query.name} reads no known table"
    envelopes = exported["envelopes"]
    for field in _FIELD.findall(text):
        holders = [
            e
            for e in envelopes
            if e["data"]["baseType"] in {_COLUMNS[t][0] for t in tables}
            and field in e["data"]["baseData"].get("properties", {})
        ]
        assert holders, f"{query.name}: no exported item has customDimensions[{field!r}]"
    for table in tables:
        base_type, columns = _COLUMNS[table]
        items = [e["data"]["baseData"] for e in envelopes if e["data"]["baseType"] == base_type]
        assert items, f"{query.name}: nothing was exported to {table}"
        for column in columns:
            if re.search(rf"\b{column}\b", text):
                assert any(column in item for item in items), f"{query.name}: {table}.{column}"
    for metric in re.findall(r'name == "([^"]+)"', text):
        if "customMetrics" in tables:
            sent = {
                m["name"]
                for e in envelopes
                if e["data"]["baseType"] == "MetricData"
                for m in e["data"]["baseData"]["metrics"]
            }
            assert metric in sent, f"{query.name}: metric {metric} never exported"
    if "operation_Name" in text:
        assert all(
            e["tags"].get("ai.operation.name") == exported["run_id"] for e in _spans(envelopes, exported["run_id"])
        )
