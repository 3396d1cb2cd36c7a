"""The batched launcher: the same sweep table as Hydra's basic launcher, number for number."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

from negsim.formats.load import CONFIG_DIR

NEGSIM = str(Path(sys.executable).parent / "negsim")
# batch_size 70 splits the jobs of 50 replications across models: packing must not show.
GRID = [
    "replications=50",
    "max_rounds=40",
    "batch_size=70",
    "scenario.parties.ukraine.reservation=0.3,0.5",
    "scenario.parties.russia.strategy.exponent=0.2,0.5",
    "scenario.parties.us.deadline=20,30",
]


def _negsim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEGSIM, *args], capture_output=True, text=True, timeout=600, check=False)


def _sweep(out: Path, *args: str) -> pd.DataFrame:
    result = _negsim("-m", *args, f"hydra.sweep.dir={out}")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return pd.read_parquet(out / "summary.parquet")


def _summary(path: Path) -> dict[str, Any]:
    """A job's summary without its commit (the suite may run while a commit lands)."""
    summary = json.loads(path.read_text(encoding="utf-8"))
    summary.pop("git_commit", None)
    return summary


@pytest.fixture(scope="module")
def basic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("basic") / "grid"
    _sweep(out, *GRID, "hydra/launcher=basic")
    return out


@pytest.fixture(scope="module")
def batched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("batched") / "grid"
    _sweep(out, *GRID, "hydra/launcher=negsim_batch", "hydra.launcher.executor=inline")
    return out


@pytest.mark.slow
def test_the_batched_launcher_gives_the_basic_launchers_table(basic: Path, batched: Path) -> None:
    one = pd.read_parquet(basic / "summary.parquet")
    other = pd.read_parquet(batched / "summary.parquet")
    assert len(one) == 8 and (one["status"] == "ok").all()
    pd.testing.assert_frame_equal(one, other)
    for job in range(8):  # and every job's summary, config and stated numbers included
        assert _summary(basic / str(job) / "summary.json") == _summary(
            batched / str(job) / "summary.json"
        )


@pytest.mark.slow
def test_a_sweep_point_alone_gives_the_numbers_it_gives_inside_the_sweep(
    batched: Path, tmp_path: Path
) -> None:
    job = _summary(batched / "5" / "summary.json")
    point = [o for o in job["overrides"] if not o.startswith(("replications", "max_rounds"))]
    result = _negsim(
        "replications=50", "max_rounds=40", *point, "figures=false", f"hydra.run.dir={tmp_path}"
    )
    assert result.returncode == 0, result.stderr
    alone = _summary(tmp_path / "summary.json")
    for key in (
        "agreement_probability",
        "outcome_shares",
        "mean_utility",
        "top_deals",
        "mean_distance_to_pareto",
        "stated_numbers",
        "mean_rounds",
    ):
        assert alone[key] == job[key], key


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["local", "submitit"])
def test_every_executor_gives_the_same_table(batched: Path, tmp_path: Path, executor: str) -> None:
    args = [*GRID, "hydra.launcher.executor=" + executor, "hydra.launcher.chunk_size=3"]
    if executor == "submitit":
        args.append("hydra.launcher.submitit.cluster=local")
    table = _sweep(tmp_path / executor, *args)
    pd.testing.assert_frame_equal(pd.read_parquet(batched / "summary.parquet"), table)
    if executor == "submitit":  # three chunks: one array job of three tasks, not eight jobs
        logs = list((tmp_path / executor / ".submitit").rglob("*_submitted.pkl"))
        assert len(logs) == 3


@pytest.mark.slow
def test_a_bad_point_is_a_failed_row_and_the_rest_runs(tmp_path: Path) -> None:
    out = tmp_path / "bad"
    result = _negsim(
        "-m",
        "replications=20",
        "scenario.parties.ukraine.reservation=0.4,1.4",
        "first_proposer=us,nobody",
        f"hydra.sweep.dir={out}",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    table = pd.read_parquet(out / "summary.parquet").set_index("job")
    assert table["status"].tolist() == ["ok", "failed", "failed", "failed"]
    assert "parties.ukraine.reservation" in table.loc[2, "error"]
    assert "first_proposer: no party 'nobody'" in table.loc[1, "error"]


@pytest.mark.slow
def test_defaults_suit_a_sweep_and_a_bar_counts_points(tmp_path: Path) -> None:
    out = tmp_path / "defaults"
    result = _negsim(
        "-m",
        "replications=10",
        "scenario.parties.ukraine.reservation=0.3,0.4,0.5",
        "hydra.launcher.progress=true",
        f"hydra.sweep.dir={out}",
    )
    assert result.returncode == 0, result.stderr
    assert "3/3" in result.stderr  # one bar over the sweep's points
    assert sorted(p.name for p in (out / "0").iterdir()) == ["summary.json"]
    assert "stated_numbers" in _summary(out / "0" / "summary.json")


def _hydra_plain(overrides: list[str]) -> dict[str, Any]:
    GlobalHydra.instance().clear()
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=overrides)
    plain = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(plain, dict)
    return plain


@pytest.mark.parametrize(
    "overrides",
    [
        ["scenario.parties.us.reservation=0.3"],
        ["protocol=mediated", "protocol.learning_rate=0.2"],
        ["scenario.parties.russia.strategy={name: noisy_boulware, exponent: 0.3}"],
        ["+experiment=us_patience", "seed=4", "utility_space=null"],
        ["scenario.parties.us.uncertainty={weights: 5}"],
    ],
)
def test_plain_overrides_apply_as_hydra_applies_them(overrides: list[str]) -> None:
    """The launcher composes once per group choice and applies `key=value` itself."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from hydra_plugins.negsim_batch_launcher.overrides import apply_plain

    parsed = OverridesParser.create().parse_overrides(overrides)
    groups = [o.input_line for o in parsed if o.key_or_group in ("protocol", "experiment")]
    plain = _hydra_plain([str(line) for line in groups])
    for override in parsed:
        if override.input_line not in groups:
            plain = apply_plain(plain, override)
    assert plain == _hydra_plain(overrides)


def _namespace_works() -> bool:
    try:
        probe = subprocess.run(["unshare", "-n", "--", "true"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


@pytest.mark.slow
def test_the_ray_executor_gives_the_same_table(batched: Path, tmp_path: Path) -> None:
    """A local Ray in a network namespace of the test's own: every listener on loopback."""
    if not _namespace_works():
        pytest.skip("a network namespace needs root (unshare -n)")
    out = tmp_path / "ray"
    sweep = " ".join(
        [
            NEGSIM,
            "-m",
            *[f"'{arg}'" for arg in GRID],
            "hydra.launcher.executor=ray",
            "hydra.launcher.chunk_size=3",
            "hydra.launcher.ray.init.num_cpus=2",
            f"hydra.sweep.dir={out}",
        ]
    )
    script = f"ip link set lo up && RAY_USAGE_STATS_ENABLED=0 {sweep}"
    result = subprocess.run(
        ["unshare", "-n", "--", "bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Started a local Ray instance" in result.stderr
    table = pd.read_parquet(out / "summary.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(batched / "summary.parquet"), table)


@pytest.mark.slow
def test_structural_choices_split_models_and_change_nothing(tmp_path: Path) -> None:
    """Points of other protocols and strategy names run in models of their own."""
    sweep = [
        "replications=30",
        "max_rounds=30",
        "protocol=alternating,mediated",
        "scenario.parties.russia.strategy={name: time_dependent, exponent: 1.0},{name: boulware}",
    ]
    basic = _sweep(tmp_path / "basic", *sweep, "hydra/launcher=basic")
    batched = _sweep(tmp_path / "batched", *sweep, "hydra.launcher.executor=inline")
    assert len(batched) == 4 and (batched["status"] == "ok").all()
    pd.testing.assert_frame_equal(basic, batched)


def test_jobs_share_a_model_only_when_their_structure_agrees() -> None:
    from negsim.runs.jobs import job_from_config
    from negsim.runs.packing import model_key

    plain = _hydra_plain([])

    def key(**changes: Any) -> tuple[Any, ...]:
        config = {**plain, **changes}
        return model_key(job_from_config(config, Path("unused"), "test", 0, []))

    scenario = plain["scenario"]
    parties = scenario["parties"]
    moved = {**parties, "ukraine": {**parties["ukraine"], "reservation": 0.45}}
    same = [key(), key(seed=7), key(scenario={**scenario, "parties": moved})]
    assert len(set(same)) == 1  # numbers and seeds share a model
    linear = {**parties, "russia": {**parties["russia"], "strategy": {"name": "linear"}}}
    different = [
        key(max_rounds=50),
        key(protocol={"name": "mediated"}),
        key(scenario={**scenario, "parties": linear}),
        key(batch_size=500),
    ]
    assert len({*different, same[0]}) == 5
