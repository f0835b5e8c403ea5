"""The demo tells the board's whole story: v4's agenda review has every piece of evidence it
needs, so two demo members can approve it and the gate grants ``production``."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance_app.cli import main
from governance_app.domain.governance import ReviewState
from governance_app.services import reviews as review_service
from governance_app.services.demo import _is_current, demo_sources
from governance_app.services.demo_reviews import DEMO_PASSPHRASES
from governance_app.services.drift import drift_results
from governance_app.services.workspace import Workspace


def test_demo_agenda_review_has_drift_evidence_and_can_be_approved(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["demo", "--no-window"]) == 0  # builds it, progress on stderr
    out, err = capsys.readouterr()
    url = out.strip()  # stdout is the URL alone: DEMO=$(governance-app demo --no-window)
    assert url.startswith("sqlite:///") and url.endswith("demo.db") and "\n" not in url
    assert "building the demo workspace [0/10] importing registry.json" in err
    assert "demo workspace ready" in err
    assert _is_current(url, demo_sources())  # computed drift counts as built: no rebuild
    assert main(["demo", "--no-window"]) == 0
    again, err = capsys.readouterr()
    assert again.strip() == url and err == ""  # current: nothing rebuilt, nothing reported
    with Workspace.open(url) as ws:
        v4 = drift_results(ws, "credit_default", 4)
        assert len(v4) == 4 and all(r.source_kind == "computed" for r in v4)
        assert v4[-1].drift.share_drifted <= 0.3  # one column of six drifts in the last week
        [agenda] = [r for r in review_service.list_reviews(ws, "open")
                    if r.ref == "credit_default:4" and r.policy.gate == "production"]
        assert agenda.evidence["blocking_failures"] == []
        drift_check = next(c for c in agenda.checks if c["check"]["kind"] == "drift")
        assert drift_check["result"] == "pass"
        for member in ("Malik Haddad", "Ana Lima"):
            review_service.sign_review(ws, agenda.id, member, "approve",
                                       DEMO_PASSPHRASES[member], "Evidence reviewed.")
        assert review_service.get_review(ws, agenda.id).state is ReviewState.APPROVED
        grants = {(g["model"], g["gate"]): g["version"] for g in review_service.gate_grants(ws)}
        assert grants[("credit_default", "production")] == 4  # the board's grant, not an alias
