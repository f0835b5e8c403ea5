"""Model Card Toolkit 2.0's binary ``model_card.proto`` reads like its JSON twin, written by the
same toolkit from the same card; datasets' sensitive data are kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from governance_app.cli import main
from governance_app.errors import InputError
from governance_app.importers import registry
from governance_app.importers.mct_proto import decode_card
from governance_app.importers.registry import ImportContext, ImportOptions

MCT2 = Path(__file__).resolve().parents[1] / "fixtures" / "model_cards" / "mct2"
PROTO, JSON = MCT2 / "model_card.proto", MCT2 / "model_card.json"
SENSITIVE = "applications-2025: age, postal code, gender (used for fairness review only)"


def _load(path: Path):
    return registry.load(path, context=ImportContext(options=ImportOptions(model="m:1")))


def test_proto_decodes_to_what_the_toolkit_wrote_as_json() -> None:
    decoded = decode_card(PROTO, PROTO.read_bytes())
    written = json.loads(JSON.read_text(encoding="utf-8"))
    assert decoded | {"schema_version": "0.0.2"} == written  # to_json adds only the version


def test_proto_and_json_import_alike_with_sensitive_data() -> None:
    assert registry.detect(PROTO) == "model-card-toolkit"
    binary, text = _load(PROTO), _load(JSON)
    assert binary.format == text.format == "mct-0.0.2"
    assert binary.title == text.title == "credit_default"
    assert binary.sections == text.sections and binary.metrics == text.metrics
    assert binary.details.pop("Source format") == "binary model_card.proto (MCT 2.x)"
    assert binary.details == text.details
    assert text.details["Sensitive data"] == SENSITIVE


def test_truncated_proto_names_the_byte_and_field(tmp_path: Path) -> None:
    cut = tmp_path / "model_card.proto"
    cut.write_bytes(PROTO.read_bytes()[:200])
    with pytest.raises(InputError) as caught:
        registry.load(cut, "model-card-toolkit",
                      ImportContext(options=ImportOptions(model="m:1")))
    message = str(caught.value)
    assert f"{cut}, byte " in message and "runs past its end" in message
    assert "ModelCard.to_json()" in message


def test_a_proto_schema_file_is_not_taken_for_a_card(tmp_path: Path, capsys) -> None:
    schema = tmp_path / "model_card.proto"
    schema.write_text('syntax = "proto3";\nmessage Owner { string name = 1; }\n')
    assert main(["--db", str(tmp_path / "ws.db"), "import", str(schema), "--model", "m:1"]) == 2
    assert "is not a source governance-app can read" in capsys.readouterr().err


def test_card_show_and_the_sealed_pdf_print_the_sensitive_data(tmp_path: Path, capsys) -> None:
    from governance_app.services import board, reports
    from governance_app.services.workspace import Workspace
    from tests.reports.pdf_tools import pdf_text

    db = str(tmp_path / "ws.db")
    bundle = Path(__file__).resolve().parents[2] / "resources" / "demo" / "registry.json"
    assert main(["--db", db, "import", str(bundle)]) == 0
    assert main(["--db", db, "import", str(PROTO), "--model", "credit_default:4"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "card", "show", "credit_default:4"]) == 0
    out = capsys.readouterr().out
    assert "card details:" in out and f"Sensitive data  {SENSITIVE}" in out
    with Workspace.open(f"sqlite:///{db}") as ws:
        board.found(ws, "Ana Lima", "a passphrase", email="ana@example.org",
                    key_file=tmp_path / "ana.key", scrypt_n=2**10)
        result = reports.build_model_card(ws, "credit_default:4", tmp_path / "card.pdf",
                                          "Ana Lima", "a passphrase")
    text = pdf_text(result.path)
    assert "Sensitive data" in text and "postal code" in text
    assert "binary model_card.proto (MCT 2.x)" in text
