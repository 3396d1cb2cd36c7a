"""The pieces of an answer round: proposers accepting their own offers, red lines closing options.

`NegotiationModel.answer` asks every party at the table about the offers on it; what does not
depend on a party's strategy is computed here, for all rows at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from negsim.strategies.zeuthen import zeuthen_risk
from negsim.utility import TOLERANCE, issue_offsets, row_any, row_sum


def proposers_accept(
    tables: np.ndarray,
    red_lines: np.ndarray,
    reservations: np.ndarray,
    side: np.ndarray,
    rows: np.ndarray,
    offers: np.ndarray,
) -> np.ndarray:
    """Whether proposer `side[j]` accepts its own `offers[j]` in `rows[j]`: at least its
    reservation value and across none of its red lines.

    Args:
        tables: every party's weighted option values, (P, R, I, K).
        red_lines: every party's red lines, (P, I, K).
        reservations: every party's reservation value, (P, R).
    """
    # `gather_rows` of the (party, row) blocks and of the parties' red lines, on one index.
    n_issues, n_options = red_lines.shape[1:]
    size = n_issues * n_options
    local = offers + issue_offsets(rows.size, n_issues, n_options)
    crossed = row_any(red_lines.take(local + (side * size)[:, None]))
    blocks = side * tables.shape[1] + rows  # flat (party, row) index
    local += (blocks * size)[:, None]
    utility = row_sum(tables.take(local))
    return (utility >= reservations.take(blocks) - TOLERANCE) & ~crossed


def close_named(
    closed: np.ndarray,
    recheck: np.ndarray,
    rows: np.ndarray,
    offers: np.ndarray,
    objections: np.ndarray,
    named: np.ndarray,
    closing: np.ndarray,
) -> None:
    """Close for everyone, in `closed` (R, I, K), the options red lines named in `objections`
    (n, I) against `offers` (n, I) in `rows`, where `closing` (n,): a required party's answer;
    `named` marks the answers naming any. The rows whose options closed are marked in `recheck`
    (a party there may now have nothing left to gain)."""
    if not named.any():
        return
    if not closing.all():
        if not closing.any():
            return
        rows, offers, objections = rows[closing], offers[closing], objections[closing]
        named = named[closing]
    hit = np.flatnonzero(named)  # few rows: np.nonzero on them only
    hit_row, hit_issue = np.nonzero(objections[hit])
    hit_row = hit[hit_row]
    closed[rows[hit_row], hit_issue, offers[hit_row, hit_issue]] = True
    recheck[rows[hit_row]] = True


def responses(
    parties: Sequence[Any],
    bounds: np.ndarray,
    rows: np.ndarray,
    offers: np.ndarray,
    round_: int,
    transcript: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each party's answers to its block `bounds[p]:bounds[p + 1]` of (`rows`, `offers`):
    whether it accepts, the red lines it names per issue, and what the offer is worth to it.
    The transcript (None: not kept) records each answer and why."""
    answers = np.empty(rows.size, dtype=bool)
    objections = np.empty(offers.shape, dtype=bool)
    utility = np.empty(rows.size)
    edges = bounds.tolist()
    for agent in parties:
        mine = slice(edges[agent.index], edges[agent.index + 1])
        if mine.start < mine.stop:
            answers[mine], objections[mine], utility[mine] = agent.respond(
                rows[mine], offers[mine], round_
            )
            if transcript is not None:
                transcript.answers(
                    agent, rows[mine], answers[mine], utility[mine], agent.last_floor,
                    objections[mine],
                )  # fmt: skip
    return answers, objections, utility


def announce_risks(
    parties: Sequence[Any],
    bounds: np.ndarray,
    rows: np.ndarray,
    utility: np.ndarray,
    round_: int,
    risks: np.ndarray,
) -> None:
    """Each answering party announces Zeuthen's risk of the offer it answered, worth `utility`
    to it: the chance of breakdown it would rather take than accept (`strategies.zeuthen`), into
    `risks` (R, P); party p answered `rows[bounds[p]:bounds[p + 1]]`."""
    for agent in parties:
        mine = slice(bounds[agent.index], bounds[agent.index + 1])
        target = agent.target(rows[mine], round_)
        risk = zeuthen_risk(target, agent.reservation[rows[mine]], utility[mine])
        risks[rows[mine], agent.index] = risk
