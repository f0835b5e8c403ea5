"""The Fairness view on real workspaces: MLflow's fixture registry with the Titanic prediction
table attached to ``loan_approval`` version 2, checked against Fairlearn's numbers."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon

from governance_app.charts.number_format import fairness_number
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.ui.fairness_controls import VERDICT_COLOURS, Verdict
from governance_app.ui.fairness_view import FairnessPanel
from governance_app.ui.item_models import COPY_ROLE, SORT_ROLE
from governance_app.ui.selection import Selection
from governance_app.ui.views import ViewContext, view_factories
from governance_app.ui.workers import TaskRunner

REPO = Path(__file__).resolve().parents[2]
MLFLOW_DB = REPO / "tests" / "fixtures" / "mlflow" / "mlflow.db"
PREDICTIONS = REPO / "tests" / "fixtures" / "fairness" / "predictions.csv"
EXPECTED = json.loads((REPO / "tests/fixtures/fairness/expected.json").read_text())
SETTINGS = {"label": "label", "prediction": "prediction", "sensitive": ["gender", "class"]}
SCORE_SETTINGS = {"label": "label", "score": "score", "threshold": 0.5,
                  "sensitive": ["gender", "age_group"], "features": ["embarked", "fare", "age"]}
# Fairlearn's name in expected.json -> our column title (Fairlearn's metric name in the header tip)
ORACLE_COLUMNS = {"selection_rate": "Selection rate", "true_positive_rate": "TPR",
                  "false_positive_rate": "FPR", "precision": "Precision",
                  "accuracy": "Accuracy"}


def _build(url: str, *tables: dict) -> str:
    with Workspace.open(url) as ws:
        import_path(ws, MLFLOW_DB)
        for settings in tables:
            import_path(ws, PREDICTIONS, model="loan_approval:2", settings=settings)
    return url


@pytest.fixture
def fairness_url(workspace_url: str) -> str:
    """MLflow's registry with the prediction table attached (SQLite file and PostgreSQL)."""
    return _build(workspace_url, SETTINGS)


@pytest.fixture
def two_tables_url(tmp_path: Path) -> str:
    """The same file attached twice: by its prediction column, and by its score at 0.5."""
    return _build(f"sqlite:///{tmp_path / 'two.db'}", SETTINGS, SCORE_SETTINGS)


@pytest.fixture
def make_panel(qtbot) -> Iterator[Callable[..., FairnessPanel]]:
    """Factory: a shown panel on a workspace, its results loaded for ``NAME:VERSION``."""
    opened: list[tuple[Workspace, TaskRunner]] = []

    def make(url: str, name: str = "loan_approval", version: int = 2,
             *, wait: bool = True) -> FairnessPanel:
        ws = Workspace.open(url)
        runner = TaskRunner()
        imports: list[bool] = []
        ctx = ViewContext(ws, Selection(), runner, lambda: imports.append(True), lambda _n: None)
        panel = FairnessPanel(ctx)
        panel.import_requests = imports  # type: ignore[attr-defined]
        qtbot.addWidget(panel)
        panel.resize(1100, 700)
        opened.append((ws, runner))
        signal = panel.sig_analysis_shown if wait else panel.sig_results_loaded
        with qtbot.waitSignal(signal, timeout=20_000):
            panel.show()
            ctx.selection.select(name, version)
        return panel

    yield make
    for ws, runner in opened:
        runner.shutdown()
        ws.close()


def _column(model, title: str) -> int:
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return titles.index(title)


def _cells(model, title: str, role=Qt.ItemDataRole.DisplayRole) -> list:
    column = _column(model, title)
    return [model.index(r, column).data(role) for r in range(model.rowCount())]


def _rows_by_group(panel: FairnessPanel) -> dict[str, int]:
    model = panel.groups_model
    return {model.row_at(r).label: r for r in range(model.rowCount())}


@pytest.mark.parametrize("attributes", [("gender",), ("class",), ("gender", "class")])
def test_group_table_equals_fairlearn(make_panel, fairness_url: str,
                                      attributes: tuple[str, ...]) -> None:
    panel = make_panel(fairness_url)
    panel.controls.select_attributes(attributes)
    expected = EXPECTED["by_attribute"]["&".join(attributes)]
    model, rows = panel.groups_model, _rows_by_group(panel)
    checked = 0
    for group, values in expected["groups"].items():
        row = rows[" × ".join(group.split("|"))]
        record = model.row_at(row)
        for name, title in ORACLE_COLUMNS.items():
            index = model.index(row, _column(model, title))
            shown, tip = index.data(), index.data(Qt.ItemDataRole.ToolTipRole)
            oracle = values[name]
            if record.group.count == 0:  # Fairlearn's NaN: an empty intersection
                assert oracle is None and shown == "—" and tip == "no rows in this group"
            elif record.group.below_minimum:  # flagged: "—", the value and why in the tooltip
                assert shown == "—"
                assert f"group has {record.group.count} rows, below the minimum of 30" in tip
                found = re.search(r"value on these rows: (\S+)$", tip)
                if found:
                    assert float(found.group(1)) == pytest.approx(oracle, abs=1e-12)
                else:  # undefined under the strict convention: Fairlearn says 0
                    assert oracle == 0.0
            elif shown == "—":  # undefined (no positives, ...): Fairlearn's zero_division=0
                assert oracle == 0.0 and tip.startswith("no ")
            else:
                assert shown == fairness_number(oracle)  # as the chart and the PDF print it
                assert float(index.data(COPY_ROLE)) == pytest.approx(oracle, abs=1e-12)
                assert float(tip) == pytest.approx(oracle, abs=1e-12)
                align = Qt.AlignmentFlag(index.data(Qt.ItemDataRole.TextAlignmentRole))
                assert align & Qt.AlignmentFlag.AlignRight
                checked += 1
    assert checked >= 8
    overall = model.index(rows["overall"], _column(model, "Selection rate"))
    assert float(overall.data(COPY_ROLE)) == pytest.approx(
        expected["overall"]["selection_rate"], abs=1e-12)


def test_switching_attributes_and_metric_sets(make_panel, fairness_url: str) -> None:
    panel = make_panel(fairness_url)
    combo = panel.controls.attributes_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "gender", "class", "gender × class"]
    assert sorted(_rows_by_group(panel)) == ["female", "male", "overall"]

    panel.controls.select_attributes(("gender", "class"))
    groups = _rows_by_group(panel)
    assert "female × 1st" in groups and "male × deck crew" in groups
    assert len(groups) == 1 + 2 * 7  # overall + every intersection, empty ones included
    assert "gender × class" in panel.summary_label.text()

    titles = [panel.groups_model.headerData(c, Qt.Orientation.Horizontal)
              for c in range(panel.groups_model.columnCount())]
    assert titles[:3] == ["Group", "n", "Base rate"]
    panel.set_filter_text("3RD")  # the toolbar filter, as you type, any column
    proxy = panel.groups_table.proxy
    assert sorted(proxy.index(r, 0).data() for r in range(proxy.rowCount())) == [
        "female × 3rd", "male × 3rd"]
    panel.set_filter_text("")
    panel.controls.select_metric_set("Error rates")
    titles = [panel.groups_model.headerData(c, Qt.Orientation.Horizontal)
              for c in range(panel.groups_model.columnCount())]
    assert titles == ["Group", "n", "FPR", "FNR", "FDR", "FOR", "Accuracy",
                      "Selection rate ratio", "Parity"]
    panel.controls.select_focus("false_positive_rate")
    assert "FPR ratio" in _header_titles(panel.groups_model)


def _header_titles(model) -> list[str]:
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def test_sorting_puts_missing_values_last(make_panel, fairness_url: str) -> None:
    panel = make_panel(fairness_url)
    panel.controls.select_attributes(("gender", "class"))
    proxy = panel.groups_table.proxy
    column = _column(proxy, "Selection rate")
    panel.groups_table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    keys = [proxy.index(r, column).data(SORT_ROLE) for r in range(proxy.rowCount())]
    present = [k for k in keys if k is not None]
    assert present == sorted(present) and keys[:len(present)] == present
    assert None in keys  # small and empty intersections come last, unranked
    panel.groups_table.sortByColumn(_column(proxy, "n"), Qt.SortOrder.DescendingOrder)
    counts = [int(proxy.index(r, _column(proxy, "n")).data(COPY_ROLE))
              for r in range(proxy.rowCount())]
    assert counts == sorted(counts, reverse=True) and counts[0] == EXPECTED["rows"]


def test_verdicts_have_words_icons_and_colours(make_panel, fairness_url: str) -> None:
    panel = make_panel(fairness_url)
    parity = panel.parity_model
    verdicts = dict(zip(_cells(parity, "Metric"), _cells(parity, "Verdict"), strict=True))
    # Women are selected 16× as often as men: far outside [0.8, 1.25].
    assert verdicts["Selection rate"] == "fail"
    assert set(verdicts) == {"Selection rate", "FPR", "FNR", "FDR", "FOR"}
    column = _column(parity, "Verdict")
    index = parity.index(0, column)
    assert isinstance(index.data(Qt.ItemDataRole.DecorationRole), QIcon)
    assert not index.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert index.data(Qt.ItemDataRole.ForegroundRole).hue() == pytest.approx(
        _hue(VERDICT_COLOURS[Verdict(index.data())]), abs=3)
    assert "✗ fail" in panel.summary_label.text()

    groups = panel.groups_model
    words = _cells(groups, "Parity")
    assert words[0] == "—"  # overall is not a group
    judged = [w for w in words[1:] if w != "reference"]
    assert words.count("reference") == 1  # the yardstick is marked, not counted as a pass
    assert {w.split(":")[0] for w in judged} <= {v.value for v in Verdict}
    # A failing row names the metrics that fail, so a ✓ in the focus ratio is not a riddle.
    assert any(w.startswith("fail: ") and len(w) > len("fail: ") for w in judged)
    tip = groups.index(1, _column(groups, "Parity")).data(Qt.ItemDataRole.ToolTipRole)
    assert "passes when 0.8 ≤ ratio ≤ 1.25" in tip
    # The disparity itself, coloured against τ with the glyph beside it (never colour alone).
    rows = _rows_by_group(panel)
    ratio = groups.index(rows["female"], _column(groups, "Selection rate ratio"))
    expected = 1 / EXPECTED["by_attribute"]["gender"]["demographic_parity_ratio"]
    assert ratio.data() == f"{fairness_number(expected)} ✗"
    assert float(ratio.data(COPY_ROLE)) == pytest.approx(expected, rel=1e-12)
    assert ratio.data(Qt.ItemDataRole.ForegroundRole).hue() == pytest.approx(
        _hue(VERDICT_COLOURS[Verdict.FAIL]), abs=3)
    assert "parity: fail" in ratio.data(Qt.ItemDataRole.ToolTipRole)
    assert groups.index(rows["male"], _column(groups, "Selection rate ratio")).data() == \
        "reference"

    panel.controls.select_attributes(("gender", "class"))
    assert "insufficient data" in _cells(panel.groups_model, "Parity")


def _hue(colour: str) -> int:
    from PySide6.QtGui import QColor

    return QColor(colour).hue()


def test_tau_recomputes_the_verdicts(make_panel, fairness_url: str) -> None:
    panel = make_panel(fairness_url)
    ratio = EXPECTED["by_attribute"]["gender"]["demographic_parity_ratio"]
    panel.controls.tau_spin.setValue(0.05)  # passes within [0.05, 20]: 1/0.0628 = 15.9 passes
    verdicts = dict(zip(_cells(panel.parity_model, "Metric"),
                        _cells(panel.parity_model, "Verdict"), strict=True))
    assert ratio > 0.05 and verdicts["Selection rate"] == "pass"
    assert "τ = 0.05" in panel.summary_label.text()


def test_charts_show_whiskers_and_the_tau_band(make_panel, fairness_url: str, qtbot) -> None:
    panel = make_panel(fairness_url)
    figure = panel.bars_chart.figure
    assert figure is not None
    axes = figure.axes[0]
    assert len(axes.patches) >= 2  # a bar per group
    whiskers = [c for c in axes.collections if isinstance(c, LineCollection)]
    assert whiskers, "no confidence-interval whiskers drawn"
    assert "selection" in axes.get_title().lower() or "selection" in axes.get_ylabel().lower()
    panel.tabs.setCurrentWidget(panel.disparity_chart)
    assert panel.disparity_chart.figure is not None
    texts = " ".join(t.get_text() for ax in panel.disparity_chart.figure.axes
                     for t in ax.texts + [ax.title])
    assert "0.8" in texts


def test_empty_state_offers_import(make_panel, fairness_url: str) -> None:
    panel = make_panel(fairness_url, "readmission_risk", 1, wait=False)
    assert panel.pages.currentWidget() is panel.empty_state
    sentence = panel.empty_state.sentence_label.text()
    assert "readmission_risk v1 has no prediction table yet" in sentence
    assert "Import a prediction table for this version: label, prediction or score, " \
           "sensitive attributes" in sentence
    button = panel.empty_state.buttons[0]
    assert button.text() == "Import…"
    button.click()
    assert panel.import_requests == [True]  # type: ignore[attr-defined]


def test_two_tables_threshold_and_slices(make_panel, two_tables_url: str, qtbot,
                                         qtmodeltester) -> None:
    panel = make_panel(two_tables_url)
    combo = panel.controls.table_combo
    assert combo.count() == 2 and combo.isEnabled()
    assert not panel.controls.apply_button.isEnabled()  # a prediction column: no threshold
    with qtbot.waitSignal(panel.sig_analysis_shown):
        combo.activated.emit(1)
    assert "score ≥ 0.5" in combo.itemText(1)
    assert panel.controls.apply_button.isEnabled()
    assert panel.controls.threshold_spin.value() == pytest.approx(0.5)

    # Slices were searched for the score table (feature columns were given).
    assert panel.slices_model.rowCount() >= 1
    assert _header_titles(panel.slices_model)[:4] == ["Slice", "Size", "Error rate",
                                                      "Rest"]
    qtmodeltester.check(panel.slices_model)

    frame = pd.read_csv(PREDICTIONS)
    panel.controls.threshold_spin.setValue(0.3)
    with qtbot.waitSignal(panel.sig_analysis_shown, timeout=20_000):
        panel.controls.apply_button.click()
    panel.controls.select_attributes(("gender",))
    rows = _rows_by_group(panel)
    for group in ("female", "male"):
        selected = (frame.loc[frame.gender == group, "score"] >= 0.3).mean()
        cell = panel.groups_model.index(rows[group], _column(panel.groups_model,
                                                             "Selection rate"))
        assert float(cell.data(COPY_ROLE)) == pytest.approx(selected, abs=1e-12)
    assert "threshold 0.3" in panel.status_label.text()
    assert "not stored" in panel.status_label.text()


def test_every_item_model_passes_the_model_tester(make_panel, fairness_url: str,
                                                  qtmodeltester) -> None:
    panel = make_panel(fairness_url)
    for attributes in (("gender",), ("gender", "class")):
        panel.controls.select_attributes(attributes)
        qtmodeltester.check(panel.groups_model)
        qtmodeltester.check(panel.parity_model)
        qtmodeltester.check(panel.groups_table.proxy)
    qtmodeltester.check(panel.slices_model)  # empty: no feature columns were given


def test_registered_as_the_fairness_view(open_window, tmp_path: Path, qtbot) -> None:
    assert "Fairness" in view_factories()
    window = open_window(_build(f"sqlite:///{tmp_path / 'one.db'}", SETTINGS),
                         wait_detail=False)
    panel = window.views["Fairness"]  # views are built on first use (ui/lazy_views.py)
    assert isinstance(panel, FairnessPanel)
    with qtbot.waitSignal(panel.sig_results_loaded, timeout=20_000):
        window.selection.select("loan_approval", 2)
        window.show_view_named("Fairness")
    qtbot.waitUntil(lambda: panel.analysis is not None, timeout=20_000)
    assert panel.groups_model.rowCount() == 3


def test_recompute_task_honours_cancel_and_keeps_settings(two_tables_url: str) -> None:
    from governance_app.services.fairness import FairnessCancelled, fairness_results
    from governance_app.ui.fairness_view import recompute_at_threshold

    with Workspace.open(two_tables_url) as ws:
        stored = fairness_results(ws, "loan_approval", 2)[1].analysis
    steps: list[tuple[int, int, str]] = []
    again = recompute_at_threshold(stored, 0.5, progress=lambda *a: steps.append(a))
    # Same threshold, same settings: the stored numbers come back exactly.
    for key, analysis in stored.analyses.items():
        assert again.analyses[key].report == analysis.report
    assert again.settings["features"] == SCORE_SETTINGS["features"] and steps
    with pytest.raises(FairnessCancelled):
        recompute_at_threshold(stored, 0.3, is_cancelled=lambda: True)
