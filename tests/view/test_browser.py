"""The teaching view end to end: `negsim-view` in a real headless chromium, as a class uses it."""

from __future__ import annotations

import pytest

from negsim.formats.load import load_scenario
from negsim.view.odds import run_odds
from negsim.view.screen import quick_screen
from negsim.view.story import apply, default_setup, tell

# with xdist (make test), the browser tests share one worker: one server, one chromium at a time
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
WAIT = 60_000  # ms: the first page waits for the server's first render


def party_field(page, label: str):
    """The field "Party: name" of the view: the field `name` in the card headed by the party."""
    who, name = label.split(": ", 1)
    card = page.locator("[class*='negsim-party-']", has=page.locator("h4", has_text=who))
    return card.get_by_label(name, exact=True)


def test_step_change_a_party_and_run_1000(view_server: str, browser_page) -> None:
    page = browser_page
    scenario = load_scenario("ukraine_2025")
    setup = default_setup(scenario)
    first = tell(scenario, setup)
    changed = setup.with_party("ukraine", reservation=0.6)
    second = tell(scenario, changed)
    assert first.rounds != second.rounds  # the change shows in the story's length

    page.goto(view_server)
    page.get_by_text(f"Round 0 of {first.rounds}").wait_for(timeout=WAIT)
    page.get_by_role("button", name="Step").click()
    page.get_by_text(f"Round 1 of {first.rounds}").wait_for()
    page.get_by_text("crosses its red line on Security guarantees for Ukraine").first.wait_for()

    reservation = party_field(page, "Ukraine: reservation")
    reservation.fill("0.6")
    reservation.press("Enter")
    page.get_by_text(f"Round 0 of {second.rounds}").wait_for()
    for _ in range(second.rounds):
        page.get_by_role("button", name="Step").click()
    page.get_by_text(second.ending()).wait_for()

    page.get_by_role("button", name="Run 1000").click()
    odds = run_odds(apply(scenario, changed), changed.seed)
    page.get_by_text(odds.text()).wait_for()


def test_screen_shows_the_tornado_and_the_top_number(view_server: str, browser_page) -> None:
    page = browser_page
    scenario = load_scenario("ukraine_2025")
    setup = default_setup(scenario)
    screen = quick_screen(apply(scenario, setup), setup.seed)
    page.goto(view_server)
    page.get_by_text(f"Round 0 of {tell(scenario, setup).rounds}").wait_for(timeout=WAIT)
    card = page.locator(".v-card", has_text="What moves the odds")
    assert card.locator("img").count() == 0
    page.get_by_role("button", name="Screen", exact=True).click()
    page.get_by_text(screen.top_sentence()).wait_for(timeout=WAIT)
    page.get_by_text(screen.what_it_did()).wait_for()
    tornado = card.locator("img")
    tornado.wait_for()
    size = tornado.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
    assert size[0] and size[1] > 300 and size[2] > 200  # the png arrived and was decoded


def test_two_tabs_have_their_own_negotiation(view_server: str, browser_page) -> None:
    page = browser_page
    other = page.context.browser.new_page()
    scenario = load_scenario("ukraine_2025")
    rounds = tell(scenario, default_setup(scenario)).rounds
    for tab in (page, other):
        tab.goto(view_server)
        tab.get_by_text(f"Round 0 of {rounds}").wait_for(timeout=WAIT)
    page.get_by_role("button", name="Step").click()
    page.get_by_text(f"Round 1 of {rounds}").wait_for()
    other.reload()
    other.get_by_text(f"Round 0 of {rounds}").wait_for(timeout=WAIT)
    assert other.get_by_text(f"Round 1 of {rounds}").count() == 0


ROUND_AT_LEAST = """([prefix, least, most]) => [...document.querySelectorAll("h3")].map(h => {
  const m = h.textContent.match(new RegExp(prefix + "Round (\\\\d+) of"));
  return m ? Number(m[1]) : -1;
}).find(n => n >= least && n <= most)"""


def round_at_least(page, prefix: str, least: int, most: int = 10**6) -> int:
    """Wait until the story headed `prefix` shows a round from `least` to `most` (round 1 or
    later); the round shown.

    While playing, a round is on screen for about 0.3 s: a wait for one exact round can miss it
    (Playwright polls a locator every half second once it has waited a while), so this polls
    the page itself at every animation frame."""
    return int(
        page.wait_for_function(ROUND_AT_LEAST, arg=[prefix, least, most], timeout=WAIT).json_value()
    )


def us_deadline_60_in_b(page, rounds_b: int) -> None:
    """Compare A and B, B a copy of A with the US deadline at 60; wait for B's story."""
    page.get_by_label("compare two settings (A and B)").check(force=True)
    page.get_by_role("button", name="Copy A to B", exact=True).click()
    page.get_by_role("button", name="B", exact=True).click()
    page.get_by_text("Editing setup B.").wait_for(timeout=WAIT)
    deadline = party_field(page, "United States: deadline")
    deadline.fill("60")
    deadline.press("Enter")
    page.get_by_text(f"Setup B: Round 0 of {rounds_b}").wait_for(timeout=WAIT)


def test_fast_steps_in_compare_mode_keep_the_connection(view_server: str, browser_page) -> None:
    """Clicks faster than the server renders queue up; the tab waits for them, it is not
    dropped (uvicorn's keepalive would close it after 20 s behind such a queue)."""
    page = browser_page
    scenario = load_scenario("ukraine_2025")
    setup = default_setup(scenario)
    rounds_b = tell(scenario, setup.with_party("us", deadline=60)).rounds
    page.goto(view_server)
    page.get_by_text("Round 0 of").first.wait_for(timeout=WAIT)
    us_deadline_60_in_b(page, rounds_b)
    steps = 40
    for _ in range(steps):
        page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_text(f"Setup B: Round {steps} of {rounds_b}").wait_for(timeout=4 * WAIT)


def test_step_play_end_and_run_1000_are_quick_enough_for_a_class(
    view_server: str, browser_page
) -> None:
    """Render times as a class sees them, printed; the bounds are generous so noise never fails
    the suite (targets: Step and Back at most 0.3 s, Play at least 3 rounds a second, A and B too,
    End under 1 s, Run 1000 under 1 s after the first)."""
    import time

    page = browser_page
    scenario = load_scenario("ukraine_2025")
    setup = default_setup(scenario)
    rounds = tell(scenario, setup).rounds
    page.goto(view_server)
    page.get_by_text(f"Round 0 of {rounds}").wait_for(timeout=WAIT)
    steps = []
    for n in range(1, 9):
        started = time.perf_counter()
        page.get_by_role("button", name="Step").click()
        round_at_least(page, "", n)  # timed at the frame it shows, not at a locator's poll
        steps.append(time.perf_counter() - started)
    backs = []
    for n in range(7, 3, -1):
        started = time.perf_counter()
        page.get_by_role("button", name="Back").click()
        round_at_least(page, "", n, n)
        backs.append(time.perf_counter() - started)
    started = time.perf_counter()
    page.get_by_role("button", name="End").click()
    round_at_least(page, "", rounds)
    end = time.perf_counter() - started

    page.get_by_role("button", name="Reset").click()
    page.get_by_text(f"Round 0 of {rounds}").wait_for()
    started = time.perf_counter()
    page.get_by_role("button", name="Play").click()
    round_at_least(page, "", rounds)
    play = rounds / (time.perf_counter() - started)

    runs = []
    for seed in (0, 1):  # the first run of the process, then one after it
        if seed:
            seed_field = page.get_by_label("seed")
            seed_field.fill(str(seed))
            seed_field.press("Enter")
            page.get_by_text("Round 0 of").first.wait_for()
        odds = run_odds(apply(scenario, setup), seed)
        started = time.perf_counter()
        page.get_by_role("button", name="Run 1000").click()
        page.get_by_text(odds.text()).wait_for(timeout=WAIT)
        runs.append(time.perf_counter() - started)

    page.get_by_label("seed").fill("0")
    page.get_by_label("seed").press("Enter")
    rounds_b = tell(scenario, setup.with_party("us", deadline=60)).rounds
    us_deadline_60_in_b(page, rounds_b)
    started = time.perf_counter()
    page.get_by_role("button", name="Play").click()
    played = round_at_least(page, "Setup B: ", 20)
    both = played / (time.perf_counter() - started)
    page.get_by_role("button", name="Pause").click()

    step = sorted(steps)[len(steps) // 2]
    print(
        f"\nview timings: Step median {step:.2f} s (max {max(steps):.2f}), Back median "
        f"{sorted(backs)[len(backs) // 2]:.2f} s (max {max(backs):.2f}), End {end:.2f} s, "
        f"Play {play:.2f} rounds/s, A and B {both:.2f} rounds/s, Run 1000 first "
        f"{runs[0]:.2f} s, after {runs[1]:.2f} s"
    )
    assert step < 3.0 and max(backs) < 3.0 and end < 5.0 and play > 0.5 and both > 0.5
    assert runs[1] < 10.0
