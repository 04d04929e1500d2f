"""Windows Event Log events as XML, one per line (format ``winevent``).

What ``wevtutil qe System /f:xml`` and PowerShell's ``Get-WinEvent | ForEach-Object
{ $_.ToXml() }`` write::

    <Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>
    <Provider Name='Service Control Manager' .../><EventID>7034</EventID><Level>2</Level>...
    <TimeCreated SystemTime='2024-03-01T10:00:05.2345678Z'/>...<Channel>System</Channel>
    <Computer>WEB01.corp.local</Computer></System><EventData><Data Name='param1'>W3SVC</Data>
    ...</EventData><RenderingInfo Culture='en-US'><Message>The World Wide Web Publishing
    Service terminated unexpectedly.</Message>...</RenderingInfo></Event>

Mapping: ``timestamp`` from ``TimeCreated/@SystemTime``; ``service`` is the provider
(``Service Control Manager``, ``Application Error``); severity from ``Level`` (1 critical ->
FATAL, 2 error -> ERROR, 3 warning -> WARN, 0 and 4 information -> INFO, 5 verbose -> DEBUG);
``body`` is the rendered ``Message`` when the export has it, else ``EventID <id>:`` and the
event data values; ``event_id``, ``channel``, ``computer``, ``record_id``, ``task``,
``keywords`` and the named ``Data`` values (``param1``...) go to ``attributes``. XML entities
in the text (``&amp;``, ``&lt;``...) are decoded. A line that is not such an event is kept
with ``parse_error`` set. Read with polars regex extraction per column, no XML parser: the
export is one flat element per line.
"""

from __future__ import annotations

import re

import polars as pl

from rcakit.ingest._base import (
    NO_ATTRIBUTES,
    RECORD_COLUMNS,
    LineFormat,
    ParseOptions,
    guarded_records,
)
from rcakit.ingest._jsonl import encode_attributes, fold_blank_lines, timestamp_expr
from rcakit.ingest._severity import severity_columns

__all__ = ["FORMAT"]

_EVENT = re.compile(r"^\s*<Event[\s>]")
#: Level -> a level word (0 is "LogAlways", written for information)
_LEVELS = {"0": "info", "1": "critical", "2": "error", "3": "warning", "4": "info", "5": "verbose"}
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}


def xml_text(expr: pl.Expr) -> pl.Expr:
    """XML text with the predefined entities decoded (``&amp;`` last)."""
    return expr.str.replace_many(list(_ENTITIES), list(_ENTITIES.values()))


def _element(name: str) -> pl.Expr:
    return pl.col("line").str.extract(rf"<{name}(?:\s[^>]*)?>([^<]*)</{name}>", 1)


def _attribute(element: str, attribute: str) -> pl.Expr:
    return pl.col("line").str.extract(rf"<{element}\s[^>]*\b{attribute}=['\"]([^'\"]*)['\"]", 1)


def _parse(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    df = fold_blank_lines(lines.collect())
    line = pl.col("line")
    ok = line.str.contains(r"^\s*<Event[\s>]") & line.str.contains("</Event>", literal=True)
    fields = df.lazy().with_columns(
        _ok=ok,
        _ts=_attribute("TimeCreated", "SystemTime"),
        _provider=_attribute("Provider", "Name"),
        _event_id=_element("EventID"),
        _level=_element("Level"),
        _message=xml_text(line.str.extract(r"<Message>([\s\S]*?)</Message>", 1)).str.strip_chars(),
        _data=line.str.extract(r"<EventData>([\s\S]*?)</EventData>", 1),
    ).collect()
    sample = fields["_ts"].drop_nulls().head(200).to_list()
    values = (
        pl.col("_data").str.extract_all(r"<Data(?:\s[^>]*)?>[^<]*</Data>")
        .list.eval(xml_text(pl.element().str.extract(r">([^<]*)<", 1)))
        .list.join(" ")
    )
    fallback = pl.concat_str(pl.lit("EventID "), pl.col("_event_id"), pl.lit(": "), values.fill_null(""))
    body = pl.coalesce(pl.col("_message").replace("", None), fallback.str.strip_chars_end(": ").str.strip_chars())
    sev_text, sev_num = severity_columns(pl.col("_level").replace(_LEVELS))
    attributes: pl.Expr = NO_ATTRIBUTES
    if options.wants("attributes"):
        attributes = encode_attributes(
            {
                "event_id": pl.col("_event_id").cast(pl.Int64, strict=False),
                "channel": _element("Channel"),
                "computer": _element("Computer"),
                "record_id": _element("EventRecordID").cast(pl.Int64, strict=False),
                "task": _element("Task"),
                "keywords": _element("Keywords"),
                "data": values.replace("", None),
            },
            numbers=("event_id", "record_id"),
        )
    return (
        fields.lazy()
        .select(
            *guarded_records(
                pl.col("_ok"),
                expected="not a Windows event: expected one <Event ...>...</Event> element per line",
                timestamp=timestamp_expr("_ts", sample, options),
                severity_text=sev_text,
                severity_number=sev_num,
                body=body,
                service=xml_text(pl.col("_provider")),
                attributes=attributes,
            ),
        )
        .cast(RECORD_COLUMNS)
    )


def _sniff(sample: list[str]) -> float:
    lines = [s for s in sample if s.strip()]
    if not lines:
        return 0.0
    return sum(1 for s in lines if _EVENT.match(s) and "</Event>" in s) / len(lines)


FORMAT = LineFormat(
    name="winevent",
    description="Windows Event Log events as XML, one per line (wevtutil qe /f:xml, Get-WinEvent ToXml)",
    sniff=_sniff,
    parse=_parse,
)
