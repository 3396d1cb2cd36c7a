"""The front-end packages for Solara's CDN proxy (negsim.view.assets), without the network."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from negsim.view import assets
from negsim.view.assets import Package


def tgz(files: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    """A gzipped tarball of the given files (and symbolic links), as npm packs them."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return buffer.getvalue()


def test_references_read_exact_versions_from_templates() -> None:
    text = """
    <link href="{{cdn}}/@widgetti/solara-vuetify-app@10.1.1/dist/main{{v}}.css">
    <script src="{{ cdn }}/requirejs@2.3.6/require.js"></script>
    await this.import([`${this.getCdn()}/vega@5/build/vega.min.js`])
    await this.import([`${this.getCdn()}/@widgetti/vue-grid-layout@2.3.13-alpha.2/dist/x.js`])
    """
    assert assets.references(text) == {
        "@widgetti/solara-vuetify-app": "10.1.1",
        "requirejs": "2.3.6",
        "@widgetti/vue-grid-layout": "2.3.13-alpha.2",
    }
    assert assets.references("/font-awesome@4.5.0/css/font-awesome.min.css") == {
        "font-awesome": "4.5.0"
    }


def test_vuetify_app_follows_the_ipyvuetify_major_version() -> None:
    assert assets.vuetify_app("1.12.0") == "@widgetti/solara-vuetify-app"
    assert assets.vuetify_app("3.0.0") == "@widgetti/solara-vuetify3-app"


def test_tarball_urls_of_plain_and_scoped_packages() -> None:
    assert Package("requirejs", "2.3.6").url == (
        "https://registry.npmjs.org/requirejs/-/requirejs-2.3.6.tgz"
    )
    scoped = Package("@widgetti/solara-vuetify-app", "10.1.1")
    assert scoped.url == (
        "https://registry.npmjs.org/@widgetti/solara-vuetify-app/-/solara-vuetify-app-10.1.1.tgz"
    )
    assert scoped.spec == "@widgetti/solara-vuetify-app@10.1.1"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("package/require.js", "require.js"),
        ("package/dist/main.css", "dist/main.css"),
        ("./package/dist/a.js", "dist/a.js"),
        ("package", None),
        ("package/", None),
        ("/etc/passwd", None),
        ("package/../../escape", None),
        ("..", None),
        ("package\\..\\x", None),
    ],
)
def test_stripped_name_drops_the_first_component_and_refuses_escapes(
    name: str, expected: str | None
) -> None:
    assert assets.stripped_name(name) == expected


def test_unpack_strips_package_and_leaves_out_links_and_escapes(tmp_path: Path) -> None:
    data = tgz(
        {
            "package/package.json": b"{}",
            "package/dist/app.js": b"app",
            "package/../evil": b"x",
        },
        links={"package/dist/link": "/etc/passwd"},
    )
    target = tmp_path / "cdn" / "@scope" / "pkg@1.0.0"
    assert assets.unpack(data, target) == 2
    assert (target / "dist" / "app.js").read_bytes() == b"app"
    assert sorted(p.name for p in target.rglob("*")) == ["app.js", "dist", "package.json"]
    assert not (tmp_path / "cdn" / "@scope" / "evil").exists()
    assert [p.name for p in target.parent.iterdir()] == ["pkg@1.0.0"]  # no temporary left


def test_unpack_of_a_broken_tarball_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "pkg@1.0.0"
    with pytest.raises(tarfile.TarError):
        assets.unpack(tgz({"package/a": b"a"})[:40], target)
    assert list(tmp_path.iterdir()) == []


def test_unpack_replaces_an_incomplete_folder(tmp_path: Path) -> None:
    target = tmp_path / "pkg@1.0.0"
    (target / "dist").mkdir(parents=True)
    (target / "dist" / "stale.js").write_text("half")
    assets.unpack(tgz({"package/package.json": b"{}"}), target)
    assert [p.name for p in target.iterdir()] == ["package.json"]


def test_missing_and_ensure_skip_what_is_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    present, absent = Package("a", "1.0.0"), Package("@s/b", "2.0.0")
    monkeypatch.setattr(assets, "required", lambda: [present, absent])
    (tmp_path / present.spec).mkdir()
    (tmp_path / present.spec / "package.json").write_text("{}")
    assert assets.missing(tmp_path) == [absent]
    fetched = []

    def fake_download(package: Package) -> bytes:
        fetched.append(package)
        return tgz({"package/package.json": b"{}"})

    monkeypatch.setattr(assets, "download", fake_download)
    assert assets.ensure(tmp_path) == [absent]
    assert fetched == [absent]
    assert assets.ensure(tmp_path) == []
    assert capsys.readouterr().out.count("\n") == 1


def test_a_failed_download_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(assets, "required", lambda: [Package("a", "1.0.0")])
    monkeypatch.setenv("SOLARA_ASSETS_PROXY_CACHE_DIR", str(tmp_path))

    def refuse(package: Package) -> bytes:
        raise OSError("Network is unreachable")

    monkeypatch.setattr(assets, "download", refuse)
    assert assets.main() == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "a@1.0.0" in err and "Network is unreachable" in err


def test_the_installed_solara_names_the_packages() -> None:
    names = [package.name for package in assets.required()]
    assert names[1:] == ["requirejs", "font-awesome", "mermaid", "katex"]
    assert names[0].startswith("@widgetti/solara-vuetify")
