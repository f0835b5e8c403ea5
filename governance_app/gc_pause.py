"""Pause Python's cyclic garbage collector around bulk work.

Decoding a cached state or replaying a long chain makes 100,000s of small objects that are
never cyclic garbage; while they pile up the collector keeps rescanning the growing heap and
can take as long as the work itself. Reference counting still frees everything as usual, and
whatever cycles are made meanwhile are collected by the collector's next pass after the block.

Imports gain as much: reading a source makes hundreds of thousands of small objects (parsed
JSON, records, rows) and no cycles; the collector's full passes made importing 10,000 SageMaker
answers take a quarter more CPU (15 full passes, ~1 s) and reading a 1 MB ``dvc.lock`` grow with
the square of its size (2 s instead of 0.5 s).
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused(*, freeze: bool = False) -> Iterator[None]:
    """Disable the collector for the block (re-enabled after it only if it was on before).

    Args:
        freeze: the block made objects the process keeps to its end (a decoded board state):
            move everything alive to the collector's permanent generation
            (:func:`gc.freeze`), else the first collection after the block rescans them all.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if paused:
            gc.enable()


ONE_COMMAND_THRESHOLDS = (50_000, 20, 20)
"""The collector's thresholds for a process that runs one command and exits (default 700, 10,
10): a young collection every 50,000 net allocations instead of every 700."""

_DEFAULT_THRESHOLDS = gc.get_threshold()


def tune_for_one_command() -> None:
    """Make the cyclic collector cheap for a process that runs one command-line verb and exits.

    Such a process builds its objects once, mostly without cycles (reference counting frees
    them), and exits. With the default thresholds the collector still ran dozens of young and
    several full passes over the growing heap of ``inventory --json`` (5,000 models, 50,000
    findings), and the interpreter's last full pass at exit rescanned everything once more:
    about 0.2 s of its ~1.2 s CPU (``benchmarks/bench_inventory.py``). Raised thresholds keep
    collecting, only less often (a verb that makes much cyclic garbage still frees it); freezing
    at exit (:func:`gc.freeze`, registered with :mod:`atexit`, so it runs after the verb and
    before the interpreter's final pass) skips that pass over objects the exit frees anyway.
    Cyclic garbage left then is not finalized by the collector: nothing of this app relies on
    that (workspaces close their connections in a ``with`` block, standard output is flushed
    by the interpreter). The window's process undoes this with :func:`tune_for_long_running`.
    """
    global _frozen_at_exit
    gc.set_threshold(*ONE_COMMAND_THRESHOLDS)
    if not _frozen_at_exit:
        atexit.register(_freeze_if_still_one_command)
        _frozen_at_exit = True


def tune_for_long_running() -> None:
    """Back to the interpreter's default collection for a process that lives on (the window)."""
    gc.set_threshold(*_DEFAULT_THRESHOLDS)


_frozen_at_exit = False


def _freeze_if_still_one_command() -> None:
    if gc.get_threshold() == ONE_COMMAND_THRESHOLDS:
        gc.freeze()
