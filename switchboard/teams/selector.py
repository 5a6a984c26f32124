"""`SelectorGroupChat`: a model chooses the next speaker, as in AutoGen, with every selector call checkpointed.

Each selection call is a step of the manager (`SpeakerSelection.chat`): a redelivered message replays it from the
journal instead of asking the model again, and its tokens are counted in the run's usage and seen by the token
and cost budgets (AutoGen's never see them). The selector reads the last `history_window` transcript entries (one
bounded read per hop; the manager's state holds no transcript).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from switchboard.agent import Agent
from switchboard.errors import AgentDefinitionError
from switchboard.models.chat import AssistantMessage, ChatMessage, ModelRequest, UserMessage
from switchboard.models.protocol import ModelClient
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.teams.aliases import pick_termination
from switchboard.teams.errors import SpeakerSelectionError
from switchboard.teams.group_chat import GroupChat
from switchboard.teams.manager import GroupChatManager, SpeakerSelection
from switchboard.termination import TerminationCondition

SelectorFunc = Callable[[Sequence[TranscriptEntry]], "str | Awaitable[str | None] | None"]
"""Picks the next speaker from the recent entries, or None to let the model choose."""

CandidateFunc = Callable[[Sequence[TranscriptEntry]], "list[str] | Awaitable[list[str]]"]
"""Narrows the speakers the model may choose from."""

DEFAULT_SELECTOR_PROMPT = """You are in a role play game. The following roles are available:
{roles}.
Read the following conversation. Then select the next role from {participants} to play. Only return the role.

{history}

Read the above conversation. Then select the next role from {participants} to play. Only return the role.
"""
"""AutoGen's selector prompt; fields `{roles}`, `{participants}` (the candidates) and `{history}`."""

DEFAULT_HISTORY_WINDOW = 32
"""Transcript entries the selector reads per hop (AutoGen's default context is unbounded)."""


class SelectorManager(GroupChatManager):
    """Chooses each next speaker with `selector_func`, else with the model among the candidates."""

    kind = "selector"

    def __init__(
        self,
        name: str,
        participants: Sequence[str],
        *,
        model_client: ModelClient,
        descriptions: Sequence[str],
        termination: TerminationCondition | None = None,
        max_turns: int | None = None,
        selector_prompt: str = DEFAULT_SELECTOR_PROMPT,
        allow_repeated_speaker: bool = False,
        max_selector_attempts: int = 3,
        selector_func: SelectorFunc | None = None,
        candidate_func: CandidateFunc | None = None,
        history_window: int | None = DEFAULT_HISTORY_WINDOW,
    ) -> None:
        """See `SelectorGroupChat`."""
        super().__init__(name, participants, termination=termination, max_turns=max_turns)
        if len(self.participants) < 2:
            raise AgentDefinitionError(f"team {name!r}: a SelectorGroupChat needs at least two participants")
        if max_selector_attempts < 1:
            raise AgentDefinitionError(f"team {name!r}: max_selector_attempts must be >= 1")
        if history_window is not None and history_window < 1:
            raise AgentDefinitionError(f"team {name!r}: history_window must be >= 1 or None")
        self.model_client = model_client
        self.descriptions = tuple(descriptions)
        self.selector_prompt = selector_prompt
        self.allow_repeated_speaker = allow_repeated_speaker
        self.max_selector_attempts = max_selector_attempts
        self.selector_func = selector_func
        self.candidate_func = candidate_func
        self.history_window = history_window

    async def select_speaker(self, selection: SpeakerSelection) -> str:
        """Choose as AutoGen does: the selector function, then the model among the candidates.

        The candidates are the candidate function's, else everyone but the previous speaker (unless repeats are
        allowed); with one candidate left the model is not asked.
        """
        thread = await selection.entries(self.history_window)
        previous = selection.state.current_speaker
        if self.selector_func is not None:
            chosen: str | None = await _maybe_await(self.selector_func(thread))
            if chosen is not None:
                if chosen not in self.participants:
                    raise SpeakerSelectionError(f"selector_func chose {chosen!r}, not one of {self.participants}")
                return chosen
        if self.candidate_func is not None:
            candidates: list[str] = list(await _maybe_await(self.candidate_func(thread)))
            if not candidates or any(c not in self.participants for c in candidates):
                raise SpeakerSelectionError(
                    f"candidate_func returned {candidates!r}; expected some of {self.participants}"
                )
        elif previous is not None and not self.allow_repeated_speaker:
            candidates = [p for p in self.participants if p != previous]
        else:
            candidates = list(self.participants)
        if len(candidates) == 1:
            return candidates[0]
        return await self._ask_model(selection, thread, candidates, previous)

    async def _ask_model(
        self,
        selection: SpeakerSelection,
        thread: Sequence[TranscriptEntry],
        candidates: list[str],
        previous: str | None,
    ) -> str:
        roles = "\n".join(
            re.sub(r"\s+", " ", f"{name}: {description}").strip()
            for name, description in zip(self.participants, self.descriptions, strict=True)
        )
        history = "\n".join(f"{entry.source}: {entry.content}".rstrip() + "\n\n" for entry in thread)
        prompt = self.selector_prompt.format(roles=roles, participants=str(candidates), history=history)
        # A user message rather than a system one: every model answers it (AutoGen picks by model family).
        messages: list[ChatMessage] = [UserMessage(content=prompt, source="user")]
        for _ in range(self.max_selector_attempts):
            reply = await selection.chat(self.model_client, ModelRequest(messages=tuple(messages)))
            content = reply.content or ""
            messages.append(AssistantMessage(content=content, source="selector"))
            # Every participant is looked for, so choosing the previous speaker is caught and answered.
            mentions = mentioned(content, self.participants)
            if len(mentions) == 1:
                (name,) = mentions
                if self.allow_repeated_speaker or previous is None or name != previous:
                    return name
                feedback = f"Repeated speaker is not allowed, please select a different name from: {candidates}."
            elif not mentions:
                feedback = f"No valid name was mentioned. Please select from: {candidates}."
            else:
                feedback = f"Expected exactly one name to be mentioned. Please select only one from: {candidates}."
            messages.append(UserMessage(content=feedback, source="user"))
        return previous if previous is not None else candidates[0]


def mentioned(text: str, names: Sequence[str]) -> dict[str, int]:
    r"""How often each of `names` is mentioned in `text` as a word.

    As in AutoGen, `a_b` also matches `a b` and `a\_b`.
    """
    found: dict[str, int] = {}
    for name in names:
        forms = "|".join(re.escape(form) for form in (name, name.replace("_", " "), name.replace("_", r"\_")))
        count = len(re.findall(rf"(?<=\W)({forms})(?=\W)", f" {text} "))
        if count:
            found[name] = count
    return found


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class SelectorGroupChat(GroupChat):
    """A team whose next speaker a model chooses after each turn, like AutoGen's `SelectorGroupChat`.

    Example:
        >>> team = SelectorGroupChat([planner, coder, tester], model_client=client,
        ...                          termination=TextMentionTermination("TERMINATE"))
    """

    def __init__(
        self,
        participants: Sequence[Agent[Any]],
        model_client: ModelClient,
        *,
        termination: TerminationCondition | None = None,
        termination_condition: TerminationCondition | None = None,
        max_turns: int | None = None,
        name: str = "team",
        selector_prompt: str = DEFAULT_SELECTOR_PROMPT,
        allow_repeated_speaker: bool = False,
        max_selector_attempts: int = 3,
        selector_func: SelectorFunc | None = None,
        candidate_func: CandidateFunc | None = None,
        history_window: int | None = DEFAULT_HISTORY_WINDOW,
    ) -> None:
        """Build the selector manager.

        Args:
            participants: At least two agents; their descriptions are the roles in the prompt.
            model_client: The model that chooses speakers (its calls are the manager's steps).
            termination: When to stop.
            termination_condition: `termination` under AutoGen's name (give one of the two).
            max_turns: Stop after this many participant turns.
            name: The team's (manager's) name.
            selector_prompt: The prompt, with `{roles}`, `{participants}` and `{history}`.
            allow_repeated_speaker: Whether the previous speaker may be chosen again.
            max_selector_attempts: Model attempts before falling back to the previous (or first) candidate.
            selector_func: Chooses the speaker from the recent entries; None lets the model choose.
            candidate_func: Narrows the candidates (then `allow_repeated_speaker` is not applied).
            history_window: How many recent entries the selector (and the functions) see; None for all.
        """
        termination = pick_termination(name, termination, termination_condition)
        manager = SelectorManager(
            name,
            [p.name for p in participants],
            model_client=model_client,
            descriptions=[p.description for p in participants],
            termination=termination,
            max_turns=max_turns,
            selector_prompt=selector_prompt,
            allow_repeated_speaker=allow_repeated_speaker,
            max_selector_attempts=max_selector_attempts,
            selector_func=selector_func,
            candidate_func=candidate_func,
            history_window=history_window,
        )
        super().__init__(participants, manager)
