"""The acceptance rule shared by every strategy.

Accept an offer worth at least what I would offer next, at least my reservation value, and
crossing none of my red lines.

Optionally, near the end (`accept_best_after`, a share of the party's time, off by default):
from then on also accept an offer worth at least the best offer received so far, still at least
the reservation value and crossing no red line (AC_combi with the best-so-far window, Baarslag et
al. 2014): an offer as good as anything the others have put forward is unlikely to be bettered
in the time left.
"""

from __future__ import annotations

import numpy as np

from negsim.utility import TOLERANCE


def accepts(
    utility: np.ndarray,
    next_target: np.ndarray,
    reservation: np.ndarray,
    crossed_red_line: np.ndarray,
) -> np.ndarray:
    """Whether each row's offer is accepted.

    Args:
        utility: the offer's utility to the responder, shape (n,).
        next_target: the utility the responder would ask for in its next offer, shape (n,).
        reservation: the responder's reservation value, shape (n,).
        crossed_red_line: whether the offer crosses one of the responder's red lines, shape (n,).

    >>> accepts(np.array([0.6, 0.6, 0.6]), np.array([0.5, 0.7, 0.5]),
    ...         np.array([0.4, 0.4, 0.4]), np.array([False, False, True])).tolist()
    [True, False, False]
    """
    floor = np.maximum(next_target, reservation) - TOLERANCE
    return (utility >= floor) & ~crossed_red_line


def accepts_late(
    utility: np.ndarray,
    best_received: np.ndarray,
    reservation: np.ndarray,
    crossed_red_line: np.ndarray,
) -> np.ndarray:
    """The end-game condition: the offer is worth at least the best received before it.

    >>> accepts_late(np.array([0.5, 0.5, 0.5]), np.array([0.5, 0.6, 0.4]),
    ...              np.array([0.4, 0.4, 0.6]), np.array([False, False, False])).tolist()
    [True, False, False]
    """
    floor = np.maximum(best_received, reservation) - TOLERANCE
    return (utility >= floor) & ~crossed_red_line
