"""Sweeps: presets compose, a multirun gathers its jobs, failures become rows, sweeps resume."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from negsim.formats.load import CONFIG_DIR
from negsim.scenario import parse_scenario
from negsim.sweep.table import split_override, sweep_table

NEGSIM = str(Path(sys.executable).parent / "negsim")
PRESETS = sorted(p.stem for p in (CONFIG_DIR / "experiment").glob("*.yaml"))
SMALL = ["replications=20", "max_rounds=30", "figures=false", "job_results=true"]


def _negsim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NEGSIM, *args], capture_output=True, text=True, cwd=cwd, timeout=300, check=False
    )


def test_the_required_presets_exist() -> None:
    assert {"walkaway_grid", "us_patience", "replication_check"} <= set(PRESETS)


@pytest.mark.slow
@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_composes_and_every_sweep_point_validates(preset: str) -> None:
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=[f"+experiment={preset}"], return_hydra_config=True)
        params = cfg.hydra.sweeper.params
        assert params, f"{preset} carries no sweep"
        assert cfg.hydra.sweeper._target_.endswith("NegsimSweeper")
        for key, values in params.items():
            for value in str(values).split(","):
                point = compose("config", overrides=[f"+experiment={preset}", f"{key}={value}"])
                data = OmegaConf.to_container(point.scenario, resolve=True)
                parse_scenario(data, source=preset)  # every point is a valid scenario
                chosen = OmegaConf.select(point, key)
                if OmegaConf.is_dict(chosen):  # a config group: its file names the choice
                    chosen = chosen.name
                assert chosen == split_override(f"{key}={value}")[1]


@pytest.mark.parametrize("launcher", ["basic", "joblib", "negsim_slurm", "negsim_batch"])
def test_launcher_configs_compose(launcher: str) -> None:
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=[f"hydra/launcher={launcher}"], return_hydra_config=True)
        assert cfg.hydra.launcher._target_


def test_ray_launcher_config_names_the_ray_launcher() -> None:
    text = (CONFIG_DIR / "hydra" / "launcher" / "negsim_ray.yaml").read_text()
    node = OmegaConf.create(text)
    assert list(node.defaults) == ["ray"]
    assert node.ray.init.address == "auto"


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "grid"
    result = _negsim(
        "-m",
        *SMALL,
        "scenario.parties.ukraine.reservation=0.3,0.5",
        "scenario.parties.russia.reservation=0.5,0.6",
        f"hydra.sweep.dir={out}",
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.slow
def test_multirun_writes_one_job_per_point_and_the_sweep_table(sweep_dir: Path) -> None:
    for job in range(4):
        assert (sweep_dir / str(job) / "results.parquet").is_file()
        assert (sweep_dir / str(job) / "summary.json").is_file()
    table = pd.read_parquet(sweep_dir / "summary.parquet")
    csv = pd.read_csv(sweep_dir / "summary.csv")
    assert len(table) == len(csv) == 4
    keys = ["scenario.parties.ukraine.reservation", "scenario.parties.russia.reservation"]
    assert list(table.columns[:2]) == keys
    assert sorted(zip(table[keys[0]], table[keys[1]], strict=True)) == [
        (0.3, 0.5),
        (0.3, 0.6),
        (0.5, 0.5),
        (0.5, 0.6),
    ]
    for column in (
        "agreement_probability",
        "ci_low",
        "ci_high",
        "share_agreement",
        "share_walkaway_us",
        "share_timeout",
        "mean_rounds",
        "mean_utility_ukraine",
        "status",
        "seed",
    ):
        assert column in table, column
    assert (table["status"] == "ok").all()
    assert (table["ci_low"] <= table["agreement_probability"]).all()
    assert (table["agreement_probability"] <= table["ci_high"]).all()
    assert (sweep_dir / "agreement.png").stat().st_size > 1000
    one = pd.read_parquet(sweep_dir / "0" / "results.parquet")
    row = table[table["job"] == 0].iloc[0]
    assert row["agreement_probability"] == pytest.approx((one["outcome"] == "agreement").mean())


@pytest.mark.slow
def test_a_failed_job_becomes_a_row_and_the_others_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "failing"
    result = _negsim(
        "-m", *SMALL, "scenario.parties.ukraine.reservation=0.4,1.4", f"hydra.sweep.dir={out}"
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    table, _ = sweep_table(out)
    assert len(table) == 2
    by_value = table.set_index("scenario.parties.ukraine.reservation")
    assert by_value.loc[0.4, "status"] == "ok"
    assert by_value.loc[1.4, "status"] == "failed"
    assert "parties.ukraine.reservation" in by_value.loc[1.4, "error"]
    assert (out / str(int(by_value.loc[0.4, "job"])) / "results.parquet").is_file()
    assert (out / "summary.parquet").is_file()


@pytest.mark.slow
def test_rerunning_a_sweep_resumes_it(tmp_path: Path) -> None:
    out = tmp_path / "resume"
    args = ["-m", *SMALL, "scenario.parties.ukraine.reservation=0.3,0.4,0.5"]
    first = _negsim(*args, f"hydra.sweep.dir={out}")
    assert first.returncode == 0, first.stderr
    kept = (out / "0" / "results.parquet").stat().st_mtime_ns
    (out / "1" / "summary.json").unlink()  # as if job 1 had been interrupted
    before = pd.read_parquet(out / "summary.parquet")
    second = _negsim(*args, f"hydra.sweep.dir={out}")
    assert second.returncode == 0, second.stderr
    assert "2 of 3 jobs already finished" in second.stdout
    assert (out / "0" / "results.parquet").stat().st_mtime_ns == kept
    after = pd.read_parquet(out / "summary.parquet")
    pd.testing.assert_frame_equal(before, after)


@pytest.mark.slow
def test_joblib_launcher_runs_jobs_in_parallel_with_the_same_results(
    tmp_path: Path, sweep_dir: Path
) -> None:
    out = tmp_path / "parallel"
    result = _negsim(
        "-m",
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
        *SMALL,
        "scenario.parties.ukraine.reservation=0.3,0.5",
        "scenario.parties.russia.reservation=0.5,0.6",
        f"hydra.sweep.dir={out}",
    )
    assert result.returncode == 0, result.stderr
    parallel = pd.read_parquet(out / "summary.parquet").sort_values("job")
    serial = pd.read_parquet(sweep_dir / "summary.parquet").sort_values("job")
    pd.testing.assert_series_equal(
        parallel["agreement_probability"].reset_index(drop=True),
        serial["agreement_probability"].reset_index(drop=True),
    )


@pytest.mark.slow
def test_two_sweeps_started_together_never_share_a_directory(tmp_path: Path) -> None:
    args = [NEGSIM, "-m", *SMALL, "replications=5", "seed=1,2"]
    first = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    second = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0
    sweeps = [p for p in (tmp_path / "multirun").glob("*/*") if p.is_dir()]
    assert len(sweeps) == 2
    for sweep in sweeps:
        assert len(pd.read_parquet(sweep / "summary.parquet")) == 2
