"""Which paper a report is printed on by default: Letter where it is the norm, else A4.

Kept apart from ``reports.document`` (which loads reportlab) so that the CLI parser and the
GUI form can offer the right default without loading the PDF machinery at start-up.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LETTER_TERRITORIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE", "CR", "GT", "PR",
                                "SV", "NI", "PA", "DO", "BZ"})
"""Territories whose customary paper is US Letter (glibc's LC_PAPER data for these locales)."""
LOCALE_VARIABLES = ("LC_ALL", "LC_PAPER", "LANG")
"""Read in POSIX precedence order: LC_ALL overrides LC_PAPER, which overrides LANG."""


def default_page_size(environ: Mapping[str, str] | None = None) -> str:
    """``"letter"`` when the user's paper locale names a Letter territory, else ``"A4"``.

    >>> default_page_size({"LANG": "en_US.UTF-8"}), default_page_size({"LANG": "de_DE.UTF-8"})
    ('letter', 'A4')
    """
    env = os.environ if environ is None else environ
    for variable in LOCALE_VARIABLES:
        value = env.get(variable, "")
        if value:
            return "letter" if territory(value) in LETTER_TERRITORIES else "A4"
    return "A4"


def territory(locale_name: str) -> str:
    """The territory of a POSIX locale name (``en_US.UTF-8@euro`` → ``US``; ``C`` → ``""``)."""
    base = locale_name.split(".", 1)[0].split("@", 1)[0]
    return base.split("_", 1)[1].upper() if "_" in base else ""
