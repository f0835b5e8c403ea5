"""The replay cache in the user's cache folder, on SQLite and PostgreSQL: reused when the stored
event at its head still proves it (only later acts are replayed and checked); an act edited
before the head changes no answer and is found by ``verify``; an edited head is refused and
reported; a chain that does not hash is never saved; a damaged or other-format file is ignored;
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


def edit_title(url: str, seq: int, old: str, new: str) -> None:
    """Rewrite a finding's title inside the stored act at ``seq`` (its hash left as it was)."""
    column = "payload::text" if url.startswith("postgresql") else "payload"
    cast = "::json" if url.startswith("postgresql") else ""
    tamper(url, f"UPDATE audit_events SET payload = (replace({column}, '{old}', '{new}'))"
           f"{cast} WHERE seq = {seq}")


def test_an_act_edited_before_the_cached_head_changes_no_answer_and_verify_finds_it(
        workspace_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found_board(workspace_url, tmp_path)
    cached = fresh_state(workspace_url)
    opened = next(f for f in cached.risk.findings if f.title == "finding number 2")
    assert opened.seq < cached.head_seq
    edit_title(workspace_url, opened.seq, "finding number 2", "finding number 9")

    # the stored event at the head still proves the cache: the state of the chain replayed
    # before is answered, never the edit
    state = fresh_state(workspace_url)
    assert state.replayed_from == cached.head_seq and state.cache_note == ""
    assert encode(state) == encode(cached)
    forget_cache()
    code = main(["--db", workspace_url, "finding", "list", "--json"])
    out, _ = capsys.readouterr()
    titles = {f["title"] for f in json.loads(out)}
    assert code == 0 and "finding number 9" not in titles and "finding number 2" in titles
    forget_cache()
    code = main(["--db", workspace_url, "inventory", "--json"])
    out, _ = capsys.readouterr()
    assert code == 0 and json.loads(out)

    # verify replays from genesis and never reads the cache: it names the edited event
    forget_cache()
    code = main(["--db", workspace_url, "verify", "--json"])
    out, _ = capsys.readouterr()
    report = json.loads(out)
    assert code == 1 and not report["ok"]
    assert opened.seq in {f["seq"] for f in report["findings"]}
    assert opened.seq in {b["seq"] for b in report["breaks"]}


def test_an_edited_head_event_falls_back_to_a_full_replay_and_is_reported(
        workspace_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found_board(workspace_url, tmp_path)
    cached = fresh_state(workspace_url)
    last = cached.risk.findings[-1]
    assert last.seq == cached.head_seq and last.title == "finding number 3"
    path = replay_cache.path_for(cached.board or "")
    saved = path.read_bytes()
    edit_title(workspace_url, last.seq, "finding number 3", "finding number 9")

    state = fresh_state(workspace_url)
    assert state.replayed_from == 0
    assert f"the stored event #{cached.head_seq} is not the one replayed" in state.cache_note
    assert [b.seq for b in state.breaks] == [last.seq]
    assert "signature does not verify" in state.breaks[0].problem
    assert "finding number 9" not in [f.title for f in state.risk.findings]
    assert path.read_bytes() == saved  # a replay of a chain that does not hold is not saved

    forget_cache()
    code = main(["--db", workspace_url, "finding", "list", "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "finding number 9" not in {f["title"] for f in json.loads(out)}
    assert "replayed from genesis" in err and f"#{last.seq} finding.open" in err
    forget_cache()
    code = main(["--db", workspace_url, "inventory", "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out) and f"#{last.seq} finding.open" in err


def test_a_chain_that_does_not_hash_is_replayed_but_never_saved(
        workspace_url: str, tmp_path: Path) -> None:
    found_board(workspace_url, tmp_path)
    honest = fresh_state(workspace_url)
    path = replay_cache.path_for(honest.board or "")
    opened = next(f for f in honest.risk.findings if f.title == "finding number 1")
    # an event whose content no longer gives its hash, though replay accepts it: its
    # subject, which replay does not read, is not what was hashed
    tamper(workspace_url, f"UPDATE audit_events SET subject = 'edited' WHERE seq = {opened.seq}")
    path.unlink()

    state = fresh_state(workspace_url)
    assert state.replayed_from == 0 and not state.breaks
    assert encode(state)["risk"] == encode(honest)["risk"]
    assert not path.exists()  # its rows do not chain to its head: nothing to prove a cache by
    assert fresh_state(workspace_url).replayed_from == 0


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
                 {"proof": "rows-sha256"},  # an earlier version's: rows never chain-checked
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
