"""A file that cannot be written (a full disk) is one line, and leaves no half-written run."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

import negsim.runs.jobs as jobs
from negsim.cli.errors import one_line
from negsim.formats.load import load_scenario
from negsim.runs.jobs import job_from_config, run_alone

CONFIG = {
    "replications": 30,
    "seed": 0,
    "max_rounds": 30,
    "first_proposer": None,
    "progress": False,
    "figures": True,
    "job_results": True,
    "utility_space": "auto",
    "top_deals": 3,
    "batch_size": 10_000,
    "analysis": False,
    "accept_best_after": None,
    "exact_quality": 2048,
    "protocol": {"name": "alternating"},
}


def _job(out: Path) -> jobs.Job:
    plain = dict(CONFIG, scenario=load_scenario("itex_cypress").data)
    return job_from_config(plain, out, "configs/scenario/itex_cypress.yaml")


def test_a_full_disk_leaves_no_files_of_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "cli.log").write_text("kept: it was there before")

    def full(data: object, path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(jobs, "write_json", full)
    with pytest.raises(OSError) as info:
        run_alone(_job(out))
    assert sorted(p.name for p in out.iterdir()) == ["cli.log"]  # parquet and figures gone
    assert one_line(info.value) == f"{out / 'summary.json'}: No space left on device"


@pytest.mark.slow
def test_the_same_run_writes_every_file_when_it_can(tmp_path: Path) -> None:
    out = tmp_path / "run"
    summary = run_alone(_job(out))
    assert summary["status"] == "ok"
    names = {p.name for p in out.iterdir()}
    assert {"summary.json", "results.parquet", "rounds.parquet", "concession.png"} <= names
