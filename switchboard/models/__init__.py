"""Model clients: the `ModelClient` protocol, the OpenAI SDK adapter, scripted replay, the embedded model."""
