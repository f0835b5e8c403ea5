"""Render every main view of the demo workspace at 1280×800 to PNG, offscreen.

So a reviewer can see the whole app in a minute (UI.md "Look at it"). The demo workspace is
built in a temporary folder and window settings are isolated there too, so running this never
touches the user's own workspace or remembered window state.

    python scripts/screenshots.py [--out docs/screenshots] [--db URL] [--model NAME]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from governance_app.errors import InputError  # noqa: E402
from governance_app.services.demo import demo_workspace_url  # noqa: E402
from governance_app.services.workspace import Workspace  # noqa: E402
from governance_app.ui.about_dialog import AboutDialog  # noqa: E402
from governance_app.ui.app import application  # noqa: E402
from governance_app.ui.crash_dialog import CrashDialog  # noqa: E402
from governance_app.ui.error_dialog import ErrorDialog, describe_error  # noqa: E402
from governance_app.ui.logging_setup import crash_report_text  # noqa: E402
from governance_app.ui.main_window import MainWindow  # noqa: E402
from governance_app.ui.navigation import VIEW_NAMES  # noqa: E402
from governance_app.ui.theme import apply_color_scheme  # noqa: E402
from governance_app.ui.welcome import WelcomeWindow  # noqa: E402
from governance_app.ui.window_state import remember_workspace  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SIZE = (1280, 800)
VIEW_FILES = {"Lineage": "03-lineage", "Fairness": "04-fairness", "Drift": "05-drift",
              "Reviews": "06-reviews", "Audit": "07-audit", "Reports": "08-reports"}
"""Each view's picture by name, stable as the navigation order changes (the docs link them).
Inventory, the home, is drawn right after the welcome (00c, 00d); Models keeps 01 and 02."""


def wait_until(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    """Run the event loop until ``condition()`` holds (workers deliver results by signal)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the expected state in time")
        QApplication.processEvents()
        time.sleep(0.02)
    for _ in range(5):  # let layouts and canvases settle before grabbing
        QApplication.processEvents()
        time.sleep(0.05)


def save(widget: QWidget, out: Path, name: str) -> Path:
    path = out / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--db", help="workspace URL (default: a fresh demo workspace)")
    parser.add_argument("--model", help="model to select (default: the one with most versions)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    scratch = Path(tempfile.mkdtemp(prefix="governance-screenshots-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch))
    app = application()
    app.setApplicationName("governance-app-screenshots")
    apply_color_scheme(app, Qt.ColorScheme.Light)  # the same pictures on every desktop
    url = args.db or demo_workspace_url(scratch)

    # The first start: nothing remembered yet, then with two recent workspaces.
    welcome = WelcomeWindow(f"your workspace ({scratch / 'workspace.db'})")
    welcome.resize(*SIZE)
    welcome.show()
    wait_until(lambda: True)
    save(welcome, args.out, "00-welcome-first-start")
    remember_workspace(f"sqlite:///{scratch / 'board-2026.db'}")
    remember_workspace(url)
    welcome.update_recent()
    wait_until(lambda: True)
    save(welcome, args.out, "00b-welcome-recent")
    welcome.close()

    window = MainWindow(Workspace.open(url))
    window.resize(*SIZE)
    window.show()
    panel = window.models_panel
    summaries = panel.summaries()
    if not summaries:
        save(window, args.out, "01-models-empty")
        window.close()
        return 0
    chosen = next((s for s in summaries if s.name == args.model), None) or max(
        summaries, key=lambda s: (s.version_count, s.name))
    version = chosen.latest_version or 1
    window.show_view_named("Models")  # the window opens on the Inventory, drawn further down
    window.selection.select(chosen.name, version)
    wait_until(lambda: (d := panel.detail_panel.detail) is not None
               and d.version.ref == f"{chosen.name}:{version}")
    save(window, args.out, "01-models")
    panel.detail_panel.tabs.setCurrentIndex(1)
    wait_until(lambda: True)
    save(window, args.out, "01b-models-history")
    findings_screenshots(window, args.out)  # issue 19
    window.selection.select(chosen.name, version)
    wait_until(lambda: (d := panel.detail_panel.detail) is not None
               and d.version.ref == f"{chosen.name}:{version}" and not window.runner.active())
    panel.detail_panel.tabs.setCurrentIndex(0)

    versions = sorted(v.version for v in panel.model.versions) if panel.model else []
    if len(versions) >= 2:
        # As a user does it: select the two newest versions, then press Compare.
        table = panel.versions_table
        table.clearSelection()
        for number in versions[-2:]:
            source = panel.versions_model.index(panel.versions_model.row_for_version(number), 0)
            table.selectionModel().select(
                table.proxy.mapFromSource(source),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
        panel.compare_button.click()
        wait_until(lambda: panel.compare_panel.comparison is not None)
        save(window, args.out, "02-models-compare")
        panel.compare_panel.tabs.setCurrentIndex(1)
        wait_until(lambda: True)
        save(window, args.out, "02b-models-compare-history")
        panel.compare_panel.tabs.setCurrentIndex(2)
        wait_until(lambda: True)
        save(window, args.out, "02c-models-compare-parameters")
        # Back to the newest version, the one the board decides: every later picture shows it.
        table.clearSelection()
        table.select_source_row(panel.versions_model.row_for_version(version))
        window.selection.select(chosen.name, version)
        wait_until(lambda: (d := panel.detail_panel.detail) is not None
                   and d.version.ref == f"{chosen.name}:{version}"
                   and panel.detail_stack.currentWidget() is panel.detail_panel)

    for name in VIEW_NAMES:
        if name in VIEW_FILES:
            window.show_view_named(name)
            wait_until(lambda: True)
            save(window, args.out, VIEW_FILES[name])
    if (lineage := window.views.get("Lineage")) is not None and hasattr(lineage, "is_ready"):
        window.show_view_named("Lineage")  # issue 3: laid out in a worker, centred on the version
        wait_until(lineage.is_ready)
        save(window, args.out, "03-lineage")
    if (fairness := window.findChild(QWidget, "FairnessPanel")) is not None:  # issue 4
        window.show_view_named("Fairness")
        wait_until(lambda: fairness.analysis is not None or not fairness.ctx.runner.active())
        save(window, args.out, "04-fairness")
        if fairness.analysis is not None:
            sets = fairness.controls.attribute_sets()
            fairness.controls.select_attributes(next((a for a in sets if len(a) == 2), sets[-1]))
            fairness.tabs.setCurrentWidget(fairness.disparity_chart)
            wait_until(lambda: True)
            save(window, args.out, "04b-fairness-intersection-disparity")
    if (drift := window.findChild(QWidget, "DriftPanel")) is not None:  # issue 5
        window.selection.select("credit_default", 3)  # the Evidently history that drifts
        window.show_view_named("Drift")
        wait_until(lambda: bool(drift.results) and not drift.ctx.runner.active())
        save(window, args.out, "05b-drift-history")
        window.selection.select(chosen.name, version)  # back to the version on the agenda
        wait_until(lambda: not drift.ctx.runner.active())
    if (audit := window.findChild(QWidget, "AuditPanel")) is not None:  # issue 7
        window.show_view_named("Audit")
        wait_until(lambda: bool(audit.events) and not audit.ctx.runner.active())
        audit.verify_button.click()
        wait_until(lambda: audit.report is not None and not audit.ctx.runner.active())
        save(window, args.out, "07-audit")
    if (reviews := window.findChild(QWidget, "ReviewsPanel")) is not None:  # issue 7
        window.selection.select("credit_default", 4)  # the demo's open and approved reviews
        window.show_view_named("Reviews")
        wait_until(lambda: reviews._loaded and not reviews.ctx.runner.active())
        for state in ("open", "approved"):
            reviews.state_combo.setCurrentText(state)
            wait_until(lambda: True)
            save(window, args.out, f"06-reviews-{state}")
        reviews.show_all_check.setChecked(True)  # fraud_detector's high finding blocks
        agenda = reviews.agenda_model
        wait_until(lambda: not reviews.ctx.runner.active())
        churn = next((i for i in range(agenda.rowCount())
                      if agenda.row_at(i).model == "churn_propensity"), -1)
        if churn >= 0:  # the periodic validation approved until a date
            reviews.agenda.select_source_row(churn)
            wait_until(lambda: reviews.risk is not None and not reviews.ctx.runner.active())
            save(window, args.out, "06c-reviews-approval-terms")
        reviews.show_all_check.setChecked(False)
        reviews.state_combo.setCurrentText("open")
        wait_until(lambda: True)
        if reviews.review is not None:  # the agenda item, signed by a demo member
            sign = reviews.open_sign_dialog()
            if sign is not None:
                sign.adjustSize()
                wait_until(lambda: True)
                save(sign, args.out, "06b-sign-dialog")
                sign.reject()
        reviews.state_combo.setCurrentIndex(0)
    if (reports := window.findChild(QWidget, "ReportsPanel")) is not None:  # issue 8
        window.selection.select("credit_default", 4)  # the demo's sealed reports are of v4
        window.show_view_named("Reports")
        wait_until(lambda: reports.choices is not None and not reports.ctx.runner.active())
        if reports.reports_model.rowCount():
            reports.reports_table.select_source_row(0)
            reports.preview_selected()
            painted = time.monotonic() + 3.0  # QPdfView renders pages on its own thread
            wait_until(lambda: time.monotonic() > painted)
            save(window, args.out, "08-reports")
            reports.verify_selected()
            wait_until(lambda: reports.verify_panel.result is not None
                       and not reports.ctx.runner.active())
            save(window, args.out, "08b-reports-verify")
    if (inventory := window.findChild(QWidget, "InventoryPanel")) is not None:  # issue 19
        window.show_view_named("Inventory")
        wait_until(lambda: inventory.data is not None and not inventory.ctx.runner.active())
        proxy = inventory.table.proxy
        row = next((i for i in range(proxy.rowCount())
                    if proxy.index(i, 1).data() == "fraud_detector"), 0)
        inventory.table.selectRow(row)
        if inventory.findings_model.rowCount():
            inventory.findings_table.selectRow(0)
        wait_until(lambda: True)
        save(window, args.out, "00c-inventory")
        from datetime import date, timedelta

        from PySide6.QtCore import QDate

        ahead = date.today() + timedelta(days=30)
        inventory.as_of_edit.setDate(QDate(ahead.year, ahead.month, ahead.day))
        wait_until(lambda: inventory.data is not None and inventory.data.as_of == ahead
                   and not inventory.ctx.runner.active())
        inventory.table.selectRow(0)
        wait_until(lambda: True)
        save(window, args.out, "00d-inventory-a-month-ahead")
        inventory.as_of_edit.setDate(QDate.currentDate())
    window.show_view(0)

    dialog = window.open_import_dialog([REPO / "tests" / "fixtures" / "mlflow" / "mlflow.db"])
    dialog.resize(700, 320)
    wait_until(lambda: True)
    save(dialog, args.out, "20-import-dialog")
    dialog.reject()

    from governance_app.ui.attach_table_dialog import AttachTableDialog  # issue 4, filled in

    attach = AttachTableDialog(url, chosen.name, version, window.runner, window)
    attach.set_path(REPO / "tests" / "fixtures" / "fairness" / "predictions.csv")
    attach.form.set_checked(attach.form.sensitive_list, ["gender", "class"])
    attach.form.set_checked(attach.form.features_list, ["embarked", "fare"])
    attach.form.bins_combo.setCurrentIndex(attach.form.bins_combo.findData("age"))
    attach.form.bins_edit.setText("0, 18, 40, 65, 80")
    attach.show()
    wait_until(lambda: True)
    save(attach, args.out, "24-attach-table-dialog")
    attach.reject()

    from governance_app.ui.card_text_dialog import CardTextDialog

    card = CardTextDialog(window.workspace, "credit_default", 4, window)
    card.show()
    wait_until(lambda: True)
    save(card, args.out, "25-model-card-text-dialog")
    card.reject()

    example = InputError("/data/exports/registry.json", "is not valid JSON: Expecting value",
                         location="line 4, column 14", expected="a governance-app bundle")
    error = ErrorDialog(describe_error(example, "Import of registry.json"), window)
    error.details_button.setChecked(True)
    error.resize(720, 420)
    error.show()
    wait_until(lambda: True)
    save(error, args.out, "21-error-dialog")
    error.close()

    about = AboutDialog(window)
    about.show()
    wait_until(lambda: True)
    save(about, args.out, "22-about-dialog")
    about.close()

    crash = CrashDialog(_example_crash_report(), scratch / "crash-20261124-104200.txt", window)
    crash.resize(760, 460)
    crash.show()
    wait_until(lambda: True)
    save(crash, args.out, "23-crash-dialog")
    crash.close()

    pipeline_screenshots(scratch, args.out)  # issue 16

    # Dark scheme: the same view, to check the custom colours stay readable.
    apply_color_scheme(app, Qt.ColorScheme.Dark)
    if panel.compare_panel.comparison is not None:
        panel.detail_stack.setCurrentWidget(panel.compare_panel)
        panel.compare_panel.tabs.setCurrentIndex(0)
    wait_until(lambda: True)
    save(window, args.out, "30-models-compare-dark")
    apply_color_scheme(app, Qt.ColorScheme.Light)
    window.close()
    _broken_audit(url, scratch, args.out, (chosen.name, version))
    return 0


def findings_screenshots(window: MainWindow, out: Path) -> None:
    """The Findings tab on the demo's blocking high finding (its thread selected) and the
    Close dialog refusing the finding's owner before the passphrase (issue 19)."""
    panel = window.models_panel
    findings = panel.findings_panel
    window.show_view_named("Models")
    window.selection.select("fraud_detector", 3)
    wait_until(lambda: findings.risk is not None and findings.risk.model == "fraud_detector"
               and findings.risk.version == 3 and not window.runner.active())
    panel.detail_panel.tabs.setCurrentIndex(panel.findings_tab)
    wait_until(lambda: True)
    save(window, out, "01d-models-findings")
    if findings.selected_finding() is not None:
        dialog = findings.open_close_dialog()
        if dialog is not None:
            dialog.choose_member("Ana Lima")  # a chair: no closing role, said before signing
            dialog.adjustSize()
            wait_until(lambda: True)
            save(dialog, out, "01e-close-finding-dialog")
            dialog.reject()


def pipeline_screenshots(scratch: Path, out: Path) -> None:
    """DVC and Kubeflow in the Lineage view (a failed task selected) and a KFP version's
    pipeline evidence, from the test fixtures imported into a workspace of their own."""
    import shutil

    from governance_app.services.importing import import_path

    fixtures = REPO / "tests" / "fixtures"
    url = f"sqlite:///{scratch / 'pipelines.db'}"
    project = scratch / "credit"
    shutil.copytree(fixtures / "dvc" / "credit", project)
    with Workspace.open(url) as ws:
        for source in (project, fixtures / "kubeflow" / "control" / "api" / "list_runs.json",
                       fixtures / "kubeflow" / "control" / "mlmd" / "metadata.sqlite",
                       fixtures / "kubeflow" / "credit" / "mlmd" / "metadata.sqlite"):
            import_path(ws, source)
    window = MainWindow(Workspace.open(url))
    window.resize(*SIZE)
    window.show()
    window.show_view_named("Models")  # the Inventory is the home view: switch to the detail
    window.selection.select("credit-risk-scorer", 1)
    detail = window.models_panel.detail_panel
    wait_until(lambda: detail.detail is not None)
    detail.tabs.setCurrentIndex(detail.evidence_tab)
    wait_until(lambda: True)
    save(window, out, "01c-models-pipeline-evidence")
    lineage = window.views.get("Lineage")
    if lineage is not None and hasattr(lineage, "is_ready"):
        window.show_view_named("Lineage")
        wait_until(lineage.is_ready)
        failed = next((i for i, item in lineage.scene.node_items.items()
                       if item.failed and item.node.name == "train"), None)
        if failed is not None:
            lineage.select_node(failed)
        wait_until(lambda: True)
        save(window, out, "03c-lineage-pipelines")
    window.close()


def _broken_audit(url: str, scratch: Path, out: Path, current: tuple[str, int]) -> None:
    """The Audit view naming the first broken link of a tampered copy of the workspace."""
    import shutil

    from sqlalchemy import create_engine, text

    source = url.removeprefix("sqlite:///")
    if url == source or not Path(source).is_file():
        return  # only a SQLite workspace file can be copied and tampered with here
    with Workspace.open(url) as ws:  # checkpoint the WAL so the copy holds every event
        with ws.session() as session:
            session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    copy = scratch / "tampered.db"
    shutil.copy(source, copy)
    engine = create_engine(f"sqlite:///{copy}")
    with engine.begin() as connection:  # what an attacker with write access could do
        connection.execute(text("DROP TRIGGER audit_events_no_update"))
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3"))
    engine.dispose()
    window = MainWindow(Workspace.open(f"sqlite:///{copy}"))
    window.resize(*SIZE)
    window.show()
    window.selection.select(*current)
    window.show_view_named("Audit")  # views are built when first shown
    audit = window.findChild(QWidget, "AuditPanel")
    if audit is not None:
        wait_until(lambda: bool(audit.events) and not audit.ctx.runner.active())
        audit.verify_button.click()
        wait_until(lambda: audit.report is not None and not audit.ctx.runner.active())
        audit.table.select_source_row(2)
        wait_until(lambda: True)
        save(window, out, "07b-audit-broken")
    window.close()


def _example_crash_report() -> str:
    """A report as the crash handler writes it, from a real (caught) exception."""
    try:
        {}["missing"]  # noqa: B018 - raised on purpose for the picture
    except KeyError as exc:
        return crash_report_text(type(exc), exc, exc.__traceback__)
    raise AssertionError("unreachable")


if __name__ == "__main__":
    sys.exit(main())
