"""The front-end packages Solara serves through its CDN proxy, taken from the npm registry.

Solara's page loads its JavaScript and CSS from `/_solara/cdn/<pkg>@<ver>/...`, a proxy that
serves files from its cache directory and fetches what is missing from a public CDN.
`python -m negsim.view.assets` fills that cache from the npm registry instead, so the view works
without the CDN: each package's tarball is unpacked into `<cache>/<pkg>@<ver>/`. The packages
and versions are read from the installed Solara; only those the view's page loads are kept.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

REGISTRY = "https://registry.npmjs.org"

# `{{cdn}}/requirejs@2.3.6/require.js`, `${this.getCdn()}/@widgetti/x@1.2.3/...`: exact versions
_REFERENCE = re.compile(
    r"(?:\{\{\s*cdn\s*\}\}|getCdn\(\)\}|^)/"
    r"(?P<name>(?:@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*)"
    r"@(?P<version>\d+\.\d+\.\d+(?:-[\w.]+)?)/",
    re.MULTILINE,
)


class AssetError(Exception):
    """A package could not be fetched or unpacked; the message is one line for the user."""


@dataclass(frozen=True)
class Package:
    """One npm package at one exact version."""

    name: str
    version: str

    @property
    def spec(self) -> str:
        """`name@version`, also the package's folder in the cache."""
        return f"{self.name}@{self.version}"

    @property
    def url(self) -> str:
        """The tarball's address in the npm registry."""
        basename = self.name.rsplit("/", 1)[-1]
        return f"{REGISTRY}/{self.name}/-/{basename}-{self.version}.tgz"


def references(text: str) -> dict[str, str]:
    """Every `cdn/<pkg>@<exact version>/` reference in a template, as name -> version."""
    return {m["name"]: m["version"] for m in _REFERENCE.finditer(text)}


def vuetify_app(ipyvuetify_version: str) -> str:
    """Solara's app bundle for an ipyvuetify version (its major version picks the bundle)."""
    major = int(ipyvuetify_version.split(".", 1)[0])
    return "@widgetti/solara-vuetify3-app" if major >= 3 else "@widgetti/solara-vuetify-app"


def required() -> list[Package]:
    """The packages the view's page loads, at the versions the installed Solara asks for."""
    import solara
    from solara.server.settings import assets

    template = Path(solara.__file__).parent / "server" / "templates" / "solara.html.j2"
    found = references(template.read_text(encoding="utf-8"))
    found.update(references(assets.fontawesome_path))
    # Solara's Markdown loads mermaid and katex on every page that shows Markdown.
    markdown = Path(solara.__file__).parent / "components" / "markdown.py"
    found.update(references(markdown.read_text(encoding="utf-8")))
    app = vuetify_app(metadata.version("ipyvuetify"))
    wanted = [app, "requirejs", "font-awesome", "mermaid", "katex"]
    absent = [name for name in wanted if name not in found]
    if absent:
        raise AssetError(f"Solara {solara.__version__} names no version of {', '.join(absent)}")
    return [Package(name, found[name]) for name in wanted]


def cache_dir() -> Path:
    """Solara's proxy cache: $SOLARA_ASSETS_PROXY_CACHE_DIR, else <sys.prefix>/share/solara/cdn."""
    configured = os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR")
    return Path(configured) if configured else Path(sys.prefix) / "share" / "solara" / "cdn"


def is_present(package: Package, cache: Path) -> bool:
    """Whether the package is unpacked in the cache (every npm tarball has a package.json)."""
    return (cache / package.spec / "package.json").is_file()


def missing(cache: Path | None = None) -> list[Package]:
    """The required packages that are not in the cache."""
    cache = cache or cache_dir()
    return [package for package in required() if not is_present(package, cache)]


def stripped_name(name: str) -> str | None:
    """A tar member's path without its first component (`package/`), or None to leave it out.

    None for the top folder itself and for any path that is absolute or climbs out (`..`).
    """
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        return None
    parts = [part for part in path.parts if part != "."]
    if len(parts) < 2:
        return None
    return "/".join(parts[1:])


def safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """The regular files and folders of a tarball, renamed without their first component."""
    members = []
    for member in tar.getmembers():
        name = stripped_name(member.name)
        if name is not None and (member.isfile() or member.isdir()):
            members.append(member.replace(name=name, deep=False))
    return members


def unpack(data: bytes, target: Path) -> int:
    """Unpack a .tgz into `target` atomically (a temporary folder, then a rename); files count."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        try:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
                members = safe_members(tar)
                tar.extractall(temporary, members=members, filter="data")
        except (EOFError, zlib.error) as error:
            raise tarfile.ReadError(f"truncated or corrupt tarball ({error})") from None
        if target.exists():  # an incomplete folder (no package.json): replace it
            shutil.rmtree(target)
        temporary.rename(target)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary)
    return sum(member.isfile() for member in members)


def download(package: Package, timeout: float = 60) -> bytes:
    """The package's tarball from the npm registry."""
    with urllib.request.urlopen(package.url, timeout=timeout) as response:
        return response.read()


def ensure(cache: Path | None = None, echo: bool = True) -> list[Package]:
    """Fetch and unpack every missing package; returns those installed. Raises AssetError."""
    cache = cache or cache_dir()
    installed = []
    for package in missing(cache):
        try:
            count = unpack(download(package), cache / package.spec)
        except (OSError, urllib.error.URLError, tarfile.TarError, ValueError) as error:
            reason = getattr(error, "reason", None) or error
            raise AssetError(
                f"could not fetch {package.spec} from {package.url}: {reason}"
            ) from None
        installed.append(package)
        if echo:
            print(f"negsim-view assets: {package.spec} ({count} files) in {cache}")
    return installed


def main() -> int:
    """`python -m negsim.view.assets`: fill Solara's proxy cache; one line on failure."""
    try:
        ensure()
    except AssetError as error:
        print(f"negsim-view assets: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
