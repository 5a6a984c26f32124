"""What the application needs from Azure, read from the code: the facts the Bicep drift rules check against.

- Entities: every queue/topic a function is triggered by or has an output binding to (`function_app.app`'s bindings
  JSON), every queue the publisher sends to (agents' queues, `tasks`, `run-events`: the publisher's defaults), and
  the entity list generated from the registry (`entities_for(TEAMS)`, not the committed JSON the Bicep loads).
- Settings: every field of every pydantic-settings class the app can import (its env name from the alias), the
  `Values` of `local.settings.example.json`, and the identity form of each binding connection.
- Resources: which Azure resource type each setting makes the app touch, and the roles the identity needs there.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, SecretStr
from pydantic_settings import BaseSettings

from tests.infra.bicep_checks.entities import Entity
from tests.infra.bicep_checks.pinned import PinnedValue
from tests.infra.bicep_checks.rules import LocalAuthRule, RoleRule

REPO = Path(__file__).resolve().parents[2]

ROLES = {
    "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39": "Azure Service Bus Data Sender",
    "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0": "Azure Service Bus Data Receiver",
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
    "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
    "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
    "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd": "Cognitive Services OpenAI User",
    "00000000-0000-0000-0000-000000000002": "Cosmos DB Built-in Data Contributor",
    "0fb8eba5-a2bb-4abe-b1c1-49dfad359bb0": "Azure ContainerApps Session Executor",
}
"""The least-privilege allow-list: no Owner, Contributor or Service Bus Data Owner (it can manage entities)."""

LOCAL_AUTH_RULES = (
    LocalAuthRule("Microsoft.ServiceBus/namespaces", ("properties", "disableLocalAuth"), off=True),
    LocalAuthRule("Microsoft.DocumentDB/databaseAccounts", ("properties", "disableLocalAuth"), off=True),
    LocalAuthRule("Microsoft.Insights/components", ("properties", "DisableLocalAuth"), off=True),
    LocalAuthRule("Microsoft.Storage/storageAccounts", ("properties", "allowSharedKeyAccess"), off=False),
    LocalAuthRule("Microsoft.CognitiveServices/accounts", ("properties", "disableLocalAuth"), off=True),
)

SESSION_POOL = "Microsoft.App/sessionPools"
SANDBOX_RULES = (
    PinnedValue(SESSION_POOL, ("properties", "containerType"), "PythonLTS", "the code interpreter the executor speaks"),
    PinnedValue(SESSION_POOL, ("properties", "poolManagementType"), "Dynamic", "one session per run identifier"),
    PinnedValue(
        SESSION_POOL,
        ("properties", "sessionNetworkConfiguration", "status"),
        "EgressDisabled",
        "model-written code gets no network",
    ),
)
"""What the code-execution sandbox pool must be: Python sessions without egress."""

NOT_IN_AZURE = {
    "FUNCTIONS_WORKER_RUNTIME": "Flex Consumption takes the runtime from functionAppConfig.runtime",
    "FUNCTIONS_EXTENSION_VERSION": "Flex Consumption takes the runtime from functionAppConfig.runtime",
    "AzureWebJobsStorage": "a connection string with the account key; use AzureWebJobsStorage__accountName",
    "SWITCHBOARD_HOST_KEY": "the local host's function key; Azure keeps the app's function keys itself",
    "ACA_SESSIONS_TOKEN": "the sessions emulator's static token; in Azure the identity gets Entra tokens",
}
"""Settings of the local setup that a Function App must not have, and why."""
OPTIONAL_IN_AZURE = {
    "OPENAI_BASE_URL": "an OpenAI-compatible server instead of Azure OpenAI (local model stand-ins)",
    "OPENAI_MODEL": "the model name for OPENAI_BASE_URL / api.openai.com, unused with Azure OpenAI",
    "OPENAI_EMBEDDING_MODEL": "an embedding model on OPENAI_BASE_URL / api.openai.com; Azure uses the deployment",
    # Telemetry (switchboard/telemetry/settings.py): each has a default; App Insights is the Azure export.
    "OTEL_EXPORTER_OTLP_ENDPOINT": "a second export over OTLP, off unless set",
    "OTEL_SERVICE_NAME": "App Insights' cloud role; defaults to the Function App's name (WEBSITE_SITE_NAME)",
    "SWITCHBOARD_TELEMETRY_CAPTURE_CONTENT": "prompt and completion text on spans: off unless opted in",
    "SWITCHBOARD_MODEL_PRICES": "prices over the built-in per-model price table (switchboard.cost_usd)",
    # Call options of a model endpoint (switchboard/models/settings.py): unset means the agent's own or the model's.
    "SWITCHBOARD_MODEL_TEMPERATURE": "a default temperature for agents that set none",
    "SWITCHBOARD_MODEL_MAX_TOKENS": "a cap on completion tokens per call",
    "SWITCHBOARD_MODEL_PRICE_INPUT": "the endpoint's own price instead of the price table",
    "SWITCHBOARD_MODEL_PRICE_OUTPUT": "the endpoint's own price instead of the price table",
}
"""Settings the app reads that a Function App may leave unset, and why."""
IDENTITY_SETTINGS = {
    "AZURE_CLIENT_ID": "DefaultAzureCredential (Cosmos DB, Azure OpenAI) selects the user-assigned identity by it",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": "App Insights has local auth off: ingestion needs Entra ID",
    "APPLICATIONINSIGHTS_CONNECTION_STRING": "the host and the exporter send telemetry to it",
}


@dataclass(frozen=True)
class SettingFact:
    """A setting the app reads."""

    name: str
    secret: bool
    source: str


def settings_classes() -> list[type[BaseSettings]]:
    """Every pydantic-settings class of the app (all of `switchboard` but the CLI and the local host)."""
    import switchboard

    importlib.import_module("function_app")
    for module in pkgutil.walk_packages(switchboard.__path__, "switchboard."):
        if not module.name.startswith(("switchboard.cli", "switchboard.local_host")) and not module.name.endswith(
            "__main__"
        ):
            importlib.import_module(module.name)
    return [cls for cls in _subclasses(BaseSettings) if cls.__module__.startswith("switchboard.")]


def _subclasses(cls: type[BaseSettings]) -> Iterator[type[BaseSettings]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@cache
def settings_read() -> dict[str, SettingFact]:
    """Setting name → fact, from the settings classes' fields (the alias the Functions host sets, else the name)."""
    facts: dict[str, SettingFact] = {}
    for cls in settings_classes():
        for field_name, info in cls.model_fields.items():
            alias = info.validation_alias
            name = str(alias.choices[0]) if isinstance(alias, AliasChoices) else str(alias or field_name.upper())
            secret = SecretStr in _flatten(info.annotation)
            facts[name] = SettingFact(name, secret, f"{cls.__module__}.{cls.__name__}.{field_name}")
    # The code executors read their settings by name, not through a settings class.
    from switchboard.code_execution import factory

    facts[factory.ENDPOINT_SETTING] = SettingFact(factory.ENDPOINT_SETTING, False, "executor_from_settings")
    facts[factory.TOKEN_SETTING] = SettingFact(factory.TOKEN_SETTING, False, "executor_from_settings")
    local = json.loads((REPO / "local.settings.example.json").read_text())["Values"]
    for name in local:
        facts.setdefault(name, SettingFact(name, False, "local.settings.example.json"))
    return facts


def _flatten(annotation: Any) -> set[Any]:
    found = {annotation}
    for argument in getattr(annotation, "__args__", ()):
        found |= _flatten(argument)
    return found


@cache
def bindings() -> list[tuple[str, dict[str, Any]]]:
    """(function name, binding) of every binding of `function_app.app`."""
    app = importlib.import_module("function_app").app
    # get_functions() records the names it validated and refuses them on a second call (azure-functions 1.26), so
    # index with a fresh record and leave the app's own as it was for any other caller in this process.
    recorded, app.functions_bindings = app.functions_bindings, {}
    try:
        functions = app.get_functions()
    finally:
        app.functions_bindings = recorded
    return [
        (str(function.get_function_name()), binding)
        for function in functions
        for binding in json.loads(function.get_function_json())["bindings"]
    ]


def service_bus_connections() -> set[str]:
    """The app-setting prefixes of the Service Bus bindings."""
    return {b["connection"] for _, b in bindings() if b["type"].lower().startswith("servicebus")}


def required_settings() -> dict[str, str]:
    """Setting → why, for every setting the Function App must have."""
    required = {
        name: f"read by {fact.source}"
        for name, fact in settings_read().items()
        if not fact.secret and name not in NOT_IN_AZURE and name not in OPTIONAL_IN_AZURE
    }
    for connection in service_bus_connections():
        required.pop(connection, None)  # the connection-string form; Azure uses the identity form below
        for suffix in ("fullyQualifiedNamespace", "credential", "clientId"):
            required[f"{connection}__{suffix}"] = (
                f"identity-based connection of the Service Bus bindings ({connection})"
            )
    for suffix in ("accountName", "credential", "clientId"):
        required[f"AzureWebJobsStorage__{suffix}"] = "identity-based host storage of the Functions host"
    required.update(IDENTITY_SETTINGS)
    return required


def forbidden_settings() -> dict[str, str]:
    """Setting → why it must not be set on the Function App."""
    forbidden = dict(NOT_IN_AZURE)
    for name, fact in settings_read().items():
        if fact.secret:
            forbidden[name] = f"a secret ({fact.source} is a SecretStr); Azure uses the managed identity"
    for connection in service_bus_connections():
        forbidden[connection] = "a Service Bus connection string; Azure uses the __fullyQualifiedNamespace form"
    return forbidden


def credential_values() -> dict[str, str]:
    """Settings whose value is fixed: every identity-based connection uses the managed identity."""
    return {name: "managedidentity" for name in required_settings() if name.endswith("__credential")}


SETTING_RESOURCES = {
    "COSMOS_ENDPOINT": ("Microsoft.DocumentDB/databaseAccounts", ("00000000-0000-0000-0000-000000000002",)),
    # The memory store reads and writes items of its own container on the account.
    "COSMOS_MEMORY_ENDPOINT": ("Microsoft.DocumentDB/databaseAccounts", ("00000000-0000-0000-0000-000000000002",)),
    "AzureWebJobsStorage__accountName": (
        "Microsoft.Storage/storageAccounts",
        ("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"),
    ),
    "APPLICATIONINSIGHTS_CONNECTION_STRING": (
        "Microsoft.Insights/components",
        ("3913510d-42f4-4e42-8a64-420c390055eb",),
    ),
    "AZURE_OPENAI_ENDPOINT": ("Microsoft.CognitiveServices/accounts", ("5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",)),
    "ACA_SESSIONS_ENDPOINT": ("Microsoft.App/sessionPools", ("0fb8eba5-a2bb-4abe-b1c1-49dfad359bb0",)),
}
"""Setting → the resource type it makes the app touch and the roles the identity needs on it."""
SENDER, RECEIVER = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39", "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0"


def role_rules() -> list[RoleRule]:
    """The roles the identity needs on every resource type a required setting points at."""
    required = required_settings()
    rules = [
        RoleRule(resource_type, f"{setting} is set", {guid: ROLES[guid] for guid in roles})
        for setting, (resource_type, roles) in SETTING_RESOURCES.items()
        if setting in required
    ]
    connections = sorted(service_bus_connections())
    if connections:
        roles = {SENDER: ROLES[SENDER]}  # the publisher sends agent messages, tasks and run events
        if any(b["type"] == "serviceBusTrigger" for _, b in bindings()):
            roles[RECEIVER] = ROLES[RECEIVER]
        rules.append(RoleRule("Microsoft.ServiceBus/namespaces", f"bindings on {', '.join(connections)}", roles))
    return rules


def needed_entities() -> list[Entity]:
    """Every entity the app uses: from its bindings, its publisher, and the entity list of its registry."""
    from agents.registry import TEAMS
    from switchboard.functions.entities import agent_names_of, entities_for
    from switchboard.transport.publisher import ServiceBusPublisher

    listed = entities_for(TEAMS)
    needed: dict[tuple[str, str], tuple[list[str], dict[str, Any]]] = {}

    def need(kind: str, name: str, why: str, properties: dict[str, Any] | None = None) -> None:
        whys, expected = needed.setdefault((kind, name), ([], {}))
        whys.append(why)
        expected.update(properties or {})

    for function, binding in bindings():
        kind = binding["type"]
        if kind not in {"serviceBusTrigger", "serviceBus"}:
            continue
        role = "trigger" if kind == "serviceBusTrigger" else "output binding"
        sessions = {"requiresSession": bool(binding.get("isSessionsEnabled", False))} if role == "trigger" else {}
        if "queueName" in binding:
            need("queue", binding["queueName"], f"{role} of function {function}", sessions)
        else:
            need("topic", binding["topicName"], f"{role} of function {function}")
            if binding.get("subscriptionName"):
                name = f"{binding['topicName']}/{binding['subscriptionName']}"
                need("subscription", name, f"{role} of function {function}", sessions)
    defaults = inspect.signature(ServiceBusPublisher.__init__).parameters
    need("queue", defaults["tasks_queue"].default, "the publisher sends tasks to it")
    need("topic", defaults["events_topic"].default, "the publisher sends run events to it")
    for agent in agent_names_of(TEAMS):
        need("queue", agent, f"the publisher sends agent {agent}'s messages to it")
    for queue in listed.service_bus.queues:
        need("queue", queue.name, "entity list", queue.properties.model_dump(by_alias=True))
    for topic in listed.service_bus.topics:
        need("topic", topic.name, "entity list", topic.properties.model_dump(by_alias=True))
        for subscription in topic.subscriptions:
            properties = subscription.properties.model_dump(by_alias=True)
            need("subscription", f"{topic.name}/{subscription.name}", "entity list", properties)
    need("database", listed.cosmos.database, "entity list")
    for container in listed.cosmos.containers:
        paths = {"partitionKey.paths": [container.partition_key]}
        need("container", f"{listed.cosmos.database}/{container.name}", "entity list", paths)
    return [
        Entity(kind, name, "; ".join(dict.fromkeys(whys)), properties)  # type: ignore[arg-type]
        for (kind, name), (whys, properties) in needed.items()
    ]
