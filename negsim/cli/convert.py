"""`negsim-convert`: convert scenarios between negsim YAML, GENIUS XML and GeniusWeb JSON."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from negsim.errors import NegsimError
from negsim.files import OutputError, check_target

_DESCRIPTION = """\
Convert a negotiation scenario between negsim YAML, GENIUS XML and GeniusWeb JSON.

SOURCE is one of
  - a negsim scenario: a YAML file, or a name from configs/scenario/ (ukraine_2025);
  - a folder holding one GENIUS or GeniusWeb domain and its profiles (one party each);
  - a domain file followed by its profile files (GENIUS .xml or GeniusWeb .json).
GENIUS and GeniusWeb files are told apart, domain from profile, by what they hold."""

_EPILOG = """\
examples:
  negsim-convert tests/data/genius/england_zimbabwe_2010 --to yaml \\
      --out configs/scenario/england_zimbabwe.yaml
  negsim-convert ukraine_2025 --to genius --out out/ukraine_genius
  negsim-convert tests/data/geniusweb/anl2023_domain00 --to yaml --out -
  cd tests/data/genius/england_zimbabwe_2012 && negsim-convert EnglandvsZimbabwe-B-domain.xml \\
      EnglandvsZimbabwe-B-prof1.xml EnglandvsZimbabwe-B-prof2.xml --to yaml --out ez_b.yaml

--to yaml writes one file (--out -: standard output); --to genius and --to geniusweb write a
folder with the domain and one profile per party, and print the files written. An existing file,
or a folder that is not empty, is replaced only with --force; a link, a device or a FIFO never,
nor any of the conversion's own input files. Whatever a
format cannot hold (red lines, strategies, deadlines; GeniusWeb: discounts, and the
reservation as a value) is named in a warning. Errors are one line; the exit status is then 2.
See docs/reference/formats.md."""


def build_parser() -> argparse.ArgumentParser:
    """The command's argument parser."""
    parser = argparse.ArgumentParser(
        prog="negsim-convert",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "source",
        nargs="+",
        metavar="SOURCE",
        help="a scenario YAML file or name, a domain folder, or a domain file and its profiles",
    )
    parser.add_argument(
        "--to",
        required=True,
        choices=["yaml", "genius", "geniusweb"],
        help="the format to write",
    )
    parser.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help="the YAML file to write (- for standard output), or the folder for genius/geniusweb",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing YAML file, or write into a folder that is not empty",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0, or 2 after an error)."""
    args = build_parser().parse_args(argv)
    error = ""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            written = _convert(args.source, args.to, args.out, args.force)
            status = 0
        except NegsimError as exc:
            written, status = [], 2
            error = str(exc)
        except OSError as exc:
            written, status = [], 2
            error = f"{exc.filename or args.out}: {exc.strerror or exc}"
    for warning in caught:
        print(f"negsim-convert: warning: {_one_line(str(warning.message))}", file=sys.stderr)
    if status:
        print(f"negsim-convert: error: {_one_line(error)}", file=sys.stderr)
        return status
    for path in written:
        print(path)
    return 0


def _convert(sources: list[str], to: str, out: str, force: bool = False) -> list[Path]:
    from negsim.formats import scenario_yaml, write_genius, write_geniusweb
    from negsim.formats.export import write_text
    from negsim.formats.load import load_scenario
    from negsim.formats.names import identifier

    first, *profiles = sources
    scenario = load_scenario(first, profiles=profiles or None)
    inputs = _input_files([*sources, scenario.source])
    if to == "yaml":
        text = f"# negsim scenario from {scenario.source}\n{scenario_yaml(scenario.data)}"
        if out == "-":
            sys.stdout.write(text)
            return []
        path = Path(out)
        if path.is_dir() and not path.is_symlink():
            path = path / f"{identifier(scenario.name, 'scenario')}.yaml"
        if path.resolve() in inputs:
            raise OutputError(f"{path}: is an input of this conversion; it is never written over")
        check_target(path, overwrite=force, how="without --force")
        return [write_text(path, text)]
    folder = Path(out)
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OutputError(f"{folder}: is not a folder; --to {to} writes a folder")
    if any(f.parent == folder.resolve() for f in inputs):
        raise OutputError(f"{folder}: holds this conversion's input; write the files elsewhere")
    if not force and folder.is_dir() and any(folder.iterdir()):
        raise OutputError(f"{folder}: exists and is not empty; --force writes into it")
    writer = write_genius if to == "genius" else write_geniusweb
    return writer(scenario, folder)


def _input_files(sources: list[str]) -> set[Path]:
    """Every file the conversion may have read, resolved: the sources, and a folder's files."""
    found: set[Path] = set()
    for source in sources:
        path = Path(source).expanduser()
        if path.is_dir():
            found.update(p.resolve() for p in path.iterdir() if p.is_file())
        elif path.exists():
            found.add(path.resolve())
    return found


def _one_line(text: str) -> str:
    return " ".join(text.split())


if __name__ == "__main__":
    sys.exit(main())
