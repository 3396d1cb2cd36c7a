"""Hydra's config files of a run are written whole or not at all (a nearly full disk)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from negsim.cli import hydra_files


def test_a_config_cut_off_by_a_full_disk_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = Path.write_text

    def half(self: Path, text: str, *args: object, **kwargs: object) -> int:
        written(self, text[: len(text) // 2], encoding="utf-8")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_text", half)
    with pytest.raises(OSError) as caught:
        hydra_files.save_config(OmegaConf.create({"a": 1, "b": "x" * 100}), "config.yaml", tmp_path)
    assert caught.value.filename == str(tmp_path / "config.yaml")
    assert list(tmp_path.iterdir()) == []


def test_hydra_writes_through_it_once_installed(tmp_path: Path) -> None:
    import hydra.core.utils as hydra_utils

    original = hydra_utils._save_config
    try:
        hydra_files.install()
        hydra_utils._save_config(OmegaConf.create({"seed": 3}), "config.yaml", tmp_path)
    finally:
        hydra_utils._save_config = original
    assert (tmp_path / "config.yaml").read_text() == "seed: 3\n"
