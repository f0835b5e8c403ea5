"""The bundled demo workspace: built from the package's own demo sources on first use.

The demo is a plain SQLite workspace in the user's data folder, rebuilt whenever the shipped
sources change (a newer release), so every view has real content on a fresh machine.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from governance_app.importers.safe_io import sha256_of_path
from governance_app.services.importing import import_path, list_imports
from governance_app.services.workspace import Workspace, data_dir

DEMO_FILE_NAME = "demo.db"


def demo_sources() -> list[Path]:
    """The files the demo workspace is built from, in import order."""
    root = resources.files("governance_app.resources") / "demo"
    return [Path(str(root / "registry.json"))]


def _is_current(url: str, sources: list[Path]) -> bool:
    try:
        with Workspace.open(url) as ws:
            imported = {record.source_sha256 for record in list_imports(ws)}
    except Exception:  # a damaged or foreign demo file is simply rebuilt
        return False
    return all(sha256_of_path(p) in imported for p in sources)


def build_demo_workspace(target: Path) -> str:
    """(Re)build the demo workspace at ``target`` and return its URL."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{target}"
    with Workspace.open(url) as ws:
        for source in demo_sources():
            import_path(ws, source)
    return url


def demo_workspace_url(folder: Path | None = None, *, rebuild: bool = False) -> str:
    """URL of the demo workspace, building it first when missing, outdated or asked to."""
    target = (folder or data_dir()) / DEMO_FILE_NAME
    url = f"sqlite:///{target}"
    if rebuild or not target.exists() or not _is_current(url, demo_sources()):
        return build_demo_workspace(target)
    return url
