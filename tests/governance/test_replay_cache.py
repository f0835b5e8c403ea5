"""The replay cache in the user's cache folder, on SQLite and PostgreSQL: reused when the stored
chain up to its head is the one replayed (only later acts are replayed and checked), refused
and reported when an earlier act was edited, ignored when damaged or of another format, and
never shared between two boards that lived at the same workspace path."""

from __future__ import annotations

import json
import os
import shutil
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from governance_app.cli import main
from governance_app.governance import keys, replay_cache
from governance_app.governance.ledger import board_state, forget_cache
from governance_app.governance.state_codec import encode
from governance_app.services import board, risk
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ANA = "Ana Lima"


def found_board(url: str, folder: Path, findings: int = 3) -> Path:
    """A board with the SR 26-2 template adopted and ``findings`` findings opened."""
    key = folder / "ana.key"
    with Workspace.open(url) as ws:
        import_path(ws, FIXTURES / "governance" / "board-registry.json")
        board.found(ws, ANA, "pw", key_file=key, scrypt_n=keys.MIN_SCRYPT_N)
        template = folder / "sr26-2-tiering.yaml"
        template.write_text(resources.files("governance_app.resources").joinpath(
            "policies", "sr26-2-tiering.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        risk.adopt_risk_policy(ws, template, ANA, "pw", key)
        for i in range(findings):
            risk.open_finding(ws, "credit_scorer:1", type="validation-issue", severity="low",
                              title=f"finding number {i + 1}", member=ANA, passphrase="pw",
                              key_file=key)
    return key


def fresh_state(url: str):
    """The state as a new process would get it (nothing replayed in this one yet)."""
    forget_cache()
    with Workspace.open(url) as ws, ws.session() as session:
        return board_state(session)


class CountedChecks:
    """Counts Ed25519 signature checks (the real ones still run)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = keys.verify

        def counted(*args, **kwargs):
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(keys, "verify", counted)


def tamper(url: str, statement: str) -> None:
    """An attacker's edit of the audit table (its triggers dropped or disabled first)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET session_replication_role = replica"))
        else:
            for name in ("audit_events_no_update", "audit_events_no_delete"):
                connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        connection.execute(text(statement))
    engine.dispose()


def test_the_saved_state_is_reused_and_only_later_acts_are_checked(
        workspace_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = found_board(workspace_url, tmp_path)
    shutil.rmtree(replay_cache.cache_dir())  # what building it saved: start with none
    first = fresh_state(workspace_url)
    assert first.replayed_from == 0 and first.cache_note == ""
    path = replay_cache.path_for(first.board or "")
    assert path.is_file() and path.parent.parent == replay_cache.cache_dir()
    assert Path(os.environ["XDG_CACHE_HOME"]) in path.parents  # the user's cache folder
    assert json.loads(path.read_text(encoding="utf-8"))["seq"] == first.head_seq

    checks = CountedChecks(monkeypatch)
    again = fresh_state(workspace_url)
    assert again.replayed_from == first.head_seq and again.cache_note == ""
    assert checks.count == 0  # nothing replayed: no signature checked
    assert encode(again) == encode(first)  # the very state replay derived

    older = path.read_bytes()
    with Workspace.open(workspace_url) as ws:
        risk.open_finding(ws, "credit_scorer", type="limitation", severity="medium",
                          title="one more", member=ANA, passphrase="pw", key_file=key)
    assert fresh_state(workspace_url).replayed_from == first.head_seq + 1  # saved on reading
    path.write_bytes(older)  # as if this were the first run since the act
    checks.count = 0
    later = fresh_state(workspace_url)
    assert later.replayed_from == first.head_seq and later.head_seq == first.head_seq + 1
    assert checks.count == 1  # only the new act's signature
    assert [f.title for f in later.risk.findings][-1] == "one more"
    assert encode(later)["risk"] == encode(fresh_replay(workspace_url))["risk"]


def fresh_replay(url: str):
    forget_cache()
    with Workspace.open(url) as ws, ws.session() as session:
        return board_state(session, fresh=True)


def test_an_edited_earlier_act_falls_back_to_a_full_replay_and_is_reported(
        workspace_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found_board(workspace_url, tmp_path)
    cached = fresh_state(workspace_url)
    opened = next(f for f in cached.risk.findings if f.title == "finding number 2")
    path = replay_cache.path_for(cached.board or "")
    saved = path.read_bytes()
    column = "payload::text" if workspace_url.startswith("postgresql") else "payload"
    cast = "::json" if workspace_url.startswith("postgresql") else ""
    tamper(workspace_url, f"UPDATE audit_events SET payload = (replace({column}, "
           f"'finding number 2', 'finding number 9')){cast} WHERE seq = {opened.seq}")

    state = fresh_state(workspace_url)
    assert state.replayed_from == 0
    assert f"up to event #{cached.head_seq} is not the one replayed" in state.cache_note
    assert [b.seq for b in state.breaks] == [opened.seq]
    assert "signature does not verify" in state.breaks[0].problem
    assert "finding number 9" not in [f.title for f in state.risk.findings]

    path.write_bytes(saved)  # the full replay saved its state: put back the one from before
    forget_cache()
    code = main(["--db", workspace_url, "finding", "list", "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "finding number 9" not in {f["title"] for f in json.loads(out)}
    assert "replayed from genesis" in err and f"#{opened.seq} finding.open" in err
    forget_cache()
    code = main(["--db", workspace_url, "inventory", "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out) and f"#{opened.seq} finding.open" in err


def test_a_damaged_or_old_cache_file_is_ignored(workspace_url: str, tmp_path: Path) -> None:
    found_board(workspace_url, tmp_path, findings=1)
    honest = fresh_state(workspace_url)
    path = replay_cache.path_for(honest.board or "")
    saved = json.loads(path.read_text(encoding="utf-8"))

    path.write_text(path.read_text(encoding="utf-8")[:5000], encoding="utf-8")
    state = fresh_state(workspace_url)
    assert state.replayed_from == 0 and "was ignored" in state.cache_note
    assert encode(state) == encode(honest)

    for edit in ({"version": saved["version"] + 1}, {"schema": "0000"},
                 {"state": {**saved["state"], "risk": {"findings": "many"}}}):
        path.write_text(json.dumps({**saved, **edit}), encoding="utf-8")
        state = fresh_state(workspace_url)
        assert state.replayed_from == 0 and "was ignored" in state.cache_note, edit
        assert encode(state) == encode(honest)
    # each full replay wrote a good cache again, which the next run reuses
    assert fresh_state(workspace_url).replayed_from == honest.head_seq


def test_another_board_at_the_same_workspace_path_does_not_reuse_it(
        workspace_url: str, tmp_path: Path) -> None:
    first_dir, second_dir = tmp_path / "one", tmp_path / "two"
    first_dir.mkdir()
    second_dir.mkdir()
    found_board(workspace_url, first_dir, findings=2)
    first = fresh_state(workspace_url)
    forget_cache()
    recreate(workspace_url)
    found_board(workspace_url, second_dir, findings=1)  # a new board: new keys, new id
    second = fresh_state(workspace_url)  # building it replayed from genesis and saved it
    assert second.board != first.board and second.cache_note == ""
    assert [f.title for f in second.risk.findings] == ["finding number 1"]
    assert replay_cache.path_for(first.board or "").is_file()
    assert replay_cache.path_for(second.board or "").is_file()

    # the first board's state put under the second board's name is refused too
    replay_cache.path_for(second.board or "").write_bytes(
        replay_cache.path_for(first.board or "").read_bytes())
    state = fresh_state(workspace_url)
    assert state.replayed_from == 0 and "another board" in state.cache_note


def recreate(url: str) -> None:
    """Drop the workspace and make an empty one at the same place."""
    if url.startswith("sqlite"):
        Path(make_url(url).database or "").unlink()
        return
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def test_verify_replays_from_genesis_whatever_the_cache_says(
        workspace_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    found_board(workspace_url, tmp_path)
    state = fresh_state(workspace_url)
    checks = CountedChecks(monkeypatch)
    code = main(["--db", workspace_url, "verify", "--json"])
    out, _ = capsys.readouterr()
    assert code == 0 and json.loads(out)["ok"]
    assert checks.count >= state.head_seq - state.founded_at_seq  # every act checked again
