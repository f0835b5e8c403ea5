"""``drift --policy FILE`` and ``drift-history … --policy FILE`` judge by the policy's section."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from governance_app.cli import main

POLICY = """policy: drift-rules
gate: production
checks:
  - {drift: share_of_drifted_columns, max: 0.3}
quorum: {approvals: 1}
drift:
  drift_share: 0.25
  columns:
    x: {method: psi, threshold: 0.3}
"""


def _tables(tmp_path: Path) -> tuple[str, str, str]:
    rng = np.random.default_rng(11)
    pd.DataFrame({"x": rng.normal(0, 1, 2000), "y": rng.normal(0, 1, 2000)}).to_csv(
        tmp_path / "ref.csv", index=False)
    pd.DataFrame({"x": rng.normal(0.2, 1, 2000), "y": rng.normal(0, 1, 2000)}).to_csv(
        tmp_path / "cur.csv", index=False)
    (tmp_path / "policy.yaml").write_text(POLICY)
    return str(tmp_path / "ref.csv"), str(tmp_path / "cur.csv"), str(tmp_path / "policy.yaml")


def test_drift_with_a_policy(tmp_path: Path, capsys) -> None:
    ref, cur, policy = _tables(tmp_path)
    assert main(["drift", "--reference", ref, "--current", cur, "--policy", policy,
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    x = next(c for c in out["columns"] if c["column"] == "x")
    assert (x["method"], x["threshold"]) == ("psi", 0.3)
    assert out["drift_share"] == 0.25 and out["policy"]["name"] == "drift-rules"
    assert main(["drift", "--reference", ref, "--current", cur, "--policy", policy]) == 0
    assert "judged by policy drift-rules" in capsys.readouterr().out


def test_a_bad_policy_exits_2_naming_file_line_and_field(tmp_path: Path, capsys) -> None:
    ref, cur, policy = _tables(tmp_path)
    Path(policy).write_text(POLICY.replace("method: psi", "method: pzi"))
    assert main(["drift", "--reference", ref, "--current", cur, "--policy", policy]) == 2
    err = capsys.readouterr().err
    assert f"{policy}, line 9 (drift.columns.x.method)" in err


def test_history_with_a_policy_and_stored_history_refuses_it(tmp_path: Path, capsys) -> None:
    _, _, policy = _tables(tmp_path)
    rng = np.random.default_rng(5)
    pd.DataFrame({"ts": pd.date_range("2026-01-01", periods=400, freq="h", tz="UTC"),
                  "x": rng.normal(0, 1, 400), "y": rng.normal(0, 1, 400)}).to_csv(
        tmp_path / "monitor.csv", index=False)
    assert main(["drift-history", str(tmp_path / "monitor.csv"), "--time-column", "ts",
                 "--window", "4D", "--reference-window", "2026-01-01/2026-01-05",
                 "--policy", policy, "--json"]) == 0
    history = json.loads(capsys.readouterr().out)
    assert {h["columns"][0]["method"] for h in history} == {"psi"}
    assert {h["drift_share"] for h in history} == {0.25}
    db = str(tmp_path / "ws.db")
    assert main(["--db", db, "drift-history", "--model", "m:1", "--policy", policy]) == 2
    assert "applies when a history is computed" in capsys.readouterr().err
