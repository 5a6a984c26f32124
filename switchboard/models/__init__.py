"""Model clients: the `ModelClient` protocol, the OpenAI SDK adapter, scripted replay, the embedded model.

`ModelClient` is what a team's `build` function receives (see docs/your-own-team.md); the adapters live in their
own modules (`openai_client`, `scripted`, `local_llm`) so importing this package loads no model SDK.
"""

from switchboard.models.protocol import ModelClient

__all__ = ["ModelClient"]
