"""Code blocks in chat text, and code results as a chat agent shows them and a checkpoint stores them.

Blocks are Markdown fences whose info string names a supported language (```` ```python ````), as AutoGen's
`CodeExecutorAgent` finds them; a fence in any other language is not code to run. Results are rendered with
AutoGen's wording, so a model prompted for AutoGen reads the same feedback.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from switchboard.code_execution import CodeBlock, CodeFile, CodeResult

DEFAULT_LANGUAGES = ("python", "sh")
"""The languages a `CodeExecutorAgent` runs unless told otherwise (AutoGen's default)."""

NO_CODE_BLOCKS = (
    "No code blocks found in the thread. Please provide at least one markdown-encoded code block to execute "
    "(i.e., quoting code in ```python or ```sh code blocks)."
)
"""The turn's answer when the messages it may run hold no code block (AutoGen's text)."""


def code_block_pattern(languages: Sequence[str]) -> re.Pattern[str]:
    """The fence pattern for `languages` (case-insensitive; the fence's first line names the language)."""
    names = "|".join(re.escape(language) for language in languages)
    return re.compile(rf"```[ \t]*({names})[ \t]*\n([\s\S]*?)```", re.IGNORECASE)


def extract_code_blocks(text: str, pattern: re.Pattern[str]) -> list[CodeBlock]:
    """The code blocks of `text` whose language `pattern` accepts, in order (language in lower case)."""
    return [CodeBlock(code=code, language=language.lower()) for language, code in pattern.findall(text)]


def fenced(blocks: Sequence[CodeBlock]) -> str:
    """The blocks as Markdown fences (what a person is asked to approve)."""
    return "\n\n".join(f"```{block.language}\n{block.code}\n```" for block in blocks)


def describe(result: CodeResult) -> str:
    """The result as the model reads it: AutoGen's notes for no output and for a failure, then the output."""
    if not result.output.strip():
        return (
            "The script ran but produced no output to console. The POSIX exit code was: "
            f"{result.exit_code}. If you were expecting output, consider revising the script to ensure content is "
            "printed to stdout."
        )
    if result.exit_code != 0:
        return (
            f"The script ran, then exited with an error (POSIX exit code: {result.exit_code})\n"
            f"Its output was:\n{result.output}"
        )
    return result.output


def encode_result(result: CodeResult) -> dict[str, Any]:
    """The result as JSON values, for the step journal."""
    return {
        "exit_code": result.exit_code,
        "output": result.output,
        "files": [{"name": f.name, "size": f.size} for f in result.files],
    }


def decode_result(data: Any) -> CodeResult:
    """A result stored by `encode_result`."""
    files = [CodeFile(name=str(f["name"]), size=int(f["size"])) for f in data.get("files", [])]
    return CodeResult(exit_code=int(data["exit_code"]), output=str(data["output"]), files=files)
