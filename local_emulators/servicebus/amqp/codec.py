"""Encode and decode AMQP 1.0 values, preserving each value's AMQP type (one import for both directions)."""

from local_emulators.servicebus.amqp.decoding import decode, skip
from local_emulators.servicebus.amqp.encoding import encode, encode_into

__all__ = ["decode", "encode", "encode_into", "skip"]
