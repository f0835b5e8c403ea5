"""A policy file's drift section applied where drift is computed and where a gate reads it,
on real SQLite and PostgreSQL workspaces."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from governance_app.domain.governance import Outcome
from governance_app.errors import InputError
from governance_app.governance.evidence import evaluate
from governance_app.governance.policy import parse_policy
from governance_app.services import drift as drift_service
from governance_app.services.evidence_sources import WorkspaceEvidence
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from tests.governance.review_helpers import MODEL, REGISTRY

SNAPSHOTS = Path(__file__).resolve().parents[1] / "fixtures" / "evidently" / "snapshots"

POLICY = """policy: drift-rules
gate: production
checks:
  - {drift: share_of_drifted_columns, max: 0.3}
quorum: {approvals: 1}
drift:
  drift_share: 0.4
  columns:
"""


@pytest.fixture
def ws(workspace_url: str) -> Iterator[Workspace]:
    with Workspace.open(workspace_url) as workspace:
        import_path(workspace, REGISTRY)
        yield workspace


@pytest.fixture
def tables(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(7)
    ref = pd.DataFrame({"age": rng.normal(40, 10, 3000).round(1),
                        "income": rng.lognormal(10, 0.5, 3000),
                        "city": rng.choice(["a", "b", "c"], 3000)})
    cur = pd.DataFrame({"age": rng.normal(43, 10, 2000).round(1),
                        "income": rng.lognormal(10.05, 0.5, 2000),
                        "city": rng.choice(["a", "b", "c"], 2000, p=[0.5, 0.25, 0.25])})
    ref.to_csv(tmp_path / "ref.csv", index=False)
    cur.to_csv(tmp_path / "cur.csv", index=False)
    return tmp_path / "ref.csv", tmp_path / "cur.csv"


def test_compute_drift_follows_the_policy_file(tables: tuple[Path, Path], tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY + "    income: {method: psi, threshold: 0.2}\n"
                    "    age: {method: ks, threshold: 0.01}\n"
                    "    city: {threshold: 0.5}\n")
    default = drift_service.compute_drift(*tables)
    judged = drift_service.compute_drift(*tables, policy_path=path)
    assert {c.column: c.method for c in default.drift.columns} == {
        "age": "wasserstein", "income": "wasserstein", "city": "jensenshannon"}
    by_name = {c.column: c for c in judged.drift.columns}
    assert (by_name["income"].method, by_name["income"].threshold) == ("psi", 0.2)
    assert (by_name["age"].method, by_name["age"].threshold) == ("ks", 0.01)
    assert by_name["age"].drifted  # a shift of 0.3 sd in 2,000 rows: p far below 0.01
    assert by_name["city"].threshold == 0.5 and by_name["city"].method == "jensenshannon"
    assert judged.drift.threshold == 0.4
    record = judged.details["policy"]
    assert record["name"] == "drift-rules" and len(record["digest"]) == 64


def test_a_policy_rule_for_a_missing_column_names_the_file_and_field(
        tables: tuple[Path, Path], tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY + "    agee: {threshold: 0.2}\n")
    with pytest.raises(InputError) as err:
        drift_service.compute_drift(*tables, policy_path=path)
    assert str(err.value).startswith(str(path))
    assert err.value.location == "drift.columns.agee"


def test_history_is_judged_and_stored_with_the_policy(ws: Workspace, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    n = 600
    table = pd.DataFrame({"ts": pd.date_range("2026-01-01", periods=n, freq="h", tz="UTC"),
                          "x": np.concatenate([rng.normal(0, 1, n // 2),
                                               rng.normal(0.4, 1, n // 2)])})
    table.to_csv(tmp_path / "monitor.csv", index=False)
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY + "    x: {method: ks, threshold: 0.01}\n")
    results = drift_service.compute_history(
        tmp_path / "monitor.csv", "ts", "5D", reference_window=("2026-01-01", "2026-01-06"),
        ws=ws, model=f"{MODEL}:1", policy_path=path)
    assert {r.drift.columns[0].method for r in results} == {"ks"}
    assert all(r.details["policy"]["name"] == "drift-rules" for r in results)
    stored = drift_service.drift_results(ws, MODEL, 1)
    assert [r.drift for r in stored] == [r.drift for r in results]


def test_the_gate_judges_the_stored_result_by_the_policy(ws: Workspace) -> None:
    import_path(ws, SNAPSHOTS, model=f"{MODEL}:1")
    # Latest week: income 0.48, age 0.02, utilization 1.48, num_accounts 0.77 (Wasserstein),
    # region 0.33, channel 0.02 (Jensen-Shannon): 4 of 6 drift by Evidently's 0.1.
    plain = parse_policy("p.yaml", POLICY.split("\ndrift:")[0] + "\n")
    (result,) = evaluate(plain, WorkspaceEvidence(ws, MODEL, 1))
    assert result.value == pytest.approx(4 / 6)
    relaxed = parse_policy("p.yaml", POLICY + "    income: {threshold: 0.5}\n"
                           "    num_accounts: {threshold: 1.0}\n")
    (result,) = evaluate(relaxed, WorkspaceEvidence(ws, MODEL, 1))
    assert result.value == pytest.approx(2 / 6) and result.outcome is Outcome.FAIL
    assert result.inputs["judged_by"] == "policy drift section"
    assert len(result.sources["drift"]) == 64
    latest = drift_service.latest_drift(ws, MODEL, 1, relaxed.drift)
    assert latest is not None and latest.threshold == 0.4 and not latest.drifted
    unknown = parse_policy("p.yaml", POLICY + "    channel: {method: psi}\n")
    (result,) = evaluate(unknown, WorkspaceEvidence(ws, MODEL, 1))
    assert result.outcome is Outcome.ERROR
    assert "judged 'channel' with jensenshannon and holds no psi score" in result.detail


def test_a_review_opened_under_a_stored_policy_freezes_the_rejudged_value(
        ws: Workspace, tmp_path: Path) -> None:
    from governance_app.services import reviews

    import_path(ws, SNAPSHOTS, model=f"{MODEL}:1")
    path = tmp_path / "drift-rules.yaml"
    path.write_text(POLICY + "    income: {threshold: 0.5}\n    num_accounts: {threshold: 1.0}\n")
    from governance_app.services import board
    from tests.governance.helpers import FAST, PASSPHRASE

    key = tmp_path / "ana.key"
    board.found(ws, "Ana Lima", PASSPHRASE, key_file=key, scrypt_n=FAST)
    policy, _ = reviews.add_policy(ws, path, "Ana Lima", PASSPHRASE, key)
    assert policy.drift is not None
    review, _ = reviews.open_review(ws, f"{MODEL}:1", "drift-rules", "Ana Lima", PASSPHRASE, key)
    (check,) = review.evidence["checks"]
    assert check["value"] == pytest.approx(2 / 6)
    assert check["inputs"]["judged_by"] == "policy drift section"
