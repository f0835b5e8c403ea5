"""Evidence: each check kind read from a real workspace, missing evidence is an error (never a
pass), the digest is reproducible, and canonical JSON ignores key order and float spelling."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance_app.domain.governance import Check, CheckKind, Outcome
from governance_app.governance.canonical import canonical_bytes, sha256_hex
from governance_app.governance.evidence import evaluate, evaluate_check, freeze
from governance_app.governance.policy import parse_policy, read_policy
from governance_app.services.evidence_sources import WorkspaceEvidence
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from tests.governance.review_helpers import FIXTURES, MODEL, REGISTRY

TESTS = Path(__file__).resolve().parents[1] / "fixtures"
PREDICTIONS = TESTS / "fairness" / "predictions.csv"
SNAPSHOTS = TESTS / "evidently" / "snapshots"


@pytest.fixture
def ws(workspace_url: str) -> Iterator[Workspace]:
    with Workspace.open(workspace_url) as workspace:
        import_path(workspace, REGISTRY)
        yield workspace


def by_label(results: list) -> dict[str, tuple[str, object, str]]:
    return {r.check.label: (r.outcome.value, r.value, r.detail) for r in results}


def test_issue_policy_without_fairness_or_drift_evidence(ws: Workspace) -> None:
    policy = read_policy(FIXTURES / "production-promotion.yaml")
    results = by_label(evaluate(policy, WorkspaceEvidence(ws, MODEL, 1)))
    assert results["val_auc ≥ 0.77"][:2] == ("pass", 0.81)
    assert results["demographic_parity_ratio ≥ 0.8"][:2] == ("warning", 0.74)
    assert results["equalized_odds_difference (sex) ≤ 0.1"] == (
        "error", None, "no fairness result for sensitive attribute sex")
    assert results["share_of_drifted_columns ≤ 0.3"] == (
        "error", None, "no drift result for this version")
    assert results["lineage evidence"][0] == "pass"


def test_metric_check_reads_latest_point_with_its_source_digest(ws: Workspace) -> None:
    result = evaluate_check(Check(CheckKind.METRIC, "val_auc", min=0.8),
                            WorkspaceEvidence(ws, MODEL, 1))
    assert result.outcome is Outcome.PASS and result.value == 0.81
    assert result.inputs == {"run_id": "1111aaaa", "metric": "val_auc", "step": 1,
                             "timestamp": 1772358000000}
    [(key, digest)] = result.sources.items()
    assert key == "run:1111aaaa/metric:val_auc" and len(digest) == 64
    low = evaluate_check(Check(CheckKind.METRIC, "val_auc", max=0.5),
                         WorkspaceEvidence(ws, MODEL, 1))
    assert low.outcome is Outcome.FAIL and "above the maximum 0.5" in low.detail


def test_unknown_metric_is_an_error_not_a_pass(ws: Workspace) -> None:
    result = evaluate_check(Check(CheckKind.METRIC, "val_acu", min=0.1, blocking=False),
                            WorkspaceEvidence(ws, MODEL, 1))
    assert result.outcome is Outcome.ERROR and result.value is None
    assert "unknown metric 'val_acu'" in result.detail and "val_auc" in result.detail
    assert result.blocks_approval is False  # non-blocking: an error, but only a warning's weight
    blocking = evaluate_check(Check(CheckKind.METRIC, "val_acu", min=0.1),
                              WorkspaceEvidence(ws, MODEL, 1))
    assert blocking.blocks_approval


def test_lineage_without_training_data_fails(ws: Workspace) -> None:
    result = evaluate_check(Check(CheckKind.EVIDENCE, "lineage"), WorkspaceEvidence(ws, MODEL, 3))
    assert result.outcome is Outcome.FAIL and result.value is False
    ok = evaluate_check(Check(CheckKind.EVIDENCE, "lineage"), WorkspaceEvidence(ws, MODEL, 1))
    assert ok.inputs == {"via": "lineage graph",
                         "datasets": ["dataset:s3://board-tests/train.parquet"]}
    assert list(ok.sources) == ["dataset:s3://board-tests/train.parquet"]


def test_stored_fairness_and_drift_results_are_read(ws: Workspace, tmp_path: Path) -> None:
    table = tmp_path / "predictions.csv"
    shutil.copyfile(PREDICTIONS, table)
    import_path(ws, table, model=f"{MODEL}:1", settings={
        "label": "label", "prediction": "prediction", "sensitive": ["gender"],
        "min_group_size": 1})
    import_path(ws, SNAPSHOTS, model=f"{MODEL}:1")
    policy = parse_policy("p.yaml", """
policy: with-evidence
gate: production
checks:
  - {fairness: equalized_odds_difference, sensitive: gender, max: 0.9}
  - {fairness: equalized_odds_difference, sensitive: sex, max: 0.9}
  - {fairness: no_such_disparity, sensitive: gender, max: 0.9}
  - {drift: share_of_drifted_columns, max: 0.3}
quorum: {approvals: 1}
""")
    results = evaluate(policy, WorkspaceEvidence(ws, MODEL, 1))
    fair, other_attr, unknown, drift = results
    assert fair.outcome is Outcome.PASS and 0 <= fair.value <= 0.9
    assert len(fair.sources["fairness:gender"]) == 64
    assert other_attr.detail == "no fairness result for sensitive attribute sex"
    assert unknown.outcome is Outcome.ERROR and "no_such_disparity" in unknown.detail
    assert drift.outcome is Outcome.FAIL and drift.value == pytest.approx(4 / 6)
    assert len(drift.sources["drift"]) == 64


def test_digest_is_reproducible_and_moves_with_the_workspace(ws: Workspace,
                                                             tmp_path: Path) -> None:
    policy = read_policy(FIXTURES / "board-policy.yaml")
    doc, digest = freeze(policy, WorkspaceEvidence(ws, MODEL, 1))
    assert freeze(policy, WorkspaceEvidence(ws, MODEL, 1)) == (doc, digest)
    assert digest == sha256_hex(json.loads(canonical_bytes(doc)))
    assert doc["blocking_failures"] == [] and doc["subject"]["digest_of"] == "artifact"
    changed = json.loads(REGISTRY.read_text())
    changed["runs"][0]["metrics"]["val_auc"][-1]["value"] = 0.82  # re-logged metric
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(changed))
    import_path(ws, path)
    assert freeze(policy, WorkspaceEvidence(ws, MODEL, 1))[1] != digest


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53),
                      st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8))
json_doc = st.recursive(json_leaf, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=6), kids, max_size=4)),
    max_leaves=20)


def _shuffled(value: object, seed: int) -> object:
    if isinstance(value, dict):
        items = list(value.items())
        items = items[seed % len(items):] + items[:seed % len(items)] if items else items
        return {k: _shuffled(v, seed + 1) for k, v in reversed(items)}
    if isinstance(value, list):
        return [_shuffled(v, seed + 1) for v in value]
    return value


@settings(max_examples=200, deadline=None)
@given(doc=json_doc, seed=st.integers(0, 10))
def test_canonical_evidence_ignores_key_order_and_float_spelling(doc: object, seed: int) -> None:
    evidence = {"checks": [{"value": doc, "threshold": {"min": 0.77}}], "subject": doc}
    again = json.loads(json.dumps(_shuffled(evidence, seed), indent=seed % 3))
    assert canonical_bytes(again) == canonical_bytes(evidence)
    # 0.77 written as 7.7e-1 or 77e-2 is the same number, hence the same bytes.
    respelled = json.loads(json.dumps(evidence).replace("0.77", "7.7e-1"))
    assert sha256_hex(respelled) == sha256_hex(evidence)
