"""What both model card readers share: the ``--model`` check and loading a bundled schema."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from governance_app.errors import InputError


def card_model_ref(path: Path, model: str | None) -> str:
    """Check ``--model NAME:VERSION``: a card file does not name the workspace version it
    describes (its own model name is free text), so the user says which one.

    Raises:
        InputError: no ``--model``, or one that does not name a version.
    """
    if not model:
        raise InputError(path, "a model card must be attached to a model version",
                         location="--model", expected="--model NAME:VERSION")
    name, sep, version = model.rpartition(":")
    if not sep or not name or not version.isdigit():
        raise InputError(path, f"{model!r} does not name a model version", location="--model",
                         expected="NAME:VERSION, e.g. credit_default:4")
    return model


@cache
def bundled_schema(file_name: str) -> dict[str, Any]:
    """A JSON Schema shipped in ``resources/schemas`` (a source checkout reads the folder)."""
    try:
        text = resources.files("governance_app.resources").joinpath(
            "schemas", file_name).read_text(encoding="utf-8")
    except ModuleNotFoundError:
        text = (Path(__file__).resolve().parents[2] / "resources" / "schemas"
                / file_name).read_text(encoding="utf-8")
    return json.loads(text)


def plain(value: Any) -> str:
    """A JSON scalar as people read it (``None`` → ``""``; numbers as written)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()


def as_float(value: Any) -> float | None:
    """The number in ``value`` (MCT 0.0.2 writes numbers as strings), ``None`` if none."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None
