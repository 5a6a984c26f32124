"""SQL rule actions: change a message's properties after its rule's filter matched."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from local_emulators.servicebus.filters import syntax_tree as st
from local_emulators.servicebus.filters.evaluator import evaluate_value
from local_emulators.servicebus.filters.message_view import MessageView
from local_emulators.servicebus.filters.parser import parse_action

# Setting either name of this property sets both, so no stale spelling survives.
_LABEL_NAMES = ("label", "subject")


class SqlAction:
    """A compiled rule action. Build one with `compile_sql_action`; equal when the texts are."""

    __slots__ = ("_statements", "_text")

    def __init__(self, text: str, statements: tuple[st.Statement, ...]) -> None:
        self._text = text
        self._statements = statements

    @property
    def expression(self) -> str:
        """The action text as written."""
        return self._text

    @property
    def statements(self) -> tuple[st.Statement, ...]:
        """The parsed statements, in order."""
        return self._statements

    def apply(self, view: MessageView) -> MessageView:
        """Run the statements in order, each seeing the effect of the ones before.

        Args:
            view: The message as the filter saw it.

        Returns:
            The message's properties afterwards. A SET whose value is NULL or UNKNOWN stores None;
            REMOVE deletes the application property under any spelling of its name.
        """
        system = dict(view.system)
        application = dict(view.application)
        for statement in self._statements:
            current = MessageView(system=system, application=application)
            target = statement.target
            if isinstance(statement, st.SetProperty):
                value = evaluate_value(statement.value, current)
                if target.scope == "sys":
                    _set_system(system, target.name, value)
                else:
                    _set_application(application, target.name, value)
            else:
                for key in [key for key in application if key.lower() == target.name.lower()]:
                    del application[key]
        return MessageView(system=system, application=application)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SqlAction) and other._text == self._text

    def __hash__(self) -> int:
        return hash(("SqlAction", self._text))

    def __repr__(self) -> str:
        return f"SqlAction({self._text!r})"


def compile_sql_action(text: str, parameters: Mapping[str, Any] | None = None) -> SqlAction:
    """Parse and check a rule action such as `SET sys.Label = 'x'; REMOVE temp`.

    Args:
        text: The action.
        parameters: Values for `@name` placeholders.

    Raises:
        FilterSyntaxError: With the position of the problem.
    """
    return SqlAction(text, parse_action(text, parameters))


def _set_system(system: dict[str, Any], name: str, value: Any) -> None:
    names = _LABEL_NAMES if name.lower() in _LABEL_NAMES else (name.lower(),)
    for key in [key for key in system if key.lower() in names]:
        del system[key]
    system[name] = value
    if name.lower() in _LABEL_NAMES:
        system["Label"] = system["Subject"] = value


def _set_application(application: dict[str, Any], name: str, value: Any) -> None:
    # Property names are case-insensitive: overwrite the existing spelling rather than add a twin.
    existing = next((key for key in application if key.lower() == name.lower()), name)
    application[existing] = value
