"""The view's panels: the round controls, one side's story (transcript, figures, deal), its
odds, and what moves them (a quick Morris screen's tornado).

Each panel reads the per-tab state (`negsim.view.state`) and the story of its side; figures come
from `negsim.view.figures`, the transcript's text from `transcript_blocks`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import cast

import pandas as pd
import solara
from matplotlib.figure import Figure

from negsim.engine.transcript import MEDIATOR
from negsim.plots.sensitivity import plot_tornado
from negsim.scenario import Scenario
from negsim.view import state, style
from negsim.view.figures import odds_curve_figure, readable
from negsim.view.frames import concession_frame, space_frame
from negsim.view.odds import key_words, labelled_shares, sweepable_keys
from negsim.view.screen import Screen, short_labels
from negsim.view.story import Story
from negsim.view.words import reason_words, round_story

RECENT_ROUNDS = 6
"""Rounds of the transcript shown at once; a button shows the earlier ones."""

PLAY_PAUSE = 0.3
"""Seconds from one round to the next while playing, the drawing included (a frame takes about
0.06 s): a little over 3 rounds a second."""

EMPTY_TRANSCRIPT = "_Nothing on the table yet: press **Step**._"


def transcript_blocks(story: Story) -> list[tuple[int, str]]:
    """Every round of the story as a Markdown block, oldest first: the round in plain words
    (`negsim.view.words.round_story`: who rejected what and why) first, then each offer issue by
    issue (changes from the previous offer in bold), what it is worth to every party, and every
    answer. Computed once per story (kept in `story.memo`), so a step renders one new block."""
    if "transcript" not in story.memo:
        scenario = story.scenario
        labels = {p.name: p.label for p in scenario.parties} | {MEDIATOR: "The mediator"}
        blocks: list[tuple[int, str]] = []
        previous: dict[str, str] = {}
        for key, rnd in story.transcript.groupby("round", sort=True):
            number = cast(int, key)  # the transcript's rounds are int64
            lines = [f"#### Round {number}", "", f"**{round_story(rnd, scenario)}**", ""]
            for event in rnd.to_dict("records"):
                lines += _event_lines(event, scenario, labels, previous)
            blocks.append((int(number), "\n".join(lines)))
        story.memo["transcript"] = blocks
    return story.memo["transcript"]


def transcript_markdown(story: Story, round_: int) -> str:
    """Rounds 1 to `round_` of the story, newest first (`transcript_blocks`)."""
    blocks = [text for number, text in transcript_blocks(story) if number <= round_]
    return "\n\n".join(reversed(blocks)) if blocks else EMPTY_TRANSCRIPT


def _event_lines(
    event: dict, scenario: Scenario, labels: dict[str, str], previous: dict[str, str]
) -> list[str]:
    who = labels.get(event["party"], event["party"])
    track = f"[{event['track']}] " if isinstance(event.get("track"), str) and event["track"] else ""
    kind = event["event"]
    if kind in ("offer", "end") and (kind == "offer" or event["outcome"] == "agreement"):
        head = f"**{track}{who} proposes:**" if kind == "offer" else f"**{track}Agreement:**"
        rows = ["| issue | option |", "|:---|:---|"]
        for issue in scenario.issues:
            option = event.get(f"option_{issue.name}")
            if not isinstance(option, str):
                continue
            text = issue.option_labels[issue.index(option)]
            key = f"{event.get('track')}/{issue.name}"
            changed = kind == "offer" and key in previous and previous[key] != option
            if kind == "offer":
                previous[key] = option
            rows.append(f"| {issue.label} | {'**' + text + '**' if changed else text} |")
        worth = ", ".join(
            f"{labels[name]} {event[f'utility_{name}']:.2f}"
            for name in scenario.party_names
            if pd.notna(event.get(f"utility_{name}"))
        )
        return ["", head, "", *rows, "", f"worth: {worth}", ""]  # blank: not in a list
    if kind in ("accept", "reject"):
        verb = "accepts" if kind == "accept" else "**rejects**"
        bar = max(event["target"], event["reservation"])
        return [
            f"- {track}{who} {verb}: {reason_words(event['reason'], scenario)} "
            f"(worth {event['utility']:.3f} to it; "
            f"it asks for {bar:.3f})"
        ]
    if kind == "walk_away":
        leaves = "walks away" if event["required"] else "leaves the table"
        return [f"- **{track}{who} {leaves}**: {event['reason']} ({event['detail']})"]
    if event["outcome"] == "walkaway":
        detail = event.get("detail")
        return ["", f"**{track}No deal**" + (f": {detail}" if isinstance(detail, str) else "")]
    return ["", f"**{track}No deal**: time ran out"]


def markdown_table(frame: pd.DataFrame) -> str:
    """A table as Markdown: no index, no pager, long texts wrap within the page's width."""
    columns = [str(c) for c in frame.columns]
    rows = [
        "| " + " | ".join(str(v).replace("|", "/") for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join(["| " + " | ".join(columns) + " |", "|" + ":---|" * len(columns), *rows])


@solara.component
def RoundControls() -> None:
    """Step, Back, Play/Pause and Reset, and the round on screen."""
    last = state.last_round()
    shown = min(state.round_.value, last)

    def play_loop(cancel: threading.Event) -> None:
        tick = time.monotonic()
        try:
            while state.playing.value and state.round_.value < state.last_round():
                tick = max(tick + PLAY_PAUSE, time.monotonic() - PLAY_PAUSE)  # a steady beat
                if cancel.wait(max(0.0, tick - time.monotonic())):
                    return  # Pause, Reset or End: a newer loop (or none) takes over
                if state.playing.value:
                    state.step()
        finally:  # the Play button comes back however the loop ends
            if not cancel.is_set():
                state.playing.value = False

    # Not intrusive: Solara's default cancels a thread by tracing every line it runs, and this
    # thread renders each round, so tracing slowed every frame; the loop watches `cancel` itself.
    solara.use_thread(play_loop, dependencies=[state.playing.value], intrusive_cancel=False)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button("Step", on_click=state.step, disabled=shown >= last, color="primary")
        solara.Button("Back", on_click=state.back, disabled=shown <= 0)
        if state.playing.value:
            solara.Button("Pause", on_click=lambda: state.playing.set(False))
        else:
            solara.Button("Play", on_click=lambda: state.playing.set(True), disabled=shown >= last)
        solara.Button("End", on_click=state.end, disabled=shown >= last)
        solara.Button("Reset", on_click=state.reset)


@solara.component
def StoryPanel(side: str) -> None:
    """One side's negotiation as it stands in the round on screen."""
    story = state.story(side)
    shown = min(state.round_.value, story.rounds)
    names = story.scenario.party_names
    a, b = state.pair.value
    if a not in names or b not in names or a == b:
        a, b = default_pair(story)
    title = f"Setup {side}: " if state.compare.value else ""
    solara.Markdown(f"### {title}Round {shown} of {story.rounds}")
    if shown >= story.rounds:
        solara.Success(story.ending()) if story.agreed else solara.Warning(story.ending())
    short = short_labels(story.scenario)
    with solara.Row(classes=[style.WRAP]):
        LabelledSelect("utility space: x", short, a, lambda v: state.pair.set((v, b)))
        LabelledSelect("utility space: y", short, b, lambda v: state.pair.set((a, v)))
    with solara.Row(classes=[style.FIGURES]):  # side by side when there is room for both
        solara.Image(space_frame(story, a, b, shown), classes=[style.FIGURE])
        solara.Image(concession_frame(story, shown), classes=[style.FIGURE])
    if shown >= story.rounds and story.agreed:
        solara.Markdown("#### The deal against each party's best option (✓: it got its best)")
        with solara.Column(classes=[style.WIDE_TABLE]):  # scrolls sideways if it must
            solara.Markdown(markdown_table(story.deal_table()))
    solara.Markdown("#### Transcript")
    blocks = [(n, text) for n, text in transcript_blocks(story) if n <= shown]
    every = solara.use_reactive(False)
    with solara.Column(style={"max-height": "32em", "overflow-y": "auto"}):
        if not blocks:
            solara.Markdown(EMPTY_TRANSCRIPT)
        # The newest rounds first; the rest on request, so End need not draw every round at once
        kept = blocks if every.value else blocks[-RECENT_ROUNDS:]
        for number, text in reversed(kept):  # keyed: a step converts only the new round
            solara.Markdown(text).key(f"round-{number}")
        if len(kept) < len(blocks):
            earlier = len(blocks) - len(kept)
            solara.Button(f"Show the {earlier} earlier rounds", on_click=lambda: every.set(True),
                          text=True)  # fmt: skip


@solara.component
def LabelledSelect(
    label: str, shown: dict[str, str], value: str, on_value: Callable[[str], None]
) -> None:
    """A select that shows labels (`shown`: id -> label) and hands on the chosen id."""
    ids = {text: key for key, text in shown.items()}
    solara.Select(label, values=list(ids), value=shown.get(value, value),
                  on_value=lambda text: on_value(ids[text]))  # fmt: skip


def default_pair(story: Story) -> tuple[str, str]:
    """The two parties of the utility space: the most opposed (`negsim.runs.jobs.most_opposed`)."""
    from negsim.runs.jobs import most_opposed

    names = story.scenario.party_names
    return most_opposed(story.scenario) if len(names) > 2 else (names[0], names[1])


@solara.component
def OddsPanel(side: str) -> None:
    """`Run 1000`: the odds of the current settings; and a mini-sweep of one parameter."""
    odds = state.odds.value[side]
    scenario = state.story(side).scenario  # with this side's settings (its strategies)
    with solara.Card("The odds: 1,000 negotiations with these settings"):
        solara.Button("Run 1000", on_click=lambda: state.run_thousand(side), color="primary")
        if odds is not None:
            solara.Markdown(f"**{odds.text()}**")
            shares = labelled_shares(odds, short_labels(scenario))
            rows = [f"| {name} | {share:.3f} |" for name, share in shares.items()]
            solara.Markdown("| outcome | share |\n|:---|---:|\n" + "\n".join(rows))
            zopa = state.zopas.value[side]
            if zopa:
                solara.Markdown(zopa)
        curve = state.curves.value[side]
        party = state.sweep_party.value
        if party not in scenario.party_names:
            party = scenario.party_names[0]
        keys = sweepable_keys(scenario, party)
        key = state.sweep_key.value if state.sweep_key.value in keys else keys[0]
        with solara.Row(classes=[style.WRAP]):
            LabelledSelect("sweep: party", short_labels(scenario), party, state.sweep_party.set)
            LabelledSelect("sweep: parameter", {k: key_words(k) for k in keys}, key,
                           state.sweep_key.set)  # fmt: skip
            solara.Button("Sweep", on_click=lambda: state.sweep(side, party, key))
        if curve is not None:
            who, key, frame = curve
            current = state.setups.value[side].parties[who]
            now = {"reservation": current.reservation, "deadline": current.deadline}.get(key)
            if key.startswith("strategy."):
                now = current.parameter
            label = f"{scenario.party(who).label}: {key_words(key)}"
            solara.FigureMatplotlib(odds_curve_figure(frame, label, now), format="png")
            solara.Markdown(
                f"{len(frame)} values, {int(frame['replications'].iloc[0])} replications each,"
                " in one batched model with the same seed"
            )


SCREEN_HINT = (
    "Which of the parties' numbers (reservations, deadlines, strategy parameters) move the odds "
    "most, each within a small range around its current value: a quick Morris screen, a few "
    "seconds."
)


@solara.component
def ScreenPanel(side: str) -> None:
    """`Screen`: a tornado of the numbers that move this side's odds most, and the top one."""
    screen = state.screens.value[side]
    figure = solara.use_memo(lambda: tornado_figure(screen), dependencies=[id(screen)])
    with solara.Card("What moves the odds"):
        solara.Button("Screen", on_click=lambda: state.screen(side), color="primary")
        if screen is None or figure is None:
            solara.Markdown(SCREEN_HINT)
        else:
            solara.Markdown(screen.what_it_did() + ".")
            solara.FigureMatplotlib(figure, dependencies=[id(screen)], format="png")
            solara.Markdown(f"**{screen.top_sentence()}**")


def tornado_figure(screen: Screen | None) -> Figure | None:
    """The screen's tornado, its numbers named by party and field (None: no screen yet)."""
    if screen is None:
        return None
    figure = plot_tornado(screen.table, "What moves the odds of a deal", labels=screen.labels)
    figure.axes[0].set_xlabel("mu*: how much it moves the odds")
    height = figure.get_size_inches()[1]
    figure.set_size_inches(6.8, height * 1.25)  # 12 pt type, full size in a card at 1024 px
    return readable(figure)
