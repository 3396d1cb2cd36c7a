"""The figures docs/tutorials/teaching.md quotes are what the view shows (seed 0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from negsim.formats.load import load_scenario
from negsim.view.odds import default_values, mini_sweep, run_odds
from negsim.view.screen import quick_screen
from negsim.view.state import zopa_text
from negsim.view.story import Setup, apply, default_setup, tell

LESSON = (Path(__file__).resolve().parents[2] / "docs" / "tutorials" / "teaching.md").read_text()


def quoted(*texts: str) -> None:
    for text in texts:
        assert text in LESSON, f"docs/tutorials/teaching.md no longer says {text!r}"


def utilities(scenario_name: str, setup: Setup) -> dict[str, str]:
    story = tell(load_scenario(scenario_name), setup)
    return {a.name: f"{story.model.deal_utility[0, a.index]:.3f}" for a in story.model.parties}


def test_flagship_story_and_odds() -> None:
    scenario = load_scenario("ukraine_2025")
    setup = default_setup(scenario)
    story = tell(scenario, setup)
    assert story.rounds == 24 and story.agreed
    quoted("The deal comes in round 24")
    got = utilities("ukraine_2025", setup)
    quoted(f"Russia gets {got['russia']}", f"the US {got['us']}", f"Ukraine {got['ukraine']}")
    third = story.transcript[(story.transcript["round"] == 3)]
    ukraine = third[third["party"] == "ukraine"].iloc[0]
    assert ukraine["reason"] == "below its current target"
    quoted(f"offer worth {ukraine['utility']:.3f} to it", f"asks for {ukraine['target']:.3f}")
    odds = run_odds(scenario, 0)
    quoted(f"{odds.probability:.3f} ({odds.low:.3f} to {odds.high:.3f})")
    quoted(f"walk-away by us {odds.shares['walk-away by us']:.3f}")


@pytest.mark.slow
@pytest.mark.parametrize("reservation", [0.6])
def test_a_narrower_zopa_for_ukraine(reservation: float) -> None:
    scenario = load_scenario("ukraine_2025")
    setup = default_setup(scenario).with_party("ukraine", reservation=reservation)
    story = tell(scenario, setup)
    assert story.outcome == "walkaway" and story.rounds == 26
    changed = apply(scenario, setup)
    odds = run_odds(changed, 0)
    quoted(f"to {odds.probability:.3f} ({odds.low:.3f} to {odds.high:.3f})")
    assert "390 of 12,582,912" in zopa_text(changed)
    assert "58,005 of 12,582,912" in zopa_text(scenario)
    quoted("from 58,005 outcomes", "to 390")


def test_the_sweep_of_ukraines_reservation() -> None:
    scenario = load_scenario("ukraine_2025")
    values = default_values(scenario, "ukraine", "reservation")  # what `Sweep` runs
    curve = mini_sweep(scenario, 0, "ukraine", "reservation", values)
    first, last = curve.iloc[0], curve.iloc[-1]
    quoted(
        f"from {first['probability']:.2f} at {first['value']:.2f} "
        f"to {last['probability']:.2f} at {last['value']:.2f}"
    )


@pytest.mark.slow
def test_the_flagship_screen() -> None:
    scenario = load_scenario("ukraine_2025")
    setup = default_setup(scenario)
    screen = quick_screen(apply(scenario, setup), setup.seed)
    assert len(screen.factors) == 10 and screen.points == 44 and screen.replications == 100
    quoted("nine numbers (four", "44 settings of 100 negotiations each")
    star = screen.table[screen.table["index"] == "mu_star"].reset_index(drop=True)
    assert star.loc[0, "number"] == "russia.reservation"
    assert star.loc[0, "low"] > 2 * star.loc[1, "high"]
    quoted("Russia's reservation comes first by far")


def test_the_us_deadline_from_25_to_60() -> None:
    scenario = load_scenario("ukraine_2025")
    setup = default_setup(scenario).with_party("us", deadline=60)
    story = tell(scenario, setup)
    quoted(f"B in round {story.rounds}")
    got = utilities("ukraine_2025", setup)
    quoted(f"the US gets less ({got['us']}", f"Ukraine more ({got['ukraine']}")
    odds = run_odds(apply(scenario, setup), 0)
    quoted(f"against {odds.probability:.3f} ({odds.low:.3f} to {odds.high:.3f})")
    quoted(f"against {odds.shares['walk-away by us']:.3f}")


def test_england_zimbabwe() -> None:
    scenario = load_scenario("england_zimbabwe")
    base = default_setup(scenario)
    story = tell(scenario, base)
    got = utilities("england_zimbabwe", base)
    quoted(f"round {story.rounds}: England {got['england']}, Zimbabwe {got['zimbabwe']}")
    soft = base.with_party("zimbabwe", strategy="conceder", parameter=2.0)
    got = utilities("england_zimbabwe", soft)
    quoted(f"round {tell(scenario, soft).rounds}, and England gets {got['england']}")
    quoted(f"Zimbabwe's {got['zimbabwe']}")
    swapped = base.with_party("england", strategy="conceder", parameter=2.0)
    got = utilities("england_zimbabwe", swapped)
    quoted(f"England {got['england']}, Zimbabwe {got['zimbabwe']}")
    odds = run_odds(scenario, 0)
    quoted(f"every replication agrees ({odds.probability:.3f}, interval {odds.low:.3f} to "
           f"{odds.high:.3f})")  # fmt: skip
    for reservation, outcomes, rounds in [(0.75, 11, 96), (0.78, 2, 100)]:
        setup = base.with_party("england", reservation=reservation).with_party(
            "zimbabwe", reservation=reservation
        )
        assert f": {outcomes} of 576 outcomes" in zopa_text(apply(scenario, setup))
        assert tell(scenario, setup).rounds == rounds
    none = base.with_party("england", reservation=0.8).with_party("zimbabwe", reservation=0.8)
    assert zopa_text(apply(scenario, none)).startswith("no zone of possible agreement")
    assert run_odds(apply(scenario, none), 0).shares["timeout"] == 1.0


def test_every_screenshot_the_lesson_shows_is_there() -> None:
    import re

    images = re.findall(r"\]\(([^)\s]+\.png)\)", LESSON)
    assert len(images) >= 3
    lesson_dir = Path(__file__).resolve().parents[2] / "docs" / "tutorials"
    for image in images:
        assert (lesson_dir / image).stat().st_size > 10_000, image
