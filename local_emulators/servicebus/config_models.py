"""The namespace configuration the broker runs with: queues, topics, subscriptions and rules.

Defaults are those of Microsoft's Service Bus emulator (its `Config-schema.json`), which differ from
Azure's in places: MaxDeliveryCount 3 (Azure 10) and DefaultMessageTimeToLive 1 hour (Azure: never).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, InstanceOf

from local_emulators.servicebus.filters import CorrelationFilter, FalseFilter, SqlAction, SqlFilter, TrueFilter

DEFAULT_NAMESPACE = "sbemulatorns"
DEFAULT_KEY_NAME = "RootManageSharedAccessKey"
DEFAULT_KEY = "SAS_KEY_VALUE"
DEFAULT_RULE_NAME = "$Default"
DEFAULT_LOCK_DURATION = timedelta(minutes=1)
DEFAULT_MAX_DELIVERY_COUNT = 3
DEFAULT_MESSAGE_TTL = timedelta(hours=1)
DEFAULT_DUPLICATE_DETECTION_WINDOW = timedelta(seconds=20)
# Azure caps peek-lock durations at five minutes; shorter than the emulator's 5 s minimum is allowed
# here so that tests can exercise lock expiry quickly.
MAX_LOCK_DURATION = timedelta(minutes=5)

PositiveDuration = Annotated[timedelta, Field(gt=timedelta(0))]
LockDuration = Annotated[timedelta, Field(gt=timedelta(0), le=MAX_LOCK_DURATION)]
RuleFilter = InstanceOf[SqlFilter] | InstanceOf[CorrelationFilter] | InstanceOf[TrueFilter] | InstanceOf[FalseFilter]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RuleConfig(_Frozen):
    """A subscription rule: a filter and an optional SQL action (kept as text).

    Attributes:
        name: Rule name, unique within its subscription.
        filter: The filter a message must match to be copied into the subscription.
        action_sql: The rule action's text, e.g. `SET sys.To = 'x'`, or None.
        action: The compiled action (the loader always sets it with `action_sql`), or None.
    """

    name: str
    filter: RuleFilter
    action_sql: str | None = None
    action: InstanceOf[SqlAction] | None = None


DEFAULT_RULE = RuleConfig(name=DEFAULT_RULE_NAME, filter=TrueFilter())


class QueueConfig(_Frozen):
    """A queue and its properties.

    Attributes:
        name: Entity name.
        lock_duration: How long a peek-lock lasts.
        max_delivery_count: Deliveries after which a message is dead-lettered.
        default_message_ttl: Time-to-live of messages that set none; None means never expire.
        dead_lettering_on_message_expiration: Move expired messages to the dead-letter queue.
        requires_session: Receivers must accept a session.
        requires_duplicate_detection: Drop messages whose MessageId was seen within the window.
        duplicate_detection_window: How long MessageIds are remembered.
        forward_to: Entity that receives every message instead, or None.
        forward_dead_lettered_messages_to: Entity that receives dead-lettered messages, or None.
    """

    name: str
    lock_duration: LockDuration = DEFAULT_LOCK_DURATION
    max_delivery_count: Annotated[int, Field(ge=1)] = DEFAULT_MAX_DELIVERY_COUNT
    default_message_ttl: PositiveDuration | None = DEFAULT_MESSAGE_TTL
    dead_lettering_on_message_expiration: bool = False
    requires_session: bool = False
    requires_duplicate_detection: bool = False
    duplicate_detection_window: PositiveDuration = DEFAULT_DUPLICATE_DETECTION_WINDOW
    forward_to: str | None = None
    forward_dead_lettered_messages_to: str | None = None


class SubscriptionConfig(_Frozen):
    """A topic subscription, its properties and rules.

    Attributes:
        name: Subscription name, unique within its topic.
        lock_duration: How long a peek-lock lasts.
        max_delivery_count: Deliveries after which a message is dead-lettered.
        default_message_ttl: Time-to-live of messages that set none; None means never expire.
        dead_lettering_on_message_expiration: Move expired messages to the dead-letter queue.
        requires_session: Receivers must accept a session.
        forward_to: Entity that receives every message instead, or None.
        forward_dead_lettered_messages_to: Entity that receives dead-lettered messages, or None.
        rules: A message enters the subscription when any rule's filter matches. A subscription
            declared without rules gets the `$Default` rule with a TrueFilter.
    """

    name: str
    lock_duration: LockDuration = DEFAULT_LOCK_DURATION
    max_delivery_count: Annotated[int, Field(ge=1)] = DEFAULT_MAX_DELIVERY_COUNT
    default_message_ttl: PositiveDuration | None = DEFAULT_MESSAGE_TTL
    dead_lettering_on_message_expiration: bool = False
    requires_session: bool = False
    forward_to: str | None = None
    forward_dead_lettered_messages_to: str | None = None
    rules: tuple[RuleConfig, ...] = (DEFAULT_RULE,)


class TopicConfig(_Frozen):
    """A topic, its properties and subscriptions.

    Attributes:
        name: Entity name.
        default_message_ttl: Time-to-live of messages that set none; None means never expire.
        requires_duplicate_detection: Drop messages whose MessageId was seen within the window.
        duplicate_detection_window: How long MessageIds are remembered.
        subscriptions: The topic's subscriptions.
    """

    name: str
    default_message_ttl: PositiveDuration | None = DEFAULT_MESSAGE_TTL
    requires_duplicate_detection: bool = False
    duplicate_detection_window: PositiveDuration = DEFAULT_DUPLICATE_DETECTION_WINDOW
    subscriptions: tuple[SubscriptionConfig, ...] = ()

    def subscription(self, name: str) -> SubscriptionConfig | None:
        """Find a subscription by name, ignoring case as Service Bus does."""
        return next((sub for sub in self.subscriptions if sub.name.lower() == name.lower()), None)


class NamespaceConfig(_Frozen):
    """Everything the broker is configured with.

    Attributes:
        name: Namespace name.
        queues: The queues.
        topics: The topics.
        keys: Shared access key name → key, for SAS token verification.
    """

    name: str = DEFAULT_NAMESPACE
    queues: tuple[QueueConfig, ...] = ()
    topics: tuple[TopicConfig, ...] = ()
    keys: Mapping[str, str] = Field(default_factory=lambda: {DEFAULT_KEY_NAME: DEFAULT_KEY})

    def queue(self, name: str) -> QueueConfig | None:
        """Find a queue by name, ignoring case as Service Bus does."""
        return next((queue for queue in self.queues if queue.name.lower() == name.lower()), None)

    def topic(self, name: str) -> TopicConfig | None:
        """Find a topic by name, ignoring case as Service Bus does."""
        return next((topic for topic in self.topics if topic.name.lower() == name.lower()), None)
