"""The lessons of docs/tutorials/teaching.md, replayed in order as a class follows them.

Each lesson is one test: it clicks through the view (rendered by Solara, without a browser) or
plays the seat step by step, reads what the screen shows, and checks that the step of the lesson
that tells the class to look says it. A claim is looked for in its own step's text, so a figure
moved to the wrong step fails too.
"""

from __future__ import annotations

import re
from pathlib import Path

import ipyvuetify as v
import pytest
import solara

from negsim.errors import NegsimError
from negsim.formats.load import load_scenario
from negsim.view import debrief, seat_panel, state
from negsim.view.seat import PROPOSE, Seat
from negsim.view.story import Story
from tests.view.test_app import click, enter, field, page_text, select

DOC = Path(__file__).resolve().parents[2] / "docs" / "tutorials" / "teaching.md"
LESSON = DOC.read_text(encoding="utf-8")


def flat(text: str) -> str:
    """Text with every run of white space one space (a claim may wrap across lines)."""
    return " ".join(text.split())


def section(title: str) -> str:
    """The section of the tutorial headed `## {title}`, up to the next section."""
    start = LESSON.index(f"\n## {title}")
    end = LESSON.find("\n## ", start + 1)
    return LESSON[start : end if end > 0 else None]


def steps(title: str) -> dict[int, str]:
    """The numbered steps of a lesson, by number."""
    parts = re.split(r"^(\d+)\. (?=\*\*)", section(title), flags=re.MULTILINE)
    return {int(n): flat(text) for n, text in zip(parts[1::2], parts[2::2], strict=True)}


def says(step: str, *claims: str) -> None:
    """The step's text makes every claim (word for word, white space aside)."""
    for claim in claims:
        assert flat(claim) in step, f"teaching.md no longer says {claim!r} in: {step[:80]}..."


def plain(text: str) -> str:
    """Text without HTML tags or Markdown emphasis, white space flattened."""
    return flat(re.sub(r"<[^>]+>", "", text).replace("**", "").replace("&amp;", "&"))


def shows(rc: object, *texts: str) -> None:
    """The rendered view shows every text (tags and emphasis aside)."""
    on_screen = plain(page_text(rc))
    for text in texts:
        assert plain(text) in on_screen, f"the view does not show {text!r}"


def worth_line(story: Story) -> str:
    """The transcript's line of what the deal is worth to every party, as the view shows it."""
    labels = {p.name: p.label for p in story.scenario.parties}
    model = story.model
    return "worth: " + ", ".join(
        f"{labels[a.name]} {model.deal_utility[0, a.index]:.2f}" for a in model.parties
    )


def deal(story: Story, short: dict[str, str]) -> dict[str, str]:
    """What the deal is worth to each party, two decimals, by the lesson's short names."""
    return {
        short[a.name]: f"{story.model.deal_utility[0, a.index]:.2f}" for a in story.model.parties
    }


def run_1000(rc: object, side: int = 0) -> None:
    rc.find(v.Btn, children=["Run 1000"]).widgets[side].click()  # type: ignore[attr-defined]


def odds_claims(side: str = "A") -> tuple[str, str, str]:
    """The odds as the view shows them: probability with interval, US walk-aways, ZOPA."""
    odds = state.odds.value[side]
    assert odds is not None
    zopa = state.zopas.value[side] or ""
    return (
        f"{odds.probability:.3f} ({odds.low:.3f} to {odds.high:.3f})",
        f"{odds.shares['walk-away by us']:.3f}",
        zopa.split(": ", 1)[1].split(" outcomes")[0].removeprefix("about "),
    )


@pytest.mark.slow
def test_lesson_1_the_peace_talks(view: object) -> None:
    lesson = steps("Lesson 1")
    short = {"us": "the US", "russia": "Russia", "ukraine": "Ukraine", "europe": "Europe"}
    # 1. Round by round: three steps; why Ukraine rejects its ally's offer in round 3
    for _ in range(3):
        click(view, "Step")
    story = state.story("A")
    shows(view, "Ukraine (Zelenskyy) proposes:", "European powers (incl. Britain) proposes:")
    third = story.transcript[story.transcript["round"] == 3]
    answers = {r["party"]: r for r in third.to_dict("records") if r["event"] == "reject"}
    ukraine = answers["ukraine"]
    assert ukraine["reason"] == "below its current target"
    assert {answers[p]["reason"] for p in ("us", "russia")} == {"below its reservation value"}
    shows(view, "crosses its red line on Security guarantees for Ukraine",
          f"worth {ukraine['utility']:.3f} to it; it asks for {ukraine['target']:.3f}")  # fmt: skip
    says(lesson[1], "crosses its red line on Security guarantees for Ukraine",
         "crosses its red line on NATO membership for Ukraine; Ceasefire first or settlement",
         f"offer worth {ukraine['utility']:.3f} to it",
         f"asks for {ukraine['target']:.3f}")  # fmt: skip
    # 2. The end: the deal and who gained
    click(view, "End")
    shows(view, story.ending(), worth_line(story))
    got = deal(story, short)
    says(lesson[2], f"The deal comes in round {story.rounds}",
         *(f"{name} {value}" for name, value in got.items()))  # fmt: skip
    assert max(got, key=lambda k: float(got[k])) == "Russia"  # the tough party gained most
    # 3. One story is not the odds
    run_1000(view)
    probability, us_walks, zopa = odds_claims()
    shows(view, state.odds.value["A"].text(), f"walk-away by United States {us_walks}")  # type: ignore[union-attr]
    says(lesson[3], probability, f"walk-away by United States {us_walks}", f"{zopa} outcomes")
    first = (probability, zopa)
    # 4. Ukraine's reservation from 0.45 to 0.6: the US walks away; the odds and the ZOPA fall
    enter(field(view, "Ukraine: reservation"), "0.6")
    narrow = state.story("A")
    assert narrow.outcome == "walkaway"
    click(view, "End")
    shows(view, narrow.ending(), "its deadline, round 25, had passed")
    run_1000(view)
    probability, _, zopa = odds_claims()
    count = first[1].split(" of ")[0]
    says(lesson[4], f"round {narrow.rounds}", f"from {count} outcomes to {zopa}",
         f"from {first[0]} to {probability}")  # fmt: skip
    # 5. Back to 0.45, and the whole curve of Ukraine's reservation
    enter(field(view, "Ukraine: reservation"), "0.45")
    view.find(v.Select, label="sweep: party").widget.v_model = "Ukraine"  # type: ignore[attr-defined]
    click(view, "Sweep")
    party, key, curve = state.curves.value["A"]
    assert (party, key) == ("ukraine", "reservation")
    lo, hi = curve.iloc[0], curve.iloc[-1]
    says(lesson[5], f"from {lo['probability']:.2f} at {lo['value']:.2f} to "
         f"{hi['probability']:.2f} at {hi['value']:.2f}")  # fmt: skip
    # 6. The US deadline from 25 to 60, side by side
    view.find(v.Switch, label="compare two settings (A and B)").widget.v_model = True  # type: ignore[attr-defined]
    click(view, "Copy A to B")
    view.find(v.BtnToggle).widget.v_model = 1  # type: ignore[attr-defined]
    enter(field(view, "United States: deadline"), "60")
    a, b = state.story("A"), state.story("B")
    click(view, "End")
    shows(
        view, f"Setup A: Round {a.rounds} of {a.rounds}", f"Setup B: Round {b.rounds} of {b.rounds}"
    )
    got_a, got_b = deal(a, short), deal(b, short)
    says(lesson[6], f"A agrees in round {a.rounds}, B in round {b.rounds}",
         *(f"{got_b[n]} against {got_a[n]}" for n in ("Russia", "Europe")))  # fmt: skip
    run_1000(view, 0)
    run_1000(view, 1)
    (pa, wa, _), (pb, wb, _) = odds_claims("A"), odds_claims("B")
    says(lesson[6], f"{pa} against {pb}", f"{wa} against {wb}")


@pytest.mark.slow
def test_lesson_2_england_and_zimbabwe(view: object) -> None:
    lesson = steps("Lesson 2")
    view.find(v.Select, label="scenario").widget.v_model = "england_zimbabwe"  # type: ignore[attr-defined]
    short = {"england": "England", "zimbabwe": "Zimbabwe"}
    # 1. The baseline
    story = state.story("A")
    click(view, "End")
    shows(view, story.ending())
    got = deal(story, short)
    says(lesson[1], f"round {story.rounds}: England {got['England']}, Zimbabwe "
         f"{got['Zimbabwe']}")  # fmt: skip
    run_1000(view)
    odds = state.odds.value["A"]
    assert odds is not None and odds.probability == 1.0
    says(lesson[1], f"(1.000, interval {odds.low:.3f} to {odds.high:.3f})")
    # 2. The tough party gains: Zimbabwe a conceder, then the roles swapped
    select(view, "Zimbabwe: strategy").v_model = "conceder"
    soft = state.story("A")
    got = deal(soft, short)
    says(lesson[2], f"round {soft.rounds}, and England gets {got['England']} against "
         f"Zimbabwe's {got['Zimbabwe']}")  # fmt: skip
    select(view, "Zimbabwe: strategy").v_model = "boulware"
    enter(field(view, "Zimbabwe: exponent"), "0.2")
    select(view, "England: strategy").v_model = "conceder"
    swapped = state.story("A")
    got = deal(swapped, short)
    says(lesson[2], f"England {got['England']}, Zimbabwe {got['Zimbabwe']}")
    # 3. A narrow ZOPA: both reservations at 0.75, 0.78, 0.80 (England back to Boulware)
    select(view, "England: strategy").v_model = "boulware"
    enter(field(view, "England: exponent"), "0.2")
    for reservation, outcomes in [("0.75", 11), ("0.78", 2)]:
        enter(field(view, "England: reservation"), reservation)
        enter(field(view, "Zimbabwe: reservation"), reservation)
        run_1000(view)
        shows(view, f": {outcomes} of 576 outcomes")
        rounds = state.story("A").rounds
        says(lesson[3], f"{outcomes} of 576 outcomes" if outcomes > 2 else f"{outcomes} outcomes",
             f"round {rounds}")  # fmt: skip
    for name in ("England", "Zimbabwe"):
        enter(field(view, f"{name}: reservation"), "0.8")
    run_1000(view)
    shows(view, "no zone of possible agreement under the stated numbers")
    odds = state.odds.value["A"]
    assert odds is not None and odds.shares["timeout"] == 1.0
    says(lesson[3], "there is no ZOPA: time runs out in every replication (0.000)")


def play(seat: Seat, accept_from: float | None) -> None:
    """Propose the best offer every turn; accept an offer worth `accept_from` or more when it
    may be accepted (None: accept any), else reject."""
    best = seat_panel.best_offer(seat)
    while not seat.finished:
        turn = seat.turn()
        if turn.kind == PROPOSE:
            seat.propose(best)
            continue
        worth = seat.offer_value(turn.offer or {}).total
        try:
            seat.answer(accept_from is None or worth >= accept_from)
        except NegsimError:  # across a red line or below the walk-away value: refused
            seat.answer(False)


@pytest.mark.slow
def test_lesson_3_take_a_seat() -> None:
    lesson = steps("Lesson 3")
    scenario = load_scenario("ukraine_2025")
    state.reset_all("ukraine_2025")
    debrief.clear()
    seat_panel.seat.value = None
    setup = state.setups.value["A"]
    _box, rc = solara.render(seat_panel.SeatPanel(), handle_error=False)
    # 1. Take Ukraine's seat: the walk-away value and the red lines
    rc.find(v.Select, label="Play as").widget.v_model = "Ukraine (Zelenskyy)"  # type: ignore[attr-defined]
    click(rc, "Take the seat")
    seat = seat_panel.seat.value
    assert seat is not None
    shows(rc, f"No deal is worth {seat.reservation:.2f} to you", "Round 1: your turn")
    says(lesson[1], f"No deal is worth {seat.reservation:.2f} to you")
    # 2. Open with your best offer: who rejects it, and on which red line
    shows(rc, "Your offer is worth 1.00 to you.")
    click(rc, "Propose")
    shows(rc, "United States (Trump administration) rejects: crosses its red line on Security "
          "guarantees for Ukraine")  # fmt: skip
    says(lesson[2], "Your offer is worth 1.00 to you", "crosses its red line on Security "
         "guarantees for Ukraine")  # fmt: skip
    # 3. Grab the first offer you may accept; then what an agent in the seat reached
    play(seat, None)
    seat_panel.act(lambda: None)  # the panel records the finished game, as after a click
    grab = seat.result()
    shows(rc, grab.agents_sentence(), grab.nash_sentence())
    says(lesson[3], f"round {grab.story.rounds}", f"worth {grab.utilities['ukraine']:.3f}",
         f"Worth {grab.utilities['ukraine']:.2f} to you", grab.agents_sentence(),
         grab.nash_sentence())  # fmt: skip
    # 4. Hold out: accept nothing below 0.50, then nothing below 0.55
    for bar in (0.50, 0.55):
        held = Seat(scenario, setup, "ukraine")
        play(held, bar)
        debrief.record(held)
        result = held.result()
        says(lesson[4], f"{bar:.2f}: {result.story.ending()} Worth "
             f"{result.utilities['ukraine']:.2f} to you.")  # fmt: skip
    # 5. Russia never moves
    russia = Seat(scenario, setup, "russia")
    play(russia, None)
    debrief.record(russia)
    result = russia.result()
    assert not result.story.agreed
    says(lesson[5], result.story.ending(), f"Worth {result.utilities['russia']:.2f} to you.",
         result.agents_sentence())  # fmt: skip
    # 6. The debrief: every game of this lesson, grouped by seat
    records = debrief.played()
    texts = [debrief.count_text(group) for group in debrief.groups(records).values()]
    says(lesson[6], *texts)
    rc.close()
    debrief.clear()
    seat_panel.seat.value = None


def test_every_screenshot_the_lesson_shows_is_there() -> None:
    images = re.findall(r"\]\(([^)\s]+\.png)\)", LESSON)
    assert len(images) >= 4
    for image in images:
        assert (DOC.parent / image).stat().st_size > 10_000, image


@pytest.mark.slow
def test_the_screen_as_the_tutorial_describes_it() -> None:
    from negsim.view.screen import quick_screen
    from negsim.view.story import apply, default_setup

    scenario = load_scenario("ukraine_2025")
    setup = default_setup(scenario)
    screen = quick_screen(apply(scenario, setup), setup.seed)
    assert len(screen.factors) == 10 and screen.points == 44 and screen.replications == 100
    told = flat(section("What is on the screen"))
    says(told, "nine numbers (four", "44 settings of 100 negotiations each")
    star = screen.table[screen.table["index"] == "mu_star"].reset_index(drop=True)
    assert star.loc[0, "number"] == "russia.reservation"
    assert star.loc[0, "low"] > 2 * star.loc[1, "high"]
    says(told, "Russia's reservation comes first by far")
