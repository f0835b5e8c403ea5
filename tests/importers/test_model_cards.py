"""Model card readers on the real Model Card Toolkit and Hugging Face fixtures (no database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from governance_app.domain.model_card import FORMAT_HUGGINGFACE, FORMAT_MCT_001, FORMAT_MCT_002
from governance_app.errors import InputError
from governance_app.importers import registry
from governance_app.importers.registry import ImportContext, ImportOptions

CARDS = Path(__file__).parents[1] / "fixtures" / "model_cards"
MCT = CARDS / "mct"
HF = CARDS / "huggingface"
MODEL = ImportContext(options=ImportOptions(model="credit_default:4"))


def _load(path: Path, context: ImportContext = MODEL):
    return registry.load(path, None, context)


@pytest.mark.parametrize(("name", "fmt"), [
    ("cats_vs_dogs_v0_0_1.json", FORMAT_MCT_001), ("cats_vs_dogs_v0_0_2.json", FORMAT_MCT_002),
    ("considerations.json", FORMAT_MCT_002), ("full.json", FORMAT_MCT_002),
    ("train_data.json", FORMAT_MCT_002)])
def test_every_model_card_toolkit_fixture_imports(name: str, fmt: str) -> None:
    assert registry.detect(MCT / name) == "model-card-toolkit"
    card = _load(MCT / name)
    assert card.format == fmt and card.model == "credit_default:4"
    assert card.title and card.details["Owners"]


def test_mct_maps_considerations_and_metrics_of_both_schemas() -> None:
    old, new = _load(MCT / "cats_vs_dogs_v0_0_1.json"), _load(MCT / "cats_vs_dogs_v0_0_2.json")
    for card in (old, new):
        assert "classifies images of cats and dogs" in card.sections["intended-use"]
        assert "Fans of dogs and cats" in card.sections["intended-use"]  # users
        assert "Recall vs Precision" in card.sections["limitations"]  # trade-offs
        ethics = card.sections["ethical-considerations"]
        assert "**Risk:**" in ethics and "Avoid application on non-dog" in ethics
        cat = next(m for m in card.metrics if m.slice == "cat")
        assert cat.value == pytest.approx(0.9932885766029358)
        assert (cat.lower, cat.upper) == (pytest.approx(0.9832885766), pytest.approx(1.0032885766))
        assert card.details["Licences"] == "Apache-2.0"
    assert old.metrics == new.metrics  # 0.0.2 writes numbers as strings: same values


def test_mct_schema_error_names_the_json_path_and_line(tmp_path: Path) -> None:
    doc = json.loads((MCT / "full.json").read_text())
    doc["model_details"]["owners"][1]["name"] = 42
    broken = tmp_path / "model_card.json"
    broken.write_text(json.dumps(doc, indent=2))
    with pytest.raises(InputError) as caught:
        _load(broken)
    assert str(broken) in str(caught.value)
    assert caught.value.location.startswith("model_details.owners[1].name, line ")
    assert "0.0.2" in caught.value.problem


def test_mct_unknown_schema_version_is_refused(tmp_path: Path) -> None:
    doc = json.loads((MCT / "full.json").read_text())
    doc["schema_version"] = "9.9.9"
    path = tmp_path / "card.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="unknown schema version '9.9.9'") as caught:
        _load(path)
    assert caught.value.location.startswith("schema_version")


def test_a_card_needs_model() -> None:
    for path in (MCT / "full.json", HF / "sample_simple.md"):
        with pytest.raises(InputError, match="--model NAME:VERSION"):
            _load(path, ImportContext())


@pytest.mark.parametrize("name", ["sample_simple.md", "sample_simple_model_index.md",
                                  "sample_no_metadata.md", "sample_windows_line_breaks.md"])
def test_every_huggingface_model_card_imports(name: str) -> None:
    assert registry.detect(HF / name) == "huggingface-card"
    card = _load(HF / name)
    assert card.format == FORMAT_HUGGINGFACE and card.body.startswith("#")
    assert "\r" not in card.body


def test_model_index_results_become_card_metrics() -> None:
    card = _load(HF / "sample_simple_model_index.md")
    assert [(m.name, m.value, m.task) for m in card.metrics] == [
        ("accuracy", 0.9, "image-classification"), ("f1", 0.66, "image-classification")]
    assert card.metrics[1].slice == "Beans default test"
    assert card.details["Licence"] == "mit" and card.title == "my-cool-model"


def test_windows_line_breaks_and_unicode_are_kept() -> None:
    card = _load(HF / "sample_windows_line_breaks.md")
    assert card.details["Language"] == "eo"
    assert card.body == "# Hello old Windows line breaks"


@pytest.mark.parametrize(("name", "location", "problem"), [
    ("sample_invalid_card_data.md", "line 2 (front matter)", "front matter is a YAML list"),
    ("sample_invalid_model_index.md", "model-index[0].results[0], line 15",
     "result has no dataset"),
    ("sample_template.md", "line 2", "unrendered card template"),
    ("sample_datasetcard_template.md", "line 2", "unrendered card template"),
    ("sample_datasetcard_simple.md", "line 2 (front matter)", "dataset card"),
])
def test_invalid_cards_name_file_and_place(name: str, location: str, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        _load(HF / name)
    assert caught.value.source == str(HF / name)
    assert caught.value.location == location
    assert problem in caught.value.problem


def test_bad_yaml_in_front_matter_names_the_file_line(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    path.write_text("---\nlicense: mit\ntags: [a, b\n---\n# x\n")
    with pytest.raises(InputError) as caught:
        _load(path)
    assert caught.value.location.startswith("line ") and "(front matter)" in (
        caught.value.location)


def test_a_metric_without_value_is_named(tmp_path: Path) -> None:
    text = (HF / "sample_simple_model_index.md").read_text().replace("      value: 0.66\n", "")
    path = tmp_path / "README.md"
    path.write_text(text)
    with pytest.raises(InputError, match="metric has no value") as caught:
        _load(path)
    assert caught.value.location.startswith("model-index[0].results[1].metrics[0], line ")


def test_detection_does_not_steal_other_json(fixtures_dir: Path) -> None:
    from governance_app.importers.huggingface_card import detect as hf
    from governance_app.importers.model_card_toolkit import detect as mct

    assert not mct(fixtures_dir / "bundle" / "lineage-bundle.json")
    for other in (fixtures_dir / "evidently").rglob("*.json"):
        assert not mct(other)
    assert not hf(fixtures_dir / "bundle" / "lineage-bundle.json")
    assert hf(HF / "sample_no_metadata.md")


@pytest.mark.parametrize("fence", ["```", "~~~~"])
def test_hf_card_title_skips_comments_inside_fenced_code(tmp_path: Path, fence: str) -> None:
    other = "~~~" if fence.startswith("`") else "```"
    card = tmp_path / "README.md"
    card.write_text(
        "---\nlicense: mit\nlibrary_name: transformers\n---\n\nUsage first:\n\n"
        f"{fence}bash\n# install the package\npip install thing\n"
        f"{other}\n# still code: another fence character does not close the block\n"
        f"{fence}\n\n# Loan Default Scorer\n\nText.\n", encoding="utf-8")
    assert _load(card).title == "Loan Default Scorer"
