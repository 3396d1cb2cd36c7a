"""Texts a party has called worse than no deal, so that a mediator never tables them again.

A party that rejects a text worth less to it than its reservation value says so when it objects
("this is worse than no deal for us"): its reservation does not move, so that text can never
pass while the party is at the table. A text rejected only because the party's target was higher
is not refused: its target falls with time, and the text may pass later.

The mediator keeps, per replication, the codes of refused texts (a 64-bit hash of the options);
when its best text is refused it tables instead the best single-issue change of it that is not
(the issue whose second-best option costs its objective least first), or else the last text
nobody refused.
"""

from __future__ import annotations

import numpy as np

_GROW = 8  # slots added to every row's list when one row's list is full


class RefusedTexts:
    """Per replication, the texts some party at the table called worse than no deal.

    Args:
        replications: number of replications R.
        n_issues: number of issues I.
    """

    def __init__(self, replications: int, n_issues: int) -> None:
        multipliers = np.random.default_rng(n_issues).integers(1, 2**62, size=n_issues) | 1
        self._multipliers = multipliers.astype(np.uint64)
        self.codes = np.zeros((replications, _GROW), dtype=np.uint64)
        self.count = np.zeros(replications, dtype=np.int64)
        self.viable = np.full((replications, n_issues), -1, dtype=np.int64)

    def code(self, texts: np.ndarray) -> np.ndarray:
        """Each text's hash, shape (n,): the same options give the same code."""
        with np.errstate(over="ignore"):
            return (texts.astype(np.uint64) * self._multipliers).sum(axis=-1, dtype=np.uint64)

    def add(self, rows: np.ndarray, texts: np.ndarray) -> None:
        """Record that `texts[j]` was refused in `rows[j]` (rows distinct)."""
        if rows.size == 0:
            return
        fresh = ~self.refused(rows, texts)
        rows, texts = rows[fresh], texts[fresh]
        if int(self.count[rows].max(initial=0)) >= self.codes.shape[1]:
            extra = np.zeros((self.codes.shape[0], _GROW), dtype=np.uint64)
            self.codes = np.concatenate([self.codes, extra], axis=1)
        self.codes[rows, self.count[rows]] = self.code(texts)
        self.count[rows] += 1

    def keep_viable(self, rows: np.ndarray, texts: np.ndarray) -> None:
        """Remember `texts[j]` as the last text nobody refused in `rows[j]`."""
        self.viable[rows] = texts

    def refused(self, rows: np.ndarray, texts: np.ndarray) -> np.ndarray:
        """Whether `texts[j]` was refused in `rows[j]`, shape (n,)."""
        used = int(self.count[rows].max(initial=0))
        if used == 0:
            return np.zeros(rows.size, dtype=bool)
        codes = self.codes[rows, :used]
        listed = np.arange(used)[None, :] < self.count[rows, None]
        return ((codes == self.code(texts)[:, None]) & listed).any(axis=1)

    def replace(
        self, rows: np.ndarray, texts: np.ndarray, score: np.ndarray, keys: np.ndarray
    ) -> np.ndarray:
        """`texts` with every refused one replaced (see the module docstring).

        Args:
            rows: the replications, shape (n,).
            texts: the mediator's best texts, shape (n, I).
            score: the objective of every option (-inf where closed), shape (n, I, K).
            keys: the issues' tie-break keys, shape (n, I).
        """
        out = texts.copy()
        pending = np.flatnonzero(self.refused(rows, texts))
        if pending.size == 0:
            return out
        base, sub, line = texts[pending], score[pending], np.arange(pending.size)
        best = np.take_along_axis(sub, base[..., None], axis=-1)[..., 0]
        runner = np.where(np.arange(sub.shape[-1]) == base[..., None], -np.inf, sub)
        second = runner.argmax(axis=-1)
        loss = best - runner.max(axis=-1)  # inf where an issue has no other open option
        order = np.lexsort((-keys[pending], loss), axis=-1)  # cheapest first; ties by key
        left = np.ones(pending.size, dtype=bool)
        for step in range(base.shape[1]):
            issue = order[:, step]
            candidate = base.copy()
            candidate[line, issue] = second[line, issue]
            ok = left & np.isfinite(loss[line, issue])
            ok &= ~self.refused(rows[pending], candidate)
            out[pending[ok]] = candidate[ok]
            left &= ~ok
            if not left.any():
                return out
        viable = self.viable[rows[pending]]
        use = left & (viable[:, 0] >= 0)
        out[pending[use]] = viable[use]
        return out
