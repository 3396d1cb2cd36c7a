"""The transcript: what happened at the table, event by event, in a few replications.

A `Recorded(..., transcript=n)` records the events of its first `n` rows (at most
`TRANSCRIPT_LIMIT`): every offer (who proposed what, issue by issue, and what it is worth to every
party), every answer (accepted or rejected, and why: below the party's current target, below its
reservation value, or across one of its red lines, named), every walk-away (its deadline passed,
or nothing still open beats its reservation value) and how each replication ended. The table is
an observer's record, built from the model's own numbers; no agent reads it.

`transcript_table(model)` gives one row per event; `describe(table, scenario)` turns one
replication's rows into sentences (the teaching view's transcript, `transcript.txt`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, cast

import numpy as np
import pandas as pd

from negsim.protocols.table import Negotiator, Table
from negsim.scenario import Scenario
from negsim.utility import TOLERANCE, best_utility


class Speaker(Negotiator, Protocol):
    """A party as the transcript records it: a protocol's view of it, and its deadline."""

    deadline: np.ndarray  # (R,)


class Recorded(Table, Protocol):
    """A model as the transcript records it: its table, each row's index and its protocol."""

    index: np.ndarray  # (R,): each row's replication index
    protocol: Any  # its `transcripts(model)` adds a split-track negotiation's tracks


TRANSCRIPT_LIMIT = 100
"""The most replications a transcript records: it is a story to read, not a data set."""

EVENTS = ("offer", "accept", "reject", "walk_away", "end")
"""The kinds of event, in the order they happen within a round."""

MEDIATOR = "mediator"
"""The proposer of a neutral mediator's text."""


class Transcript:
    """The events of a model's first `rows` rows, as they happen (see the module docstring)."""

    def __init__(self, model: Recorded, rows: int) -> None:
        self.model = model
        self.rows = rows
        self.events: list[dict[str, Any]] = []

    def _kept(self, rows: np.ndarray) -> np.ndarray:
        return np.flatnonzero(rows < self.rows)

    def _event(self, row: int, event: str, party: str, **fields: Any) -> None:
        model = self.model
        self.events.append(
            {
                "replication": int(model.index[row]),
                "round": model.round,
                "event": event,
                "party": party,
                **fields,
            }
        )

    def _offer_fields(self, row: int, offer: np.ndarray) -> dict[str, Any]:
        """The offer's option names issue by issue and its utility to every party."""
        scenario = self.model.scenario
        fields: dict[str, Any] = {
            f"option_{issue.name}": issue.options[int(k)]
            for issue, k in zip(scenario.issues, offer, strict=True)
        }
        for agent in self.model.parties:
            fields[f"utility_{agent.name}"] = float(agent.utility(np.array([row]), offer[None])[0])
        return fields

    def offers(self, rows: np.ndarray, proposer: np.ndarray, offers: np.ndarray) -> None:
        """`proposer[j]` (-1: the mediator) put `offers[j]` on the table in `rows[j]`."""
        names = self.model.scenario.party_names
        for j in self._kept(rows):
            who = MEDIATOR if proposer[j] < 0 else names[proposer[j]]
            self._event(int(rows[j]), "offer", who, **self._offer_fields(int(rows[j]), offers[j]))

    def answers(
        self,
        agent: Speaker,
        rows: np.ndarray,
        accepted: np.ndarray,
        utility: np.ndarray,
        floor: np.ndarray,
        objections: np.ndarray,
    ) -> None:
        """`agent`'s answers in `rows`, with what decided them."""
        issues = self.model.scenario.issues
        for j in self._kept(rows):
            row = int(rows[j])
            reservation = float(agent.reservation[row])
            crossed = [issues[i].name for i in np.flatnonzero(objections[j])]
            fields = {
                "utility": float(utility[j]),
                "target": float(floor[j]),
                "reservation": reservation,
                "red_lines": ",".join(crossed),
            }
            if accepted[j]:
                met = utility[j] >= max(floor[j], reservation) - TOLERANCE
                fields["reason"] = "meets its target" if met else "as good as the best it received"
                self._event(row, "accept", agent.name, **fields)
                continue
            if crossed:
                reason = "crosses its red line on " + ", ".join(crossed)
            elif utility[j] < reservation - TOLERANCE:
                reason = "below its reservation value"
            else:
                reason = "below its current target"
            self._event(row, "reject", agent.name, reason=reason, **fields)

    def walk_aways(self, agent: Speaker, rows: np.ndarray, why: str) -> None:
        """`agent` left the table in `rows`: `why` is "deadline" or "nothing_left"."""
        model = self.model
        kept = rows[self._kept(rows)]
        if kept.size == 0:
            return
        if why == "deadline":
            reason = "its deadline passed"
            detail = [f"deadline {int(agent.deadline[row])}" for row in kept]
        else:
            reason = "nothing still open beats its reservation value"
            best = best_utility(agent.table.take(kept, axis=0), model.forbidden_for(agent, kept))
            detail = [
                f"best still open {b:.3f} < reservation {agent.reservation[row]:.3f}"
                for b, row in zip(best, kept, strict=True)
            ]
        for row, text in zip(kept, detail, strict=True):
            self._event(
                int(row),
                "walk_away",
                agent.name,
                reason=reason,
                detail=text,
                reservation=float(agent.reservation[row]),
                required=bool(model.required[agent.index]),
            )

    def ends(self, rows: np.ndarray, outcome: str) -> None:
        """`rows` ended this round with `outcome` (agreement, walkaway, timeout)."""
        model = self.model
        names = model.scenario.party_names
        for row in rows[self._kept(rows)]:
            row = int(row)
            fields: dict[str, Any] = {"outcome": outcome}
            if outcome == "agreement":
                fields.update(self._offer_fields(row, model.deal[row]))
            elif outcome == "walkaway" and model.walked[row] >= 0:
                fields["detail"] = f"{names[model.walked[row]]} walked away"
            self._event(row, "end", "", **fields)

    def table(self, track: str = "") -> pd.DataFrame:
        """The events so far, one row each, in the order they happened."""
        frame = pd.DataFrame(self.events, columns=_columns(self.model.scenario))
        frame.insert(2, "track", track)
        # Fixed types, whichever events happened: the same story gives the same table.
        types = {"replication": "int64", "round": "int64", "required": "boolean"}
        for column in frame.columns:
            if column in NUMBERS or column.startswith("utility_"):
                types[column] = "float64"
            elif column not in types:
                types[column] = "string"
        return frame.astype(types)


NUMBERS = ("utility", "target", "reservation")


def _columns(scenario: Scenario) -> list[str]:
    return [
        "replication",
        "round",
        "event",
        "party",
        "reason",
        "detail",
        "utility",
        "target",
        "reservation",
        "red_lines",
        "required",
        "outcome",
        *[f"option_{name}" for name in scenario.issue_names],
        *[f"utility_{name}" for name in scenario.party_names],
    ]


def transcript_table(model: Recorded) -> pd.DataFrame:
    """Every recorded event of `model` (and of its tracks, under split tracks), by round.

    Raises:
        ValueError: when the model records no transcript (`transcript=0`).
    """
    if model.transcript is None:
        raise ValueError("the model records no transcript (create it with transcript=N)")
    frames = [model.transcript.table(), *model.protocol.transcripts(model)]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return model.transcript.table()
    frame = pd.concat(frames, ignore_index=True)
    order = frame["event"].map({e: i for i, e in enumerate(EVENTS)})
    # Within a round, tracks' events come before the parent's end of the whole negotiation.
    frame = frame.assign(_order=order, _parent=frame["track"] == "")
    frame = frame.sort_values(["replication", "round", "_parent"], kind="stable")
    return frame.drop(columns=["_order", "_parent"]).reset_index(drop=True)


def describe(table: pd.DataFrame, scenario: Scenario, replication: int = 0) -> Iterator[str]:
    """One replication's events as sentences, round by round (option labels, party labels)."""
    labels = {p.name: p.label for p in scenario.parties} | {MEDIATOR: "The mediator"}
    rows = table[table["replication"] == replication]
    current = None
    for event in cast(Any, rows).itertuples(index=False):  # pandas-stubs: rows as tuples
        if event.round != current:
            current = event.round
            yield f"Round {current}"
        yield "  " + sentence(event._asdict(), scenario, labels)


def sentence(event: dict[str, Any], scenario: Scenario, labels: dict[str, str]) -> str:
    """One event as a sentence."""
    who = labels.get(event["party"], event["party"])
    track = f"[{event['track']}] " if event.get("track") else ""
    kind = event["event"]
    if kind == "offer":
        return f"{track}{who} proposes: {offer_text(event, scenario)}; {worth_text(event, labels)}"
    if kind in ("accept", "reject"):
        verb = "accepts" if kind == "accept" else "rejects"
        bar = max(event["target"], event["reservation"])
        return (
            f"{track}{who} {verb} ({event['reason']}): worth {event['utility']:.3f} to it, "
            f"it asks for {bar:.3f}"
        )
    if kind == "walk_away":
        leaves = "walks away" if event["required"] else "leaves the table"
        return f"{track}{who} {leaves}: {event['reason']} ({event['detail']})"
    outcome = event["outcome"]
    if outcome == "agreement":
        return f"{track}Agreement: {offer_text(event, scenario)}; {worth_text(event, labels)}"
    if outcome == "walkaway":
        detail = event.get("detail")
        return f"{track}No deal: {detail}" if isinstance(detail, str) else f"{track}No deal"
    return f"{track}No deal: time ran out"


def offer_text(event: dict[str, Any], scenario: Scenario) -> str:
    """An offer's options as labels, issue by issue (issues a track leaves out skipped)."""
    parts = []
    for issue in scenario.issues:
        option = event.get(f"option_{issue.name}")
        if isinstance(option, str):
            parts.append(f"{issue.label}: {issue.option_labels[issue.index(option)]}")
    return "; ".join(parts)


def worth_text(event: dict[str, Any], labels: dict[str, str]) -> str:
    """What an offer is worth to every party."""
    worth = [
        f"{labels.get(key[8:], key[8:])} {value:.2f}"
        for key, value in event.items()
        if key.startswith("utility_") and isinstance(value, float) and not np.isnan(value)
    ]
    return "worth " + ", ".join(worth)
