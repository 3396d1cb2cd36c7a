"""'Play as' end to end in headless chromium: a student plays Ukraine against the agents."""

from __future__ import annotations

import pytest

from negsim.errors import NegsimError
from negsim.formats.load import load_scenario
from negsim.view.seat import PROPOSE, Seat
from negsim.view.story import default_setup

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
WAIT = 60_000  # ms: the first page waits for the server's first render
UKRAINE = "Ukraine (Zelenskyy)"


def take_seat(page, view_server: str, label: str) -> None:
    """Open the view, go to the 'Play as' tab, take `label`'s seat."""
    page.bring_to_front()  # a tab in the background gets no animation frames: menus stay shut
    page.goto(view_server)
    page.get_by_text("Round 0 of").first.wait_for(timeout=WAIT)
    page.get_by_role("tab", name="Play as").click()
    page.get_by_text("Choose a party and take its seat").wait_for(timeout=WAIT)
    page.get_by_label("Play as").click(force=True)
    page.get_by_role("option", name=label).click()
    page.get_by_role("button", name="Take the seat").click()


def test_play_as_ukraine_to_a_deal_and_the_debrief(view_server: str, browser_page) -> None:
    page = browser_page
    scenario = load_scenario("ukraine_2025")
    twin = Seat(scenario, default_setup(scenario), "ukraine")  # the same game, played alongside
    best = {i: max(o, key=o.__getitem__) for i, o in twin.option_values().items()}

    take_seat(page, view_server, UKRAINE)
    page.get_by_text("Round 1: your turn to propose").wait_for(timeout=WAIT)
    page.get_by_text("Your offer is worth 1.00 to you.").wait_for()
    page.get_by_role("button", name="Propose").click()
    twin.propose(best)
    page.get_by_text("Round 2: United States (Trump administration) proposes").wait_for()
    russia = "Russia (Putin) rejects: crosses its red line on NATO membership for Ukraine"
    page.get_by_text(russia).first.wait_for()

    accepted = 0
    while not twin.finished:
        turn = twin.turn()
        if turn.kind == PROPOSE:
            page.get_by_role("button", name="Propose").click()
            twin.propose(best)
        else:
            try:
                twin.answer(True)
                page.get_by_role("button", name="Accept").click()
                accepted += 1
            except NegsimError:
                twin.answer(False)
                page.get_by_role("button", name="Reject").click()
        after = twin.turn()
        if not twin.finished:
            page.get_by_text(f"Round {after.round}: ").first.wait_for()
    result = twin.result()
    assert accepted and result.story.agreed
    page.get_by_text(result.story.ending()).first.wait_for(timeout=WAIT)
    page.get_by_text(result.agents_sentence()).wait_for()
    page.get_by_text("1 negotiation played as Ukraine (Zelenskyy): 1 with a deal").first.wait_for()
    figures = page.locator(".v-card", has_text="Class debrief").locator("img")
    figures.first.wait_for()
    page.get_by_role("button", name="Clear").click()
    page.get_by_text("No finished negotiation yet").wait_for()


def test_two_tabs_have_their_own_seat(view_server: str, browser_page) -> None:
    context = browser_page.context.browser.new_context()  # two pages in one browser context
    page, other = context.new_page(), context.new_page()
    errors: list[str] = []
    for tab in (page, other):
        tab.on("pageerror", lambda error: errors.append(str(error)))
    take_seat(page, view_server, UKRAINE)
    page.get_by_text("Round 1: your turn to propose").wait_for(timeout=WAIT)
    page.get_by_role("button", name="Propose").click()
    page.get_by_text("Round 2: United States (Trump administration) proposes").wait_for()

    other.bring_to_front()
    other.goto(view_server)
    other.get_by_text("Round 0 of").first.wait_for(timeout=WAIT)
    other.get_by_role("tab", name="Play as").click()
    other.get_by_text("Choose a party and take its seat").wait_for(timeout=WAIT)
    assert other.get_by_text("your turn to propose").count() == 0
    assert other.get_by_text("Round 2:").count() == 0
    page.bring_to_front()
    page.get_by_role("button", name="Reject").click()
    page.get_by_text("Round 3: European powers (incl. Britain) proposes").wait_for()
    assert other.get_by_text("Round 3:").count() == 0
    context.close()
    assert errors == []
