"""The "Play as" panel: a student takes one party's seat against the agents.

The student chooses a party; on their turn they build an offer issue by issue (each option shows
its worth to them) and propose it; when an agent proposes, they accept or reject; they may leave
the table. The seated game's transcript shows what the student may know. At the end, the deal
against the two parties' frontier and Nash point, and what the agents alone reached with the
same seed. The seat is per browser tab (`solara.reactive`), so each tab plays its own game.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure

from negsim.errors import NegsimError
from negsim.view import debrief, state
from negsim.view.panels import markdown_table
from negsim.view.seat import ANSWER, PROPOSE, Seat, SeatResult
from negsim.view.seat_figure import seat_space_figure
from negsim.view.words import reason_words

seat: solara.Reactive[Seat | None] = solara.reactive(None)
moves = solara.reactive(0)  # bumped after every move: the seat changes in place
chosen = solara.reactive("")  # the party to play, by name
offer: solara.Reactive[dict[str, str]] = solara.reactive({})  # the offer being built
problem: solara.Reactive[str | None] = solara.reactive(None)


def take_seat(party: str) -> None:
    """Start a game as `party` with the view's current settings (setup A)."""
    try:
        new = Seat(state.scenario(), state.setups.value["A"], party)
    except NegsimError as exc:
        problem.value = str(exc)
        return
    seat.value = new
    offer.value = best_offer(new)
    problem.value = None
    moves.value += 1


def best_offer(current: Seat) -> dict[str, str]:
    """The seated party's best option on every issue (where building an offer starts)."""
    return {i: max(o, key=o.__getitem__) for i, o in current.option_values().items()}


def act(move: Callable[[], None]) -> None:
    """Make a move on the seat: a mistake shows its one-line message, an ending is recorded."""
    current = seat.value
    if current is None:
        return
    try:
        move()
    except NegsimError as exc:
        problem.value = str(exc)
        return
    problem.value = None
    if current.finished and debrief.record(current):
        debrief.refreshed.value += 1  # this tab's debrief shows the new point
    moves.value += 1


def option_label(label: str, worth: float) -> str:
    """An option as the student sees it: its label and its worth to them."""
    return f"{label} ({worth:.2f})"


def offer_markdown(current: Seat, options: dict[str, str]) -> str:
    """An offer issue by issue with each option's worth to the student, and its total."""
    worth = current.offer_value(options)
    rows = ["| issue | option | worth to you |", "|:---|:---|---:|"]
    for issue in current.scenario.issues:
        text = issue.option_labels[issue.index(options[issue.name])]
        rows.append(f"| {issue.label} | {text} | {worth.by_issue[issue.name]:.2f} |")
    return "\n".join([*rows, "", f"**Worth {worth.total:.2f} to you.**"])


def seat_transcript(current: Seat) -> str:
    """The seated game so far, newest round first, as the student may know it."""
    labels = {p.name: p.label for p in current.scenario.parties}
    labels[current.party] = "You"
    issues = current.scenario.issues
    blocks = []
    for number, events in current.transcript().groupby("round", sort=False):
        lines = [f"#### Round {number}"]
        for event in events.to_dict("records"):
            who = labels.get(event["party"], event["party"])
            kind = event["event"]
            if kind == "offer":
                options = "; ".join(
                    issue.option_labels[issue.index(event[f"option_{issue.name}"])]
                    for issue in issues
                )
                lines.append(f"- **{who} propose{'' if who == 'You' else 's'}** "
                             f"(worth {event['worth']:.2f} to you): {options}")  # fmt: skip
            elif kind in ("accept", "reject"):
                why = reason_words(event["reason"], current.scenario)
                verb = kind if who == "You" else f"{kind}s"
                lines.append(f"- {who} {verb}" + (f": {why}" if why and who != "You" else ""))
            elif kind == "walk_away":
                lines.append(f"- {who} walk{'' if who == 'You' else 's'} away: {event['reason']}")
        blocks.append("\n".join(lines))
    return "\n\n".join(reversed(blocks)) if blocks else "_Nothing on the table yet._"


def result_figure(result: SeatResult) -> Figure:
    """The student's deal against the frontier and the Nash point, with the agents' deal."""
    space = result.space
    point = np.array([result.utilities[result.party], result.utilities[result.other]])
    agreed = result.story.agreed
    return seat_space_figure(
        space.labels, space.frontier, space.reservations, space.nash,
        deals=point if agreed else np.empty((0, 2)),
        no_deals=np.empty((0, 2)) if agreed else point,
        agents=result.agents_point(), title=f"{space.labels[0]} (you) and {space.labels[1]}",
        deal_label="your deal", cloud=space.cloud,
    )  # fmt: skip


@solara.component
def SeatPanel() -> None:
    """Choose a party and play its seat against the agents."""
    _ = moves.value
    scenario = state.scenario()
    labels = {p.label: p.name for p in scenario.parties}
    current = seat.value
    if current is not None and current.source.name != scenario.name:
        current = None  # another scenario is on screen: start again
    with solara.Card("Take a seat"):
        with solara.Row():
            names = {v: k for k, v in labels.items()}
            solara.Select(
                "Play as", values=list(labels), value=names.get(chosen.value),
                on_value=lambda label: chosen.set(labels[label]),
            )  # fmt: skip
            solara.Button(
                "Take the seat", color="primary", disabled=not chosen.value,
                on_click=lambda: take_seat(chosen.value),
            )  # fmt: skip
        if problem.value:
            solara.Error(problem.value)
        if current is None:
            solara.Markdown(
                "_Choose a party and take its seat: you make its offers and answers, the "
                "agents play the others with the view's settings (A) and the stated numbers._"
            )
            return
        Briefing(current)
        turn = current.turn()
        if turn.kind == PROPOSE:
            OfferForm(current, turn.round)
        elif turn.kind == ANSWER and turn.offer is not None:
            label = scenario.party(turn.proposer or "").label
            solara.Markdown(f"### Round {turn.round}: {label} proposes")
            solara.Markdown(offer_markdown(current, turn.offer))
            with solara.Row():
                solara.Button(
                    "Accept", color="primary", on_click=lambda: act(lambda: current.answer(True))
                )
                solara.Button("Reject", on_click=lambda: act(lambda: current.answer(False)))
                solara.Button("Leave the table", on_click=lambda: act(current.leave))
        else:
            Ending(current)
        solara.Markdown("### What happened at the table")
        with solara.Column(style={"max-height": "32em", "overflow-y": "auto"}):  # newest first
            solara.Markdown(seat_transcript(current))


@solara.component
def Briefing(current: Seat) -> None:
    """The student's own numbers: their walk-away value and red lines."""
    lines = current.red_lines()
    issues = {i.name: i for i in current.scenario.issues}
    text = "; ".join(
        f"{issues[name].label}: "
        + ", ".join(issues[name].option_labels[issues[name].index(o)] for o in opts)
        for name, opts in lines.items()
    )
    solara.Markdown(
        f"You are **{current.label}**. No deal is worth **{current.reservation:.2f}** to you "
        f"(your walk-away value)." + (f" Your red lines: {text}." if text else "")
    )


@solara.component
def OfferForm(current: Seat, round_: int) -> None:
    """Build an offer issue by issue, see its worth to you live, propose it."""
    values = current.option_values()
    building = offer.value or best_offer(current)
    solara.Markdown(f"### Round {round_}: your turn to propose")
    for issue in current.scenario.issues:
        shown = {
            option_label(text, values[issue.name][name]): name
            for name, text in zip(issue.options, issue.option_labels, strict=True)
        }
        picked = next(k for k, v in shown.items() if v == building[issue.name])

        def pick(label: str, issue_name: str = issue.name, shown: dict = shown) -> None:
            offer.value = {**building, issue_name: shown[label]}

        solara.Select(issue.label, values=list(shown), value=picked, on_value=pick)
    worth = current.offer_value(building).total
    below = " (below your walk-away value)" if worth < current.reservation else ""
    solara.Markdown(f"**Your offer is worth {worth:.2f} to you{below}.**")
    with solara.Row():
        solara.Button(
            "Propose", color="primary", on_click=lambda: act(lambda: current.propose(building))
        )
        solara.Button("Leave the table", on_click=lambda: act(current.leave))


@solara.component
def Ending(current: Seat) -> None:
    """How the seated game ended, against the frontier, and what the agents alone reached."""
    result = solara.use_memo(current.result, dependencies=[current.id])
    worth = result.utilities[current.party]
    solara.Markdown(f"### {result.story.ending()} Worth {worth:.2f} to you.")
    solara.FigureMatplotlib(result_figure(result), dependencies=[current.id], format="png")
    solara.Markdown(f"{result.agents_sentence()} {result.nash_sentence()}")
    if result.deal is not None:
        issues = current.scenario.issues
        deal = [i.option_labels[i.index(result.deal[i.name])] for i in issues]
        frame = pd.DataFrame({"issue": [i.label for i in issues], "deal": deal})
        solara.Markdown(markdown_table(frame))
