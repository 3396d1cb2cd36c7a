"""`hydra/sweeper=sensitivity`: which numbers move the odds, by Morris screening or Sobol indices.

    negsim -m hydra/sweeper=sensitivity hydra.sweeper.method=morris \\
        'hydra.sweeper.params.scenario.parties.ukraine.reservation=interval(0.2,0.6)' \\
        hydra.sweeper.around.deadline=10 hydra.sweeper.dummy=true replications=200

The sweeper samples the numbers' space with SALib (`negsim.analysis.sensitivity`), runs every
point of the design as one job of the sweep through the configured launcher (with the batched
launcher, points that share structure share lockstep models, on the local, Slurm or Ray
executor), reads each point's agreement probability, and writes at the sweep root
`sensitivity.csv`, `sensitivity.json` and the figures (`negsim.sweep.sensitivity`); it prints
what they say in words. Every point runs with the sweep's seed (common random numbers: points
differ by their numbers, not by their draws) unless `dummy=true` adds the seed as a factor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra_plugins.negsim_sweeper.design import DesignSweeper
from negsim.analysis import sensitivity
from negsim.analysis.sensitivity import Factor
from negsim.errors import NegsimError


class SensitivitySweeper(DesignSweeper):
    """Morris or Sobol design over the given numbers, analysed by SALib.

    Args:
        method: `morris` (screening: r trajectories of D + 1 points) or `sobol` (S1 and ST:
            N * (D + 2) points).
        trajectories: Morris's r.
        levels: Morris's grid levels (even).
        samples: Sobol's N (a power of two).
        dummy: add the seed as a number: its index is the noise floor.
        design_seed: the seed of the design's sampling and of the bootstrap intervals.
        resamples: bootstrap resamples of the intervals.
    """

    def __init__(
        self,
        method: str = "morris",
        trajectories: int = 20,
        levels: int = 4,
        samples: int = 256,
        dummy: bool = False,
        design_seed: int = 0,
        resamples: int = 1000,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if method not in sensitivity.METHODS:
            known = ", ".join(sensitivity.METHODS)
            raise NegsimError(f"hydra.sweeper.method: must be one of {known}, got {method!r}")
        self.method = method
        self.trajectories = trajectories
        self.levels = levels
        self.samples = samples
        self.dummy = bool(dummy)
        self.design_seed = design_seed
        self.resamples = resamples
        self.x: Any = None

    def design_rows(self, factors: list[Factor]) -> list[list[Any]]:
        """The SALib design's rows as the values each job runs with."""
        try:
            self.x = sensitivity.design(factors, self.method, self.trajectories, self.levels,
                                        self.samples, self.design_seed)  # fmt: skip
        except ValueError as exc:
            raise NegsimError(str(exc).replace("sensitivity:", "hydra.sweeper:", 1)) from None
        return sensitivity.factor_values(factors, self.x)

    def sweep(self, arguments: list[str]) -> Any:
        """Run the design, then analyse and write the indices at the sweep root."""
        from negsim.sweep.sensitivity import write_sensitivity

        assert self.config is not None
        returns = super().sweep(arguments)
        y = self.read_outputs([ret for batch in returns for ret in batch])
        table = sensitivity.indices(self.factors, self.x, y, self.method, self.levels,
                                    self.resamples, seed=self.design_seed)  # fmt: skip
        info = {
            "method": self.method,
            "output": self.output,
            "points": len(y),
            "replications_per_point": self.config.get("replications"),
            "trajectories": self.trajectories if self.method == "morris" else None,
            "samples": self.samples if self.method == "sobol" else None,
            "design_seed": self.design_seed,
        }
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        words = write_sensitivity(sweep_dir, table, self.factors, info)
        print(f"sensitivity ({self.method}, {len(y)} points): " + " ".join(words))
        print(f"sensitivity: indices in {sweep_dir / 'sensitivity.csv'}")
        return returns
