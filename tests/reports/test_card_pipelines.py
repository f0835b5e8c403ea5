"""A sealed model card of a version a Kubeflow run registered, read back with pdftotext: the
pipeline steps upstream of it, the artifacts' content hashes, and the run's confusion matrix
and slice metrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance_app.services import board, reports
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from tests.reports.pdf_tools import needs_poppler, pdf_text

KFP = Path(__file__).resolve().parents[1] / "fixtures" / "kubeflow" / "credit"
MEMBER = "Ana Lima"
PASSPHRASE = "ana's passphrase"


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pipeline-card")
    with Workspace.open(f"sqlite:///{folder / 'ws.db'}") as ws:
        import_path(ws, KFP / "api" / "list_runs.json")
        import_path(ws, KFP / "mlmd" / "metadata.sqlite")
        board.found(ws, MEMBER, PASSPHRASE, email="ana@example.org", key_file=folder / "ana.key",
                    scrypt_n=2**10)
        reports.build_model_card(ws, "credit-risk-scorer:1", folder / "card.pdf", MEMBER,
                                 PASSPHRASE)
    return folder / "card.pdf"


@needs_poppler
def test_card_prints_pipeline_steps_hashes_and_evidence(card: Path) -> None:
    text = pdf_text(card)
    assert "pipeline steps upstream of this version" in text
    for task in ("ingest-applications", "train-credit-model", "register-credit-model"):
        assert task in text
    assert "SUCCEEDED" in text
    # Content hashes of the upstream datasets, as the pipeline recorded them.
    assert "sha256 1eb6b06904564e6" in text  # the cell wraps the rest of the digest
    assert "Confusion matrix recorded by the pipeline" in text
    assert "predicted repaid" in text and "actual default" in text
    assert "ROC curve: 11 points recorded" in text
    assert "Slice metrics recorded by the pipeline" in text
    assert "sex=female" in text and "0.9098" in text
