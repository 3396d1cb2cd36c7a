"""negsim's teaching view: one negotiation round by round, its settings, and its odds.

Served by `negsim-view` (`negsim.view.serve`) on 127.0.0.1; Solara runs `Page` once per browser
tab, each with its own state (`negsim.view.state`).
"""

from __future__ import annotations

import solara

from negsim.view import state, style
from negsim.view.controls import SettingsPanel
from negsim.view.debrief import DebriefPanel
from negsim.view.glossary import Glossary
from negsim.view.panels import OddsPanel, RoundControls, ScreenPanel, StoryPanel
from negsim.view.seat_panel import SeatPanel
from negsim.view.style import ViewStyle


@solara.component
def Page() -> None:
    """The whole view: watch the agents negotiate, or play one party against them."""
    ViewStyle()
    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab("Watch the agents"):
            Watch()
        with (
            solara.lab.Tab("Play as"),
            solara.Column(classes=[style.WATCH], style={"padding": "8px"}),  # the same type
        ):
            SeatPanel()
            DebriefPanel()


PRESENTATION_SWITCH = "presentation mode (for the projector)"
"""The switch's label: larger type, the settings folded away, the story the whole width."""


@solara.component
def Watch() -> None:
    """The settings on the left; the story, its figures, its odds and what moves them. In
    presentation mode the settings are folded away and the story takes the whole width."""
    scenario = state.scenario()
    solara.Title(f"negsim: {scenario.label}")
    sides = state.SIDES if state.compare.value else ("A",)
    presenting = state.presenting.value
    classes = [style.WATCH, *([style.PRESENTING] if presenting else [])]
    with solara.Column(classes=classes, gap="4px", style={"padding": "8px"}):
        solara.Switch(label=PRESENTATION_SWITCH, value=state.presenting)
        with solara.Row(gap="16px", style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
            # the settings column stays in place, empty and hidden, while presenting: the story
            # beside it keeps its state (the transcript's earlier rounds shown, say)
            settings = {"display": "none"} if presenting else SETTINGS_COLUMN
            with solara.Column(classes=[style.SETTINGS], style=settings):
                if not presenting:
                    SettingsPanel()
            with solara.Column(style={"flex": "1 1 0", "min-width": "0"}):
                solara.Markdown(f"## {scenario.label}")
                Glossary()
                if state.error.value:
                    solara.Error(state.error.value)
                RoundControls()
                with solara.Columns([1] * len(sides), wrap=True, classes=[style.SIDES]):
                    for side in sides:
                        with solara.Column():
                            StoryPanel(side)
                            OddsPanel(side)
                            ScreenPanel(side)


SETTINGS_COLUMN = {
    "flex": "0 0 clamp(260px, 24vw, 400px)",
    "min-width": "0",
    "max-height": "96vh",
    "overflow-y": "auto",
    "padding-right": "6px",
}
"""The settings column: a quarter of a 1024 px screen, at most 400 px on a wide one (its
padding holds a select's icon's focus ring, which would scroll the column sideways)."""
