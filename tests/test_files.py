"""Writing files: only regular files, never over a link, a device, a FIFO or a folder, and errors
that name the file the user asked for."""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
from pathlib import Path

import pytest

from negsim.files import OutputError, atomic_write, check_target, write_json


def test_a_new_or_regular_file_may_be_written(tmp_path: Path) -> None:
    assert check_target(tmp_path / "new.json") == tmp_path / "new.json"
    (tmp_path / "old.json").write_text("{}")
    assert check_target(tmp_path / "old.json") == tmp_path / "old.json"
    with pytest.raises(OutputError, match=r"old\.json: exists; negsim does not replace it"):
        check_target(tmp_path / "old.json", overwrite=False)


def test_a_link_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "target.json"
    target.write_text("keep")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    with pytest.raises(OutputError, match=r"link\.json: is a symbolic link"):
        write_json({"a": 1}, link)
    assert link.is_symlink() and target.read_text() == "keep"
    assert {p.name for p in tmp_path.iterdir()} == {"link.json", "target.json"}, "no temp file"


def test_a_fifo_and_a_folder_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match=r"pipe\.json: is a FIFO, not a regular file"):
        write_json({"a": 1}, fifo)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    (tmp_path / "folder.json").mkdir()
    with pytest.raises(OutputError, match=r"folder\.json: is a folder, not a file"):
        write_json({"a": 1}, tmp_path / "folder.json")
    assert {p.name for p in tmp_path.iterdir()} == {"pipe.json", "folder.json"}, "no temp file"


def test_errors_name_the_users_file_not_the_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only folder (simulated: the tests may run as root) or a failing rename."""

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".x.json.tmp"))

    with monkeypatch.context() as patch:
        patch.setattr(tempfile, "mkstemp", refuse)
        with pytest.raises(PermissionError) as caught:
            write_json({"a": 1}, tmp_path / "x.json")
    assert caught.value.filename == str(tmp_path / "x.json")

    def fail(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", src, None, dst)

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", fail)
        with pytest.raises(OSError) as caught:
            atomic_write(tmp_path / "y.json", lambda tmp: tmp.write_text("{}"))
    assert caught.value.filename == str(tmp_path / "y.json")
    assert list(tmp_path.iterdir()) == [], "the temporary file is removed"


def test_integers_beyond_64_bits_are_written_exactly_as_text(tmp_path: Path) -> None:
    """The outcome count of a scenario of 10^30 outcomes: orjson holds 64 bits only."""
    write_json({"outcomes": 10**30, "small": 7, "list": [2**64, -(2**63)]}, tmp_path / "s.json")
    data = json.loads((tmp_path / "s.json").read_text())
    assert data == {"outcomes": str(10**30), "small": 7, "list": [str(2**64), -(2**63)]}
