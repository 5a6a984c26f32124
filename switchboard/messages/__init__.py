"""Typed, versioned messages, their envelopes, and the registry that decodes them."""

from switchboard.messages.base import Message
from switchboard.messages.envelope import Envelope
from switchboard.messages.registry import MessageRegistry, Upcaster

__all__ = ["Envelope", "Message", "MessageRegistry", "Upcaster"]
