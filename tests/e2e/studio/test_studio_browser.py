"""Switchboard Studio in a real browser (Debian's chromium through playwright) over `switchboard studio --local`.

Every run uses the scripted model (each sample team's demo script), so a run takes seconds. Screenshots are saved
as tests/artifacts/studio-*.png.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage
from playwright.sync_api import Locator, Page, expect

from agents.registry import TEAMS
from tests.e2e.studio.conftest import ARTIFACTS, PRICES, Studio

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]
RUN_SECONDS = 60_000
"""How long (ms) a scripted run may take to show its end on a machine busy with other tests."""


def start_run(page: Page, studio: Studio, task: str, team: str) -> str:
    page.goto(studio.url + "/")
    expect(page.get_by_role("combobox", name="Team").locator("option")).not_to_have_count(0)
    page.get_by_role("textbox", name="Task").fill(task)
    page.get_by_role("combobox", name="Team").select_option(team)
    page.get_by_role("button", name="Start run").click()
    page.wait_for_url(re.compile(r".*/runs/[0-9a-f-]{36}$"))
    return page.url.rsplit("/", 1)[1]


def status(page: Page) -> Locator:
    return page.get_by_role("status").filter(has_text="Status:")


def test_a_run_started_from_the_form_streams_its_turns_until_it_completes(page: Page, studio: Studio) -> None:
    page.goto(studio.url + "/")
    expect(page.get_by_role("combobox", name="Team").locator("option")).not_to_have_count(0)
    options = page.get_by_role("combobox", name="Team").locator("option").all_inner_texts()
    assert any(o.startswith("research") and "planner" in o and "reviewer" in o for o in options), options
    assert any(o.startswith("release") and "drafter" in o for o in options), options
    run_id = start_run(page, studio, "Summarise what Service Bus sessions give a team.", "research")

    expect(status(page)).to_contain_text("completed", timeout=RUN_SECONDS)
    expect(status(page)).to_contain_text("Stop reason:")
    for agent in ("planner", "researcher", "writer", "reviewer"):
        turn = page.get_by_role("article", name=re.compile(f"^{agent}"))
        expect(turn.first).to_be_visible()
    writer = page.get_by_role("article", name=re.compile("^writer")).first
    expect(writer).to_contain_text("tokens")
    researcher = page.get_by_role("article", name=re.compile("^researcher")).first
    expect(researcher.locator("details summary").first).to_contain_text("Tool call")
    usage = page.get_by_role("table", name="Token usage")
    cells = usage.get_by_role("row", name=re.compile("^all")).get_by_role("cell").all_inner_texts()
    prompt, completion = int(cells[1]), int(cells[2])
    assert prompt > 0
    assert cells[4] == f"${(prompt * PRICES[0] + completion * PRICES[1]) / 1e6:.4f}"
    trace = page.get_by_role("link", name="Trace")
    assert re.fullmatch(rf"http://127\.0\.0\.1:\d+/runs/{run_id}", trace.get_attribute("href") or "")
    expect(page.get_by_role("button", name="Cancel run")).to_be_disabled()
    page.screenshot(path=str(ARTIFACTS / "studio-run.png"), full_page=True)


def test_the_runs_list_finds_a_run_and_filters_by_status(page: Page, studio: Studio) -> None:
    run_id = start_run(page, studio, "List the run statuses.", "research")
    expect(status(page)).to_contain_text("completed", timeout=RUN_SECONDS)
    page.get_by_role("link", name="Runs").click()
    page.wait_for_url("**/runs")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=run_id))
    expect(row).to_contain_text("research")
    expect(row).to_contain_text("completed")
    assert re.search(r"\d+(\.\d)? s", row.inner_text()), row.inner_text()
    filter_box = page.get_by_role("combobox", name="Status")
    filter_box.select_option("awaiting_input")
    expect(page.get_by_role("link", name=run_id)).to_have_count(0)
    filter_box.select_option("completed")
    expect(page.get_by_role("link", name=run_id)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "studio-runs.png"), full_page=True)
    page.get_by_role("link", name=run_id).click()
    page.wait_for_url(f"**/runs/{run_id}")


def test_a_paused_release_run_is_approved_and_publishes(page: Page, studio: Studio) -> None:
    start_run(page, studio, "Release note for 1.4", "release")
    approve = page.get_by_role("button", name="Approve")
    expect(approve).to_be_visible(timeout=RUN_SECONDS)
    expect(status(page)).to_contain_text("awaiting_input")
    expect(page.get_by_role("region", name=re.compile("^Open question"))).to_contain_text("publish_release_note")
    page.screenshot(path=str(ARTIFACTS / "studio-question.png"), full_page=True)
    approve.focus()
    page.keyboard.press("Enter")  # from the keyboard
    expect(status(page)).to_contain_text("completed", timeout=RUN_SECONDS)
    expect(page.get_by_role("article", name=re.compile("^publisher")).last).to_be_visible()


def test_the_analysis_team_runs_on_its_script_with_each_code_run_approved(page: Page, studio: Studio) -> None:
    run_id = start_run(page, studio, "Which region sold the most?", "analysis")
    for _ in range(10):  # one approval per code run the script asks for
        approve = page.get_by_role("button", name="Approve")
        expect(approve.or_(page.get_by_text("completed", exact=True))).to_be_visible(timeout=RUN_SECONDS)
        if approve.count() == 0:
            break
        request = page.locator("section[data-request]").get_attribute("data-request")
        approve.click()
        # The question goes once the agent has taken the answer (the next one, if any, has another request id).
        expect(page.locator(f'section[data-request="{request}"]')).to_have_count(0, timeout=RUN_SECONDS)
    expect(status(page)).to_contain_text("completed", timeout=RUN_SECONDS)
    assert studio.api(f"runs/{run_id}")["status"] == "completed"


def test_a_paused_run_is_cancelled(page: Page, studio: Studio) -> None:
    run_id = start_run(page, studio, "Release note for 1.5", "release")
    expect(page.get_by_role("button", name="Deny")).to_be_visible(timeout=RUN_SECONDS)
    page.get_by_role("button", name="Cancel run").click()
    expect(status(page)).to_contain_text("cancelled", timeout=RUN_SECONDS)
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    assert studio.api(f"runs/{run_id}")["status"] == "cancelled"


def test_model_text_is_shown_as_text_never_run(page: Page, studio: Studio) -> None:
    hostile = '<script>window.__owned = 1</script><img src=x onerror="window.__owned = 2">'
    page.goto(studio.url + "/")
    expect(page.get_by_role("combobox", name="Team").locator("option")).not_to_have_count(0)
    page.get_by_role("textbox", name="Task").fill(hostile)
    page.keyboard.press("Tab")  # to the Team select
    page.keyboard.press("Tab")  # to Start run
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/runs/[0-9a-f-]{36}$"))
    expect(status(page)).to_contain_text("completed", timeout=RUN_SECONDS)
    first = page.get_by_role("article").first
    expect(first).to_contain_text("<script>window.__owned = 1</script>")
    assert page.evaluate("window.__owned") is None
    assert page.locator("main script, main img").count() == 0


def test_teams_are_drawn_as_graphs(page: Page, studio: Studio) -> None:
    page.goto(studio.url + "/teams")
    research = page.get_by_role("img", name=re.compile("^research: RoundRobin ring"))
    expect(research).to_be_visible()
    assert research.locator("line.edge").count() == 4  # planner → researcher → writer → reviewer → planner
    release = page.get_by_role("img", name=re.compile("^release: Selector star"))
    assert release.locator("line.edge").count() == 3  # the manager to each of three participants
    page.screenshot(path=str(ARTIFACTS / "studio-teams.png"), full_page=True)


def _send_bad_task(connection: str, message_id: str) -> None:
    # Playwright's sync API runs an event loop in this thread, so the sync Service Bus client posts it.
    with ServiceBusClient.from_connection_string(connection) as client, client.get_queue_sender("tasks") as sender:
        sender.send_messages(ServiceBusMessage(b"not json", message_id=message_id))


def test_a_dead_letter_is_listed_shown_and_replayed(page: Page, studio: Studio) -> None:
    message_id = f"bad-{uuid.uuid4().hex[:8]}"
    _send_bad_task(studio.settings()["ServiceBusConnection"], message_id)
    page.goto(studio.url + "/deadletters")
    show = page.get_by_role("button", name=f"Show {message_id}")
    for _ in range(60):  # the ingress dead-letters it within a few seconds
        page.get_by_role("button", name="Refresh").click()
        page.wait_for_timeout(500)
        if show.count():
            break
    expect(show).to_be_visible()
    show.click()
    expect(page.get_by_role("region", name="Dead letter")).to_contain_text("not json")
    page.screenshot(path=str(ARTIFACTS / "studio-deadletters.png"), full_page=True)
    page.get_by_role("button", name=f"Replay {message_id}").click()
    expect(page.get_by_role("status").filter(has_text="Replayed")).to_contain_text(message_id)
    expect(page.get_by_role("button", name=f"Show {message_id}", exact=True)).to_have_count(0)
    # The ingress refuses the copy too; it is dead-lettered again as a replay of the original.
    for _ in range(60):
        letters = studio.api("deadletters")["letters"]
        copies = [letter for letter in letters if letter["properties"].get("replay_of") == message_id]
        if copies:
            break
        page.wait_for_timeout(500)
    assert copies
    assert json.dumps(copies[0]).count("not json") == 1


def test_the_new_api_routes_need_the_function_key_which_only_the_studio_holds(studio: Studio) -> None:
    import urllib.error
    import urllib.request

    for path in ("runs", "teams", "deadletters", "deadletters/tasks/x"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{studio.host_url}/api/{path}", timeout=10)
        assert refused.value.code == 401, path
    for bad in ("runs?status=bogus", "runs?limit=0", "deadletters/tasks/no-such-letter"):
        with pytest.raises(urllib.error.HTTPError) as answered:
            studio.api(bad)
        assert answered.value.code == (404 if bad.startswith("dead") else 400), bad
        assert json.loads(answered.value.read())["error"], bad
    teams = studio.api("teams")["teams"]
    assert {team["name"] for team in teams} == set(TEAMS)  # every team the app's registry offers
