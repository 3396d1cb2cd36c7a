"""Command-line entry points. Hydra stays here: the composed config becomes plain objects.

`negsim` runs a scenario (the flagship `ukraine_2025` by default) and writes into the Hydra run
directory `results.parquet` (one row per replication), `rounds.parquet` (the per-round series),
`summary.json` (summary, seed, resolved config, version, commit) and two figures.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hydra
import numpy as np
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from negsim import sweep
from negsim.batch import run_batches
from negsim.errors import NegsimError
from negsim.model import NegotiationModel, Outcome
from negsim.protocols import Protocol, build_protocol
from negsim.results import format_report, provenance, summarize, write_json, write_parquet
from negsim.scenario import CONFIG_DIR, SCENARIO_DIR, Scenario, parse_scenario

log = logging.getLogger(__name__)

# The launching process's id, resolved once there, keeps sweep directories unique.
OmegaConf.register_new_resolver("negsim_pid", os.getpid, use_cache=True, replace=True)


@dataclass(frozen=True)
class RunSettings:
    """The run's settings from the config, checked."""

    replications: int
    seed: int
    max_rounds: int
    first_proposer: str | None
    progress: bool | None
    figures: bool
    top_deals: int
    batch_size: int
    analysis: bool
    exact_quality: int
    accept_best_after: float | None

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> RunSettings:
        """Check the top-level keys of a composed config (everything but the scenario)."""
        seed = cfg.get("seed")
        if seed is None:
            seed = secrets.randbits(31)
        return cls(
            replications=_whole(cfg, "replications", 1),
            seed=_whole({"seed": seed}, "seed", 0),
            max_rounds=_whole(cfg, "max_rounds", 1),
            first_proposer=_optional_text(cfg, "first_proposer"),
            progress=_optional_bool(cfg, "progress"),
            figures=bool(_optional_bool(cfg, "figures")),
            top_deals=_whole(cfg, "top_deals", 0),
            batch_size=_whole(cfg, "batch_size", 1),
            analysis=bool(_optional_bool(cfg, "analysis")),
            exact_quality=_whole(cfg, "exact_quality", 0),
            accept_best_after=_optional_share(cfg, "accept_best_after"),
        )


def _whole(cfg: dict[str, Any], key: str, low: int) -> int:
    value = cfg.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise NegsimError(f"config: {key}: must be a whole number >= {low}, got {value!r}")
    return value


def _optional_share(cfg: dict[str, Any], key: str) -> float | None:
    value = cfg.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise NegsimError(f"config: {key}: must be null or a number in [0, 1], got {value!r}")
    return float(value)


def _optional_bool(cfg: dict[str, Any], key: str) -> bool | None:
    value = cfg.get(key)
    if value is not None and not isinstance(value, bool):
        raise NegsimError(f"config: {key}: must be true, false or null, got {value!r}")
    return value


def _optional_text(cfg: dict[str, Any], key: str) -> str | None:
    value = cfg.get(key)
    if value is not None and not isinstance(value, str):
        raise NegsimError(f"config: {key}: must be a name or null, got {value!r}")
    return value


def scenario_from_config(cfg: DictConfig, data: Any = None) -> Scenario:
    """Validate the composed `scenario` node (or its plain `data`), naming its file in errors."""
    choice = None
    if HydraConfig.initialized():
        choice = HydraConfig.get().runtime.choices.get("scenario")
    source = str(SCENARIO_DIR / f"{choice}.yaml") if choice else "scenario"
    with contextlib.suppress(ValueError):
        source = str(Path(source).relative_to(Path.cwd()))
    if data is None:
        data = OmegaConf.to_container(cfg.scenario, resolve=True)
    return parse_scenario(data, source=source)


def stated_analysis(scenario: Scenario) -> dict[str, Any]:
    """ZOPA and bargaining points of the required parties under the scenario's stated numbers."""
    from negsim.analysis import analyse

    result = analyse(scenario)
    zopa = result.zopa
    point = {
        name: None
        if solution is None
        else dict(zip(result.parties, solution.utilities.tolist(), strict=True))
        for name, solution in (
            ("nash", result.nash),
            ("kalai_smorodinsky", result.kalai_smorodinsky),
            ("egalitarian", result.egalitarian),
            ("max_welfare", result.max_welfare),
        )
    }
    return {
        "method": result.method,
        "zopa_exists": bool(zopa.exists),
        "zopa_outcomes": int(zopa.count),
        "zopa_share": float(zopa.share),
        "zopa_exact": bool(zopa.size_exact),
        "outcomes": int(result.outcome_count),
        **point,
    }


def protocol_from_config(node: Any) -> Protocol:
    """Build the protocol the `protocol` config node names, with its parameters."""
    if node is None:
        return build_protocol("alternating")
    if isinstance(node, str):
        node = {"name": node}
    if not isinstance(node, dict) or not isinstance(node.get("name"), str):
        raise NegsimError(f"config: protocol: must name a protocol, got {node!r}")
    params = {k: v for k, v in node.items() if k != "name"}
    try:
        return build_protocol(node["name"], params)
    except ValueError as exc:
        raise NegsimError(f"config: protocol: {exc}") from None


def run_job(cfg: DictConfig, out_dir: Path, job: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one configured job into `out_dir`; returns its summary (`job` adds sweep fields)."""
    plain = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(plain, dict)
    settings = RunSettings.from_config(plain)
    scenario = scenario_from_config(cfg, plain.get("scenario"))
    protocol = protocol_from_config(plain.get("protocol"))
    run = run_batches(
        scenario,
        replications=settings.replications,
        seed=settings.seed,
        max_rounds=settings.max_rounds,
        first_proposer=settings.first_proposer,
        batch_size=settings.batch_size,
        progress=settings.progress,
        protocol=protocol,
        exact_quality=settings.exact_quality,
        accept_best_after=settings.accept_best_after,
    )
    summary = summarize(run.results, scenario, top=settings.top_deals)
    summary.update(
        status="ok",
        seed=settings.seed,
        max_rounds=settings.max_rounds,
        config=plain,
        **(job or {}),
        **provenance(),
    )
    if settings.analysis:
        summary["stated_numbers"] = stated_analysis(scenario)
    write_parquet(run.results, out_dir / "results.parquet")
    write_parquet(run.series, out_dir / "rounds.parquet")
    if settings.figures:
        _write_figures(run.first, run.results, scenario, out_dir, plain.get("utility_space"))
    write_json(summary, out_dir / "summary.json")
    if job is None:
        print(format_report(summary, scenario))
        print(f"results in {out_dir}")
    else:
        low, high = summary["agreement_ci95"]
        print(
            f"job {job['job']}: agreement {summary['agreement_probability']:.3f} "
            f"[{low:.3f}, {high:.3f}]  {' '.join(job['overrides'])}"
        )
    return summary


def _write_figures(
    model: NegotiationModel, results: Any, scenario: Scenario, out: Path, space: Any
) -> None:
    from negsim import plots, space_plots

    if space is not None:
        if not isinstance(space, list | tuple) or len(space) != 2:
            raise NegsimError(
                f"config: utility_space: must name two parties or be null, got {space!r}"
            )
        unknown = [str(p) for p in space if str(p) not in scenario.party_names]
        if unknown:
            known = ", ".join(scenario.party_names)
            raise NegsimError(f"config: utility_space: no party {unknown[0]!r} (parties: {known})")
        agreed = np.flatnonzero(model.status == Outcome.AGREEMENT)
        replication = int(agreed[0]) if agreed.size else 0  # show a negotiation that agreed
        data = space_plots.utility_space(model, str(space[0]), str(space[1]), replication)
        plots.save_figure(space_plots.plot_utility_space(data), out / "utility_space.png")

    table = plots.concession_table_from_model(model)
    plots.save_figure(plots.plot_concession(table, scenario), out / "concession.png")
    plots.save_figure(
        plots.plot_deals(plots.deal_table(results, scenario), scenario), out / "deals.png"
    )


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def _app(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    hydra_config = HydraConfig.get()
    out_dir = Path(hydra_config.runtime.output_dir)
    if hydra_config.mode == RunMode.MULTIRUN:
        run_sweep_job(cfg, out_dir, list(hydra_config.overrides.task), hydra_config.job.num)
        return
    try:
        run_job(cfg, out_dir)
    except NegsimError as exc:
        print(f"negsim: error: {exc}", file=sys.stderr)
        sys.exit(2)


def run_sweep_job(cfg: DictConfig, out_dir: Path, overrides: list[str], num: int) -> None:
    """Run one job of a sweep: skip it if it already finished, record a failure as a result.

    A failed job writes a `summary.json` with `status: failed` and its error, so the sweep goes on
    and the sweep table keeps a row for it; a finished job with the same overrides is skipped, so
    re-running a sweep into its directory resumes it.
    """
    previous = read_summary(out_dir)
    if previous.get("status") == "ok" and previous.get("overrides") == overrides:
        print(f"job {num}: already finished in {out_dir}, skipped")
        return
    job = {"job": num, "overrides": overrides}
    try:
        run_job(cfg, out_dir, job)
    except Exception as exc:  # a failed job becomes a row of the sweep table, not a crash
        if isinstance(exc, NegsimError):
            message = str(exc)
        else:
            message = f"{type(exc).__name__}: {exc}"
            log.exception("job %s failed", num)  # the traceback goes to the job's log file
        failure = {"status": "failed", "error": message, "seed": cfg.get("seed"), **job}
        write_json(failure, out_dir / "summary.json")
        print(f"negsim: job {num} failed: {message}", file=sys.stderr)


def read_summary(job_dir: Path) -> dict[str, Any]:
    """A job's summary.json, or an empty mapping when it has none (or an unreadable one)."""
    try:
        return json.loads((job_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def main() -> None:
    """The `negsim` command; a sweep with failed jobs exits with status 1 once its table is out."""
    _app()
    if sweep.FAILED_JOBS:
        sys.exit(1)


if __name__ == "__main__":
    main()
