"""SVG and PNG bytes of a lineage drawing (kept apart so the CLI loads matplotlib only here)."""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib as mpl

from governance_app.analytics.layered_layout import Layout
from governance_app.charts.lineage_figure import lineage_figure
from governance_app.domain.lineage import LineageGraph, LineageNode

PNG_MAX_PIXELS = 16_000
"""Longest PNG side; a larger drawing gets a lower resolution rather than a failed save."""


def render_figure(
    graph: LineageGraph,
    layout: Layout,
    fmt: str,
    title: str | None,
    width: Callable[[LineageNode], float],
) -> bytes:
    """Draw the graph and save it as ``svg`` or ``png``.

    SVG keeps text as ``<text>`` elements (``svg.fonttype: none``) so labels stay searchable
    and selectable in a browser, and a test can read them back.
    """
    fig = lineage_figure(graph, layout, width, title=title)
    buffer = io.BytesIO()
    width, height = fig.get_size_inches()
    dpi = min(150.0, PNG_MAX_PIXELS / max(width, height, 1e-6))
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "governance-app"}):
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    return buffer.getvalue()


def _metadata(fmt: str) -> dict[str, str | None]:
    """No creation date in SVGs, so the same graph exports to the same bytes."""
    if fmt == "svg":
        return {"Date": None, "Creator": "governance-app"}
    return {"Software": "governance-app"}
