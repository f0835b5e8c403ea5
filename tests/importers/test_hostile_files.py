"""Hostile files given to the command line: each a clean message, exit 2, the workspace unchanged.

Every case runs the real ``governance-app`` verbs on a real workspace file. Cases that would
hang or grow without bound when handled wrongly (a FIFO, /dev/zero, a 2 GB sparse file) run
in a child process with a timeout and an address-space limit, so a regression fails the test
instead of stopping the suite or the machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from governance_app.cli import main

OLD_MLRUNS = Path(__file__).resolve().parents[1] / "fixtures" / "mlflow_old" / "mlruns-1.26.1"
MEMORY_LIMIT = 2 * 1024**3
"""Address space a child may use: far less than a 2 GB file read into pandas would take."""

POLICY = """policy: hostile
gate: production
checks:
  - {metric: val_auc, min: MIN}
quorum: {approvals: 1}
"""


def _state(capsys: pytest.CaptureFixture[str], db: str) -> tuple[list, list]:
    assert main(["--db", db, "imports", "--json"]) == 0
    imports = json.loads(capsys.readouterr().out)
    assert main(["--db", db, "policy", "list", "--json"]) == 0
    policies = json.loads(capsys.readouterr().out)
    return imports, policies


def _refused(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> str:
    before = _state(capsys, db)
    assert main(["--db", db, *argv]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert _state(capsys, db) == before
    return err


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "board.db")


def test_duplicate_key_in_a_policy(capsys, db: str, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY.replace("min: MIN", "min: 0.9, min: 0.0"), encoding="utf-8")
    err = _refused(capsys, db, "policy", "add", str(policy))
    assert f"{policy}, line 4, column 33: key 'min' appears twice in one mapping" in err
    assert "expected each key once per mapping" in err


def test_five_thousand_digit_integer_in_a_policy(capsys, db: str, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY.replace("MIN", "9" * 5000), encoding="utf-8")
    err = _refused(capsys, db, "policy", "add", str(policy))
    assert f"{policy}, line 4, column 28: an integer of 5000 digits is too long" in err


def test_yaml_nested_100000_deep_in_a_policy(capsys, db: str, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("policy: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    err = _refused(capsys, db, "policy", "add", str(policy))
    assert f"{policy}: nesting is too deep" in err


DEEP_ARRAY = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000


@pytest.mark.parametrize(("shape", "kind"), [
    (DEEP_ARRAY, None), (DEEP_OBJECT, None), (DEEP_OBJECT, "bundle"),
    (DEEP_ARRAY, "evidently"), (DEEP_OBJECT, "openlineage"), (DEEP_ARRAY, "mlflow-rest"),
    (DEEP_OBJECT, "model-card-toolkit"),
])
def test_json_nested_100000_deep(capsys, db: str, tmp_path: Path, shape: str,
                                 kind: str | None) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(shape, encoding="utf-8")
    argv = ["import", str(deep)] + (["--kind", kind, "--model", "m:1"] if kind else [])
    err = _refused(capsys, db, *argv)
    assert f"{deep}" in err and ("too deep" in err or "is not" in err), err


CHILD = """
import contextlib, io, json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from governance_app.cli import main
out = []
for argv in json.loads(sys.argv[1]):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(argv)
    out.append([code, err.getvalue()])
print(json.dumps(out))
"""


def _children(cases: list[list[str]], tmp_path: Path) -> list[tuple[int, str]]:
    """Run CLI invocations in one child process bounded in time and address space, so that a
    hang or a read without bound fails the test instead of stopping the suite or the machine."""
    db = ["--db", str(tmp_path / "board.db")]
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(limit=MEMORY_LIMIT),
         json.dumps([db + case for case in cases])],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    return [(code, err) for code, err in json.loads(done.stdout)]


def test_files_that_block_never_end_or_are_huge_are_refused(tmp_path: Path) -> None:
    sparse_table, sparse_bundle = tmp_path / "predictions.csv", tmp_path / "bundle.json"
    for sparse in (sparse_table, sparse_bundle):
        with sparse.open("wb") as handle:
            handle.truncate(2 * 1024**3)  # no disk used: a hole the size of a large export
    fifo = tmp_path / "events.json"
    os.mkfifo(fifo)
    zeros_csv, zeros_json = tmp_path / "zeros.csv", tmp_path / "zeros.json"
    zeros_csv.symlink_to("/dev/zero")
    zeros_json.symlink_to("/dev/zero")
    store = tmp_path / "mlruns"
    shutil.copytree(OLD_MLRUNS, store)
    planted = next(store.rglob("params/max_depth"))
    planted.unlink()
    os.mkfifo(planted)
    events = tmp_path / "events"
    events.mkdir()
    first_event = (Path(__file__).resolve().parents[1] / "fixtures" / "openlineage"
                   / "events.jsonl").read_text(encoding="utf-8").splitlines()[0]
    (events / "a.jsonl").write_text(first_event + "\n", encoding="utf-8")
    os.mkfifo(events / "b.json")
    table = ["--model", "m:1", "--label", "y", "--prediction", "p", "--sensitive", "s"]
    results = _children([
        ["import", str(fifo)],
        ["import", str(fifo), "--kind", "openlineage"],
        ["import", str(fifo), "--kind", "bundle"],
        ["import", str(zeros_csv), "--kind", "predictions", *table],
        ["import", str(zeros_json), "--kind", "bundle"],
        ["import", str(store)],
        ["drift", "--reference", str(zeros_csv), "--current", str(zeros_csv)],
        ["import", str(sparse_table), *table, "--engine", "memory"],
        ["drift", "--reference", str(sparse_table), "--current", str(sparse_table)],
        ["import", str(sparse_bundle), "--kind", "bundle"],
        ["import", str(events)],
        ["import", str(events), "--kind", "openlineage"],
    ], tmp_path)
    for code, err in results:
        assert code == 2 and "Traceback" not in err, err
    fifo_says = f"{fifo}: is a FIFO (named pipe) (expected a regular file or a folder)"
    assert all(fifo_says in err for _, err in results[:3])
    assert f"{zeros_csv}: is a character device (expected a regular file" in results[3][1]
    assert f"{zeros_json}: is a character device (expected a regular file" in results[4][1]
    assert f"{planted}: is not a regular file" in results[5][1]
    assert f"{zeros_csv}: is a character device" in results[6][1]
    # Read into memory, a table has a size limit; counted out of core (DuckDB, the default for
    # large files) it has none, but binary data is refused before the engine scans it.
    assert "is 2,147,483,648 bytes, over the 1,073,741,824-byte limit" in results[7][1]
    assert "GOVERNANCE_APP_MAX_TABLE_BYTES" in results[7][1]
    assert f"{sparse_table}: holds binary data (a NUL byte at offset 0)" in results[8][1]
    assert f"{sparse_bundle}: file is 2147483648 bytes" in results[9][1]
    assert "GOVERNANCE_APP_MAX_JSON_BYTES set higher" in results[9][1]
    assert f"{events}: is not a source governance-app can read" in results[10][1]
    assert "b.json: is a FIFO" in results[11][1]


def test_nothing_is_stored_after_refusals(capsys, tmp_path: Path) -> None:
    fifo = tmp_path / "events.json"
    os.mkfifo(fifo)
    db = str(tmp_path / "board.db")
    assert "is a FIFO" in _refused(capsys, db, "import", str(fifo))  # in-process: refused
    assert _state(capsys, db) == ([], [])                              # before any open()


def test_table_limit_is_overridable(tmp_path: Path, monkeypatch, capsys) -> None:
    table = tmp_path / "predictions.csv"
    table.write_text("y,p,s\n1,1,a\n0,1,b\n", encoding="utf-8")
    monkeypatch.setenv("GOVERNANCE_APP_MAX_TABLE_BYTES", "10")
    db = str(tmp_path / "board.db")
    argv = ["import", str(table), "--model", "m:1", "--label", "y", "--prediction", "p",
            "--sensitive", "s"]
    err = _refused(capsys, db, *argv)
    assert "over the 10-byte limit" in err
    monkeypatch.setenv("GOVERNANCE_APP_MAX_TABLE_BYTES", "lots")
    assert "GOVERNANCE_APP_MAX_TABLE_BYTES: is 'lots'" in _refused(capsys, db, *argv)


def test_json_limit_is_overridable(tmp_path: Path, monkeypatch, capsys) -> None:
    bundle = Path(__file__).resolve().parents[2] / "resources" / "demo" / "registry.json"
    db = str(tmp_path / "board.db")
    monkeypatch.setenv("GOVERNANCE_APP_MAX_JSON_BYTES", "100")
    err = _refused(capsys, db, "import", str(bundle), "--kind", "bundle")
    assert "(expected at most 100 bytes, or GOVERNANCE_APP_MAX_JSON_BYTES set higher)" in err
