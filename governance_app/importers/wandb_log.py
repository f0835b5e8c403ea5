"""One W&B run log decoded into what the run recorded: the run record, config and summary
updates, history (through :mod:`wandb_history`), logged artifacts, the exit record.

Record numbers and fields are those of ``wandb_internal.proto`` (:class:`wandb_records.F`).
Older wandb versions also wrote ``files/config.yaml``, ``wandb-summary.json`` and
``wandb-metadata.json``; these only fill what a log lacks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from governance_app.domain.registry import MetricSeries
from governance_app.importers import safe_io
from governance_app.importers import wandb_records as wr
from governance_app.importers.wandb_history import HistoryReader
from governance_app.importers.wandb_records import F

MAX_LOG_BYTES = 4 * 1024 * 1024 * 1024
NAMESPACE = "wandb://"


@dataclass
class LoggedArtifact:
    name: str
    type: str
    digest: str
    aliases: list[str]
    description: str
    metadata: dict[str, Any]
    entries: list[dict[str, Any]]
    digest_algorithm: str
    run_id: str
    project: str
    logged_at: datetime | None = None
    version: int = 0  # W&B's v0, v1… within the collection, in logging order

    @property
    def uri(self) -> str:
        """``wandb://<project>/<name>:v<N>``, as W&B names an artifact version."""
        return f"{NAMESPACE}{self.project}/{self.name}:v{self.version}"


@dataclass
class RunLog:
    file: Path
    run_id: str = ""
    project: str = ""
    entity: str = ""
    name: str = ""
    group: str = ""
    job_type: str = ""
    notes: str = ""
    host: str = ""
    user: str = ""
    tags: list[str] = field(default_factory=list)
    start: datetime | None = None
    exit_code: int | None = None
    runtime: int = 0
    config: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    series: dict[str, MetricSeries] = field(default_factory=dict)
    artifacts: list[LoggedArtifact] = field(default_factory=list)
    used: list[dict[str, str]] = field(default_factory=list)
    cut_at: int | None = None
    git: dict[str, str] = field(default_factory=dict)
    history: HistoryReader | None = None

    def __post_init__(self) -> None:
        self.history = HistoryReader(lambda key: self.series.setdefault(key, MetricSeries(key)))


def _item_path(item: dict[int, list[int | bytes]]) -> list[str]:
    nested = wr.texts(item, F.ITEM_NESTED_KEY)
    return nested or [wr.text(item, F.ITEM_KEY)]


def _apply(target: dict[str, Any], update: dict[int, list[int | bytes]]) -> None:
    """Apply a ConfigRecord/SummaryRecord: updates set nested keys, removes delete them."""
    for item in wr.messages(update, F.UPDATE):
        path = _item_path(item)
        node = target
        for key in path[:-1]:
            child = node.get(key)
            node = node.setdefault(key, {}) if not isinstance(child, dict) else child
            if not isinstance(node, dict):
                break
        node[path[-1]] = json.loads(wr.text(item, F.ITEM_VALUE_JSON) or "null")
    for item in wr.messages(update, F.REMOVE):
        path = _item_path(item)
        node = target
        for key in path[:-1]:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node.pop(path[-1], None)


def _artifact(run: RunLog, payload: bytes) -> LoggedArtifact:
    msg = wr.fields(payload)
    manifest = wr.message(msg, F.ART_MANIFEST)
    entries = [
        {"path": wr.text(e, F.ENTRY_PATH), "digest": wr.text(e, F.ENTRY_DIGEST),
         "size": wr.integer(e, F.ENTRY_SIZE), **({"ref": wr.text(e, F.ENTRY_REF)}
                                                   if wr.text(e, F.ENTRY_REF) else {})}
        for e in wr.messages(manifest, F.MANIFEST_CONTENTS)
    ]
    metadata_text = wr.text(msg, F.ART_METADATA)
    metadata = json.loads(metadata_text) if metadata_text else {}
    return LoggedArtifact(
        name=wr.text(msg, F.ART_NAME), type=wr.text(msg, F.ART_TYPE),
        digest=wr.text(msg, F.ART_DIGEST), aliases=sorted(wr.texts(msg, F.ART_ALIASES)),
        description=wr.text(msg, F.ART_DESCRIPTION),
        metadata=metadata if isinstance(metadata, dict) else {"value": metadata},
        entries=entries, digest_algorithm=wr.text(msg, F.ART_DIGEST_ALGORITHM),
        run_id=wr.text(msg, F.ART_RUN_ID) or run.run_id,
        project=wr.text(msg, F.ART_PROJECT) or run.project, logged_at=run.start,
    )


def _run_record(run: RunLog, payload: bytes) -> None:
    msg = wr.fields(payload)
    run.run_id = wr.text(msg, F.RUN_ID) or run.run_id
    run.entity = wr.text(msg, F.RUN_ENTITY)
    run.project = wr.text(msg, F.RUN_PROJECT) or run.project
    run.group, run.job_type = wr.text(msg, F.RUN_GROUP), wr.text(msg, F.RUN_JOB_TYPE)
    run.name, run.notes = wr.text(msg, F.RUN_DISPLAY_NAME), wr.text(msg, F.RUN_NOTES)
    run.tags, run.host = wr.texts(msg, F.RUN_TAGS), wr.text(msg, F.RUN_HOST)
    start = wr.message(msg, F.RUN_START_TIME)
    if start:
        run.start = datetime.fromtimestamp(wr.integer(start, F.TS_SECONDS), tz=UTC) + timedelta(
            microseconds=wr.integer(start, F.TS_NANOS) // 1000)
    if F.RUN_CONFIG in msg:
        _apply(run.config, wr.message(msg, F.RUN_CONFIG))
    git = wr.message(msg, F.RUN_GIT)
    if git:
        run.git = {"remote": wr.text(git, F.GIT_REMOTE), "commit": wr.text(git, F.GIT_COMMIT)}


def read_log(file: Path, *, partial: bool, root: Path | None = None) -> RunLog:
    """Decode one run's log.

    Raises:
        CorruptLog: the log is damaged and ``partial`` is false (names the byte offset).
        InputError: a record decodes as a protocol buffer but not as what W&B writes.
    """
    data = safe_io.read_bytes(file, limit=MAX_LOG_BYTES, root=root)
    run = RunLog(file)
    offset = 0
    pending = _PendingHistory(file, run.history)  # type: ignore[arg-type]
    try:
        for offset, payload in wr.read_records(file, data):
            try:
                found = wr.record_type(payload)
                if found is None:
                    continue
                number, body = found
                if number == F.REC_HISTORY:
                    pending.add(offset, body)
                    continue
                pending.flush()
                if number == F.REC_RUN:
                    _run_record(run, body)
                elif number == F.REC_CONFIG:
                    _apply(run.config, wr.fields(body))
                elif number == F.REC_SUMMARY:
                    _apply(run.summary, wr.fields(body))
                elif number == F.REC_ARTIFACT:
                    run.artifacts.append(_artifact(run, body))
                elif number == F.REC_EXIT:
                    msg = wr.fields(body)
                    run.exit_code = wr.integer(msg, F.EXIT_CODE)
                    run.runtime = wr.integer(msg, F.EXIT_RUNTIME)
                elif number == F.REC_USE_ARTIFACT:
                    msg = wr.fields(body)
                    run.used.append({"id": wr.text(msg, F.USE_ID), "type": wr.text(msg, F.USE_TYPE),
                                     "name": wr.text(msg, F.USE_NAME)})
                elif number == F.REC_ENVIRONMENT:
                    msg = wr.fields(body)
                    run.user = wr.text(msg, F.ENV_USERNAME) or run.user
                    run.host = run.host or wr.text(msg, F.ENV_HOST)
            except (wr.WireError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
                raise wr.CorruptLog(file, offset, f"a record does not decode: {exc}") from exc
        pending.flush()
    except wr.CorruptLog as damage:
        first = damage
        try:  # history records held back precede the damage: read them, or name theirs
            pending.flush()
        except wr.CorruptLog as earlier:
            first = earlier
        if not partial:
            raise first from first.__cause__
        run.cut_at = first.offset
    if not run.run_id:
        stem = file.stem
        run.run_id = stem[4:] if stem.startswith("run-") else stem
    # A key whose values were never numbers (media, tables) leaves an empty series: not a metric.
    run.series = {key: series for key, series in run.series.items() if len(series)}
    _fill_from_files(run, file.parent, root)
    run.config.pop("_wandb", None)
    run.summary.pop("_wandb", None)
    return run


class _PendingHistory:
    """History records held back to be read in batches (:meth:`HistoryReader.add_many`);
    those a batch cannot take are read one by one, a bad one named by its own offset."""

    BATCH = 4096

    def __init__(self, file: Path, history: HistoryReader) -> None:
        self.file = file
        self.history = history
        self.offsets: list[int] = []
        self.payloads: list[bytes] = []

    def add(self, offset: int, payload: bytes) -> None:
        self.offsets.append(offset)
        self.payloads.append(payload)
        if len(self.payloads) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Read what is held.

        Raises:
            CorruptLog: a held record does not decode (names its offset); the records
                before it have been read.
        """
        offsets, payloads = self.offsets, self.payloads
        self.offsets, self.payloads = [], []
        if not payloads:
            return
        if self.history.add_many(payloads):
            return
        # The first row of a new layout is read the general way, which learns the layout;
        # the rest is tried as a batch once more before going row by row.
        self._one_by_one(offsets[:1], payloads[:1])
        if not self.history.add_many(payloads[1:]):
            self._one_by_one(offsets[1:], payloads[1:])

    def _one_by_one(self, offsets: list[int], payloads: list[bytes]) -> None:
        for offset, payload in zip(offsets, payloads, strict=True):
            try:
                self.history.add(payload)
            except (wr.WireError, UnicodeDecodeError, json.JSONDecodeError,
                    RecursionError) as exc:
                raise wr.CorruptLog(self.file, offset,
                                    f"a record does not decode: {exc}") from exc


def _fill_from_files(run: RunLog, folder: Path, root: Path | None) -> None:
    """Older wandb also wrote config, summary and metadata as files; they fill what the log
    lacks (wandb 0.16 keeps user, host and git in ``wandb-metadata.json``, not in the log)."""
    config_file, summary_file = folder / "files" / "config.yaml", folder / "files" / (
        "wandb-summary.json")
    metadata_file = folder / "files" / "wandb-metadata.json"
    if metadata_file.is_file():
        metadata = safe_io.read_json(metadata_file, root=root)
        if isinstance(metadata, dict):
            run.user = run.user or str(metadata.get("username") or "")
            run.host = run.host or str(metadata.get("host") or "")
            git = metadata.get("git")
            if isinstance(git, dict) and not run.git:
                run.git = {"remote": str(git.get("remote") or ""),
                           "commit": str(git.get("commit") or "")}
    if not run.config and config_file.is_file():
        data = safe_io.read_yaml(config_file, root=root)
        if isinstance(data, dict):
            run.config = {k: (v.get("value") if isinstance(v, dict) and "value" in v else v)
                          for k, v in data.items() if k != "_wandb"}
    if not run.summary and summary_file.is_file():
        data = safe_io.read_json(summary_file, root=root)
        if isinstance(data, dict):
            run.summary = data
