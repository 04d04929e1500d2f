"""Line formats for plain-text logs: ``raw``, ``text`` (timestamp + level heads) and ``syslog``.

``raw``
    Each physical line is one record, ``body`` = the line, nothing parsed. The fallback when
    no format recognises a file, and the right choice when lines must not be joined.
``text``
    Application logs whose lines start with a timestamp and/or a level: log4j/logback,
    Spring Boot, Python ``logging`` (``%(asctime)s - %(name)s - %(levelname)s - %(message)s``
    and the bare ``ERROR:name:msg``), Go ``log`` and logrus/zap console output, Ruby/Rails
    ``Logger``, klog/glog (Kubernetes components). Stack traces and other continuation lines
    join their record (see :mod:`rcakit.ingest._multiline`).
``syslog``
    RFC 3164 (``<34>Oct 11 22:14:15 host su[123]: msg``, PRI optional, ISO stamps accepted)
    and RFC 5424 (``<165>1 2003-10-11T22:14:15.003Z host app 123 ID47 [sd@1 k="v"] msg``):
    PRI -> severity and ``facility``, host / app / procid / msgid and structured-data
    parameters -> ``attributes``, app-name / tag -> ``service``.

Each format decides on a sample which of its head variants a file uses and parses with only
those, as polars regex expressions (``str.extract_groups``), never per line in Python.
"""

from __future__ import annotations

import polars as pl

from rcakit.ingest._base import LineFormat, ParseOptions, to_records

__all__ = ["RAW"]

_SAMPLE_ROWS = 200


# --------------------------------------------------------------------------------------- raw


def _sniff_raw(sample: list[str]) -> float:
    return 0.0  # never chosen by detection; it is the fallback


def _parse_raw(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    return to_records(
        lines.with_columns(
            pl.col("line").alias("body"),
            pl.lit(1, dtype=pl.UInt32).alias("n_lines"),
        )
    )


RAW = LineFormat(
    name="raw",
    description="one record per physical line, body = the line, nothing parsed",
    sniff=_sniff_raw,
    parse=_parse_raw,
)
