"""The Function App of the two-instances lock-loss test: the payer team of `tests/support/race_team.py`."""

from __future__ import annotations

from switchboard.functions.app_builder import build_function_app
from switchboard.functions.entities import entities_for
from tests.support.race_team import TEAMS

app = build_function_app(TEAMS, entities_for(TEAMS))
