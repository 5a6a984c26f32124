"""Helpers of the end-to-end tests of hosted runs: read a run from Cosmos, call the HTTP API, wait for a state."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from azure.cosmos import CosmosClient
from azure.cosmos.exceptions import CosmosResourceNotFoundError
from azure.servicebus import ServiceBusClient, ServiceBusMessage

from agents.registry import RESEARCH_TEAM
from switchboard.cli.infra_command import servicebus_emulator_config
from switchboard.functions.entities import EntityList, entities_for
from switchboard.hosting.open_questions import questions_view
from switchboard.models.scripted import ScriptedModelClient
from tests.emulators.cosmos.cosmos_harness import KEY as COSMOS_KEY
from tests.support.processes import REPO_ROOT
from tests.support.stack import HOST_KEY, Stack, load_app_module, scrub_env

DEMO_SCRIPT = REPO_ROOT / "agents" / "scripts" / "research_demo.json"
"""The scripted model's answers for the research team's demo run."""
CRASH_APP = REPO_ROOT / "tests" / "e2e" / "hosting" / "crash_app"
"""The app whose agent crashes its host process mid-handler (crash-recovery and trace tests)."""


def partition_items(
    stack: Stack, run_id: str, query: str, parameters: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """`query`'s items in the run's partition; none before the host's first hop has created the database."""
    try:
        return list(runs_container(stack).query_items(query, parameters=parameters, partition_key=run_id))
    except CosmosResourceNotFoundError:
        return []


def run_item(stack: Stack, run_id: str) -> dict[str, Any] | None:
    items = partition_items(stack, run_id, "SELECT * FROM c WHERE c.id = @id", [{"name": "@id", "value": run_id}])
    # Its questions as `GET /api/runs/{id}` shows them: `pending_inputs`, and the oldest as `pending_input`.
    return {**items[0], **questions_view(items[0])} if items else None


def transcript_items(stack: Stack, run_id: str) -> list[dict[str, Any]]:
    return partition_items(stack, run_id, "SELECT * FROM c WHERE c.type = 'entry' ORDER BY c.index")


def wait_for_status(stack: Stack, run_id: str, status: str, timeout: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    item: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        item = run_item(stack, run_id)
        # Between an answer's commit and its status patch a run may say awaiting_input with nothing open.
        if item is not None and item["status"] == status and (status != "awaiting_input" or item["pending_input"]):
            return item
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} not {status} after {timeout}s: {item}\n{stack.logs()}")


async def expected_transcript(task: str) -> list[tuple[str, str]]:
    team = RESEARCH_TEAM.build(ScriptedModelClient.from_file(DEMO_SCRIPT))
    result = await team.run(task)
    return [(entry.source, entry.content) for entry in result.transcript]


def post(stack: Stack, path: str, body: Any | None = None, key: str | None = HOST_KEY) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["x-functions-key"] = key
    data = json.dumps(body).encode() if body is not None else None
    method = "POST" if body is not None or path.endswith("/cancel") else "GET"
    request = urllib.request.Request(
        f"{stack.host_url}{path}", data=data if method == "POST" else None, headers=headers, method=method
    )
    if method == "POST" and data is None:
        request.data = b""
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, _body(response.read())
    except urllib.error.HTTPError as error:
        return error.code, _body(error.read())


def _body(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return raw.decode(errors="replace")


def marks(stack: Stack) -> list[str]:
    path = Path(stack.extra_env["HITL_MARKS"])
    return path.read_text().splitlines() if path.exists() else []


def asked_agent(stack: Stack, run_id: str) -> str | None:
    pending = (run_item(stack, run_id) or {}).get("pending_input") or {}
    return pending.get("agent")


def start(stack: Stack, team: str, task: str) -> str:
    status, body = post(stack, "/api/runs", {"task": task, "team": team})
    assert status == 202, body
    return str(body["run_id"])


def wait_until(condition: Any, what: str, stack: Stack, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout}s\n{stack.logs()}")
        time.sleep(0.2)


def make_stack(
    root: Path, script_root: Path, model_script: Path, entities: EntityList, **queue_overrides: object
) -> Stack:
    """A stack whose Service Bus has every entity of `entities` (queue properties optionally overridden)."""
    config = servicebus_emulator_config(entities)
    for namespace in config["UserConfig"]["Namespaces"]:
        for queue in namespace["Queues"]:
            queue["Properties"].update(queue_overrides)
    path = root / "servicebus-config.json"
    path.write_text(json.dumps(config, indent=2))
    return Stack(root=root, script_root=script_root, model_script=model_script, servicebus_config=path)


def app_stack(root: Path, app: Path) -> Stack:
    """A stack for the app folder `app` (its function_app.py and script.json), entities from its TEAMS."""
    module = load_app_module(app / "function_app.py")
    scrub_env()
    return make_stack(root, app, app / "script.json", entities_for(module.TEAMS))


def runs_container(stack: Stack) -> Any:
    """The `runs` container of the stack's Cosmos emulator, through the plain azure-cosmos SDK."""
    return (
        CosmosClient(stack.cosmos_endpoint, COSMOS_KEY).get_database_client("switchboard").get_container_client("runs")
    )


def wait_run_ended(stack: Stack, run_id: str, timeout: float = 120.0) -> dict[str, Any]:
    """Poll the run document until it is `completed` or `failed`; fails with the processes' logs otherwise."""
    deadline = time.monotonic() + timeout
    item: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        found = partition_items(stack, run_id, "SELECT * FROM c WHERE c.type = 'run'")
        item = found[0] if found else None
        if item is not None and item["status"] in ("completed", "failed"):
            return dict(item)
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not end: {item}\n{stack.logs()}")


def post_tasks(stack: Stack, count: int) -> list[str]:
    """Send `count` tasks ("task 0", "task 1", ...) to the `tasks` queue in one batch; their run ids, in order."""
    run_ids = [str(uuid.uuid4()) for _ in range(count)]
    with (
        ServiceBusClient.from_connection_string(stack.sb_connection) as client,
        client.get_queue_sender("tasks") as sender,
    ):
        sender.send_messages(
            [
                ServiceBusMessage(json.dumps({"task": f"task {i}"}), message_id=run_id)
                for i, run_id in enumerate(run_ids)
            ]
        )
    return run_ids
