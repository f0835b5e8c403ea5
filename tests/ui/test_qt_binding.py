"""The Qt binding must not corrupt the interpreter.

PySide6 6.12.0 on Python 3.11 drops a reference to ``None`` on every call that returns
nothing; after a few thousand calls (one lineage scene of 2,000 nodes) Python aborts with
"none_dealloc". pyproject.toml pins below it; this test catches any release that regresses.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsRectItem, QLabel


def test_void_qt_calls_keep_the_reference_count_of_none(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    item = QGraphicsRectItem(0, 0, 1, 1)
    point = QPointF()
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setEnabled(True)
        item.setZValue(2)
        point.setX(3)
    # A few references may come and go with unrelated objects; thousands may not go.
    assert sys.getrefcount(None) - before > -100
