"""Model cards stored on real SQLite and PostgreSQL: stored = imported, idempotent, history
kept, written sections audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance_app.domain.model_card import FORMAT_WRITTEN
from governance_app.errors import InputError, NotFoundError
from governance_app.importers import registry
from governance_app.importers.registry import ImportContext, ImportOptions
from governance_app.services import audit as audit_service
from governance_app.services import model_cards
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace

ROOT = Path(__file__).parents[2]
CARDS = ROOT / "tests" / "fixtures" / "model_cards"
REGISTRY = ROOT / "resources" / "demo" / "registry.json"
FIXTURES = [*sorted((CARDS / "mct").glob("*.json")),
            *(CARDS / "huggingface" / n for n in (
                "sample_simple.md", "sample_simple_model_index.md", "sample_no_metadata.md",
                "sample_windows_line_breaks.md"))]


@pytest.fixture
def ws(workspace_url: str):
    with Workspace.open(workspace_url) as workspace:
        import_path(workspace, REGISTRY)
        yield workspace


def test_every_fixture_is_stored_as_read(ws: Workspace) -> None:
    for path in FIXTURES:
        snapshot = registry.load(path, None, ImportContext(
            options=ImportOptions(model="credit_default:2")))
        record = import_path(ws, path, model="credit_default:2")
        assert record.changes["model_cards_added"] == 1
        stored = model_cards.card_history(ws, "credit_default:2")[-1]
        assert (stored.format, stored.source_sha256, stored.source_name) == (
            snapshot.format, snapshot.source_sha256, path.name)
        assert stored.sections == snapshot.sections and stored.details == snapshot.details
        assert stored.metrics == snapshot.metrics and stored.body == snapshot.body
        assert stored.recorded_at.tzinfo is not None and stored.recorded_by


def test_reimport_is_idempotent_and_a_newer_card_keeps_the_history(ws: Workspace) -> None:
    old = CARDS / "mct" / "cats_vs_dogs_v0_0_1.json"
    new = CARDS / "huggingface" / "sample_simple_model_index.md"
    import_path(ws, old, model="credit_default:3")
    again = import_path(ws, old, model="credit_default:3")
    assert again.changes == {"model_cards_added": 0, "model_cards_unchanged": 1}
    import_path(ws, new, model="credit_default:3")
    card = model_cards.current_card(ws, "credit_default", 3)
    assert card is not None and card.card.source_name == new.name
    assert [c.source_name for c in card.history] == [old.name, new.name]
    assert [m.name for m in card.card.metrics] == ["accuracy", "f1"]
    # the HF card states no limitations: the older card's text still fills that section
    assert card.sections["limitations"][1].source_name == old.name


def test_written_section_is_stored_audited_and_printed(ws: Workspace) -> None:
    import_path(ws, CARDS / "mct" / "full.json", model="credit_default:4")
    written = model_cards.set_card_section(ws, "credit_default:4", "limitations",
                                           "Not for **thin** files.", "Zoë Ångström")
    assert written.format == FORMAT_WRITTEN and written.recorded_by == "Zoë Ångström"
    card = model_cards.current_card(ws, "credit_default", 4)
    text, source = card.sections["limitations"]
    assert text == "Not for **thin** files." and source.id == written.id
    assert card.card.source_name == "full.json"  # the imported card still gives the rest
    events = audit_service.list_events(ws, kinds=["card.section"])
    assert len(events) == 1 and events[0].actor == "Zoë Ångström"
    assert events[0].payload["text"] == "Not for **thin** files."
    assert events[0].payload["sha256"] == written.source_sha256
    assert audit_service.verify_workspace(ws).ok


def test_written_text_errors(ws: Workspace) -> None:
    with pytest.raises(InputError, match="unknown card section"):
        model_cards.set_card_section(ws, "credit_default:4", "summary", "x")
    with pytest.raises(InputError, match="empty"):
        model_cards.set_card_section(ws, "credit_default:4", "limitations", "  \n")
    with pytest.raises(NotFoundError):
        model_cards.set_card_section(ws, "credit_default:99", "limitations", "x")
    assert audit_service.list_events(ws, kinds=["card.section"]) == []


def test_an_unknown_version_stores_nothing(ws: Workspace) -> None:
    before = len(audit_service.list_events(ws))
    with pytest.raises(NotFoundError):
        import_path(ws, CARDS / "mct" / "full.json", model="credit_default:99")
    assert len(audit_service.list_events(ws)) == before
    assert model_cards.current_card(ws, "credit_default", 1) is None
