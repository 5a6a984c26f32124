"""The SDK-free hop: the message processor, its ports, the run document, human input and cancellation."""
