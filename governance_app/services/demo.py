"""The bundled demo workspace: built from the package's own demo sources on first use.

The demo is a plain SQLite workspace in the user's data folder, rebuilt whenever the shipped
sources change (a newer release), so every view has real content on a fresh machine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


@dataclass(frozen=True, slots=True)
class DemoMonitoring:
    """Drift the demo computes itself: a scoring table in weekly windows against a reference.

    credit_default v4 is the version the demo's board decides; its drift is computed here from
    four weeks of shadow scoring (``scripts/make_demo_monitoring.py``), as a board would with
    ``governance-app drift-history``, so its production review has a drift result to judge.
    """

    model: str
    table: str
    reference: str
    time_column: str = "scored_at"
    window: str = "7D"

    def path(self, relative: str) -> Path:
        return Path(str(resources.files("governance_app.resources") / "demo" / relative))

    @property
    def paths(self) -> list[Path]:
        return [self.path(self.table), self.path(self.reference)]


DEMO_MONITORING = (DemoMonitoring("credit_default:4",
                                  "monitoring/credit_default_v4_scoring.parquet",
                                  "monitoring/credit_default_v4_reference.parquet"),)


def demo_sources() -> list[Path]:
    """The files the demo workspace is built from, in import order, then the monitoring tables
    its drift is computed from."""
    return ([step.path for step in demo_steps(settings=False)]
            + [p for monitoring in DEMO_MONITORING for p in monitoring.paths])


def _is_current(url: str, sources: list[Path]) -> bool:
    try:
        with Workspace.open(url) as ws:
            seen = {record.source_sha256 for record in list_imports(ws)}
            if DEMO_MONITORING:  # computed drift names its tables' SHA-256, not an import
                from governance_app.services.drift import drift_results

                for monitoring in DEMO_MONITORING:
                    name, version = monitoring.model.rsplit(":", 1)
                    seen |= {digest for result in drift_results(ws, name, int(version))
                             for digest in result.source_sha256.values()}
    except Exception:  # a damaged or foreign demo file is simply rebuilt
        return False
    return all(sha256_of_path(p) in seen for p in sources)


def _compute_monitoring(ws: Workspace) -> None:
    from governance_app.services.drift import compute_history  # pandas: only when building

    for monitoring in DEMO_MONITORING:
        compute_history(monitoring.path(monitoring.table), monitoring.time_column,
                        monitoring.window, monitoring.path(monitoring.reference),
                        ws=ws, model=monitoring.model)


DemoProgress = Callable[[int, int, str], None]
"""``progress(done, total, message)``: the demo takes seconds to build, so it says how far."""


def build_demo_workspace(target: Path, progress: DemoProgress | None = None) -> str:
    """(Re)build the demo workspace at ``target`` and return its URL.

    Args:
        progress: called before each step (an import, the computed drift, the board's
            reviews, its tiers and findings, the sealed card and validation report) and once
            at the end.
    """
    report = progress or (lambda _done, _total, _message: None)
    steps = demo_steps()
    total = len(steps) + 4
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{target}"
    with Workspace.open(url) as ws:
        for done, step in enumerate(steps):
            report(done, total, f"importing {step.relative_path}")
            import_path(ws, step.path, model=step.model, settings=step.settings,
                        source_label=f"demo/{step.relative_path}")
        report(len(steps), total, "computing credit_default v4's drift")
        _compute_monitoring(ws)
        report(len(steps) + 1, total, "signing the board's reviews")
        from governance_app.services.demo_reviews import build_demo_reviews  # signed reviews
        build_demo_reviews(ws, target.parent)
        report(len(steps) + 2, total, "recording tiers and findings")
        from governance_app.services.demo_risk import build_demo_risk  # tiers and findings
        build_demo_risk(ws, target.parent)
        report(len(steps) + 3, total, "sealing the model card and the validation report")
        from governance_app.services.demo_reviews import (  # the Reports view
            build_demo_card,
            build_demo_validation,
        )
        build_demo_card(ws, target.parent)
        build_demo_validation(ws, target.parent)
    report(total, total, "demo workspace ready")
    return url


def demo_workspace_url(folder: Path | None = None, *, rebuild: bool = False,
                       progress: DemoProgress | None = None) -> str:
    """URL of the demo workspace, building it first when missing, outdated or asked to
    (``progress`` reports the build; nothing is reported when the demo is current)."""
    target = (folder or data_dir()) / DEMO_FILE_NAME
    url = f"sqlite:///{target}"
    if rebuild or not target.exists() or not _is_current(url, demo_sources()):
        return build_demo_workspace(target, progress)
    return url


def demo_passphrases(url: str) -> dict[str, str]:
    """DEMO ONLY: the demo members' publicly known passphrases when ``url`` is a demo
    workspace (a ``demo.db`` with the demo's key folder beside it), else nothing.

    A visitor of the demo needs them to sign; showing them anywhere else would be wrong, so
    the test is the demo's own layout on disk, not a name alone.
    """
    from governance_app.services.demo_reviews import DEMO_KEY_FOLDER, DEMO_PASSPHRASES

    if not url.startswith("sqlite:///"):
        return {}
    path = Path(url.removeprefix("sqlite:///"))
    if path.name != DEMO_FILE_NAME or not (path.parent / DEMO_KEY_FOLDER).is_dir():
        return {}
    return dict(DEMO_PASSPHRASES)
