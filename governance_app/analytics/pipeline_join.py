"""Join DVC files with the datasets and model versions other sources know, without guessing.

A DVC output is a ``dataset:dvc://<project>/<path>`` node; MLflow, OpenLineage or Kubeflow
may know the same file under another id. The rules, in order (docs/pipelines.md):

1. **Same content**: another dataset (or artifact) node records the same md5 as the DVC file
   (an MLflow dataset digest, a facet field named ``md5``/``digest``/``hash``/``etag``, KFP
   artifact metadata ``md5``). Folder hashes (``….dir``) describe a listing, not a file, and
   are never compared with file hashes. Exactly one other node with that md5: the two are one
   node (the other id is kept, the DVC facts and edges move onto it).
2. **Same path**: another dataset's name is the DVC path or ends with ``/<path>``, and it
   records no md5 or the same one. Exactly one such node, and it matched no other DVC file:
   one node.
3. **Model versions**: a version whose registry ``source`` is the DVC output's path or ends
   with ``/<path>``, or whose recorded md5 equals the output's, is produced by the DVC stage
   that writes the output (a ``produced`` edge from the stage).

Anything weaker, or ambiguous (two nodes with the same md5 or path, or the same file name with
a different or unknown hash), is *not* joined: it is listed as a candidate on the DVC node's
``joinCandidates`` facet with the reason, for a person to judge. Joined nodes carry a
``joinedFrom`` facet naming the DVC node and the rule.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from governance_app.domain.lineage import EdgeKind, LineageEdge, LineageGraph, LineageNode, NodeKind

DVC_PREFIX = "dataset:dvc://"
STAGE_PREFIX = "stage:dvc://"
_DIGEST_KEYS = frozenset({"md5", "digest", "digests", "hash", "etag", "md5_hash"})
_MAX_DEPTH = 4


@dataclass(slots=True)
class JoinReport:
    """What :func:`join_pipelines` decided: joins made and candidates left for a person."""

    joined: list[tuple[str, str, str]] = field(default_factory=list)
    """``(DVC node, node it became, rule)``."""
    produced: list[tuple[str, str, str]] = field(default_factory=list)
    """``(DVC stage, model version, rule)``."""
    candidates: list[tuple[str, str, str]] = field(default_factory=list)
    """``(DVC node, other node, why it was not joined)``."""


def _digests(value: Any, depth: int = 0) -> set[str]:
    """Every string held under a digest-like key, at most a few levels down the facets."""
    found: set[str] = set()
    if depth > _MAX_DEPTH:
        return found
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.lower() in _DIGEST_KEYS:
                if isinstance(inner, str):
                    found.add(inner.lower())
                elif isinstance(inner, list):
                    found.update(v.lower() for v in inner if isinstance(v, str))
            else:
                found |= _digests(inner, depth + 1)
    elif isinstance(value, list):
        for inner in value:
            found |= _digests(inner, depth + 1)
    return found


def _dvc_file(node: LineageNode) -> tuple[str, str]:
    facet = node.facets.get("dvc") or {}
    md5 = str(facet.get("md5") or "").lower()
    return str(facet.get("path") or node.name), "" if md5.endswith(".dir") else md5


def _ends_with_path(name: str, path: str) -> bool:
    name = name.replace("\\", "/")
    return name == path or name.endswith("/" + path)


def join_pipelines(graph: LineageGraph) -> tuple[LineageGraph, JoinReport]:
    """The graph with DVC files joined by the module's rules, and what was (not) joined."""
    report = JoinReport()
    dvc_nodes = [n for n in graph.nodes.values() if n.id.startswith(DVC_PREFIX)]
    if not dvc_nodes:
        return graph, report
    others = [n for n in graph.nodes.values()
              if n.kind in (NodeKind.DATASET, NodeKind.ARTIFACT)
              and not n.id.startswith(DVC_PREFIX)]
    by_digest: dict[str, list[LineageNode]] = defaultdict(list)
    by_base: dict[str, list[LineageNode]] = defaultdict(list)
    digests_of: dict[str, set[str]] = {}
    for node in others:
        digests_of[node.id] = _digests(node.facets)
        for digest in digests_of[node.id]:
            by_digest[digest].append(node)
        by_base[posixpath.basename(node.name.rstrip("/"))].append(node)
    renames: dict[str, str] = {}
    claimed: dict[str, str] = {}
    for node in dvc_nodes:
        path, md5 = _dvc_file(node)
        decided = _join_one(node, path, md5, by_digest, by_base, digests_of, claimed, report)
        if decided is not None:
            renames[node.id] = decided
            claimed[decided] = node.id
    out = _apply(graph, renames, report)
    _link_versions(out, report)
    _note(out, report)
    return out, report


def _join_one(
    node: LineageNode, path: str, md5: str, by_digest: dict[str, list[LineageNode]],
    by_base: dict[str, list[LineageNode]], digests_of: dict[str, set[str]],
    claimed: dict[str, str], report: JoinReport,
) -> str | None:
    same_content = by_digest.get(md5, []) if md5 else []
    if len(same_content) == 1 and same_content[0].id not in claimed:
        report.joined.append((node.id, same_content[0].id, "md5"))
        return same_content[0].id
    for other in same_content:
        report.candidates.append((node.id, other.id, f"same md5 as {len(same_content)} nodes"))
    if same_content:
        return None
    base = posixpath.basename(path)
    same_path = [o for o in by_base.get(base, []) if _ends_with_path(o.name, path)]
    agreeing = [o for o in same_path if not digests_of[o.id] or (md5 and md5 in digests_of[o.id])]
    if len(agreeing) == 1 and len(same_path) == 1 and agreeing[0].id not in claimed:
        report.joined.append((node.id, agreeing[0].id, "path"))
        return agreeing[0].id
    for other in by_base.get(base, []):
        if other in agreeing and len(agreeing) > 1:
            reason = f"same path as {len(agreeing)} nodes"
        elif other in same_path:
            reason = "same path, different content hash"
        else:
            reason = "same file name, different path"
        report.candidates.append((node.id, other.id, reason))
    return None


def _apply(graph: LineageGraph, renames: dict[str, str], report: JoinReport) -> LineageGraph:
    if not renames:
        return graph
    out = LineageGraph()
    for node in graph.nodes.values():
        if node.id in renames:
            continue
        out.add_node(replace(node, facets=dict(node.facets)))
    for source_id, target_id in renames.items():
        moved = graph.nodes[source_id]
        target = out.nodes[target_id]
        target.facets["dvc"] = moved.facets.get("dvc", {})
        target.facets.setdefault("joinedFrom", []).append(
            {"node": source_id, "rule": next(r for s, t, r in report.joined if s == source_id)})
    for edge in graph.edges:
        source = renames.get(edge.source, edge.source)
        target = renames.get(edge.target, edge.target)
        if source != target:
            out.add_edge(LineageEdge(source, target, edge.kind))
    return out


def _link_versions(graph: LineageGraph, report: JoinReport) -> None:
    """A model version whose source path or md5 is a DVC output's is produced by its stage."""
    producer: dict[str, str] = {}
    outputs: list[tuple[str, str, str]] = []
    for edge in graph.edges:
        if edge.kind == EdgeKind.OUTPUT.value and edge.source.startswith(STAGE_PREFIX):
            node = graph.nodes.get(edge.target)
            if node is not None and "dvc" in node.facets:
                path, md5 = _dvc_file(node)
                producer[node.id] = edge.source
                outputs.append((node.id, path, md5))
    if not outputs:
        return
    by_md5 = {md5: node_id for node_id, _, md5 in outputs if md5}
    for version in [n for n in graph.nodes.values() if n.kind is NodeKind.MODEL_VERSION]:
        source = str((version.facets.get("mlflow") or {}).get("source") or "")
        matched = [(o, "source path") for o, path, _ in outputs
                   if source and _ends_with_path(source, path)]
        matched += [(by_md5[d], "md5") for d in _digests(version.facets) if d in by_md5]
        stages = {producer[o] for o, _ in matched}
        if len(stages) == 1:
            stage = stages.pop()
            graph.add_edge(LineageEdge(stage, version.id, EdgeKind.PRODUCED.value))
            report.produced.append((stage, version.id, matched[0][1]))
        else:
            for out_id, rule in matched:
                report.candidates.append((out_id, version.id, f"{rule} of several DVC stages"))


def _note(graph: LineageGraph, report: JoinReport) -> None:
    for dvc_id, other, reason in report.candidates:
        holder = graph.nodes.get(dvc_id)
        if holder is not None:
            holder.facets.setdefault("joinCandidates", []).append(
                {"node": other, "reason": reason})


def candidate_rows(graph: LineageGraph, ids: Iterable[str]) -> list[tuple[str, str, str]]:
    """``(node, candidate, reason)`` for the nodes ``ids`` (what a front end lists)."""
    rows = []
    for node_id in ids:
        node = graph.nodes.get(node_id)
        for item in (node.facets.get("joinCandidates") or []) if node else []:
            rows.append((node_id, str(item.get("node")), str(item.get("reason"))))
    return rows
