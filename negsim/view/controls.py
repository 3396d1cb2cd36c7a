"""The view's settings: the scenario, the seed and the protocol, and every party's numbers.

Every control writes through `negsim.view.state.change`, which replays the negotiation from
round 0 with the same seed; with A and B compared, the controls edit the side chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import solara

from negsim.strategies import REGISTRY
from negsim.view import state
from negsim.view.story import protocols_for, strategy_parameter


@solara.component
def SettingsPanel() -> None:
    """Scenario, seed, protocol, A/B comparison and the party cards."""
    scenario = state.scenario()
    names = list(state.LIBRARY)
    if state.scenario_name.value not in names:
        names.insert(0, state.scenario_name.value)
    solara.Select("scenario", values=names, value=state.scenario_name.value,
                  on_value=state.choose_scenario)  # fmt: skip
    solara.Switch(label="compare two settings (A and B)", value=state.compare)
    side = state.editing.value if state.compare.value else "A"
    if state.compare.value:
        with solara.Row():
            solara.ToggleButtonsSingle(value=state.editing, values=list(state.SIDES))
            solara.Button("Copy A to B", on_click=state.copy_a_to_b, small=True)
        solara.Markdown(f"_Editing setup {side}._")
    setup = state.setups.value[side]

    def set_setup(**changes: Any) -> None:
        state.change(side, **changes)

    solara.InputInt("seed", value=setup.seed, on_value=lambda v: set_setup(seed=v))
    solara.Select("protocol", values=list(protocols_for(scenario)), value=setup.protocol,
                  on_value=lambda v: set_setup(protocol=v))  # fmt: skip
    solara.Switch(label="story: one draw of the uncertain numbers (off: the stated numbers)",
                  value=setup.drawn, on_value=lambda v: set_setup(drawn=v))  # fmt: skip
    solara.Markdown(f"_{state.story(side).numbers_note()}_")
    for party in scenario.parties:
        # keyed: a card is made afresh for another scenario or side, not refilled (an emptied
        # integer field would otherwise show "None")
        PartyCard(side, party.name).key(f"{state.scenario_name.value}/{side}/{party.name}")


@solara.component
def PartyCard(side: str, name: str) -> None:
    """One party's reservation value, deadline, strategy and its parameter, and red lines."""
    party = state.scenario().party(name)
    mine = state.setups.value[side].parties[name]

    def set_(**changes: object) -> None:
        state.change(side, name, **changes)

    # The numeric fields hold their own values: a refused one is set back to the value in use,
    # so a field never shows a number the negotiation does not use.
    reservation = solara.use_reactive(mine.reservation)
    deadline: solara.Reactive[int | None] = solara.use_reactive(mine.deadline)
    parameter: solara.Reactive[float | None] = solara.use_reactive(mine.parameter)
    held: dict[str, solara.Reactive[Any]] = {
        "reservation": reservation, "deadline": deadline, "parameter": parameter,
    }  # fmt: skip
    for key_, field in held.items():
        if field.peek() != getattr(mine, key_):
            field.set(getattr(mine, key_))

    def setter(key_: str) -> Callable[[Any], None]:
        def set_field(value: Any) -> None:
            if value == getattr(mine, key_):
                return  # the field set back after a refusal, or nothing changed
            if not state.change(side, name, **{key_: value}):
                held[key_].set(getattr(mine, key_))

        return set_field

    def set_strategy(strategy: str) -> None:
        key = strategy_parameter(strategy)
        default = None if key is None else REGISTRY[strategy].params[key].default
        set_(strategy=strategy, parameter=default)

    # the party's name once, as the card's heading; short field names under it
    with solara.Card(margin=0, style={"margin-bottom": "8px"}, classes=[party_class(name)]):
        solara.Markdown(f"#### {party.label}")  # wraps between words, never within one
        solara.InputFloat("reservation", value=reservation,
                          on_value=setter("reservation"))  # fmt: skip
        drawn = state.story(side).reservations()[name]
        if state.setups.value[side].drawn and abs(drawn - mine.reservation) > 5e-3:
            solara.Markdown(f"_in this story's draw: {drawn:.2f}_")
        solara.InputInt("deadline", value=deadline, optional=True,
                        placeholder="none", on_value=setter("deadline"))  # fmt: skip
        solara.Select("strategy", values=sorted(REGISTRY), value=mine.strategy,
                      on_value=set_strategy)  # fmt: skip
        key = strategy_parameter(mine.strategy)
        if key is not None:
            solara.InputFloat(key, value=parameter, optional=True,
                              on_value=setter("parameter"))  # fmt: skip
        if party.red_lines:
            lines = red_lines_text(party.red_lines)
            solara.Switch(label=f"red lines ({lines})", value=mine.red_lines,
                          on_value=lambda v: set_(red_lines=v))  # fmt: skip


def party_class(name: str) -> str:
    """The CSS class of party `name`'s card: its fields are found within it by their names."""
    return f"negsim-party-{name}"


def red_lines_text(red_lines: Mapping[str, Sequence[str]]) -> str:
    """A party's red lines in words that wrap on a narrow card: issue by issue, each option's
    name with spaces for its underscores (`substantial_demilitarization` is one word wider than
    the card at 16 px): "crimea: recognized by all, us de jure; nato: open door"."""
    return "; ".join(
        f"{issue.replace('_', ' ')}: {', '.join(o.replace('_', ' ') for o in options)}"
        for issue, options in red_lines.items()
    )
