"""The "Model card text…" dialog on a real workspace: the demo registry with the demo's Hugging
Face card attached to credit_default v4, opened from the Models view."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from governance_app.services import audit as audit_service
from governance_app.services import model_cards
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.ui.card_text_dialog import CardTextDialog

REPO = Path(__file__).resolve().parents[2]
DEMO_CARD = REPO / "resources" / "demo" / "model_cards" / "credit_default_v4.md"


def _with_card(url: str) -> None:
    with Workspace.open(url) as ws:
        import_path(ws, DEMO_CARD, model="credit_default:4")


def test_dialog_shows_the_card_and_records_a_section(qtbot, demo_url: str,
                                                     tmp_path: Path) -> None:
    _with_card(demo_url)
    with Workspace.open(demo_url) as ws:
        dialog = CardTextDialog(ws, "credit_default", 4)
        qtbot.addWidget(dialog)
        dialog.show()
        preview = dialog.preview.toPlainText()
        assert "Ranking new consumer-loan applications" in preview
        assert "Metrics stated by the card" in preview and "0.842" in preview
        assert "credit_default_v4.md" in dialog.source_label.text()
        dialog.section_box.setCurrentIndex(dialog.section_box.findData("limitations"))
        assert "thin credit file" in dialog.editor.toPlainText()
        assert "credit_default_v4.md" in dialog.origin_label.text()
        dialog.editor.setPlainText("Written in the dialog: not for thin files.")
        dialog.author_edit.setText("Ana Lima")
        with qtbot.waitSignal(dialog.sig_section_saved, timeout=5000) as saved:
            qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert saved.args[0].recorded_by == "Ana Lima"
        assert "Recorded: limitations written by Ana Lima" in dialog.recorded_label.text()
        assert "Written in the dialog" in dialog.preview.toPlainText()
        card = model_cards.current_card(ws, "credit_default", 4)
        assert card.sections["limitations"][0] == "Written in the dialog: not for thin files."
        events = audit_service.list_events(ws, kinds=["card.section"])
        assert [e.actor for e in events] == ["Ana Lima"]
        dialog.grab().save(str(tmp_path / "card-dialog.png"))


def test_empty_text_is_refused_in_the_error_dialog(qtbot, demo_url: str) -> None:
    with Workspace.open(demo_url) as ws:
        dialog = CardTextDialog(ws, "credit_default", 2)
        qtbot.addWidget(dialog)
        dialog.show()
        assert "No model card text attached" in dialog.preview.toPlainText()
        assert dialog.editor.toPlainText() == ""
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.error_dialog is not None
        assert dialog.error_dialog.isVisible()
        assert "the section text is empty" in dialog.error_dialog.copied_text()
        dialog.error_dialog.close()
        assert audit_service.list_events(ws, kinds=["card.section"]) == []


def test_models_view_opens_the_dialog_for_the_current_version(open_window,
                                                              demo_url: str) -> None:
    _with_card(demo_url)
    window = open_window(demo_url)
    panel = window.models_panel
    window.selection.select("credit_default", 4)
    panel.card_button.click()
    dialog = panel.card_dialog
    assert dialog.windowTitle() == "Model card text of credit_default v4"
    assert "Intended use" in dialog.preview.toPlainText()
    dialog.close()
