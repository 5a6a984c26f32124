"""Browser test: Debian's chromium, driven headless by playwright, reads the run list and a run's waterfall page.

`scripts/install_browser.sh` (called by scripts/setup.sh) installs chromium with apt and playwright with pip;
playwright's own browser download is not used.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.emulators.appinsights.conftest import AppInsights
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.processes import REPO_ROOT

pytestmark = pytest.mark.emulator
SCREENSHOT = REPO_ROOT / "tests" / "artifacts" / "waterfall.png"
AGENTS = {"manager": 445, "planner": 800, "researcher": 2630, "writer": 2370, "reviewer": 2005}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = browser.new_page(viewport={"width": 1400, "height": 900})
    yield opened
    opened.close()


def test_run_list_links_to_the_waterfall_which_draws_every_agent_tokens_and_the_error(
    appinsights: AppInsights, demo_run: tuple[str, str], page: Page
) -> None:
    run_id, trace_id = demo_run
    page.goto(appinsights.url + "/")
    listed = page.locator(f'tr[data-run="{run_id}"]')
    expect(listed).to_contain_text(trace_id)
    expect(listed).to_contain_text("failed")
    expect(listed).to_contain_text("8,250")
    listed.get_by_role("link", name=run_id).click()
    page.wait_for_url(f"**/runs/{run_id}")

    expect(page.locator("#run-id")).to_have_text(run_id)
    expect(page.locator("#total-tokens")).to_have_text("8,250")
    expect(page.locator("#totals")).to_contain_text("6,750")
    expect(page.locator("#totals")).to_contain_text("1,500")
    lanes = page.locator("section.lane")
    assert lanes.evaluate_all("ls => ls.map(l => l.dataset.agent)") == list(AGENTS)
    for agent, used in AGENTS.items():
        lane = page.locator(f'section.lane[data-agent="{agent}"]')
        expect(lane).to_be_visible()
        expect(lane.locator(".lane-head")).to_contain_text(f"{used:,} tokens")
        expect(lane.locator(".row", has_text=f"invoke_agent {agent}")).to_have_count(1)
        bar = lane.locator(".row", has_text=f"invoke_agent {agent}").locator(".bar")
        box = bar.bounding_box()
        assert box is not None
        assert box["width"] > 20
    # LLM and tool calls sit inside their agent's lane, indented under invoke_agent.
    researcher = page.locator('section.lane[data-agent="researcher"]')
    expect(researcher.locator(".row.cat-llm")).to_have_count(2)
    expect(researcher.locator(".row.cat-tool")).to_contain_text("execute_tool search_notes")
    invoke_x = researcher.locator(".row.cat-agent .label .kind").bounding_box()
    chat_x = researcher.locator(".row.cat-llm .label .kind").first.bounding_box()
    assert invoke_x is not None
    assert chat_x is not None
    assert chat_x["x"] > invoke_x["x"]

    failed = page.locator(".row.failed")
    expect(failed).to_have_count(1)
    expect(failed).to_have_attribute("data-error", "TimeoutError")
    expect(failed.locator(".err")).to_have_text("TimeoutError")
    assert failed.evaluate("r => getComputedStyle(r.querySelector('.bar')).backgroundColor") == "rgb(217, 45, 32)"
    failed.click()
    expect(failed.locator(".props")).to_be_visible()
    expect(failed.locator(".props")).to_contain_text("fetch_url timed out after 600 ms")
    failed.click()  # closed again for the screenshot

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 20_000
