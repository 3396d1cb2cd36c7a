"""negsim's teaching view: one negotiation round by round, its settings, and its odds.

Served by `negsim-view` (`negsim.view.serve`) on 127.0.0.1; Solara runs `Page` once per browser
tab, each with its own state (`negsim.view.state`).
"""

from __future__ import annotations

import solara

from negsim.view import state
from negsim.view.controls import SettingsPanel
from negsim.view.debrief import DebriefPanel
from negsim.view.glossary import Glossary
from negsim.view.panels import OddsPanel, RoundControls, ScreenPanel, StoryPanel
from negsim.view.seat_panel import SeatPanel


@solara.component
def Page() -> None:
    """The whole view: watch the agents negotiate, or play one party against them."""
    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab("Watch the agents"):
            Watch()
        with solara.lab.Tab("Play as"):
            SeatPanel()
            DebriefPanel()


@solara.component
def Watch() -> None:
    """The settings on the left; the story, its figures, its odds and what moves them."""
    scenario = state.scenario()
    solara.Title(f"negsim: {scenario.label}")
    sides = state.SIDES if state.compare.value else ("A",)
    with solara.Columns([1, 2 * len(sides) + 1], style={"padding": "8px"}):
        with solara.Column(style={"max-height": "96vh", "overflow-y": "auto"}):
            SettingsPanel()
        with solara.Column():
            solara.Markdown(f"## {scenario.label}")
            Glossary()
            if state.error.value:
                solara.Error(state.error.value)
            RoundControls()
            with solara.Columns([1] * len(sides)):
                for side in sides:
                    with solara.Column():
                        StoryPanel(side)
                        OddsPanel(side)
                        ScreenPanel(side)
