"""The platypus base every report is built on: fonts, styles, tables, figures, footer, metadata.

Why these choices:

* Fonts are DejaVu Sans, embedded as TrueType from matplotlib's bundled copy, so names such as
  "Zoë Ångström-Łukasiewicz" print and extract correctly on any reader (the 14 standard PDF
  fonts only cover Latin-1 and are not embedded).
* Charts are the same matplotlib ``Figure`` the screen shows, embedded as raster images at
  :data:`FIGURE_DPI`: reportlab cannot place a vector PDF/SVG page without ``svglib`` or
  ``pdfrw``, which we do not ship. The figure is drawn once by Agg and its pixels go straight
  into one Flate stream (:class:`RasterFigure`): encoding a PNG only for reportlab to decode
  and re-compress it cost more than drawing. Streams are binary, not ASCII85 (reportlab's
  default, pure Python here: ~0.1 s per chart for nothing a reader sees).
* "Page X of Y" needs the page count before the footer is drawn: :class:`_FooterCanvas`
  keeps each page's state and draws every footer once the document is complete.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from matplotlib.figure import Figure
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    Flowable,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from governance_app.errors import InputError

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_MONO = "DejaVuSansMono"
FIGURE_DPI = 120
PAGE_SIZES = {"A4": A4, "letter": LETTER}
MARGIN = 18 * mm
FOOTER_GAP = 12 * mm
GRID = colors.HexColor("#B8B8B8")
HEADER_FILL = colors.HexColor("#E8EEF4")
PASS, FAIL, WARN, INFO = "#009E73", "#D55E00", "#E69F00", "#0072B2"


@cache
def register_fonts() -> str:
    """Register DejaVu Sans (regular, bold, oblique, mono) once; return the family name.

    Raises:
        FileNotFoundError: matplotlib's bundled fonts are missing (a broken install).
    """
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name in (FONT, FONT_BOLD, FONT_ITALIC, FONT_MONO):
        pdfmetrics.registerFont(TTFont(name, str(folder / f"{name}.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic=FONT_BOLD)
    return FONT


@dataclass(frozen=True, slots=True)
class Styles:
    """The handful of paragraph styles every report uses."""

    title: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_head: ParagraphStyle
    mono: ParagraphStyle
    empty: ParagraphStyle


@cache
def styles() -> Styles:
    """Styles in DejaVu Sans (registered on first use)."""
    register_fonts()
    # A word too long for its cell breaks after a hyphen it already has ("production-" /
    # "promotion"), never mid-word ("production-promotio" / "n"); reportlab splits
    # mid-word only when a word has no hyphen at all (a digest).
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, spaceAfter=4,
                          embeddedHyphenation=1)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0)
    return Styles(
        title=ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=20, leading=25,
                             spaceAfter=6),
        h1=ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=14, leading=18,
                          spaceBefore=12, spaceAfter=6, textColor=colors.HexColor("#1F3A5F")),
        h2=ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=11, leading=14,
                          spaceBefore=8, spaceAfter=4),
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5),
        cell=cell,
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=2),
        cell_head=ParagraphStyle("cell_head", parent=cell, fontName=FONT_BOLD),
        mono=ParagraphStyle("mono", parent=cell, fontName=FONT_MONO, fontSize=7, leading=9),
        empty=ParagraphStyle("empty", parent=body, fontName=FONT_ITALIC,
                             textColor=colors.HexColor("#555555")),
    )


def text(value: object) -> str:
    """Escape a value for a Paragraph (platypus reads a tiny XML dialect); characters DejaVu
    cannot draw (CJK) are set in a fallback font (:mod:`.glyph_fallback`)."""
    escaped = escape(str(value))
    if escaped.isascii():
        return escaped
    from governance_app.reports.glyph_fallback import with_fallback

    register_fonts()
    return with_fallback(escaped, FONT)


def para(value: object, style: ParagraphStyle | None = None) -> Paragraph:
    return Paragraph(text(value), style or styles().body)


def verdict(word: str) -> str:
    """A verdict as a coloured word with a symbol: never colour alone (UI.md)."""
    tint, mark = {"pass": (PASS, "✓"), "fail": (FAIL, "✗"), "warning": (WARN, "!"),
                  "approve": (PASS, "✓"), "reject": (FAIL, "✗")}.get(word.lower(),
                                                                     ("#666666", "–"))
    return f'<font color="{tint}">{mark} {text(word)}</font>'


Cell = str | Paragraph


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[float],
    frame: float,
    *,
    right: Sequence[int] = (),
    markup: bool = False,
) -> LongTable:
    """A table that splits across pages and repeats its header row on each.

    Args:
        widths: column widths as fractions of the frame width (they should sum to 1).
        frame: the frame width in points.
        right: column indexes whose cells are right-aligned (numbers).
        markup: cells are already platypus markup (not escaped again).
    """
    st = styles()
    cells: list[list[Cell]] = [[Paragraph(text(h), st.cell_head) for h in header]]
    for row in rows:
        out: list[Cell] = []
        for index, value in enumerate(row):
            if isinstance(value, Flowable):
                out.append(value)
                continue
            style = st.cell_right if index in right else st.cell
            out.append(Paragraph(str(value) if markup else text(value), style))
        cells.append(out)
    table = LongTable(cells, colWidths=[w * frame for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def figure_image(figure: Figure, frame: float, max_height: float | None = None, *,
                 dpi: float = FIGURE_DPI, turned_max_height: float | None = None) -> Flowable:
    """The figure as an image scaled to the frame width ``frame`` (and ``max_height``).

    Drawn once with Agg at ``dpi`` now (so a figure can be closed or reused afterwards); the
    pixels are compressed once when the page is written.

    Args:
        turned_max_height: for a drawing much wider than tall (a lineage graph), the height it
            may take when turned a quarter (read with the page turned, as printed atlases do);
            it is turned only when that prints it at least 1.2 times larger.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image as PilImage

    canvas = FigureCanvasAgg(figure)
    figure.set_dpi(dpi)
    canvas.draw()
    rgba = canvas.buffer_rgba()
    pixels = PilImage.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA",
                                 0, 1).convert("RGB")
    width_in, height_in = figure.get_size_inches()
    scale = frame / (width_in * 72)
    if max_height is not None:
        scale = min(scale, max_height / (height_in * 72))
    if turned_max_height is not None:
        turned = min(frame / (height_in * 72), turned_max_height / (width_in * 72))
        if turned >= 1.2 * scale:
            pixels = pixels.transpose(PilImage.Transpose.ROTATE_90)
            return RasterFigure(pixels, height_in * 72 * turned, width_in * 72 * turned)
    return RasterFigure(pixels, width_in * 72 * scale, height_in * 72 * scale)


class RasterFigure(Flowable):
    """A drawn chart: RGB pixels placed at a fixed size (centred in the frame)."""

    def __init__(self, pixels: Any, width: float, height: float) -> None:
        super().__init__()
        self._reader = ImageReader(pixels)
        self.width, self.height = width, height
        self.hAlign = "CENTER"

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self._reader, 0, 0, self.width, self.height, mask=None)


@dataclass(frozen=True, slots=True)
class Footer:
    """What every page's footer says (the page numbers are added when the document ends)."""

    left: str
    right: str
    second_line: str


def page_size(name: str) -> tuple[float, float]:
    """Raises InputError for anything but ``A4`` or ``letter`` (case-insensitive)."""
    for key, size in PAGE_SIZES.items():
        if key.lower() == name.lower():
            return size
    raise InputError("--page-size", f"unknown page size {name!r}", expected="A4 or letter")


def build_pdf(
    target: Path | io.BytesIO,
    story_for_width: Callable[[float], list[Flowable]],
    *,
    size: tuple[float, float],
    footer: Footer,
    metadata: dict[str, str],
    page_done: Callable[[int], None] | None = None,
) -> None:
    """Lay out the story on ``size`` pages with the footer on each, and write the PDF.

    Args:
        story_for_width: builds the flowables from the frame width in points, so tables and
            images size themselves to the page.
        metadata: ``title``, ``author``, ``subject``, ``keywords`` (the PDF Info dictionary).
        page_done: called with each page number as it is laid out (progress; it may raise to
            cancel, and then nothing is written).
    """
    register_fonts()
    doc = _Template(page_done,
        target if isinstance(target, io.BytesIO) else str(target), pagesize=size,
        leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER_GAP, title=metadata.get("title", ""),
        author=metadata.get("author", ""), subject=metadata.get("subject", ""),
        keywords=metadata.get("keywords", ""), creator="governance-app", lang="en")
    story = story_for_width(size[0] - 2 * MARGIN)

    def make_canvas(*args: Any, **kwargs: Any) -> _FooterCanvas:
        return _FooterCanvas(*args, footer=footer, **kwargs)

    ascii85 = rl_config.useA85
    rl_config.useA85 = 0  # binary streams: see the module docstring
    try:
        doc.build(story, canvasmaker=make_canvas)
    finally:
        rl_config.useA85 = ascii85


class _Template(SimpleDocTemplate):
    """A SimpleDocTemplate that reports each finished page."""

    def __init__(self, page_done: Callable[[int], None] | None, *args: Any,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._page_done = page_done

    def afterPage(self) -> None:  # noqa: N802 - reportlab's name
        if self._page_done is not None:
            self._page_done(self.page)


def spacer(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)


class _FooterCanvas(pdfcanvas.Canvas):
    """Defers each page until the end so its footer can say "page X of Y"."""

    def __init__(self, *args: Any, footer: Footer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        width, _ = self._pagesize
        y = MARGIN
        self.saveState()
        self.setStrokeColor(GRID)
        self.setLineWidth(0.4)
        self.line(MARGIN, y + 9 * mm, width - MARGIN, y + 9 * mm)
        self.setFont(FONT, 7.5)
        self.setFillColor(colors.HexColor("#333333"))
        self.drawString(MARGIN, y + 5 * mm, self._footer.left)
        self.drawRightString(width - MARGIN, y + 5 * mm,
                             f"{self._footer.right} · page {number} of {total}")
        self.setFont(FONT_MONO, 6.5)
        self.drawString(MARGIN, y + 1.5 * mm, self._footer.second_line)
        self.restoreState()
