"""The Inventory view with real widgets on a real workspace built through the CLI: rows in
attention order with words and symbols, as-of, findings and their thread, the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from governance_app.governance.inventory import inventory_csv
from governance_app.services import risk
from governance_app.services.workspace import Workspace
from governance_app.ui.inventory_models import status_word
from governance_app.ui.inventory_view import InventoryPanel
from governance_app.ui.selection import Selection
from governance_app.ui.views import ViewContext, view_factories
from governance_app.ui.workers import TaskRunner
from tests.cli.test_risk_cli import ANA, DEV, JONAS, VAL, RiskBoard

WAIT_MS = 15_000


@pytest.fixture
def risk_url(tmp_path: Path, capsys, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'risk.db'}"
    b = RiskBoard(url, tmp_path, capsys, monkeypatch)
    b.ok("tier", "set", "credit_scorer", "--tier", "1", "--rationale", "credit decisions",
         "--owner", JONAS, "--use", "retail credit limits", *b.by(VAL))
    b.ok("finding", "open", "credit_scorer:1", "--type", "limitation", "--severity", "medium",
         "--title", "Calibration in the thin-file segment", "--owner", JONAS, *b.by(VAL))
    b.ok("review", "open", "credit_scorer:1", "--policy", "board-test", *b.by(VAL))
    b.ok("sign", "1", "--decision", "approve", "--condition", "finding:1@2027-01-15",
         *b.by(ANA))
    b.ok("sign", "1", "--decision", "approve", *b.by(DEV))
    b.ok("finding", "comment", "1", "--text", "Recalibrating with isotonic regression",
         *b.by(JONAS))
    return url


@pytest.fixture
def panel(qtbot, risk_url: str):
    ws = Workspace.open(risk_url)
    runner = TaskRunner()
    view = InventoryPanel(ViewContext(ws, Selection(), runner, lambda: None, lambda _n: None))
    qtbot.addWidget(view)
    view.resize(1280, 760)
    with qtbot.waitSignal(view.sig_loaded, timeout=WAIT_MS):
        view.show()
    yield view
    view.close()
    runner.shutdown()
    ws.close()


def test_the_view_is_registered() -> None:
    assert view_factories()["Inventory"].load() is InventoryPanel


def test_rows_details_and_thread(qtbot, panel: InventoryPanel, tmp_path: Path) -> None:
    rows = panel.table_model.rows()
    assert {r.model for r in rows} >= {"credit_scorer"}
    scorer = next(r for r in rows if r.model == "credit_scorer")
    assert scorer.tier == 1 and scorer.active_conditions == 1
    assert scorer.open_findings["medium"] == 1
    assert panel.summary_label.text().startswith(f"As of {date.today().isoformat()}: 1 model — ")
    index = next(i for i in range(panel.table.proxy.rowCount())
                 if panel.table.proxy.index(i, 1).data() == "credit_scorer")
    panel.table.selectRow(index)
    assert "Tier 1" in panel.detail.toPlainText()
    assert panel.findings_model.rows()[0].title == "Calibration in the thin-file segment"
    assert "finding #1 to be closed by 2027-01-15" in panel.detail.toPlainText()
    panel.findings_table.selectRow(0)
    thread = panel.thread.toPlainText()
    assert "Recalibrating with isotonic regression" in thread and JONAS in thread
    panel.grab().save(str(tmp_path / "inventory.png"))
    assert (tmp_path / "inventory.png").stat().st_size > 10_000


def test_as_of_a_later_day_shows_the_lapse(qtbot, panel: InventoryPanel) -> None:
    with qtbot.waitSignal(panel.sig_loaded, timeout=WAIT_MS):
        panel.as_of_edit.setDate(date(2027, 2, 1))
    scorer = next(r for r in panel.table_model.rows() if r.model == "credit_scorer")
    assert scorer.lapses == ("finding #1 was not closed by 2027-01-15",)
    assert status_word(scorer) == "✕ lapsed"
    assert panel.table.proxy.index(0, 0).data() == "✕ lapsed"  # attention first
    with qtbot.waitSignal(panel.sig_loaded, timeout=WAIT_MS):
        panel.overdue_check.setChecked(True)
    assert all(r.overdue for r in panel.table_model.rows())


def test_csv_export_equals_the_service(qtbot, panel: InventoryPanel, risk_url: str,
                                       tmp_path: Path) -> None:
    target = tmp_path / "inventory.csv"
    panel.export_csv(target)
    with Workspace.open(risk_url) as ws:
        expected = inventory_csv(risk.inventory(ws, panel.as_of()))
    exported = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert exported == list(csv.DictReader(io.StringIO(expected)))
    panel.set_filter_text("credit_scorer")
    panel.export_csv(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and lines[1].startswith("credit_scorer,")
