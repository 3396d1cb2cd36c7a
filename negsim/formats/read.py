"""`read_domain`: a GENIUS or GeniusWeb domain with its profiles, as a negsim scenario mapping.

It takes a folder holding one domain and its profiles, or a domain file and its profile files,
and tells GENIUS from GeniusWeb and domains from profiles by what the files hold (their root
element or top-level keys), not by their names.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from negsim.errors import ScenarioError
from negsim.formats.files import Kind, sniff
from negsim.formats.genius_read import read_genius_domain, read_genius_profile
from negsim.formats.geniusweb_read import (
    embedded_domain,
    read_geniusweb_domain,
    read_geniusweb_profile,
    same_domain,
)
from negsim.formats.mapping import DomainSpec, ProfileSpec, scenario_mapping
from negsim.formats.names import natural_key

PathLike = str | os.PathLike[str]

_FORMATS = {
    Kind.GENIUS_DOMAIN: "GENIUS",
    Kind.GENIUS_PROFILE: "GENIUS",
    Kind.GENIUSWEB_DOMAIN: "GeniusWeb",
    Kind.GENIUSWEB_PROFILE: "GeniusWeb",
}


def read_domain(
    path: PathLike, profiles: Sequence[PathLike] | None = None
) -> tuple[dict[str, Any], str]:
    """Read a GENIUS or GeniusWeb domain and its profiles as a negsim scenario mapping.

    Args:
        path: a folder holding one domain and its profiles (GENIUS XML or GeniusWeb JSON), or a
            domain file; a GeniusWeb profile that embeds its domain may stand for the domain.
        profiles: the profile files, one party each, when `path` is a file.

    Returns:
        The mapping, exactly what a scenario YAML file holds (for
        `negsim.scenario.types.parse_scenario`), and the domain file to cite as its source.

    Raises:
        ScenarioError: a problem in one of the files, named on one line.
    """
    path = Path(path)
    if path.is_dir():
        if profiles:
            raise ScenarioError(
                str(path), "", "a folder: give either a folder, or a domain file and its profiles"
            )
        domain, specs = _read_folder(path)
    elif path.exists():
        domain, specs = _read_files(path, [Path(p) for p in profiles or ()])
    else:
        raise ScenarioError(str(path), "", "no such file or folder")
    if len(specs) < 2:
        names = ", ".join(p.file.name for p in specs)
        raise ScenarioError(
            str(domain.file),
            "",
            f"a negotiation needs at least two profiles, got {len(specs)} ({names})",
        )
    return scenario_mapping(domain, specs), str(domain.file)


def _read_folder(folder: Path) -> tuple[DomainSpec, list[ProfileSpec]]:
    """The one domain in `folder` and every profile beside it."""
    files = sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in {".xml", ".json"}),
        key=lambda p: natural_key(p.name),
    )
    found: dict[Kind, list[tuple[Path, Any]]] = defaultdict(list)
    not_objects: list[tuple[Path, Any]] = []
    for file in files:
        kind, parsed = sniff(file)
        if kind is not None:
            found[kind].append((file, parsed))
        elif file.suffix.lower() == ".json" and not isinstance(parsed, dict):
            not_objects.append((file, parsed))
    formats = {_FORMATS[kind] for kind in found}
    where = str(folder)
    if "GeniusWeb" in formats and not_objects:
        file, parsed = not_objects[0]  # beside GeniusWeb files: a profile gone wrong, not ignored
        raise ScenarioError(str(file), "", _not_an_object(parsed))
    if not formats:
        raise ScenarioError(
            where, "", "no GENIUS (.xml) or GeniusWeb (.json) domain or profile files here"
        )
    if len(formats) > 1:
        raise ScenarioError(
            where,
            "",
            "holds both GENIUS and GeniusWeb files: give the domain file followed by its profiles",
        )
    if "GENIUS" in formats:
        domain_kind, profile_kind = Kind.GENIUS_DOMAIN, Kind.GENIUS_PROFILE
    else:
        domain_kind, profile_kind = Kind.GENIUSWEB_DOMAIN, Kind.GENIUSWEB_PROFILE
    domains, profiles = found[domain_kind], found[profile_kind]
    fmt = _FORMATS[domain_kind]
    if len(domains) > 1:
        names = ", ".join(file.name for file, _ in domains)
        raise ScenarioError(
            where,
            "",
            f"holds {len(domains)} {fmt} domains ({names}): give one domain file followed by "
            "its profile files",
        )
    if domains:
        file, parsed = domains[0]
        _refuse_variants(where, file, profiles)
        if domain_kind is Kind.GENIUS_DOMAIN:
            domain = read_genius_domain(file, parsed)
            return domain, [read_genius_profile(f, domain, p) for f, p in profiles]
        domain = read_geniusweb_domain(file, parsed)
        return domain, [read_geniusweb_profile(f, domain, p) for f, p in profiles]
    if fmt == "GENIUS":
        raise ScenarioError(
            where,
            "",
            f"no GENIUS domain file (root element negotiation_template) beside its "
            f"{len(profiles)} utility spaces",
        )
    return _embedded(where, profiles)


def _refuse_variants(where: str, domain: Path, profiles: list[tuple[Path, Any]]) -> None:
    """A folder whose profiles include variants of others is not one party per profile: ask
    which to negotiate (the syntax in the message) rather than seat them all.

    Variants: a profile named as another plus a number (`Itex` and `Itex50`), and GENIUS
    uncertain profiles (type UNCERTAIN) beside certain ones.
    """
    stems = [file.stem for file, _ in profiles]
    variants = [
        stem
        for stem in stems
        if any(
            stem != base and stem.startswith(base) and stem[len(base) :].isdigit() for base in stems
        )
    ]
    uncertain = [
        file.stem
        for file, parsed in profiles
        if hasattr(parsed, "get") and str(parsed.get("type") or "").upper() == "UNCERTAIN"
    ]
    if uncertain and len(uncertain) == len(profiles):
        uncertain = []  # every profile is of one kind: no variants of that kind
    odd = sorted(set(variants) | set(uncertain))
    if not odd:
        return
    names = ", ".join(file.name for file, _ in profiles)
    first_two = ",".join(str(file) for file, _ in profiles if file.stem not in odd)
    example = f"scenario_path=[{domain},{first_two or '...'}]"
    raise ScenarioError(
        where,
        "",
        f"holds {len(profiles)} profiles, some of them variants of others ({', '.join(odd)}): "
        f"name the domain and the profiles to negotiate, as in {example} (profiles: {names})",
    )


def _embedded(where: str, profiles: list[tuple[Path, Any]]) -> tuple[DomainSpec, list[ProfileSpec]]:
    """GeniusWeb profiles with no domain file: the one domain they embed."""
    groups: list[tuple[DomainSpec, list[tuple[Path, Any]]]] = []
    for file, parsed in profiles:
        domain = embedded_domain(file, parsed)
        if domain is None:
            read_geniusweb_profile(file, None, parsed)  # says why: another kind, or no domain
            raise ScenarioError(str(file), "", "no domain embedded and no domain file beside it")
        for known, members in groups:
            if same_domain(known, domain):
                members.append((file, parsed))
                break
        else:
            groups.append((domain, [(file, parsed)]))
    if len(groups) > 1:
        listed = "; ".join(
            f"{domain.name} ({', '.join(f.name for f, _ in members)})" for domain, members in groups
        )
        raise ScenarioError(
            where,
            "",
            f"holds profiles of {len(groups)} GeniusWeb domains: {listed}: give one domain's "
            "profile files (or its domain file followed by them)",
        )
    domain, members = groups[0]
    return domain, [read_geniusweb_profile(f, domain, p) for f, p in members]


def _read_files(first: Path, rest: list[Path]) -> tuple[DomainSpec, list[ProfileSpec]]:
    """A domain file (or a GeniusWeb profile embedding its domain) and its profile files."""
    kind, parsed = sniff(first)
    if kind is None and first.suffix.lower() == ".json" and not isinstance(parsed, dict):
        raise ScenarioError(str(first), "", _not_an_object(parsed))
    if kind is None:
        raise ScenarioError(str(first), "", _not_ours(first))
    if kind is Kind.GENIUS_PROFILE:
        raise ScenarioError(
            str(first),
            "",
            "a GENIUS utility space, not a domain: give the domain file (root element "
            "negotiation_template) first, then its profiles",
        )
    if kind is Kind.GENIUSWEB_PROFILE:
        domain = embedded_domain(first, parsed)
        if domain is None:
            read_geniusweb_profile(first, None, parsed)  # says why
        assert domain is not None
        members = [(first, parsed), *(_profile(p, Kind.GENIUSWEB_PROFILE) for p in rest)]
        return domain, [read_geniusweb_profile(f, domain, d) for f, d in members]
    if not rest:
        raise ScenarioError(
            str(first), "", "no profiles: give the domain's profile files after the domain file"
        )
    if kind is Kind.GENIUS_DOMAIN:
        domain = read_genius_domain(first, parsed)
        members = [_profile(p, Kind.GENIUS_PROFILE) for p in rest]
        return domain, [read_genius_profile(f, domain, d) for f, d in members]
    domain = read_geniusweb_domain(first, parsed)
    members = [_profile(p, Kind.GENIUSWEB_PROFILE) for p in rest]
    return domain, [read_geniusweb_profile(f, domain, d) for f, d in members]


def _profile(path: Path, expected: Kind) -> tuple[Path, Any]:
    """A profile file of the expected kind, parsed."""
    if not path.is_file():
        raise ScenarioError(str(path), "", "no such file" if not path.exists() else "not a file")
    kind, parsed = sniff(path)
    if kind is None and path.suffix.lower() == ".json" and not isinstance(parsed, dict):
        raise ScenarioError(str(path), "", _not_an_object(parsed))
    if kind is not expected:
        what = f"it is a {kind.value}" if kind is not None else _not_ours(path)
        raise ScenarioError(
            str(path), "", f"not a {expected.value} (a profile of this domain): {what}"
        )
    return path, parsed


def _not_an_object(parsed: Any) -> str:
    """Why a JSON value that is not an object is neither a GeniusWeb domain nor a profile."""
    what = {list: "a list", str: "text", bool: "true or false", type(None): "null"}
    got = what.get(type(parsed), "a number")
    return (
        f"not a GeniusWeb domain or profile: the file holds {got}, where a profile is an "
        'object with one key naming its kind ({"LinearAdditiveUtilitySpace": {...}}) and a '
        'domain an object with "issuesValues"'
    )


def _not_ours(path: Path) -> str:
    if path.suffix.lower() not in {".xml", ".json"}:
        return "not a GENIUS (.xml) or GeniusWeb (.json) file"
    if path.suffix.lower() == ".xml":
        return "neither a GENIUS domain (root negotiation_template) nor a utility space"
    return "neither a GeniusWeb domain (issuesValues) nor a profile"
