"""Clarify ``analysis.json``: pre- and post-training bias by facet, under Clarify's names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from governance_app.domain.cloud import CloudSnapshot
from governance_app.errors import InputError
from governance_app.importers import registry
from governance_app.importers.registry import ImportContext, ImportOptions

CLARIFY = Path(__file__).resolve().parents[1] / "fixtures" / "sagemaker" / "clarify"


def _load(path: Path, model: str | None = "loan-approval:2") -> CloudSnapshot:
    result = registry.load(path, None, ImportContext(options=ImportOptions(model=model)))
    assert isinstance(result, CloudSnapshot)
    return result


def test_detected_and_read_as_slices_of_one_evaluation() -> None:
    assert registry.detect(CLARIFY / "analysis.json") == "clarify"
    (evaluation,) = _load(CLARIFY / "analysis.json").evaluations
    assert (evaluation.model_name, evaluation.version) == ("loan-approval", 2)
    assert evaluation.source == "clarify-bias"
    slices = {(s.feature, s.value): s.metrics for s in evaluation.slices}
    assert sorted(slices) == [("age", "(40, 69]"), ("sex", "female")]
    analysis = json.loads((CLARIFY / "analysis.json").read_text())
    (post,) = analysis["post_training_bias_metrics"]["facets"]["sex"]
    for metric in post["metrics"]:
        assert slices[("sex", "female")][f"post.{metric['name']}"] == metric["value"]
    assert slices[("sex", "female")]["post.DI"] == pytest.approx(0.8513513513513513)
    assert evaluation.details["descriptions"]["DI"] == "Disparate Impact (DI)"


def test_a_report_needs_the_version_it_is_of() -> None:
    with pytest.raises(InputError, match="--model NAME:VERSION"):
        _load(CLARIFY / "analysis.json", model=None)


def test_a_non_numeric_value_names_the_field(tmp_path: Path) -> None:
    data = json.loads((CLARIFY / "analysis.json").read_text())
    data["post_training_bias_metrics"]["facets"]["sex"][0]["metrics"][5]["value"] = "high"
    bad = tmp_path / "analysis.json"
    bad.write_text(json.dumps(data, indent=1))
    with pytest.raises(InputError) as caught:
        _load(bad)
    assert "post_training_bias_metrics.facets.sex[0].metrics[5].value" in str(caught.value)
