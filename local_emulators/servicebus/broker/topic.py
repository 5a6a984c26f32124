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


class RuleAction(Protocol):
    """A subscription rule's action: rewrites the properties of the subscription's copy."""

    def apply(self, view: MessageView) -> MessageView:
        """Return the properties after the action."""
        ...


Rule = tuple[RuleFilter, RuleAction | None]


class Subscription(Queue):
    """A queue fed by a topic through its rules; the first matching rule admits the message and acts on it."""

    def __init__(
        self,
        topic: str,
        name: str,
        props: EntityProperties,
        journal: Journal,
        rules: Sequence[Rule] | None,
    ) -> None:
        super().__init__(f"{topic}/Subscriptions/{name}", props, journal, kind="subscription")
        self.name = name
        # None stands for the default rule, which admits everything unchanged.
        self.rules: list[Rule] = list(rules) if rules is not None else [(TrueFilter(), None)]

    @property
    def admits_everything(self) -> bool:
        """Whether routing can skip looking at the message (a bare true filter)."""
        return any(isinstance(f, TrueFilter) and a is None for f, a in self.rules)

    def admits(self, view: MessageView) -> tuple[bool, RuleAction | None]:
        """Tell whether a rule matches, and which action (if any) that rule runs."""
        for rule_filter, action in self.rules:
            if rule_filter.matches(view):
                return True, action
        return False, None


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
