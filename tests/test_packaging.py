"""Every package folder is installed, and the top-level resources/ ship as package data."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "governance_app").rglob("__init__.py")
    } | {"governance_app.resources", "governance_app.docs"}
    assert found == listed


def test_resources_are_importable_as_package_data() -> None:
    root = resources.files("governance_app.resources")
    assert (root / "schemas" / "bundle-1.0.schema.json").is_file()
    assert (root / "demo" / "registry.json").is_file()
