"""The pipeline DAG as ``dvc dag`` draws it: producer → consumer, by stage and by output.

DVC links stage A to stage B when an output of A and a dependency of B are the same path or
one lies inside the other (an output folder and a file in it, or the reverse). ``dvc dag
--outs`` draws the same links between outputs: each output of B is linked from every output of
another stage that one of B's dependencies overlaps. Both are computed with an index of output
paths (exact match, then the folders above a dependency, then the outputs below it), so a
2,000-stage project does not compare every pair.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from governance_app.domain.dvc import DvcStage


class OutputIndex:
    """Which stage writes which output, answering "whose outputs overlap this path"."""

    def __init__(self, stages: list[DvcStage]) -> None:
        self.producer: dict[str, DvcStage] = {}
        for stage in stages:
            for out in stage.outs:
                self.producer.setdefault(out.path, stage)
        self._sorted = sorted(self.producer)

    def overlapping(self, path: str) -> Iterator[str]:
        """Output paths equal to ``path``, folders above it, and outputs below it."""
        if path in self.producer:
            yield path
        parts = path.split("/")
        for i in range(len(parts) - 1, 0, -1):
            above = "/".join(parts[:i])
            if above in self.producer:
                yield above
        prefix = path + "/"
        start = bisect.bisect_left(self._sorted, prefix)
        for candidate in self._sorted[start:]:
            if not candidate.startswith(prefix):
                break
            yield candidate


def stage_edges(stages: list[DvcStage]) -> list[tuple[str, str]]:
    """``(producer stage, consumer stage)`` pairs, each once, in stage order."""
    index = OutputIndex(stages)
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str]] = []
    for stage in stages:
        for dep in stage.deps:
            for path in index.overlapping(dep.path):
                producer = index.producer[path]
                pair = (producer.name, stage.name)
                if producer is not stage and pair not in seen:
                    seen.add(pair)
                    out.append(pair)
    return out


def output_edges(stages: list[DvcStage]) -> list[tuple[str, str]]:
    """``(upstream output, downstream output)`` pairs as ``dvc dag --outs`` draws them."""
    index = OutputIndex(stages)
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str]] = []
    for stage in stages:
        upstream = [
            path for dep in stage.deps for path in index.overlapping(dep.path)
            if index.producer[path] is not stage
        ]
        for source in upstream:
            for target in stage.outs:
                pair = (source, target.path)
                if pair not in seen:
                    seen.add(pair)
                    out.append(pair)
    return out


def stage_nodes(stages: list[DvcStage]) -> list[str]:
    """Every stage ``dvc dag`` draws: pipeline stages and ``.dvc`` data sources."""
    return [s.name for s in stages]


def output_nodes(stages: list[DvcStage]) -> list[str]:
    """Every output ``dvc dag --outs`` draws."""
    return [o.path for s in stages for o in s.outs]
