"""The learning models' updates, compiled: the frequency model and the threshold model.

Each kernel is the numpy code of `negsim.strategies.opponent.FrequencyModel` or
`negsim.strategies.thresholds.ThresholdModel` (the reference, kept there) as one loop over the
(party, replication) blocks a call touches, with the same arithmetic in the same order and
precision: float32 where numpy works in float32 (hence the `np.float32` constants: a float32
and a Python float make a float64 in numba), float64 where it works in float64, and sums over
issues in numpy's pairwise order (`negsim.kernels.sums`).

Rows go in blocks of `_BLOCK`: what needs a sum over issues is gathered for a block, summed with
one helper call, then used; the scratch is a few kilobytes, never an array over all rows.
Block `b` of a model's arrays is (party, replication) `divmod(b, R)`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from negsim.kernels import kernel
from negsim.kernels.sums import row_sums

_BLOCK = 64  # rows gathered before their sums over issues are taken
_ONE = np.float32(1.0)
_NAUGHT = np.float32(0.0)


@kernel
def frequency_update(
    counts: Any,
    top: Any,
    kept: Any,
    last: Any,
    estimates: Any,
    spread: Any,
    mask: Any,
    party: Any,
    rows: Any,
    offers: Any,
    replications: int,
    weight: Any,
    offered: bool,
) -> None:
    """`weight` offers of `offers[j]` by `party[j]` (`party[0]` for all when it has one
    element) in replication `rows[j]`, each block at most once: counts, largest counts, kept
    counts and last offers (when `offered`; acceptances move neither) and the re-estimated
    tables, in place. What `FrequencyModel._count` and `_refresh` do.

    Args:
        counts, estimates: float32, (B, I, K); `top`, `kept` float32 and `last` int64, (B, I).
        spread: how much an offer of option k counts for option j of issue i, (I, K, K).
        mask: 1.0 where an option exists, float32 (I, K).
        weight: the evidence of one offer, float32.
    """
    n_issues, n_options = top.shape[1], spread.shape[1]
    one_party = party.size == 1
    blocks = np.empty(_BLOCK, dtype=np.int64)
    weights = np.empty((_BLOCK, n_issues), dtype=np.float32)  # kept + 1 per issue
    totals = np.empty(_BLOCK, dtype=np.float32)
    for start in range(0, rows.size, _BLOCK):
        size = min(_BLOCK, rows.size - start)
        for r in range(size):
            j = start + r
            block = (party[0] if one_party else party[j]) * replications + rows[j]
            blocks[r] = block
            for i in range(n_issues):
                if offered:  # kept counts how often the party repeated its last option
                    option = offers[j, i]
                    kept[block, i] += _ONE if last[block, i] == option else _NAUGHT
                    last[block, i] = option
                weights[r, i] = kept[block, i] + _ONE
        row_sums(weights, size, n_issues, _NAUGHT, totals)
        for r in range(size):
            j, block = start + r, blocks[r]
            for i in range(n_issues):
                option = offers[j, i]
                largest = counts[block, i, 0] + spread[i, option, 0] * weight
                counts[block, i, 0] = largest
                nan = largest != largest
                for k in range(1, n_options):
                    count = counts[block, i, k] + spread[i, option, k] * weight
                    counts[block, i, k] = count
                    nan |= count != count  # np.maximum keeps a NaN; apart, not in the chain
                    largest = count if count > largest else largest
                if nan:
                    largest = np.float32(np.nan)
                top[block, i] = largest
                scale = largest + _ONE
                share = weights[r, i] / totals[r]
                for k in range(n_options):
                    value = (counts[block, i, k] + _ONE) / scale
                    estimates[block, i, k] = value * share * mask[i, k]


@kernel
def threshold_answers(
    kept_yes: Any,
    kept_no: Any,
    yes_value: Any,
    no_value: Any,
    yes_round: Any,
    no_round: Any,
    party: Any,
    rows: Any,
    offers: Any,
    accepted: Any,
    named_red_line: Any,
    round_: int,
    estimate: Any,
    by_block: bool,
    replications: int,
    memory: int,
) -> None:
    """Keep the weakest recent acceptance and the strongest recent rejection of `party[j]`
    (`party[0]` for all when it has one element) in replication `rows[j]`, each block at most
    once, in place. What `ThresholdModel.observe_answers` does.

    Args:
        kept_yes, kept_no: kept offers, (B, I); `yes_value`, `no_value` their values (float64)
            and `yes_round`, `no_round` their rounds, (B,).
        estimate: estimated tables: (B, I, K) of every party, read by block, when `by_block`
            (`party` was given per answer); else (R, I, K) of the one party, by replication.
    """
    n, n_issues = rows.size, offers.shape[1]
    one_party = party.size == 1
    lines = np.empty(_BLOCK, dtype=np.int64)
    terms = np.empty((_BLOCK, n_issues), dtype=np.float64)
    values = np.empty(_BLOCK, dtype=np.float64)
    j = 0
    while j < n:
        size = 0  # gather the block's telling answers (a red line named tells nothing)
        while j < n and size < _BLOCK:
            if accepted[j] or not named_red_line[j]:
                table = rows[j]
                if by_block:
                    table += (party[0] if one_party else party[j]) * replications
                for i in range(n_issues):
                    terms[size, i] = estimate[table, i, offers[j, i]]
                lines[size] = j
                size += 1
            j += 1
        row_sums(terms, size, n_issues, 0.0, values)
        for r in range(size):
            line, value = lines[r], values[r]
            block = (party[0] if one_party else party[line]) * replications + rows[line]
            if accepted[line]:
                old = yes_round[block]
                take = (old < 0) | (round_ - old >= memory) | (value <= yes_value[block])
                if take | (no_round[block] > old):  # or newer than the kept rejection
                    for i in range(n_issues):
                        kept_yes[block, i] = offers[line, i]
                    yes_value[block] = value
                    yes_round[block] = round_
            else:
                old = no_round[block]
                if (old < 0) | (round_ - old >= memory) | (value >= no_value[block]):
                    for i in range(n_issues):
                        kept_no[block, i] = offers[line, i]
                    no_value[block] = value
                    no_round[block] = round_


@kernel
def threshold_estimates(
    kept_yes: Any,
    kept_no: Any,
    yes_round: Any,
    no_round: Any,
    parties: Any,
    rows: Any,
    tables: Any,
    by_block: bool,
    replications: int,
    step: float,
    prior: float,
) -> Any:
    """Estimated thresholds of `parties[q, j]` (`parties[q, 0]` when it has one column) in
    `rows[j]`, the kept offers valued by that party's estimated table there: float64, (Q, n).
    What `ThresholdModel.thresholds` returns.

    Args:
        tables: estimated tables (B, I, K): every party's, read in place by (party,
            replication) block, when `by_block`; else one per party and row, `q * n + j`.
    """
    n_parties, n, n_issues = parties.shape[0], rows.size, kept_yes.shape[1]
    wide = parties.shape[1] != 1
    out = np.empty((n_parties, n), dtype=np.float64)
    yes_terms = np.empty((_BLOCK, n_issues), dtype=np.float64)
    no_terms = np.empty((_BLOCK, n_issues), dtype=np.float64)
    yes_values = np.empty(_BLOCK, dtype=np.float64)
    no_values = np.empty(_BLOCK, dtype=np.float64)
    for q in range(n_parties):
        for start in range(0, n, _BLOCK):
            size = min(_BLOCK, n - start)
            for r in range(size):
                j = start + r
                block = parties[q, j if wide else 0] * replications + rows[j]
                table = block if by_block else q * n + j
                for i in range(n_issues):
                    yes_terms[r, i] = tables[table, i, kept_yes[block, i]]
                    no_terms[r, i] = tables[table, i, kept_no[block, i]]
            row_sums(yes_terms, size, n_issues, 0.0, yes_values)
            row_sums(no_terms, size, n_issues, 0.0, no_values)
            for r in range(size):
                j = start + r
                block = parties[q, j if wide else 0] * replications + rows[j]
                when_yes, when_no = yes_round[block], no_round[block]
                yes = yes_values[r] if when_yes >= 0 else np.inf
                no = no_values[r] + step if when_no >= 0 else -np.inf
                if when_no < 0:
                    estimate = yes
                elif (when_no > when_yes) & (yes <= no - step):
                    estimate = no  # the threshold rose since the acceptance
                elif (yes <= no) | (yes != yes):  # np.minimum: a NaN stays
                    estimate = yes
                else:
                    estimate = no
                out[q, j] = estimate if np.isfinite(estimate) else prior
    return out
