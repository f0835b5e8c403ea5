"""The desktop entry and the AppStream metadata pass the validators software centres use.

The validators come from Debian packages ``desktop-file-utils`` and ``appstream``; without them
the tests skip and say which package to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
APP_ID = "io.github.governance_app.GovernanceApp"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package {package})")
    return path


def test_desktop_entry_is_valid() -> None:
    result = subprocess.run([_tool("desktop-file-validate", "desktop-file-utils"), str(DESKTOP)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


def test_metainfo_is_valid() -> None:
    result = subprocess.run(
        [_tool("appstreamcli", "appstream"), "validate", "--no-net", str(METAINFO)],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_metainfo_names_the_desktop_entry_icon_and_screenshots_that_exist() -> None:
    root = ElementTree.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.find("content_rating") is not None
    assert root.find("releases/release").get("version") == "0.1.0"
    images = [el.text or "" for el in root.iter("image")]
    assert images
    for url in images:
        assert (ROOT / "docs" / "screenshots" / Path(url).name).is_file(), url
    entry = dict(line.split("=", 1) for line in DESKTOP.read_text().splitlines() if "=" in line)
    assert entry["Icon"] == root.findtext("icon") == "governance-app"


@pytest.mark.parametrize("size", [16, 24, 32, 48, 64, 128, 256, 512])
def test_icon_png_sizes_are_rendered(size: int) -> None:
    png = ROOT / "resources" / "icons" / "hicolor" / f"{size}x{size}" / "apps"
    png = png / "governance-app.png"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (size, size)


def test_icon_svg_is_well_formed() -> None:
    root = ElementTree.parse(ROOT / "resources" / "icons" / "governance-app.svg").getroot()
    assert root.tag.endswith("svg")


def _desktop_exec() -> str:
    entry = dict(line.split("=", 1) for line in DESKTOP.read_text().splitlines() if "=" in line)
    return entry["Exec"].split()[0]


def test_desktop_exec_is_a_command_the_wheel_installs() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    commands = {**project.get("scripts", {}), **project.get("gui-scripts", {})}
    assert _desktop_exec() in commands, f"Exec={_desktop_exec()}; the wheel installs {commands}"


def test_desktop_exec_is_a_name_the_frozen_build_provides(tmp_path: Path) -> None:
    """build.sh links the name beside the frozen executable, and the frozen launcher answers to
    it with the window's entry point (smoke_test.sh then starts it from the real build)."""
    exe = _desktop_exec()
    build = (ROOT / "packaging" / "build.sh").read_text(encoding="utf-8")
    assert f'ln -sfn governance-app "$ROOT/dist/governance-app/{exe}"' in build
    link = tmp_path / exe
    link.symlink_to(ROOT / "packaging" / "launcher.py")
    result = subprocess.run([sys.executable, str(link), "--help"], capture_output=True,
                            text=True, check=False, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: {exe}")
    frozen = ROOT / "dist" / "governance-app"
    if (frozen / "governance-app").is_file():  # a build is there: it must carry the name too
        assert (frozen / exe).is_file(), f"{frozen} has no {exe}: rebuild with build.sh"
