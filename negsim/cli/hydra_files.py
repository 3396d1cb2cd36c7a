"""Hydra's own files of a run (`.hydra/config.yaml`, `hydra.yaml`, `overrides.yaml`) written
whole or not at all.

Hydra writes them with a plain `open(..., "w")`: on a nearly full disk a run leaves a cut-off
`config.yaml` behind. `install` routes them through `negsim.files.atomic_write` instead.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from negsim.files import atomic_write


def save_config(cfg: DictConfig, filename: str, output_dir: Path) -> None:
    """`hydra.core.utils._save_config`, atomically: a temporary file renamed into place."""
    text = OmegaConf.to_yaml(cfg)
    atomic_write(Path(output_dir) / filename, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def install() -> None:
    """Let Hydra write a run's config files through `save_config` (it looks it up by name)."""
    import hydra.core.utils as hydra_utils

    hydra_utils._save_config = save_config
