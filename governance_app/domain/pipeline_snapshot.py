"""What the pipeline importers (Kubeflow ML Metadata) hand the import service.

A registry part (runs, registered model versions) and a lineage part, stored in one
transaction like a bundle's. Model versions named by a label that is not a whole number
(``1.0.0``) carry provisional numbers; the store writer matches each label with the version
the workspace already holds for it, so the same version keeps its number across imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from governance_app.domain.bundle_snapshot import BundleSnapshot
from governance_app.domain.lineage import NodeKind


@dataclass(slots=True)
class PipelineSnapshot(BundleSnapshot):
    """A bundle-like snapshot whose version numbers are settled when stored.

    Attributes:
        version_tag: the version tag holding each version's label (``kfp.model_version``).
        placeholder_ids: lineage node id each version has in ``lineage`` until it is
            numbered, by ``(model name, label)``.
    """

    version_tag: str = ""
    placeholder_ids: dict[tuple[str, str], str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """The bundle's counts, plus pipeline tasks and artifacts in the lineage."""
        out = BundleSnapshot.counts(self)
        if self.lineage is not None:
            for kind in (NodeKind.TASK, NodeKind.ARTIFACT):
                out[f"lineage_{kind.value}s"] = sum(
                    1 for n in self.lineage.nodes.values() if n.kind is kind)
        return out
