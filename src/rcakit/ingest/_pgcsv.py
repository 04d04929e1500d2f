"""PostgreSQL's ``csvlog`` (``log_destination = 'csvlog'``): CSV rows with no header.

The columns are PostgreSQL's, in its order (:data:`COLUMNS`; 13 added ``backend_type``,
14 ``leader_pid`` and ``query_id``). A row's message is followed by its ``DETAIL``,
``HINT``, ``CONTEXT`` and ``STATEMENT`` on lines of their own, as the server's text log
writes them (so a database reads alike in either destination); ``LOG`` is informational.
The other columns are attributes. Quoted fields may span lines: a record's ``n_lines``
counts them (see :func:`rcakit.ingest._csv_export._records`).
"""

from __future__ import annotations

import csv
import re

import polars as pl

from rcakit.ingest._base import NO_ATTRIBUTES, RECORD_COLUMNS, FileFormat, ParseOptions
from rcakit.ingest._csv_export import _read_rows, _records
from rcakit.ingest._jsonl import encode_attributes, timestamp_expr
from rcakit.ingest._severity import severity_columns

__all__ = ["COLUMNS", "FORMAT"]

#: the csvlog columns, PostgreSQL 9.0 to 17
COLUMNS = (
    "log_time", "user_name", "database_name", "process_id", "connection_from", "session_id",
    "session_line_num", "command_tag", "session_start_time", "virtual_transaction_id", "transaction_id",
    "error_severity", "sql_state_code", "message", "detail", "hint", "internal_query", "internal_query_pos",
    "context", "query", "query_pos", "location", "application_name", "backend_type", "leader_pid", "query_id",
)
_SEVERITY = re.compile(r"^(?:DEBUG[1-5]?|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC)$")
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?(?: [A-Za-z0-9+\-:]+)?$")
#: the fields that follow the message in the text log, with its labels
_PARTS = (("detail", "DETAIL"), ("hint", "HINT"), ("context", "CONTEXT"), ("query", "STATEMENT"))


def _row_fields(line: str) -> list[str] | None:
    try:
        return next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return None


def _sniff(sample: list[str]) -> float:
    rows = [f for line in sample[:20] if (f := _row_fields(line)) is not None and len(f) >= 22]
    good = [f for f in rows if _STAMP.match(f[0]) and _SEVERITY.match(f[11]) and re.match(r"^[0-9A-Z]{5}$", f[12])]
    # a quoted message spanning lines makes some sample lines no row at all: judge the rows
    return 1.0 if good and len(good) >= 0.8 * len(rows) else 0.0


def _parse(text: str | bytes, options: ParseOptions) -> pl.DataFrame:
    recs = _records(text)
    if recs.height == 0:
        return pl.DataFrame(schema=RECORD_COLUMNS)
    # (record 0 is a row here, not a header: blank lines before it are part of it)
    width = max((len(f) for f in map(_row_fields, recs["record"].head(50).to_list()) if f), default=len(COLUMNS))
    names = list(COLUMNS[:width]) + [f"column_{i + 1}" for i in range(len(COLUMNS), width)]
    rows = _read_rows(",".join(names), recs["record"], ",")
    rows = rows.with_columns(pl.when(pl.col(c).str.len_bytes() > 0).then(pl.col(c)).alias(c) for c in rows.columns)
    sample = rows["log_time"].drop_nulls().head(200).to_list()
    sev_text, sev_num = severity_columns(pl.col("error_severity"))
    present = set(rows.columns)
    body = pl.concat_str(
        [pl.col("message")]
        + [pl.format(f"\n{label}:  {{}}", pl.col(c)) for c, label in _PARTS if c in present],
        ignore_nulls=True,
    )
    used = {"log_time", "error_severity", "message", "_csv_error", *(c for c, _ in _PARTS)}
    attrs = {c: pl.col(c) for c in rows.columns if c not in used}
    out = pl.concat([rows, recs.select("line_no", "n_lines")], how="horizontal").lazy().select(
        timestamp_expr(pl.col("log_time"), sample, options).alias("timestamp"),
        sev_text.alias("severity_text"),
        sev_num.alias("severity_number"),
        pl.lit(None, dtype=pl.String).alias("service"),
        body.alias("body"),
        pl.lit(None, dtype=pl.String).alias("trace_id"),
        encode_attributes(attrs) if options.wants("attributes") else NO_ATTRIBUTES,
        "line_no",
        "n_lines",
        (pl.col("_csv_error") if "_csv_error" in present else pl.lit(None, dtype=pl.String)).alias("parse_error"),
    ).collect()
    if "_csv_error" in present:
        out = out.with_columns(
            body=pl.when(pl.col("parse_error").is_not_null()).then(recs["record"]).otherwise(pl.col("body"))
        )
    return out.select(list(RECORD_COLUMNS)).cast(RECORD_COLUMNS)


FORMAT = FileFormat(
    name="postgres-csv",
    description="PostgreSQL csvlog (CSV rows with no header: log_time, user, database, ..., error_severity, message)",
    sniff=_sniff,
    parse=_parse,
    takes_bytes=True,
)
