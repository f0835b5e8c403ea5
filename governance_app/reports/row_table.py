"""A fast table of one-line text rows that splits across pages and repeats its header.

Why not platypus ``Table``: an audit report prints tens of thousands of event rows, and
``Table`` draws every cell as its own text object (and, without reportlab's C accelerator,
formats every coordinate in Python): ~60 % of a 200-page report's time. Rows of plain text in
fixed-height lines need none of that: this flowable draws each column of a page as one text
object (one line per row) and the rules as one path, so a page costs a few operations per
cell. Cells are cut to their column with an ellipsis; text stays extractable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

PADDING = 2.0


@dataclass(frozen=True, slots=True)
class Column:
    """A column: header text, width as a fraction of the frame, and its font."""

    header: str
    fraction: float
    font: str
    right: bool = False
    """Right-align (numbers): padded to equal length, so give it a monospaced ``font``."""
    fits: bool = False
    """Every cell is known to fit (fixed-format times, short hashes): not measured."""


class RowTable(Flowable):
    """Rows of plain strings under a header repeated on every page the table reaches."""

    def __init__(self, columns: Sequence[Column], rows: Sequence[Sequence[str]], frame: float,
                 *, font_size: float, row_height: float, header_font: str,
                 header_fill: colors.Color, rule: colors.Color, fitted: bool = False) -> None:
        super().__init__()
        self.columns = list(columns)
        self.frame = frame
        self.widths = [c.fraction * frame for c in self.columns]
        self.font_size, self.row_height = font_size, row_height
        self.header_font, self.header_fill, self.rule = header_font, header_fill, rule
        self.rows = rows if fitted else [self._fit(row) for row in rows]

    def _fit(self, row: Sequence[str]) -> list[str]:
        return [str(cell) if column.fits else
                fit(str(cell), column.font, self.font_size, width - 2 * PADDING)
                for cell, column, width in zip(row, self.columns, self.widths, strict=True)]

    def _copy(self, rows: Sequence[Sequence[str]]) -> RowTable:
        return RowTable(self.columns, rows, self.frame, font_size=self.font_size,
                        row_height=self.row_height, header_font=self.header_font,
                        header_fill=self.header_fill, rule=self.rule, fitted=True)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = sum(self.widths)
        self.height = (len(self.rows) + 1) * self.row_height
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        fits = int(available_height // self.row_height) - 1
        if fits < 3 or fits >= len(self.rows):  # too little room: move whole to the next page
            return []
        return [self._copy(self.rows[:fits]), self._copy(self.rows[fits:])]

    def draw(self) -> None:
        canvas, h = self.canv, self.row_height
        top = (len(self.rows) + 1) * h
        canvas.saveState()
        canvas.setFillColor(self.header_fill)
        canvas.rect(0, top - h, self.width, h, stroke=0, fill=1)
        canvas.setStrokeColor(self.rule)
        canvas.setLineWidth(0.25)
        rules = canvas.beginPath()
        for index in range(len(self.rows) + 2):
            rules.moveTo(0, top - index * h)
            rules.lineTo(self.width, top - index * h)
        canvas.drawPath(rules, stroke=1, fill=0)
        canvas.setFillColor(colors.black)
        baseline = top - h + (h - self.font_size) / 2 + 0.2 * self.font_size
        x = 0.0
        for index, (column, width) in enumerate(zip(self.columns, self.widths, strict=True)):
            canvas.setFont(self.header_font, self.font_size)
            canvas.drawString(x + PADDING, baseline, column.header)
            cells = [row[index] for row in self.rows]
            left = x + PADDING
            if column.right and cells:
                longest = max(len(c) for c in cells)
                cells = [c.rjust(longest) for c in cells]
                left = x + width - PADDING - stringWidth(cells[0], column.font, self.font_size)
            lines = canvas.beginText(left, baseline - h)
            lines.setFont(column.font, self.font_size, h)
            for cell in cells:
                lines.textLine(cell)
            canvas.drawText(lines)
            x += width
        canvas.restoreState()


@lru_cache(maxsize=4096)
def fit(value: str, font: str, size: float, limit: float) -> str:
    """``value`` cut to ``limit`` points with an ellipsis; most fit, so measure only the long."""
    if len(value) * size <= limit:  # no DejaVu Sans glyph is wider than 1 em
        return value
    if stringWidth(value, font, size) <= limit:
        return value
    while value and stringWidth(value + "…", font, size) > limit:
        value = value[:-1]
    return value + "…"
