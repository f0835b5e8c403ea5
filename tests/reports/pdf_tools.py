"""Reading a report back as an outsider does: poppler's pdftotext (and pdfsig) when present."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

POPPLER = bool(shutil.which("pdftotext") and shutil.which("pdfsig"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils not installed")


def pdf_text(path: Path) -> str:
    """pdftotext's text with whitespace collapsed (table cells wrap their words)."""
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    return " ".join(out.split())
