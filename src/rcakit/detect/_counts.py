"""The window x service x template count matrix (schema ``WINDOW_COUNTS`` + extras).

Input: a ``TEMPLATED_RECORDS`` frame (or any frame with ``timestamp``, ``service``,
``template_id`` and ``severity_number``). Output: one row per (window, service, template)
that has at least one record, with the columns of :data:`rcakit.schemas.WINDOW_COUNTS`
plus ``n_warnings``, ``n_errors``, ``max_severity``, ``first_seen`` and ``last_seen``.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta

import polars as pl

from rcakit._fields import failed_call, neighbour_time
from rcakit.errors import ConfigError, RcakitWarning, SchemaError
from rcakit.schemas import UTC_US, WINDOW_COUNTS

__all__ = ["NO_SERVICE", "count_windows", "window_timedelta"]

#: Service name used for records whose ``service`` is null.
NO_SERVICE = "(no service)"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INDEX_WINDOW = re.compile(r"^\s*(\d+)\s*i\s*$")
WARN = 13
ERROR = 17


def window_timedelta(window: str) -> timedelta:
    """Convert a polars duration string (``"30s"``, ``"1m"``, ``"1h"``) to a timedelta.

    Raises
    ------
    ConfigError
        If ``window`` is not a positive fixed-length polars duration.
    """
    try:
        end = pl.select(pl.lit(_EPOCH, dtype=UTC_US).dt.offset_by(window)).item()
    except Exception as exc:  # polars raises several error types for bad durations
        msg = f"window={window!r} is not a polars duration such as '30s', '1m', '5m' or '1h'"
        raise ConfigError(msg) from exc
    delta = end - _EPOCH
    if delta <= timedelta(0) or any(u in window for u in ("mo", "y", "q")):
        msg = f"window={window!r} must be a positive fixed-length duration such as '1m' or '5m'"
        raise ConfigError(msg)
    return delta


def _prepare(frame: pl.DataFrame, *, stage: str) -> pl.DataFrame:
    """Check the needed columns, fill missing service/severity, fill timestamps forward."""
    needed = {"timestamp": UTC_US, "template_id": pl.String}
    schema = frame.collect_schema()
    missing = [c for c in needed if c not in schema]
    if missing:
        msg = (
            f"{stage}: the frame lacks column(s) {missing}; pass the output of "
            "rcakit.mine_templates(rcakit.read_logs(...)) (schema TEMPLATED_RECORDS)"
        )
        raise SchemaError(msg)
    if schema["timestamp"] != UTC_US:
        msg = f"{stage}: column 'timestamp' must be {UTC_US}, got {schema['timestamp']}"
        raise SchemaError(msg)
    cols = []
    if "service" not in schema:
        cols.append(pl.lit(NO_SERVICE).alias("service"))
    else:
        cols.append(pl.col("service").fill_null(NO_SERVICE))
    if "severity_number" not in schema:
        cols.append(pl.lit(0, dtype=pl.UInt8).alias("severity_number"))
    else:
        cols.append(pl.col("severity_number").fill_null(0))
    cols.append(pl.col("template_id").fill_null("(no template)"))
    out = frame.with_columns(cols)
    n_null = out.get_column("timestamp").null_count()
    if n_null:
        # a record without its own time belongs where it sits in its file
        out = out.with_columns(neighbour_time(schema))
        left = out.get_column("timestamp").null_count()
        if left:
            warnings.warn(
                f"{stage}: {left} record(s) have no timestamp and no timed neighbour in their "
                "file; they are left out of the count matrix",
                RcakitWarning,
                stacklevel=3,
            )
            out = out.filter(pl.col("timestamp").is_not_null())
    return out


def _window_starts(frame: pl.DataFrame, window: str) -> pl.DataFrame:
    """Add ``window_start``: time buckets, or blocks of N records for ``"<N>i"``."""
    m = _INDEX_WINDOW.match(window)
    if m is None:
        window_timedelta(window)  # validates
        return frame.with_columns(pl.col("timestamp").dt.truncate(window).alias("window_start"))
    size = int(m.group(1))
    if size <= 0:
        msg = f"window={window!r}: a record-count window needs a positive size such as '20i'"
        raise ConfigError(msg)
    # blocks of `size` records in input order; each block is stamped with its first time,
    # nudged by whole microseconds so that block starts are strictly increasing
    frame = frame.with_row_index("_row").with_columns((pl.col("_row") // size).alias("_block"))
    starts = (
        frame.group_by("_block")
        .agg(pl.col("timestamp").min().alias("_t"))
        .sort("_block")
        .with_columns(pl.col("_t").dt.epoch("us").alias("_us"))
        .with_columns(
            ((pl.col("_us") - pl.col("_block")).cum_max() + pl.col("_block"))
            .cast(pl.Datetime("us"))
            .dt.replace_time_zone("UTC")
            .alias("window_start")
        )
        .select("_block", "window_start")
    )
    return frame.join(starts, on="_block", how="left").drop("_row", "_block")


def count_windows(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    window: str = "1m",
) -> pl.DataFrame:
    """Count records per time window x service x template.

    Parameters
    ----------
    frame
        Templated records (schema ``TEMPLATED_RECORDS``; only ``timestamp``,
        ``template_id`` are required, ``service`` and ``severity_number`` are used when
        present). Records without a timestamp take the time of the previous record of
        the same file (a continuation line); any left without one are skipped with an
        :class:`~rcakit.errors.RcakitWarning`.
    window
        Window size as a polars duration (``"30s"``, ``"1m"``, ``"5m"``), or ``"<N>i"``
        for blocks of N consecutive records (e.g. ``"20i"``, as in the BGL benchmark);
        a block's ``window_start`` is its first timestamp.

    Returns
    -------
    pl.DataFrame
        Schema ``WINDOW_COUNTS`` (``window_start``, ``service``, ``template_id``,
        ``n_events``) plus ``n_warnings`` (records with severity >= WARN, OpenTelemetry
        13), ``n_errors`` (>= ERROR, 17, or whose ``attributes`` say the call failed: an
        HTTP status >= 500, a gRPC server error such as ``Internal``), ``max_severity``, ``first_seen`` and
        ``last_seen`` (times of the first and last record in the cell). Only non-empty
        cells are present; sorted by window, service, template. ``n_events`` sums to the
        number of timed input records.

    Raises
    ------
    SchemaError
        If required columns are missing or mistyped.
    ConfigError
        If ``window`` is not a valid duration.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import datetime, UTC
    >>> f = pl.DataFrame({
    ...     "timestamp": [datetime(2024, 1, 1, 0, 0, s, tzinfo=UTC) for s in (1, 2, 61)],
    ...     "service": ["api", "api", "api"], "template_id": ["a", "a", "b"],
    ...     "severity_number": [9, 9, 17]}, schema_overrides={"severity_number": pl.UInt8}
    ... ).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))
    >>> count_windows(f, window="1m").select("template_id", "n_events", "n_errors").rows()
    [('a', 2, 0), ('b', 1, 1)]
    """
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    prepared = _window_starts(_prepare(frame, stage="count_windows"), window)
    sev = pl.col("severity_number")
    # a call the record's fields say failed (gRPC Internal, HTTP 503) is an error at any level
    failed = failed_call(prepared)
    counts = (
        prepared.group_by("window_start", "service", "template_id")
        .agg(
            pl.len().cast(pl.UInt32).alias("n_events"),
            ((sev >= WARN) | failed).sum().cast(pl.UInt32).alias("n_warnings"),
            ((sev >= ERROR) | failed).sum().cast(pl.UInt32).alias("n_errors"),
            sev.max().cast(pl.UInt8).alias("max_severity"),
            pl.col("timestamp").min().alias("first_seen"),
            pl.col("timestamp").max().alias("last_seen"),
        )
        .sort("window_start", "service", "template_id")
    )
    return counts.select(*WINDOW_COUNTS, "n_warnings", "n_errors", "max_severity", "first_seen", "last_seen")
