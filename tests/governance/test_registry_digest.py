"""The registry digest (scheme v2) on real workspaces, SQLite and PostgreSQL: an edit of a metric
history or a deletion made between two imports is a mismatch ``verify`` names; rows stored in
another physical order are not; a workspace whose imports recorded the older scheme still
compares like with like."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from governance_app.governance import registry_digest
from governance_app.services import audit
from governance_app.services.audit import verify_board
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
WANDB = FIXTURES / "wandb" / "credit-risk" / "wandb"
MLFLOW = FIXTURES / "mlflow" / "mlflow.db"


def _tamper(url: str, *statements: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def _registry_findings(ws: Workspace) -> list[tuple[str, str]]:
    return [(m.row, m.problem) for m in verify_board(ws).mismatches if m.table == "registry"]


def _digest(ws: Workspace) -> str:
    with ws.session() as session:
        return registry_digest.registry_sha256(session)


@pytest.fixture
def imported(workspace_url: str, tmp_path: Path) -> str:
    """A workspace holding the W&B fixture run (metric histories) and nothing edited."""
    source = tmp_path / "wandb"
    shutil.copytree(WANDB, source)
    with Workspace.open(workspace_url) as ws:
        import_path(ws, source)
        assert _registry_findings(ws) == []
    return workspace_url


def _second_import(url: str, tmp_path: Path) -> None:
    target = tmp_path / "mlflow-src" / "mlflow.db"
    target.parent.mkdir()
    shutil.copyfile(MLFLOW, target)
    with Workspace.open(url) as ws:
        import_path(ws, target)


def test_a_metric_history_edited_between_imports_is_a_mismatch(imported: str,
                                                                tmp_path: Path) -> None:
    with Workspace.open(imported) as ws:
        before = _digest(ws)
    # One point of one history: the blob keeps its length, one byte differs.
    engine = create_engine(imported)
    with engine.begin() as connection:
        row = connection.execute(text(
            "SELECT id, \"values\" FROM metric_series ORDER BY id LIMIT 1")).one()
        blob = bytearray(row[1])
        blob[-1] ^= 0x01
        connection.execute(text("UPDATE metric_series SET \"values\" = :v WHERE id = :i"),
                           {"v": bytes(blob), "i": row[0]})
    engine.dispose()
    with Workspace.open(imported) as ws:
        assert _digest(ws) != before
    _second_import(imported, tmp_path)
    with Workspace.open(imported) as ws:
        findings = _registry_findings(ws)
    assert [row for row, _ in findings if row.startswith("between import events #")]
    assert all("changed between these two imports" in problem for row, problem in findings
               if row.startswith("between"))


def test_a_deletion_between_imports_is_a_mismatch(imported: str, tmp_path: Path) -> None:
    _tamper(imported, "DELETE FROM run_inputs", "DELETE FROM model_aliases")
    _second_import(imported, tmp_path)
    with Workspace.open(imported) as ws:
        findings = _registry_findings(ws)
    assert any(row.startswith("between import events #") for row, _ in findings)


def test_a_deletion_after_the_last_import_is_a_mismatch(imported: str) -> None:
    _tamper(imported, "DELETE FROM metric_series WHERE id = (SELECT MAX(id) FROM metric_series)")
    with Workspace.open(imported) as ws:
        findings = _registry_findings(ws)
    assert [row for row, _ in findings] == [row for row, _ in findings
                                            if row.startswith("after import event #")]
    assert len(findings) == 1


def test_rows_stored_in_another_order_are_not_a_mismatch(imported: str,
                                                         tmp_path: Path) -> None:
    """The same rows written back in reverse (PostgreSQL then keeps them in that physical
    order): the digest reads in primary-key order, so nothing changed."""
    with Workspace.open(imported) as ws:
        before = _digest(ws)
    engine = create_engine(imported)
    with engine.begin() as connection:
        rows = connection.execute(text("SELECT * FROM metric_series ORDER BY id")).mappings().all()
        assert len(rows) > 1
        connection.execute(text("DELETE FROM metric_series"))
        columns = list(rows[0].keys())
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join(f":{c}" for c in columns)
        for row in reversed(rows):
            connection.execute(text(f"INSERT INTO metric_series ({names}) VALUES ({marks})"),
                               dict(row))
    engine.dispose()
    with Workspace.open(imported) as ws:
        assert _digest(ws) == before
        assert _registry_findings(ws) == []
    _second_import(imported, tmp_path)
    with Workspace.open(imported) as ws:
        assert _registry_findings(ws) == []


def test_imports_recorded_in_the_older_scheme_still_compare(workspace_url: str, tmp_path: Path,
                                                            monkeypatch) -> None:
    """A workspace whose last import recorded a scheme-1 digest (as the app did before v2): the
    next import records its *before* in that scheme, so an honest import is no gap and an edit
    in between still is one."""
    source = tmp_path / "wandb"
    shutil.copytree(WANDB, source)
    with Workspace.open(workspace_url) as ws, monkeypatch.context() as old_app:
        old_app.setattr(audit, "registry_sha256", registry_digest.legacy_registry_sha256)
        import_path(ws, source)
    with Workspace.open(workspace_url) as ws:
        events = audit.list_events(ws, kinds=["import"])
        assert ":" not in events[-1].payload["registry_sha256"]
        assert _registry_findings(ws) == []
    _second_import(workspace_url, tmp_path)
    with Workspace.open(workspace_url) as ws:
        events = audit.list_events(ws, kinds=["import"])
        assert ":" not in events[-1].payload["registry_before"]
        assert events[-1].payload["registry_sha256"].startswith("v2:")
        assert _registry_findings(ws) == []
    _tamper(workspace_url, "UPDATE model_versions SET description = 'edited' "
                           "WHERE id = (SELECT MIN(id) FROM model_versions)")
    with Workspace.open(workspace_url) as ws:
        findings = _registry_findings(ws)
    assert [row for row, _ in findings] and all(row.startswith("after import event #")
                                                for row, _ in findings)
