"""One exception hierarchy for the whole application.

Front ends catch :class:`GovernanceError` and show its message; the CLI maps
:class:`InputError` (bad input, exit 2) and :class:`CheckFailed` (a check that did not pass,
exit 1). Nothing returns ``None`` to mean "failed".
"""

from __future__ import annotations

from pathlib import Path


class GovernanceError(Exception):
    """Root of every error the application raises on purpose."""

    exit_code = 2


class InputError(GovernanceError):
    """Input that cannot be accepted: names the file, the place in it and what was expected.

    Args:
        source: the file or folder the problem is in.
        problem: what is wrong, in words.
        location: ``"line 12"``, ``"line 3, column 7"`` or a field path such as
            ``"runs[2].metrics.val_auc"``; ``None`` when the whole file is at fault.
        expected: what a valid input holds at that place.
    """

    def __init__(
        self,
        source: str | Path,
        problem: str,
        *,
        location: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.source = str(source)
        self.problem = problem
        self.location = location
        self.expected = expected
        where = f"{self.source}, {location}" if location else self.source
        message = f"{where}: {problem}"
        if expected:
            message += f" (expected {expected})"
        super().__init__(message)


class UnknownSourceError(InputError):
    """A path that no importer recognises."""


class ImportCancelled(GovernanceError):
    """The user cancelled an import; nothing was stored."""


class NotFoundError(GovernanceError):
    """A named record (model, version, run) is not in the workspace."""


class WorkspaceError(GovernanceError):
    """The workspace database cannot be opened or used."""


class SchemaTooNewError(WorkspaceError):
    """The workspace was written by a newer governance-app whose schema this one does not know."""


class CheckFailed(GovernanceError):
    """A check ran and did not pass (a gate, a verification); the CLI exits 1."""

    exit_code = 1
