"""Render the app icon's PNG sizes from its SVG with Qt's own SVG renderer.

Desktop environments pick a PNG from the hicolor theme at the size they need (16 in a menu,
256 or 512 in a software centre); drawing them from the one SVG keeps every size the same
picture. Run it after changing ``resources/icons/governance-app.svg``:

    QT_QPA_PLATFORM=offscreen python packaging/render_icons.py [--out resources/icons/hicolor]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SVG = REPO / "resources" / "icons" / "governance-app.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICON_NAME = "governance-app"


def render(svg: Path, size: int, target: Path) -> Path:
    """Draw ``svg`` into a transparent ``size``×``size`` PNG at ``target``.

    Raises:
        ValueError: the SVG cannot be parsed by Qt.
        OSError: the PNG cannot be written.
    """
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: Qt cannot read this SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target), "PNG"):
        raise OSError(f"could not write {target}")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=SVG)
    parser.add_argument("--out", type=Path, default=REPO / "resources" / "icons" / "hicolor")
    args = parser.parse_args(argv)
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for size in SIZES:
        print(render(args.svg, size, args.out / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
