"""Listing outcomes and their utilities, compiled: the exact analysis's first two passes.

`odometer` lists every outcome over given options in lexicographic order (the last issue
changes fastest), as `analysis.outcomes.admissible_outcomes` does with whole-column divisions;
`utilities` sums each party's table issue by issue in issue order from 0.0, as
`analysis.outcomes.outcome_utilities` does, so every outcome gets the same bits.
"""

from __future__ import annotations

import numpy as np

from negsim.kernels import kernel


@kernel
def odometer(choices: np.ndarray, counts: np.ndarray, total: int) -> np.ndarray:
    """Every outcome taking, on issue i, one of `choices[i, :counts[i]]`; shape (total, I)."""
    n_issues = counts.shape[0]
    out = np.empty((total, n_issues), dtype=np.int64)
    if total == 0:
        return out
    digit = np.zeros(n_issues, dtype=np.int64)
    for row in range(total):
        for issue in range(n_issues):
            out[row, issue] = choices[issue, digit[issue]]
        issue = n_issues - 1
        while issue >= 0:
            digit[issue] += 1
            if digit[issue] < counts[issue]:
                break
            digit[issue] = 0
            issue -= 1
    return out


@kernel
def utilities(tables: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
    """Every party's utility of every outcome, shape (N, P), summed in issue order from 0.0."""
    n_parties, n_issues = tables.shape[0], tables.shape[1]
    out = np.zeros((outcomes.shape[0], n_parties))
    for row in range(outcomes.shape[0]):
        for party in range(n_parties):
            total = 0.0
            for issue in range(n_issues):
                total += tables[party, issue, outcomes[row, issue]]
            out[row, party] = total
    return out
