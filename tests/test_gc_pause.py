"""The collector's pause and its tuning for a one-command process, run in a fresh interpreter
(a test must not leave this process's collector paused, frozen or re-tuned)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import gc
from governance_app.gc_pause import (ONE_COMMAND_THRESHOLDS, gc_paused, tune_for_long_running,
                                     tune_for_one_command)
default = gc.get_threshold()
with gc_paused():
    assert not gc.isenabled()
assert gc.isenabled()
gc.disable()
with gc_paused():
    pass
assert not gc.isenabled(), "a collector that was off stays off"
gc.enable()
before = gc.get_freeze_count()
with gc_paused(freeze=True):
    kept = [[i] for i in range(1000)]
assert gc.get_freeze_count() >= before + 1000
tune_for_one_command()
tune_for_one_command()
assert gc.get_threshold() == ONE_COMMAND_THRESHOLDS
tune_for_long_running()
assert gc.get_threshold() == default
print("ok")
"""


def test_pause_freeze_and_tuning_in_a_fresh_process() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
