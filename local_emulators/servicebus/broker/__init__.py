"""The pure Service Bus backend: entities, messages, locks, sessions; no sockets, clock passed in."""
