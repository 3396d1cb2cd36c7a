"""Zeuthen's risk-based concession in Harsanyi's form: the party least willing to risk conflict
concedes, and just enough that it no longer is.

With my offer x_i and theirs x_j on the table, my risk is
`(u_i(x_i) - u_i(x_j)) / (u_i(x_i) - r_i)`: the largest chance of breakdown I would accept rather
than take their offer, with my reservation value r_i as the conflict point (Zeuthen 1930). The
party with the smaller risk concedes, to the least concession that makes its risk exceed the
other's (Harsanyi 1956); `step` is the least concession, so that ties are broken and the
bargaining ends. Each such concession lifts the Nash product of the conceder's offer above that
of the other's offer, so two Zeuthen parties close in on the Nash bargaining point from both
sides.

What a Zeuthen party observes, per replication, and nothing else:

- its own table, target and reservation value;
- the offers on the table: each party's latest offer (the shared opponent model's record of public
  offers), valued with its own table;
- the risks the others announce when they answer an offer (`NegotiationModel.risks`), each on the
  announcing party's own scale. Never another party's utility.

The rule, at the start of every round:

1. Position. A party stands by its latest offer: when it has made a new one, its target becomes
   what that offer is worth to it (a hair below, so that the shared offer generator makes the same
   offer again). Its announced risk, its acceptance floor and the offer the others weigh are then
   one position.
2. Whom to out-risk. The other party j at the table with the smallest announced risk rho_j > 0
   (a party with risk 0 accepted what it answered). My risk is computed against j's latest offer,
   worth c to me; the risk j announced is about my latest offer, worth h to me.
3. j's risk of an offer worth u to me is 0 at u = c and rho_j at u = h; in between the party
   reads it off `rho_j(u) = rho_j * ((u - c) / (h - c)) ** g`. The curvature g is fitted through
   j's risk about my previous offer (g = 1 on a straight frontier, g > 1 where j gains fast from
   my first concessions, as on a concave one). Before there is such a point g is 2, and g is
   kept within [1, 8]: a straight line would overstate j's risk on a concave frontier and make me
   concede too far, which no later move undoes, while conceding too little costs only a round.
4. A stale risk (j made a new offer since last round and has announced nothing since) is about
   j's previous position; it is carried to j's new offer along that curve (`carried_risk`).
5. Who concedes. I concede when my risk is not larger than j's. While my own last concession is
   not yet on the table (my target is below my latest offer), I compare with `rho_j` at my
   target instead of j's risk about my older offer, for at most a round per party.
6. How far. The new target is the largest u with `(u - c) / (u - r_i) >= rho_j(u)`, at least
   `step` below the current target, and never below my reservation value nor below c (j's offer
   is then as good, and accepted). Without the anchors (no offer of mine or of j's on the table
   yet) it is `step` below; under a neutral mediator, whose texts are nobody's offer, the party
   compares the risk it announced with j's and concedes `step`.

With two parties (the setting of the theory) rho_j is always about my latest offer. With more, a
party bargains with the least risk-willing other as if the two were alone, reading that party's
risk as about its own latest offer.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from negsim.strategies.base import Param, Strategy
from negsim.strategies.seat import Seat

_TIE = 1e-9  # risks this close are equal: both parties concede
_HAIR = 1e-5  # a target this far below an offer's utility makes the shared generator repeat it
_SAME = 1e-12  # utilities this close are the same offer
_PRIOR_CURVATURE = 2.0
_MAX_CURVATURE = 8.0
_BISECTION_STEPS = 32
_PER_PARTY = (
    "received",
    "heard_offer",
    "heard_risk",
    "anchor",
    "anchor_risk",
    "before",
    "before_risk",
)


def _positive(x: float) -> str | None:
    return None if x > 0 else "must be above 0"


def zeuthen_risk(demand: np.ndarray, reservation: np.ndarray, utility: np.ndarray) -> np.ndarray:
    """Zeuthen's risk `(demand - utility) / (demand - reservation)` within [0, 1]; NaN where
    `utility` is unknown.

    >>> zeuthen_risk(np.array([0.8]), np.array([0.2]), np.array([0.5])).round(3).tolist()
    [0.5]
    """
    room = demand - reservation
    with np.errstate(divide="ignore", invalid="ignore"):
        risk = np.where(room > 1e-12, (demand - utility) / room, 0.0)
    return np.where(np.isnan(utility), np.nan, np.clip(risk, 0.0, 1.0))


def estimated_risk(
    demand: np.ndarray,
    mine: np.ndarray,
    theirs: np.ndarray,
    their_risk: np.ndarray,
    curvature: np.ndarray,
) -> np.ndarray:
    """Their risk of my offer at `demand` u, read off `rho_j * ((u - c) / (h - c)) ** g`.

    Args:
        demand: u, shape (n,).
        mine: my utility h of my latest offer, shape (n,).
        theirs: my utility c of their latest offer, where their risk is 0, shape (n,).
        their_risk: their announced risk rho_j about my latest offer, shape (n,).
        curvature: g, shape (n,).

    >>> estimated_risk(np.array([0.5]), np.array([1.0]), np.array([0.0]), np.array([0.8]),
    ...                np.array([2.0])).round(3).tolist()
    [0.2]
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.clip((demand - theirs) / (mine - theirs), 0.0, 1.0)
    share = np.where(mine - theirs > _SAME, share, 1.0)
    return their_risk * share**curvature


def fitted_curvature(
    mine: np.ndarray,
    theirs: np.ndarray,
    their_risk: np.ndarray,
    before: np.ndarray,
    risk_before: np.ndarray,
) -> np.ndarray:
    """The curvature g of `estimated_risk` through their risk about my previous offer.

    Args:
        mine, theirs, their_risk: as in `estimated_risk`.
        before: my utility of my previous offer (NaN if none), shape (n,).
        risk_before: their risk about my previous offer, shape (n,).

    Returns:
        g within [1, 8], shape (n,); 2 where the points do not determine it.

    >>> fitted_curvature(np.array([0.5]), np.array([0.0]), np.array([0.25]),
    ...                  np.array([1.0]), np.array([0.5])).tolist()
    [1.0]
    """
    usable = (
        (before > mine + _SAME)
        & (mine > theirs + _SAME)
        & (risk_before > their_risk)
        & (their_risk > 0)
        & (risk_before < 1)  # a risk of 1 may be clipped: the curve is higher there
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        fit = np.log(risk_before / their_risk) / np.log((before - theirs) / (mine - theirs))
    fit = np.where(usable & np.isfinite(fit), fit, _PRIOR_CURVATURE)
    return np.clip(fit, 1.0, _MAX_CURVATURE)


def carried_risk(
    their_risk: np.ndarray,
    mine: np.ndarray,
    theirs_before: np.ndarray,
    theirs: np.ndarray,
    curvature: np.ndarray,
) -> np.ndarray:
    """Their risk about my latest offer, announced from their previous offer, carried to their
    new one.

    From a position P their risk of an offer y is `1 - W(y) / W(P)`, W their gain over their
    reservation value, so `rho(h | new) = 1 - (1 - rho(h | old)) / (1 - rho(new | old))`, where
    `rho(new | old)`, their old risk of their own new offer, is read off the old curve
    (`estimated_risk` with c their previous offer). NaN where the new offer is off that curve.

    >>> carried_risk(np.array([0.8]), np.array([1.0]), np.array([0.0]), np.array([0.5]),
    ...              np.array([1.0])).round(3).tolist()
    [0.667]
    """
    moved = estimated_risk(theirs, mine, theirs_before, their_risk, curvature)
    with np.errstate(divide="ignore", invalid="ignore"):
        carried = 1.0 - (1.0 - their_risk) / (1.0 - moved)
    return np.where(np.isfinite(carried), np.clip(carried, 0.0, 1.0), np.nan)


def just_enough(
    reservation: np.ndarray,
    ceiling: np.ndarray,
    mine: np.ndarray,
    theirs: np.ndarray,
    their_risk: np.ndarray,
    curvature: np.ndarray,
) -> np.ndarray:
    """The largest demand u in [max(c, r), min(h, ceiling)] at which my risk of their offer is at
    least their estimated risk of my offer: `(u - c) / (u - r) >= estimated_risk(u)`.

    With g >= 1 this holds below a single crossing, which a bisection finds. `reservation` is my
    reservation value r, the rest as in `estimated_risk`. NaN where the interval is empty or
    their risk is 0.

    >>> just_enough(np.array([0.0]), np.array([1.0]), np.array([0.8]), np.array([0.1]),
    ...             np.array([0.875]), np.array([1.0])).round(4).tolist()
    [0.8]
    """
    low = np.maximum(theirs, reservation)
    high = np.minimum(mine, ceiling)
    valid = (high > low + _SAME) & (their_risk > 0)
    lo = np.where(valid, low, 0.0)
    hi = np.where(valid, high, 1.0)
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        holds = zeuthen_risk(mid, reservation, theirs) >= estimated_risk(
            mid, mine, theirs, their_risk, curvature
        )
        lo = np.where(holds, mid, lo)
        hi = np.where(holds, hi, mid)
    return np.where(valid, lo, np.nan)


class Zeuthen(Strategy):
    """Concede just enough when my risk of conflict is the smallest at the table."""

    name: ClassVar[str] = "zeuthen"
    description: ClassVar[str] = (
        "the party least willing to risk conflict concedes just enough that it no longer is"
    )
    reads_risks: ClassVar[bool] = True
    params: ClassVar[dict[str, Param]] = {
        "step": Param(0.02, _positive, "least utility conceded when it is this party's turn"),
    }

    def init_memory(self, agent: Seat) -> None:
        """Target, starting at the party's best, and what it has seen of the table.

        Per replication: `offered`, my utility of my latest offer; `pending`, rounds my last
        concession has waited to reach the table. Per party: `received`, my utility of its
        latest offer; `heard_offer` and `heard_risk`, that and its risk when last round began
        (to tell a stale risk); `anchor` and `anchor_risk`, my latest offer it answered and its
        risk; `before` and `before_risk`, the same for my previous offer.
        """
        n_rows, n_parties = agent.reservation.shape[0], agent.model.n_parties
        agent.memory["target"] = agent.best.copy()
        agent.memory["offered"] = np.full(n_rows, np.nan)
        agent.memory["pending"] = np.zeros(n_rows, dtype=np.int64)
        for key in _PER_PARTY:
            agent.memory[key] = np.full((n_rows, n_parties), np.nan)

    def observe(
        self, agent: Seat, rows: np.ndarray, proposer: np.ndarray, utility: np.ndarray
    ) -> None:
        """Keep what the proposer's latest offer is worth to this party."""
        agent.memory["received"][rows, proposer] = utility

    def begin_round(self, agent: Seat, rows: np.ndarray, round_: int) -> None:
        """Stand by my latest offer; where my risk is the smallest at the table, concede just
        enough that it no longer is."""
        memory, model = agent.memory, agent.model
        mine = _own_offer(agent, rows)
        target = _stand_by_offer(memory, rows, mine)
        risks = model.risks[rows]
        heard = model.at_table[rows] & ~np.isnan(risks)
        heard[:, agent.index] = False
        theirs_before = memory["heard_offer"][rows]
        stale = _stale(memory, rows, risks)
        _remember(memory, rows, heard & ~stale & ~np.isnan(mine)[:, None], mine, risks)
        heard &= risks > 0  # a party whose risk is 0 accepted what it answered
        # A target below my offer on the table is a concession the others have not seen yet; it
        # waits at most a round per party (a concession too small to change my offer never shows).
        pending = target < mine - 2 * _HAIR
        waited = np.where(pending, memory["pending"][rows] + 1, 0)
        memory["pending"][rows] = waited
        pending &= waited <= model.n_parties
        if heard.any():
            line = np.arange(rows.size)
            other = np.where(heard, risks, np.inf).argmin(axis=1)
            their_risk = risks[line, other]
            theirs = memory["received"][rows, other]
            before = memory["before"][rows, other]
            before_risk = memory["before_risk"][rows, other]
            carry = stale[line, other]
            if carry.any():  # a risk announced before their latest offer
                old = theirs_before[line, other]
                old_curvature = fitted_curvature(mine, old, their_risk, before, before_risk)
                carried = carried_risk(their_risk, mine, old, theirs, old_curvature)
                their_risk = np.where(carry, carried, their_risk)
            curvature = fitted_curvature(mine, theirs, their_risk, before, before_risk)
            reservation = agent.reservation[rows]
            # My risk of their offer; with no offer of theirs (a neutral text) the one I announced.
            own = zeuthen_risk(target, reservation, theirs)
            own = np.where(np.isnan(theirs), risks[:, agent.index], own)
            compared = np.where(
                pending, estimated_risk(target, mine, theirs, their_risk, curvature), their_risk
            )
            concede = heard[line, other] & ~np.isnan(their_risk) & (own <= compared + _TIE)
            if concede.any():
                c = np.flatnonzero(concede)
                target[c] = self._conceded(
                    target[c],
                    reservation[c],
                    mine[c],
                    theirs[c],
                    their_risk[c],
                    curvature[c],
                    agent.params["step"][rows[c]],
                )
        memory["target"][rows] = target

    def _conceded(
        self,
        target: np.ndarray,
        reservation: np.ndarray,
        mine: np.ndarray,
        theirs: np.ndarray,
        their_risk: np.ndarray,
        curvature: np.ndarray,
        step: np.ndarray,
    ) -> np.ndarray:
        """The new target: just enough, at least `step` below `target`, and within
        [max(r, c), target]."""
        demand = just_enough(reservation, target, mine, theirs, their_risk, curvature)
        stepped = target - step
        new = np.where(np.isnan(demand), stepped, np.minimum(demand, stepped))
        floor = np.maximum(reservation, np.where(np.isnan(theirs), -np.inf, theirs))
        return np.minimum(np.maximum(new, floor), target)

    def target(self, agent: Seat, rows: np.ndarray, round_: int) -> np.ndarray:
        """The current target."""
        return agent.memory["target"][rows]

    def next_target(self, agent: Seat, rows: np.ndarray, round_: int) -> np.ndarray:
        """The current target: it concedes only when its turn comes."""
        return agent.memory["target"][rows]


def _own_offer(agent: Seat, rows: np.ndarray) -> np.ndarray:
    """The party's utility of its latest public offer, NaN before it made one."""
    last = agent.model.opponents.last[agent.index, rows]
    made = (last >= 0).all(axis=1)
    return np.where(made, agent.utility(rows, np.maximum(last, 0)), np.nan)


def _stand_by_offer(
    memory: dict[str, np.ndarray], rows: np.ndarray, mine: np.ndarray
) -> np.ndarray:
    """The target, raised to a hair below my latest offer where that offer is new and lower for
    me than the one before (the generator may give more than the target asks)."""
    offered = memory["offered"][rows]
    new = ~np.isnan(mine) & (np.isnan(offered) | (mine < offered - _SAME))
    target = memory["target"][rows]
    target = np.where(new, np.maximum(target, mine - _HAIR), target)
    memory["offered"][rows] = np.where(np.isnan(mine), offered, mine)
    return target


def _stale(memory: dict[str, np.ndarray], rows: np.ndarray, risks: np.ndarray) -> np.ndarray:
    """Where a party made a new offer since last round but announced no new risk, shape (n, P):
    its risk predates its move. Records this round's offers and risks."""
    received = memory["received"][rows]
    moved = ~np.isnan(received) & ~(np.abs(received - memory["heard_offer"][rows]) <= _SAME)
    stale = moved & (risks == memory["heard_risk"][rows])
    memory["heard_offer"][rows] = received
    memory["heard_risk"][rows] = risks
    return stale


def _remember(
    memory: dict[str, np.ndarray],
    rows: np.ndarray,
    fresh: np.ndarray,
    mine: np.ndarray,
    risks: np.ndarray,
) -> None:
    """Record each fresh risk as about my latest offer; when my offer has changed, the last risk
    about the previous one becomes `before`."""
    mine = np.broadcast_to(mine[:, None], risks.shape)
    anchor = memory["anchor"][rows]
    moved = fresh & ~np.isnan(anchor) & (np.abs(mine - anchor) > _SAME)
    memory["before"][rows] = np.where(moved, anchor, memory["before"][rows])
    memory["before_risk"][rows] = np.where(
        moved, memory["anchor_risk"][rows], memory["before_risk"][rows]
    )
    memory["anchor"][rows] = np.where(fresh, mine, anchor)
    memory["anchor_risk"][rows] = np.where(fresh, risks, memory["anchor_risk"][rows])
