"""`negsim-convert --out`: what it refuses to write over, with one line and exit status 2."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from negsim.cli.convert import main

YAML = ["ukraine_2025", "--to", "yaml", "--out"]


def _run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    status = main([str(a) for a in args])
    return status, capsys.readouterr().err


def test_an_existing_file_is_replaced_only_with_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mine.yaml"
    out.write_text("my own notes\n")
    status, err = _run(capsys, *YAML, out)
    assert status == 2 and out.read_text() == "my own notes\n"
    assert (
        err.strip()
        == f"negsim-convert: error: {out}: exists; negsim does not replace it without --force"
    )
    status, err = _run(capsys, *YAML, out, "--force")
    assert status == 0 and out.read_text().startswith("# negsim scenario from")


@pytest.mark.parametrize("kind", ["link", "fifo"])
def test_a_link_or_a_fifo_is_never_written_even_with_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    target = tmp_path / "target.yaml"
    target.write_text("keep\n")
    out = tmp_path / "out.yaml"
    if kind == "link":
        out.symlink_to(target)
    else:
        os.mkfifo(out)
    status, err = _run(capsys, *YAML, out, "--force")
    assert status == 2 and len(err.strip().splitlines()) == 1
    assert f"{out}: is a " in err
    assert target.read_text() == "keep\n"
    assert out.is_symlink() if kind == "link" else stat.S_ISFIFO(out.lstat().st_mode)
    assert {p.name for p in tmp_path.iterdir()} == {"target.yaml", "out.yaml"}


def test_the_input_is_never_written_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "talks.yaml"
    assert _run(capsys, *YAML, source)[0] == 0
    before = source.read_text()
    status, err = _run(capsys, source, "--to", "yaml", "--out", source, "--force")
    assert status == 2 and "is an input of this conversion" in err
    assert source.read_text() == before


def test_a_folder_that_is_not_empty_or_holds_the_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "genius"
    assert _run(capsys, "ukraine_2025", "--to", "genius", "--out", folder)[0] == 0
    files = {p: p.read_bytes() for p in folder.iterdir()}
    status, err = _run(capsys, "ukraine_2025", "--to", "genius", "--out", folder)
    assert status == 2 and f"{folder}: exists and is not empty; --force writes into it" in err
    status, err = _run(capsys, folder, "--to", "genius", "--out", folder, "--force")
    assert status == 2 and "holds this conversion's input" in err
    assert {p: p.read_bytes() for p in folder.iterdir()} == files
    assert _run(capsys, "ukraine_2025", "--to", "genius", "--out", folder, "--force")[0] == 0
