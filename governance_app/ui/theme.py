"""Light or dark, as the system says, with our custom colours kept readable in both.

Qt 6.5+ reports the desktop's scheme through ``QStyleHints.colorScheme()`` and signals when it
changes. Not every platform style repaints itself for a dark scheme, so a dark scheme gets the
Fusion style with an explicit dark palette. The Okabe–Ito verdict colours are chosen for
colour-blind readers, not for contrast: orange text on white or blue text on near-black is hard
to read, so text colours go through :func:`readable_colour`, which keeps the hue and darkens or
lightens it until it meets WCAG's 4.5:1 contrast against the table background.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

MIN_CONTRAST = 4.5
"""WCAG AA contrast for normal text."""

_Role = QPalette.ColorRole


def system_color_scheme() -> Qt.ColorScheme:
    """The desktop's scheme; ``Unknown`` (treated as light) where the platform does not say."""
    return QGuiApplication.styleHints().colorScheme()


def dark_palette() -> QPalette:
    """A dark palette with the same roles Fusion's light one sets, links in a readable blue."""
    palette = QPalette()
    window, base, text = QColor("#2b2b2b"), QColor("#1f1f1f"), QColor("#e8e8e8")
    colours = {
        _Role.Window: window, _Role.WindowText: text, _Role.Base: base,
        _Role.AlternateBase: QColor("#2a2a2a"), _Role.ToolTipBase: QColor("#3a3a3a"),
        _Role.ToolTipText: text, _Role.PlaceholderText: QColor("#9a9a9a"), _Role.Text: text,
        _Role.Button: QColor("#353535"), _Role.ButtonText: text,
        _Role.BrightText: QColor("#ffffff"), _Role.Light: QColor("#4a4a4a"),
        _Role.Midlight: QColor("#3e3e3e"), _Role.Mid: QColor("#303030"),
        _Role.Dark: QColor("#1a1a1a"), _Role.Shadow: QColor("#000000"),
        _Role.Highlight: QColor("#2f6ea8"), _Role.HighlightedText: QColor("#ffffff"),
        _Role.Link: QColor("#6cb4ee"), _Role.LinkVisited: QColor("#c39bd3"),
    }
    for role, colour in colours.items():
        palette.setColor(role, colour)
    disabled = QColor("#7f7f7f")
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def apply_color_scheme(app: QApplication, scheme: Qt.ColorScheme | None = None) -> Qt.ColorScheme:
    """Give ``app`` the palette for ``scheme`` (default: the system's); returns the scheme used."""
    scheme = system_color_scheme() if scheme is None else scheme
    if scheme == Qt.ColorScheme.Dark:
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    else:
        app.setPalette(app.style().standardPalette())
    return scheme


def follow_system_color_scheme(app: QApplication) -> None:
    """Apply the system scheme now and again whenever the desktop switches light ↔ dark."""
    apply_color_scheme(app)
    QGuiApplication.styleHints().colorSchemeChanged.connect(
        lambda scheme: apply_color_scheme(app, scheme))


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(_Role.Base).lightnessF() < 0.5


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF()))


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours, 1 (same) to 21 (black on white)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_colour(colour: str | QColor, background: QColor | None = None) -> QColor:
    """``colour`` darkened (light theme) or lightened (dark theme) until it reads as text.

    The hue stays, so a verdict keeps its Okabe–Ito identity; the word beside it carries the
    meaning in any case (UI.md: never colour alone).
    """
    result = QColor(colour)
    background = background or QGuiApplication.palette().color(_Role.Base)
    dark = background.lightnessF() < 0.5
    for _ in range(12):
        if contrast_ratio(result, background) >= MIN_CONTRAST:
            break
        result = result.lighter(115) if dark else result.darker(115)
    return result
