"""Reference vs current distribution of one feature: a histogram or category bars.

From raw values (computed results keep their source tables) or from Evidently's own binned
``small_distribution`` (the only distribution an imported legacy report carries).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from governance_app.charts.style import INFORMATION, WARNING, styled

MAX_CATEGORIES = 20


def _empty(title: str, message: str, figsize: tuple[float, float]) -> Figure:
    figure = Figure(figsize=figsize, layout="constrained")
    ax = figure.add_subplot()
    ax.axis("off")
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    return figure


def distribution_figure(column: str, reference: Sequence[object], current: Sequence[object], *,
                        categorical: bool, title: str | None = None,
                        figsize: tuple[float, float] = (6.0, 3.2)) -> Figure:
    """Histogram (shared bins, as densities) or category shares of reference and current."""
    title = title or f"{column}: reference vs current"
    with styled():
        if categorical:
            return _category_bars(column, reference, current, title, figsize)
        ref = np.asarray(reference, dtype=float)
        cur = np.asarray(current, dtype=float)
        ref, cur = ref[np.isfinite(ref)], cur[np.isfinite(cur)]
        if not len(ref) or not len(cur):
            return _empty(title, "No values to compare", figsize)
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="auto")[:61]
        figure = Figure(figsize=figsize, layout="constrained")
        ax = figure.add_subplot()
        ax.hist(ref, bins=edges, density=True, alpha=0.55, color=INFORMATION,
                label=f"reference (n={len(ref):,})")
        ax.hist(cur, bins=edges, density=True, histtype="step", linewidth=2, color=WARNING,
                label=f"current (n={len(cur):,})")
        ax.set_title(title)
        ax.set_xlabel(column)
        ax.set_ylabel("density")
        ax.legend(fontsize=8)
        return figure


def _category_bars(column: str, reference: Sequence[object], current: Sequence[object],
                   title: str, figsize: tuple[float, float]) -> Figure:
    ref = Counter(str(v) for v in reference)
    cur = Counter(str(v) for v in current)
    if not ref and not cur:
        return _empty(title, "No values to compare", figsize)
    names = [n for n, _ in (ref + cur).most_common(MAX_CATEGORIES)]
    x = np.arange(len(names))
    ref_total, cur_total = max(sum(ref.values()), 1), max(sum(cur.values()), 1)
    figure = Figure(figsize=figsize, layout="constrained")
    ax = figure.add_subplot()
    ax.bar(x - 0.2, [ref[n] / ref_total for n in names], 0.4, color=INFORMATION,
           label="reference")
    ax.bar(x + 0.2, [cur[n] / cur_total for n in names], 0.4, color=WARNING, hatch="//",
           label="current")
    unseen = [n for n in names if ref[n] == 0]
    ax.set_xticks(x, [f"{n} (new)" if n in unseen else n for n in names],
                  rotation=30 if len(names) > 5 else 0)
    ax.set_title(title)
    ax.set_ylabel("share of rows (0–1)")
    ax.legend(fontsize=8)
    return figure


def binned_distribution_figure(column: str, binned: Mapping[str, Mapping[str, Sequence[float]]],
                               *, figsize: tuple[float, float] = (6.0, 3.2),
                               empty_message: str = "No distribution in this result") -> Figure:
    """Evidently's ``small_distribution`` (``x`` bin edges or categories, ``y`` densities)."""
    with styled():
        if not binned:
            return _empty(f"{column}: reference vs current", empty_message, figsize)
        title = f"{column}: reference vs current (Evidently's bins)"
        figure = Figure(figsize=figsize, layout="constrained")
        ax = figure.add_subplot()
        sides = {side: binned[side] for side in ("reference", "current") if binned.get(side)}
        numeric = all(len(d["x"]) == len(d["y"]) + 1
                      and all(isinstance(v, int | float) for v in d["x"]) for d in sides.values())
        if numeric:
            for side, data in sides.items():
                ref = side == "reference"
                ax.stairs(list(data["y"]), list(data["x"]), label=side, linewidth=2,
                          color=INFORMATION if ref else WARNING, fill=ref,
                          alpha=0.55 if ref else 1)
            ax.set_ylabel("density")
        else:  # categories: Evidently gives counts per category; show shares of each side
            names = list(dict.fromkeys(str(v) for d in sides.values() for v in d["x"]))
            x = np.arange(len(names))
            for side, data in sides.items():
                counts = dict(zip((str(v) for v in data["x"]), data["y"], strict=False))
                total = sum(counts.values()) or 1
                ref = side == "reference"
                ax.bar(x + (-0.2 if ref else 0.2), [counts.get(n, 0) / total for n in names],
                       0.4, label=side, color=INFORMATION if ref else WARNING,
                       hatch=None if ref else "//")
            ax.set_xticks(x, names, rotation=30 if len(names) > 5 else 0)
            ax.set_ylabel("share of rows (0–1)")
        ax.set_title(title)
        ax.set_xlabel(column)
        ax.legend(fontsize=8)
        return figure
