"""The prompts of the Magentic-One orchestrator: task ledger (facts, plan), progress ledger, final answer.

They follow the structure of AutoGen's orchestrator (same ledger questions and JSON keys, so a model tuned on one
answers the other), worded for this project.
"""

from __future__ import annotations

from collections.abc import Sequence

LEDGER_KEYS = (
    "is_request_satisfied",
    "is_progress_being_made",
    "is_in_loop",
    "instruction_or_question",
    "next_speaker",
)
"""The progress ledger's questions; each answer is `{"reason": str, "answer": ...}`."""


def facts_prompt(task: str) -> str:
    """Ask for the facts the task gives, the ones to look up, to derive, and to guess."""
    return (
        f"Here is a request to work on:\n\n{task}\n\n"
        "Before starting, survey the facts. List, under these four headings:\n"
        "1. GIVEN OR VERIFIED FACTS (stated in the request)\n"
        "2. FACTS TO LOOK UP (and where they might be found)\n"
        "3. FACTS TO DERIVE (by reasoning or computation)\n"
        "4. EDUCATED GUESSES (hunches worth checking)\n"
        "Answer with the four headings and their items only."
    )


def plan_prompt(team: str) -> str:
    """Ask for a short bullet plan that uses the team."""
    return (
        f"To address the request we have this team:\n\n{team}\n\n"
        "Write a short bullet-point plan for it. Not every member has to take part; name who does what."
    )


def ledger_text(task: str, team: str, facts: str, plan: str) -> str:
    """The task ledger as the team sees it at the start of every (re)plan."""
    return (
        f"We are working on this request:\n\n{task}\n\n"
        f"The team:\n\n{team}\n\n"
        f"What we know so far:\n\n{facts}\n\n"
        f"Our plan:\n\n{plan}"
    )


def progress_prompt(task: str, team: str, names: Sequence[str]) -> str:
    """Ask for the progress ledger as one JSON object."""
    return (
        f"Recall the request:\n\n{task}\n\nAnd the team:\n\n{team}\n\n"
        "To make progress, answer each question below:\n"
        "- is_request_satisfied: is the request fully addressed? (true if done, or if it cannot be done)\n"
        "- is_in_loop: are we repeating the same requests or answers?\n"
        "- is_progress_being_made: are recent messages adding value? (false when looping or blocked)\n"
        f"- next_speaker: who speaks next? (one of: {', '.join(names)})\n"
        "- instruction_or_question: what to ask or tell that member (addressed to them, with what they need)\n\n"
        "Answer with one JSON object only, no Markdown, of this shape:\n"
        '{"is_request_satisfied": {"reason": "...", "answer": false}, '
        '"is_in_loop": {"reason": "...", "answer": false}, '
        '"is_progress_being_made": {"reason": "...", "answer": true}, '
        '"next_speaker": {"reason": "...", "answer": "<name>"}, '
        '"instruction_or_question": {"reason": "...", "answer": "..."}}'
    )


def update_facts_prompt(task: str, facts: str) -> str:
    """Ask to revise the facts after a stall."""
    return (
        f"We have been working on this request:\n\n{task}\n\n"
        "We made too little progress. Rewrite the fact sheet below with what we learned: move verified items up, "
        f"add new guesses, drop wrong ones. Keep the four headings.\n\n{facts}"
    )


def update_plan_prompt(team: str) -> str:
    """Ask for a new plan that avoids what went wrong."""
    return (
        f"Say briefly why we stalled, then write a new short bullet-point plan that avoids it, for this team:\n\n{team}"
    )


def final_answer_prompt(task: str) -> str:
    """Ask for the final answer to the request, from the conversation."""
    return (
        f"We have finished working on this request:\n\n{task}\n\n"
        "From the conversation, write the final answer for the person who asked, complete and self-contained."
    )
