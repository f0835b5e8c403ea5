"""Where a check's number comes from (``source: computed | declared``), and the contradiction
flagged when the model team's logged number and the app's own computation disagree."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from governance_app.domain.governance import Outcome
from governance_app.errors import InputError
from governance_app.governance.evidence import contradiction_of, evaluate, evidence_document
from governance_app.governance.policy import parse_policy
from governance_app.services.evidence_sources import WorkspaceEvidence
from governance_app.services.fairness import latest_fairness, metric_value
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from tests.governance.review_helpers import MODEL, REGISTRY

TESTS = Path(__file__).resolve().parents[1] / "fixtures"
POLICY = """
policy: origins
gate: production
checks:
  - {metric: demographic_parity_ratio, min: 0.8, blocking: false}
  - {metric: demographic_parity_ratio, min: 0.8, source: computed}
  - {fairness: demographic_parity_ratio, sensitive: gender, min: 0.8, source: declared}
  - {metric: demographic_parity_ratio, min: 0.8, source: computed, sensitive: gender,
     tolerance: 1.0}
quorum: {approvals: 1}
"""


@pytest.fixture
def ws(workspace_url: str, tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(workspace_url) as workspace:
        import_path(workspace, REGISTRY)
        table = tmp_path / "predictions.csv"  # Titanic-like predictions: a large gender gap
        shutil.copyfile(TESTS / "fairness" / "predictions.csv", table)
        import_path(workspace, table, model=f"{MODEL}:1", settings={
            "label": "label", "prediction": "prediction", "sensitive": ["gender", "class"],
            "min_group_size": 1})
        yield workspace


def test_declared_and_computed_numbers_and_their_contradiction(ws: Workspace) -> None:
    source = WorkspaceEvidence(ws, MODEL, 1)
    declared = source.metric("demographic_parity_ratio").value
    stored = latest_fairness(ws, MODEL, 1)
    by_attribute = {a: metric_value(stored, "demographic_parity_ratio", a)
                    for a in ("gender", "class")}
    worst = min(by_attribute.values())
    policy = parse_policy("origins.yaml", POLICY)
    default, computed, declared_fairness, tolerant = evaluate(policy, source)

    # A metric check reads the team's logged number by default, and flags the app's own.
    assert default.value == pytest.approx(declared)
    assert default.outcome is (Outcome.PASS if declared >= 0.8 else Outcome.WARNING)
    flagged = default.inputs["contradiction"]
    assert flagged["declared"] == pytest.approx(declared)
    assert flagged["computed"] == pytest.approx(worst)  # the worst attribute analysed
    assert flagged["tolerance"] == 0.05
    assert f"declared {declared:.4g} vs computed {worst:.4g}" in default.detail
    assert any(k.startswith("computed:fairness:") for k in default.sources)

    # source: computed judges the app's number; the declared one is still shown beside it.
    assert computed.value == pytest.approx(worst) and computed.outcome is Outcome.FAIL
    assert computed.inputs["origin"] == "computed"
    assert contradiction_of(computed.as_dict())["declared"] == pytest.approx(declared)

    # A fairness check may ask for the declared number instead.
    assert declared_fairness.value == pytest.approx(declared)
    # Within the tolerance nothing is flagged.
    assert tolerant.value == pytest.approx(by_attribute["gender"])
    assert "contradiction" not in tolerant.inputs and "contradiction" not in tolerant.detail

    document = evidence_document(policy, source.subject(), [default, computed,
                                                            declared_fairness, tolerant])
    assert document["contradictions"] == [default.check.label, computed.check.label,
                                          declared_fairness.check.label]


def test_policies_without_origins_keep_their_digest_and_bad_origins_are_refused() -> None:
    plain = parse_policy("p.yaml", "policy: p\ngate: g\nchecks:\n  - {metric: auc, min: 0.7}\n"
                         "quorum: {approvals: 1}\n")
    assert "source" not in plain.as_dict()["checks"][0]  # the canonical form did not change
    with pytest.raises(InputError) as caught:
        parse_policy("p.yaml", "policy: p\ngate: g\nchecks:\n"
                     "  - {metric: auc, min: 0.7, source: guessed}\nquorum: {approvals: 1}\n")
    assert "line 4" in str(caught.value) and "source" in str(caught.value)
