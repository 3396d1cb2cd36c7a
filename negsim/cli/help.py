"""`negsim --help` and `negsim --version`: negsim's own words first, Hydra's still reachable.

Hydra's `--help` describes Hydra's flags; a negsim user first wants what the command does, its
settings with their defaults, a few commands to start from and where results go. The settings
table is read from `configs/config.yaml` itself (each key, its default and its comment), so it
cannot drift from the config. Hydra's generic help stays behind `--hydra-help`.
"""

from __future__ import annotations

import re
import sys

from negsim.formats.load import CONFIG_DIR, SCENARIO_DIR
from negsim.results.summary import provenance
from negsim.runs.settings import default_scenario

_SETTING = re.compile(r"^([a-z_]+):\s*(.*?)\s*(?:#\s*(.*))?$")

EXAMPLES = """\
  negsim                                                # the flagship, 1000 replications
  negsim replications=5000 seed=7 scenario.parties.ukraine.reservation=0.4
  negsim scenario=itex_cypress protocol=simultaneous    # a classic case, another protocol
  negsim scenario_path=~/talks/mine.yaml                # your own file, or a GENIUS folder
  negsim -m scenario.parties.ukraine.reservation=0.2,0.4,0.6 replications=500   # a sweep"""


def settings_table() -> list[tuple[str, str, str]]:
    """(key, default, meaning) for every top-level setting of `configs/config.yaml`."""
    rows = []
    for line in (CONFIG_DIR / "config.yaml").read_text(encoding="utf-8").splitlines():
        found = _SETTING.match(line)
        if found and found.group(1) not in ("defaults", "hydra"):
            key, default, meaning = found.groups()
            rows.append((key, default, meaning or ""))
    return rows


def help_text() -> str:
    """negsim's help: what it does, settings, examples, where results go."""
    scenarios = ", ".join(sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml")))
    width = max(len(key) for key, _, _ in settings_table())
    table = "\n".join(
        f"  {key:<{width}}  {default:<18} {meaning}" for key, default, meaning in settings_table()
    )
    return f"""\
negsim: simulate multi-party, multi-issue negotiations, many replications at once.

Each party has weights over the issues, values over their options, a reservation value, red
lines, a deadline and a strategy; every round the parties propose offers and accept or reject
them. negsim reports how likely a deal is, which deal, and who walks away.

Usage: negsim [-m] [KEY=VALUE ...]     (-m: a sweep, one job per combination of values)

Settings (KEY=VALUE; the scenario's own keys too, e.g. scenario.parties.us.deadline=40):
  {"scenario":<{width}}  {default_scenario():<18} the scenario: {scenarios}
  {"scenario_path":<{width}}  {"":<18} a scenario file, GENIUS or GeniusWeb folder to run instead
  {"protocol":<{width}}  {"alternating":<18} alternating, simultaneous, mediated or split_track
{table}

Examples:
{EXAMPLES}

Results: a single run writes results.parquet, rounds.parquet, summary.json and figures into
outputs/<date>/<time>/ (hydra.run.dir=DIR to choose); a sweep writes one folder per job and a
table (summary.parquet, summary.csv, agreement.png) into multirun/<date>/<time>-<pid>/
(hydra.sweep.dir=DIR); negsim-report DIR writes its report.html.

More: README.md, docs/reference/scenario.md, docs/reference/formats.md.
Hydra's own help: negsim --hydra-help.
negsim --version prints the version and commit."""


def version_text() -> str:
    """`negsim X.Y.Z (commit abc123...)`, the commit when run from a git checkout."""
    found = provenance()
    commit = found["git_commit"]
    return f"negsim {found['negsim_version'] or 'unknown'}" + (
        f" (commit {commit})" if commit else ""
    )


def handle(argv: list[str]) -> None:
    """Print negsim's help or version and exit, when `argv` asks for them."""
    args = argv[1:]
    if "--help" in args or "-h" in args:
        print(help_text())
        sys.exit(0)
    if "--version" in args:
        print(version_text())
        sys.exit(0)
