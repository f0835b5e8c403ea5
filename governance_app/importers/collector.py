"""Pausing Python's cyclic garbage collector while an import builds many objects.

Reading a source makes hundreds of thousands of small objects (parsed JSON, records, rows)
and no reference cycles: reference counting frees all of them. The collector does not know
that; its full passes rescan the whole growing heap, and they made importing 10,000 SageMaker
answers take a quarter more CPU (15 full passes, ~1 s) and reading a 1 MB ``dvc.lock`` grow
with the square of its size (2 s instead of 0.5 s). Whatever cycles are made meanwhile are
collected after the pause, by the collector's next pass.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the body with the cyclic collector off; it is back on afterwards if it was on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
