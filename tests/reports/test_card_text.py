"""A sealed model card from each Model Card Toolkit and Hugging Face fixture, read back as an
outsider would (pypdf; pdftotext too when poppler is installed): the card's sections and
metric values are printed, and no markdown or HTML syntax reaches the page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from governance_app.reports.manifest import extract_manifest
from governance_app.services import board, model_cards, reports
from governance_app.services.demo import build_demo_workspace
from governance_app.services.demo_reviews import DEMO_KEY_FOLDER, DEMO_PASSPHRASES
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from tests.governance.helpers import join_board
from tests.reports.pdf_tools import pdf_text

ROOT = Path(__file__).parents[2]
CARDS = ROOT / "tests" / "fixtures" / "model_cards"
REGISTRY = ROOT / "resources" / "demo" / "registry.json"
RAW_MARKUP = ("**", "##", "|---", "<div", "](http", "<!--", "{{")
PASS = "a passphrase"
CASES = {  # fixture → (version it is attached to, texts the card must print)
    "mct/cats_vs_dogs_v0_0_1.json": ("credit_default:1", [
        "This model classifies images of cats and dogs.", "Fans of dogs and cats.",
        "not able to classify images of other classes", "Avoid application on non-dog",
        "0.9781", "0.9933", "0.9833 – 1.003", "Model Card Toolkit 0.0.1"]),
    "mct/cats_vs_dogs_v0_0_2.json": ("credit_default:2", [
        "This model classifies images of cats and dogs.", "Recall vs Precision.",
        "0.9649", "Model Card Toolkit 0.0.2", "Model Cards Team"]),
    "mct/considerations.json": ("credit_default:3", [
        "Testing", "This model has no limitations", "Bugs", "Unit tests", "knn",
        "The card states no metrics."]),
    "mct/full.json": ("credit_default:4", [
        "use_cases", "limitations1", "limitations2", "mitigation strategy", "0.85 – 0.95",
        "overall"]),
    "mct/train_data.json": ("fraud_detector:1", [
        "The card does not state an intended use.", "The card does not state limitations.",
        "train_split"]),
    "huggingface/sample_simple.md": ("fraud_detector:2", [
        "my-cool-model", "Model description", "pytorch-lightning",
        "The card does not state out-of-scope uses."]),
    "huggingface/sample_simple_model_index.md": ("fraud_detector:3", [
        "multiple evaluations across different", "accuracy", "0.9", "f1", "0.66",
        "Beans default test", "Hugging Face model card"]),
    "huggingface/sample_no_metadata.md": ("churn_propensity:1", [
        "MyCoolModel", "CardData should be instantiated as empty"]),
    "huggingface/sample_windows_line_breaks.md": ("churn_propensity:2", [
        "Hello old Windows line breaks", "eo"]),
}


def _text(path: Path) -> str:
    """Extracted text with whitespace collapsed; pdftotext when present, else pypdf."""
    if shutil.which("pdftotext"):
        return pdf_text(path)
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cards")
    out = {}
    with Workspace.open(f"sqlite:///{folder / 'ws.db'}") as ws:
        import_path(ws, REGISTRY)
        board.found(ws, "Ana Lima", PASS, email="ana@example.org", key_file=folder / "ana.key",
                    scrypt_n=2**10)
        for name, (ref, _) in CASES.items():
            import_path(ws, CARDS / name, model=ref)
            target = folder / (Path(name).stem + ".pdf")
            reports.build_model_card(ws, ref, target, "Ana Lima", PASS)
            out[name] = target
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_card_prints_the_fixture_without_markup(cards: dict[str, Path], name: str) -> None:
    text = _text(cards[name])
    section = text[text.index("Intended use and limitations"):
                   text.index("Training and evaluation data")]
    assert "No model card text attached" not in text
    for expected in CASES[name][1]:
        assert expected in text, expected
    for raw in RAW_MARKUP:
        assert raw not in section, raw
    for title in ("Intended use", "Out-of-scope uses", "Limitations", "Ethical considerations"):
        assert title in section


def test_manifest_lists_the_card_source(cards: dict[str, Path]) -> None:
    manifest = extract_manifest(cards["huggingface/sample_simple_model_index.md"].read_bytes())
    evidence = [e for e in manifest["evidence"] if e["kind"] == "model-card"]
    assert [e["source"] for e in evidence] == ["sample_simple_model_index.md"]
    assert evidence[0]["format"] == "huggingface" and len(evidence[0]["sha256"]) == 64


def test_demo_card_shows_the_section_at_its_best(tmp_path: Path) -> None:
    url = build_demo_workspace(tmp_path / "demo.db")
    with Workspace.open(url) as ws:
        join_board(ws, "Zoë", ["compliance"], "z@example.org", PASS, tmp_path / "z.key",
                   chair="Ana Lima", chair_secret=DEMO_PASSPHRASES["Ana Lima"],
                   chair_key=tmp_path / DEMO_KEY_FOLDER / "ana.key")
        model_cards.set_card_section(ws, "credit_default:4", "limitations",
                                     "Written in the app: *thin files* score worse.", "Zoë")
        result = reports.build_model_card(ws, "credit_default:4", tmp_path / "card.pdf", "Zoë",
                                          PASS)
    text = _text(result.path)
    section = text[text.index("Intended use and limitations"):
                   text.index("Training and evaluation data")]
    for expected in ("Ranking new consumer-loan applications", "Automated rejection without",
                     "Written in the app: thin files score worse.", "(written by Zoë",
                     "high-impact decisions", "412,310", "mlflow.pyfunc.load_model",
                     "model registry entry (https://mlflow.meridian.example",
                     "Contact: credit-risk-models@meridian.example"):
        assert expected in section, expected
    for raw in RAW_MARKUP:
        assert raw not in section, raw
    assert "Metrics stated by the model card" in text and "0.842" in text


def test_card_claims_are_matched_to_the_apps_own_computation() -> None:
    from governance_app.reports.card_text import computed_claim

    computed = {"roc_auc_score": 0.85, "precision_score": 0.766, "true_positive_rate": 0.42}
    assert computed_claim("ROC AUC", computed) == ("roc_auc_score", 0.85)
    assert computed_claim("roc_auc", computed) == ("roc_auc_score", 0.85)
    assert computed_claim("Precision at the 0.5 threshold", computed) == (
        "precision_score", 0.766)
    assert computed_claim("Recall", computed) == ("true_positive_rate", 0.42)
    assert computed_claim("F1", computed) is None  # not computed here: nothing claimed
    assert computed_claim("aucpr", computed) is None  # a prefix must be a whole word
