"""The model-risk cycle through the public CLI, on SQLite and PostgreSQL: a risk policy
adopted, a tier from a scorecard, findings with a thread, effective challenge, blocking
findings, a conditional approval that lapses, the inventory as of a day, and every act replayed
by ``verify``."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from governance_app.cli import main
from governance_app.governance import keys
from governance_app.governance.ledger import forget_cache

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ANA, VAL, DEV, JONAS = "Ana Lima", "Val Okafor", "Dev Patel", "Jonas Berg"


class RiskBoard:
    """Ana (chair) founds the board; Val (validator), Dev (chair) and Jonas (developer, who
    built credit_scorer v1) are admitted; the gate policy and the SR 26-2 template adopted."""

    def __init__(self, url: str, folder: Path, capsys, monkeypatch) -> None:
        self.url, self.capsys = url, capsys
        monkeypatch.setenv("GOVERNANCE_APP_PASSPHRASE", "pw")
        monkeypatch.setattr(keys, "DEFAULT_SCRYPT_N", keys.MIN_SCRYPT_N)
        self.key = {n: str(folder / f"{n.split()[0].lower()}.key") for n in (ANA, VAL, DEV, JONAS)}
        self.ok("board", "init", ANA, "--key-file", self.key[ANA])
        for name, role in ((VAL, "validator"), (DEV, "chair"), (JONAS, "developer")):
            fp = json.loads(self.ok("member", "add", name, "--role", role, "--key-file",
                                    self.key[name], "--json"))["fingerprint"]
            self.ok("member", "admit", name, "--fingerprint", fp, *self.by(ANA))
        self.ok("import", str(FIXTURES / "governance" / "board-registry.json"))
        self.ok("policy", "add", str(FIXTURES / "governance" / "board-policy.yaml"),
                *self.by(ANA))
        template = folder / "sr26-2-tiering.yaml"
        template.write_text(resources.files("governance_app.resources").joinpath(
            "policies", "sr26-2-tiering.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        self.ok("policy", "add", str(template), *self.by(ANA))
        self.root = folder / "root.json"
        self.folder = folder

    def by(self, member: str) -> tuple[str, ...]:
        return ("--member", member, "--key-file", self.key[member])

    def cli(self, *argv: str) -> tuple[int, str, str]:
        code = main(["--db", self.url, *argv])
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, *argv: str) -> str:
        code, out, err = self.cli(*argv)
        assert code == 0, (argv, out, err)
        return out

    def json(self, *argv: str) -> object:
        return json.loads(self.ok(*argv, "--json"))

    def verify(self) -> dict:
        forget_cache()
        self.ok("board", "root", "-o", str(self.root))
        code, out, _ = self.cli("verify", "--root", str(self.root), "--json")
        report = json.loads(out)
        assert (code == 0) == report["ok"]
        return report


@pytest.fixture
def risk_board(workspace_url: str, tmp_path: Path, capsys, monkeypatch) -> RiskBoard:
    return RiskBoard(workspace_url, tmp_path, capsys, monkeypatch)


def test_tier_from_scorecard_and_who_may_set_it(risk_board: RiskBoard) -> None:
    b = risk_board
    tier = b.json("tier", "assess", "credit_scorer", "--answers",
                  str(FIXTURES / "risk" / "answers-tier1.yaml"), "--policy", "sr26-2-tiering",
                  "--owner", JONAS, "--use", "retail credit limits", *b.by(VAL))
    assert tier["tier"] == 1 and tier["method"] == "scorecard" and tier["score"] == 36
    assert "score 36 of 36 → tier 1" in tier["rationale"]
    code, _, err = b.cli("tier", "set", "credit_scorer", "--tier", "3", "--rationale",
                         "low volume", *b.by(JONAS))
    assert code == 1 and "may not assign risk tiers" in err
    code, _, err = b.cli("tier", "set", "credit_scorer", "--tier", "2", *b.by(VAL))
    assert code == 2 and "--rationale" in err
    rows = b.json("inventory")
    scorer = next(r for r in rows if r["model"] == "credit_scorer")
    assert scorer["tier"] == 1 and scorer["owner"] == JONAS and scorer["use"] == \
        "retail credit limits"
    assert scorer["next_due"] is not None and scorer["due_reason"] == "never validated"
    assert b.verify()["ok"]


def test_findings_effective_challenge_blocking_and_a_lapsing_condition(
        risk_board: RiskBoard) -> None:
    b = risk_board
    b.ok("tier", "set", "credit_scorer", "--tier", "2", "--rationale",
         "moderate exposure, reviewed outputs", *b.by(VAL))
    high = b.json("finding", "open", "credit_scorer:1", "--type", "validation-issue",
                  "--severity", "high", "--title", "Leakage through application date",
                  "--owner", JONAS, "--due", "2027-01-31", *b.by(VAL))
    assert high["id"] == 1 and high["status"] == "open"
    b.ok("review", "open", "credit_scorer:1", "--policy", "board-test", *b.by(VAL))
    code, _, err = b.cli("sign", "1", "--decision", "approve", *b.by(ANA))
    assert code == 1 and "open high finding #1" in err and "blocks approval" in err

    answer = b.json("finding", "comment", "1", "--text", "Dropped the column; retrained",
                    *b.by(JONAS))
    assert answer["status"] == "remediation proposed"
    code, _, err = b.cli("finding", "close", "1", "--resolution", "fixed", *b.by(JONAS))
    assert code == 1 and "owns finding #1" in err
    code, _, err = b.cli("finding", "close", "1", "--resolution", "fixed", *b.by(DEV))
    assert code == 1 and "(validator)" in err
    closed = b.json("finding", "close", "1", "--resolution", "re-tested on holdout", *b.by(VAL))
    assert closed["status"] == "closed" and closed["decided_by"] == VAL
    assert [c["member"] for c in closed["thread"]] == [JONAS]

    b.json("finding", "open", "credit_scorer:1", "--type", "limitation", "--severity",
           "medium", "--title", "Calibration in the thin-file segment", "--owner", JONAS,
           *b.by(VAL))
    code, _, err = b.cli("sign", "1", "--decision", "approve", "--condition", "finding:2",
                         *b.by(ANA))
    assert code == 2 and "has no due date" in err
    b.ok("sign", "1", "--decision", "approve", "--condition", "finding:2@2027-01-15",
         "--expires", "2027-12-31", *b.by(ANA))
    b.ok("sign", "1", "--decision", "approve", *b.by(DEV))
    review = b.json("review", "show", "1")
    assert review["state"] == "approved"

    now = {r["model"]: r for r in b.json("inventory", "--as-of", "2027-01-10")}
    assert now["credit_scorer"]["approved_version"] == 1
    assert now["credit_scorer"]["active_conditions"] == 1
    assert now["credit_scorer"]["lapses"] == []
    later = b.json("inventory", "--as-of", "2027-02-01", "--overdue")
    scorer = next(r for r in later if r["model"] == "credit_scorer")
    assert scorer["overdue"] and scorer["lapses"] == [
        "finding #2 was not closed by 2027-01-15"]
    table = list(csv.DictReader(io.StringIO(b.ok("inventory", "--as-of", "2027-02-01",
                                                 "--csv", "-"))))
    row = next(r for r in table if r["model"] == "credit_scorer")
    assert row["lapses"] == scorer["lapses"][0] and row["overdue"] == "true"

    listed = b.json("finding", "list", "--model", "credit_scorer", "--open")
    assert [f["id"] for f in listed] == [2]
    report = b.verify()
    assert report["ok"] and not report["breaks"] and not report["mismatches"]


def test_an_edited_finding_is_a_mismatch(risk_board: RiskBoard) -> None:
    b = risk_board
    b.json("finding", "open", "credit_scorer", "--type", "policy-exception", "--severity",
           "high", "--title", "No challenger model", "--owner", JONAS, *b.by(VAL))
    engine = create_engine(b.url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE findings SET status = 'closed', severity = 'low'"))
    engine.dispose()
    report = b.verify()
    assert not report["ok"]
    fields = {(m["table"], m["field"]) for m in report["mismatches"]}
    assert ("findings", "status") in fields and ("findings", "severity") in fields
    forget_cache()
    listed = b.json("finding", "list", "--open")  # read from the chain, not the edited row
    assert listed[0]["status"] == "open" and listed[0]["severity"] == "high"


def test_bad_input_exits_2_and_changes_nothing(risk_board: RiskBoard) -> None:
    b = risk_board
    before = b.ok("audit", "--json")
    cases = [
        ("finding", "open", "credit_scorer:9", "--type", "limitation", "--severity", "low",
         "--title", "x", *b.by(VAL)),
        ("finding", "open", "credit_scorer", "--type", "limitation", "--severity", "low",
         "--title", "x", "--due", "31/01/2027", *b.by(VAL)),
        ("finding", "close", "7", "--resolution", "x", *b.by(VAL)),
        ("inventory", "--as-of", "tomorrow"),
        ("sign", "1", "--decision", "approve", "--condition", "ticket:4", *b.by(ANA)),
    ]
    for argv in cases:
        code, _, err = b.cli(*argv)
        assert code == 2, (argv, err)
        assert "error:" in err
    assert b.ok("audit", "--json") == before
