"""The bundled demo workspace: built from the package's own demo sources on first use.

The demo is a plain SQLite workspace in the user's data folder, rebuilt whenever the shipped
sources change (a newer release), so every view has real content on a fresh machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from governance_app.importers.safe_io import sha256_of_path
from governance_app.services.importing import import_path, list_imports
from governance_app.services.workspace import Workspace, data_dir

DEMO_FILE_NAME = "demo.db"


@dataclass(frozen=True, slots=True)
class DemoStep:
    """One import of the demo: a shipped file, and what it is attached to."""

    relative_path: str
    model: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return Path(str(resources.files("governance_app.resources") / "demo"
                        / self.relative_path))


def demo_steps(*, settings: bool = True) -> list[DemoStep]:
    """The imports that build the demo, in order; each capability adds the evidence that
    shows its view at its best (registry first: evidence attaches to its versions).

    Args:
        settings: with the import settings; without them (``False``) the list is enough to
            name the files, and opening the demo does not import services.fairness (pandas).
    """
    fairness: Mapping[str, Any] = {}
    if settings:
        from governance_app.services.fairness import DEMO_SETTINGS

        fairness = DEMO_SETTINGS

    return [DemoStep("registry.json"),
            DemoStep("fairness/credit_default_v3.parquet", "credit_default:3", fairness),
            DemoStep("fairness/credit_default_v4.parquet", "credit_default:4", fairness),
            DemoStep("lineage/events.jsonl"),
            DemoStep("drift/", model="credit_default:3"),
            DemoStep("model_cards/credit_default_v4.md", "credit_default:4")]


def demo_sources() -> list[Path]:
    """The files the demo workspace is built from, in import order."""
    return [step.path for step in demo_steps(settings=False)]


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
        for step in demo_steps():
            import_path(ws, step.path, model=step.model, settings=step.settings,
                        source_label=f"demo/{step.relative_path}")
        from governance_app.services.demo_reviews import build_demo_reviews  # signed reviews
        build_demo_reviews(ws, target.parent)
        from governance_app.services.demo_risk import build_demo_risk  # tiers and findings
        build_demo_risk(ws, target.parent)
        from governance_app.services.demo_reviews import build_demo_card  # the Reports view
        build_demo_card(ws, target.parent)
    return url


def demo_workspace_url(folder: Path | None = None, *, rebuild: bool = False) -> str:
    """URL of the demo workspace, building it first when missing, outdated or asked to."""
    target = (folder or data_dir()) / DEMO_FILE_NAME
    url = f"sqlite:///{target}"
    if rebuild or not target.exists() or not _is_current(url, demo_sources()):
        return build_demo_workspace(target)
    return url
