"""Store a :class:`RegistrySnapshot` idempotently inside the caller's transaction.

Records are matched by natural keys (experiment name, run id, model name + version) and
compared by content digest: a record that is new is added, one whose digest moved is updated,
one that is equal is left alone. Each added or updated record is listed as a change of the
import, so re-importing a newer export says exactly what moved. Metric histories are replaced
only when the source carries histories (MLflow REST answers carry the latest values only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from governance_app.domain.registry import Experiment, RegistrySnapshot, Run
from governance_app.store import codec
from governance_app.store.schema import (
    SqlChange,
    SqlDataset,
    SqlExperiment,
    SqlMetricSeries,
    SqlModelAlias,
    SqlModelVersion,
    SqlRegisteredModel,
    SqlRun,
    SqlRunInput,
)

Tick = Callable[[int, int, str], None]


@dataclass
class ChangeLog:
    """What an import did, entity by entity."""

    rows: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, entity: str, key: str, change: str) -> None:
        self.rows.append((entity, key, change))

    def summary(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for entity, _key, change in self.rows:
            name = f"{entity}_{change}"
            out[name] = out.get(name, 0) + 1
        return out


def save_snapshot(
    session: Session, snapshot: RegistrySnapshot, import_id: int, tick: Tick
) -> dict[str, int]:
    """Write the snapshot's records; returns the change summary (``runs_added`` …)."""
    log = ChangeLog()
    experiment_ids = _save_experiments(session, _all_experiments(snapshot), log)
    tick(1, 4, "experiments stored")
    _save_runs(session, snapshot.runs, experiment_ids, log, tick)
    tick(3, 4, "runs stored")
    _save_models(session, snapshot, log)
    tick(4, 4, "models stored")
    if log.rows:
        codec.insert_rows(session, SqlChange, [
            {"import_id": import_id, "entity": e, "key": k, "change": c} for e, k, c in log.rows
        ], 2000)
    return log.summary()


def _all_experiments(snapshot: RegistrySnapshot) -> list[Experiment]:
    """The snapshot's experiments plus any a run names without describing it."""
    named = {e.name: e for e in snapshot.experiments}
    for run in snapshot.runs:
        named.setdefault(run.experiment_name, Experiment(name=run.experiment_name))
    return list(named.values())


def _existing(session: Session, column: Any, keys: list[str], *extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for part in codec.chunks(keys):
        for row in session.execute(select(column, *extra).where(column.in_(part))):
            found[row[0]] = row
    return found


def _save_experiments(
    session: Session, experiments: list[Experiment], log: ChangeLog
) -> dict[str, int]:
    existing = _existing(
        session,
        SqlExperiment.name,
        [e.name for e in experiments],
        SqlExperiment.id,
        SqlExperiment.digest,
    )
    ids: dict[str, int] = {}
    for exp in experiments:
        digest = codec.experiment_digest(exp)
        values = {
            "name": exp.name,
            "source_id": exp.source_id,
            "artifact_location": exp.artifact_location,
            "lifecycle_stage": exp.lifecycle_stage,
            "created_at": exp.created_at,
            "updated_at": exp.updated_at,
            "tags": exp.tags,
            "digest": digest,
        }
        row = existing.get(exp.name)
        if row is None:
            ids[exp.name] = session.execute(
                insert(SqlExperiment).values(values).returning(SqlExperiment.id)
            ).scalar_one()
            log.add("experiment", exp.name, "added")
        else:
            ids[exp.name] = row.id
            if row.digest != digest and (exp.source_id or exp.tags or exp.artifact_location):
                session.execute(
                    update(SqlExperiment).where(SqlExperiment.id == row.id).values(values)
                )
                log.add("experiment", exp.name, "updated")
    return ids


def _dataset_ids(session: Session, runs: list[Run]) -> dict[tuple[str, str], int]:
    wanted = codec.distinct((i.name, i.digest) for r in runs for i in r.inputs)
    if not wanted:
        return {}
    ids: dict[tuple[str, str], int] = {}
    names = codec.distinct(n for n, _ in wanted)
    for part in codec.chunks(names):
        rows = session.execute(
            select(SqlDataset.name, SqlDataset.digest, SqlDataset.id).where(
                SqlDataset.name.in_(part)
            )
        )
        ids.update({(n, d): i for n, d, i in rows})
    first = {(i.name, i.digest): i for r in runs for i in r.inputs}
    missing = [first[key] for key in wanted if key not in ids]
    # One executemany, then the new ids read back: a pipeline run can read thousands of
    # datasets, and an INSERT … RETURNING per dataset cost seconds.
    codec.insert_rows(session, SqlDataset, [
        {"name": ds.name, "digest": ds.digest, "source_type": ds.source_type,
         "source": ds.source, "schema": ds.schema, "profile": ds.profile} for ds in missing])
    for part in codec.chunks(codec.distinct(ds.name for ds in missing)):
        rows = session.execute(
            select(SqlDataset.name, SqlDataset.digest, SqlDataset.id).where(
                SqlDataset.name.in_(part)
            )
        )
        ids.update({(n, d): i for n, d, i in rows if (n, d) not in ids})
    return ids


def _run_values(run: Run, experiment_id: int) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "experiment_id": experiment_id,
        "name": run.name,
        "user": run.user,
        "status": run.status,
        "start_time": run.start_time,
        "end_time": run.end_time,
        "artifact_uri": run.artifact_uri,
        "lifecycle_stage": run.lifecycle_stage,
        "params": run.params,
        "tags": run.tags,
        "latest_metrics": run.latest_metrics,
        "digest": codec.run_digest(run),
    }


def _save_runs(
    session: Session, runs: list[Run], experiment_ids: dict[str, int], log: ChangeLog, tick: Tick
) -> None:
    if not runs:
        return
    dataset_ids = _dataset_ids(session, runs)
    existing = _existing(session, SqlRun.run_id, [r.run_id for r in runs], SqlRun.id, SqlRun.digest)
    series_digests = _series_digests(session, [row.id for row in existing.values()])
    new_runs = [r for r in runs if r.run_id not in existing]
    run_pks: dict[str, int] = {}
    for part in codec.chunks(new_runs, 500):
        rows = session.execute(
            insert(SqlRun).returning(SqlRun.id, SqlRun.run_id, sort_by_parameter_order=True),
            [_run_values(r, experiment_ids[r.experiment_name]) for r in part],
        )
        run_pks.update({run_id: pk for pk, run_id in rows})
        tick(2, 4, f"{len(run_pks)} of {len(new_runs)} new runs stored")
    for run in new_runs:
        log.add("run", run.run_id, "added")
    replace_series: list[Run] = list(new_runs)
    replace_inputs: list[Run] = list(new_runs)
    for run in runs:
        row = existing.get(run.run_id)
        if row is None:
            continue
        run_pks[run.run_id] = row.id
        values = _run_values(run, experiment_ids[run.experiment_name])
        core_changed = row.digest != values["digest"]
        old_series = series_digests.get(row.id, {})
        new_series = {k: s.digest() for k, s in run.metrics.items()}
        series_changed = bool(run.metrics) and old_series != new_series
        if core_changed:
            session.execute(update(SqlRun).where(SqlRun.id == row.id).values(values))
            session.execute(delete(SqlRunInput).where(SqlRunInput.run_id == row.id))
            replace_inputs.append(run)
        if series_changed:
            session.execute(delete(SqlMetricSeries).where(SqlMetricSeries.run_id == row.id))
            replace_series.append(run)
        if core_changed or series_changed:
            log.add("run", run.run_id, "updated")
    series_rows = [
        codec.series_row(run_pks[r.run_id], s) for r in replace_series for s in r.metrics.values()
    ]
    codec.insert_rows(session, SqlMetricSeries, series_rows, 2000)
    input_rows = {
        (run_pks[r.run_id], dataset_ids[(i.name, i.digest)], i.context): i.tags
        for r in replace_inputs
        for i in r.inputs
    }
    if input_rows:
        codec.insert_rows(session, SqlRunInput, [
            {"run_id": r, "dataset_id": d, "context": c, "tags": t}
            for (r, d, c), t in input_rows.items()
        ], 2000)


def _series_digests(session: Session, run_pks: list[int]) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = {}
    for part in codec.chunks(run_pks):
        rows = session.execute(
            select(SqlMetricSeries.run_id, SqlMetricSeries.key, SqlMetricSeries.digest).where(
                SqlMetricSeries.run_id.in_(part)
            )
        )
        for run_pk, key, digest in rows:
            out.setdefault(run_pk, {})[key] = digest
    return out


def _save_models(session: Session, snapshot: RegistrySnapshot, log: ChangeLog) -> None:
    models = snapshot.models
    existing = _existing(
        session,
        SqlRegisteredModel.name,
        [m.name for m in models],
        SqlRegisteredModel.id,
        SqlRegisteredModel.digest,
    )
    for model in models:
        values = {
            "name": model.name,
            "description": model.description,
            "created_at": model.created_at,
            "updated_at": model.updated_at,
            "tags": model.tags,
            "digest": codec.model_digest(model),
        }
        row = existing.get(model.name)
        if row is None:
            model_pk = session.execute(
                insert(SqlRegisteredModel).values(values).returning(SqlRegisteredModel.id)
            ).scalar_one()
            log.add("model", model.name, "added")
        else:
            model_pk = row.id
            if row.digest != values["digest"]:
                session.execute(
                    update(SqlRegisteredModel)
                    .where(SqlRegisteredModel.id == model_pk)
                    .values(values)
                )
                log.add("model", model.name, "updated")
        _save_versions(session, model_pk, model.name, model.versions, log)
        _save_aliases(session, model_pk, model.name, model.aliases, log)


def _save_versions(
    session: Session, model_pk: int, model_name: str, versions: list, log: ChangeLog
) -> None:
    existing = {
        v: (pk, d)
        for pk, v, d in session.execute(
            select(SqlModelVersion.id, SqlModelVersion.version, SqlModelVersion.digest).where(
                SqlModelVersion.model_id == model_pk
            )
        )
    }
    new_rows = []
    for v in versions:
        values = {
            "model_id": model_pk,
            "version": v.version,
            "stage": v.stage,
            "description": v.description,
            "source": v.source,
            "run_id": v.run_id,
            "run_link": v.run_link,
            "status": v.status,
            "user": v.user,
            "created_at": v.created_at,
            "updated_at": v.updated_at,
            "tags": v.tags,
            "digest": codec.version_digest(v),
        }
        if v.version not in existing:
            new_rows.append(values)
            log.add("version", v.ref, "added")
        elif existing[v.version][1] != values["digest"]:
            session.execute(
                update(SqlModelVersion)
                .where(SqlModelVersion.id == existing[v.version][0])
                .values(values)
            )
            log.add("version", v.ref, "updated")
    if new_rows:
        session.execute(insert(SqlModelVersion.__table__), new_rows)


def _save_aliases(
    session: Session, model_pk: int, model_name: str, aliases: dict[str, int], log: ChangeLog
) -> None:
    current: dict[str, int] = dict(
        session.execute(
            select(SqlModelAlias.alias, SqlModelAlias.version).where(
                SqlModelAlias.model_id == model_pk
            )
        ).all()
    )
    if current == aliases or not aliases:
        return
    session.execute(delete(SqlModelAlias).where(SqlModelAlias.model_id == model_pk))
    session.execute(
        insert(SqlModelAlias.__table__),
        [{"model_id": model_pk, "alias": a, "version": v} for a, v in sorted(aliases.items())],
    )
    for alias, version in sorted(aliases.items()):
        if current.get(alias) != version:
            log.add(
                "alias", f"{model_name}@{alias}", "added" if alias not in current else "updated"
            )
