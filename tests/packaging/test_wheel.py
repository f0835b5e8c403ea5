"""The wheel carries what an installed app needs, and its metadata passes ``twine check``.

Builds the real wheel with ``python -m build`` into a temporary folder (about 10 s).
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (built,) = out.glob("governance_app-*.whl")
    return built


def test_wheel_contains_migrations_schemas_demo_and_icons(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = ROOT / "governance_app" / "store" / "migrations"
    for path in [migrations / "env.py", migrations / "script.py.mako",
                 *sorted((migrations / "versions").glob("*.py"))]:
        assert path.relative_to(ROOT).as_posix() in names
    resources = ROOT / "resources"
    for path in [*resources.glob("schemas/*.json"), *resources.glob("demo/**/*"),
                 *resources.glob("icons/**/*")]:
        if path.is_file() and "__pycache__" not in path.parts:
            assert f"governance_app/resources/{path.relative_to(resources).as_posix()}" in names
    assert "governance_app/resources/icons/hicolor/512x512/apps/governance-app.png" in names
    # Help > User guide in an installed app (ui/about_dialog.py looks in governance_app/docs).
    assert "governance_app/docs/user-guide.md" in names
    for png in (ROOT / "docs" / "screenshots").glob("*.png"):
        assert f"governance_app/docs/screenshots/{png.name}" in names
    assert not any(name.startswith("tests/") for name in names)


def test_wheel_declares_both_scripts(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (entry_points,) = [n for n in archive.namelist() if n.endswith("entry_points.txt")]
    text = archive.read(entry_points).decode()
    assert "governance-app = governance_app.entry:main" in text
    assert "governance-app-gui = governance_app.ui.app:main" in text


def test_twine_check_passes(wheel: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(wheel)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
