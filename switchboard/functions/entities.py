"""The one entity list of a deployment: every queue, topic and Cosmos container, generated from the registry.

One session-enabled queue per agent (team managers included), named exactly as the agent, served by the
function `agent_<name>`; the `tasks` ingress queue (function `ingress`); the `run-events` topic with its
`monitor` subscription; the Cosmos database and container of the runs. `switchboard infra entities` prints it,
`infra/entities.json` is the committed copy the Bicep loads with `loadJsonContent` and
`python -m local_emulators up` creates, and `function_app.py` wires its triggers from it. Service Bus properties
carry their ARM (Bicep) names so the template can pass them through unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from switchboard.agent.naming import name_problem
from switchboard.errors import AgentDefinitionError
from switchboard.hosting.entity_names import INGRESS_FUNCTION, MONITOR_SUBSCRIPTION, RUN_EVENTS_TOPIC, TASKS_QUEUE
from switchboard.models.chat import ModelRequest, ModelResponse
from switchboard.teams.spec import TeamSpec

COSMOS_DATABASE = "switchboard"
RUNS_CONTAINER = "runs"
RUNS_PARTITION_KEY = "/run_id"


class EntityNameError(AgentDefinitionError):
    """An agent name cannot be a queue and function name (pattern, reserved word, or used twice)."""


class _Arm(BaseModel):
    # Field names in Python style, JSON in ARM's camelCase: what the Bicep passes through as `properties`.
    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)


class QueueProperties(_Arm):
    """A queue's Service Bus properties (ARM names in JSON)."""

    requires_session: bool
    max_delivery_count: int = 10
    lock_duration: str = "PT1M"
    requires_duplicate_detection: bool = True
    duplicate_detection_history_time_window: str = "PT10M"
    dead_lettering_on_message_expiration: bool = True


class QueueEntity(_Arm):
    """A queue, the function it triggers, and whether it belongs to an agent or is the ingress."""

    name: str
    function: str
    kind: Literal["agent", "ingress"]
    properties: QueueProperties


class SubscriptionProperties(_Arm):
    """A subscription's Service Bus properties.

    Events are for watching runs live (the run document is the record), so an unread event expires after an hour
    and is dropped, not dead-lettered: a `monitor` subscription nobody reads holds at most an hour of events and
    can never fill the topic (1 GB on Standard) and stop its publishers.
    """

    max_delivery_count: int = 10
    lock_duration: str = "PT1M"
    default_message_time_to_live: str = "PT1H"
    dead_lettering_on_message_expiration: bool = False


class SubscriptionEntity(_Arm):
    """A topic subscription."""

    name: str
    properties: SubscriptionProperties


class TopicProperties(_Arm):
    """A topic's Service Bus properties (a day's TTL caps what any subscription added later keeps)."""

    requires_duplicate_detection: bool = True
    duplicate_detection_history_time_window: str = "PT10M"
    default_message_time_to_live: str = "P1D"


class TopicEntity(_Arm):
    """A topic with its subscriptions."""

    name: str
    properties: TopicProperties
    subscriptions: tuple[SubscriptionEntity, ...]


class ServiceBusEntities(_Arm):
    """Everything the deployment needs in its Service Bus namespace."""

    queues: tuple[QueueEntity, ...]
    topics: tuple[TopicEntity, ...]


class CosmosContainer(_Arm):
    """A Cosmos container and its partition key path."""

    name: str
    partition_key: str


class CosmosEntities(_Arm):
    """The Cosmos database and its containers."""

    database: str
    containers: tuple[CosmosContainer, ...]


class EntityList(_Arm):
    """The whole list; `to_json()` is the format of `infra/entities.json`."""

    service_bus: ServiceBusEntities
    cosmos: CosmosEntities

    def agent_queues(self) -> dict[str, str]:
        """Agent name → its queue name (they are equal), in registry order."""
        return {q.name: q.name for q in self.service_bus.queues if q.kind == "agent"}

    @property
    def tasks_queue(self) -> str:
        """The ingress queue's name."""
        return next(q.name for q in self.service_bus.queues if q.kind == "ingress")

    def to_json(self) -> str:
        """The JSON text of `infra/entities.json` (two-space indent, trailing newline)."""
        return self.model_dump_json(by_alias=True, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> EntityList:
        """Parse the JSON `to_json` writes."""
        return cls.model_validate_json(text)


def function_name_for(agent: str) -> str:
    """The function that serves `agent`'s queue: `agent_<name with - as _>`."""
    return "agent_" + agent.replace("-", "_")


def check_agent_names(names: Iterable[str]) -> list[str]:
    """Return `names` if each can name a queue and a function, once.

    Raises:
        EntityNameError: Every offending name, with what is wrong with it.
    """
    problems: list[str] = []
    seen: dict[str, str] = {}  # function name -> the agent name that took it
    ordered: list[str] = []
    for name in names:
        problem = name_problem(name)  # the rule `Agent` checks when it is built (`switchboard.agent.naming`)
        function = function_name_for(name)
        if problem is not None:
            problems.append(problem)
        elif seen.get(function) == name:
            problems.append(
                f"{name!r} names two agents; agent names are unique across a deployment (each is one queue)"
            )
        elif function in seen:
            problems.append(
                f"{name!r} and {seen[function]!r} would both be served by the function {function!r}; "
                "rename one (agent names are unique across a deployment, '_' and '-' alike)"
            )
        seen.setdefault(function, name)
        ordered.append(name)
    if problems:
        raise EntityNameError("agent names unfit for hosting: " + "; ".join(problems))
    return ordered


def build_entities(agent_names: Iterable[str]) -> EntityList:
    """The entity list for these agents (team managers included), in the given order.

    Raises:
        EntityNameError: A name is invalid, reserved or repeated.
    """
    agents = check_agent_names(agent_names)
    queues = [
        QueueEntity(
            name=name, function=function_name_for(name), kind="agent", properties=QueueProperties(requires_session=True)
        )
        for name in agents
    ]
    queues.append(
        QueueEntity(
            name=TASKS_QUEUE,
            function=INGRESS_FUNCTION,
            kind="ingress",
            properties=QueueProperties(requires_session=False),
        )
    )
    events = TopicEntity(
        name=RUN_EVENTS_TOPIC,
        properties=TopicProperties(),
        subscriptions=(SubscriptionEntity(name=MONITOR_SUBSCRIPTION, properties=SubscriptionProperties()),),
    )
    return EntityList(
        service_bus=ServiceBusEntities(queues=tuple(queues), topics=(events,)),
        cosmos=CosmosEntities(
            database=COSMOS_DATABASE,
            containers=(CosmosContainer(name=RUNS_CONTAINER, partition_key=RUNS_PARTITION_KEY),),
        ),
    )


def agent_names_of(teams: Mapping[str, TeamSpec]) -> list[str]:
    """Every agent name of every team, manager first, teams in registry order (no model is called)."""
    model = _UncalledModel()
    return [agent.name for spec in teams.values() for agent in spec.build(model).agents()]


def entities_for(teams: Mapping[str, TeamSpec]) -> EntityList:
    """The entity list of a registry's teams.

    Raises:
        EntityNameError: An agent name is invalid, reserved or used twice.
    """
    return build_entities(agent_names_of(teams))


class _UncalledModel:
    """A model client for building teams only to read their agents' names; calling it is a bug."""

    model_name = "entities-only"

    async def create(self, request: ModelRequest) -> ModelResponse:
        raise AgentDefinitionError("the entity list builds teams only to read agent names; no model is called")

    async def close(self) -> None:
        """Nothing to release."""
