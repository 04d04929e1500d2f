"""Frame contracts between the pipeline stages.

Each table that flows from one stage to the next has a named ``pl.Schema`` here. Public
functions check their input with :func:`check_schema`; extra columns always pass through.

Column names follow the OpenTelemetry log data model where a choice was needed
(``timestamp``, ``severity_text``, ``severity_number``, ``body``, ``trace_id``,
``attributes``); see ``docs/schema.md``.

``LOG_RECORDS``
    What :func:`rcakit.read_logs` returns: one row per log record (a record may span
    several physical lines, e.g. a stack trace).
``TEMPLATED_RECORDS``
    ``LOG_RECORDS`` plus the template columns added by :func:`rcakit.mine_templates`.
``WINDOW_COUNTS``
    The window x service x template count matrix used by detection.
``CHANGES``
    Change events (deployments, config changes, feature flags, ...).
"""

from __future__ import annotations

import polars as pl

from rcakit.errors import SchemaError

__all__ = [
    "CHANGES",
    "LOG_RECORDS",
    "TEMPLATED_RECORDS",
    "UTC_US",
    "WINDOW_COUNTS",
    "check_schema",
]

UTC_US = pl.Datetime("us", time_zone="UTC")

LOG_RECORDS = pl.Schema(
    {
        # When the event happened, UTC, microseconds; null when the record carries no time.
        "timestamp": UTC_US,
        # Normalised level name: TRACE, DEBUG, INFO, WARN, ERROR, FATAL (null when unknown).
        "severity_text": pl.String(),
        # OpenTelemetry SeverityNumber 1-24 (TRACE=1, DEBUG=5, INFO=9, WARN=13, ERROR=17, FATAL=21).
        "severity_number": pl.UInt8(),
        # Logical service / workload name.
        "service": pl.String(),
        # The message; for multi-line records the whole text joined with "\n".
        "body": pl.String(),
        # Trace / correlation id when the format carries one.
        "trace_id": pl.String(),
        # Everything else the format carries, as a flat JSON object (string -> scalar).
        # Query with ``pl.col("attributes").str.json_path_match("$.status")``.
        "attributes": pl.String(),
        # The file the record came from (as given by the user).
        "source": pl.String(),
        # First physical line of the record, 1-based.
        "line_no": pl.UInt32(),
        # Number of physical lines in the record (sum over a file == its line count).
        "n_lines": pl.UInt32(),
        # The format the reader used for this file (e.g. "jsonl", "logfmt", "syslog").
        "format": pl.String(),
        # Null, or why the line did not match its format (the raw line is then in ``body``).
        "parse_error": pl.String(),
    }
)

TEMPLATED_RECORDS = pl.Schema(
    {
        **LOG_RECORDS,
        # Stable, content-derived id of the template (same template -> same id in any run).
        "template_id": pl.String(),
        # The template text, variables shown as named tokens such as <NUM> or <*>.
        "template": pl.String(),
        # The variable values of the record, in template order.
        "params": pl.List(pl.String()),
    }
)

WINDOW_COUNTS = pl.Schema(
    {
        "window_start": UTC_US,
        "service": pl.String(),
        "template_id": pl.String(),
        "n_events": pl.UInt32(),
    }
)

CHANGES = pl.Schema(
    {
        "time": UTC_US,
        "service": pl.String(),
        "version": pl.String(),
        "id": pl.String(),
        "kind": pl.String(),
        "description": pl.String(),
    }
)


def check_schema(
    frame: pl.DataFrame | pl.LazyFrame, expected: pl.Schema, *, stage: str
) -> None:
    """Raise :class:`~rcakit.errors.SchemaError` if ``frame`` lacks or mistypes a column.

    Parameters
    ----------
    frame
        The frame handed to a stage; extra columns are allowed.
    expected
        The contract, one of the schema constants of this module.
    stage
        Name of the public function doing the check, used in the message.
    """
    actual = frame.collect_schema()
    missing = [name for name in expected if name not in actual]
    wrong = {
        name: f"{actual[name]} != {dtype}"
        for name, dtype in expected.items()
        if name in actual and actual[name] != dtype
    }
    if missing or wrong:
        parts = []
        if missing:
            parts.append(f"missing columns {missing}")
        if wrong:
            parts.append(f"wrong dtypes {wrong}")
        msg = f"{stage}: input frame does not match the expected schema: {'; '.join(parts)}"
        raise SchemaError(msg)
