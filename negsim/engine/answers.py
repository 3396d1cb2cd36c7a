"""The pieces of an answer round: proposers accepting their own offers, red lines closing options.

`NegotiationModel.answer` asks every party at the table about the offers on it; what does not
depend on a party's strategy is computed here, for all rows at once.
"""

from __future__ import annotations

import numpy as np

from negsim.utility import TOLERANCE, gather_rows, row_any, row_sum


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
    replications = tables.shape[1]
    blocks = tables.reshape(-1, *tables.shape[2:])  # (party, row) blocks
    utility = row_sum(gather_rows(blocks, side * replications + rows, offers))
    crossed = row_any(gather_rows(red_lines, side, offers))
    return (utility >= reservations[side, rows] - TOLERANCE) & ~crossed


def close_named(
    closed: np.ndarray,
    recheck: np.ndarray,
    rows: np.ndarray,
    offers: np.ndarray,
    objections: np.ndarray,
    named: np.ndarray,
) -> None:
    """Close for everyone, in `closed` (R, I, K), the options red lines named in `objections`
    (n, I) against `offers` (n, I) in `rows`; `named` marks the rows naming any. The rows whose
    options closed are marked in `recheck` (a party there may now have nothing left to gain)."""
    hit = np.flatnonzero(named)  # few rows: np.nonzero on them only
    hit_row, hit_issue = np.nonzero(objections[hit])
    hit_row = hit[hit_row]
    closed[rows[hit_row], hit_issue, offers[hit_row, hit_issue]] = True
    recheck[rows[hit_row]] = True
