"""One printed form per fairness quantity, shared by the Fairness view, its charts and the PDF.

A reader compares a group's rate in the table with its bar and with the printed card; if one
says 0.05, another 0.0503 and the third 0.050, they look like three numbers. Rates, ratios and
differences are decimals in [0, a few], so a fixed three decimals keeps every column aligned
and every place the same; p-values span magnitudes and keep significant digits. Stored values
keep full precision (tooltips and copies show it).
"""

from __future__ import annotations

MISSING = "—"


def fairness_number(value: float | None) -> str:
    """A rate, ratio or difference: three decimals (``0.050``, ``1.027``, ``−0.120``)."""
    if value is None:
        return MISSING
    return f"{value:.3f}".replace("-", "−")


def p_value(value: float | None) -> str:
    """A p-value: three significant digits (``0.0412``, ``3.1e-07``)."""
    return MISSING if value is None else f"{value:.3g}"
