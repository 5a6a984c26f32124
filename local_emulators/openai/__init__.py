"""A scripted OpenAI-compatible `/v1` server for tests: `python -m local_emulators.openai --script FILE --port N`.

The script format is the one `switchboard.models.scripted` documents (replies keyed by agent and turn); the
calling agent is named by the `x-switchboard-agent` request header.
"""
