"""`negsim scenario_path=PATH`: run a scenario from anywhere, as if it were in `configs/scenario/`.

Hydra composes a config from its config groups, so a scenario file elsewhere (a negsim YAML file,
a GENIUS folder, a GeniusWeb folder, or a domain file with its profiles) is read and checked
before Hydra starts, written as a config of the `scenario` group into a directory of this
process's own, and chosen as `scenario=NAME`. Everything Hydra does with a group choice then
works unchanged: `scenario.*` overrides, sweeps (`-m scenario_path=a.yaml,b.yaml`), the batched
launcher. `scenario_source` names the real file in every error.

The choices and their files travel to worker processes in the environment
(`NEGSIM_SCENARIO_FILES`), so an error in a worker names the real file too.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from negsim.errors import NegsimError
from negsim.formats.load import SCENARIO_DIR, load_scenario
from negsim.runs.settings import default_scenario

ENV = "NEGSIM_SCENARIO_FILES"
KEY = "scenario_path"


def scenario_files() -> dict[str, str]:
    """The scenario choices given by path in this run, with the files they came from."""
    try:
        found = json.loads(os.environ.get(ENV, "{}"))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def split_value(value: str) -> list[list[str]]:
    """`scenario_path`'s value as scenarios, each a list of paths.

    `a.yaml` is one scenario, `a.yaml,b` two (a sweep), `[domain.xml,p1.xml,p2.xml]` one domain
    file with its profiles.

    >>> split_value("a.yaml,genius/party"), split_value("[d.xml,p1.xml,p2.xml]")
    ([['a.yaml'], ['genius/party']], [['d.xml', 'p1.xml', 'p2.xml']])
    """
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        parts = [p.strip() for p in value[1:-1].split(",") if p.strip()]
        return [parts] if parts else []
    return [[p.strip()] for p in value.split(",") if p.strip()]


def prepare(argv: list[str]) -> list[str]:
    """Replace `scenario_path=...` in `argv` with a `scenario=` choice Hydra can compose.

    Each scenario is read and validated here (a mistake in it raises `ScenarioError` naming the
    file), so a sweep over files stops before any job runs.
    """
    argv = [_text_override(a) for a in argv]
    given = [a for a in argv if a.split("=", 1)[0] in (KEY, f"+{KEY}", f"++{KEY}")]
    if not given:
        chosen = _text_interpolating_choice(argv)
        if chosen is None:
            return argv
        argv = [a for a in argv if a.split("=", 1)[0].lstrip("+") != "scenario"]
        given = [f"{KEY}={chosen}"]
        argv = [*argv, *given]
    if len(given) > 1:
        raise NegsimError(f"{KEY}: given {len(given)} times; give it once (a,b to sweep)")
    if any(a.split("=", 1)[0].lstrip("+") == "scenario" for a in argv):
        raise NegsimError(f"{KEY}: give either scenario=NAME or {KEY}=PATH, not both")
    scenarios = split_value(given[0].split("=", 1)[1])
    if not scenarios:
        raise NegsimError(f"{KEY}: give a scenario file or folder, e.g. {KEY}=my_talks.yaml")
    folder = Path(tempfile.mkdtemp(prefix="negsim-scenarios-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    (folder / "scenario").mkdir()
    files = scenario_files()
    names: list[str] = []
    for paths in scenarios:
        first = Path(paths[0]).expanduser()
        profiles = [Path(p).expanduser() for p in paths[1:]] or None
        if not first.exists():
            raise NegsimError(f"{KEY}: {first}: no such file or folder")
        scenario = load_scenario(first, profiles=profiles) if profiles else load_scenario(first)
        name = _choice_name(scenario.name, set(names) | set(files))
        text = yaml.safe_dump(_as_text(scenario.data), sort_keys=False, allow_unicode=True)
        (folder / "scenario" / f"{name}.yaml").write_text(text, encoding="utf-8")
        files[name] = scenario.source
        names.append(name)
    os.environ[ENV] = json.dumps(files)
    rest = [a for a in argv if a not in given]
    return [*rest, f"scenario={','.join(names)}", _search_path(rest, folder)]


def _text_override(arg: str) -> str:
    """A `scenario.*` override whose value holds `${`, escaped: scenario text is text."""
    key, sep, value = arg.partition("=")
    if sep and key.lstrip("+~").startswith("scenario.") and "${" in value:
        return f"{key}={value.replace('${', chr(92) + '${')}"
    return arg


def _as_text(node: Any) -> Any:
    """`node` with `${` in its strings escaped, so that OmegaConf reads them as text."""
    if isinstance(node, dict):
        return {key: _as_text(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_as_text(value) for value in node]
    if isinstance(node, str):
        return node.replace("${", "\\${")
    return node


def _text_interpolating_choice(argv: list[str]) -> str | None:
    """The shipped scenario chosen by `argv` (or the default) when its text holds `${`.

    OmegaConf would read `${...}` in a label or a quote as an interpolation; such a scenario is
    run as if given by path, with its text escaped.
    """
    choices = [a.split("=", 1)[1] for a in argv if a.split("=", 1)[0].lstrip("+") == "scenario"]
    name = choices[-1] if choices else default_scenario()
    if "," in name:
        return None  # a sweep over shipped scenarios: left to Hydra
    path = SCENARIO_DIR / f"{name}.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    return str(path) if "${" in text else None


def _choice_name(name: str, taken: set[str]) -> str:
    """A group choice for a scenario called `name`: not a shipped scenario's, not one in use."""
    base = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_") or "scenario"
    shipped = {p.stem for p in SCENARIO_DIR.glob("*.yaml")}
    choice, n = base, 1
    while choice in taken or choice in shipped:
        n += 1
        choice = f"{base}_{n}"
    return choice


def _search_path(argv: list[str], folder: Path) -> str:
    """The `hydra.searchpath` override adding `folder`, keeping any the user gave."""
    entry = f"file://{folder}"
    for arg in argv:
        key, _, value = arg.partition("=")
        if key.lstrip("+") == "hydra.searchpath":
            argv.remove(arg)
            inner = value.strip()[1:-1].strip() if value.strip().startswith("[") else value
            return f"{key}=[{inner + ',' if inner else ''}{entry}]"
    return f"hydra.searchpath=[{entry}]"


def scenario_source(choice: str | None, sources: Any = None) -> str:
    """The file a `scenario` group choice came from, relative to the working directory if
    inside it: a path given on the command line, a file in a config directory Hydra searched
    (`sources`: `HydraConfig.runtime.config_sources`), or `configs/scenario/NAME.yaml`."""
    if not choice:
        return "scenario"
    source = scenario_files().get(choice)
    if source is None:
        for entry in sources or ():
            if getattr(entry, "schema", None) == "file":
                candidate = Path(entry.path) / "scenario" / f"{choice}.yaml"
                if candidate.is_file():
                    source = str(candidate)
                    break
    if source is None:
        source = str(SCENARIO_DIR / f"{choice}.yaml")
    with contextlib.suppress(ValueError):
        source = str(Path(source).resolve().relative_to(Path.cwd().resolve()))
    return source
