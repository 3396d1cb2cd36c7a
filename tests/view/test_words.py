"""Each round's story in plain words (`negsim.view.words`), on real stories of the flagship."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import pytest

from negsim.formats.load import load_scenario
from negsim.scenario import Scenario
from negsim.view.panels import transcript_blocks
from negsim.view.story import Setup, Story, default_setup, tell
from negsim.view.words import parties, reason_words, round_story


@pytest.fixture(scope="module")
def flagship() -> Scenario:
    return load_scenario("ukraine_2025")


def told(story: Story, number: int) -> str:
    """Round `number` of `story` in words."""
    transcript = story.transcript
    return round_story(transcript[transcript["round"] == number], story.scenario)


def answer(story: Story, number: int, party: str) -> pd.Series:
    transcript = story.transcript
    rows = transcript[(transcript["round"] == number) & (transcript["party"] == party)]
    return rows[rows["event"].isin(["accept", "reject"])].iloc[0]


def changed(scenario: Scenario, **changes: Any) -> Story:
    """The flagship told with `changes`: party settings as `party=dict(...)`, else the setup's."""
    setup: Setup = default_setup(scenario)
    for name, value in changes.items():
        if isinstance(value, dict):
            setup = setup.with_party(name, **value)
        else:
            setup = replace(setup, **{name: value})
    return tell(scenario, setup)


def test_rejections_below_target_and_below_reservation(story: Story) -> None:
    russia, ukraine, europe = (answer(story, 2, p) for p in ("russia", "ukraine", "europe"))
    assert russia["reason"] == "below its reservation value"
    assert ukraine["reason"] == europe["reason"] == "below its current target"
    assert told(story, 2) == (
        "The United States proposed a deal. "
        f"Russia rejected it: it gives Russia {russia['utility']:.2f}, below what Russia would "
        f"get with no deal, {russia['reservation']:.2f}. "
        f"Ukraine rejected it: it gives Ukraine {ukraine['utility']:.2f}, below what Ukraine "
        f"asks for now, {ukraine['target']:.2f}. "
        f"European powers rejected it: it gives European powers {europe['utility']:.2f}, below "
        f"what European powers ask for now, {europe['target']:.2f}."
    )


def test_a_red_line_is_named_by_issue_and_option_and_an_accept_says_why(story: Story) -> None:
    text = told(story, 1)
    assert text.startswith("Ukraine proposed a deal. The United States rejected it: it crosses ")
    assert (
        "the United States' red line on Security guarantees for Ukraine: Strong guarantees "
        "backed by the US (European–Ukrainian draft)." in text
    )
    assert (
        "Russia rejected it: it crosses Russia's red lines on NATO membership for Ukraine: " in text
    )
    europe = answer(story, 1, "europe")
    assert europe["event"] == "accept"
    # three decimals: at two the offer and the ask would look the same (0.98)
    worth = f"{europe['utility']:.3f}, above their {europe['target']:.3f}"
    assert text.endswith(f"European powers ({worth}) accepted it.")


def test_accepts_are_gathered_after_the_rejections(story: Story) -> None:
    text = told(story, 17)
    assert text.index("Russia rejected it") < text.index("accepted it.")
    assert " and European powers (" in text and text.endswith("accepted it.")


def test_agreement(story: Story) -> None:
    text = told(story, 24)
    assert text.startswith("Russia proposed a deal. All parties accepted: a deal in round 24 (")
    assert (
        "the United States 0.50, above its 0.40" in text and "Ukraine 0.53, above its 0.45" in text
    )
    assert "rejected" not in text


def test_the_us_deadline_walk_away(flagship: Scenario) -> None:
    story = changed(flagship, ukraine={"reservation": 0.6})
    assert story.outcome == "walkaway" and story.rounds == 26
    assert (
        told(story, 26)
        == "The United States walked away: its deadline, round 25, had passed. No deal."
    )
    assert "below what Ukraine would get with no deal, 0.60" in told(story, 24)


def test_nothing_left_walk_away(flagship: Scenario) -> None:
    story = changed(flagship, russia={"reservation": 0.9})
    assert story.outcome == "walkaway"
    text = told(story, story.rounds)
    assert text.startswith("Russia walked away: nothing still open beats what Russia would get")
    assert text.endswith("No deal.")


def test_timeout(flagship: Scenario) -> None:
    story = changed(flagship, max_rounds=10)
    assert story.outcome == "timeout"
    assert told(story, 10).endswith(" accepted it. No deal: time ran out after 10 rounds.")


def test_a_party_not_required_leaves_the_table(flagship: Scenario) -> None:
    scenario = flagship.override({"parties.europe.required": False})
    story = tell(scenario, default_setup(scenario).with_party("europe", deadline=5))
    assert told(story, 6).startswith(
        "European powers left the table (their deadline, round 5, had passed); "
        "the talks go on without them. The United States proposed a deal."
    )
    assert story.agreed
    assert "All parties still at the table accepted: a deal in round" in told(story, story.rounds)


def test_the_mediator_and_split_tracks(flagship: Scenario) -> None:
    mediated = changed(flagship, protocol="mediated")
    assert told(mediated, 1).startswith("The mediator put a text on the table. ")
    split = changed(flagship, protocol="split_track", drawn=True)  # a draw where the US leaves
    text = told(split, 2)
    assert text.startswith("[US–Russia normalisation] Russia proposed a deal. ")
    assert "[Ukraine peace settlement] The United States proposed a deal." in text
    last = told(split, split.rounds)
    assert last.startswith("[Ukraine peace settlement] The United States walked away")
    assert last.endswith("No deal. The talks are over, without a deal on every track.")


def test_an_accept_as_good_as_the_best_offer_so_far(flagship: Scenario) -> None:
    events = [
        {"round": 3, "event": "offer", "party": "russia"},
        {
            "round": 3,
            "event": "accept",
            "party": "ukraine",
            "reason": "as good as the best it received",
            "utility": 0.5,
            "target": 0.7,
            "reservation": 0.45,
        },
    ]
    assert round_story(events, flagship) == (
        "Russia proposed a deal. Ukraine (0.50, below its 0.70 but as good as the best offer so "
        "far) accepted it."
    )


def test_parties_as_sentences_name_them(flagship: Scenario) -> None:
    names = parties(flagship)
    assert names["us"].subject == "The United States" and names["us"].possessive.endswith("States'")
    assert names["europe"].plural and names["europe"].verb("asks") == "ask"
    assert not names["ukraine"].plural and names["ukraine"].possessive == "Ukraine's"


def test_the_story_comes_before_the_offer_table(story: Story) -> None:
    blocks = dict(transcript_blocks(story))
    block = blocks[2]
    assert block.startswith(f"#### Round 2\n\n**{told(story, 2)}**\n")
    assert block.index("Russia rejected it") < block.index("| issue | option |")
    assert block.index("| issue | option |") < block.index("- Russia (Putin) **rejects**")
    assert transcript_blocks(story) is transcript_blocks(story)  # built once per story


def test_a_red_line_reason_names_the_issues_by_label(flagship: Scenario) -> None:
    said = reason_words("crosses its red line on nato, sequencing", flagship)
    assert said == (
        "crosses its red line on NATO membership for Ukraine; Ceasefire first or settlement first"
    )
    assert reason_words("below its current target", flagship) == "below its current target"
    assert reason_words(float("nan"), flagship) == ""


def test_the_transcript_names_red_lines_by_issue_label(story: Story) -> None:
    first = dict(transcript_blocks(story))[1]
    assert "crosses its red line on Security guarantees for Ukraine" in first
    assert "red line on guarantees" not in first
