"""DVC project records: stages with their commands, dependencies, outputs and parameters.

What the DVC importer reads from ``dvc.yaml``, ``dvc.lock``, ``params.yaml`` and ``*.dvc``
files, before it becomes lineage. Paths are *repository paths*: POSIX, relative to the project
folder, with the stage's ``wdir`` already applied, so two stages naming one file by different
relative paths still meet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class DvcFile:
    """One dependency or output of a stage.

    Attributes:
        path: repository path (``wdir`` applied, normalised).
        md5: the hash ``dvc.lock`` (or the ``.dvc`` file) recorded; ``…​.dir`` for a folder.
        size: bytes (a folder: the sum of its files), when recorded.
        nfiles: files in a folder output, when recorded.
        kind: ``dep``, ``out``, ``metric`` or ``plot``.
        cache: whether DVC caches the output (``cache: false`` for most metrics files).
    """

    path: str
    md5: str = ""
    size: int | None = None
    nfiles: int | None = None
    kind: str = "out"
    cache: bool = True

    @property
    def is_dir(self) -> bool:
        """A folder output: DVC writes its hash with a ``.dir`` suffix."""
        return self.md5.endswith(".dir")

    def facet(self) -> dict[str, Any]:
        """What the lineage node keeps of it (only what was recorded)."""
        out: dict[str, Any] = {"path": self.path, "kind": self.kind}
        if self.md5:
            out["md5"] = self.md5
        if self.size is not None:
            out["size"] = self.size
        if self.nfiles is not None:
            out["nfiles"] = self.nfiles
        if self.is_dir:
            out["isdir"] = True
        if not self.cache:
            out["cache"] = False
        return out


@dataclass(slots=True)
class DvcStage:
    """One stage of ``dvc.yaml`` (after ``foreach``/``matrix`` expansion) or one ``.dvc`` file.

    Attributes:
        name: the stage name as ``dvc dag`` prints it (``train``, ``train@us``, or the
            ``.dvc`` file's repository path).
        dvcfile: the file that defines it (``dvc.yaml`` or ``data/raw/x.dvc``).
        wdir: the working directory, a repository path (``.`` for the project folder).
        cmd: the command as written (never run); ``""`` for a ``.dvc`` file.
        deps, outs: dependencies and outputs (outputs include metrics and plots files).
        params: parameter values per params file, as the lock recorded them (else as read
            from the params file).
        frozen: ``frozen: true``: DVC will not reproduce it.
        always_changed: ``always_changed: true``: DVC always reproduces it.
        locked: ``dvc.lock`` holds an entry for it.
        lock_cmd: the command the lock recorded, when it differs from ``cmd`` (the stage
            changed since it last ran).
        metrics: values read from its metrics files, by file.
    """

    name: str
    dvcfile: str
    wdir: str = "."
    cmd: str = ""
    deps: list[DvcFile] = field(default_factory=list)
    outs: list[DvcFile] = field(default_factory=list)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    frozen: bool = False
    always_changed: bool = False
    locked: bool = False
    lock_cmd: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def is_data_source(self) -> bool:
        """A ``.dvc`` file (``dvc add``/``dvc import``): data enters the project here."""
        return self.dvcfile.endswith(".dvc")

    @property
    def status(self) -> str:
        """A word for people: frozen, changed, never run, or locked (recorded in the lock)."""
        if self.frozen:
            return "FROZEN"
        if self.is_data_source:
            return "TRACKED"
        if not self.locked:
            return "NEVER RUN"
        if self.lock_cmd:
            return "CHANGED"
        return "LOCKED"


@dataclass(slots=True)
class DvcProject:
    """A DVC project folder read completely.

    Attributes:
        name: the project's name in node ids (the folder name unless given).
        stages: every stage and data source, in ``dvc.yaml`` order, then ``.dvc`` files.
        lock_schema: the ``dvc.lock`` schema read (``2.0``), ``""`` without a lock.
        lock_writer: which DVC major wrote that lock form (``DVC 3.x``, ``2.x``, ``1.x``).
        notes: what was assumed while reading.
    """

    name: str
    stages: list[DvcStage] = field(default_factory=list)
    lock_schema: str = ""
    lock_writer: str = ""
    notes: list[str] = field(default_factory=list)
    declared: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Files the top-level ``metrics``/``plots``/``artifacts`` sections name, by repository
    path: their roles, an artifact's name/type/description/labels, a plot's axes, and a
    metrics file's values when it is in the folder."""
