"""Prediction tables (CSV, Parquet) as fairness evidence for a model version.

The reader reads and validates the table and the user's settings completely (columns present,
a binary prediction or a score with a threshold, sensitive attributes named) and hands back the
rows with the file's SHA-256, schema and row count. The numbers are computed from that snapshot
by the fairness service before anything is stored (``importers`` may not import
``analytics``: the layers stay independent), and only those results reach the database; the
rows stay in the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance_app.errors import InputError
from governance_app.importers.file_checks import require_table_size
from governance_app.importers.registry import ImportContext, importer
from governance_app.importers.safe_io import decode_utf8, read_bytes, sha256_of_path

if TYPE_CHECKING:  # pandas loads when a table is read: the CLI and the window start without it
    import pandas as pd

KIND = "predictions"
SUFFIXES = (".csv", ".parquet", ".pq")
DEFAULT_BOOTSTRAP = 200
DEFAULT_SEED = 20261125
DEFAULT_MIN_GROUP_SIZE = 30
DEFAULT_TAU = 0.8
CONVENTIONS = ("strict", "fairlearn")
ENGINES = ("auto", "memory", "duckdb", "spark")
LAZY_BYTES = 64 * 1024 * 1024
"""Under ``engine: auto`` a file at least this large is not read here: an engine counts it where
it lies (:mod:`governance_app.engines`), so the import never holds its rows in memory."""
_KNOWN = ("label", "prediction", "score", "threshold", "sensitive", "features", "bins",
          "reference", "min_group_size", "bootstrap", "seed", "convention", "tau",
          "slice_metric", "top_k")


@dataclass(frozen=True, slots=True)
class PredictionSettings:
    """What the user said about a prediction table; every field shapes the stored numbers.

    Attributes:
        label: column of true labels (binary).
        prediction: column of binary predictions, or ``None`` when a score and threshold are.
        score / threshold: score column and the cut at or above which it predicts positive.
        sensitive: sensitive attribute columns; each alone and every intersection is analysed.
        features: further columns for the slice finder (none: no slice search).
        bins: numeric sensitive attribute -> bin edges.
        reference: reference group, ``"value"`` for one attribute or ``"v1|v2"`` for all of them;
            ``None`` means the largest group.
        min_group_size: smaller groups are flagged, not ranked or judged.
        bootstrap / seed: resamples for confidence intervals (0 = none) and the seed.
        convention: ``"strict"`` (undefined stays undefined) or ``"fairlearn"``.
        tau: parity threshold (four-fifths rule: 0.8).
        slice_metric / top_k: what the slice finder looks for and how many it keeps.
    """

    label: str
    sensitive: tuple[str, ...]
    prediction: str | None = None
    score: str | None = None
    threshold: float | None = None
    features: tuple[str, ...] = ()
    bins: dict[str, list[float]] = field(default_factory=dict)
    reference: str | None = None
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    bootstrap: int = DEFAULT_BOOTSTRAP
    seed: int = DEFAULT_SEED
    convention: str = "strict"
    tau: float = DEFAULT_TAU
    slice_metric: str = "error_rate"
    top_k: int = 10

    def columns(self) -> list[str]:
        """Every column these settings read."""
        named = [self.label, self.prediction, self.score, *self.sensitive, *self.features]
        return list(dict.fromkeys(c for c in named if c))

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values, stored with the results (and digested for idempotence)."""
        return {
            "label": self.label, "prediction": self.prediction, "score": self.score,
            "threshold": self.threshold, "sensitive": list(self.sensitive),
            "features": list(self.features), "bins": {k: list(v) for k, v in self.bins.items()},
            "reference": self.reference, "min_group_size": self.min_group_size,
            "bootstrap": self.bootstrap, "seed": self.seed, "convention": self.convention,
            "tau": self.tau, "slice_metric": self.slice_metric, "top_k": self.top_k,
        }


def _names(value: object, field_name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(",") if p.strip())
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InputError(f"--{field_name}", f"{value!r}", expected="column names, comma-separated")


def _number(value: object, field_name: str, kind: type, low: float, high: float) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise InputError(f"--{field_name}", f"{value!r} is not a number",
                         expected=f"a {kind.__name__}") from None
    if not low <= number <= high or (kind is int and float(value) != number):  # type: ignore[arg-type]
        raise InputError(f"--{field_name}", f"{value!r}", expected=f"a {kind.__name__} in "
                         f"[{low}, {high}]")
    return number


def parse_settings(settings: Mapping[str, Any]) -> PredictionSettings:
    """Validate import settings into :class:`PredictionSettings`.

    Raises:
        InputError: an unknown setting, a missing label or sensitive attribute, neither a
            prediction nor a score with a threshold, or an out-of-range number.
    """
    unknown = sorted(set(settings) - set(_KNOWN))
    if unknown:
        raise InputError("settings", f"unknown setting(s) {unknown}", expected=f"of {_KNOWN}")
    get = {k: v for k, v in settings.items() if v is not None}
    if not get.get("label"):
        raise InputError("--label", "no label column given",
                         expected="--label COL naming the true labels")
    sensitive = _names(get.get("sensitive"), "sensitive")
    if not sensitive:
        raise InputError("--sensitive", "no sensitive attribute given",
                         expected="--sensitive COL[,COL...]")
    prediction, score = get.get("prediction"), get.get("score")
    threshold = get.get("threshold")
    if prediction is None and (score is None or threshold is None):
        raise InputError("--prediction", "no prediction column, and no score with a threshold",
                         expected="--prediction COL, or --score COL with --threshold T")
    bins = get.get("bins", {})
    if not isinstance(bins, Mapping):
        raise InputError("--bins", f"{bins!r}", expected="attribute -> list of bin edges")
    convention = get.get("convention", "strict")
    if convention not in CONVENTIONS:
        raise InputError("--convention", f"{convention!r}", expected=f"one of {CONVENTIONS}")
    return PredictionSettings(
        label=str(get["label"]), sensitive=sensitive,
        prediction=None if prediction is None else str(prediction),
        score=None if score is None else str(score),
        threshold=None if threshold is None else _number(threshold, "threshold", float,
                                                         -1e300, 1e300),
        features=_names(get.get("features"), "features"),
        bins={str(k): [float(e) for e in v] for k, v in bins.items()},
        reference=None if get.get("reference") is None else str(get["reference"]),
        min_group_size=_number(get.get("min_group_size", DEFAULT_MIN_GROUP_SIZE),
                               "min-group-size", int, 1, 10**12),
        bootstrap=_number(get.get("bootstrap", DEFAULT_BOOTSTRAP), "bootstrap", int, 0, 100_000),
        seed=_number(get.get("seed", DEFAULT_SEED), "seed", int, 0, 2**63 - 1),
        convention=str(convention),
        tau=_number(get.get("tau", DEFAULT_TAU), "tau", float, 1e-9, 1.0),
        slice_metric=str(get.get("slice_metric", "error_rate")),
        top_k=_number(get.get("top_k", 10), "top", int, 1, 1000),
    )


def parse_model_ref(source: Path | str, model: str | None) -> tuple[str, int]:
    """``NAME:VERSION`` -> ``(name, version)``.

    Raises:
        InputError: no model given, or no integer version after the last colon.
    """
    if not model:
        raise InputError(source, "a prediction table needs the model version it belongs to",
                         expected="--model NAME:VERSION")
    name, _, version = model.rpartition(":")
    if not name or not version.isdigit():
        raise InputError("--model", f"{model!r}", expected="NAME:VERSION, e.g. credit_default:4")
    return name, int(version)


_CSV_LINE = re.compile(r"line (\d+)")


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV (UTF-8) or Parquet file into a DataFrame.

    Raises:
        InputError: unreadable, empty, not UTF-8 (with the line), a malformed CSV line (named),
            or not a Parquet file.
    """
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(path, f"unknown suffix {path.suffix!r}",
                         expected="a .csv or .parquet file")
    if not path.exists():
        raise InputError(path, "does not exist", expected="a .csv or .parquet file")
    require_table_size(path)
    if suffix == ".csv":
        try:
            return pd.read_csv(path, encoding="utf-8", encoding_errors="strict")
        except pd.errors.EmptyDataError:
            raise InputError(path, "the file is empty",
                             expected="a header line and at least one row") from None
        except pd.errors.ParserError as exc:
            found = _CSV_LINE.search(str(exc))
            raise InputError(path, f"malformed CSV: {str(exc).strip()}",
                             location=f"line {found.group(1)}" if found else None,
                             expected="the same number of fields on every line") from None
        except UnicodeDecodeError:
            decode_utf8(path, read_bytes(path))  # raises, naming the line
            raise
        except OSError as exc:
            raise InputError(path, f"cannot be read: {exc}") from None
    try:
        return pd.read_parquet(path, engine="pyarrow")
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc}") from None
    except Exception as exc:  # pyarrow's ArrowInvalid and friends: not a Parquet file
        raise InputError(path, f"is not a readable Parquet file ({exc})",
                         expected="a Parquet file written by pandas, pyarrow, Spark, ...") from None


def table_schema(frame: pd.DataFrame) -> dict[str, str]:
    """Column name -> dtype name, in file order."""
    return {str(c): str(t) for c, t in frame.dtypes.items()}


def check_columns(path: Path | str, frame: pd.DataFrame, settings: PredictionSettings) -> None:
    """Every column the settings name is in the table, and the table has rows.

    Raises:
        InputError: names every missing column (and lists the table's), or says it is empty.
    """
    missing = [c for c in settings.columns() if c not in frame.columns]
    if missing:
        raise InputError(path, f"missing column{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(map(repr, missing))}", location="columns",
                         expected=f"the table's columns {list(map(str, frame.columns))[:30]}")
    if len(frame) == 0:
        raise InputError(path, "the table has no rows", expected="at least one row")
    unbinned = [a for a in settings.bins if a not in settings.sensitive]
    if unbinned:
        raise InputError("--bins", f"bins for {unbinned}, which are not sensitive attributes",
                         expected=f"bins for some of {list(settings.sensitive)}")


@dataclass(frozen=True, slots=True, eq=False)
class PredictionTableSnapshot:
    """A validated prediction table, ready to be analysed and stored against a model version.

    ``frame`` is ``None`` when an engine is to count the rows where they lie (``engine`` names
    it: ``duckdb``, ``spark``, or ``auto`` for a large file); the row count is then the
    Parquet footer's (``None`` for CSV until counted).
    """

    source: str
    source_sha256: str
    model: str
    version: int
    settings: PredictionSettings
    schema: dict[str, str]
    frame: pd.DataFrame | None = field(repr=False)
    kind: str = KIND
    engine: str = "memory"
    rows: int | None = None
    counted: dict[str, int] = field(default_factory=dict, repr=False)
    """Filled by the engine's analysis (``rows``) when the reader could not count them."""

    @property
    def row_count(self) -> int | None:
        if self.frame is not None:
            return len(self.frame)
        return self.rows if self.rows is not None else self.counted.get("rows")

    def counts(self) -> dict[str, int]:
        rows = {} if self.row_count is None else {"rows": self.row_count}
        return {**rows, "columns": len(self.schema),
                "sensitive_attributes": len(self.settings.sensitive)}


def _parquet_rows(path: Path) -> int | None:
    """The row count from a Parquet footer (cheap); ``None`` for CSV or an unreadable footer."""
    if path.suffix.lower() == ".csv":
        return None
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except Exception:  # not Parquet after all: the engine will say so, naming the file
        return None


def _parquet_schema(path: Path) -> dict[str, str]:
    """Column name -> Arrow type from a Parquet footer; empty for CSV (the engine reports it)."""
    if path.suffix.lower() == ".csv":
        return {}
    import pyarrow.parquet as pq

    try:
        return {f.name: str(f.type) for f in pq.ParquetFile(path).schema_arrow}
    except Exception:  # not Parquet after all: the engine will say so, naming the file
        return {}


def detect(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in SUFFIXES


@importer(KIND, "prediction table for fairness (.csv, .parquet; --model, --label, --sensitive)",
          detect)
def read(path: Path, ctx: ImportContext) -> PredictionTableSnapshot:
    """Read and validate a prediction table and its settings; nothing is computed or stored.

    Raises:
        InputError: no ``--model``, bad settings, unreadable file, missing columns, no rows.
    """
    name, version = parse_model_ref(path, ctx.options.model)
    options = dict(ctx.options.settings)
    engine = str(options.pop("engine", None) or "auto")
    if engine not in ENGINES:
        raise InputError("--engine", f"{engine!r}", expected=f"one of {', '.join(ENGINES)}")
    settings = parse_settings(options)
    if engine in ("duckdb", "spark") or (engine == "auto"
                                         and path.stat().st_size >= LAZY_BYTES):
        ctx.report(1, 3, "computing the file's SHA-256")
        digest = sha256_of_path(path)
        ctx.report(3, 3, f"{path.name} will be counted by the {engine} engine")
        return PredictionTableSnapshot(str(path), digest, name, version, settings,
                                       _parquet_schema(path), None, engine=engine,
                                       rows=_parquet_rows(path))
    ctx.report(0, 3, f"reading {path.name}")
    frame = read_table(path)
    ctx.check_cancelled()
    check_columns(path, frame, settings)
    ctx.report(1, 3, "computing the file's SHA-256")
    digest = sha256_of_path(path)
    ctx.report(3, 3, f"read {len(frame):,} rows")
    return PredictionTableSnapshot(str(path), digest, name, version, settings,
                                   table_schema(frame), frame)
