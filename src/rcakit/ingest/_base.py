"""The contract between the reader (``rcakit.ingest``) and the per-format parsers.

A *line format* parses a file that is a sequence of physical lines; a *file format* (CSV
exports, whose quoted fields may span lines) parses the whole decoded text. Both return one
row per record with :data:`RECORD_COLUMNS`; the reader then adds ``source`` and ``format``,
fills ``service`` (record, else the ``service=`` argument, else the file name) and checks that
the ``n_lines`` of a file sum to its physical line count.

Rules every parser follows
--------------------------
- Nothing lost: every input line is in exactly one record. A line that does not match the
  format is either a continuation of the previous record (stack traces, indented lines) or
  a record of its own with ``body`` = the raw line and ``parse_error`` saying what was expected.
- ``timestamp`` via :func:`rcakit.ingest._timeparse.parse_timestamps` (``tz``/``year`` from
  :class:`ParseOptions`), ``severity_*`` via :mod:`rcakit.ingest._severity`.
- ``attributes`` is a flat JSON object string (``{"status": 500, "path": "/pay"}``) or null.
- ``service`` is null when the record itself does not name one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from rcakit.schemas import LOG_RECORDS

__all__ = [
    "NO_ATTRIBUTES",
    "RECORD_COLUMNS",
    "FileFormat",
    "LineFormat",
    "ParseOptions",
    "by_distinct",
    "guarded_records",
    "json_object",
    "map_distinct",
    "share_matching",
    "to_records",
]

#: What a parser returns: LOG_RECORDS without the columns the reader adds itself.
RECORD_COLUMNS = pl.Schema({k: v for k, v in LOG_RECORDS.items() if k not in ("source", "format")})


#: ``attributes`` of a parse whose caller does not want them (see :meth:`ParseOptions.wants`)
NO_ATTRIBUTES = pl.lit(None, dtype=pl.String).alias("attributes")


@dataclass(frozen=True, slots=True, kw_only=True)
class ParseOptions:
    """Options a parser needs, resolved by the reader."""

    tz: str = "UTC"
    year: int | None = None  # for year-less timestamps
    #: the file's modification time (UTC): the date of stamps that are a time of day only
    mtime: datetime | None = None
    log_format: str | None = None  # logparser-style pattern, for the "pattern" format
    source: str = ""  # file name, for error messages
    #: the record columns the caller will keep (None: all). A parser may leave the others
    #: null and skip the work for them (``attributes`` and ``trace_id`` are the costly ones);
    #: every column it does fill must be the same as when all are wanted.
    columns: frozenset[str] | None = None
    #: where a parser notes the files (``source``) whose times of day it dated from their
    #: modification time, for the reader to check against the other files' dates
    undated: set[str] | None = None

    def wants(self, column: str) -> bool:
        """Whether the caller keeps ``column`` (a parser fills it only then)."""
        return self.columns is None or column in self.columns


@dataclass(frozen=True, slots=True, kw_only=True)
class LineFormat:
    """A format whose records are one or more physical lines.

    ``sniff(sample)`` gets up to ~50 non-empty lines from the top of the file and returns the
    share (0..1) it recognises. ``parse(lines, options)`` gets a LazyFrame with ``line_no``
    (UInt32, 1-based) and ``line`` (String, no line terminator) for every physical line of the
    file and returns :data:`RECORD_COLUMNS`.
    """

    name: str
    description: str
    sniff: Callable[[list[str]], float]
    parse: Callable[[pl.LazyFrame, ParseOptions], pl.LazyFrame]


@dataclass(frozen=True, slots=True, kw_only=True)
class FileFormat:
    """A format parsed from the whole decoded text (e.g. CSV exports with multi-line fields).

    ``sniff(sample)`` as for :class:`LineFormat`; ``parse(text, options)`` returns
    :data:`RECORD_COLUMNS` with ``line_no``/``n_lines`` counting physical lines of ``text``.
    With ``takes_bytes`` the reader hands ``parse`` the file's UTF-8 bytes (BOM removed)
    instead of a ``str``, saving a decode of the whole file; it must accept both.
    """

    name: str
    description: str
    sniff: Callable[[list[str]], float]
    parse: Callable[[str, ParseOptions], pl.DataFrame]
    takes_bytes: bool = False


def json_object(fields: dict[str, pl.Expr], *, extra: pl.Expr | None = None) -> pl.Expr:
    """Build the ``attributes`` JSON object string from named expressions, skipping nulls.

    Parameters
    ----------
    fields
        Attribute name -> expression (String, integer, float or boolean). Null values are
        left out; an all-null row gives a null ``attributes``.
    extra
        Optional String expression holding already-encoded members (``"k":"v","n":1``)
        to append, e.g. RFC 5424 structured data.

    Returns
    -------
    pl.Expr
        String expression with a flat JSON object, or null.

    Notes
    -----
    The object is encoded once per batch with ``struct.json_encode``: fields that are null
    on every row are left out before encoding. With plain ASCII keys and String/integer
    values, the rows are grouped by which fields they lack and each group is encoded with
    the fields it has (rows that repeat, once per distinct row); otherwise the null members
    are cut out with one regex pass over their keys (``,?"k":null``), only when some row
    has one. Several times faster than encoding each field on its own.
    """
    if not fields and extra is None:
        return pl.lit(None, dtype=pl.String)
    names = list(fields)
    # keys JSON writes as themselves (ASCII, nothing to escape): their null members can be
    # left out by grouping rows instead of cutting them from the text
    fast = all(n and n.isascii() and n.isprintable() and '"' not in n and "\\" not in n for n in names)
    parts = [expr.alias(name) for name, expr in fields.items()]
    if extra is not None:
        parts.append(extra.cast(pl.String).alias(_EXTRA))

    def encode(values: pl.Series) -> pl.Series:
        frame = values.struct.unnest()
        # (not with floats: JSON writes NaN as null, which the cutting pass removes)
        if names and fast and all(frame[n].dtype == pl.String or frame[n].dtype.is_integer() for n in names):
            from rcakit.ingest._jsonl import _encode_members as encode_grouped

            # the same text, without the null-cutting regex pass (see encode_attributes)
            out = encode_grouped(frame, names, frozenset(names)).fill_null("{}")
        else:
            out = _encode_members(frame, names) if names else pl.Series("", ["{}"] * frame.height, dtype=pl.String)
        if extra is not None:
            # "{...}" + "," + members + "}" on the rows with members to append; a null or
            # empty ``extra`` leaves the object as it is
            more = frame[_EXTRA]
            has = (more.is_not_null() & (more != "")).fill_null(False)
            if has.any():
                idx = has.arg_true()
                merged = (out.gather(idx).str.strip_suffix("}") + "," + more.gather(idx) + "}").str.replace(
                    "^\\{,", "{"
                )
                out = out.scatter(idx, merged)
        empty = out == "{}"
        if empty.any():  # no member at all: null
            out = out.scatter(empty.arg_true(), None)
        return out

    return pl.struct(parts).map_batches(encode, return_dtype=pl.String, is_elementwise=True)


_EXTRA = "\x00extra"  # struct field name of ``extra``; cannot clash with an attribute name


def _encode_members(frame: pl.DataFrame, names: list[str]) -> pl.Series:
    """JSON objects of the non-null members of each row of ``frame``."""
    counts = {name: frame[name].null_count() for name in names}
    keep = [name for name in names if counts[name] < frame.height]  # all-null: never a member
    if not keep:
        return pl.Series("", ["{}"] * frame.height, dtype=pl.String)
    encoded = frame.select(pl.struct(keep).struct.json_encode()).to_series()
    if not any(counts[name] for name in keep):
        return encoded
    # one regex pass cuts the null members (the key alternation is a literal prefilter;
    # an encoded string value never holds an unescaped '"', so only a member can match),
    # then the comma a removed first member leaves behind
    keys = "|".join(re.escape(json.dumps(name)) for name in keep)
    return encoded.str.replace_all(f",?(?:{keys}):null", "").str.replace("^\\{,", "{")


#: rows looked at to judge whether values repeat enough to compute them once per distinct row
_PROBE = 4096


def _groupable(dtype: pl.DataType) -> bool:
    return dtype == pl.String or dtype == pl.Boolean or dtype.is_integer()


def map_distinct(
    frame: pl.DataFrame, fn: Callable[[pl.DataFrame], pl.Series], *, max_share: float = 0.25
) -> pl.Series:
    """``fn(frame)`` for a row-wise ``fn``, computed once per distinct row of ``frame`` when
    its rows repeat (pods, loggers, levels, second-resolution stamps: a log has few).

    ``frame`` should hold exactly the columns ``fn`` reads (Strings, integers or booleans).
    When more than ``max_share`` of the rows are distinct (judged on the first rows, then on
    all), or a column has another type, ``fn`` runs on every row instead. The result is the
    same either way; only the cost differs.
    """
    n = frame.height
    direct = n < _PROBE or not frame.width or not all(_groupable(dt) for dt in frame.dtypes)
    if not direct:
        direct = frame.head(_PROBE).unique().height > _PROBE * max_share
    if not direct:
        distinct = frame.unique()
        direct = distinct.height > n * max_share
    if direct:
        return fn(frame)
    table = distinct.with_columns(fn(distinct).alias("\x00out"))
    return frame.join(table, on=frame.columns, how="left", nulls_equal=True, maintain_order="left")["\x00out"]


def by_distinct(frame: pl.DataFrame, expr: pl.Expr, *, max_share: float = 0.25) -> pl.Series:
    """``frame.select(expr)`` for a row-wise ``expr``, once per distinct row of ``frame`` when
    its rows repeat (see :func:`map_distinct`)."""
    name = expr.meta.output_name(raise_if_undetermined=False) or ""

    def evaluate(rows: pl.DataFrame) -> pl.Series:
        # with_columns: a literal expression is broadcast to the frame's height
        return rows.with_columns(expr.alias("\x00out"))["\x00out"]

    return map_distinct(frame, evaluate, max_share=max_share).alias(name)


def to_records(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Select :data:`RECORD_COLUMNS` in order with their dtypes; missing columns become null."""
    have = frame.collect_schema()
    return frame.select(
        [
            (pl.col(name) if name in have else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in RECORD_COLUMNS.items()
        ]
    )


def guarded_records(
    ok: pl.Expr,
    *,
    expected: str,
    timestamp: pl.Expr,
    severity_text: pl.Expr,
    severity_number: pl.Expr,
    body: pl.Expr,
    service: pl.Expr | None = None,
    trace_id: pl.Expr | None = None,
    attributes: pl.Expr | None = None,
    raw: str = "line",
) -> list[pl.Expr]:
    """The :data:`RECORD_COLUMNS` of a line format's rows, for a ``select``: where ``ok`` the
    parsed fields; elsewhere the raw line (column ``raw``) as ``body``, the other fields null
    and ``parse_error`` = ``expected`` (what the line should have looked like), or "blank
    line before the first record" where column ``_blank`` says so. ``line_no`` and
    ``n_lines`` pass through; a field not given is null."""

    def guarded(expr: pl.Expr | None) -> pl.Expr:
        return pl.lit(None, dtype=pl.String) if expr is None else pl.when(ok).then(expr)

    return [
        guarded(timestamp).alias("timestamp"),
        guarded(severity_text).alias("severity_text"),
        guarded(severity_number).alias("severity_number"),
        guarded(service).alias("service"),
        pl.when(ok).then(body).otherwise(pl.col(raw)).alias("body"),
        guarded(trace_id).alias("trace_id"),
        guarded(attributes).alias("attributes"),
        pl.col("line_no"),
        pl.col("n_lines"),
        pl.when(pl.col("_blank"))
        .then(pl.lit("blank line before the first record"))
        .when(~ok)
        .then(pl.lit(expected))
        .alias("parse_error"),
    ]


def share_matching(pattern: re.Pattern[str]) -> Callable[[list[str]], float]:
    """A ``sniff`` function: the share of the sample's non-blank lines that ``pattern`` matches."""

    def sniff(sample: list[str]) -> float:
        lines = [s for s in sample if s.strip()]
        if not lines:
            return 0.0
        return sum(1 for s in lines if pattern.match(s)) / len(lines)

    return sniff
