"""The model card's pipeline parts: the DVC stages and Kubeflow tasks upstream of a version,
and the evaluation evidence a Kubeflow run recorded for it (confusion matrix, ROC, slices).

Kept apart from :mod:`model_card` so that module stays about the card's order of sections;
each function returns flowables to add to a section, or nothing when there is nothing to say.
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable

from governance_app.domain.lineage import LineageGraph, NodeKind
from governance_app.reports.document import data_table, para, spacer

STEP_KINDS = (NodeKind.STAGE, NodeKind.TASK)
MAX_STEPS = 60
"""Rows of the steps table; a bigger pipeline is summarised (the drawing shows it whole)."""


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "—" if value in (None, "") else str(value)


def pipeline_steps(graph: LineageGraph | None, frame: float) -> list[Flowable]:
    """A table of the DVC stages and KFP tasks in the version's upstream lineage."""
    if graph is None:
        return []
    steps = [n for n in graph.nodes.values() if n.kind in STEP_KINDS]
    if not steps:
        return []
    rows = []
    for node in _in_flow_order(graph, steps)[:MAX_STEPS]:
        dvc = node.facets.get("dvc") or {}
        kfp = node.facets.get("kfp") or {}
        api = node.facets.get("kfpApi") or {}
        if node.kind is NodeKind.STAGE:
            what = dvc.get("cmd") or f"data source ({dvc.get('dvcfile', '')})"
            where = f"DVC {node.namespace.removeprefix('dvc://')}"
        else:
            what = kfp.get("task_name") or api.get("display_name") or node.name
            where = f"KFP run {node.namespace[:8]}"
            error = (api.get("error") or {}).get("message") if isinstance(
                api.get("error"), dict) else None
            if error:
                what = f"{what} — {error}"
        rows.append((where, node.name, node.status or "—", str(what)))
    out: list[Flowable] = [spacer(), para(
        f"{len(steps)} pipeline steps upstream of this version (DVC stages and Kubeflow tasks; "
        "their commands are recorded, never run):")]
    out.append(data_table(["Pipeline", "Step", "State", "Command / task"], rows,
                          [0.2, 0.22, 0.13, 0.45], frame))
    if len(steps) > MAX_STEPS:
        out.append(para(f"… and {len(steps) - MAX_STEPS} more steps, drawn above."))
    return out


def _in_flow_order(graph: LineageGraph, steps: list[Any]) -> list[Any]:
    """Steps in the order data flows through them (a topological order), ties by name."""
    rank: dict[str, int] = {}
    indegree = {node_id: 0 for node_id in graph.nodes}
    children: dict[str, list[str]] = {node_id: [] for node_id in graph.nodes}
    for edge in graph.edges:
        if edge.source in children and edge.target in indegree:
            children[edge.source].append(edge.target)
            indegree[edge.target] += 1
    ready = sorted(n for n, d in indegree.items() if d == 0)
    while ready:
        node_id = ready.pop(0)
        rank[node_id] = len(rank)
        for child in children[node_id]:
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return sorted(steps, key=lambda n: (rank.get(n.id, len(rank)), n.name))


def pipeline_evidence(evidence: dict[str, Any], frame: float) -> list[Flowable]:
    """Confusion matrices, ROC sizes and slice metrics a Kubeflow run recorded."""
    out: list[Flowable] = []
    for item in evidence.get("classification_metrics") or []:
        matrix = item.get("confusion_matrix") or {}
        labels = [str(x) for x in matrix.get("labels") or []]
        rows = matrix.get("rows") or []
        if labels and rows:
            table_rows = [(f"actual {labels[i] if i < len(labels) else i}",
                           *[_fmt(v) for v in row]) for i, row in enumerate(rows)]
            widths = [0.3] + [0.7 / max(len(labels), 1)] * len(labels)
            out += [spacer(), para(f"Confusion matrix recorded by the pipeline "
                                   f"({item.get('artifact', '')}, {item.get('uri', '')}):"),
                    data_table(["", *[f"predicted {x}" for x in labels]], table_rows, widths,
                               frame, right=list(range(1, len(labels) + 1)))]
        roc = item.get("roc") or []
        if roc:
            out.append(spacer(1.5))
            out.append(para(f"ROC curve: {len(roc)} points recorded, thresholds "
                            f"{_fmt(min(p.get('threshold') or 0 for p in roc))} to "
                            f"{_fmt(max(p.get('threshold') or 0 for p in roc))}."))
    for item in evidence.get("slice_metrics") or []:
        slices = item.get("slices") or {}
        metrics = sorted({m for values in slices.values() for m in values})
        if not slices:
            continue
        rows = [(name, *[_fmt(values.get(m)) for m in metrics])
                for name, values in sorted(slices.items())]
        widths = [0.3] + [0.7 / max(len(metrics), 1)] * len(metrics)
        out += [spacer(), para(f"Slice metrics recorded by the pipeline "
                               f"({item.get('artifact', '')}):"),
                data_table(["Slice", *metrics], rows, widths, frame,
                           right=list(range(1, len(metrics) + 1)))]
    return out


def pipeline_digest(node: Any) -> str:
    """A dataset's content hash as DVC (md5, a folder's ``.dir`` hash with its file count) or
    Kubeflow (artifact metadata sha256/md5) recorded it; ``""`` when neither did."""
    dvc = node.facets.get("dvc") or {}
    if dvc.get("md5"):
        files = f", {dvc['nfiles']} files" if dvc.get("nfiles") is not None else ""
        return f"md5 {dvc['md5']}{files} (DVC)"
    metadata = (node.facets.get("kfp") or {}).get("metadata") or {}
    for key in ("sha256", "md5"):
        if isinstance(metadata.get(key), str) and metadata[key]:
            return f"{key} {metadata[key]} (Kubeflow)"
    return ""
