"""Single negotiating text: a mediator revises one text from the parties' objections.

Each round the mediator puts one text (a full outcome) on the table and every party at the table
answers it; agreement when every required party accepts. A rejecting party objects concretely
(`objections`): it names the issues where the text costs it most relative to its best open option
on that issue, `w_i * (best_i - v_i(text_i))` largest first, as many as needed to cover its
shortfall (its acceptance floor, `max(next target, reservation)`, minus its utility of the text),
plus every issue where the text crosses one of its red lines; on each named issue it asks for its
best open option. The party computes this from its own table; the mediator sees only answers and
objections.

The mediator keeps, per replication and party, counts of the options asked for and of the issues
named, and a weight per party in its objective. Estimates are frequency-style: an issue's weight
grows with how often it is named (Laplace-smoothed); option values are the counts, on an issue
whose options are ordered smoothed over its options by a quadratic single-peaked kernel (`1 -
(distance / span)^2`), so opposed demands meet in between rather than jumping from end to end; on a
nominal issue an ask counts for the option asked for alone. Each rejection multiplies the party's
weight by `1 + learning_rate`, moving the text towards holdouts. The next text is built issue by
issue, maximising the weighted sum of the required parties' estimated utilities over options not
closed by announced red lines (linear-additive estimates make this exact; no enumeration). Ties,
and round 1 with no information, go to the option nearest the middle of an ordered issue (so the
first neutral text is the middle option of every ordered issue), remaining ties (two middle
options, a nominal issue) by the replication's tie-break keys (`negsim.strategies.ties`).

A party mediator (`mediator: NAME`) is a party: its text is its own offer (`generate_offers`
with its own table, its current target, and the weighted estimates of the others), so it always
meets its target where reachable; it is published as that party's offer and the party accepts it
when it clears its reservation value and red lines. A neutral text is nobody's offer: it is not
published (the frequency model and observing strategies see parties' offers only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from negsim.protocols.base import Protocol
from negsim.protocols.refused import RefusedTexts
from negsim.protocols.table import Negotiator, Table
from negsim.strategies.offers import generate_offers
from negsim.strategies.ties import ranked_argmax
from negsim.utility import TOLERANCE, crosses, gather

_TIE = 1e-9


@dataclass
class Mediation:
    """The mediator's evidence in every replication of one model."""

    support: np.ndarray  # (R, P, I, K) times each party asked for each option, kernel-smoothed
    named: np.ndarray  # (R, P, I) times each party named each issue
    weight: np.ndarray  # (R, P) party weights in the objective, max 1 per replication
    kernel: np.ndarray  # (I, K, K) closeness of option k to an asked-for option j
    distance: np.ndarray  # (I, K) distance from an ordered issue's middle, in steps of K + 1
    refused: RefusedTexts  # texts a required party called worse than no deal


class MediatedText(Protocol):
    """One text per round from a neutral or party mediator, revised from objections."""

    name: ClassVar[str] = "mediated"
    description: ClassVar[str] = "single negotiating text revised by a mediator from objections"
    params: ClassVar[dict[str, Any]] = {"mediator": None, "learning_rate": 0.5}
    state: Mediation  # created by `setup`

    def setup(self, model: Table) -> None:
        """Check the mediator and learning rate; start the mediator's evidence empty.

        The model keeps its own copy of the protocol, so the evidence is that model's alone.
        """
        names = model.scenario.party_names
        mediator = self.values["mediator"]
        if mediator is not None and mediator not in names:
            raise ValueError(f"mediator: no party {mediator!r} (parties: {', '.join(names)})")
        rate = self.values["learning_rate"]
        if isinstance(rate, bool) or not isinstance(rate, int | float) or rate < 0:
            raise ValueError(f"learning_rate: must be a number >= 0, got {rate!r}")
        mask = model.scenario.option_mask
        n_issues, n_options = mask.shape
        n_valid = mask.sum(axis=1)
        k = np.arange(n_options)
        span = np.maximum(n_valid - 1, 1)[:, None, None]
        kernel = 1.0 - ((k[:, None] - k[None, :])[None] / span) ** 2
        ordered = model.scenario.ordered[:, None, None]
        kernel = np.where(ordered, kernel, k[:, None] == k[None, :])
        kernel *= mask[:, :, None] & mask[:, None, :]
        # Ties go nearest the middle of an ordered issue (in half options), then by key.
        middle = np.abs(k[None, :] - (n_valid[:, None] - 1) / 2) * ordered[:, :, 0]
        shape = (model.replications, len(model.parties), n_issues)
        self.state = Mediation(
            support=np.zeros((*shape, n_options), dtype=np.float32),
            named=np.zeros(shape, dtype=np.float32),
            weight=np.ones(shape[:2]),
            kernel=np.clip(kernel, 0.0, None).astype(np.float32),
            distance=2 * middle * (n_options + 1),
            refused=RefusedTexts(model.replications, n_issues),
        )

    def release(self, model: Table) -> None:
        """Free the mediator's evidence (its arrays are as large as the opponent model's)."""
        self.__dict__.pop("state", None)

    def mediator_index(self, model: Table) -> int:
        """The party mediating, or -1 for a neutral mediator."""
        name = self.values["mediator"]
        return -1 if name is None else model.scenario.party_names.index(name)

    def play(self, model: Table, rows: np.ndarray) -> None:
        """Put this round's text on the table, hear the answers, settle or learn from them."""
        state = self.state
        texts, proposer = self.texts(model, state, rows)
        by_party = proposer >= 0
        if by_party.any():
            model.publish(rows[by_party], proposer[by_party], texts[by_party])
        model.standing[rows] = texts
        model.record_offer(rows, texts, proposer)
        accepted = model.answer(rows, texts, proposer, record_received=True)
        agreed = model.agreed(rows, accepted)
        model.conclude(rows[agreed], texts[agreed])
        rest = ~agreed
        self.learn(model, state, rows[rest], texts[rest], accepted[rest], proposer[rest])

    def texts(
        self, model: Table, state: Mediation, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """This round's text in each of `rows` and who proposes it (-1: the neutral mediator)."""
        estimates = estimated_tables(state, rows, model.scenario.option_mask)
        needed = model.at_table[rows] & model.required
        weights = (state.weight[rows] * needed).astype(np.float32)
        m = self.mediator_index(model)
        proposer = np.full(rows.size, -1)
        if m >= 0:
            proposer[model.at_table[rows, m]] = m
            weights[:, m] = 0.0
        others = np.einsum("np,npik->nik", weights, estimates)
        score = np.where(model.closed[rows] | ~model.scenario.option_mask, -np.inf, others)
        best = score.max(axis=-1, keepdims=True)
        tied = score >= best - _TIE * np.maximum(np.abs(best), 1.0)
        keys = model.tie_keys[rows]
        texts = np.where(tied, keys[..., :-1] - state.distance, -np.inf).argmax(axis=-1)
        neutral = proposer < 0
        if neutral.any():  # never a text a party at the table called worse than no deal
            texts[neutral] = state.refused.replace(
                rows[neutral], texts[neutral], score[neutral], keys[neutral, :, -1]
            )
        if m >= 0 and (mine := proposer == m).any():
            agent, who = model.parties[m], rows[mine]
            texts[mine] = generate_offers(
                agent.table[who],
                others[mine],
                model.forbidden_for(agent, who),
                agent.target(who, model.round),
                keys=model.tie_keys[who],
            )
        return texts, proposer

    def learn(
        self,
        model: Table,
        state: Mediation,
        rows: np.ndarray,
        texts: np.ndarray,
        accepted: np.ndarray,
        proposer: np.ndarray,
    ) -> None:
        """Count the rejecting parties' objections and raise their weights; remember texts a
        required party called worse than no deal."""
        present = model.at_table[rows]
        worse_for_someone = np.zeros(rows.size, dtype=bool)
        growth = 1.0 + float(self.values["learning_rate"])
        issues = np.arange(model.scenario.option_mask.shape[0])[None, :]
        for agent in model.parties:
            q = agent.index
            rejecting = present[:, q] & ~accepted[:, q] & (proposer != q)
            if not rejecting.any():
                continue
            who = rows[rejecting]
            named, wanted, worse = objections(model, agent, who, texts[rejecting])
            if model.required[q]:
                worse_for_someone[rejecting] |= worse
            asked = state.kernel[issues, :, wanted] * named[..., None]  # (n, I, K)
            state.support[who, q] += asked
            state.named[who, q] += named
            state.weight[who, q] *= growth
        state.weight[rows] /= state.weight[rows].max(axis=1, keepdims=True)
        neutral = proposer < 0
        state.refused.add(rows[neutral & worse_for_someone], texts[neutral & worse_for_someone])
        kept = neutral & ~worse_for_someone
        state.refused.keep_viable(rows[kept], texts[kept])


def objections(
    model: Table, agent: Negotiator, rows: np.ndarray, texts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The issues `agent` rejects `texts` on, the option it wants on every issue, and whether
    it says the text is worse than no deal for it.

    Computed by the party itself from its own table (see the module docstring).

    Returns:
        (named, wanted, worse): shapes (n, I) bool, (n, I) option indices and (n,) bool.
    """
    table = agent.table[rows]
    open_table = np.where(model.forbidden_for(agent, rows), -np.inf, table)
    keys = model.tie_keys[rows]
    wanted = ranked_argmax(open_table, keys[..., :-1])
    current = gather(table, texts)
    cost = np.maximum(gather(table, wanted) - current, 0.0)
    floor = np.maximum(
        agent.strategy.next_target(agent, rows, model.round), agent.reservation[rows]
    )
    worth = current.sum(axis=-1)
    shortfall = floor - worth
    order = np.lexsort((-keys[..., -1], -cost), axis=1)  # costliest first; ties by key
    ranked = np.take_along_axis(cost, order, axis=1)
    before = np.cumsum(ranked, axis=1) - ranked
    needed = (before < shortfall[:, None] - 1e-12) & (ranked > 0)
    named = np.zeros_like(needed)
    np.put_along_axis(named, order, needed, axis=1)
    crossing = crosses(agent.red_lines, texts)
    worse = (worth < agent.reservation[rows] - TOLERANCE) | crossing.any(axis=1)
    return named | crossing, wanted, worse


def estimated_tables(state: Mediation, rows: np.ndarray, option_mask: np.ndarray) -> np.ndarray:
    """The mediator's estimated weighted tables of every party in `rows`, shape (n, P, I, K)."""
    smoothed = state.support[rows] + np.float32(1.0)
    smoothed *= option_mask
    values = smoothed / smoothed.max(axis=-1, keepdims=True)
    named = state.named[rows] + 1.0
    weights = named / named.sum(axis=-1, keepdims=True)
    return weights[..., None] * values
