"""Read an ML Metadata store: its SQLite file (read-only) or the JSON export of its messages.

The SQLite file is opened with ``mode=ro`` through a URI, so nothing can be written to it, and
refused before any query unless it is a SQLite database holding MLMD's tables (``Artifact``,
``Execution``, ``Event``, ``Context``, ``Type``, ``MLMDEnv``). The JSON export is what MLMD's
``MessageToJson`` writes (camelCase, int64 as strings, enum names). Both become the same
:class:`MlmdStore`; property wrappers are unwrapped (``stringValue`` → text, a
``structValue`` → its JSON value, and KFP's ``{"struct": …}``/``{"list": …}`` wrapper around a
struct or a list → what it wraps).
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
from pathlib import Path
from typing import Any

from governance_app.domain.mlmd import (
    MlmdArtifact,
    MlmdContext,
    MlmdEvent,
    MlmdExecution,
    MlmdStore,
)
from governance_app.errors import InputError
from governance_app.importers.protobuf_struct import decode_struct

SQLITE_MAGIC = b"SQLite format 3\x00"
MLMD_TABLES = frozenset({"Artifact", "Execution", "Event", "Context", "Type", "MLMDEnv"})
STRUCT_PREFIX = "mlmd-struct::"
EXECUTION_STATES = ("UNKNOWN", "NEW", "RUNNING", "COMPLETE", "FAILED", "CACHED", "CANCELED")
ARTIFACT_STATES = ("UNKNOWN", "PENDING", "LIVE", "MARKED_FOR_DELETION", "DELETED",
                   "ABANDONED", "REFERENCE")
EVENT_TYPES = ("UNKNOWN", "DECLARED_OUTPUT", "DECLARED_INPUT", "INPUT", "OUTPUT",
               "INTERNAL_INPUT", "INTERNAL_OUTPUT", "PENDING_OUTPUT")


def is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def unwrap(value: Any) -> Any:
    """KFP's ``{"struct": x}``/``{"list": x}`` wrapper → ``x``; anything else unchanged."""
    if isinstance(value, dict) and len(value) == 1:
        (key, inner), = value.items()
        if key in ("struct", "list"):
            return inner
    return value


def _string_value(path: Path, where: str, text: str) -> Any:
    if not text.startswith(STRUCT_PREFIX):
        return text
    try:
        return unwrap(decode_struct(base64.b64decode(text[len(STRUCT_PREFIX):], validate=True)))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InputError(path, f"{where} holds a struct that cannot be decoded: {exc}",
                         location=where, expected="mlmd-struct:: and a base64 Struct") from exc


def read_sqlite(path: Path) -> MlmdStore:
    """Every artifact, execution, event and context of an MLMD SQLite store, read-only.

    Raises:
        InputError: the file is not SQLite, or not an ML Metadata store.
    """
    if not is_sqlite(path):
        raise InputError(path, "is not a SQLite database",
                         expected="an ML Metadata store (metadata.sqlite)")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise InputError(path, f"cannot be opened read-only: {exc}") from exc
    try:
        con.execute("PRAGMA query_only = ON")
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = sorted(MLMD_TABLES - tables)
        if missing:
            raise InputError(path, f"has no ML Metadata table {missing[0]!r}",
                             expected="an ML Metadata store (metadata.sqlite)")
        return _from_sqlite(path, con)
    except sqlite3.DatabaseError as exc:
        raise InputError(path, f"cannot be read as SQLite: {exc}",
                         expected="an ML Metadata store (metadata.sqlite)") from exc
    finally:
        con.close()


def _from_sqlite(path: Path, con: sqlite3.Connection) -> MlmdStore:
    types = dict(con.execute("SELECT id, name FROM Type"))
    version = con.execute("SELECT max(schema_version) FROM MLMDEnv").fetchone()[0]
    store = MlmdStore(schema_version=str(version or ""))
    props = _sqlite_properties(path, con, "ArtifactProperty", "artifact_id")
    for aid, type_id, uri, state, name, created in con.execute(
        "SELECT id, type_id, uri, state, name, create_time_since_epoch FROM Artifact"
    ):
        store.artifacts[aid] = MlmdArtifact(aid, types.get(type_id, ""), uri or "", name or "",
                                            _enum(ARTIFACT_STATES, state), props.get(aid, {}),
                                            created)
    props = _sqlite_properties(path, con, "ExecutionProperty", "execution_id")
    for eid, type_id, state, name, created, updated in con.execute(
        "SELECT id, type_id, last_known_state, name, create_time_since_epoch,"
        " last_update_time_since_epoch FROM Execution"
    ):
        store.executions[eid] = MlmdExecution(eid, types.get(type_id, ""),
                                              _enum(EXECUTION_STATES, state), name or "",
                                              props.get(eid, {}), created, updated)
    keys: dict[int, str] = {}
    for event_id, key in con.execute(
        "SELECT event_id, step_key FROM EventPath WHERE step_key IS NOT NULL"
    ):
        keys.setdefault(event_id, key)
    for event_id, aid, eid, etype, ms in con.execute(
        "SELECT id, artifact_id, execution_id, type, milliseconds_since_epoch FROM Event"
        " ORDER BY id"
    ):
        store.events.append(MlmdEvent(aid, eid, _enum(EVENT_TYPES, etype),
                                      keys.get(event_id, ""), ms))
    props = _sqlite_properties(path, con, "ContextProperty", "context_id")
    for cid, type_id, name, created in con.execute(
        "SELECT id, type_id, name, create_time_since_epoch FROM Context"
    ):
        store.contexts[cid] = MlmdContext(cid, types.get(type_id, ""), name,
                                          props.get(cid, {}), created)
    for cid, eid in con.execute("SELECT context_id, execution_id FROM Association ORDER BY id"):
        store.executions_of.setdefault(cid, []).append(eid)
    for cid, aid in con.execute("SELECT context_id, artifact_id FROM Attribution ORDER BY id"):
        store.artifacts_of.setdefault(cid, []).append(aid)
    for child, parent in con.execute("SELECT context_id, parent_context_id FROM ParentContext"):
        store.parents.setdefault(child, []).append(parent)
    return store


def _enum(names: tuple[str, ...], value: int | None) -> str:
    if value is None:
        return ""
    return names[value] if 0 <= value < len(names) else str(value)


def _sqlite_properties(
    path: Path, con: sqlite3.Connection, table: str, column: str
) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for owner, name, ival, dval, sval, bval in con.execute(
        f"SELECT {column}, name, int_value, double_value, string_value, bool_value"  # noqa: S608
        f" FROM {table}"
    ):
        if sval is not None:
            value: Any = _string_value(path, f"{table}[{owner}].{name}", sval)
        elif dval is not None:
            value = dval
        elif ival is not None:
            value = ival
        elif bval is not None:
            value = bool(bval)
        else:
            value = None
        out.setdefault(owner, {})[name] = value
    return out


def read_export(path: Path, data: Any) -> MlmdStore:
    """An MLMD JSON export (``artifacts``, ``executions``, ``events``, ``contexts`` …).

    Raises:
        InputError: a required field is missing or of the wrong type (names it).
    """
    if not isinstance(data, dict):
        raise InputError(path, "top level is not an object", expected="an MLMD JSON export")
    store = MlmdStore(schema_version=str(data.get("ml_metadata_version", "")))
    types = {}
    for section in ("artifactTypes", "executionTypes", "contextTypes"):
        for t in _list(path, data, section):
            types[str(t.get("id"))] = str(t.get("name", ""))
    for i, a in enumerate(_list(path, data, "artifacts")):
        where = f"artifacts[{i}]"
        aid = _int(path, a.get("id"), f"{where}.id")
        store.artifacts[aid] = MlmdArtifact(
            aid, str(a.get("type") or types.get(str(a.get("typeId")), "")), str(a.get("uri", "")),
            str(a.get("name", "")), str(a.get("state", "")),
            _json_properties(path, a.get("customProperties"), where),
            _opt_int(a.get("createTimeSinceEpoch")))
    for i, e in enumerate(_list(path, data, "executions")):
        where = f"executions[{i}]"
        eid = _int(path, e.get("id"), f"{where}.id")
        store.executions[eid] = MlmdExecution(
            eid, str(e.get("type") or types.get(str(e.get("typeId")), "")),
            str(e.get("lastKnownState", "")), str(e.get("name", "")),
            _json_properties(path, e.get("customProperties"), where),
            _opt_int(e.get("createTimeSinceEpoch")), _opt_int(e.get("lastUpdateTimeSinceEpoch")))
    for i, ev in enumerate(_list(path, data, "events")):
        where = f"events[{i}]"
        steps = (ev.get("path") or {}).get("steps") or []
        key = next((s.get("key") for s in steps if isinstance(s, dict) and "key" in s), "")
        store.events.append(MlmdEvent(
            _int(path, ev.get("artifactId"), f"{where}.artifactId"),
            _int(path, ev.get("executionId"), f"{where}.executionId"),
            str(ev.get("type", "")), str(key or ""), _opt_int(ev.get("millisecondsSinceEpoch"))))
    for i, c in enumerate(_list(path, data, "contexts")):
        where = f"contexts[{i}]"
        cid = _int(path, c.get("id"), f"{where}.id")
        store.contexts[cid] = MlmdContext(
            cid, str(c.get("type") or types.get(str(c.get("typeId")), "")),
            str(c.get("name", "")), _json_properties(path, c.get("customProperties"), where),
            _opt_int(c.get("createTimeSinceEpoch")))
    for i, link in enumerate(_list(path, data, "associations")):
        store.executions_of.setdefault(
            _int(path, link.get("contextId"), f"associations[{i}].contextId"), []
        ).append(_int(path, link.get("executionId"), f"associations[{i}].executionId"))
    for i, link in enumerate(_list(path, data, "attributions")):
        store.artifacts_of.setdefault(
            _int(path, link.get("contextId"), f"attributions[{i}].contextId"), []
        ).append(_int(path, link.get("artifactId"), f"attributions[{i}].artifactId"))
    for i, link in enumerate(_list(path, data, "parentContexts")):
        store.parents.setdefault(
            _int(path, link.get("childId"), f"parentContexts[{i}].childId"), []
        ).append(_int(path, link.get("parentId"), f"parentContexts[{i}].parentId"))
    return store


def _list(path: Path, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InputError(path, f"{key} is not a list of objects", location=key,
                         expected="a list of MLMD messages")
    return value


def _int(path: Path, value: Any, where: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InputError(path, f"{where} is {value!r}", location=where,
                         expected="an id (an integer, or its text)") from None


def _opt_int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


_WRAPPERS = ("stringValue", "intValue", "doubleValue", "boolValue", "structValue", "protoValue")


def _json_properties(path: Path, props: Any, where: str) -> dict[str, Any]:
    if props is None:
        return {}
    if not isinstance(props, dict):
        raise InputError(path, f"{where}.customProperties is not an object",
                         location=f"{where}.customProperties", expected="name: value")
    out: dict[str, Any] = {}
    for name, wrapped in props.items():
        if not isinstance(wrapped, dict) or not wrapped:
            out[name] = wrapped
            continue
        key, value = next(iter(wrapped.items()))
        if key == "intValue":
            value = _opt_int(value)
        elif key == "structValue":
            value = unwrap(value)
        elif key == "stringValue" and isinstance(value, str):
            value = _string_value(path, f"{where}.customProperties.{name}", value)
        elif key not in _WRAPPERS:
            value = wrapped
        out[name] = value
    return out
