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

import secrets
from collections.abc import Sequence
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from negsim.agents import PartyAgent, seat_parties
from negsim.analysis.replication_quality import EXACT_LIMIT
from negsim.engine.aims import Aims
from negsim.engine.answers import announce_risks, close_named, proposers_accept, responses
from negsim.engine.checks import check_settings, fresh_protocol, model_points, opening_parties
from negsim.engine.deals import deal_worth
from negsim.engine.history import RoundHistory, record_targets, series_reporters
from negsim.engine.horizon import negotiation_horizon, row_horizon
from negsim.engine.results_table import results_table
from negsim.engine.transcript import Transcript
from negsim.engine.walkaways import walk_aways
from negsim.errors import NegsimError
from negsim.formats.load import load_scenario
from negsim.protocols import Protocol
from negsim.protocols.seating import DRAWN, places, seating_order
from negsim.scenario import Scenario
from negsim.scenario.draws import Draws, draw_parameters
from negsim.scenario.points import Point, RowParameters, row_parameters
from negsim.status import OUTCOME_NAMES, Outcome
from negsim.strategies.opponent import FrequencyModel
from negsim.strategies.thresholds import ThresholdModel
from negsim.strategies.ties import draw_tie_keys
from negsim.streams import OPENER, Streams
from negsim.utility import row_any, row_blocks

__all__ = ["NegotiationModel", "Outcome", "negotiation_horizon"]


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

    running: bool  # any replication still running (Mesa's `run_model` loops on it)

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
        check_settings(
            seed, start, transcript, replications, max_rounds, exact_quality, accept_best_after
        )
        super().__init__(rng=int(seed))
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        self.exact_quality = int(exact_quality)
        self.accept_best_after = accept_best_after
        self.points = model_points(scenario, points, seed, replications, start, first_proposer)
        openers = opening_parties(scenario, first_proposer, replications)
        self.rows: RowParameters = row_parameters(self.points)
        self.index = self.rows.index  # each row's replication index within its point
        self.streams = streams or Streams(self.rows.seed, self.rows.index, self.rows.point)
        self.scenario = scenario
        self.seed = int(seed)
        self.replications = replications
        self.max_rounds = max_rounds
        self.round = 0
        self.record = record
        self.protocol = fresh_protocol(protocol)
        if draws is None:
            draws = draw_parameters(self.rows, self.streams, scenario.option_mask)
        elif draws.reservations.shape != (len(scenario.parties), replications):
            raise NegsimError("draws: shapes do not match the scenario and replications")
        drawn_first = self.streams.integers(OPENER, len(scenario.parties))
        self.draws: Draws = draws
        self._seat_parties(scenario, draws, max_rounds)
        stated = np.where(self.rows.opener >= 0, self.rows.opener, drawn_first)
        self.first_proposer = stated if openers is None else openers
        self.proposer = self.first_proposer.copy()
        n_issues, n_options = scenario.option_mask.shape
        self.tie_keys = draw_tie_keys(self.streams, n_issues, n_options)
        self._init_state(scenario, replications)
        reporters = series_reporters(scenario.party_names)
        self.datacollector = mesa.DataCollector(model_reporters=reporters)
        rows = min(transcript, replications)
        self.transcript: Transcript | None = Transcript(self, rows) if rows else None
        try:
            seating = self.protocol.values.get("seating", DRAWN)
            self.seating = seating_order(seating, scenario.party_names, self.streams)
            self.place = places(self.seating)
            self.protocol.setup(self)
        except ValueError as exc:
            raise NegsimError(f"protocol: {exc}") from None

    def _seat_parties(self, scenario: Scenario, draws: Draws, max_rounds: int) -> None:
        """One agent per party, with its drawn numbers and its clock."""
        self.n_parties = len(scenario.parties)
        deadlines = np.minimum(self.rows.deadline, max_rounds)
        self.horizon = row_horizon(deadlines, scenario.required, max_rounds)  # agents' clocks
        self.parties = seat_parties(self, scenario, draws, self.rows, max_rounds)
        self.required = scenario.required
        self._tables = draws.tables
        self._red_lines = np.stack([agent.red_lines for agent in self.parties])
        # Only strategies that listen make the model compute what they listen to.
        self._observers = [a for a in self.parties if a.strategy.observes()]
        self._round_keepers = [a for a in self.parties if a.strategy.keeps_rounds()]
        self._risks_heard = any(a.strategy.reads_risks for a in self.parties)
        self._reservations = np.stack([agent.reservation for agent in self.parties])  # (P, R)
        self._party_ids = np.arange(self.n_parties)
        self._party_bounds = np.arange(self.n_parties + 1)  # `searchsorted` of party blocks

    def _init_state(self, scenario: Scenario, replications: int) -> None:
        """The table's state in every replication at the start, and what the parties learn."""
        n_parties = self.n_parties
        n_issues, n_options = scenario.option_mask.shape
        self.standing = np.zeros((replications, n_issues), dtype=np.int64)
        self.status = np.full(replications, Outcome.RUNNING, dtype=np.int8)
        self.walked = np.full(replications, -1, dtype=np.int64)
        self.end_round = np.zeros(replications, dtype=np.int64)
        self.deal = np.full((replications, n_issues), -1, dtype=np.int64)
        self.deal_utility = np.full((replications, n_parties), np.nan)
        self.distance_to_pareto = np.full(replications, np.nan)
        self.distance_to_nash = np.full(replications, np.nan)
        # Outcomes a deal may use: existing options crossing no required party's red line.
        self.admissible = scenario.option_mask & ~scenario.red_lines[scenario.required].any(0)
        self.at_table = np.ones((replications, n_parties), dtype=bool)
        self.closed = np.zeros((replications, n_issues, n_options), dtype=bool)
        self.recheck = np.ones(replications, dtype=bool)
        self.opponents = FrequencyModel(
            n_parties, replications, scenario.option_mask, scenario.ordered
        )
        self.thresholds = ThresholdModel(n_parties, replications, n_issues, memory=n_parties)
        self.aims = Aims(self.required, replications)  # whom offers aim at, and their weights
        self.mean_targets = np.full(n_parties, np.nan)
        self.risks = np.full((replications, n_parties), np.nan)  # announced by answering parties
        self.history: RoundHistory | None = None
        if self.record:
            self.history = RoundHistory(n_parties, replications, n_issues, self.max_rounds)

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

    @property
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

    # ------------------------------------------------------------------ history

    # The per-round history (`RoundHistory`), for figures and teaching.
    target_history = property(lambda self: self._kept().targets, doc="Targets, (rounds, P, R).")
    received_history = property(lambda self: self._kept().received, doc="Worth, (rounds, P, R).")
    offer_history = property(lambda self: self._kept().offers, doc="Offers, (rounds, R, I).")
    proposer_history = property(lambda self: self._kept().proposers, doc="Proposers, (rounds, R).")

    def _kept(self) -> RoundHistory:
        if self.history is None:
            raise AttributeError("the model keeps no per-round history (record=False or released)")
        return self.history

    # ------------------------------------------------------------------ protocol

    def step(self) -> None:
        """Play one round in every replication still running."""
        if not self.running:
            return
        self.round += 1
        if self.history is not None:
            self.history.make_room(self.round)
        if self.protocol.model_walk_aways:  # False: the protocol checks them
            walk_aways(self)
        rows = (self.status == Outcome.RUNNING).nonzero()[0]
        if rows.size:
            for agent in self._round_keepers:
                present = rows[self.at_table[rows, agent.index]]
                agent.begin_round(present, self.round)
            self.protocol.play(self, rows)
            record_targets(
                self.parties, self.at_table, rows, self.round, self.mean_targets, self.history
            )
        if self.round >= self.max_rounds:
            self._end((self.status == Outcome.RUNNING).nonzero()[0], Outcome.TIMEOUT)
        self.running = bool((self.status == Outcome.RUNNING).any())
        self.datacollector.collect(self)

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
        aim = self.aims.aim(rows, proposer, self.opponents, self.thresholds, self.at_table)
        return self.aims.offers(
            aim,
            rows,
            proposer,
            row_blocks(self._tables, proposer, rows),
            self._red_lines.take(proposer, axis=0) | self.closed.take(rows, axis=0),
            targets,
            self.tie_keys.take(rows, axis=0),
        )

    def publish(self, rows: np.ndarray, proposer: np.ndarray, offers: np.ndarray) -> None:
        """`proposer[j]` put `offers[j]` on the table in `rows[j]`: everyone at it sees it."""
        self.opponents.observe_offers(proposer, rows, offers)
        for agent in self._observers:
            seen = self.at_table[rows, agent.index] & (proposer != agent.index)
            if seen.any():
                utility = agent.utility(rows[seen], offers[seen])
                agent.observe(rows[seen], proposer[seen], utility)

    def record_offer(self, rows: np.ndarray, offers: np.ndarray, proposer: np.ndarray) -> None:
        """Keep the offer on the table this round (and who made it; -1 for a mediator)."""
        if self.history is not None:
            self.history.offers[self.round - 1][rows] = offers
            self.history.proposers[self.round - 1][rows] = proposer

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
        accepted = np.zeros((rows.size, self.n_parties), dtype=bool)
        own_side = np.full(rows.size, -1) if proposer is None else proposer
        if self.transcript is not None:
            self.transcript.offers(rows, own_side, offers)
        present = self.at_table.take(rows, axis=0)  # `take`: fancy indexing costs more
        own = own_side[:, None] == self._party_ids  # (n, P): the proposer's column
        line, side = (present & own).nonzero()
        if line.size:  # all at once: each row's table is its proposer's
            own_rows, own_offers = rows[line], offers.take(line, axis=0)
            accepted[line, side] = proposers_accept(
                self._tables, self._red_lines, self._reservations, side, own_rows, own_offers
            )
        # The answering (party, row) pairs. What a party's answer says and what it teaches
        # (closed options, the frequency and threshold models, its risk) touch no other party's
        # answer in the same call, so they are recorded for all parties at once.
        party, line = (present & ~own).T.nonzero()
        if line.size == 0:
            return accepted
        who, theirs = rows[line], offers.take(line, axis=0)
        bounds = party.searchsorted(self._party_bounds)
        answers, objections, utility = responses(
            self.parties, bounds, who, theirs, self.round, self.transcript
        )
        named = row_any(objections)
        accepted[line, party] = answers
        closing = self.required[party]  # a required party's red lines close options
        close_named(self.closed, self.recheck, who, theirs, objections, named, closing)
        if answers.any():
            self.opponents.observe_accepts(party[answers], who[answers], theirs[answers])
        self.thresholds.observe_answers(
            party, who, theirs, answers, named, self.round, self.opponents.estimates
        )
        if self._risks_heard:
            announce_risks(self.parties, bounds, who, utility, self.round, self.risks)
        if record_received and self.history is not None:
            self.history.received[self.round - 1][party, who] = utility
        return accepted

    def agreed(self, rows: np.ndarray, accepted: np.ndarray) -> np.ndarray:
        """Where every required party at the table accepted, shape (n,)."""
        needed = self.required & self.at_table.take(rows, axis=0)
        return (accepted | ~needed).all(axis=1)

    def conclude(self, rows: np.ndarray, deals: np.ndarray) -> None:
        """`rows` agreed on `deals`: record the deal and what it is worth to every party."""
        if rows.size == 0:
            return
        self.standing[rows] = deals
        self.deal[rows] = deals
        utilities, to_pareto, to_nash = deal_worth(
            self.parties, rows, deals, self.round, self.admissible, self.exact_quality
        )
        self.deal_utility[rows] = utilities
        self.distance_to_pareto[rows] = to_pareto
        self.distance_to_nash[rows] = to_nash
        self._end(rows, Outcome.AGREEMENT)

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
        # `(status == outcome).mean()`: the count over R, both exact below 2**53.
        if self.status.size == 1:
            return 1.0 if self.status[0] == outcome else 0.0
        return np.count_nonzero(self.status == int(outcome)) / self.status.size

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
                if not bar.disable:
                    bar.update(1)
                    bar.set_postfix(agreed=f"{self.share(Outcome.AGREEMENT):.3f}", refresh=False)
        return self

    def results(self) -> pd.DataFrame:
        """One row per replication: outcome, who walked away, round, the deal, utilities."""
        return results_table(self, self.protocol.result_columns(self))

    def release(self) -> None:
        """Free the model's large arrays now, keeping what `results()` and `series()` need.

        A Mesa model sits in reference cycles (its agents, its schedule), which Python frees only
        at a full garbage collection; a loop over many models calls this to keep memory flat
        without paying for one. Stepping a released model is an error.
        """
        self.running = False
        self.opponents = self.thresholds = None  # type: ignore[assignment]
        self._tables = self.aims = None  # type: ignore[assignment]
        self.closed = self.standing = None  # type: ignore[assignment]
        self._red_lines = self.rows = self.streams = None  # type: ignore[assignment]
        self.draws = Draws(self.draws.weights, self.draws.values, self.draws.reservations)
        self.history = None
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
