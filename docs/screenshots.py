"""Take the screenshots of docs/tutorials/teaching.md from the real view, in headless chromium.

    .venv/bin/python docs/screenshots.py [--out docs/images]

Starts `negsim-view` on a free loopback port, plays the lessons' scenes (the flagship at its
end with its odds and a sweep; A and B with the US deadline at 25 and 60; England and Zimbabwe
with a conceding Zimbabwe; Ukraine's seat played to a deal; presentation mode at 1024 x 768)
and writes one PNG per scene.
Needs /usr/bin/chromium (`make browser`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, sync_playwright

from negsim.formats.load import load_scenario
from negsim.view.launch import launch_chromium, running_view
from negsim.view.story import default_setup, tell

WAIT = 60_000  # ms: the first render of a tab, and 1,000 replications, stay well inside this
SIZE = {"width": 1600, "height": 1000}
# The height of the app's own scroller: the element as tall as the window that scrolls most
# (not the transcript, which scrolls inside a box of its own; not a hidden tab).
TALLEST = """() => Math.max(...[...document.querySelectorAll('*')]
  .filter(e => e.checkVisibility() && e.clientHeight >= 0.9 * window.innerHeight)
  .map(e => e.scrollHeight))"""
# Where the tab on screen ends: the shot stops there (a hidden tab may keep the window taller).
BOTTOM = """() => Math.max(...[...document.querySelectorAll('.negsim-watch')]
  .filter(e => e.checkVisibility()).map(e => e.getBoundingClientRect().bottom))"""


def labelled(page: Page, label: str) -> Locator:
    """The control labelled `label`; "Party: name" is the control `name` in the party's card."""
    if ": " not in label or label.startswith(("sweep", "utility space")):
        return page.get_by_label(label)
    who, name = label.split(": ", 1)
    card = page.locator("[class*='negsim-party-']", has=page.locator("h4", has_text=who))
    return card.get_by_label(name, exact=True)


def choose(page: Page, label: str, option: str, nth: int = 0) -> None:
    """Pick `option` in the Vuetify select labelled `label`."""
    labelled(page, label).nth(nth).click(force=True)
    page.get_by_role("option", name=option, exact=True).click()


def type_number(page: Page, label: str, value: str) -> None:
    field = labelled(page, label)
    field.fill(value)
    field.press("Enter")


def play_to_the_end(page: Page, rounds: int) -> None:
    for _ in range(rounds):
        page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_text(f"Round {rounds} of").first.wait_for(timeout=5 * WAIT)  # renders queue


def flagship(page: Page) -> None:
    """Lesson 1, steps 2 to 4: the deal of round 24, Run 1000, and Ukraine's reservation swept."""
    scenario = load_scenario("ukraine_2025")
    rounds = tell(scenario, default_setup(scenario)).rounds
    page.get_by_text(f"Round 0 of {rounds}").wait_for(timeout=WAIT)
    play_to_the_end(page, rounds)
    page.get_by_role("button", name="Run 1000", exact=True).click()
    page.get_by_text("zone of possible agreement").first.wait_for(timeout=WAIT)
    choose(page, "sweep: party", "Ukraine")
    page.get_by_role("button", name="Sweep", exact=True).click()
    page.get_by_text("values, 200 replications each").wait_for(timeout=WAIT)


def compare(page: Page) -> None:
    """Lesson 1, step 5: A with the US deadline at 25, B at 60, both at their end with odds."""
    scenario = load_scenario("ukraine_2025")
    setup = default_setup(scenario)
    rounds = tell(scenario, setup.with_party("us", deadline=60)).rounds
    page.get_by_text("Round 0 of").first.wait_for(timeout=WAIT)
    page.get_by_label("compare two settings (A and B)").check(force=True)
    page.get_by_role("button", name="Copy A to B", exact=True).click()
    page.get_by_role("button", name="B", exact=True).click()
    page.get_by_text("Editing setup B.").wait_for()
    type_number(page, "United States: deadline", "60")
    page.get_by_text(f"Setup B: Round 0 of {rounds}").wait_for(timeout=WAIT)
    play_to_the_end(page, rounds)
    for nth in (0, 1):
        page.get_by_role("button", name="Run 1000", exact=True).nth(nth).click()
        page.get_by_text("zone of possible agreement").nth(nth).wait_for(timeout=WAIT)


def england(page: Page) -> None:
    """Lesson 2, step 2: England and Zimbabwe with Zimbabwe conceding (exponent 2)."""
    scenario = load_scenario("england_zimbabwe")
    soft = default_setup(scenario).with_party("zimbabwe", strategy="conceder", parameter=2.0)
    rounds = tell(scenario, soft).rounds
    page.get_by_text("Round 0 of").first.wait_for(timeout=WAIT)
    choose(page, "scenario", "england_zimbabwe")
    labelled(page, "Zimbabwe: strategy").wait_for(timeout=WAIT)
    choose(page, "Zimbabwe: strategy", "conceder")
    page.get_by_text(f"Round 0 of {rounds}").wait_for(timeout=WAIT)
    play_to_the_end(page, rounds)
    page.get_by_role("button", name="Run 1000", exact=True).click()
    page.get_by_text("zone of possible agreement").first.wait_for(timeout=WAIT)


def seat(page: Page) -> None:
    """Lesson 3, step 3: Play as Ukraine, proposing its best and accepting what it may."""
    from negsim.errors import NegsimError
    from negsim.view.seat import PROPOSE, Seat
    from negsim.view.seat_panel import best_offer

    scenario = load_scenario("ukraine_2025")
    twin = Seat(scenario, default_setup(scenario), "ukraine")  # the same game, played alongside
    best = best_offer(twin)
    page.get_by_text("Round 0 of").first.wait_for(timeout=WAIT)
    page.get_by_role("tab", name="Play as").click()
    page.get_by_text("Choose a party and take its seat").wait_for(timeout=WAIT)
    choose(page, "Play as", "Ukraine (Zelenskyy)")
    page.get_by_role("button", name="Take the seat").click()
    while not twin.finished:
        turn = twin.turn()
        page.get_by_text(f"Round {turn.round}: ").first.wait_for(timeout=WAIT)
        if turn.kind == PROPOSE:
            twin.propose(best)
            page.get_by_role("button", name="Propose").click()
            continue
        try:
            twin.answer(True)
            page.get_by_role("button", name="Accept").click()
        except NegsimError:  # across a red line or below the walk-away value: refused
            twin.answer(False)
            page.get_by_role("button", name="Reject").click()
    page.get_by_text("With an agent in your seat").wait_for(timeout=WAIT)
    page.get_by_text("finished on this server").wait_for(timeout=WAIT)


def presenting(page: Page) -> None:
    """Lesson 1, step 1, on a 1024 x 768 projector: presentation mode after three steps."""
    page.get_by_text("Round 0 of").first.wait_for(timeout=WAIT)
    page.get_by_label("presentation mode (for the projector)").check(force=True)
    for n in range(1, 4):
        page.get_by_role("button", name="Step", exact=True).click()
        page.get_by_text(f"Round {n} of").first.wait_for(timeout=WAIT)


SCENES: dict[str, Callable[[Page], None]] = {
    "view_flagship.png": flagship,
    "view_compare.png": compare,
    "view_england.png": england,
    "view_seat.png": seat,
    "view_presentation.png": presenting,
}
VIEWPORTS = {  # the others: SIZE
    "view_presentation.png": {"width": 1024, "height": 768},
    "view_compare.png": {"width": 1920, "height": 1080},  # room for A and B side by side
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with running_view() as url, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            for name, scene in SCENES.items():
                size = VIEWPORTS.get(name, SIZE)
                page = browser.new_page(viewport=size)
                page.goto(url)
                scene(page)
                page.wait_for_timeout(1000)  # let the last figures arrive
                # The app scrolls inside its own layout: make the window as tall as the content.
                page.set_viewport_size({**size, "height": page.evaluate(TALLEST)})
                page.wait_for_timeout(500)
                height = min(page.evaluate(BOTTOM) + 24, page.viewport_size["height"])
                clip = {"x": 0, "y": 0, "width": size["width"], "height": height}
                page.screenshot(path=str(args.out / name), clip=clip)
                print(f"wrote {args.out / name}")
                page.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main()
