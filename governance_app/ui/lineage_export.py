"""Saving the lineage drawing as PNG or SVG (what the screen shows) and the graph as DOT.

PNG and SVG render the scene itself, so the file shows exactly the boxes, words and highlights
on screen; SVG keeps the labels as text (searchable, and checked by the tests). A 5,000-node
drawing is tens of thousands of pixels wide at full size, so PNGs are scaled down to at most
:data:`MAX_PNG_SIDE` pixels; at that scale the boxes drop their text, as on screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QGraphicsItem, QWidget

from governance_app.domain.lineage import LineageGraph
from governance_app.services.lineage import export_graph
from governance_app.ui.error_dialog import show_error
from governance_app.ui.lineage_scene import LineageScene

MAX_PNG_SIDE = 12_000
PNG_SCALE = 1.5
"""Pixels per scene unit in a PNG of a small graph: sharp when printed or zoomed."""
MARGIN = 20.0


def _source_rect(scene: LineageScene) -> QRectF:
    rect = scene.nodes_rect()
    for edge in scene.edge_items:
        rect = rect.united(edge.sceneBoundingRect())
    if rect.isEmpty():
        raise ValueError("there is no lineage drawing to export")
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


@contextmanager
def _uncached(scene: LineageScene) -> Iterator[None]:
    """Paint the boxes themselves, afresh: a cached box would reach an SVG as a bitmap."""
    items = list(scene.node_items.values())
    overview = scene.overview_on
    scene.set_overview(False)  # the boxes themselves, with their words, not the far-out picture
    for item in items:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    try:
        yield
    finally:
        for item in items:
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        scene.set_overview(overview)


def _background(scene: LineageScene) -> QColor:
    views = scene.views()
    return views[0].palette().color(QPalette.ColorRole.Base) if views else QColor("white")


def export_png(scene: LineageScene, path: Path) -> Path:
    """Render every drawn node and edge to a PNG at ``path``.

    Raises:
        ValueError: nothing is drawn.
        OSError: the file could not be written.
    """
    source = _source_rect(scene)
    scale = min(PNG_SCALE, MAX_PNG_SIDE / max(source.width(), source.height()))
    size = QSize(max(1, round(source.width() * scale)), max(1, round(source.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(_background(scene))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    with _uncached(scene):
        scene.render(painter, QRectF(0, 0, size.width(), size.height()), source,
                     Qt.AspectRatioMode.KeepAspectRatio)
    painter.end()
    if not image.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    return path


def export_svg(scene: LineageScene, path: Path, title: str = "Lineage") -> Path:
    """Render every drawn node and edge to an SVG at ``path``, labels kept as text.

    Raises:
        ValueError: nothing is drawn.
        OSError: the file could not be written.
    """
    source = _source_rect(scene)
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setTitle(title)
    generator.setDescription("Lineage graph exported by governance-app")
    generator.setSize(QSize(round(source.width()), round(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"could not write {path}")
    painter.fillRect(QRectF(0, 0, source.width(), source.height()), _background(scene))
    with _uncached(scene):
        scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    painter.end()
    if not path.exists():
        raise OSError(f"could not write {path}")
    return path


def export_dot(graph: LineageGraph, path: Path) -> Path:
    """Write ``graph`` (as shown: focus and collapsed namespaces applied) as Graphviz DOT.

    Raises:
        OSError: the file could not be written.
    """
    export_graph(graph, "dot", path)
    return path


def export_lineage(scene: LineageScene, graph: LineageGraph, path: Path) -> Path:
    """Save by suffix: ``.png`` or ``.svg`` (the drawing) or ``.dot`` (``graph``, as shown).

    Raises:
        ValueError: another suffix, or nothing drawn.
        OSError: the file could not be written.
    """
    suffix = path.suffix.lower()
    if suffix == ".png":
        return export_png(scene, path)
    if suffix == ".svg":
        return export_svg(scene, path, title="Lineage")
    if suffix == ".dot":
        return export_dot(graph, path)
    raise ValueError(f"cannot export lineage as {suffix or 'a file without a suffix'}")


def export_with_dialog(parent: QWidget, scene: LineageScene, graph: LineageGraph,
                       suffix: str) -> Path | None:
    """Ask for a file name, then save; ``None`` if cancelled or failed (the error is shown)."""
    filters = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)",
               "dot": "Graphviz DOT (*.dot)"}
    name, _ = QFileDialog.getSaveFileName(parent, "Export lineage", f"lineage.{suffix}",
                                          filters[suffix])
    if not name:
        return None
    target = Path(name)
    if target.suffix.lower() != f".{suffix}":
        target = target.with_suffix(f".{suffix}")
    try:
        return export_lineage(scene, graph, target)
    except Exception as exc:  # noqa: BLE001 - shown in the one error dialog
        show_error(parent, exc, f"Exporting lineage to {target.name}")
        return None
