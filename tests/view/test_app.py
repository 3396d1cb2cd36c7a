"""The teaching view rendered without a browser (Solara's `render`): controls, stepping, changes."""

from __future__ import annotations

import time
from dataclasses import replace

import ipyvue
import ipyvuetify as v
import ipywidgets as widgets
import pytest

from negsim.formats.load import load_scenario
from negsim.view import state
from negsim.view.app import PRESENTATION_SWITCH
from negsim.view.controls import party_class, red_lines_text
from negsim.view.odds import run_odds
from negsim.view.panels import transcript_markdown
from negsim.view.screen import quick_screen, short_labels
from negsim.view.story import apply, default_setup, tell


def page_text(rc: object) -> str:
    """Every Markdown block (Solara renders them as Vue templates) and alert on the page."""
    templates = rc.find(ipyvue.VueTemplate).widgets  # type: ignore[attr-defined]
    alerts = rc.find(v.Alert).widgets  # type: ignore[attr-defined]
    texts = [w.template for w in templates if isinstance(w.template, str)]
    texts += [c for w in alerts for c in w.children if isinstance(c, str)]
    return "\n".join(texts)


def within(rc: object, label: str) -> tuple[object, str]:
    """Where a field is and its name: "Ukraine: reservation" is the field "reservation" in
    Ukraine's card (a card is headed by its party; its fields have short names); "seed" is on
    the page."""
    who, _, name = label.partition(": ")
    parties = {short: party for party, short in short_labels(state.scenario()).items()}
    if who not in parties:
        return rc, label
    cards = rc.find(v.Card)  # type: ignore[attr-defined]
    mine = party_class(parties[who])
    return cards[next(i for i, c in enumerate(cards.widgets) if mine in c.class_.split())], name


def field(rc: object, label: str) -> v.TextField:
    """The text field `label` (`within`)."""
    where, name = within(rc, label)
    return where.find(v.TextField, label=name).widget  # type: ignore[attr-defined]


def select(rc: object, label: str) -> v.Select:
    """The select `label` (`within`)."""
    where, name = within(rc, label)
    return where.find(v.Select, label=name).widget  # type: ignore[attr-defined]


def enter(widget: v.TextField, text: str) -> None:
    """Type `text` into a field and leave it, as a user does."""
    widget.v_model = text
    widget.fire_event("focusout", None)


def switch(rc: object, prefix: str) -> v.Switch:
    """The switch whose label starts with `prefix` (`within`: "Ukraine: red lines")."""
    where, start = within(rc, prefix)
    found = [w for w in where.find(v.Switch).widgets if w.label.startswith(start)]  # type: ignore[attr-defined]
    assert len(found) == 1, prefix
    return found[0]


def click(rc: object, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()  # type: ignore[attr-defined]


@pytest.fixture
def page(view: object) -> object:
    """The rendered view (`tests/view/conftest.py`), from the flagship's own settings."""
    return view


@pytest.mark.slow
def test_controls_exist_with_the_scenarios_defaults(page: object) -> None:
    scenario = load_scenario("ukraine_2025")
    for label in ("Step", "Back", "Play", "Reset", "Run 1000", "Sweep"):
        assert page.find(v.Btn, children=[label]).widgets, label  # type: ignore[attr-defined]
    assert field(page, "seed").v_model == "0"
    assert page.find(v.Select, label="protocol").widget.v_model == "alternating"  # type: ignore[attr-defined]
    short = short_labels(scenario)
    for party in scenario.parties:
        label = short[party.name]  # the card's heading holds the full label
        assert f"{party.label}</h4>" in page_text(page)
        assert float(field(page, f"{label}: reservation").v_model) == party.reservation
        deadline = field(page, f"{label}: deadline").v_model
        assert deadline == (None if party.deadline is None else str(party.deadline))
        chosen = select(page, f"{label}: strategy")
        assert chosen.v_model == party.strategy_name
        if party.red_lines:
            assert switch(page, f"{label}: red lines").v_model is True
    rounds = tell(scenario, default_setup(scenario)).rounds
    assert f"Round 0 of {rounds}" in page_text(page)


@pytest.mark.slow
def test_step_back_and_reset_move_through_the_rounds(page: object) -> None:
    story = state.story("A")
    click(page, "Step")
    assert f"Round 1 of {story.rounds}" in page_text(page)
    assert "Round 1</h4>" in page_text(page)  # the transcript shows round 1
    click(page, "Step")
    click(page, "Back")
    assert state.round_.value == 1
    for _ in range(story.rounds + 3):
        click(page, "Step")
    assert state.round_.value == story.rounds  # Step stops at the end
    assert page.find(v.Btn, children=["Step"]).widget.disabled  # type: ignore[attr-defined]
    assert story.ending() in page_text(page)
    click(page, "Reset")
    assert f"Round 0 of {story.rounds}" in page_text(page)
    click(page, "End")  # jumps to the story's last round
    assert state.round_.value == story.rounds
    assert story.ending() in page_text(page)
    text = page_text(page)  # the newest rounds of the transcript, the earlier ones on request
    assert f"Round {story.rounds}</h4>" in text and "Round 1</h4>" not in text
    click(page, f"Show the {story.rounds - 6} earlier rounds")
    assert "Round 1</h4>" in page_text(page)


@pytest.mark.slow
def test_a_change_restarts_with_the_same_seed(page: object) -> None:
    scenario = load_scenario("ukraine_2025")
    before = state.story("A")
    for _ in range(3):
        click(page, "Step")
    enter(field(page, "Ukraine: reservation"), "0.6")
    assert state.round_.value == 0
    setup = state.setups.value["A"]
    assert setup.parties["ukraine"].reservation == 0.6
    assert setup.seed == 0
    changed = tell(scenario, default_setup(scenario).with_party("ukraine", reservation=0.6))
    after = state.story("A")
    assert after.transcript.equals(changed.transcript)
    assert not after.transcript.equals(before.transcript)
    assert f"Round 0 of {after.rounds}" in page_text(page)
    # Changing it back gives back the first story exactly: only the change differed.
    enter(field(page, "Ukraine: reservation"), "0.45")
    assert state.story("A").transcript.equals(before.transcript)


@pytest.mark.slow
def test_seed_strategy_red_lines_and_protocol_replay(page: object) -> None:
    enter(field(page, "seed"), "7")
    assert state.setups.value["A"].seed == 7
    us = "United States"
    select(page, f"{us}: strategy").v_model = "linear"
    assert state.setups.value["A"].parties["us"].strategy == "linear"
    switch(page, "Ukraine: red lines").v_model = False
    assert state.setups.value["A"].parties["ukraine"].red_lines is False
    assert not state.story("A").scenario.party("ukraine").red_lines
    page.find(v.Select, label="protocol").widget.v_model = "mediated"  # type: ignore[attr-defined]
    assert state.story("A").model.protocol.name == "mediated"


@pytest.mark.slow
def test_a_bad_value_is_refused_in_one_line(page: object) -> None:
    before = state.setups.value["A"]
    enter(field(page, "Ukraine: reservation"), "1.5")
    assert state.setups.value["A"] == before
    assert state.error.value == (
        "Ukraine: the walk-away value (reservation) must lie in [0, 1], not 1.5; the setting "
        "was not changed"
    )  # the class's words: no file path, no config key
    shown = float(field(page, "Ukraine: reservation").v_model)
    assert shown == before.parties["ukraine"].reservation  # the field shows the value in use
    enter(field(page, "seed"), "-1")
    assert "seed: must be a whole number >= 0" in (state.error.value or "")
    assert state.setups.value["A"] == before


@pytest.mark.slow
def test_run_1000_shows_the_odds_of_the_current_settings(page: object) -> None:
    enter(field(page, "Ukraine: reservation"), "0.5")
    click(page, "Run 1000")
    setup = state.setups.value["A"]
    expected = run_odds(apply(load_scenario("ukraine_2025"), setup), setup.seed, 1000)
    assert expected.text() in page_text(page)
    assert "walk-away by United States" in page_text(page)
    assert "zone of possible agreement under the stated numbers: 26,629 of" in page_text(page)
    click(page, "Sweep")
    party, key, curve = state.curves.value["A"]
    assert (party, key) == ("us", "reservation")
    assert curve["probability"].between(0, 1).all() and len(curve) >= 5


@pytest.mark.slow
def test_screen_shows_the_tornado_and_the_top_number(page: object) -> None:
    assert "a quick Morris screen, a few seconds" in page_text(page)
    images = len(page.find(widgets.Image).widgets)  # type: ignore[attr-defined]
    enter(field(page, "Ukraine: reservation"), "0.5")
    click(page, "Screen")
    setup = state.setups.value["A"]
    expected = quick_screen(apply(load_scenario("ukraine_2025"), setup), setup.seed)
    text = page_text(page)
    assert "A quick Morris screen: 44 settings \u00d7 100 negotiations, same seed" in text
    assert expected.top_sentence() in text
    assert len(page.find(widgets.Image).widgets) == images + 1  # type: ignore[attr-defined]
    enter(field(page, "Ukraine: reservation"), "0.45")
    assert state.screens.value["A"] is None  # a change of setting clears the screen
    assert expected.top_sentence() not in page_text(page)


@pytest.mark.slow
def test_a_and_b_side_by_side(page: object) -> None:
    page.find(v.Switch, label="compare two settings (A and B)").widget.v_model = True  # type: ignore[attr-defined]
    page.find(v.BtnToggle).widget.v_model = 1  # edit B  # type: ignore[attr-defined]
    assert state.editing.value == "B"
    enter(field(page, "United States: deadline"), "60")
    a, b = state.setups.value["A"], state.setups.value["B"]
    assert a.parties["us"].deadline == 25 and b.parties["us"].deadline == 60
    assert a.seed == b.seed
    text = page_text(page)
    assert "Setup A: Round 0 of" in text and "Setup B: Round 0 of" in text
    buttons = page.find(v.Btn, children=["Run 1000"]).widgets  # type: ignore[attr-defined]
    assert len(buttons) == 2  # one per side: B's is the second
    buttons[1].click()
    assert state.odds.value["B"] is not None


@pytest.mark.slow
def test_play_advances_until_paused(page: object) -> None:
    click(page, "Play")
    deadline = time.monotonic() + 10
    while state.round_.value < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert state.round_.value >= 2
    click(page, "Pause")
    time.sleep(1.0)
    stopped = state.round_.value
    time.sleep(1.0)
    assert state.round_.value == stopped


def test_transcript_markdown_newest_round_first() -> None:
    scenario = load_scenario("ukraine_2025")
    story = tell(scenario, default_setup(scenario))
    text = transcript_markdown(story, 3)
    assert text.index("#### Round 3") < text.index("#### Round 2") < text.index("#### Round 1")
    assert "#### Round 4" not in text
    assert "rejects**: crosses its red line on" in text
    assert "press **Step**" in transcript_markdown(story, 0)


@pytest.mark.slow
def test_another_scenario_shows_its_own_settings_in_fresh_cards(page: object) -> None:
    """A card is not refilled across scenarios: England's empty deadline is empty, not "None"
    with an error where the US's 25 was."""
    page.find(v.Select, label="scenario").widget.v_model = "england_zimbabwe"  # type: ignore[attr-defined]
    scenario = load_scenario("england_zimbabwe")
    for party in scenario.parties:
        deadline = field(page, f"{short_labels(scenario)[party.name]}: deadline")
        assert party.deadline is None and deadline.v_model in (None, "")
        assert not deadline.error_messages
    assert f"Round 0 of {tell(scenario, default_setup(scenario)).rounds}" in page_text(page)


def test_the_story_says_which_numbers_it_uses_and_can_use_one_draw(page: object) -> None:
    scenario = load_scenario("ukraine_2025")
    stated = state.story("A")  # a lesson's default: the stated numbers
    assert stated.reservations() == {p.name: p.reservation for p in scenario.parties}
    text = page_text(page)
    assert "This story uses the stated numbers: no uncertainty." in text
    assert "in this story's draw" not in text
    switch(page, "story: one draw").v_model = True
    drawn = state.story("A").reservations()["us"]  # the US reservation drawn: not its 0.4
    assert abs(drawn - 0.4) > 0.05
    text = page_text(page)
    assert "This story is one draw of the uncertain numbers (the odds count many)" in text
    assert f"United States (Trump administration) {drawn:.2f} (stated 0.40)" in text
    assert f"in this story's draw: {drawn:.2f}" in text  # beside the US reservation field
    # either way the odds count the uncertain numbers: reservations vary across replications
    changed = apply(scenario, state.setups.value["A"])
    assert changed.party("us").uncertainty.reservation > 0


def test_a_story_of_stated_numbers_matches_the_scenario_without_uncertainty() -> None:
    scenario = load_scenario("ukraine_2025")
    setup = default_setup(scenario)
    stated = tell(scenario, replace(setup, drawn=False))
    assert stated.reservations() == {p.name: p.reservation for p in scenario.parties}
    for p, agent in enumerate(stated.model.parties):
        expected = scenario.weights[p][:, None] * scenario.values[p]
        assert (agent.table[0] == expected).all()


def test_presentation_mode_folds_the_settings_away_and_keeps_the_story(page: object) -> None:
    scenario = load_scenario("ukraine_2025")
    labels = short_labels(scenario)
    assert field(page, "seed") and field(page, f"{labels['ukraine']}: reservation")
    click(page, "Step")
    switch(page, PRESENTATION_SWITCH).v_model = True
    assert state.presenting.value is True
    assert not page.find(v.TextField, label="seed").widgets  # type: ignore[attr-defined]
    assert not page.find(v.Select, label="scenario").widgets  # type: ignore[attr-defined]
    for party in scenario.parties:
        assert f"{party.label}</h4>" not in page_text(page)  # no party card
    for label in ("Step", "Back", "Play", "End", "Reset", "Run 1000", "Screen"):
        assert page.find(v.Btn, children=[label]).widgets, label  # type: ignore[attr-defined]
    assert f"Round 1 of {state.story('A').rounds}" in page_text(page)  # the round kept
    click(page, "Step")
    assert state.round_.value == 2
    switch(page, PRESENTATION_SWITCH).v_model = False  # the full layout for preparation
    assert field(page, "seed").v_model == "0"
    assert float(field(page, f"{labels['ukraine']}: reservation").v_model) == 0.45
    state.presenting.value = True
    state.reset_all("ukraine_2025")  # a new tab starts in the full layout
    assert state.presenting.value is False


def test_red_lines_read_as_words_that_wrap() -> None:
    red_lines = {"military": ("substantial_demilitarization", "moderate_caps"), "nato": ("open",)}
    assert red_lines_text(red_lines) == (
        "military: substantial demilitarization, moderate caps; nato: open"
    )


def test_selects_show_labels_and_hand_on_ids(page: object) -> None:
    x = page.find(v.Select, label="utility space: x").widget  # type: ignore[attr-defined]
    assert "United States" in x.items and "us" not in x.items
    x.v_model = "United States"
    assert state.pair.value[0] == "us"
    party = page.find(v.Select, label="sweep: party").widget  # type: ignore[attr-defined]
    party.v_model = "Ukraine"
    assert state.sweep_party.value == "ukraine"
    keys = page.find(v.Select, label="sweep: parameter").widget  # type: ignore[attr-defined]
    assert keys.items == ["reservation", "deadline", "exponent (strategy)"]
    keys.v_model = "exponent (strategy)"
    assert state.sweep_key.value == "strategy.exponent"
