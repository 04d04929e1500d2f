"""Zeek's ASCII logs (format ``zeek``): ``reporter.log``, ``notice.log``, ``weird.log``, ...

The file says what its columns are, as a W3C log does (see :mod:`rcakit.ingest._w3c`):
header lines start with ``#`` (``#separator \\x09``, ``#set_separator``, ``#empty_field``,
``#unset_field``, ``#path``, ``#open``, ``#fields ts level message location``, ``#types time
enum string string``), a ``#close`` line ends the file, and each data line holds one value
per field, separated by the ``#separator`` (a tab); the ``#unset_field`` value (``-``) and
the ``#empty_field`` value (``(empty)``) are no value. Zeek writes the header again when a
log is reopened, possibly with other fields: each data line is read with the last ``#fields``
above it.

Mapping: ``timestamp`` from ``ts`` (epoch seconds with a fraction); ``severity`` from
``level`` (``Reporter::WARNING``: the enum's name after ``::``); ``body`` = ``message``
(``reporter.log``), else ``msg`` (``notice.log``), else ``name`` (``weird.log``), else the whole
data line; every other field goes to ``attributes`` under its Zeek name (``location``,
``uid``, ``id.orig_h``, ...), ``count``, ``int`` and ``port`` fields as integers, ``double``
and ``interval`` fields as numbers (from ``#types``).

Line accounting, as for W3C logs: a header (or blank) line belongs to the data record above
it; the ones before the first data line belong to the first record, whose ``line_no`` is
then 1. A data line without ``#fields`` above it, or with another number of values than its
fields, is kept with ``parse_error`` set. A file of header lines only is one record with
``parse_error`` set.
"""

from __future__ import annotations

import re

import polars as pl

from rcakit.ingest._base import NO_ATTRIBUTES, RECORD_COLUMNS, LineFormat, ParseOptions
from rcakit.ingest._jsonl import encode_attributes, timestamp_expr
from rcakit.ingest._severity import severity_columns
from rcakit.ingest._w3c import headed_records, headers_only

__all__ = ["FORMAT"]

_FIELDS = "#fields"
_TYPES = "#types"
#: the header lines Zeek's ASCII writer writes (``#close`` at the end)
_HEADER_RE = re.compile(r"^#(?:separator|set_separator|empty_field|unset_field|path|open|fields|types|close)\b")
#: the fields that make the record itself, in the order tried for the body
_BODY = ("message", "msg", "name")
_INTEGERS = frozenset({"count", "int", "port"})
_FLOATS = frozenset({"double", "interval"})


def _separator(sample: list[str] | pl.Series) -> str:
    """The ``#separator`` the header declares (written escaped: ``\\x09``), else a tab."""
    for text in sample:
        if text and text.startswith("#separator "):
            value = text[len("#separator ") :].strip()
            return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m[1], 16)), value) or "\t"
    return "\t"


def _sniff(sample: list[str]) -> float:
    """1.0 when the sample starts with Zeek's ``#separator`` header, declares its fields
    (``#fields``) and its data lines have that many values; else 0."""
    if not sample or not sample[0].startswith("#separator "):
        return 0.0
    sep = _separator(sample)
    names: list[str] = []
    data = fits = 0
    for text in sample:
        if text.startswith("#"):
            if not _HEADER_RE.match(text):
                return 0.0
            if text.startswith(_FIELDS + sep):
                names = text.split(sep)[1:]
        else:
            data += 1
            fits += bool(names) and len(text.split(sep)) == len(names)
    if len(names) < 2:
        return 0.0
    return 1.0 if data == 0 or fits / data >= 0.5 else 0.0


def _parse_values(
    data: pl.DataFrame, names: list[str], types: list[str], sep: str, unset: str, empty: str, options: ParseOptions
) -> pl.DataFrame:
    """Record fields of the data lines ``data`` (``_row``, ``line``) under the field ``names``."""
    line = pl.col("line")
    values = data.with_columns(line.str.split(sep).alias("_v")).with_columns(pl.col("_v").list.len().alias("_n"))
    ok = pl.col("_n") == len(names)

    def field(name: str) -> pl.Expr:
        value = pl.col("_v").list.get(names.index(name), null_on_oob=True)
        return pl.when(ok & (value != unset) & (value != empty) & (value != "")).then(value)

    have = set(names)
    stamp = field("ts") if "ts" in have else pl.lit(None, dtype=pl.String)
    sample = values.select(stamp.alias("t")).drop_nulls().head(200)["t"].to_list()
    timestamp = timestamp_expr(stamp, sample, options)
    level = field("level").str.replace(r"^[A-Za-z_]+::", "") if "level" in have else pl.lit(None, dtype=pl.String)
    sev_text, sev_num = severity_columns(level)
    text = next((name for name in _BODY if name in have), None)
    body = pl.coalesce(field(text), line) if text else line
    kinds = dict(zip(names, types, strict=False))
    attributes: pl.Expr = NO_ATTRIBUTES
    if options.wants("attributes"):
        attrs = {}
        for name in dict.fromkeys(names):
            if name in ("ts", "level", text):
                continue
            kind = kinds.get(name, "string")
            cast = pl.Int64 if kind in _INTEGERS else pl.Float64 if kind in _FLOATS else None
            attrs[name] = field(name).cast(cast, strict=False) if cast else field(name)
        numbers = tuple(n for n in attrs if kinds.get(n) in _INTEGERS | _FLOATS)
        attributes = encode_attributes(attrs, numbers=numbers)
    error = f"Zeek data line with another number of values than its #fields header ({len(names)})"
    return values.lazy().select(
        "_row",
        pl.when(ok).then(timestamp).alias("timestamp"),
        pl.when(ok).then(sev_text).alias("severity_text"),
        pl.when(ok).then(sev_num).alias("severity_number"),
        pl.when(ok).then(body).otherwise(line).alias("body"),
        pl.when(ok).then(attributes).alias("attributes"),
        pl.when(~ok).then(pl.lit(error)).alias("parse_error"),
    ).collect()


def _header_value(df: pl.DataFrame, key: str, sep: str, default: str) -> str:
    got = df.filter(pl.col("line").str.starts_with(f"#{key}{sep}"))["line"].head(1).to_list()
    return got[0][len(key) + 1 + len(sep) :] if got else default


def _parse(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    df = lines.collect().with_row_index("_row")
    line = pl.col("line")
    sep = _separator(df.filter(line.str.starts_with("#separator "))["line"].head(1))
    header = line.str.starts_with(_FIELDS + sep)
    blank = ~line.str.contains(r"\S")
    df = df.with_columns(
        _data=(~line.str.starts_with("#") & ~blank).fill_null(False),
        _segment=header.cum_sum(),
    )
    total = df.height
    if total == 0:
        return pl.LazyFrame(schema=RECORD_COLUMNS)
    data = df.filter("_data")
    if data.height == 0:
        # header lines only (a log opened and closed without an entry): one record that says so
        return headers_only(df, "Zeek log with header lines and no data lines")
    unset = _header_value(df, "unset_field", sep, "-")
    empty = _header_value(df, "empty_field", sep, "(empty)")
    segments = df.filter(header | line.str.starts_with(_TYPES + sep)).select("_segment", "line")
    fields: dict[int, list[str]] = {}
    types: dict[int, list[str]] = {}
    for seg, text in segments.iter_rows():
        (fields if text.startswith(_FIELDS) else types)[seg] = text.split(sep)[1:]
    parts = []
    for seg, names in fields.items():
        rows = data.filter(pl.col("_segment") == seg)
        if rows.height:
            parts.append(_parse_values(rows.select("_row", "line"), names, types.get(seg, []), sep, unset, empty, options))
    return headed_records(data, parts, list(fields), total, orphan_error="Zeek data line before any #fields header")


FORMAT = LineFormat(
    name="zeek",
    description="Zeek's ASCII logs (reporter.log, notice.log, ...): #separator, #fields ts level message ... header",
    sniff=_sniff,
    parse=_parse,
)
