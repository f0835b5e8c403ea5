"""The card preview never loads what a card points at: not /dev/zero, not a local file, not
the network. A hostile card is shown, its images stay empty frames, nothing is read."""

from __future__ import annotations

import os
from pathlib import Path

from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.ui.card_text_dialog import CardTextDialog

HOSTILE_CARD = """---
license: apache-2.0
model-index:
- name: credit_default
  results: []
---
# credit_default

![zeros](file:///dev/zero)

![remote](https://example.invalid/tracker.png)

[a link to zeros](file:///dev/zero)
"""


def test_hostile_card_preview_loads_no_resource(qtbot, demo_url: str, tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_text(HOSTILE_CARD, encoding="utf-8")
    with Workspace.open(demo_url) as ws:
        import_path(ws, card, model="credit_default:4")
        dialog = CardTextDialog(ws, "credit_default", 4)
        qtbot.addWidget(dialog)
        dialog.show()
        image = dialog.grab()  # painting lays the document out: where images would load
        assert not image.isNull()
        refused = dialog.preview.refused
        assert "file:///dev/zero" in refused
        assert "https://example.invalid/tracker.png" in refused
        assert "a link to zeros" in dialog.preview.toPlainText()
        assert not dialog.preview.openLinks() and not dialog.preview.openExternalLinks()
        image.save(str(Path(os.environ.get("CARD_SCREENSHOT_DIR", tmp_path)) / "hostile-card.png"))
        # Raw HTML is dropped by Qt's markdown reader; the browser refuses it all the same.
        dialog.preview.setHtml('<p>x</p><img src="file:///etc/hostname">'
                               '<link rel="stylesheet" href="file:///dev/zero">')
        dialog.preview.grab()
        assert "file:///etc/hostname" in dialog.preview.refused


def test_binary_mct_card_shows_its_details_and_sensitive_data(qtbot, demo_url: str,
                                                              tmp_path: Path) -> None:
    card = Path(__file__).resolve().parents[1] / "fixtures" / "model_cards" / "mct2" / (
        "model_card.proto")
    with Workspace.open(demo_url) as ws:
        import_path(ws, card, model="credit_default:4")
        dialog = CardTextDialog(ws, "credit_default", 4)
        qtbot.addWidget(dialog)
        dialog.show()
        text = dialog.preview.toPlainText()
        assert "Card details (model_card.proto)" in text
        assert "Sensitive data" in text and "postal code" in text
        assert "binary model_card.proto (MCT 2.x)" in text
        out = Path(os.environ.get("CARD_SCREENSHOT_DIR", tmp_path)) / "card-mct-proto.png"
        assert dialog.grab().save(str(out))
