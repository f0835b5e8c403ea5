"""Fingerprints as people read them aloud: a module of its own so that the command line can
print them without loading the cryptography library (``--help`` and ``--version`` stay fast)."""

from __future__ import annotations


def grouped(fp: str) -> str:
    """A fingerprint in groups of four for people to compare aloud: ``3f2a 9c01 …``."""
    return " ".join(fp[i : i + 4] for i in range(0, len(fp), 4))
