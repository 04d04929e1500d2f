"""W3C extended log files: Microsoft IIS, Amazon CloudFront and other servers (format ``w3c``).

The file says what its columns are: directive lines start with ``#`` (``#Software:``,
``#Version:``, ``#Date:``, ``#Fields: date time s-ip cs-method cs-uri-stem ...``) and each
data line holds one value per field, separated by spaces (IIS) or tabs (CloudFront); ``-`` is
"no value". A server writes the directives again when it restarts, possibly with other fields:
each data line is read with the last ``#Fields`` above it.

Mapping: ``timestamp`` from ``date`` + ``time`` (W3C stamps carry no zone: they are UTC by
the format's definition, which is what IIS and CloudFront write whatever the server's zone,
so ``tz`` does not apply to them; with no ``date`` field, the date of the
``#Date:`` directive above, a day later for each midnight the times cross); ``body`` = ``cs-method cs-uri-stem
sc-status`` like an access log (``GET /api/pay 500``; the query string is left out so that
templates group by endpoint), or the whole line when the file has no method/URI fields;
severity from ``sc-status`` (5xx ERROR, 4xx WARN, else INFO); every other field goes to
``attributes`` under its W3C name (``c-ip``, ``cs-uri-query``, ``cs(User-Agent)``,
``time-taken``...), the status, byte counts and times as numbers.

AWS VPC flow logs as delivered to S3 (format ``vpc-flow``) are read the same way: their first
line names the fields (``version account-id interface-id srcaddr dstaddr srcport dstport
protocol packets bytes start end action log-status``, or a custom format's), the values are
separated by spaces. ``timestamp`` is the flow's ``start`` (epoch seconds), ``body`` the flow
(``REJECT tcp 198.51.100.7:54321 -> 10.0.1.5:22``; a record without traffic, its
``log-status``: ``NODATA``), severity WARN for a rejected flow, INFO for an accepted one; every
field goes to ``attributes``.

Line accounting: a directive (or blank) line belongs to the data record above it; the ones
before the first data line belong to the first record, whose ``line_no`` is then 1 (as a CSV
header does). A data line without ``#Fields`` above it, or with another number of values than
its fields, is kept with ``parse_error`` set. A file of directives only is one record with
``parse_error`` set.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import polars as pl

from rcakit.ingest._access import request_body
from rcakit.ingest._base import NO_ATTRIBUTES, RECORD_COLUMNS, LineFormat, ParseOptions
from rcakit.ingest._jsonl import encode_attributes, timestamp_expr
from rcakit.ingest._severity import severity_from_http_status

__all__ = ["FORMAT", "FORMATS", "VPC_FORMAT"]

_FIELDS = "#Fields:"
_DIRECTIVE_RE = re.compile(r"^#(?:Software|Version|Date|Fields|Start-Date|End-Date|Remark|Log-type):")
#: fields written as JSON numbers
_NUMBERS = frozenset(
    {"sc-status", "sc-substatus", "sc-win32-status", "sc-bytes", "cs-bytes", "time-taken", "s-port", "c-port",
     "srcport", "dstport", "packets", "bytes", "start", "end"}
)
#: fields that make the record itself rather than attributes
_STAMP = ("date", "time", "date-time")


#: the header line of a VPC flow log file: its field names
_VPC_HEADER = r"^[a-z][a-z0-9\-]*(?: [a-z][a-z0-9\-]*)+$"
_VPC_HEADER_RE = re.compile(_VPC_HEADER)
_PROTOCOLS = {"1": "icmp", "6": "tcp", "17": "udp", "58": "icmpv6", "47": "gre", "50": "esp"}


def _is_vpc_header(text: str) -> bool:
    names = set(text.split())
    return bool(_VPC_HEADER_RE.match(text)) and {"srcaddr", "dstaddr", "action"} <= names


def _field_names(directive: str) -> tuple[str, ...]:
    if not directive.startswith(_FIELDS):
        return tuple(directive.split())  # a VPC flow log's header
    names = directive[len(_FIELDS) :].strip()
    if "," in names and " " not in names:
        # comma-separated (Exchange's message tracking log)
        return _COMMA + tuple(names.split(","))
    return tuple(names.split())


#: a first "name" marking fields whose values are comma-separated, with CSV quoting
_COMMA = ("\x00csv",)


def _csv_values(data: pl.DataFrame, n: int) -> pl.DataFrame:
    """``data`` with ``_v`` (the values of each comma-separated line, CSV quoting undone)
    and ``_n`` (how many: ``n``, or 0 for every line when the lines do not read as one CSV
    row each, an unbalanced quote)."""
    import io

    names = [f"c{i}" for i in range(n)]
    try:
        table = pl.read_csv(
            io.StringIO(data["line"].fill_null("").str.join("\n").item()),
            has_header=False,
            schema=dict.fromkeys(names, pl.String),
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError:
        table = None
    if table is None or table.height != data.height:
        return data.with_columns(pl.lit(None, dtype=pl.List(pl.String)).alias("_v"), pl.lit(0, dtype=pl.UInt32).alias("_n"))
    return data.with_columns(
        table.select(pl.concat_list(names).alias("_v")).to_series(),
        pl.lit(n, dtype=pl.UInt32).alias("_n"),
    )


def _parse_values(data: pl.DataFrame, names: tuple[str, ...], options: ParseOptions) -> pl.DataFrame:
    """Record fields of the data lines ``data`` (``_row``, ``line``) under the field ``names``."""
    line = pl.col("line")
    if names[:1] == _COMMA:
        names = names[1:]
        values = _csv_values(data, len(names))
    else:
        # CloudFront separates values with tabs, IIS with spaces
        sep = "\t" if data.select(line.str.contains("\t", literal=True).any()).item() else " "
        values = data.lazy().with_columns(
            line.str.strip_chars_end().str.split(sep).alias("_v")
        ).with_columns(pl.col("_v").list.len().alias("_n")).collect()
    ok = pl.col("_n") == len(names)

    def field(name: str) -> pl.Expr:
        value = pl.col("_v").list.get(names.index(name), null_on_oob=True)
        return pl.when(ok & (value != "-") & (value != "")).then(value)

    have = set(names)
    stamp = (
        pl.concat_str(field("date"), pl.lit(" "), field("time"))
        if {"date", "time"} <= have
        # no date field (IIS with only "time" ticked): the date of the #Date directive above
        else pl.concat_str(pl.col("_date"), pl.lit(" "), field("time"))
        if "time" in have and "_date" in data.columns
        else field("start")
        if "start" in have  # a VPC flow log: the flow's start, epoch seconds
        else field("date-time")
        if "date-time" in have  # Exchange's message tracking log
        else pl.lit(None, dtype=pl.String)
    )
    sample = values.select(stamp.alias("t")).drop_nulls().head(200)["t"].to_list()
    # (a W3C stamp is UTC by the format's definition, IIS's and CloudFront's whatever the
    # server's clock; ``tz`` is for the other files of a run: an IIS log beside local-time
    # application logs read with tz="Europe/Brussels" must not move two hours)
    timestamp = timestamp_expr(stamp, sample, replace(options, tz="UTC"))
    if "date" not in have and "time" in have and "_date" in data.columns:
        # the lines below one #Date directive run on past midnight: a time more than 12 hours
        # before the one above it is the next day's
        back = (timestamp < timestamp.shift(1) - pl.duration(hours=12)).fill_null(False)
        timestamp = timestamp + pl.duration(days=back.cast(pl.Int64).cum_sum().over("_date_no"))
    status = field("sc-status").cast(pl.Int64, strict=False) if "sc-status" in have else pl.lit(None, dtype=pl.Int64)
    sev_text, sev_num = severity_from_http_status(status)
    if {"cs-method", "cs-uri-stem"} <= have:
        body = pl.coalesce(request_body(field("cs-method"), field("cs-uri-stem"), field("sc-status")), line)
    elif {"action", "srcaddr", "dstaddr"} <= have:
        body, sev_text, sev_num = _flow(field, have)
        body = pl.coalesce(body, line)
    elif {"event-id", "sender-address", "recipient-address"} <= have:
        body, sev_text, sev_num = _message_event(field, have)
        body = pl.coalesce(body, line)
    else:
        body = line
    attributes: pl.Expr = NO_ATTRIBUTES
    if options.wants("attributes"):
        attrs = {
            name: field(name).cast(pl.Float64 if name == "time-taken" else pl.Int64, strict=False)
            if name in _NUMBERS
            else field(name)
            for name in dict.fromkeys(names)
            if name not in _STAMP
        }
        attributes = encode_attributes(attrs, numbers=tuple(n for n in attrs if n in _NUMBERS))
    error = f"W3C data line with another number of values than its #Fields directive ({len(names)})"
    return values.lazy().select(
        "_row",
        pl.when(ok).then(timestamp).alias("timestamp"),
        pl.when(ok).then(sev_text).alias("severity_text"),
        pl.when(ok).then(sev_num).alias("severity_number"),
        pl.when(ok).then(body).otherwise(line).alias("body"),
        pl.when(ok).then(attributes).alias("attributes"),
        pl.when(~ok).then(pl.lit(error)).alias("parse_error"),
    ).collect()


def _flow(field: Callable[[str], pl.Expr], have: set[str]) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """A VPC flow record's body and severity: ``REJECT tcp 198.51.100.7:54321 -> 10.0.1.5:22``
    (WARN; ACCEPT INFO); a record without traffic: its log status (``NODATA``)."""
    from rcakit.ingest._severity import severity_columns

    def opt(name: str) -> pl.Expr:
        return field(name) if name in have else pl.lit(None, dtype=pl.String)

    def end(addr: str, port: str) -> pl.Expr:
        # (an IPv6 address in brackets before its port: [2001:db8::5]:443)
        host = pl.when(field(addr).str.contains(":", literal=True)).then(pl.concat_str(pl.lit("["), field(addr), pl.lit("]")))
        return pl.concat_str(pl.coalesce(host, field(addr)), pl.concat_str(pl.lit(":"), opt(port)).fill_null(""))

    proto = opt("protocol")
    proto = pl.coalesce(proto.replace_strict(_PROTOCOLS, default=None), proto)
    flow = pl.concat_str(
        field("action"), pl.concat_str(pl.lit(" "), proto).fill_null(""), pl.lit(" "),
        end("srcaddr", "srcport"), pl.lit(" -> "), end("dstaddr", "dstport"),
    )
    body = pl.coalesce(flow, opt("log-status"))
    level = pl.when(field("action") == "REJECT").then(pl.lit("WARN")).when(field("action") == "ACCEPT").then(pl.lit("INFO"))
    text, number = severity_columns(level)
    return body, text, number


def _message_event(field: Callable[[str], pl.Expr], have: set[str]) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """An Exchange message tracking event: ``FAIL AGENT spam@x.example -> victim@y.example:
    550 5.7.1`` (the event, its source, sender, recipients, the recipient status); FAIL is
    ERROR, DEFER WARN, the others INFO."""
    from rcakit.ingest._severity import severity_columns

    def opt(name: str) -> pl.Expr:
        return field(name) if name in have else pl.lit(None, dtype=pl.String)

    body = pl.concat_str(
        field("event-id"), pl.concat_str(pl.lit(" "), opt("source")).fill_null(""),
        pl.concat_str(pl.lit(" "), field("sender-address")).fill_null(""),
        pl.concat_str(pl.lit(" -> "), field("recipient-address")).fill_null(""),
        pl.concat_str(pl.lit(": "), opt("recipient-status")).fill_null(""),
    )
    event = field("event-id")
    level = pl.when(event == "FAIL").then(pl.lit("ERROR")).when(event == "DEFER").then(pl.lit("WARN")).when(event.is_not_null()).then(pl.lit("INFO"))
    text, number = severity_columns(level)
    return body, text, number


def _fields_line(line: pl.Expr) -> pl.Expr:
    """A ``#Fields:`` directive, or a VPC flow log's header line."""
    return line.str.starts_with(_FIELDS) | (
        line.str.contains(_VPC_HEADER)
        & line.str.contains(r"(?:^| )srcaddr(?: |$)")
        & line.str.contains(r"(?:^| )dstaddr(?: |$)")
        & line.str.contains(r"(?:^| )action(?: |$)")
    ).fill_null(False)


def _parse(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    df = lines.collect().with_row_index("_row")
    line = pl.col("line")
    header = _fields_line(line)
    directive = line.str.starts_with("#") | header
    blank = ~line.str.contains(r"\S")
    df = df.lazy().with_columns(
        _data=(~directive & ~blank).fill_null(False),
        _segment=header.cum_sum(),
    ).collect()
    total = df.height
    if total == 0:
        return pl.LazyFrame(schema=RECORD_COLUMNS)
    data = df.filter("_data")
    if data.height == 0:
        # directives only (or nothing but blanks): one record that says so
        return headers_only(df, "W3C log with directives and no data lines")
    fields = {
        seg: _field_names(text)
        for seg, text in df.filter(_fields_line(line)).select("_segment", "line").iter_rows()
    }
    if any("time" in names and "date" not in names for names in fields.values()):
        # fields with a time and no date (IIS with only "time" ticked): the date of the last
        # #Date directive above each line ("#Date: 2024-03-05 10:00:00") is its records'
        date = line.str.extract(r"^#(?:Date|Start-Date):[ \t]*(\d{4}-\d{2}-\d{2})", 1)
        df = df.with_columns(_date=date.forward_fill(), _date_no=date.is_not_null().cum_sum())
        data = df.filter("_data")
    parts = []
    by_names: dict[tuple[str, ...], list[int]] = {}
    for seg, names in fields.items():
        by_names.setdefault(names, []).append(seg)
    for names, segments in by_names.items():
        rows = data.filter(pl.col("_segment").is_in(segments))
        if rows.height:
            dated = "time" in names and "date" not in names and "_date" in rows.columns and rows["_date"].is_not_null().any()
            kept = ["_row", "line", *(["_date", "_date_no"] if dated else [])]
            parts.append(_parse_values(rows.select(kept), names, options))
    return headed_records(data, parts, list(fields), total, orphan_error="W3C data line before any #Fields directive")


def headers_only(df: pl.DataFrame, error: str) -> pl.LazyFrame:
    """A file of header lines and no data line (``df``: its ``line`` column): one record
    holding them all, with ``error``."""
    return pl.LazyFrame(
        {"body": [df["line"].str.join("\n").item()], "line_no": [1], "n_lines": [df.height], "parse_error": [error]}
    ).with_columns(
        [pl.lit(None, dtype=t).alias(c) for c, t in RECORD_COLUMNS.items() if c not in ("body", "line_no", "n_lines", "parse_error")]
    ).select(list(RECORD_COLUMNS)).cast(RECORD_COLUMNS)


def headed_records(
    data: pl.DataFrame, parts: list[pl.DataFrame], segments: list[int], total: int, *, orphan_error: str
) -> pl.LazyFrame:
    """The records of a file whose header lines name its fields (W3C's ``#Fields``, Zeek's
    ``#fields``): ``parts``, the parsed data lines of each header's ``segments``, with the data
    lines before any header kept with ``orphan_error``; each record owns its data line and the
    header or blank lines after it (the lines before the first data line belong to the first
    record, whose ``line_no`` is then 1), ``total`` the file's lines."""
    orphan = data.filter(~pl.col("_segment").is_in(segments))
    if orphan.height:
        parts.append(
            orphan.select(
                "_row",
                pl.lit(None, dtype=RECORD_COLUMNS["timestamp"]).alias("timestamp"),
                pl.lit(None, dtype=pl.String).alias("severity_text"),
                pl.lit(None, dtype=RECORD_COLUMNS["severity_number"]).alias("severity_number"),
                pl.col("line").alias("body"),
                pl.lit(None, dtype=pl.String).alias("attributes"),
                pl.lit(orphan_error).alias("parse_error"),
            )
        )
    parsed = pl.concat(parts, how="vertical_relaxed").sort("_row") if len(parts) > 1 else parts[0]
    line_no = data["line_no"].cast(pl.Int64)
    following = line_no.shift(-1, fill_value=total + 1)
    first = line_no.clone().scatter(0, 1)
    out = parsed.with_columns(
        first.alias("line_no"),
        (following - first).cast(pl.UInt32).alias("n_lines"),
        pl.lit(None, dtype=pl.String).alias("service"),
        pl.lit(None, dtype=pl.String).alias("trace_id"),
    )
    return out.lazy().select(list(RECORD_COLUMNS)).cast(RECORD_COLUMNS)


def _sniff(sample: list[str]) -> float:
    """1.0 when the sample declares its fields (``#Fields:``) and is made of directives and
    data lines with that many values; else 0."""
    names: tuple[str, ...] = ()
    data = fits = 0
    for text in sample:
        if text.startswith(_FIELDS):
            names = _field_names(text)
        elif text.startswith("#"):
            if not _DIRECTIVE_RE.match(text):
                return 0.0
        else:
            data += 1
            if names[:1] == _COMMA:
                import csv

                fits += len(next(csv.reader([text]), [])) == len(names) - 1
            else:
                values = text.rstrip().split("\t" if "\t" in text else " ")
                fits += bool(names) and len(values) == len(names)
    if len(names) < 2 or not set(names) & {"date", "time", "cs-method", "cs-uri-stem", "sc-status", "c-ip", "date-time"}:
        return 0.0
    return 1.0 if data == 0 or fits / data >= 0.5 else 0.0


def _sniff_vpc(sample: list[str]) -> float:
    """1.0 when the sample starts with a VPC flow log's header and its data lines have as
    many values as it names fields; else 0."""
    if not sample or not _is_vpc_header(sample[0]):
        return 0.0
    n = len(sample[0].split())
    data = sample[1:]
    return 1.0 if not data or sum(len(s.split()) == n for s in data) / len(data) >= 0.8 else 0.0


VPC_FORMAT = LineFormat(
    name="vpc-flow",
    description="AWS VPC flow logs with their header line (S3 delivery): version account-id interface-id srcaddr ...",
    sniff=_sniff_vpc,
    parse=_parse,
)

FORMAT = LineFormat(
    name="w3c",
    description="W3C extended log file (IIS, CloudFront): #Fields: date time cs-method cs-uri-stem sc-status ...",
    sniff=_sniff,
    parse=_parse,
)

FORMATS = (FORMAT, VPC_FORMAT)
