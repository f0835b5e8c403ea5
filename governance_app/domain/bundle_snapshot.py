"""What the bundle importer hands the import service: a registry plus, from 1.1, its lineage.

A bundle is one file and one import, so both parts are stored in one transaction: a bundle
whose lineage is refused must not leave its registry half-imported. The type extends
:class:`RegistrySnapshot` so everything that reads a registry snapshot reads a bundle's the same
way; the store writer registered for this type saves the registry, then the lineage.
"""

from __future__ import annotations

from dataclasses import dataclass

from governance_app.domain.lineage import LineageGraph, NodeKind
from governance_app.domain.registry import RegistrySnapshot


@dataclass(slots=True)
class BundleSnapshot(RegistrySnapshot):
    """A bundle read completely, not yet stored.

    Attributes:
        lineage: the graph of the bundle's ``lineage`` section; ``None`` when it has none
            (every 1.0 bundle), so nothing lineage-related is written.
    """

    lineage: LineageGraph | None = None

    def counts(self) -> dict[str, int]:
        """The registry's counts, plus lineage nodes by kind and edges when there is lineage."""
        out = RegistrySnapshot.counts(self)
        if self.lineage is None:
            return out
        for kind in (NodeKind.DATASET, NodeKind.JOB, NodeKind.RUN, NodeKind.MODEL_VERSION):
            key = f"lineage_{kind.value}s"
            out[key] = sum(1 for n in self.lineage.nodes.values() if n.kind is kind)
        out["lineage_edges"] = len(self.lineage.edges)
        return out
