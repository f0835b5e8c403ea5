"""What a lineage importer hands the import service: one graph read from one source.

Kept in ``domain`` (not beside the reader) because both the importer that makes it and the
store writer that saves it need the type, and those two packages may not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from governance_app.domain.lineage import LineageGraph, NodeKind


@dataclass(slots=True)
class LineageSnapshot:
    """A lineage graph read completely from one source, not yet stored.

    Attributes:
        kind: the importer kind (``"openlineage"``).
        source: the path read, as given.
        source_sha256: digest of the input, recorded with the import for provenance.
        graph: the merged graph of every event in the source.
        events: events read.
        runs: runs reported by events.
        files: files read.
        notes: assumptions made while reading (e.g. a zone-less time read as UTC).
    """

    kind: str
    source: str
    source_sha256: str
    graph: LineageGraph
    events: int = 0
    runs: int = 0
    files: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        """Events, files and nodes by kind, as the import record shows them."""
        out = {"events": self.events, "files": self.files}
        for kind in NodeKind:
            if kind is NodeKind.NAMESPACE:
                continue
            out[f"{kind.value}s"] = sum(1 for n in self.graph.nodes.values() if n.kind is kind)
        out["edges"] = len(self.graph.edges)
        return out
