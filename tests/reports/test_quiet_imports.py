"""Reports and PDF checks print nothing of their libraries' own deprecations to the user."""

from __future__ import annotations

import subprocess
import sys


def test_loading_the_pdf_seal_and_check_prints_no_dsa_deprecation() -> None:
    # A fresh process: pytest resets warning filters per test, a user's process does not.
    code = ("import governance_app.reports.seal, governance_app.reports.verify\n"
            "from pyhanko.sign import signers, validation\n"
            "import warnings\n"
            "warnings.warn('still shown', DeprecationWarning)\n")
    done = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True,
                          text=True, timeout=120, check=True)
    assert "DSA is deprecated" not in done.stderr
    assert "still shown" in done.stderr  # only that one message is filtered, not all
