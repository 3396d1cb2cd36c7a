"""The view's state, one per browser tab, and the actions that change it.

Solara keeps a `solara.reactive` value per connection (virtual kernel), so two students on one
server each have their own negotiation. Two setups, A and B, share the seed's meaning: a change
to a setting replays that side's negotiation from round 0 with the same seed, so what differs
is the change alone. A setting the scenario rejects is refused with its one-line message and the
setup stays as it was.
"""

from __future__ import annotations

import functools
import os
from dataclasses import replace
from typing import Any

import solara

from negsim.analysis.stated import stated_analysis
from negsim.errors import NegsimError
from negsim.formats.load import load_scenario
from negsim.runs.settings import default_scenario
from negsim.scenario import Scenario
from negsim.view.odds import Odds, default_values, mini_sweep, run_odds
from negsim.view.screen import Screen, quick_screen
from negsim.view.story import Setup, Story, apply, default_setup, tell

SIDES = ("A", "B")
ODDS_REPLICATIONS = 1000
SWEEP_REPLICATIONS = 200
LIBRARY = ("ukraine_2025", "england_zimbabwe", "itex_cypress", "party_domain", "politics_2015")


def first_scenario() -> str:
    """The scenario `negsim-view --scenario` named, else the flagship."""
    return os.environ.get("NEGSIM_VIEW_SCENARIO") or default_scenario()


@functools.lru_cache(maxsize=16)
def scenario_for(name: str) -> Scenario:
    """A library scenario by name, or a scenario file or domain folder by path (loaded once)."""
    return load_scenario(name)


_STORIES: dict[tuple[str, str], Story] = {}


def story_for(name: str, setup: Setup) -> Story:
    """Replication 0 of `setup` in scenario `name`, played to its end (the last few are kept,
    so stepping and switching between A and B replay nothing)."""
    key = (name, repr(setup))
    if key not in _STORIES:
        if len(_STORIES) >= 32:
            _STORIES.pop(next(iter(_STORIES)))
        _STORIES[key] = tell(scenario_for(name), setup)
    return _STORIES[key]


scenario_name = solara.reactive(first_scenario())
setups: solara.Reactive[dict[str, Setup]] = solara.reactive(
    dict.fromkeys(SIDES, default_setup(scenario_for(first_scenario())))
)
editing = solara.reactive("A")
compare = solara.reactive(False)
round_ = solara.reactive(0)
playing = solara.reactive(False)
pair: solara.Reactive[tuple[str, str]] = solara.reactive(("", ""))
error: solara.Reactive[str | None] = solara.reactive(None)
odds: solara.Reactive[dict[str, Odds | None]] = solara.reactive(dict.fromkeys(SIDES))
zopas: solara.Reactive[dict[str, str | None]] = solara.reactive(dict.fromkeys(SIDES))
curves: solara.Reactive[dict[str, Any]] = solara.reactive(dict.fromkeys(SIDES))
screens: solara.Reactive[dict[str, Screen | None]] = solara.reactive(dict.fromkeys(SIDES))
sweep_party = solara.reactive("")
sweep_key = solara.reactive("reservation")
presenting = solara.reactive(False)
"""Presentation mode: larger type and the settings folded away, for the class's projector."""


def scenario() -> Scenario:
    """The scenario on screen."""
    return scenario_for(scenario_name.value)


def story(side: str) -> Story:
    """The negotiation of setup `side`."""
    return story_for(scenario_name.value, setups.value[side])


def last_round() -> int:
    """The last round any story on screen reaches (Step stops there)."""
    sides = SIDES if compare.value else ("A",)
    return max(story(side).rounds for side in sides)


def choose_scenario(name: str) -> None:
    """Show scenario `name` with its own settings (a scenario that fails to load: its error)."""
    try:
        loaded = scenario_for(name)
    except NegsimError as exc:
        error.value = str(exc)
        return
    scenario_name.value = name
    setups.value = dict.fromkeys(SIDES, default_setup(loaded))
    sweep_party.value = loaded.party_names[0]
    pair.value = ("", "")
    _restart()


def change(side: str, party: str | None = None, **changes: Any) -> bool:
    """Change setup `side` (a party's settings when `party` is given) and replay it; False
    (with the refusal in `error`) when the setting is not allowed and nothing changed."""
    setup = setups.value[side]
    try:
        new = setup.with_party(party, **changes) if party else replace(setup, **changes)
        _check(new)
        apply(scenario(), new)
    except NegsimError as exc:
        error.value = str(exc)
        return False
    setups.value = {**setups.value, side: new}
    _restart(side)
    return True


def copy_a_to_b() -> None:
    """Start B from A's settings."""
    setups.value = {**setups.value, "B": setups.value["A"]}
    _restart("B")


def _check(setup: Setup) -> None:
    if setup.seed < 0:
        raise NegsimError(f"seed: must be a whole number >= 0, got {setup.seed}")
    if setup.max_rounds < 1:
        raise NegsimError(f"max_rounds: must be a whole number >= 1, got {setup.max_rounds}")
    for name, party in setup.parties.items():
        if party.deadline is not None and party.deadline < 1:
            raise NegsimError(f"{name}: deadline: must be a whole number >= 1 or empty")


def _restart(*sides: str) -> None:
    playing.value = False
    round_.value = 0
    error.value = None
    for side in sides or SIDES:
        odds.value = {**odds.value, side: None}
        zopas.value = {**zopas.value, side: None}
        curves.value = {**curves.value, side: None}
        screens.value = {**screens.value, side: None}


def step() -> None:
    """One round on."""
    round_.value = min(round_.value + 1, last_round())


def back() -> None:
    """One round back."""
    round_.value = max(round_.value - 1, 0)


def end() -> None:
    """Jump to the last round (the story is already played: this only shows it)."""
    playing.value = False
    round_.value = last_round()


def reset() -> None:
    """Back to round 0."""
    playing.value = False
    round_.value = 0


def run_thousand(side: str) -> None:
    """Run 1,000 replications of setup `side` for its agreement odds."""
    setup = setups.value[side]
    changed = apply(scenario(), setup)
    result = run_odds(
        changed, setup.seed, ODDS_REPLICATIONS, setup.max_rounds, protocol=setup.protocol
    )
    zopa = zopa_for(scenario_name.value, setup, changed)
    odds.value = {**odds.value, side: result}
    zopas.value = {**zopas.value, side: zopa}


_ZOPAS: dict[tuple[str, str], str] = {}


def zopa_for(name: str, setup: Setup, changed: Scenario) -> str:
    """`zopa_text` of `changed` (scenario `name` with `setup` applied), counted once per set of
    reservations and red lines: the only settings the ZOPA depends on (a count over every
    outcome of the flagship takes about 2 s; a new deadline or strategy then costs nothing)."""
    key = (name, repr([(p.reservation, p.red_lines) for p in setup.parties.values()]))
    if key not in _ZOPAS:
        if len(_ZOPAS) >= 64:
            _ZOPAS.pop(next(iter(_ZOPAS)))
        _ZOPAS[key] = zopa_text(changed)
    return _ZOPAS[key]


def zopa_text(scenario: Scenario) -> str:
    """How large the zone of possible agreement is under the scenario's stated numbers."""
    stated = stated_analysis(scenario)
    if not stated["zopa_exists"]:
        return "no zone of possible agreement under the stated numbers: no deal clears everyone"
    about = "" if stated["zopa_exact"] else "about "
    return (
        f"zone of possible agreement under the stated numbers: {about}"
        f"{stated['zopa_outcomes']:,} of {stated['outcomes']:,} outcomes "
        f"({percent(stated['zopa_share'])})"
    )


def percent(share: float) -> str:
    """A share as a percentage people can read: 0.46%, 0.0031% (never 0.00% for a few)."""
    if share == 0 or share >= 0.001:
        return f"{share:.2%}"
    return f"{share * 100:.2g}%"


def sweep(side: str, party: str, key: str) -> None:
    """Setup `side`'s agreement probability against `party`'s `key`, around its value."""
    setup = setups.value[side]
    changed = apply(scenario(), setup)
    try:
        values = default_values(changed, party, key)
        curve = mini_sweep(
            changed, setup.seed, party, key, values, SWEEP_REPLICATIONS, setup.max_rounds,
            protocol=setup.protocol,
        )  # fmt: skip
    except NegsimError as exc:
        error.value = str(exc)
        return
    curves.value = {**curves.value, side: (party, key, curve)}


def screen(side: str) -> None:
    """Setup `side`'s quick Morris screen: which of its numbers move its odds most."""
    setup = setups.value[side]
    try:
        result = quick_screen(
            apply(scenario(), setup), setup.seed, max_rounds=setup.max_rounds,
            protocol=setup.protocol,
        )  # fmt: skip
    except NegsimError as exc:
        error.value = str(exc)
        return
    screens.value = {**screens.value, side: result}


def reset_all(name: str | None = None) -> None:
    """Every setting back to the scenario's own (tests start from here)."""
    choose_scenario(name or first_scenario())
    compare.value = False
    editing.value = "A"
    sweep_key.value = "reservation"
    presenting.value = False
