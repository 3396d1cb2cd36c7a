"""Split tracks: each of the scenario's tracks negotiated at its own table, side by side.

Moscow "might request the Trump administration to split the negotiation process", so that "the
broader relationship" is not "held hostage to Ukraine". This protocol negotiates every track a
scenario declares (`tracks:`, see docs/reference/scenario.md) in a `NegotiationModel` of its own:
the track's issues and parties only, each party's weights rescaled to sum to 1 over the track's
issues (its utility on the track is its utility over those issues divided by its weight on them, so
its reservation value applies on the same [0, 1] scale), red lines restricted to the track, and the
parent's drawn numbers restricted the same way. Each round every track plays one round of its
`inner` protocol with its own walk-aways, deadlines and timeouts; the parent model only adds up.

- linkage=true: nothing is agreed until everything is agreed. A replication agrees when every
  track has agreed (the deal combines the tracks' deals); the first failure on any track ends it as
  that failure (outcome, round, who walked away), nothing stands, and tracks still negotiating
  stop (their outcome is `stopped`).
- linkage=false: each track's agreement stands on its own. A replication ends when every track has
  ended: an agreement if every track agreed, else the outcome of the track that failed first, with
  the agreed tracks' options still in `model.deal` and in the `deal_<issue>` columns.

Ratification: when every track has agreed, the combined deal is presented to every required
party, which answers it in its own full utilities ("a Moscow-Washington agreement presented to
Ukrainian and European leaders"). A party that the combined deal leaves below its reservation
value, or that it takes across one of its red lines (a track ignores the red lines of parties not
seated at it), refuses to ratify and walks away: the replication ends as that party's walk-away
(the party furthest below its reservation, a red line counting as furthest; exact ties drawn from
the replication's own stream). The results column `ratified` says, per replication, whether a
combined deal was ratified (true), refused (false) or never presented (empty); under
linkage=false the tracks' deals still stand in the `deal_<issue>` columns.
"""

from __future__ import annotations

import copy
import weakref
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from negsim.protocols.alternating import AlternatingOffers
from negsim.protocols.base import Protocol
from negsim.protocols.mediated import MediatedText
from negsim.protocols.seating import places, restricted
from negsim.protocols.simultaneous import SimultaneousOffers
from negsim.protocols.table import Table
from negsim.registry import Registry
from negsim.scenario import Scenario, Track, parse_scenario
from negsim.scenario.draws import Draws
from negsim.scenario.points import Point
from negsim.status import Outcome
from negsim.streams import BLOCK, RATIFY, TRACK
from negsim.utility import TOLERANCE, crosses

RUNNING, AGREEMENT, WALKAWAY, TIMEOUT, STOPPED = range(5)  # `Outcome` codes, plus STOPPED
INNER_PROTOCOLS: Registry[Protocol] = Registry(
    "inner protocol", [AlternatingOffers, SimultaneousOffers, MediatedText]
)
"""The protocols a track may run (`protocol.inner`): any but split_track itself."""
TRACK_OUTCOMES = np.array(["running", "agreement", "walkaway", "timeout", "stopped"], dtype=object)


@dataclass
class TrackRun:
    """One track's negotiation within a parent model, and how it ended per replication."""

    track: Track
    model: Table
    issues: np.ndarray  # parent indices of the track's issues
    parties: np.ndarray  # parent indices of the track's parties
    outcome: np.ndarray  # (R,) RUNNING, AGREEMENT, WALKAWAY, TIMEOUT or STOPPED
    round: np.ndarray  # (R,) the round the track ended
    walked: np.ndarray  # (R,) parent index of the party that walked away, -1 if none


class SplitTrack(Protocol):
    """The scenario's tracks negotiated apart, linked (all or nothing) or each standing alone."""

    name: ClassVar[str] = "split_track"
    description: ClassVar[str] = "each track negotiated apart; linkage: all tracks or nothing"
    params: ClassVar[dict[str, Any]] = {
        "linkage": True,
        "inner": "alternating",
        "seating": "drawn",
    }
    model_walk_aways: ClassVar[bool] = False  # the tracks' own models check walk-aways

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        if not isinstance(self.values["linkage"], bool):
            raise ValueError(f"linkage must be true or false, got {self.values['linkage']!r}")
        inner = self.values["inner"]
        if not isinstance(inner, str) or inner not in INNER_PROTOCOLS:
            known = ", ".join(sorted(INNER_PROTOCOLS))
            raise ValueError(f"inner must name a protocol (known: {known}), got {inner!r}")
        self._runs: weakref.WeakKeyDictionary[Table, list[TrackRun]] = weakref.WeakKeyDictionary()
        # Per replication: 1 ratified, 0 refused, -1 no combined deal presented.
        self._ratified: weakref.WeakKeyDictionary[Table, np.ndarray] = weakref.WeakKeyDictionary()

    def runs(self, model: Table) -> list[TrackRun]:
        """The tracks' negotiations of `model`, in the scenario's track order."""
        return self._runs[model]

    def transcripts(self, model: Table) -> list[Any]:
        """Each track's transcript table, its events labelled with the track's name."""
        return [
            run.model.transcript.table(run.track.name)
            for run in self.runs(model)
            if run.model.transcript is not None
        ]

    def release(self, model: Table) -> None:
        """Free the tracks' models' arrays with their parent's."""
        for run in self._runs.get(model, []):
            run.model.release()

    def setup(self, model: Table) -> None:
        """Check the tracks cover every issue and required party; build one model per track."""
        scenario = model.scenario
        if not scenario.tracks:
            raise ValueError(
                f"split_track needs a scenario with `tracks:`; {scenario.name!r} declares none"
            )
        covered = {issue for track in scenario.tracks for issue in track.issues}
        missing = [name for name in scenario.issue_names if name not in covered]
        if missing:
            raise ValueError(f"split_track needs every issue on a track; on none: {missing}")
        seated = {party for track in scenario.tracks for party in track.parties}
        absent = [p.name for p in scenario.parties if p.required and p.name not in seated]
        if absent:
            raise ValueError(
                f"split_track needs every required party on a track; on none: {absent}"
            )
        runs = []
        for number, track in enumerate(scenario.tracks):
            parties = np.array([scenario.party_names.index(p) for p in track.parties])
            issues = np.array([scenario.issue_names.index(i) for i in track.issues])
            # Each point's track, with the point's numbers; the track's own random streams.
            points = [
                Point(track_scenario(p.scenario, track), p.seed, p.replications, p.start)
                for p in model.points
            ]
            n_options = points[0].scenario.option_mask.shape[1]
            sub = type(model).from_points(
                points,
                max_rounds=model.max_rounds,
                record=model.record,
                protocol=INNER_PROTOCOLS.build(self.values["inner"]),
                draws=track_draws(model.draws, parties, issues, n_options),
                accept_best_after=model.accept_best_after,
                streams=model.streams.derived(TRACK, number),
                transcript=0 if model.transcript is None else model.transcript.rows,
            )
            # The parent's first proposer opens every track it sits at; elsewhere the track's draw.
            local = np.full(len(scenario.parties), -1)
            local[parties] = np.arange(parties.size)
            opener = local[model.first_proposer]
            sub.first_proposer = np.where(opener >= 0, opener, sub.first_proposer)
            sub.proposer = sub.first_proposer.copy()
            sub.seating = restricted(model.seating, parties)  # the parent's seating
            sub.place = places(sub.seating)
            size = model.replications
            runs.append(
                TrackRun(
                    track=track,
                    model=sub,
                    issues=issues,
                    parties=parties,
                    outcome=np.zeros(size, dtype=np.int8),
                    round=np.zeros(size, dtype=np.int64),
                    walked=np.full(size, -1, dtype=np.int64),
                )
            )
        self._runs[model] = runs
        self._ratified[model] = np.full(model.replications, -1, dtype=np.int8)

    def play(self, model: Table, rows: np.ndarray) -> None:
        """Play a round on every track, then settle the replications whose tracks say so."""
        runs = self._runs[model]
        for run in runs:
            sub = run.model
            if sub.running:
                sub.step()
                if model.record and sub.round == model.round:
                    model.offer_history[model.round - 1][:, run.issues] = sub.offer_history[
                        sub.round - 1
                    ]
            ended = (run.outcome == RUNNING) & (sub.status != RUNNING)
            run.outcome[ended] = sub.status[ended]
            run.round[ended] = sub.end_round[ended]
            walked = sub.walked[ended]
            run.walked[ended] = np.where(walked >= 0, run.parties[np.maximum(walked, 0)], -1)
        self._settle(model, rows, runs)

    def _settle(self, model: Table, rows: np.ndarray, runs: list[TrackRun]) -> None:
        codes = np.stack([run.outcome[rows] for run in runs])  # (T, n)
        failing = (codes == WALKAWAY) | (codes == TIMEOUT)
        agreed = (codes == AGREEMENT).all(axis=0)
        failed = failing.any(axis=0)
        if not self.values["linkage"]:
            failed &= (codes != RUNNING).all(axis=0)
        if agreed.any():
            done = rows[agreed]
            deals = np.full((done.size, model.deal.shape[1]), -1, dtype=np.int64)
            for run in runs:
                deals[:, run.issues] = run.model.deal[done]
            refused = refusals(model, done, deals)
            ok = refused < 0
            self._ratified[model][done] = np.where(ok, 1, 0)
            model.conclude(done[ok], deals[ok])
            if not ok.all():
                model.end(done[~ok], Outcome.WALKAWAY, refused[~ok])
                if not self.values["linkage"]:  # the tracks' deals stand, unratified
                    model.deal[done[~ok]] = deals[~ok]
        if not failed.any():
            return
        done, line = rows[failed], np.arange(int(failed.sum()))
        # The track that failed first (then the first in track order) says how it ended.
        rounds = np.stack([run.round[done] for run in runs])
        first = np.where(failing[:, failed], rounds, np.iinfo(np.int64).max).argmin(axis=0)
        outcome = codes[:, failed][first, line]
        walked = np.stack([run.walked[done] for run in runs])[first, line]
        for code in (WALKAWAY, TIMEOUT):
            mine = outcome == code
            if mine.any():
                model.end(done[mine], Outcome(code), walked[mine])
        for run in runs:
            if self.values["linkage"]:  # nothing stands; tracks still talking stop
                open_ = run.outcome[done] == RUNNING
                for code in (WALKAWAY, TIMEOUT):
                    mine = open_ & (outcome == code)
                    run.model.end(done[mine], Outcome(code))
                run.outcome[done[open_]] = STOPPED
                run.round[done[open_]] = model.round
            else:  # the agreed tracks' deals stand
                kept = done[run.outcome[done] == AGREEMENT]
                model.deal[np.ix_(kept, run.issues)] = run.model.deal[kept]

    def result_columns(self, model: Table) -> dict[str, Any]:
        """Per track: outcome, round, who walked away; `deal_<issue>` wherever an option stands."""
        names = np.array([*model.scenario.party_names, None], dtype=object)  # -1 -> None
        columns: dict[str, Any] = {}
        for i, issue in enumerate(model.scenario.issues):
            labels = np.array([*issue.options, None], dtype=object)
            columns[f"deal_{issue.name}"] = labels[model.deal[:, i]]
        for run in self._runs[model]:
            key = f"track_{run.track.name}"
            columns[f"{key}_outcome"] = TRACK_OUTCOMES[run.outcome]
            columns[f"{key}_round"] = run.round.copy()
            columns[f"{key}_walked_away"] = names[run.walked]
        ratified = pd.array(self._ratified[model] == 1, dtype="boolean")
        ratified[self._ratified[model] < 0] = pd.NA
        columns["ratified"] = ratified
        return columns


def refusals(model: Table, rows: np.ndarray, deals: np.ndarray) -> np.ndarray:
    """Who refuses to ratify `deals[j]` in `rows[j]`: a required party at the table that the
    deal leaves below its reservation value or takes across a red line, in its own full
    utilities; the one furthest below (a red line counting as furthest, exact ties drawn from the
    row's own stream), or -1 where every required party ratifies."""
    shortfall = np.full((rows.size, len(model.parties)), -np.inf)
    for agent in model.parties:
        if not model.required[agent.index]:
            continue
        below = agent.reservation[rows] - agent.utility(rows, deals)
        below = np.where(below > TOLERANCE, below, -np.inf)
        crossed = crosses(agent.red_lines, deals).any(axis=1)
        present = model.at_table[rows, agent.index]
        shortfall[:, agent.index] = np.where(crossed, np.inf, below)
        shortfall[~present, agent.index] = -np.inf
    refusing = shortfall > -np.inf
    if not refusing.any():
        return np.full(rows.size, -1, dtype=np.int64)
    tied = refusing & (shortfall == shortfall.max(axis=1, keepdims=True))
    n_parties = len(model.parties)
    order = model.streams.draw(
        (RATIFY, model.round), (n_parties,), lambda g, _: g.random((BLOCK, n_parties))
    )[rows]
    who = np.where(tied, order, -1.0).argmax(axis=1)
    return np.where(refusing.any(axis=1), who, -1).astype(np.int64)


def track_scenario(scenario: Scenario, track: Track) -> Scenario:
    """The scenario of one track: its issues and parties, weights rescaled to sum to 1."""
    data = copy.deepcopy(scenario.data)
    data.pop("tracks", None)
    data["name"] = f"{scenario.name}.{track.name}"
    data["label"] = f"{scenario.label}: {track.label}"
    data["issues"] = {name: data["issues"][name] for name in track.issues}
    parties = {}
    for name in track.parties:
        spec = data["parties"][name]
        positions = {issue: dict(spec["positions"][issue]) for issue in track.issues}
        share = sum(position["weight"] for position in positions.values())
        for position in positions.values():
            position["weight"] = position["weight"] / share
        spec["positions"] = positions
        red_lines = spec.get("red_lines") or {}
        spec["red_lines"] = {k: v for k, v in red_lines.items() if k in track.issues}
        parties[name] = spec
    data["parties"] = parties
    return parse_scenario(data, source=f"{scenario.source} (track {track.name})")


def track_draws(draws: Draws, parties: np.ndarray, issues: np.ndarray, n_options: int) -> Draws:
    """A parent's drawn numbers restricted to a track; weights rescaled per replication."""
    weights = draws.weights[parties][:, :, issues]
    share = weights.sum(axis=2, keepdims=True)
    return Draws(
        weights=weights / np.maximum(share, 1e-300),
        values=draws.values[parties][:, :, issues, :n_options],
        reservations=draws.reservations[parties],
    )
