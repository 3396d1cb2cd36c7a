"""NegotiationModel: R replications of one scenario negotiated in lockstep.

One `step()` is one round in every replication still running:

1. A party walks away when its deadline has passed, or when nothing still open (no option closed
   by its own red lines or by red lines others announced) can beat its reservation value. A
   required party walking away ends the replication; a party not required just leaves the table.
2. The protocol (`negsim.protocols`, stacked alternating offers by default) plays the round through
   the model's shared moves: `publish` an offer (the opponent model and the strategies see it),
   `answer` it (every party at the table accepts or rejects it, names the red lines it crosses,
   and announces its risk), and `conclude` the replications that agreed.
3. After `max_rounds` rounds a replication still running times out.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from negsim.agents import PartyAgent
from negsim.analysis.replication_quality import EXACT_LIMIT, deal_distances, quality_is_exact
from negsim.engine.transcript import TRANSCRIPT_LIMIT, Transcript
from negsim.errors import NegsimError
from negsim.formats.load import load_scenario
from negsim.protocols import Protocol, build_protocol
from negsim.scenario import Scenario
from negsim.scenario.draws import Draws, draw_parameters
from negsim.scenario.points import Point, RowParameters, row_parameters
from negsim.strategies.offers import Aim, generate_offers
from negsim.strategies.opponent import FrequencyModel
from negsim.strategies.thresholds import ThresholdModel
from negsim.streams import OPENER, Streams
from negsim.utility import TOLERANCE, gather_rows, row_any, row_blocks, row_sum


class Outcome(IntEnum):
    """How a replication stands or ended."""

    RUNNING = 0
    AGREEMENT = 1
    WALKAWAY = 2
    TIMEOUT = 3


OUTCOME_NAMES = {
    Outcome.AGREEMENT: "agreement",
    Outcome.WALKAWAY: "walkaway",
    Outcome.TIMEOUT: "timeout",
}


class NegotiationModel(mesa.Model):
    """R replications of a scenario, negotiated in lockstep.

    Args:
        scenario: a `Scenario`, or a scenario name or path to load.
        replications: number of replications R.
        seed: the run's seed. With a replication's index it fixes every random number the
            replication uses (`negsim.streams`): the same seed gives the same results however
            the replications are batched. None draws a seed (recorded as `model.seed`).
        max_rounds: rounds before a replication times out.
        first_proposer: the party that opens every replication, or a sequence of R party names
            (one per replication); None draws it per replication.
        record: keep per-round history (targets, received utilities, offers) for figures.
        protocol: a `Protocol`, or the name of a registered one with default parameters.
        draws: every party's numbers per replication, when drawn elsewhere (a track of a
            split-track negotiation shares its parent's); None draws them from `seed`.
        accept_best_after: from this share of its time on, a party also accepts an offer worth
            at least the best it received before (`negsim.strategies.acceptance`); None: never.
        exact_quality: each deal's distances to the Pareto frontier and the Nash point are exact
            when the admissible outcomes number at most this (they are listed for every deal);
            above it they are a lower bound and an estimate (`replication_quality.py`).
        start: the replication index of the model's first replication (a later batch of a run).
        points: sweep points side by side (`negsim.scenario.points`; see `from_points`): replaces
            `scenario`'s numbers, `seed`, `start` and a named `first_proposer` per row.
        streams: the rows' random streams, when another model's (a split-track track) derive
            them; None keys them by each row's seed and index.
        transcript: record the events of the first this many rows, at most `TRANSCRIPT_LIMIT`
            (`negsim.engine.transcript`: offers, answers and why, walk-aways and why, endings);
            0: none.

    Example:
        >>> model = NegotiationModel("ukraine_2025", replications=100, seed=1)
        >>> results = model.run().results()
        >>> len(results)
        100
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        replications: int = 1000,
        seed: int | None = None,
        max_rounds: int = 100,
        first_proposer: str | Sequence[str] | None = None,
        record: bool = True,
        protocol: Protocol | str = "alternating",
        draws: Draws | None = None,
        exact_quality: int = EXACT_LIMIT,
        accept_best_after: float | None = None,
        start: int = 0,
        points: Sequence[Point] | None = None,
        streams: Streams | None = None,
        transcript: int = 0,
    ) -> None:
        if seed is None:
            seed = secrets.randbits(31)
        _check_whole("seed", seed, 0)
        _check_whole("start", start, 0)
        _check_whole("transcript", transcript, 0)
        if transcript > TRANSCRIPT_LIMIT:
            raise NegsimError(
                f"transcript: records at most {TRANSCRIPT_LIMIT} replications, got {transcript}"
            )
        super().__init__(rng=int(seed))
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        _check_whole("replications", replications, 1)
        _check_whole("max_rounds", max_rounds, 1)
        if isinstance(exact_quality, bool) or not isinstance(exact_quality, int | np.integer):
            raise NegsimError(f"exact_quality: must be a whole number, got {exact_quality!r}")
        self.exact_quality = int(exact_quality)
        if accept_best_after is not None and (
            isinstance(accept_best_after, bool)
            or not isinstance(accept_best_after, int | float)
            or not 0 <= accept_best_after <= 1
        ):
            raise NegsimError(
                f"accept_best_after: must be null or a number in [0, 1], got {accept_best_after!r}"
            )
        self.accept_best_after = accept_best_after
        if points is None:
            single = first_proposer if isinstance(first_proposer, str) else None
            points = [Point(scenario, int(seed), replications, start, single)]
        elif sum(p.replications for p in points) != replications:
            raise NegsimError("points: their replications do not add up to the model's")
        for point in points:
            opening_parties(point.scenario, point.first_proposer, point.replications)
        openers = opening_parties(scenario, first_proposer, replications)
        self.points: list[Point] = list(points)
        self.rows: RowParameters = row_parameters(self.points)
        self.index = self.rows.index  # each row's replication index within its point
        self.streams = streams or Streams(self.rows.seed, self.rows.index, self.rows.point)
        self.scenario = scenario
        self.seed = int(seed)
        self.replications = replications
        self.max_rounds = max_rounds
        self.round = 0
        self.record = record
        if isinstance(protocol, str):
            try:
                protocol = build_protocol(protocol)
            except ValueError as exc:
                raise NegsimError(f"protocol: {exc}") from None
        self.protocol: Protocol = copy.deepcopy(protocol)  # its state is this model's own

        if draws is None:
            draws = draw_parameters(self.rows, self.streams, scenario.option_mask)
        elif draws.reservations.shape != (len(scenario.parties), replications):
            raise NegsimError("draws: shapes do not match the scenario and replications")
        drawn_first = self.streams.integers(OPENER, len(scenario.parties))
        self.draws: Draws = draws
        tables = draws.tables
        invalid = ~scenario.option_mask
        deadlines = np.minimum(self.rows.deadline, max_rounds)
        self.horizon = row_horizon(deadlines, scenario.required, max_rounds)
        self.n_parties = len(scenario.parties)
        self.parties: list[PartyAgent] = [
            PartyAgent(
                self,
                p,
                party,
                tables[p],
                draws.reservations[p],
                scenario.red_lines[p] | invalid,
                self.rows.deadline[p],
                np.minimum(deadlines[p], self.horizon),
                self.rows.strategy[p],
                self.rows.discount[p],
            )
            for p, party in enumerate(scenario.parties)
        ]
        n_parties = len(self.parties)
        n_issues, n_options = scenario.option_mask.shape
        self.required = scenario.required
        self._invalid = invalid
        stated = np.where(self.rows.opener >= 0, self.rows.opener, drawn_first)
        self.first_proposer = stated if openers is None else openers
        self.proposer = self.first_proposer.copy()
        self.standing = np.zeros((replications, n_issues), dtype=np.int64)
        self.status = np.full(replications, Outcome.RUNNING, dtype=np.int8)
        self.walked = np.full(replications, -1, dtype=np.int64)
        self.end_round = np.zeros(replications, dtype=np.int64)
        self.deal = np.full((replications, n_issues), -1, dtype=np.int64)
        self.deal_utility = np.full((replications, n_parties), np.nan)
        self.distance_to_pareto = np.full(replications, np.nan)
        self.distance_to_nash = np.full(replications, np.nan)
        # Outcomes a deal may use: existing options crossing no required party's red line.
        self._admissible = scenario.option_mask & ~scenario.red_lines[scenario.required].any(0)
        self.at_table = np.ones((replications, n_parties), dtype=bool)
        self.closed = np.zeros((replications, n_issues, n_options), dtype=bool)
        self._recheck = np.ones(replications, dtype=bool)
        self.opponents = FrequencyModel(n_parties, replications, scenario.option_mask)
        self.thresholds = ThresholdModel(n_parties, replications, n_issues, memory=n_parties)
        self._tables = tables
        self._red_lines = np.stack([agent.red_lines for agent in self.parties])
        self._aim_parties, self._aim_valid = aim_table(self.required)
        # Each proposer's weights over the parties it aims at, carried from offer to offer.
        self.aim_weights = np.ones((n_parties, self._aim_parties.shape[0], replications))
        self.mean_targets = np.full(n_parties, np.nan)
        self.risks = np.full((replications, n_parties), np.nan)  # announced by answering parties
        # Only strategies that listen make the model compute what they listen to.
        self._observers = [a for a in self.parties if a.strategy.observes()]
        self._round_keepers = [a for a in self.parties if a.strategy.keeps_rounds()]
        self._risks_heard = any(a.strategy.reads_risks for a in self.parties)
        if record:
            # Rounds are kept as they come (`_grow_history`): most talks end long before
            # max_rounds, and a huge max_rounds must not reserve its whole history up front.
            rounds = min(max_rounds, HISTORY_BLOCK)
            self.target_history = np.full((rounds, n_parties, replications), np.nan, np.float32)
            self.received_history = np.full((rounds, n_parties, replications), np.nan, np.float32)
            self.offer_history = np.full((rounds, replications, n_issues), -1, dtype=np.int8)
            self.proposer_history = np.full((rounds, replications), -1, dtype=np.int8)

        reporters = {
            "running": lambda m: m.share(Outcome.RUNNING),
            "agreed": lambda m: m.share(Outcome.AGREEMENT),
            "walked_away": lambda m: m.share(Outcome.WALKAWAY),
            "timed_out": lambda m: m.share(Outcome.TIMEOUT),
        }
        for p, name in enumerate(scenario.party_names):
            reporters[f"target_{name}"] = lambda m, p=p: m.mean_targets[p]
        self.datacollector = mesa.DataCollector(model_reporters=reporters)
        rows = min(transcript, replications)
        self.transcript: Transcript | None = Transcript(self, rows) if rows else None
        try:
            self.protocol.setup(self)
        except ValueError as exc:
            raise NegsimError(f"protocol: {exc}") from None

    @classmethod
    def from_points(cls, points: Sequence[Point], **settings: object) -> NegotiationModel:
        """One model holding several sweep points' replications, in order (`scenario.points`).

        The points must share a structure; `settings` are the other constructor arguments.
        Rows `sum(p.replications for p in points[:n])` onwards are point n's.
        """
        if not points:
            raise NegsimError("points: a model needs at least one point")
        total = sum(p.replications for p in points)
        return cls(
            points[0].scenario,
            replications=total,
            seed=points[0].seed,
            points=points,
            **settings,  # type: ignore[arg-type]
        )

    @property  # type: ignore[override]
    def scenario(self) -> Scenario:
        """The negotiation scenario (Mesa's own experiment scenario is `mesa_scenario`)."""
        return self._negotiation_scenario

    @scenario.setter
    def scenario(self, value: object) -> None:
        if isinstance(value, Scenario):
            self._negotiation_scenario = value
        else:
            self.mesa_scenario = value
            value.model = self  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ protocol

    def step(self) -> None:
        """Play one round in every replication still running."""
        if not self.running:
            return
        self.round += 1
        if self.record and self.round > self.target_history.shape[0]:
            self._grow_history()
        if self.protocol.model_walk_aways:  # False: the protocol checks them
            self._walk_aways()
        rows = np.flatnonzero(self.status == Outcome.RUNNING)
        if rows.size:
            for agent in self._round_keepers:
                present = rows[self.at_table[rows, agent.index]]
                agent.strategy.begin_round(agent, present, self.round)
            self.protocol.play(self, rows)
            self._record_targets(rows)
        if self.round >= self.max_rounds:
            self._end(np.flatnonzero(self.status == Outcome.RUNNING), Outcome.TIMEOUT)
        self.running = bool((self.status == Outcome.RUNNING).any())
        self.datacollector.collect(self)

    def _walk_aways(self) -> None:
        for check in ("deadline", "nothing_left"):
            for agent in self.parties:
                candidates = (self.status == Outcome.RUNNING) & self.at_table[:, agent.index]
                if check == "deadline":
                    if self.round <= agent.first_deadline:
                        continue
                    leaving = np.flatnonzero(candidates & (self.round > agent.deadline))
                else:
                    # Only newly closed options can take the last good outcome away.
                    rows = np.flatnonzero(candidates & self._recheck)
                    leaving = rows[agent.cannot_gain(rows, self.forbidden_for(agent, rows))]
                if leaving.size == 0:
                    continue
                if self.transcript is not None:
                    self.transcript.walk_aways(agent, leaving, check)
                self.at_table[leaving, agent.index] = False
                if self.required[agent.index]:
                    self.walked[leaving] = agent.index
                    self._end(leaving, Outcome.WALKAWAY)
        self._recheck[:] = False

    # ------------------------------------------------------------------ shared moves

    def forbidden_for(self, agent: PartyAgent, rows: np.ndarray) -> np.ndarray:
        """Options `agent` must not offer in `rows`: its red lines and those announced to it."""
        return agent.red_lines | self.closed.take(rows, axis=0)

    def propose(self, rows: np.ndarray, proposer: np.ndarray) -> np.ndarray:
        """Offers by `proposer[j]` in `rows[j]`: each meets its proposer's target for this round
        and aims at the parties it needs (`negsim.strategies.offers`), all in one batch."""
        targets = np.empty(rows.size)
        for agent in self.parties:
            mine = proposer == agent.index
            if mine.any():
                targets[mine] = agent.target(rows[mine], self.round)
        aim = self.aim(rows, proposer)
        weights = self.aim_weights[proposer, :, rows].T
        offers = generate_offers(
            row_blocks(self._tables, proposer, rows),
            aim.others,
            self._red_lines.take(proposer, axis=0) | self.closed.take(rows, axis=0),
            targets,
            aim.thresholds,
            aim.present,
            weights,
        )
        self.aim_weights[proposer, :, rows] = weights.T
        return offers

    def aim(self, rows: np.ndarray, proposer: np.ndarray) -> Aim:
        """What `proposer[j]` aims its offer in `rows[j]` at: the other required parties (all
        others when none is), their estimated tables and acceptance thresholds, as the table
        shows them, and whether they are at the table."""
        parties = self._aim_parties[:, proposer]  # (Q, n)
        tables = row_blocks(self.opponents.estimates, parties, rows[None, :])
        thresholds = self.thresholds.thresholds(parties, rows, tables)
        present = self._aim_valid[:, proposer] & self.at_table[rows[None, :], parties]
        return Aim(tables, thresholds, present)

    def publish(self, rows: np.ndarray, proposer: np.ndarray, offers: np.ndarray) -> None:
        """`proposer[j]` put `offers[j]` on the table in `rows[j]`: everyone at it sees it."""
        self.opponents.observe_offers(proposer, rows, offers)
        for agent in self._observers:
            seen = self.at_table[rows, agent.index] & (proposer != agent.index)
            if seen.any():
                utility = agent.utility(rows[seen], offers[seen])
                agent.strategy.observe(agent, rows[seen], proposer[seen], utility)

    def record_offer(self, rows: np.ndarray, offers: np.ndarray, proposer: np.ndarray) -> None:
        """Keep the offer on the table this round (and who made it; -1 for a mediator)."""
        if self.record:
            self.offer_history[self.round - 1, rows] = offers
            self.proposer_history[self.round - 1, rows] = proposer

    def answer(
        self,
        rows: np.ndarray,
        offers: np.ndarray,
        proposer: np.ndarray | None = None,
        record_received: bool = False,
    ) -> np.ndarray:
        """Every party at the table answers `offers[j]` in `rows[j]`; returns who accepts (n, P).

        The proposer (if any) accepts its own offer when it clears its reservation value and red
        lines. An answering party announces its risk, and a required one names the red lines the
        offer crosses, which closes those options for everyone.
        """
        n_parties = len(self.parties)
        accepted = np.zeros((rows.size, n_parties), dtype=bool)
        own_side = np.full(rows.size, -1) if proposer is None else proposer
        if self.transcript is not None:
            self.transcript.offers(rows, own_side, offers)
        present = self.at_table[rows]
        # The proposers' own acceptances, all at once: each row's table is its proposer's.
        own = (own_side >= 0) & present[np.arange(rows.size), np.maximum(own_side, 0)]
        if own.any():
            own_line = np.flatnonzero(own)
            side, who, theirs = own_side[own_line], rows[own_line], offers[own_line]
            tables = self._tables.reshape(-1, *self._tables.shape[2:])  # (party, row) blocks
            utility = row_sum(gather_rows(tables, side * self.replications + who, theirs))
            crossed = row_any(gather_rows(self._red_lines, side, theirs))
            reservation = np.stack([agent.reservation for agent in self.parties])
            floor = reservation[side, who] - TOLERANCE
            accepted[own_line, side] = (utility >= floor) & ~crossed
        # The answering (party, row) pairs, party by party. What a party's answer says and what
        # it teaches (closed options, its frequency and threshold models, its risk) touch no
        # other party's answer in the same call, so they are recorded for all parties at once.
        answering = present & (own_side[:, None] != np.arange(n_parties))
        party, line = np.nonzero(answering.T)
        if line.size == 0:
            return accepted
        who, theirs = rows[line], offers[line]
        answers = np.empty(line.size, dtype=bool)
        objections = np.empty(theirs.shape, dtype=bool)
        utility = np.empty(line.size)
        bounds = np.searchsorted(party, np.arange(n_parties + 1))
        for agent in self.parties:
            mine = slice(bounds[agent.index], bounds[agent.index + 1])
            if mine.start < mine.stop:
                answers[mine], objections[mine], utility[mine] = agent.respond(
                    who[mine], theirs[mine], self.round
                )
                if self.transcript is not None:
                    self.transcript.answers(
                        agent, who[mine], answers[mine], utility[mine], agent.last_floor,
                        objections[mine],
                    )  # fmt: skip
        named = row_any(objections)
        accepted[line, party] = answers
        closing = self.required[party]  # a required party's red lines close options
        if closing.all():
            self._close(who, theirs, objections, named)
        elif closing.any():
            self._close(who[closing], theirs[closing], objections[closing], named[closing])
        self.opponents.observe_accepts(party[answers], who[answers], theirs[answers])
        self.thresholds.observe_answers(
            party, who, theirs, answers, named, self.round, self.opponents.estimates
        )
        if self._risks_heard:
            for agent in self.parties:
                mine = slice(bounds[agent.index], bounds[agent.index + 1])
                if mine.start < mine.stop:
                    self._announce_risk(agent, who[mine], utility[mine])
        if record_received and self.record:
            self.received_history[self.round - 1, party, who] = utility
        return accepted

    def agreed(self, rows: np.ndarray, accepted: np.ndarray) -> np.ndarray:
        """Where every required party at the table accepted, shape (n,)."""
        needed = self.required[None, :] & self.at_table[rows]
        return (accepted | ~needed).all(axis=1)

    def conclude(self, rows: np.ndarray, deals: np.ndarray) -> None:
        """`rows` agreed on `deals`: record the deal and what it is worth to every party."""
        if rows.size == 0:
            return
        self.standing[rows] = deals
        self.deal[rows] = deals
        for agent in self.parties:
            # Weights sum to 1 only up to rounding: keep utilities exactly within [0, 1].
            utility = agent.utility(rows, deals)
            self.deal_utility[rows, agent.index] = np.clip(utility, 0.0, 1.0)
        tables = np.stack([agent.table[rows] for agent in self.parties], axis=1)
        reservations = np.stack([agent.reservation[rows] for agent in self.parties], axis=1)
        if any(agent.discounted for agent in self.parties):
            # Measured in what the parties get in this round: each party's utilities (the
            # reservation too) scaled by its d**s, which keeps the frontier's outcomes.
            factor = np.stack(
                [agent.discount_factor(self.round, rows) for agent in self.parties], axis=1
            )
            tables = tables * factor[:, :, None, None]
            reservations = reservations * factor
        to_pareto, to_nash = deal_distances(
            tables, self._admissible, deals, reservations, exact_limit=self.exact_quality
        )
        self.distance_to_pareto[rows] = to_pareto
        self.distance_to_nash[rows] = to_nash
        self._end(rows, Outcome.AGREEMENT)

    def _announce_risk(self, agent: PartyAgent, rows: np.ndarray, utility: np.ndarray) -> None:
        """Zeuthen's risk: the chance of breakdown the party would accept rather than `utility`."""
        target = agent.target(rows, self.round)
        room = target - agent.reservation[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            risk = np.where(room > 1e-12, (target - utility) / room, 0.0)
        self.risks[rows, agent.index] = np.clip(risk, 0.0, 1.0)

    def _close(
        self, rows: np.ndarray, offers: np.ndarray, objections: np.ndarray, named: np.ndarray
    ) -> None:
        """Close, for everyone, the options that red lines named (`named`: rows naming any)."""
        hit = np.flatnonzero(named)  # few rows: np.nonzero on them only
        hit_row, hit_issue = np.nonzero(objections[hit])
        hit_row = hit[hit_row]
        self.closed[rows[hit_row], hit_issue, offers[hit_row, hit_issue]] = True
        self._recheck[rows[hit_row]] = True

    def _record_targets(self, rows: np.ndarray) -> None:
        for agent in self.parties:
            present = rows[self.at_table[rows, agent.index]]
            targets = agent.target(present, self.round)
            self.mean_targets[agent.index] = targets.mean() if targets.size else np.nan
            if self.record:
                self.target_history[self.round - 1, agent.index, present] = targets

    def end(self, rows: np.ndarray, outcome: Outcome, walked: np.ndarray | None = None) -> None:
        """End `rows` this round with `outcome`; `walked[j]` is who walked away (-1: nobody)."""
        if walked is not None:
            self.walked[rows] = walked
        self._end(rows, outcome)

    def _end(self, rows: np.ndarray, outcome: Outcome) -> None:
        self.status[rows] = outcome
        self.end_round[rows] = self.round
        if self.transcript is not None:
            self.transcript.ends(rows, OUTCOME_NAMES[outcome])

    # ------------------------------------------------------------------ reading

    def share(self, outcome: Outcome) -> float:
        """Share of replications whose status is `outcome`."""
        return float((self.status == outcome).mean())

    def run(self, progress: bool | None = None) -> NegotiationModel:
        """Step until every replication has ended; returns the model for chaining.

        Args:
            progress: show a progress bar over rounds; None shows it on a terminal only.
        """
        with tqdm(
            total=self.max_rounds,
            desc=f"{self.scenario.name} x{self.replications}",
            unit="round",
            disable=None if progress is None else not progress,
            leave=False,
        ) as bar:
            while self.running:
                self.step()
                bar.update(1)
                bar.set_postfix(agreed=f"{self.share(Outcome.AGREEMENT):.3f}", refresh=False)
        return self

    def results(self) -> pd.DataFrame:
        """One row per replication: outcome, who walked away, round, the deal, utilities."""
        scenario = self.scenario
        names = np.array(scenario.party_names, dtype=object)
        outcome = np.array(
            [OUTCOME_NAMES.get(Outcome(s), "running") for s in range(4)], dtype=object
        )[self.status]
        agreed = self.status == Outcome.AGREEMENT
        columns: dict[str, object] = {
            "replication": self.index,
            "outcome": outcome,
            "walked_away": np.where(self.walked >= 0, names[np.maximum(self.walked, 0)], None),
            "round": self.end_round,
            "first_proposer": names[self.first_proposer],
        }
        for i, issue in enumerate(scenario.issues):
            labels = np.array(issue.options, dtype=object)
            columns[f"deal_{issue.name}"] = np.where(
                agreed, labels[np.maximum(self.deal[:, i], 0)], None
            )
        for agent in self.parties:
            utility = self.deal_utility[:, agent.index]
            got = np.where(agreed, utility, agent.reservation)
            if agent.discounted:  # worth d**s in the round the talks ended, deal or none
                got = got * agent.discount_factor(self.end_round, np.arange(self.replications))
            columns[f"utility_{agent.name}"] = got
            cleared = pd.array(utility >= agent.reservation - TOLERANCE, dtype="boolean")
            cleared[~agreed] = pd.NA
            columns[f"cleared_{agent.name}"] = cleared
            columns[f"reservation_{agent.name}"] = agent.reservation
        columns["distance_to_pareto"] = self.distance_to_pareto
        columns["distance_to_pareto_exact"] = np.full(
            self.replications, quality_is_exact(self._admissible, self.exact_quality)
        )
        columns["distance_to_nash"] = self.distance_to_nash
        columns.update(self.protocol.result_columns(self))
        frame = pd.DataFrame(columns)
        frame["outcome"] = pd.Categorical(
            frame["outcome"], categories=[*OUTCOME_NAMES.values(), "running"]
        )
        return frame

    def _grow_history(self) -> None:
        """Double the rounds the per-round history holds (up to max_rounds), keeping it."""
        held = self.target_history.shape[0]
        more = min(held, self.max_rounds - held)
        for name, fill in (
            ("target_history", np.nan),
            ("received_history", np.nan),
            ("offer_history", -1),
            ("proposer_history", -1),
        ):
            old = getattr(self, name)
            tail = np.full((more, *old.shape[1:]), fill, dtype=old.dtype)
            setattr(self, name, np.concatenate([old, tail]))

    def release(self) -> None:
        """Free the model's large arrays now, keeping what `results()` and `series()` need.

        A Mesa model sits in reference cycles (its agents, its schedule), which Python frees only
        at a full garbage collection; a loop over many models calls this to keep memory flat
        without paying for one. Stepping a released model is an error.
        """
        self.running = False
        self.opponents = self.thresholds = None  # type: ignore[assignment]
        self._tables = self.aim_weights = None  # type: ignore[assignment]
        self.closed = self.standing = None  # type: ignore[assignment]
        self.draws = self.rows = self.streams = None  # type: ignore[assignment]
        self._red_lines = None  # type: ignore[assignment]
        for name in ("target_history", "received_history", "offer_history", "proposer_history"):
            if hasattr(self, name):
                delattr(self, name)
        for agent in self.parties:
            # A fresh empty array: a slice would keep the whole tables array alive.
            agent.table = np.empty((0, *agent.table.shape[1:]))
            agent.memory = {}
        self.protocol.release(self)

    def series(self) -> pd.DataFrame:
        """Per-round series from the DataCollector: shares of outcomes and mean targets."""
        frame = self.datacollector.get_model_vars_dataframe()
        frame.index = pd.RangeIndex(1, len(frame) + 1, name="round")
        return frame


HISTORY_BLOCK = 128
"""Rounds of per-round history a recording model holds at first; it doubles as needed."""


def row_horizon(deadlines: np.ndarray, required: np.ndarray, max_rounds: int) -> np.ndarray:
    """`negotiation_horizon` per row: `deadlines` (P, R), capped at `max_rounds`, gives (R,)."""
    if not required.any():
        return np.full(deadlines.shape[1], max_rounds, dtype=np.int64)
    return np.minimum(deadlines[required].min(axis=0), max_rounds)


def negotiation_horizon(scenario: Scenario, max_rounds: int) -> int:
    """Rounds every party concedes over: the earliest deadline of a required party, or max_rounds.

    Deadlines are public (the US repeats its threat to walk away), so a party that would rather
    have a deal than none must reach its floor before the first required party leaves. A party that
    prefers no deal says so through a high reservation value, not by ignoring the clock.
    """
    deadlines = [p.deadline for p in scenario.parties if p.required and p.deadline is not None]
    return min([max_rounds, *deadlines])


def aimed_at(required: np.ndarray, party: int) -> np.ndarray:
    """The parties whose acceptance `party`'s offers aim at: the other required parties, or every
    other party when no other is required."""
    others = np.array([q for q in range(required.size) if q != party], dtype=np.int64)
    needed = others[required[others]]
    return needed if needed.size else others


def aim_table(required: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`aimed_at` of every party as padded columns: (parties (Q, P), valid (Q, P))."""
    lists = [aimed_at(required, p) for p in range(required.size)]
    depth = max(1, max(len(a) for a in lists))
    parties = np.zeros((depth, required.size), dtype=np.int64)
    valid = np.zeros((depth, required.size), dtype=bool)
    for p, aimed in enumerate(lists):
        parties[: len(aimed), p] = aimed
        valid[: len(aimed), p] = True
    return parties, valid


def opening_parties(
    scenario: Scenario, first_proposer: str | Sequence[str] | None, replications: int
) -> np.ndarray | None:
    """Each replication's opening party index, or None where they are to be drawn."""
    if first_proposer is None:
        return None
    names = [first_proposer] if isinstance(first_proposer, str) else list(first_proposer)
    if not isinstance(first_proposer, str) and len(names) != replications:
        raise NegsimError(f"first_proposer: {len(names)} names for {replications} replications")
    known = scenario.party_names
    for name in names:
        if name not in known:
            raise NegsimError(f"first_proposer: no party {name!r} (parties: {', '.join(known)})")
    index = np.array([known.index(name) for name in names], dtype=np.int64)
    return np.resize(index, replications)


def _check_whole(name: str, value: object, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise NegsimError(f"{name}: must be a whole number >= {low}, got {value!r}")
