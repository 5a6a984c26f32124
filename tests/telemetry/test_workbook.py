"""The workbook and the query pack deploy exactly the saved queries of infra/queries (no drift between them)."""

from __future__ import annotations

import json
import re

from tests.support.processes import REPO_ROOT

INFRA = REPO_ROOT / "infra"
QUERIES = sorted((INFRA / "queries").glob("*.kql"))


def test_every_saved_query_is_in_the_query_pack_of_the_workbook_module() -> None:
    module = (INFRA / "modules" / "workbook.bicep").read_text()
    loaded = set(re.findall(r"loadTextContent\('\.\./queries/([\w-]+\.kql)'\)", module))
    assert loaded == {path.name for path in QUERIES}
    assert "loadTextContent('../workbook.json')" in module


def test_the_workbook_panels_are_the_saved_queries_verbatim() -> None:
    workbook = json.loads((INFRA / "workbook.json").read_text())
    assert workbook["version"] == "Notebook/1.0"
    panels = {item["name"]: item["content"] for item in workbook["items"] if item["type"] == 3}
    aggregates = [path for path in QUERIES if "RUN_ID" not in path.read_text()]
    assert set(panels) == {path.stem for path in aggregates}
    for path in aggregates:
        assert panels[path.stem]["query"] == path.read_text(), path.name
        assert panels[path.stem]["resourceType"] == "microsoft.insights/components"


def test_main_deploys_the_workbook_over_the_app_insights_component() -> None:
    main = (INFRA / "main.bicep").read_text()
    block = main[main.index("module workbook 'modules/workbook.bicep'") :]
    block = block[: block.index("\n}\n")]
    assert "appInsightsId: monitoring.outputs.appInsightsId" in block
