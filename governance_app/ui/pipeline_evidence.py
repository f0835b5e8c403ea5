"""The version detail's "Pipeline evidence" tab: what a Kubeflow run recorded about the version.

One row per number, grouped by what it belongs to, so a reviewer reads the confusion matrix
cell by cell and each slice's metrics without a chart: ``(group, item, value, source)``.
"""

from __future__ import annotations

from typing import Any

from governance_app.ui.item_models import MISSING, Column, RecordTableModel


class PipelineEvidenceTableModel(RecordTableModel):
    """Rows ``(group, item, value, source)`` of a version's pipeline evidence."""

    columns = [
        Column("Evidence", lambda r: r[0]),
        Column("Item", lambda r: r[1]),
        Column("Value", lambda r: r[2] if r[2] != "" else MISSING),
        Column("Recorded in", lambda r: r[3] or MISSING, tooltip=lambda r: r[3] or None),
    ]


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def evidence_rows(evidence: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The rows of :class:`PipelineEvidenceTableModel` for ``VersionDetail.pipeline_evidence``."""
    rows: list[tuple[str, str, str, str]] = []
    for item in evidence.get("classification_metrics") or []:
        source = str(item.get("uri") or "")
        matrix = item.get("confusion_matrix") or {}
        labels = [str(x) for x in matrix.get("labels") or []]
        for i, row in enumerate(matrix.get("rows") or []):
            for j, count in enumerate(row):
                actual = labels[i] if i < len(labels) else str(i)
                predicted = labels[j] if j < len(labels) else str(j)
                rows.append(("Confusion matrix", f"actual {actual} → predicted {predicted}",
                             _number(count), source))
        roc = item.get("roc") or []
        if roc:
            rows.append(("ROC curve", "points recorded", str(len(roc)), source))
    for item in evidence.get("slice_metrics") or []:
        source = str(item.get("uri") or "")
        for name, values in sorted((item.get("slices") or {}).items()):
            for metric, value in sorted(values.items()):
                rows.append((f"Slice {name}", metric, _number(value), source))
    return rows
