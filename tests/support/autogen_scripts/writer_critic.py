"""AutoGen 0.7's "Teams" tutorial (writer and critic in a RoundRobinGroupChat), as AutoGen's docs write it.

tests/integration/autogen/test_tutorial_script.py runs this file twice against the scripted model server: as it
is, on autogen-agentchat, and with only its imports swapped for Switchboard's (the lines below `# imports`).
The model comes from OPENAI_BASE_URL / OPENAI_API_KEY, as the openai SDK reads them.
"""

import asyncio

# imports
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.base import TaskResult
from autogen_agentchat.conditions import TextMentionTermination
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_agentchat.ui import Console
from autogen_ext.models.openai import OpenAIChatCompletionClient

# end imports


async def main() -> None:
    model_client = OpenAIChatCompletionClient(model="gpt-4o")
    primary_agent = AssistantAgent(
        "primary",
        model_client=model_client,
        system_message="You are a helpful AI assistant.",
    )
    critic_agent = AssistantAgent(
        "critic",
        model_client=model_client,
        system_message="Provide constructive feedback. Respond with 'APPROVE' to when your feedbacks are addressed.",
    )
    text_termination = TextMentionTermination("APPROVE")
    team = RoundRobinGroupChat([primary_agent, critic_agent], termination_condition=text_termination)

    result = await team.run(task="Write a short poem about the fall season.")
    print("RUN", [message.source for message in result.messages], result.stop_reason)

    await team.reset()
    async for message in team.run_stream(task="Write a short poem about the fall season."):
        if isinstance(message, TaskResult):
            print("STREAM stop reason:", message.stop_reason)
        else:
            print("STREAM", message.source, message.to_text())

    await team.reset()
    streamed = await Console(team.run_stream(task="Write a short poem about the fall season."))
    print("CONSOLE", [message.source for message in streamed.messages], streamed.stop_reason)
    await model_client.close()


asyncio.run(main())
