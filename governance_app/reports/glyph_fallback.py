"""Per-glyph font fallback for the PDFs: text DejaVu Sans cannot draw (Chinese, Japanese,
Korean) is set in a system font that can, run by run, instead of printing as empty boxes.

A Hugging Face card is often written in Chinese. DejaVu Sans, which the reports embed, has no
CJK glyphs, so each character of such a card came out as a box. Here the characters DejaVu
lacks are wrapped in ``<font name="…">`` runs of a fallback font found on the system; the
rest of the paragraph keeps DejaVu. reportlab embeds TrueType outlines only (not the CFF
outlines of Noto Sans CJK's ``.otf``/``.ttc``), so the fallback is the first TrueType CJK font
found: Droid Sans Fallback (Debian ``fonts-droid-fallback``), WenQuanYi Micro Hei or Zen Hei,
or any font named in ``$GOVERNANCE_APP_CJK_FONT``. Without one the text prints as before and
the report says nothing false: the characters stay in the PDF's text layer.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

FALLBACK_FONT = "GovernanceFallbackCJK"
ENV_FONT = "GOVERNANCE_APP_CJK_FONT"
KNOWN_FILES = ("DroidSansFallbackFull.ttf", "DroidSansFallback.ttf", "wqy-microhei.ttc",
               "wqy-zenhei.ttc", "NotoSansSC-Regular.ttf", "NotoSansCJKsc-Regular.ttf")
"""TrueType CJK fonts, by file name, in order of preference."""
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts",
             "~/.fonts", "/Library/Fonts", "/System/Library/Fonts", "C:/Windows/Fonts")
"""The platforms' standard font folders, searched for :data:`KNOWN_FILES`."""
_NOT_LATIN = re.compile(r"[^\x00-\u024f]+")


def _candidates() -> list[Path]:
    named = os.environ.get(ENV_FONT)
    found = [Path(named)] if named else []
    for folder in FONT_DIRS:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for name in KNOWN_FILES:
            found += sorted(root.rglob(name))
    return found


@cache
def fallback_font() -> tuple[str, frozenset[int]] | None:
    """The registered fallback font's name and the code points it draws, or ``None``."""
    for path in _candidates():
        try:
            font = TTFont(FALLBACK_FONT, str(path), subfontIndex=0)
        except (TTFError, OSError):
            continue  # CFF outlines, or unreadable: try the next one
        pdfmetrics.registerFont(font)
        return FALLBACK_FONT, frozenset(font.face.charToGlyph)
    return None


@cache
def covered_by(font_name: str) -> frozenset[int]:
    """The code points a registered TrueType font draws."""
    font = pdfmetrics.getFont(font_name)
    return frozenset(getattr(font.face, "charToGlyph", {}))


def with_fallback(markup: str, primary: str) -> str:
    """``markup`` (already escaped) with every run of characters ``primary`` cannot draw,
    and the fallback can, set in the fallback font."""
    if markup.isascii():
        return markup
    fallback = fallback_font()
    if fallback is None:
        return markup
    name, drawable = fallback
    have = covered_by(primary)

    def wrap(match: re.Match[str]) -> str:
        out: list[str] = []
        run: list[str] = []
        for ch in match.group(0):
            code = ord(ch)
            if code not in have and code in drawable:
                run.append(ch)
                continue
            if run:
                out.append(f'<font name="{name}">{"".join(run)}</font>')
                run = []
            out.append(ch)
        if run:
            out.append(f'<font name="{name}">{"".join(run)}</font>')
        return "".join(out)

    return _NOT_LATIN.sub(wrap, markup)
