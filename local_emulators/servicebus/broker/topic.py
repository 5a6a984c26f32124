"""Topics and their subscriptions: a topic copies each message to every subscription whose rules match."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from local_emulators.servicebus.broker.entity import Entity
from local_emulators.servicebus.broker.journal import Journal
from local_emulators.servicebus.broker.messages import EntityProperties
from local_emulators.servicebus.broker.queue import Queue
from local_emulators.servicebus.filters import MessageView, TrueFilter


class RuleFilter(Protocol):
    """A subscription rule's filter."""

    def matches(self, view: MessageView) -> bool:
        """Tell whether the message belongs in the subscription."""
        ...


class Subscription(Queue):
    """A queue fed by a topic through its rules (any matching rule admits the message)."""

    def __init__(
        self,
        topic: str,
        name: str,
        props: EntityProperties,
        journal: Journal,
        filters: Sequence[RuleFilter] | None,
    ) -> None:
        super().__init__(f"{topic}/Subscriptions/{name}", props, journal, kind="subscription")
        self.name = name
        # None stands for the default rule, which admits everything.
        self.filters: list[RuleFilter] = list(filters) if filters is not None else [TrueFilter()]

    @property
    def admits_everything(self) -> bool:
        """Whether no filter needs to look at the message."""
        return any(isinstance(f, TrueFilter) for f in self.filters)

    def admits(self, view: MessageView) -> bool:
        """Tell whether any of the subscription's rules matches."""
        return any(f.matches(view) for f in self.filters)


class Topic(Entity):
    """A topic: holds only scheduled messages itself; everything else goes to subscriptions."""

    kind = "topic"

    def __init__(self, path: str, props: EntityProperties, journal: Journal) -> None:
        super().__init__(path, props, journal)
        self.subscriptions: dict[str, Subscription] = {}

    def add_subscription(self, subscription: Subscription) -> None:
        """Attach a subscription to this topic."""
        self.subscriptions[subscription.name.lower()] = subscription

    @property
    def needs_view(self) -> bool:
        """Whether routing must look inside messages."""
        return any(not s.admits_everything for s in self.subscriptions.values())
