"""Clarify's bias metrics recomputed from counts equal Clarify's own and the hand arithmetic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from governance_app.analytics.clarify_metrics import agrees, clarify_metrics
from governance_app.domain.fairness import ConfusionCells

CLARIFY = Path(__file__).resolve().parents[1] / "fixtures" / "sagemaker" / "clarify"
EXPECTED = json.loads((CLARIFY / "expected.json").read_text(encoding="utf-8"))
ANALYSIS = json.loads((CLARIFY / "analysis.json").read_text(encoding="utf-8"))


def _cells(counts: dict[str, int]) -> ConfusionCells:
    return ConfusionCells(tn=counts["TN"], fp=counts["FP"], fn=counts["FN"], tp=counts["TP"])


def _clarify_values(facet: str) -> dict[str, float]:
    out = {}
    for section in ("pre_training_bias_metrics", "post_training_bias_metrics"):
        (entry,) = ANALYSIS[section]["facets"][facet]
        out.update({m["name"]: m["value"] for m in entry["metrics"]})
    return out


@pytest.mark.parametrize("facet", sorted(EXPECTED["facets"]))
def test_recomputed_from_counts_equal_clarify(facet: str) -> None:
    want = EXPECTED["facets"][facet]
    ours = clarify_metrics(_cells(want["confusion_d"]), _cells(want["confusion_a"]))
    for name, values in want["metrics"].items():
        assert ours[name] == pytest.approx(values["by_hand"], abs=1e-12), name
    clarify = _clarify_values(facet)
    for name in ("CI", "DPL", "DPPL", "DI", "AD", "RD", "DAR", "DRR", "DCA", "DCR"):
        assert agrees(ours[name], clarify[name]), (name, ours[name], clarify[name])


def test_undefined_is_none_and_never_agrees() -> None:
    empty = ConfusionCells(0, 0, 0, 0)
    values = clarify_metrics(empty, ConfusionCells(1, 2, 3, 4))
    assert values["DI"] is None and values["AD"] is None
    assert not agrees(None, 0.0)
    assert not agrees(0.85, 0.80)
