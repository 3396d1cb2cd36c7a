"""Faults lose no data: the sweep lock, resume checks, Ctrl-C, broken files, full disks."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from negsim.sweep import lock as sweep_lock
from negsim.sweep.table import sweep_table

NEGSIM = str(Path(sys.executable).parent / "negsim")
REPORT = str(Path(sys.executable).parent / "negsim-report")
KEY = "scenario.parties.ukraine.reservation"
SMALL = ["replications=20", "max_rounds=30", "analysis=false", "job_results=true"]
GRID = [*SMALL, f"{KEY}=0.3,0.4,0.5"]
NEW_DIR = "choose a new hydra.sweep.dir"


def _negsim(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    return subprocess.run(
        [NEGSIM, "-m", *args], capture_output=True, text=True, timeout=300, check=False, env=env
    )


def _one_line(result: subprocess.CompletedProcess[str], status: int) -> str:
    """The single stderr line of a command that ended with `status`."""
    assert result.returncode == status, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("faults") / "grid"
    result = _negsim(*GRID, f"hydra.sweep.dir={out}")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def sweep(finished: Path, tmp_path: Path) -> Path:
    """A fresh copy of the finished three-point sweep (its record names no other directory)."""
    copy = tmp_path / "grid"
    shutil.copytree(finished, copy, ignore=shutil.ignore_patterns(sweep_lock.LOCK_FILE))
    text = (copy / "multirun.yaml").read_text().replace(str(finished), str(copy))
    (copy / "multirun.yaml").write_text(text)
    return copy


@pytest.mark.slow
def test_a_second_sweep_into_a_locked_directory_stops_with_one_line(tmp_path: Path) -> None:
    out = tmp_path / "busy"
    sweep_lock.acquire(out)  # as a running sweep holds it
    try:
        line = _one_line(_negsim(*GRID, f"hydra.sweep.dir={out}"), 2)
    finally:
        sweep_lock.release(out)
    assert line == (
        f"negsim: error: {out.resolve()}: another sweep is running in this directory "
        f"(pid {os.getpid()}); wait for it to end or {NEW_DIR}"
    )
    assert not (out / "multirun.yaml").exists()  # nothing written into the other's sweep


@pytest.mark.slow
def test_resuming_with_other_settings_is_refused(sweep: Path) -> None:
    before = (sweep / "multirun.yaml").read_text()
    line = _one_line(_negsim(*GRID, "replications=40", f"hydra.sweep.dir={sweep}"), 2)
    assert line == (
        f"negsim: error: {sweep}: holds a sweep with other settings (replications: 20 there, "
        f"40 here); to resume it, repeat its command; for a new sweep, {NEW_DIR}"
    )
    more = _negsim(*SMALL, f"{KEY}=0.3,0.4,0.5,0.6", f"hydra.sweep.dir={sweep}")
    assert f"({KEY}: swept over 0.3,0.4,0.5 there, 0.3,0.4,0.5,0.6 here)" in _one_line(more, 2)
    assert (sweep / "multirun.yaml").read_text() == before  # the sweep's own record is kept


@pytest.mark.slow
def test_an_unreadable_sweep_record_refuses_to_resume(sweep: Path) -> None:
    (sweep / sweep_lock.RECORD_FILE).write_text("{not json")
    line = _one_line(_negsim(*GRID, f"hydra.sweep.dir={sweep}"), 2)
    assert line.startswith(f"negsim: error: {sweep / sweep_lock.RECORD_FILE}: unreadable (")
    assert line.endswith(f"the sweep's settings cannot be checked; {NEW_DIR}")


@pytest.mark.slow
def test_a_truncated_results_file_is_a_failed_row_and_runs_again(sweep: Path) -> None:
    results = sweep / "1" / "results.parquet"
    results.write_bytes(results.read_bytes()[:200])
    table, _ = sweep_table(sweep)
    row = table.set_index("job").loc[1]
    assert row["status"] == "failed"
    assert row["error"].startswith(f"{results}: unreadable (")
    resumed = _negsim(*GRID, f"hydra.sweep.dir={sweep}")
    assert resumed.returncode == 0, resumed.stderr
    assert "2 of 3 jobs already finished" in resumed.stdout
    assert pq.ParquetFile(results).metadata.num_rows == 20
    assert (pd.read_parquet(sweep / "summary.parquet")["status"] == "ok").all()


@pytest.mark.slow
def test_a_results_file_with_too_few_rows_is_not_finished(sweep: Path) -> None:
    results = sweep / "0" / "results.parquet"
    pd.read_parquet(results).head(5).to_parquet(results, index=False)
    row = sweep_table(sweep)[0].set_index("job").loc[0]
    assert (row["status"], row["error"]) == (
        "failed",
        f"{results}: 5 rows, the summary counts 20 replications",
    )


@pytest.mark.slow
def test_a_summary_holding_a_list_is_a_failed_row_and_runs_again(sweep: Path) -> None:
    summary = sweep / "2" / "summary.json"
    summary.write_text("[1, 2]\n")
    row = sweep_table(sweep)[0].set_index("job").loc[2]
    assert (row["status"], row["error"]) == ("failed", f"{summary}: not a mapping (a JSON list)")
    report = subprocess.run([REPORT, str(sweep)], capture_output=True, text=True, timeout=120)
    assert report.returncode == 0 and "Traceback" not in report.stderr, report.stderr
    resumed = _negsim(*GRID, f"hydra.sweep.dir={sweep}")
    assert resumed.returncode == 0, resumed.stderr
    assert "2 of 3 jobs already finished" in resumed.stdout
    assert json.loads(summary.read_text())["status"] == "ok"


@pytest.mark.slow
def test_a_corrupt_multirun_yaml_is_one_line_and_the_table_still_stands(sweep: Path) -> None:
    (sweep / "multirun.yaml").write_text("hydra: [unclosed\n")
    table, info = sweep_table(sweep)
    assert len(table) == 3 and (table["status"] == "ok").all()
    assert table[KEY].tolist() == [0.3, 0.4, 0.5]  # the swept key from negsim's own record
    [problem] = info.problems
    assert problem.startswith(f"{sweep / 'multirun.yaml'}: unreadable (")
    report = subprocess.run([REPORT, str(sweep)], capture_output=True, text=True, timeout=120)
    assert report.returncode == 0 and "Traceback" not in report.stderr, report.stderr
    (sweep / "multirun.yaml").write_text("- a list\n")
    assert sweep_table(sweep)[1].problems[0].endswith("unreadable (not a mapping (a YAML list))")


@pytest.mark.slow
def test_points_that_never_ran_are_not_run_rows(sweep: Path) -> None:
    shutil.rmtree(sweep / "1")
    table = sweep_table(sweep)[0]
    assert table["job"].tolist() == [0, 1, 2]
    row = table.set_index("job").loc[1]
    assert (row[KEY], row["status"]) == (0.4, "not_run")
    assert row["error"] == "not run: the sweep ended before this job"


LOCAL_SWEEP = [
    "replications=400",
    "max_rounds=30",
    "analysis=false",
    "hydra/launcher=negsim_batch",
    "hydra.launcher.executor=local",
    "hydra.launcher.n_jobs=2",
    "hydra.launcher.chunk_size=1",
    "seed=range(0,24)",
]
"""A sweep of 24 jobs on two local workers, a job per chunk: long enough to kill in the middle."""


def _sweep_in_process(monkeypatch: pytest.MonkeyPatch, out: Path) -> Any:
    """The `GRID` sweep into `out` by `negsim` in this process (faults injected by the caller
    reach it); its exit status."""
    from hydra.core.global_hydra import GlobalHydra

    from negsim.cli import run as cli

    monkeypatch.setattr(sys, "argv", ["negsim", "-m", *GRID, f"hydra.sweep.dir={out}"])
    GlobalHydra.instance().clear()
    with pytest.raises(SystemExit) as ended:
        cli.main()
    return ended.value.code


def _sweep_until(args: list[str], out: Path, jobs: int) -> subprocess.Popen[str]:
    """A sweep started in the background, returned once `jobs` of its jobs finished in `out`."""
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    proc = subprocess.Popen(
        [NEGSIM, "-m", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    deadline = time.monotonic() + 120
    while len(list(out.glob("*/summary.json"))) < jobs and time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the sweep ended early: {proc.communicate()}")
        time.sleep(0.02)
    return proc


@pytest.mark.slow
@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_writes_the_table_and_exits_130_with_one_line(
    tmp_path: Path, sent: signal.Signals
) -> None:
    out = tmp_path / "interrupted"
    args = [*SMALL[:3], "hydra/launcher=negsim_batch", "hydra.launcher.executor=inline"]
    args += ["hydra.launcher.chunk_size=1", "seed=range(0,40)", f"hydra.sweep.dir={out}"]
    proc = _sweep_until(args, out, 1)
    try:
        proc.send_signal(sent)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    result = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    line = _one_line(result, 130)
    table = pd.read_parquet(out / "summary.parquet")
    done = int((table["status"] == "ok").sum())
    assert 1 <= done < 40
    assert line == (
        f"negsim: interrupted: {done} of 40 jobs finished; table in {out / 'summary.parquet'}"
    )
    finished_dirs = {int(p.parent.name) for p in out.glob("*/summary.json")}
    assert set(table.loc[table["status"] == "ok", "job"]) == finished_dirs
    assert set(table["status"]) == {"ok", "not_run"}
    assert sorted(table["seed"].where(table["status"] == "ok").dropna()) == sorted(finished_dirs)
    assert not list(out.rglob("*.tmp"))


@pytest.mark.slow
def test_sigterm_ends_a_single_run_with_one_line_and_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "run"
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    proc = subprocess.Popen(
        [NEGSIM, "replications=400000", "batch_size=20000", f"hydra.run.dir={out}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 120
        while not (out / "run.log").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # into the negotiations
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    result = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    line = _one_line(result, 143)
    assert line == "negsim: interrupted: no summary written; the run's files were removed"
    assert not list(out.rglob("*.tmp")) and not (out / "summary.json").exists()


def test_a_resume_removes_the_temporary_files_a_killed_sweep_left(sweep: Path) -> None:
    stale = [sweep / "0" / ".results.parquet.ab12cd_3.tmp", sweep / ".summary.csv.zz99yy00.tmp"]
    for path in stale:
        path.write_bytes(b"half a file")
    mine = sweep / "0" / "notes.tmp"  # not a name negsim gives its temporary files: kept
    mine.write_text("mine")
    result = _negsim(*GRID, f"hydra.sweep.dir={sweep}")
    assert result.returncode == 0, result.stderr
    assert not any(path.exists() for path in stale) and mine.read_text() == "mine"


def _jobs(tmp_path: Path, count: int) -> list[Any]:
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    from negsim.formats.load import CONFIG_DIR
    from negsim.runs.jobs import job_from_config

    GlobalHydra.instance().clear()
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=SMALL)
    plain = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(plain, dict)
    return [
        job_from_config(plain, tmp_path / str(num), "test", num, [f"seed={num}"])
        for num in range(count)
    ]


def test_a_full_disk_makes_failed_rows_and_leaves_no_partial_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from negsim import files as results
    from negsim.results import sink as result_sink
    from negsim.runs.packing import run_chunk

    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    real_writer, real_replace = result_sink.pq.ParquetWriter, results.os.replace

    def writer(where: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(where).parent.name == "1":  # job 1: its results file cannot be written
            raise full
        return real_writer(where, *args, **kwargs)

    def replace(src: Any, dst: Any) -> None:
        if Path(dst).parent.name == "2":  # job 2: nothing can be written, its summary neither
            raise full
        real_replace(src, dst)

    monkeypatch.setattr(result_sink.pq, "ParquetWriter", writer)
    monkeypatch.setattr(results.os, "replace", replace)
    ended = {done.num: done for done in run_chunk(_jobs(tmp_path, 3))}
    assert ended[0].status == "ok"
    assert (ended[1].status, ended[1].error) == ("failed", f"OSError: {full}")
    assert ended[2].status == "failed"
    named = OSError(
        errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "2" / "results.parquet")
    )
    assert ended[2].error == (  # the error names the file, not its temporary file
        f"OSError: {named} (and its summary.json was not written: No space left on device)"
    )
    assert sorted(p.name for p in (tmp_path / "1").iterdir()) == ["summary.json"]
    assert list((tmp_path / "2").iterdir()) == []  # no partial file, no temporary file
    table = sweep_table(tmp_path, {2: str(ended[2].error)})[0].set_index("job")
    assert table["status"].tolist() == ["ok", "failed", "failed"]
    assert table.loc[1, "error"] == f"OSError: {full}"
    assert table.loc[2, "error"] == ended[2].error


@pytest.mark.slow
def test_a_full_disk_in_a_real_sweep_is_a_failed_row_and_status_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command in this process, so the fault can be injected: the exit status is 1."""
    from negsim.results import sink as result_sink

    real_writer = result_sink.pq.ParquetWriter

    def writer(where: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(where).parent.name == "1":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_writer(where, *args, **kwargs)

    monkeypatch.setattr(result_sink.pq, "ParquetWriter", writer)
    out = tmp_path / "full"
    assert _sweep_in_process(monkeypatch, out) == 1
    table = pd.read_parquet(out / "summary.parquet").set_index("job")
    assert table["status"].tolist() == ["ok", "failed", "ok"]
    assert table.loc[1, "error"] == "OSError: [Errno 28] No space left on device"
    assert sorted(p.name for p in (out / "1").iterdir()) == ["summary.json"]
    assert yaml.safe_load((out / "multirun.yaml").read_text())["replications"] == 20


@pytest.mark.slow
def test_an_older_sweep_without_a_record_is_checked_against_its_multirun_yaml(
    sweep: Path,
) -> None:
    (sweep / sweep_lock.RECORD_FILE).unlink()
    line = _one_line(_negsim(*GRID, "max_rounds=40", f"hydra.sweep.dir={sweep}"), 2)
    assert "(max_rounds: 30 there, 40 here)" in line
    resumed = _negsim(*GRID, f"hydra.sweep.dir={sweep}")
    assert resumed.returncode == 0, resumed.stderr
    assert "3 of 3 jobs already finished" in resumed.stdout
    assert (sweep / sweep_lock.RECORD_FILE).is_file()


def test_a_per_job_launcher_runs_a_job_whose_summary_is_a_list_again(tmp_path: Path) -> None:
    from omegaconf import OmegaConf

    from negsim.cli.sweep_jobs import run_sweep_job

    (tmp_path / "summary.json").write_text("[1, 2]\n")
    ran: list[int] = []

    def run_job(cfg: Any, out_dir: Path, job: dict[str, Any]) -> dict[str, Any]:
        ran.append(job["job"])
        return {}

    run_sweep_job(OmegaConf.create({"seed": 0}), tmp_path, ["seed=0"], 3, run_job)
    assert ran == [3]


@pytest.mark.slow
def test_a_summary_with_fields_no_job_writes_is_a_failed_row(sweep: Path) -> None:
    summary = sweep / "0" / "summary.json"
    summary.write_text('{"status": "ok", "agreement_ci95": 5}\n')
    row = sweep_table(sweep)[0].set_index("job").loc[0]
    assert row["status"] == "failed"
    assert row["error"].startswith(f"{summary}: unexpected contents (TypeError: ")


def test_a_swept_key_of_mixed_values_still_gives_a_table(tmp_path: Path) -> None:
    """`reservation=0.2,abc`: the bad point is a failed row, and Parquet holds the column."""
    import pandas as pd

    from negsim.sweep.table import one_type_per_column

    table = pd.DataFrame({"k": [0.2, "abc", None], "agreement_probability": [0.5, None, None]})
    fixed = one_type_per_column(table)
    assert fixed["k"].tolist()[:2] == ["0.2", "abc"] and pd.isna(fixed["k"].iloc[2])
    assert fixed["agreement_probability"].equals(table["agreement_probability"])
    fixed.to_parquet(tmp_path / "t.parquet")  # mixed, it would raise ArrowInvalid


def test_a_report_ignores_a_summary_that_is_a_bare_number(tmp_path: Path) -> None:
    from negsim.sweep.report import _provenance

    (tmp_path / "0").mkdir()
    (tmp_path / "0" / "summary.json").write_text("5")
    assert _provenance(tmp_path) == []


def _descendants(pid: int) -> set[int]:
    """Every living process below `pid` (from /proc: children of children too)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_a_killed_sweep_leaves_no_worker_behind_and_resumes_to_the_same_table(
    tmp_path: Path,
) -> None:
    out, reference = tmp_path / "killed", tmp_path / "whole"
    args = LOCAL_SWEEP
    proc = _sweep_until([*args, f"hydra.sweep.dir={out}"], out, 2)
    try:
        workers = _descendants(proc.pid)
        assert workers, "the local executor started worker processes"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)], "workers outlived the command"
    finished = len(list(out.glob("*/summary.json")))
    time.sleep(1.0)
    assert len(list(out.glob("*/summary.json"))) == finished, "nothing writes into the folder"
    assert finished < 24
    resumed = _negsim("-m", *args, f"hydra.sweep.dir={out}")
    assert resumed.returncode == 0, resumed.stderr
    whole = _negsim("-m", *args, f"hydra.sweep.dir={reference}")
    assert whole.returncode == 0, whole.stderr
    columns = ["job", "seed", "status", "agreement_probability", "mean_rounds"]
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "summary.parquet")[columns],
        pd.read_parquet(reference / "summary.parquet")[columns],
    )


@pytest.mark.slow
def test_a_dead_worker_makes_failed_rows_and_the_table_is_written(tmp_path: Path) -> None:
    out = tmp_path / "worker"
    args = [*LOCAL_SWEEP, f"hydra.sweep.dir={out}"]
    proc = _sweep_until(args, out, 2)
    try:
        workers = [
            pid
            for pid in _descendants(proc.pid)
            if b"popen_loky" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert workers
        os.kill(workers[0], signal.SIGKILL)
        _, stderr = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr
    table = pd.read_parquet(out / "summary.parquet")
    failed = table[table["status"] == "failed"]
    assert len(failed) >= 1 and (table["status"] == "ok").sum() >= 2
    assert failed["error"].str.contains("its worker process died").all()
    lines = stderr.strip().splitlines()
    assert all("failed: its worker process died" in line for line in lines if "job" in line)
    resumed = _negsim("-m", *args)
    assert resumed.returncode == 0, resumed.stderr
    assert set(pd.read_parquet(out / "summary.parquet")["status"]) == {"ok"}


def test_a_figure_that_cannot_be_written_leaves_the_table_and_says_so(
    sweep: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from negsim.plots import run as run_plots
    from negsim.sweep.table import write_sweep

    def full(figure: Any, path: Any, dpi: int = 120) -> Path:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(run_plots, "save_figure", full)
    (sweep / "summary.parquet").unlink()
    table, info = write_sweep(sweep)
    assert (sweep / "summary.parquet").is_file() and len(table) == 3
    expected = f"{sweep / 'agreement.png'}: the figure was not written: No space left on device"
    assert expected in info.problems


def test_the_sweep_log_never_prints_loggings_own_tracebacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    from hydra_plugins.negsim_batch_launcher.launcher import _log_to

    blocked = tmp_path / "a_file"
    blocked.write_text("")
    with _log_to(blocked / "launcher.log"):  # cannot be opened, as on a full disk
        logging.getLogger("negsim").error("a job failed")
    captured = capsys.readouterr()
    assert "Logging error" not in captured.err + captured.out
    assert captured.err == ""


@pytest.mark.slow
def test_ctrl_c_while_the_table_is_written_says_so_truthfully(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:

    from negsim.sweep import table as sweep_tables

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_tables, "write_sweep", interrupted)
    out = tmp_path / "late"
    assert _sweep_in_process(monkeypatch, out) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "negsim: interrupted: the sweep table was not written; the finished jobs are in their "
        "folders, and the same command writes it"
    )
    assert len(list(out.glob("*/summary.json"))) == 3
