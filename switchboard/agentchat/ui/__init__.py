"""Console rendering of a streamed run, under AutoGen's name (`autogen_agentchat.ui.Console`)."""

from switchboard.agentchat.ui.console import Console

__all__ = ["Console"]
