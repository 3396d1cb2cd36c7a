"""The basic sweeper, checking one job's composition per batch, with a locked sweep directory.

Hydra's basic sweeper composes every job's config once to check it before launching, and the
launcher composes it again to run it; with a scenario of a few hundred numbers that check costs
about a tenth of a second per job in the launching process, which dominates a grid of hundreds of
small jobs. Every job of a sweep has the same keys, so composing the first one catches what the
check is for (a misspelt key, a missing config) early; the values are checked by each job.

The sweeper is where a sweep lives in the launching process, whatever the launcher, so it also
guards the sweep directory (`negsim.sweep.lock`): it locks it before anything is written there
(Hydra's `multirun.yaml` included), refuses to resume a sweep with other settings, and on
Ctrl-C writes the table of the jobs that finished and ends the command with one line, status 130.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import OmegaConf

from negsim.cli.plain import plain_dict
from negsim.errors import NegsimError
from negsim.sweep import lock as sweep_lock
from negsim.sweep import table as sweep_table

INTERRUPTED = 130
"""The exit status of a command ended by Ctrl-C (128 + SIGINT), as shells report it."""


class NegsimSweeper(BasicSweeper):
    """`BasicSweeper` with a check of the first job of each batch only, in a locked directory."""

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Compose the first job's config of `batch`; raise as Hydra does if it fails."""
        super().validate_batch_is_legal(list(batch)[:1])

    def sweep(self, arguments: list[str]) -> Any:
        """Lock the sweep directory, check or record the sweep's settings, run the sweep.

        Raises:
            SweepLocked: another process runs a sweep in the directory.
            SweepSettingsDiffer: the directory holds a sweep with other settings.
        """
        assert self.config is not None
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_lock.acquire(sweep_dir)
        try:
            record = self._record(arguments)
            if sweep_table.job_dirs(sweep_dir):  # a sweep to resume, not an empty directory
                self._check_older_sweep(sweep_dir, record)
                sweep_lock.check_and_record(sweep_dir, record)
            else:
                sweep_lock.write_record(sweep_dir, record)
        except BaseException:
            sweep_lock.release(sweep_dir)
            raise
        sweep_table.JOB_ERRORS.clear()
        try:
            return super().sweep(arguments)
        except KeyboardInterrupt:
            _interrupted(sweep_dir)

    def _check_older_sweep(self, sweep_dir: Path, record: dict[str, Any]) -> None:
        """A directory of jobs with no record (a sweep from before records): check the new
        sweep against its `multirun.yaml`, or warn in one line that it cannot be checked."""
        path = sweep_dir / "multirun.yaml"
        if (sweep_dir / sweep_lock.RECORD_FILE).exists() or not path.is_file():
            return
        try:
            old = OmegaConf.load(path)
            hydra_node = old.hydra
            task = list(OmegaConf.to_container(hydra_node.overrides.task, resolve=False) or [])
            params = hydra_node.sweeper.get("params")
            swept = {} if params is None else plain_dict(params, resolve=False)
            lines = [f"{key}={value}" for key, value in swept.items()] + task
            earlier = self._record_of(OmegaConf.to_container(old, resolve=False), lines)
        except Exception as exc:  # unreadable: the jobs' own overrides are still compared
            text = " ".join(str(exc).split())[:160]
            message = f"{path}: unreadable ({text}); the sweep's settings are not checked"
            warnings.warn(message, stacklevel=2)
            return
        problem = sweep_lock.difference(earlier, record)
        if problem is not None:
            raise sweep_lock.SweepSettingsDiffer(
                f"{sweep_dir}: holds a sweep with other settings ({problem}); to resume it, "
                f"repeat its command; for a new sweep, {sweep_lock.NEW_DIR}"
            )

    def _record(self, arguments: list[str]) -> dict[str, Any]:
        """The sweep's non-swept config, swept keys and grid, as the basic sweeper expands it."""
        assert self.config is not None
        config = OmegaConf.to_container(self.config, resolve=False)
        return self._record_of(config, [*self._parse_config(), *arguments])

    def _record_of(self, config: Any, lines: list[str]) -> dict[str, Any]:
        assert self.hydra_context is not None and isinstance(config, dict)
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        overrides = parser.parse_overrides(lines)
        for override in overrides:  # a sweep Hydra cannot expand: one line, not a traceback
            if override.is_sweep_override() and override.is_discrete_sweep():
                try:
                    list(override.sweep_string_iterator())
                except ValueError as exc:
                    line = override.input_line or override.key_or_group
                    raise NegsimError(f"command line: {line}: not a valid sweep ({exc})") from None
        grid = [job for batch in self.split_arguments(overrides, None) for job in batch]
        swept = {
            o.key_or_group: ",".join(o.sweep_string_iterator())
            for o in overrides
            if o.is_sweep_override() and o.is_discrete_sweep()
        }
        config = {key: value for key, value in config.items() if key != "hydra"}
        return sweep_lock.make_record(config, grid, swept)


def _interrupted(sweep_dir: Path) -> None:
    """Write the table of the jobs that finished; end the command with one line, status 130."""
    from negsim.sweep.table import TABLE_FILES, write_sweep

    try:
        table, _ = write_sweep(sweep_dir, figures=False)
        done = int((table["status"] == "ok").sum()) if "status" in table else 0
        line = (
            f"negsim: interrupted: {done} of {len(table)} jobs finished; "
            f"table in {sweep_dir / TABLE_FILES[0]}"
        )
    except KeyboardInterrupt:
        line = "negsim: interrupted: the sweep table was not written"
    except Exception as exc:  # the table cannot be written: say so, in one line
        line = f"negsim: interrupted: the sweep table was not written ({exc})"
    finally:
        sweep_lock.release(sweep_dir)
    print(line, file=sys.stderr)
    raise SystemExit(INTERRUPTED)
