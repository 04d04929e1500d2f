"""Layouts whose records are a block of lines opened by a marker, or rows under a header.

``k8s-events``: ``kubectl get events`` (and ``kubectl events``) as a table::

    LAST SEEN   TYPE      REASON    OBJECT                          MESSAGE
    2m          Warning   BackOff   pod/payments-5f6d7c8b9-qxzrt    Back-off restarting failed container

One record per row (the header joins the first row's record); ``TYPE`` is the level
(``Normal`` -> INFO, ``Warning`` -> WARN), the workload of the object's name the service
(``pod/payments-5f6d7c8b9-qxzrt`` -> ``payments``), ``MESSAGE`` the body, as for
``kubectl get events -o json``; ``reason``, the object's ``kind`` and ``name``, the
``namespace`` (``-A``) and the age go to ``attributes``. The ages (``2m``, ``90s``) are
relative to when the command ran: the records have no timestamp (read ``-o json`` for times).

``wevtutil``: ``wevtutil qe System /f:text`` blocks, ``Event[0]:`` then indented
``Key: value`` lines and the description below ``Description:``. ``Date`` is the time,
``Level`` the level (``Information`` INFO, ``Critical`` FATAL, ``Verbose`` DEBUG), ``Source``
the service (the provider, as for ``winevent``), the description the body; ``event_id``,
``channel`` (``Log Name``), ``computer``, ``task``, ``opcode``, ``keywords`` and ``user`` go
to ``attributes``.

``log4xml``: log4net's ``XmlLayout`` and log4j 1's ``XMLLayout`` (``<log4net:event
logger=".." timestamp=".." level="ERROR" thread=".."><log4net:message>...
</log4net:message><log4net:exception>...</log4net:exception></log4net:event>``, over one or
more lines): ``timestamp`` (ISO 8601, or epoch milliseconds for log4j), ``level``, the
message (CDATA and entities decoded) and the exception below it as the body; ``logger`` and
``thread`` go to ``attributes`` (the service stays the file's).

``cmtrace``: SCCM / ConfigMgr client logs, CMTrace's layout (``<![LOG[message]LOG]!><time=
"10:00:05.123-60" date="03-05-2024" component="ContentTransferManager" context="" type="3"
thread="1234" file="x.cpp:645">``, the message may run over lines): the date is month-day-
year, the number after the time the zone's bias in minutes (UTC = local time + bias: ``-60``
is UTC+1); ``type`` the level (1 INFO, 2 WARN, 3 ERROR); ``component`` goes to
``attributes.logger``, ``thread`` and ``file`` (as ``code``) too; the service stays the
file's (the component varies within one file).

``oracle-xml``: Oracle's ADR alert and listener logs in XML (``alert/log.xml``: ``<msg
time='2024-03-05T11:02:11.456+01:00' org_id='oracle' comp_id='rdbms' type='INCIDENT_ERROR'
level='1' ...> <txt>ORA-00600: ...</txt></msg>``, the attributes and the text over several
lines): ``time``; ``type`` the level (``INCIDENT_ERROR`` and ``ERROR`` ERROR, ``WARNING``
WARN, ``NOTIFICATION`` INFO, ``TRACE`` DEBUG), else the message ``level`` (1 critical FATAL, 2
severe ERROR, 8 important NOTICE, 16 normal INFO); the ``<txt>`` text the body;
``comp_id`` goes to ``attributes.logger``, ``pid``, ``host_id`` (as ``host``) and
``msg_id`` (as ``code``) too.

A line above a format's first record (or, in a table, a row that does not parse) is a
record of its own with ``parse_error`` set.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from rcakit.ingest._base import (
    NO_ATTRIBUTES,
    RECORD_COLUMNS,
    LineFormat,
    ParseOptions,
    guarded_records,
)
from rcakit.ingest._jsonl import encode_attributes, timestamp_expr
from rcakit.ingest._service import workload_from_pod
from rcakit.ingest._severity import severity_columns
from rcakit.ingest._winevent import xml_text

__all__ = ["CMTRACE", "K8S_EVENTS", "LOG4XML", "ORACLE_XML", "WEVTUTIL"]

def _xml_text(expr: pl.Expr) -> pl.Expr:
    """XML text: CDATA unwrapped, the predefined entities decoded."""
    return xml_text(expr.str.replace_all(r"<!\[CDATA\[([\s\S]*?)\]\]>", "${1}"))


def _records(
    fields: pl.DataFrame,
    ok: pl.Expr,
    expected: str,
    options: ParseOptions,
    *,
    severity_text: pl.Expr,
    severity_number: pl.Expr,
    body: pl.Expr,
    service: pl.Expr | None = None,
    attributes: pl.Expr | None = None,
) -> pl.LazyFrame:
    """The records of ``fields`` (one row per block): ``ok`` rows parsed into the given columns,
    the time read from ``_ts`` when the frame has it (none for a table of ages), the other
    rows kept with ``expected`` as their parse error."""
    timestamp = pl.lit(None, dtype=pl.Datetime("us", "UTC"))
    if "_ts" in fields.columns:
        timestamp = timestamp_expr("_ts", fields["_ts"].drop_nulls().head(200).to_list(), options)
    return fields.lazy().select(
        *guarded_records(
            ok, expected=expected, timestamp=timestamp, severity_text=severity_text, severity_number=severity_number,
            body=body, service=service, attributes=attributes,
        )
    ).cast(RECORD_COLUMNS)


def _blocks(lines: pl.LazyFrame, start: pl.Expr) -> pl.DataFrame:
    """One row per block: a line where ``start`` holds and the lines below it up to the
    next such line (``line`` joined with newlines, ``n_lines``); each line above the first
    start is a row of its own. Columns ``line_no, line, n_lines, _start, _blank``."""
    df = lines.collect().with_columns(_start=start.fill_null(False))
    group = pl.col("_start").cum_sum()
    return (
        df.lazy()
        .with_columns(_g=pl.when(group == 0).then(-pl.col("line_no").cast(pl.Int64)).otherwise(group.cast(pl.Int64)))
        .group_by("_g", maintain_order=True)
        .agg(
            pl.col("line_no").first(),
            pl.col("line").str.join("\n"),
            pl.len().cast(pl.UInt32).alias("n_lines"),
            pl.col("_start").first(),
        )
        .with_columns(_blank=~pl.col("_start") & (pl.col("line").str.strip_chars() == ""))
        .drop("_g")
        .collect()
    )


# --------------------------------------------------------------------------- kubectl get events

_K8S_HEADER = re.compile(r"^(?:NAMESPACE\s+)?LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\s*$")
_K8S_ROW = (
    r"^(?:(?P<ns>[a-z0-9][-a-z0-9.]*)\s+)?(?P<age>(?:<unknown>|<invalid>|\d+[smhdy]\S*)(?: \(x\d+ over \S+\))?)"
    r"\s+(?P<type>[A-Z][a-z]+)\s+(?P<reason>[A-Za-z][\w.-]*)\s+(?P<kind>[a-z][\w.-]*)/(?P<name>\S+)\s+(?P<msg>.*)$"
)


def _k8s_row_pattern(header: str) -> str:
    """A table row's pattern under ``header``: with its namespace column (``-A``) or without."""
    return _K8S_ROW if header.startswith("NAMESPACE") else _K8S_ROW.replace("(?:(?P<ns>[a-z0-9][-a-z0-9.]*)\\s+)?", "", 1)


def _k8s_parse(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    df = lines.collect()
    header = pl.col("line").str.contains(_K8S_HEADER.pattern)
    first_is_header = bool(df.height) and bool(df.head(1).select(header.fill_null(False)).item())
    row = _k8s_row_pattern(df["line"][0] if first_is_header else "")
    # (the header joins the first row's record; blank lines the record above)
    start = pl.col("line").str.strip_chars() != ""
    if first_is_header:
        rows = df.filter((pl.col("line_no") > 1) & start)["line_no"]
        if len(rows):
            start = start & (pl.col("line_no") != rows[0])
    blocks = _blocks(lines, start)
    record = pl.col("line").str.split("\n").list.eval(pl.element().filter(~pl.element().str.contains(_K8S_HEADER.pattern))).list.first()
    fields = blocks.lazy().with_columns(_row=record.fill_null("")).with_columns(
        _g=pl.col("_row").str.strip_chars_end().str.extract_groups(row)
    ).unnest("_g")
    if "ns" not in fields.collect_schema():
        fields = fields.with_columns(ns=pl.lit(None, dtype=pl.String))
    ok = pl.col("_start") & pl.col("type").is_not_null()
    sev_text, sev_num = severity_columns(pl.col("type").str.to_lowercase().replace({"normal": "info", "warning": "warn"}))
    attributes: pl.Expr = NO_ATTRIBUTES
    if options.wants("attributes"):
        attributes = encode_attributes(
            {"reason": pl.col("reason"), "kind": pl.col("kind"), "name": pl.col("name"), "namespace": pl.col("ns"), "age": pl.col("age")}
        )
    return _records(
        fields.collect(),
        ok,
        "not a kubectl get events row: expected 'LAST SEEN  TYPE  REASON  OBJECT  MESSAGE' columns",
        options,
        severity_text=sev_text,
        severity_number=sev_num,
        body=pl.col("msg").str.strip_chars(),
        service=workload_from_pod(pl.col("name")),
        attributes=attributes,
    )


def _headed(sample: list[str], head: re.Pattern[str], known: Callable[[str, str], bool]) -> float:
    """1.0 when the sample's first non-blank line matches ``head`` and at least half of the
    lines after it are ``known(line, first line)`` (a block's fields, a table's rows), else
    0.0."""
    lines = [s for s in sample if s.strip()]
    if not lines or not head.match(lines[0]):
        return 0.0
    rest = lines[1:]
    return 1.0 if not rest or sum(1 for s in rest if known(s, lines[0])) * 2 >= len(rest) else 0.0


def _k8s_row(line: str, header: str) -> bool:
    return re.match(_k8s_row_pattern(header), line) is not None


def _k8s_sniff(sample: list[str]) -> float:
    return _headed(sample, _K8S_HEADER, _k8s_row)


K8S_EVENTS = LineFormat(
    name="k8s-events",
    description="kubectl get events / kubectl events tables (LAST SEEN TYPE REASON OBJECT MESSAGE); no timestamps",
    sniff=_k8s_sniff,
    parse=_k8s_parse,
)


# --------------------------------------------------------------------------- wevtutil /f:text

_WEV_HEAD = re.compile(r"^Event\[\d+\]:\s*$")
_WEV_FIELD = re.compile(r"^  [A-Z][A-Za-z ]*:(?: |$)")
_WEV_LEVELS = {"information": "info", "critical": "critical", "error": "error", "warning": "warning", "verbose": "verbose"}


def _wev_field(name: str) -> pl.Expr:
    value = pl.col("line").str.extract(rf"(?m)^  {name}:[ \t]*(.*?)[ \t]*$", 1)
    return pl.when(value.is_in(["", "N/A"])).then(None).otherwise(value)


def _wev_parse(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    blocks = _blocks(lines, pl.col("line").str.contains(_WEV_HEAD.pattern))
    described = pl.col("line").str.extract(r"(?m)^  Description:[ \t]*([\s\S]*)$", 1).str.strip_chars()
    fields = blocks.lazy().with_columns(_ts=_wev_field("Date"), _level=_wev_field("Level"), _desc=described).collect()
    sev_text, sev_num = severity_columns(pl.col("_level").str.to_lowercase().replace(_WEV_LEVELS))
    event_id = _wev_field("Event ID")
    body = pl.coalesce(pl.col("_desc").replace("", None), pl.concat_str(pl.lit("EventID "), event_id))
    attributes: pl.Expr = NO_ATTRIBUTES
    if options.wants("attributes"):
        attributes = encode_attributes(
            {
                "event_id": event_id.cast(pl.Int64, strict=False),
                "channel": _wev_field("Log Name"),
                "computer": _wev_field("Computer"),
                "task": _wev_field("Task"),
                "opcode": _wev_field("Opcode"),
                "keywords": _wev_field("Keyword"),
                "user": _wev_field("User Name"),
            },
            numbers=("event_id",),
        )
    return _records(
        fields,
        pl.col("_start"),
        "not a wevtutil /f:text event: expected 'Event[N]:' and its indented fields",
        options,
        severity_text=sev_text,
        severity_number=sev_num,
        body=body,
        service=_wev_field("Source"),
        attributes=attributes,
    )


def _wev_sniff(sample: list[str]) -> float:
    return _headed(sample, _WEV_HEAD, lambda s, _: bool(_WEV_HEAD.match(s) or _WEV_FIELD.match(s)))


WEVTUTIL = LineFormat(
    name="wevtutil",
    description="Windows events as wevtutil qe /f:text prints them (Event[N]: and indented fields)",
    sniff=_wev_sniff,
    parse=_wev_parse,
)


# --------------------------------------------------------------------------- log4net / log4j XML

_L4X_HEAD = re.compile(r"^\s*<log4(?:net|j):event\s")
_L4X_LINE = re.compile(r"^\s*</?log4(?:net|j):")


def _l4x_attribute(name: str) -> pl.Expr:
    return _xml_text(pl.col("line").str.extract(rf"^\s*<log4(?:net|j):event\s[^>]*?\b{name}=\"([^\"]*)\"", 1))


def _l4x_element(name: str) -> pl.Expr:
    return _xml_text(pl.col("line").str.extract(rf"<log4(?:net|j):{name}>([\s\S]*?)</log4(?:net|j):{name}>", 1))


def _l4x_parse(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    blocks = _blocks(lines, pl.col("line").str.contains(_L4X_HEAD.pattern))
    fields = blocks.lazy().with_columns(
        _ts=_l4x_attribute("timestamp"),
        _message=_l4x_element("message").str.strip_chars(),
        _exception=pl.coalesce(_l4x_element("exception"), _l4x_element("throwable")).str.strip_chars(),
    ).collect()
    sev_text, sev_num = severity_columns(_l4x_attribute("level"))
    body = pl.concat_str(
        pl.col("_message").fill_null(""),
        pl.when(pl.col("_exception").replace("", None).is_not_null()).then(pl.lit("\n") + pl.col("_exception")).otherwise(pl.lit("")),
    ).str.strip_chars()
    attributes: pl.Expr = NO_ATTRIBUTES
    if options.wants("attributes"):
        attributes = encode_attributes({"logger": _l4x_attribute("logger"), "thread": _l4x_attribute("thread")})
    ok = pl.col("_start") & pl.col("line").str.contains(r"</log4(?:net|j):event>\s*$")
    return _records(
        fields,
        ok,
        "not a log4net/log4j XML event: expected <log4net:event ...>...</log4net:event>",
        options,
        severity_text=sev_text,
        severity_number=sev_num,
        body=body,
        attributes=attributes,
    )


def _l4x_sniff(sample: list[str]) -> float:
    return _headed(sample, _L4X_HEAD, lambda s, _: bool(_L4X_LINE.match(s)))


LOG4XML = LineFormat(
    name="log4xml",
    description="log4net XmlLayout / log4j 1 XMLLayout events (<log4net:event ...>, over one or more lines)",
    sniff=_l4x_sniff,
    parse=_l4x_parse,
)


# --------------------------------------------------------------------------- CMTrace (SCCM)

_CMT_HEAD = re.compile(r"^<!\[LOG\[")
_CMT_TAIL = r"\]LOG\]!><time=\"(?P<time>\d{1,2}:\d{2}:\d{2}(?:\.\d{1,9})?)(?P<bias>[+-]\d{1,4})?\"\s+date=\"(?P<mo>\d{1,2})-(?P<dd>\d{1,2})-(?P<yyyy>\d{4})\"(?P<rest>[^>]*)>\s*$"
_CMT_LEVELS = {"0": "info", "1": "info", "2": "warning", "3": "error"}


def _cmt_attr(name: str) -> pl.Expr:
    return pl.col("rest").str.extract(rf"\b{name}=\"([^\"]*)\"", 1).replace("", None)


def _cmt_parse(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    blocks = _blocks(lines, pl.col("line").str.contains(_CMT_HEAD.pattern))
    fields = (
        blocks.lazy()
        .with_columns(_m=pl.col("line").str.extract_groups(r"^<!\[LOG\[(?P<msg>[\s\S]*?)" + _CMT_TAIL))
        .unnest("_m")
    )
    bias = pl.col("bias").cast(pl.Int64, strict=False)
    offset = -bias  # (UTC = local + bias: the offset east of UTC is its negative)
    zone = pl.concat_str(
        pl.when(offset < 0).then(pl.lit("-")).otherwise(pl.lit("+")),
        (offset.abs() // 60).cast(pl.String).str.zfill(2),
        pl.lit(":"),
        (offset.abs() % 60).cast(pl.String).str.zfill(2),
    )
    stamp = pl.concat_str(
        pl.col("yyyy"), pl.lit("-"), pl.col("mo").str.zfill(2), pl.lit("-"), pl.col("dd").str.zfill(2),
        pl.lit("T"), pl.col("time"), pl.coalesce(zone, pl.lit("")),
    )
    fields_df = fields.with_columns(_ts=stamp).collect()
    sev_text, sev_num = severity_columns(_cmt_attr("type").replace(_CMT_LEVELS))
    attributes: pl.Expr = NO_ATTRIBUTES
    if options.wants("attributes"):
        attributes = encode_attributes(
            {"logger": _cmt_attr("component"), "thread": _cmt_attr("thread"), "code": _cmt_attr("file"), "context": _cmt_attr("context")}
        )
    return _records(
        fields_df,
        pl.col("_start") & pl.col("msg").is_not_null(),
        "not a CMTrace line: expected <![LOG[message]LOG]!><time=\"...\" date=\"...\" ...>",
        options,
        severity_text=sev_text,
        severity_number=sev_num,
        body=pl.col("msg").str.strip_chars(),
        attributes=attributes,
    )


def _cmt_sniff(sample: list[str]) -> float:
    return _headed(sample, _CMT_HEAD, lambda s, _: bool(_CMT_HEAD.match(s)) or "]LOG]!><time=" in s)


CMTRACE = LineFormat(
    name="cmtrace",
    description="SCCM / ConfigMgr client logs in CMTrace's layout (<![LOG[msg]LOG]!><time=... date=... type=...>)",
    sniff=_cmt_sniff,
    parse=_cmt_parse,
)


# --------------------------------------------------------------------------- Oracle ADR log.xml

_ADR_HEAD = re.compile(r"^<msg\s")
_ADR_LINE = re.compile(r"^\s*(?:<msg\s|</?txt>|</msg>|[a-z_]+='[^']*')|^\s*$|[^<>]*</txt>")
_ADR_TYPES = {"INCIDENT_ERROR": "error", "ERROR": "error", "WARNING": "warning", "NOTIFICATION": "info", "TRACE": "debug"}
_ADR_LEVELS = {"1": "critical", "2": "error", "8": "notice", "16": "info"}


def _adr_attribute(name: str) -> pl.Expr:
    return xml_text(pl.col("line").str.extract(rf"^<msg\s(?:[^>]*?\s)?{name}='([^']*)'", 1))


def _adr_parse(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    blocks = _blocks(lines, pl.col("line").str.contains(_ADR_HEAD.pattern))
    fields = blocks.lazy().with_columns(_ts=_adr_attribute("time")).collect()
    level = pl.coalesce(
        _adr_attribute("type").replace_strict(_ADR_TYPES, default=None),
        _adr_attribute("level").replace_strict(_ADR_LEVELS, default=None),
    )
    sev_text, sev_num = severity_columns(level)
    body = _xml_text(pl.col("line").str.extract(r"<txt>([\s\S]*?)</txt>", 1)).str.strip_chars()
    attributes: pl.Expr = NO_ATTRIBUTES
    if options.wants("attributes"):
        attributes = encode_attributes(
            {
                "logger": _adr_attribute("comp_id"),
                "pid": _adr_attribute("pid"),
                "host": _adr_attribute("host_id"),
                "code": _adr_attribute("msg_id"),
            }
        )
    ok = pl.col("_start") & pl.col("line").str.contains(r"</msg>\s*$")
    return _records(
        fields,
        ok,
        "not an Oracle ADR XML message: expected <msg time='...' ...><txt>...</txt></msg>",
        options,
        severity_text=sev_text,
        severity_number=sev_num,
        body=body,
        attributes=attributes,
    )


def _adr_sniff(sample: list[str]) -> float:
    return _headed(sample, _ADR_HEAD, lambda s, _: bool(_ADR_LINE.match(s)))


ORACLE_XML = LineFormat(
    name="oracle-xml",
    description="Oracle ADR alert/listener logs in XML (log.xml: <msg time='...'><txt>...</txt></msg>)",
    sniff=_adr_sniff,
    parse=_adr_parse,
)
