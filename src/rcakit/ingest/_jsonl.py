"""JSON lines and docker json-file logs.

One JSON object per physical line. The keys are matched against the common spellings of
each OpenTelemetry field (first match per record wins, see :data:`KEY_ROLES`); nested objects
are flattened with dots (``{"http": {"status": 500}}`` -> ``http.status``), so both the
nested and the dotted ECS spellings (``{"log": {"level": "error"}}``, ``"log.level"``) map;
every other key goes to ``attributes`` (values as text, arrays as JSON text, nulls dropped).

Docker json-file lines (``{"log": "...\\n", "stream": "stdout", "time": "..."}``) are the same
format with one twist: docker cuts lines longer than 16 KiB into chunks whose ``log`` does not
end in ``\\n``; the chunks are joined into one record. The ``log`` text is an application log
line itself: :func:`parse_inner_messages` reads its level, timestamp and message when it is a
JSON object, a logfmt line or a text line with a timestamp/level head.

A line that is not a JSON object is kept as a record of its own (``body`` = the raw line,
``parse_error`` set), the lines below it that look like its continuation joined to it; a
runtime's crash report is one record at ERROR or FATAL without a parse error (see
:func:`rcakit.ingest._multiline.foreign_lines`). Blank lines belong to the record above them.

Decoding is done by ``pl.read_ndjson`` with an all-String schema built from the keys present
in the file (robust to a key holding a number in one line and an object in the next), on the
lines that look like objects; if some of them are not valid JSON, validity is decided per line
with ``str.json_path_match`` and only the valid ones are decoded.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from collections.abc import Callable, Collection, Mapping

import polars as pl

from rcakit._text import ESCAPE_SEQUENCES
from rcakit.ingest._base import (
    NO_ATTRIBUTES,
    RECORD_COLUMNS,
    LineFormat,
    ParseOptions,
    by_distinct,
    map_distinct,
)
from rcakit.ingest._files import lines_buffer
from rcakit.ingest._multiline import crash_severity, foreign_lines, join_container_continuations
from rcakit.ingest._severity import app_insights_level, severity_columns
from rcakit.ingest._timeparse import ZONE_NAMES, matching_timestamp_rules, parse_timestamps

__all__ = [
    "DOCKER_FORMAT",
    "FORMAT",
    "FORMATS",
    "KEY_ROLES",
    "decode_objects",
    "drop_shared_members",
    "encode_attributes",
    "fold_blank_lines",
    "merge_attributes",
    "parse_inner_messages",
    "parse_json_records",
    "records_from_objects",
    "timestamp_expr",
    "without_timestamp",
]

#: schema field -> key spellings, in priority order (after flattening nested objects with dots)
KEY_ROLES: dict[str, tuple[str, ...]] = {
    "timestamp": (
        # Traefik's access log: the request's start to the microsecond (its "time" is when
        # the line was written, to the second)
        "StartUTC",
        "@timestamp", "timestamp", "time", "ts", "datetime", "date", "t", "eventTime",
        "event.created", "asctime", "time_local", "Timestamp",
        "time_iso8601",  # nginx's own variable name in a log_format escape=json
        # systemd journal (journalctl -o json): when the message was logged, else received
        "_SOURCE_REALTIME_TIMESTAMP", "__REALTIME_TIMESTAMP",
        "_time",  # Splunk
        "TimeGenerated",  # Azure Monitor / Application Insights
        "t.$date",  # MongoDB 4.4+ ({"t": {"$date": ...}})
        # Kubernetes events (kubectl get events -o json): eventTime is often null there
        "lastTimestamp", "deprecatedLastTimestamp", "firstTimestamp", "metadata.creationTimestamp",
        "@t",  # Serilog compact JSON (CLEF)
        "instant", "timeMillis",  # log4j2 JsonLayout (instant: see _vendor_keys)
        "published",  # Okta's System Log (its events' only time)
    ),
    "severity": (
        "level", "severity", "log.level", "lvl", "levelname", "loglevel", "log_level",
        "severity_text", "SeverityText", "Level", "Severity", "levelName",
        "PRIORITY",  # systemd journal: syslog severity 0-7
        "SeverityLevel", "severityLevel",  # Application Insights: 0 Verbose .. 4 Critical
        "s",  # MongoDB 4.4+: F, E, W, I, D1..D5 (another key named "s" is left alone)
        "type",  # Kubernetes events: Normal, Warning (another key named "type" is left alone)
        "@l",  # Serilog compact JSON (CLEF)
        "@level",  # HashiCorp's hclog (Nomad, Consul, Vault, Terraform, Boundary with -json)
        "error_severity",  # PostgreSQL's jsonlog (LOG is INFO)
        "LogLevel",  # .NET's JSON console formatter (Microsoft.Extensions.Logging)
    ),
    "body": (
        "msg", "message", "@message", "@m", "@mt", "log", "text", "body", "Body", "Message", "textPayload",
        "jsonPayload.message", "jsonPayload.msg", "event", "error.message",
        "MESSAGE",  # systemd journal
        "splunk._raw",  # Splunk's event text (see _vendor_keys)
        "note",  # Kubernetes events.k8s.io/v1
        "short_message",  # GELF (see _vendor_keys)
        "logEvent.message",  # Logstash's own log in JSON (log.format: json)
        "fields.message",  # Rust tracing-subscriber's JSON format (the event's fields)
        "line",  # Loki's logcli --output=jsonl (a number there is a source line: see _KEY_VALUE)
        # an audit event's description or operation, where it has no message (Okta's System
        # Log, Azure's activity log; see _vendor_keys), rather than the whole raw line
        "displayMessage", "operationName.localizedValue", "operationName",
    ),
    "service": (
        "service", "service.name", "service_name", "serviceName", "app", "application",
        "app_name", "component", "resource.service.name", "resource.labels.service_name",
        "kubernetes.labels.app", "kubernetes.labels.app.kubernetes.io/name",
        # a Loki stream's labels (logcli --output=jsonl: {"labels": {...}, "line": ..., "timestamp": ...})
        "labels.service_name", "labels.service", "labels.app", "labels.app_kubernetes_io_name",
        # systemd journal: the program's name, else its unit
        "SYSLOG_IDENTIFIER", "_SYSTEMD_UNIT",
        "AppRoleName", "cloud_RoleName", "cloud.roleName",  # Application Insights
        "Application",  # Serilog's common enricher (Enrich.WithProperty("Application", ...))
    ),
    # the workload of a Kubernetes pod name is the service when no service key is present
    "pod": (
        "kubernetes.pod_name", "kubernetes.pod.name", "k8s.pod.name", "resource.labels.pod_name", "pod_name", "pod",
        "involvedObject.name", "regarding.name",  # Kubernetes events: the object they are about
        "labels.pod",  # a Loki stream's label
    ),
    "container": (
        "kubernetes.container_name", "kubernetes.container.name", "k8s.container.name",
        "resource.labels.container_name", "container_name", "labels.container",
    ),
    # a CloudWatch log group (Logs Insights' "@log"): its last segment, when nothing above is there
    "log_group": ("@log", "logGroup", "log_group", "logGroupName"),
    "trace_id": (
        "trace_id", "traceId", "traceid", "traceID", "trace.id", "dd.trace_id", "otelTraceID",
        "logging.googleapis.com/trace", "x_trace_id", "traceparent",
        "OperationId", "operation_Id", "operation.id",  # Application Insights
        # the MDC of log4j2's JsonLayout and logback encoders
        "contextMap.traceId", "contextMap.trace_id", "mdc.traceId", "mdc.trace_id",
        "@tr",  # Serilog compact JSON (CLEF) since Serilog 3.1 (its span id "@sp" stays an attribute)
        "TraceId",  # Serilog's TraceId property (ASP.NET Core's request logging, JsonFormatter's Properties)
        "attributes.dd.trace_id",  # Datadog's Logs API v2 (the record's own attributes under "attributes")
        # Google Cloud Logging's LogEntry (gcloud logging read, a GCS/BigQuery sink) and the
        # structured line an app writes for it: "projects/<project>/traces/<id>" (see _KEY_VALUE)
        "jsonPayload.logging.googleapis.com/trace", "trace",
    ),
    "logger": ("logger", "logger_name", "logger.name", "log.logger", "loggerName", "name", "SourceContext", "@module"),
    # the exception a record carries, appended to its message as a text log has it below
    # its head line (logstash-logback-encoder, ECS, OpenTelemetry, python-json-logger,
    # pino/bunyan, zap, Serilog)
    "stack": (
        "stack_trace", "error.stack_trace", "exception.stacktrace", "exception.stack_trace", "exc_info",
        "exc_text", "traceback", "stacktrace", "stackTrace", "StackTrace", "err.stack", "error.stack", "stack",
        "@x", "Exception", "exception",
    ),
}

# keys whose text must never be flattened even if it looks like a JSON object
# (Loki's "line": an app's JSON line is read as such, see _read_levelless_bodies)
_TEXT_KEYS = frozenset(("msg", "message", "@message", "@m", "@mt", "text", "body", "Body", "Message", "textPayload", "line"))
_KEY_RE = r'"((?:[^"\\]|\\.)*)"\s*:'
_MAX_KEYS = 2000
#: lines whose keys are assumed for all (and checked; see _decode)
_KEY_SAMPLE = 1000
_MAX_DEPTH = 4
_LEVEL_WORDS = (
    "TRACE|DEBUG|INFO|INFORMATION|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|FATAL|CRITICAL|CRIT|"
    "PANIC|ALERT|EMERG|FINE|FINER|FINEST|VERBOSE|DBG|INF|WRN|ERRO|EROR|FTL|TRC|VRB|DBUG|DEBU|FATA|PANI|TRAC"
)
# "<timestamp> [level] message", "[level] message", "level: message", "2024/01/02 03:04:05 message"
# (pm2 --time: "2024-03-01T10:00:00: message")
# (only the head is matched: a "(?s).*" tail capture made this regex ~5x slower)
_HEAD_RE = (
    r"^(?P<head>\s*(?:\[?(?P<ts>(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T\s_]+|-)\d{1,2}:\d{2}(?::\d{2})?"
    r"(?:[.,:]\d{1,9})?\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}|(?:" + ZONE_NAMES + r")\b)?)|(?:\d{10}(?:\.\d{1,9})?))\]?:?\s+)?"
    # (AWS Lambda: "<stamp>\t<request id>\t<LEVEL>\t" -- the id is head only before a level)
    r"(?:(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\t)?"
    # (structlog's console renderer pads the level inside its brackets: "[info     ]")
    r"[\[<(]?[ \t]*(?P<lvl>(?i:" + _LEVEL_WORDS + r"))(?:[ \t]*[\]>)])?(?::\s*|\s+|$)"
    # (klog/glog: "E0316 16:07:16.123456       1 authorize.go:112] msg": thread and source are head)
    r"|(?P<lvl1>[IWEDFT])(?P<glog>\d{4}\s\d{2}:\d{2}:\d{2}\.\d+)\s+(?:\d+\s+[\w.\-]+:\d+\]\s+)?)?)"
)


# Ruby's Logger head (Rails, Sidekiq's own logger): "I, [2024-03-01T10:00:01.123456 #4]  INFO -- app: "
_PY_LEVELS = "DEBUG|INFO|WARNING|ERROR|CRITICAL|FATAL|WARN"
_RUBY_HEAD = r"^[DIWEFAU], \[([^\]#]+?)[ \t]*#\d+\][ \t]+([A-Z]+) -- [^:\n]*: ?"


# App heads the text head above does not read, rewritten to its shape before it runs (the
# guard, one cheap test, first): Python logging's default "<stamp> - <logger> - LEVEL - "
# (to "<stamp> LEVEL <logger> - "), Celery's "[<stamp>: LEVEL/<process>] " (to "<stamp> LEVEL
# [<process>] "), PostgreSQL's "<stamp> UTC [<pid>] LEVEL:  " (to "<stamp> UTC LEVEL [<pid>]: ";
# its LOG is INFO); PostgreSQL's DETAIL/HINT/STATEMENT/CONTEXT lines lose their head (they
# continue the record above: see join_container_continuations); AWS Lambda's Python runtime's
# "[LEVEL]\t<stamp>\t<request id>\t" (to "<stamp> LEVEL [request_id=<id>]: "); .NET's console
# logger "fail: <category>[<event id>]" (to "ERROR <category> - ", its message on the
# indented lines below) and the .NET runtime's crash "Unhandled exception. <type>: ..." (a
# FATAL record)
_APP_STAMP = r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"
_PG_STAMP = _APP_STAMP + r"(?: [A-Z]{2,5}| [+-]\d{2})?"
_APP_HEADS = (
    rf"^(?:{_APP_STAMP} - [^ \t]+ - [A-Z]+ - |\[{_APP_STAMP}: [A-Z]+/[^\]\s]+\] "
    rf"|{_PG_STAMP} \[\d+\] [A-Z]+[0-9]?:  |\[[A-Z]+\]\t{_APP_STAMP}"
    r"|(?:trce|dbug|info|warn|fail|crit): [^\s\[\]]+\[\d+\]|Unhandled exception\. [\w.]+(?:Exception|Error)\b)"
)
#: .NET's console logger's level words
_DOTNET_LEVELS = {"trce": "TRACE", "dbug": "DEBUG", "info": "INFO", "warn": "WARN", "fail": "ERROR", "crit": "CRITICAL"}
_APP_REWRITES = (
    (rf"^({_APP_STAMP}) - ([^ \t]+) - ({_PY_LEVELS}) - ", "${1} ${3} ${2} - "),
    (rf"^\[({_APP_STAMP}): ({_PY_LEVELS})/([^\]\s=]+)\] ", "${1} ${2} [process=${3}]: "),
    (rf"^({_PG_STAMP}) \[(\d+)\] LOG:  ", "${1} INFO [pid=${2}]: "),
    (rf"^({_PG_STAMP}) \[(\d+)\] (ERROR|FATAL|PANIC|WARNING|NOTICE|INFO|DEBUG[1-5]?):  ", "${1} ${3} [pid=${2}]: "),
    (rf"^{_PG_STAMP} \[\d+\] ((?:DETAIL|HINT|STATEMENT|CONTEXT|QUERY|LOCATION):  )", "${1}"),
    # AWS Lambda's Python runtime: "[INFO]\t<stamp>Z\t<request id>\t" (the request id an attribute)
    (rf"^\[({_PY_LEVELS})\]\t({_APP_STAMP}Z?)\t([0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}})\t",
     "${2} ${1} [request_id=${3}]: "),
    *((rf"^{word}: ([^\s\[\]]+)\[\d+\][ \t]?", f"{level} ${{1}} - ") for word, level in _DOTNET_LEVELS.items()),
    (r"^(Unhandled exception\. [\w.]+(?:Exception|Error)\b)", "FATAL ${1}"),
)


# "[catalog.api] [trace_id=4f1c] - " / "[main]: " / "[main] c.x.Payment - " / "c.x.Payment - ":
# bracket groups and a logger name closing the head of a text line (as the text format's
# log4j layout reads them; a logger glued to ": " needs brackets before it)
# (blanks, never a line break: a multi-line message's next line is not head; a logger name
# is followed by " - " or " : ", not glued to a colon, which is what exception names are)
# ... or one name in brackets before the message (Python's "%(levelname)s [%(name)s]
# %(message)s"; a bracket holding blanks or "=" is the message's: Kafka's "[KafkaServer id=1]")
_BRACKETS_RE = (
    r"^(?:\[[^\[\]]*\](?:[ \t]*\[[^\[\]]*\])*"
    r"(?::[ \t]+|[ \t]+-[ \t]+|[ \t]+[A-Za-z_$][\w$.\-/:]*[\w$][ \t]+[-:][ \t]+)"
    r"|[A-Za-z_$][\w$.\-/:]*[ \t]+-[ \t]+"
    r"|\[[A-Za-z_$][\w$.\-:]*\][ \t]+)"
)
# the logger name at the end of such a head (none when the head ends with a bracket)
_HEAD_LOGGER_RE = r"(?:^|[ \t])([A-Za-z_$][\w$.\-/:]*[\w$])[ \t]*[-:][ \t]*$"
# Spring Boot's default console layout after the level: "12345 --- [app] [thread] c.x.Logger : "
# (pid, one or more bracket groups, the logger, " : "): head, not message
_SPRING_RE = r"^(\d+)\s+---\s+((?:\[[^\]]*\]\s*)+)(\S+)\s+:\s"
# Spring Boot 3.2's "[<traceId>-<spanId>]" (blanks without a trace) after its thread's bracket
_SPRING_CORRELATION = r"\] \[(?:[0-9a-f]{32}-[0-9a-f]{16}| {20,})\]"


def _looks_like_object(expr: pl.Expr, *, strip: bool = True) -> pl.Expr:
    s = expr.str.strip_chars(" \t\r\n") if strip else expr
    return s.str.starts_with("{") & s.str.ends_with("}")


def _discover_keys(texts: pl.Series) -> list[str]:
    """Every top-level key candidate of the JSON objects in ``texts`` (a superset: nested
    keys and key-like text in values show up too, they decode to all-null and are dropped),
    the most frequent first, ties in the order they first appear."""
    found = (
        texts.to_frame("t")
        .lazy()
        .select(pl.col("t").str.extract_all(_KEY_RE).alias("k"))
        .explode("k")
        .drop_nulls()
        .group_by("k", maintain_order=True)
        .len()
        .sort("len", descending=True, maintain_order=True)
        .head(_MAX_KEYS)
        .collect()
    )
    keys = [k[1:].rsplit('"', 1)[0] for k in found["k"].to_list()]
    # JSON-unescape keys that contain escapes (rare)
    out = []
    for k in keys:
        if "\\" in k:
            try:
                import json

                k = json.loads(f'"{k}"')
            except ValueError:
                continue
        if k == "*" or (k.startswith("^") and k.endswith("$")):
            # polars reads these column names as a wildcard / a regex: such keys are not
            # decoded (the line itself is kept; found by the random-input property test)
            continue
        out.append(k)
    return list(dict.fromkeys(out))


def _ndjson_bytes(texts: pl.Series) -> memoryview:
    """The texts as one newline-terminated UTF-8 buffer for the NDJSON reader."""
    if texts.str.contains("\r", literal=True).any():
        texts = texts.str.replace_all("\r", " ", literal=True)  # a stray CR would be a line break to the reader
    return lines_buffer(texts)


def _read_objects(texts: pl.Series, keys: list[str]) -> pl.DataFrame | None:
    """Decode valid JSON object texts with an all-String schema, or None if any is invalid."""
    if not keys:
        return pl.DataFrame({"_": pl.repeat(None, len(texts), dtype=pl.String, eager=True)}).drop("_")
    try:
        out = pl.read_ndjson(
            io.BytesIO(_ndjson_bytes(texts)), schema=dict.fromkeys(keys, pl.String), infer_schema_length=None
        )
    except (pl.exceptions.PolarsError, OverflowError, ValueError):
        return None
    return out if out.height == len(texts) else None


def _decode(texts: pl.Series) -> pl.DataFrame | None:
    """Decode JSON object texts (all valid objects, or None), finding their keys cheaply.

    The keys of the first lines are assumed, and checked on every line: the ``":`` of a line
    are counted, and so are those its known keys explain (one per non-null value and those
    inside the decoded values; and one per ``null`` where no value holds one). Only the lines
    where the two differ (a key the first lines did not have, or one written ``"k" :``) are
    searched for keys, and decoded again for those. The same columns as searching every line
    (a key that is null wherever it is not searched for is dropped as all-null either way),
    for about a third of the work.
    """
    keys = _discover_keys(texts.head(_KEY_SAMPLE))
    decoded = _read_objects(texts, keys)
    if decoded is None or len(texts) <= _KEY_SAMPLE:
        return decoded
    t = pl.col("t")
    present = [pl.col(f"_{k}").is_not_null().cast(pl.UInt32) for k in keys]
    inside = [pl.col(f"_{k}").str.count_matches('":', literal=True).fill_null(0).cast(pl.UInt32) for k in keys]
    seen = (
        pl.concat([texts.to_frame("t"), decoded.rename(lambda c: f"_{c}")], how="horizontal")
        .lazy()
        .select(
            said=t.str.count_matches('":', literal=True),
            present=pl.sum_horizontal(pl.lit(0, dtype=pl.UInt32), *present),
            inside=pl.sum_horizontal(pl.lit(0, dtype=pl.UInt32), *inside),
            spaced=t.str.contains(" :", literal=True) | t.str.contains("\t:", literal=True),
        )
        .collect()
    )
    spaced = seen["spaced"]
    if spaced.any():
        # a key written with blanks before its colon ("k" : 1) is not counted above
        at = spaced.arg_true()
        spaced = spaced.scatter(at, texts.gather(at).str.contains(r'"[ \t\r]+:'))
    unexplained = (seen["said"] != seen["present"] + seen["inside"]) | spaced
    if unexplained.any():
        # Where no known value holds a '":', the other '":' of the line are keys: a key with a
        # null value explains its own ("k":null, not after a backslash). What stays
        # unexplained then is a key with a value that the first lines did not have.
        idx = (unexplained & (seen["inside"] == 0)).arg_true()
        nulls = texts.gather(idx).str.count_matches(r'(?:^|[^\\])":\s*null\b').cast(pl.UInt32)
        unexplained = unexplained.scatter(
            idx, (seen["said"].gather(idx) != seen["present"].gather(idx) + nulls) | spaced.gather(idx)
        )
    if not unexplained.any():
        return decoded
    idx = unexplained.arg_true()
    more = [k for k in _discover_keys(texts.gather(idx)) if k not in keys]
    if not more:
        return decoded
    if len(keys) + len(more) > _MAX_KEYS:
        return _read_objects(texts, _discover_keys(texts))
    extra = _read_objects(texts.gather(idx), more)
    if extra is None:  # pragma: no cover - a subset of valid objects is valid
        return _read_objects(texts, _discover_keys(texts))
    return decoded.hstack(
        [pl.repeat(None, len(texts), dtype=pl.String, eager=True).alias(k).scatter(idx, extra[k]) for k in more]
    )


def decode_objects(texts: pl.Series, *, depth: int = 0) -> tuple[pl.DataFrame, pl.Series]:
    """Decode one JSON object per row into flat String columns.

    Parameters
    ----------
    texts
        String series; rows that are not a JSON object decode to all-null.
    depth
        Nesting level (internal): objects nested deeper than 4 levels stay JSON text.

    Returns
    -------
    (frame, valid)
        ``frame`` has one String column per (dotted) key and one row per input row;
        ``valid`` is a Boolean series, True where the row was a JSON object.
    """
    n = len(texts)
    candidate = texts.to_frame("t").lazy().select(_looks_like_object(pl.col("t")).fill_null(False)).collect().to_series()
    if not candidate.any():
        return pl.DataFrame({"_none": pl.repeat(None, n, dtype=pl.String, eager=True)}), candidate.alias("valid")
    idx = pl.int_range(n, eager=True).filter(candidate)
    subset = texts.filter(candidate)
    decoded = _decode(subset) if len(subset) else None
    if decoded is None and len(subset):
        # some candidate lines are not valid JSON: decide per line, decode the valid ones
        ok = subset.str.json_path_match("$").is_not_null()
        idx = idx.filter(ok)
        subset = subset.filter(ok)
        keys = _discover_keys(subset) if len(subset) else []
        decoded = _read_objects(subset, keys)
        if decoded is None:  # pragma: no cover - read_ndjson disagreeing with json_path_match
            decoded = pl.DataFrame(
                {k: subset.str.json_path_match(f"$[{_json_str(k)}]") for k in keys if _addressable(k)}
            ) if keys else pl.DataFrame()
    if decoded is None:
        decoded = pl.DataFrame()
    valid = pl.repeat(False, n, dtype=pl.Boolean, eager=True).alias("valid").scatter(idx, True) if n else pl.Series(
        "valid", [], dtype=pl.Boolean
    )
    # drop keys that never occur at this level (superset from the key regex)
    decoded = decoded.select([c for c in decoded.columns if decoded[c].null_count() < decoded.height])
    decoded = _exact_nested(decoded, subset)
    if depth < _MAX_DEPTH:
        decoded = _flatten(decoded, depth=depth)
    if len(idx) == n:  # every row is an object: nothing to scatter
        return (decoded if decoded.width else pl.DataFrame({"_none": pl.repeat(None, n, dtype=pl.String, eager=True)})), valid
    # scatter back to the full row count
    full = pl.DataFrame({"_row": idx}).hstack(decoded) if decoded.width else pl.DataFrame({"_row": idx})
    frame = (
        pl.DataFrame({"_row": pl.int_range(n, eager=True)})
        .join(full, on="_row", how="left", maintain_order="left")
        .drop("_row")
    )
    return frame, valid


#: a nested object or array as the String-schema reader writes it back, when that text is
#: not JSON: it leaves tabs and other control characters raw and a backslash unescaped
_LOSSY_NESTED = r"^[\[{][\s\S]*[\x00-\x09\x0b-\x1f\\]"


def _exact_nested(decoded: pl.DataFrame, texts: pl.Series) -> pl.DataFrame:
    """Nested objects and arrays as the line wrote them where the reader's text of them is
    not JSON (a stack trace's ``\\tat``, a Windows path): such an object was kept as one
    unreadable string instead of being flattened, and its strings were altered."""
    fixed = []
    for name in decoded.columns:
        col = decoded[name]
        if col.dtype != pl.String or not (col.str.starts_with("{") | col.str.starts_with("[")).any():
            continue
        lossy = col.str.contains(_LOSSY_NESTED).fill_null(False)
        # (polars' JSONPath cannot address a key holding a backslash or a quote: such a
        # value keeps the reader's text)
        if lossy.any() and _addressable(name):
            at = lossy.arg_true()
            fixed.append(col.scatter(at, texts.gather(at).str.json_path_match(f"$[{_json_str(name)}]")))
    return decoded.with_columns(fixed) if fixed else decoded


def _addressable(key: str) -> bool:
    """Whether polars' JSONPath can address ``key`` (not with a backslash or a quote in it)."""
    return "\\" not in key and '"' not in key


def _json_str(key: str) -> str:
    import json

    return json.dumps(key)


def _flatten(frame: pl.DataFrame, *, depth: int) -> pl.DataFrame:
    """Replace columns holding JSON objects by ``column.key`` columns (recursively)."""
    out: list[pl.Series] = []
    for name in frame.columns:
        col = frame[name]
        if name in _TEXT_KEYS:
            out.append(col)
            continue
        # unstripped: docker's "log" text ends in "\n" even when it holds a JSON line
        is_obj = col.to_frame().select(_looks_like_object(pl.col(name), strip=False).fill_null(False)).to_series()
        if not is_obj.any():
            out.append(col)
            continue
        inner, valid = decode_objects(col.set(~is_obj, None), depth=depth + 1)
        # rows that were objects: replaced by their fields; other rows keep their scalar value
        out.append(col.set(valid, None).alias(name))
        out.extend(inner[c].alias(f"{name}.{c}") for c in inner.columns)
    if len({s.name for s in out}) < len(out):
        # a dotted key and a nested one spell the same field ("error.message" on some lines,
        # "error": {"message": ...} on others): one column, each row's own value
        merged: dict[str, pl.Series] = {}
        for series in out:
            have = merged.get(series.name)
            if have is not None and have.dtype != series.dtype:
                have, series = have.cast(pl.String), series.cast(pl.String)
            merged[series.name] = series if have is None else have.zip_with(have.is_not_null(), series)
        out = list(merged.values())
    frame = pl.DataFrame(out) if out else frame
    return frame.select([c for c in frame.columns if frame[c].null_count() < frame.height])


_NULL_TS = pl.lit(None, dtype=RECORD_COLUMNS["timestamp"])
_NO_TRACE = pl.lit(None, dtype=pl.String).alias("trace_id")


def timestamp_expr(expr: pl.Expr | str, sample: list[str], options: ParseOptions) -> pl.Expr:
    """``parse_timestamps`` restricted to the layouts seen in ``sample``; a null literal when
    no sample value is a timestamp (trying every layout on every row would be wasted work)
    or when the caller does not want timestamps (see :func:`without_timestamp`)."""
    if not options.wants("timestamp"):
        return _NULL_TS
    rules = matching_timestamp_rules(sample[:200], year=options.year)
    if not rules:
        return _NULL_TS
    return parse_timestamps(expr, tz=options.tz, year=options.year, rules=rules)


def without_timestamp(options: ParseOptions) -> ParseOptions:
    """``options`` for inner lines whose own timestamp is never used: every outer record (the
    CSV row, the container runtime's line) has one, and the outer one wins."""
    kept = options.columns if options.columns is not None else frozenset(RECORD_COLUMNS)
    return dataclasses.replace(options, columns=kept - {"timestamp"})


def encode_attributes(
    columns: Mapping[str, pl.Expr],
    *,
    numbers: tuple[str, ...] = (),
    nullable: Collection[str] | None = None,
) -> pl.Expr:
    """A flat JSON object string from named expressions, null entries left out.

    One ``struct.json_encode`` for all columns, then the ``"name":null`` members are cut out
    with literal replacements (a JSON-encoded string value cannot contain ``"name":null``:
    its quotes are escaped, and the raw NUL marker used in between cannot occur either).

    Parameters
    ----------
    columns
        Attribute name -> expression; written as JSON strings, except the names in
        ``numbers``, written as JSON numbers (non-finite values are dropped).
    numbers
        Names whose values are numeric.
    nullable
        Names that may be null (default: all); the caller may pass fewer when it knows,
        which saves the null-cutting passes.

    Returns
    -------
    pl.Expr
        String expression ``{"k": v, ...}``, null when every value is null.
    """
    if not columns:
        return pl.lit(None, dtype=pl.String).alias("attributes")
    import json

    fields = []
    for name, expr in columns.items():
        value: pl.Expr
        if name in numbers:
            value = pl.when(expr.cast(pl.Float64, strict=False).is_finite()).then(expr)
        else:
            value = expr.cast(pl.String)
        fields.append(value.alias(name))
    may_be_null = [n for n in columns if nullable is None or n in nullable or n in numbers]
    nulls = [json.dumps(name, ensure_ascii=False) + ":null" for name in may_be_null]
    names = list(columns)
    if len(set(names)) == len(names) and all(_plain_key(n) for n in names):
        cut = frozenset(may_be_null)

        def encode(values: pl.Series) -> pl.Series:
            return _encode_members(values.struct.unnest(), names, cut)

        return pl.struct(fields).map_batches(encode, return_dtype=pl.String, is_elementwise=True).alias("attributes")
    encoded = pl.struct(fields).struct.json_encode()
    if nulls:
        encoded = encoded.str.replace_many(nulls, ["\x00"] * len(nulls), leftmost=True).str.replace_many(
            ["\x00,", ",\x00", "\x00"], ["", "", ""], leftmost=True
        )
    return pl.when(encoded != "{}").then(encoded).alias("attributes")


def _plain_key(name: str) -> bool:
    """A key that JSON writes as itself in quotes (no escapes) and that is not empty."""
    return bool(name) and not any(c in name for c in '"\\') and all(ord(c) >= 0x20 for c in name)


def _encode_members(frame: pl.DataFrame, names: list[str], cut: frozenset[str]) -> pl.Series:
    """``{"k":v,...}`` of each row, the members of ``cut`` left out where null; null when no
    member is left: the same text as one ``struct.json_encode`` with the null members cut
    out afterwards, without that cutting pass.

    Rows are grouped by the members they lack and each group encoded at once
    (:func:`_encode_by_null_mask`); when there are too many such groups, each member is
    encoded on its own (a String column whose values repeat, once per distinct value) and
    the members of a row joined."""
    n = frame.height
    by_mask = _encode_by_null_mask(frame, names, cut)
    if by_mask is not None:
        return by_mask
    members: list[pl.Series] = []
    for name in names:
        col = frame[name]
        nulls = col.null_count()
        if name in cut and nulls == n:
            continue  # never a member
        member = _member_texts(col, name)
        if name in cut and nulls:
            member = member.to_frame("m").select(pl.when(col.is_not_null()).then(pl.col("m"))).to_series()
        members.append(member.alias(f"m{len(members)}"))
    if not members:
        return pl.repeat(None, n, dtype=pl.String, eager=True)
    joined = pl.DataFrame(members).select(
        pl.concat_str(pl.lit("{"), pl.concat_str(pl.all(), separator=",", ignore_nulls=True), pl.lit("}")).alias("a")
    )
    return joined.select(pl.when(pl.col("a") != "{}").then(pl.col("a"))).to_series()


_MAX_MASKS = 16


def _encode_by_null_mask(frame: pl.DataFrame, names: list[str], cut: frozenset[str]) -> pl.Series | None:
    """The rows grouped by which ``cut`` members they lack, each group encoded with one
    ``struct.json_encode`` of the members it has (nothing to cut out afterwards); None when
    the rows have more than :data:`_MAX_MASKS` different sets of members."""
    n = frame.height
    nulls = {c: frame[c].null_count() for c in names}
    live = [c for c in names if not (c in cut and nulls[c] == n)]
    if not live:
        return pl.repeat(None, n, dtype=pl.String, eager=True)
    holes = [c for c in live if c in cut and nulls[c]]
    if not holes:
        return _json_rows(frame, live)
    if len(holes) > 62:
        return None
    mask = frame.select(
        pl.sum_horizontal([pl.col(c).is_null().cast(pl.Int64) * (1 << i) for i, c in enumerate(holes)]).alias("m")
    ).to_series()
    masks = mask.unique().sort().to_list()
    if len(masks) > _MAX_MASKS:
        return None
    out = pl.repeat(None, n, dtype=pl.String, eager=True)
    for m in masks:
        cols = [c for c in live if not (c in holes and (m >> holes.index(c)) & 1)]
        if not cols:
            continue  # no member at all: null
        idx = (mask == m).arg_true()
        out = out.scatter(idx, _json_rows(frame[idx], cols))
    return out


def _json_rows(frame: pl.DataFrame, cols: list[str]) -> pl.Series:
    """``struct(cols).struct.json_encode()`` of each row; once per distinct row when the
    combinations repeat (stream, pod, logger, host, facility...)."""

    def encode(rows: pl.DataFrame) -> pl.Series:
        return rows.select(pl.struct(cols).struct.json_encode()).to_series()

    return map_distinct(frame.select(cols), encode)


def _member_texts(col: pl.Series, name: str) -> pl.Series:
    """``"name":<JSON value>`` for every row of ``col`` (``"name":null`` where null); once
    per distinct value when values repeat."""

    def encode(rows: pl.DataFrame) -> pl.Series:
        return rows.select(pl.struct(pl.col(name)).struct.json_encode().str.slice(1).str.strip_suffix("}")).to_series()

    return map_distinct(col.to_frame(name), encode)


def _service_name(value: pl.Expr) -> pl.Expr:
    # a number or a duration is not a service name (Heroku's router logs service=30001ms)
    return value.str.contains(r"[A-Za-z]") & ~value.str.contains(r"^\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h)?$")


_VALID: dict[str, Callable[[pl.Expr], pl.Expr]] = {"service": _service_name}

#: columns the parsers add next to the decoded keys (the raw line, ...): never attributes. A key
#: of the record that starts with "_" is one (the journal's _HOSTNAME, _PID, __CURSOR...).
_INTERNAL_COLUMNS = frozenset({"_raw", "_valid", "_none"})

_SYSLOG_LEVELS = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")


def _syslog_level(value: pl.Expr, *, default: pl.Expr | None = None) -> pl.Expr:
    """A syslog severity number (0-7) as its level word; other values -> ``default``."""
    return value.str.strip_chars().replace_strict(
        {str(i): word for i, word in enumerate(_SYSLOG_LEVELS)}, default=default, return_dtype=pl.String
    )


def _gcp_trace(value: pl.Expr, *, strict: bool = False) -> pl.Expr:
    """The trace id of a Cloud Logging trace resource name (``projects/p/traces/<id>``); with
    ``strict``, null for any other value, else the value as it is."""
    tid = value.str.extract(r"^projects/[^/]+/traces/([0-9A-Za-z]+)$", 1)
    return tid if strict else pl.coalesce(tid, value)


#: keys whose value needs a translation before it means what its role means
_KEY_VALUE: dict[str, Callable[[str], pl.Expr]] = {
    # the journal's PRIORITY is a syslog severity number (a bare 3 elsewhere is not)
    "PRIORITY": lambda k: _syslog_level(pl.col(k)),
    "SeverityLevel": lambda k: app_insights_level(pl.col(k)),
    "severityLevel": lambda k: app_insights_level(pl.col(k)),
    "s": lambda k: pl.col(k).replace_strict(
        {"F": "fatal", "E": "error", "W": "warning", "I": "info", **{f"D{i}": "debug" for i in range(1, 6)}, "D": "debug"},
        default=None,
        return_dtype=pl.String,
    ),
    "type": lambda k: pl.col(k).replace_strict(
        {"Normal": "info", "Warning": "warning"}, default=None, return_dtype=pl.String
    ),
    # Loki's "line" is the message; a number there is a source line ({"file": "x.go", "line": 42})
    "line": lambda k: pl.when(~pl.col(k).str.contains(r"^\s*\d+\s*$")).then(pl.col(k)),
    # a systemd unit is the service without its unit type (checkout.service -> checkout)
    "_SYSTEMD_UNIT": lambda k: pl.col(k).str.replace(r"\.(?:service|scope|socket|timer)$", ""),
    # Google Cloud Logging names a trace by its resource name, "projects/<p>/traces/<32 hex>":
    # the id is its last part; a bare "trace" key is the trace id only in that shape (elsewhere
    # it can be a stack trace or a flag)
    "trace": lambda k: _gcp_trace(pl.col(k), strict=True),
    "logging.googleapis.com/trace": lambda k: _gcp_trace(pl.col(k)),
    "jsonPayload.logging.googleapis.com/trace": lambda k: _gcp_trace(pl.col(k)),
}


#: A key that names a point in time, for a record none of whose keys is a known timestamp
#: spelling (Cloudflare's ``EdgeStartTimestamp``, a Kubernetes audit event's
#: ``requestReceivedTimestamp``, ``created_at``): names holding "timestamp" first
_TIME_KEY = re.compile(r"(?i)timestamp|(?:^|[._])(?:time|date)$|[a-z](?:Time|Date|At)$|_at$")
#: ... but not a duration (``request_time``, ``upstream_response_time``)
_DURATION_KEY = re.compile(r"(?i)duration|elapsed|took|latency|response_time|request_time|upstream|_ms$|_us$|_ns$")


#: ... and an event's end after its start (Cloudflare's ``EdgeEndTimestamp``: a request is
#: placed at its start, as access logs place it)
_END_KEY = re.compile(r"(?i)end(?:ed)?(?:_?(?:time|date|timestamp|at))?$|end_?time|endtimestamp|finish|complet")


def _time_keys(columns: list[str]) -> list[str]:
    keys = [c for c in columns if _TIME_KEY.search(c) and not _DURATION_KEY.search(c)]
    return sorted(keys, key=lambda c: ("timestamp" not in c.lower(), _END_KEY.search(c) is not None))


#: A key naming a time in epoch units (Akamai DataStream's ``reqTimeSec``, ``startTimeMillis``,
#: ``time_ms``, ``epoch``), for a record with no other time key: taken only when its values
#: are epoch seconds or milliseconds of this century (see :func:`_epoch_keys`); a duration
#: (Akamai's ``turnAroundTimeMSec``: 5012) is none
_EPOCH_KEY = re.compile(
    r"[a-z](?:Time|Epoch)(?:Sec|Secs|Seconds|Ms|MSec|Msec|Millis)$"
    r"|(?i:(?:^|[._])(?:time|ts|epoch|unix_?time)_?(?:s|sec|secs|seconds|ms|msec|millis)$|(?:^|[._])(?:epoch|unix_?time)$)"
)
#: ... not a span's length (Akamai's ``transferTimeMSec``, ``dnsLookupTimeMSec``)
_SPAN_KEY = re.compile(r"(?i)turn_?around|transfer|overhead|lookup|wait|spent|taken")
_EPOCH_VALUE = re.compile(r"^(?:\d{10}(?:\.\d{1,9})?|\d{13}(?:\.\d{1,6})?)$")
#: epoch seconds of 2000-01-01 and 2100-01-01
_EPOCH_RANGE = (946_684_800, 4_102_444_800)


def _epoch_keys(frame: pl.DataFrame) -> list[str]:
    """The first key naming a time in epoch units (:data:`_EPOCH_KEY`, not a duration) whose
    values in the first 200 rows are all epoch seconds or milliseconds between 2000 and 2100."""
    for name in frame.columns:
        if not _EPOCH_KEY.search(name) or _DURATION_KEY.search(name) or _SPAN_KEY.search(name):
            continue
        if frame.schema[name] != pl.String:
            continue
        values = frame[name].drop_nulls().head(200).to_list()
        if values and all(
            _EPOCH_VALUE.match(v) and _EPOCH_RANGE[0] <= float(v) / (1000 if len(v.split(".")[0]) == 13 else 1) < _EPOCH_RANGE[1]
            for v in values
        ):
            return [name]
    return []


def _pick(frame: pl.DataFrame, role: str) -> tuple[pl.Expr, dict[str, pl.Expr]]:
    """Coalesce the spellings of a role; return it and masks of which column was used."""
    keys = [k for k in KEY_ROLES[role] if k in frame.columns]
    if not keys and role == "timestamp":
        keys = _time_keys(frame.columns) or _epoch_keys(frame)
    if not keys:
        return pl.lit(None, dtype=pl.String), {}
    check = _VALID.get(role)
    values = [_KEY_VALUE.get(k, pl.col)(k) for k in keys]
    if check is not None:
        values = [pl.when(check(v)).then(v) for v in values]
    used: dict[str, pl.Expr] = {}
    earlier_null = pl.lit(True)
    for k, v in zip(keys, values, strict=True):
        used[k] = earlier_null & v.is_not_null()
        earlier_null = earlier_null & v.is_null()
    return pl.coalesce(values), used


_TRACE_LIKE = r"\S\s*\n\s*\S|Exception|Error|Traceback|panic"


def _with_stack(frame: pl.DataFrame, body: pl.Expr) -> tuple[pl.Expr, dict[str, pl.Expr]]:
    """The message followed by the record's stack trace on the next lines, as a text log
    writes it (the same record of the same application reads the same whichever encoder
    wrote it: its template, the services its exception names); the key is then not an
    attribute. A record without a message keeps both as they were."""
    stack, used = _pick(frame, "stack")
    if not used:
        return _with_error(frame, body), {}
    # a trace has lines or names an exception ("stack": "prod-eu" is a deployment's name)
    # (a .NET exception's ToString() has Windows line ends: "\r\n   at ...", as Serilog's
    # @x keeps them; a text log's lines have no "\r")
    stack = stack.str.strip_chars_end().str.replace_all("\r\n", "\n", literal=True)
    # a trace kept as an array of lines (Elasticsearch 7: "stacktrace": ["java...", "at ..."])
    # reads one line per element
    array = stack.str.contains(r'^\[\s*"') & stack.str.ends_with('"]')
    lines = stack.str.strip_prefix("[").str.strip_chars_start().str.strip_prefix('"').str.strip_suffix('"]')
    stack = pl.when(array).then(lines.str.replace_all(r'"\s*,\s*"', "\n").str.replace_all('\\"', '"', literal=True)).otherwise(stack)
    stack = pl.when(stack.str.contains(_TRACE_LIKE)).then(stack)
    joined = pl.when(body.is_not_null() & stack.is_not_null())
    return (
        joined.then(pl.concat_str(body.str.strip_chars_end(), pl.lit("\n"), stack)).otherwise(_with_error(frame, body)),
        {k: m & body.is_not_null() & stack.is_not_null() for k, m in used.items()},
    )


#: the message and the type of the error object a record carries without its stack
#: (pino's and bunyan's ``err``, ECS's ``error``, OpenTelemetry's ``exception``)
_ERROR_MESSAGE = ("err.message", "error.message", "exception.message", "err.msg", "error.msg")
_ERROR_TYPE = ("err.type", "err.name", "error.type", "exception.type", "error.kind", "error.name")


def _with_error(frame: pl.DataFrame, body: pl.Expr) -> pl.Expr:
    """The message followed by the line ``Type: error message`` of the error object the
    record carries with no stack (``"msg": "upstream request failed", "err": {"type":
    "Error", "message": "request to http://catalog:8080/... failed"}``), as the stack's
    first line would read: what failed, and whom it names, is there. Unchanged when the
    message already holds it (``error.message`` may be the message itself)."""
    message = _first(frame, _ERROR_MESSAGE)
    if message is None:
        return body
    kind = _first(frame, _ERROR_TYPE)
    line = pl.concat_str(kind.fill_null("Error") if kind is not None else pl.lit("Error"), pl.lit(": "), message)
    add = body.is_not_null() & (message.str.strip_chars() != "") & ~body.str.contains(message, literal=True)
    return pl.when(add).then(pl.concat_str(body.str.strip_chars_end(), pl.lit("\n"), line)).otherwise(body)


#: HTTP request fields of JSON access logs (nginx ``log_format ... escape=json``, Traefik,
#: Envoy's JSON format, Google Cloud's ``httpRequest``, ECS), after flattening
_HTTP_KEYS: dict[str, tuple[str, ...]] = {
    "method": (
        "request_method", "method", "RequestMethod", "http.method", "http.request.method",
        "httpRequest.requestMethod", "req.method", "request.method", "http_method",
        "ClientRequestMethod",  # Cloudflare Logpush
        "verb",  # Kubernetes audit events
        "httpMethod",  # API Gateway's access log ($context.httpMethod)
    ),
    "path": (
        "request_uri", "uri", "path", "RequestPath", "url.path", "url.original", "http.url", "http.target",
        "httpRequest.requestUrl", "req.url", "request.uri", "request.path", "url",
        "ClientRequestURI", "ClientRequestPath",  # Cloudflare Logpush
        "requestURI",  # Kubernetes audit events
    ),
    "status": (
        "status", "status_code", "statusCode", "DownstreamStatus", "OriginStatus", "http.status_code",
        "http.response.status_code", "httpRequest.status", "res.statusCode", "response.status",
        "response_status", "http_status",
        "EdgeResponseStatus", "OriginResponseStatus",  # Cloudflare Logpush
        "responseStatus.code",  # Kubernetes audit events
        "response_code",  # Envoy's and Istio's JSON access log
    ),
    # nginx's $request: "GET /api/pay?x=1 HTTP/1.1"
    "request": ("request",),
}


#: Monolog's level numbers (PSR-3 levels, RFC 5424 names)
_MONOLOG = {"100": "debug", "200": "info", "250": "notice", "300": "warning", "400": "error",
            "500": "critical", "550": "alert", "600": "emergency"}  # fmt: skip


def _monolog_levels(objs: pl.DataFrame) -> bool:
    """Whether the records' ``level`` is Monolog's numbers, 100 to 600."""
    level = objs["level"].cast(pl.String).str.strip_chars().drop_nulls()
    return len(level) > 0 and bool(level.is_in(list(_MONOLOG)).all())


#: Nextcloud's level numbers
_NEXTCLOUD = {"0": "debug", "1": "info", "2": "warning", "3": "error", "4": "fatal"}


def _nextcloud_levels(objs: pl.DataFrame) -> bool:
    """Whether the records' ``level`` is Nextcloud's numbers, 0 to 4."""
    level = objs["level"].cast(pl.String).str.strip_chars().drop_nulls()
    return len(level) > 0 and bool(level.is_in(list(_NEXTCLOUD)).all())


def _pino_levels(objs: pl.DataFrame) -> bool:
    """Whether the records' ``level`` is pino's (and bunyan's) numbers, 10 to 60."""
    if "level" not in objs.columns:
        return False
    level = objs["level"].cast(pl.String).str.strip_chars().drop_nulls()
    return len(level) > 0 and bool(level.is_in(["10", "20", "30", "40", "50", "60"]).all())


def _first(frame: pl.DataFrame, keys: tuple[str, ...]) -> pl.Expr | None:
    present = [pl.col(k) for k in keys if k in frame.columns]
    return pl.coalesce(present) if present else None


def _http_request(frame: pl.DataFrame) -> tuple[pl.Expr, pl.Expr] | None:
    """``(body, status)`` of records that are HTTP requests (a method, a path and a status
    code), ``METHOD path status`` as in an access log (the path without scheme, host and
    query string, so that templates group by endpoint); null elsewhere. None when the
    frame has no such keys."""
    status = _first(frame, _HTTP_KEYS["status"])
    if status is None:
        return None
    method, path = _first(frame, _HTTP_KEYS["method"]), _first(frame, _HTTP_KEYS["path"])
    request = _first(frame, _HTTP_KEYS["request"])
    if request is not None:
        parts = request.str.extract_groups(r"^([A-Z]{3,10}) (\S+)(?: HTTP/[\d.]+)?$")
        method = parts.struct.field("1") if method is None else pl.coalesce(method, parts.struct.field("1"))
        path = parts.struct.field("2") if path is None else pl.coalesce(path, parts.struct.field("2"))
    if method is None or path is None:
        return None
    code = pl.when(status.str.contains(r"^[1-5][0-9]{2}$")).then(status)
    from rcakit.ingest._access import url_path  # (it imports this module)

    clean = url_path(path)
    ok = method.str.contains(r"^[A-Za-z]{3,10}$") & code.is_not_null() & (clean.str.len_chars() > 0)
    body: pl.Expr = pl.when(ok).then(pl.concat_str(method.str.to_uppercase(), pl.lit(" "), clean, pl.lit(" "), code))
    flags = _envoy_flags(frame)
    if flags is not None:
        # Envoy's response flags after the status, as its text access log reads
        # ("GET /api/pay 503 UF": an upstream connection failure, not a timeout)
        body = pl.when(flags.is_not_null()).then(pl.concat_str(body, pl.lit(" "), flags)).otherwise(body)
    return body, pl.when(ok).then(code)


#: a ``service`` object's members that say where a service lives: in an access log's record,
#: the object is the service a proxy passed the request to (Kong's file-log: ``"service":
#: {"name": "billing-api", "host": "billing-api.svc", "port": 8080, "protocol": "http"}``)
_SERVICE_LOCATION = ("service.host", "service.port", "service.protocol")


def _proxied_service(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the name in a record's ``service`` object moved to ``upstream`` when the
    record is an HTTP request's (a method, a path and a status) and the object says where the
    service lives (host, port, protocol): a gateway's access log names the upstream it
    proxied to there, not itself, so the record's service is the log's own (its file's or
    folder's name, as for any access log) and the upstream is kept as the call's peer, as
    HAProxy's backend and Envoy's upstream cluster are. A service object of the writer's own
    (ECS's and OpenTelemetry's ``service.name``, ``service.version``) has no host or port."""
    where = [c for c in _SERVICE_LOCATION if c in frame.columns]
    if "service.name" not in frame.columns or not where:
        return frame
    http = _http_request(frame)
    if http is None:
        return frame
    proxied = (
        pl.any_horizontal([pl.col(c).is_not_null() for c in where]) & http[1].is_not_null()
        & pl.col("service.name").is_not_null()
    )
    upstream: pl.Expr = pl.when(proxied).then(pl.col("service.name"))
    if "upstream" in frame.columns:
        upstream = pl.coalesce("upstream", upstream)
    return frame.with_columns(
        upstream.alias("upstream"), pl.when(proxied).then(None).otherwise(pl.col("service.name")).alias("service.name")
    )


def _envoy_flags(frame: pl.DataFrame) -> pl.Expr | None:
    """Envoy's (Istio's) JSON access log ``response_flags``, null for ``-``."""
    if "response_flags" not in frame.columns:
        return None
    flags = pl.col("response_flags").cast(pl.String)
    return pl.when(flags.is_not_null() & (flags != "-") & (flags != "")).then(flags)


def _envoy_tcp(frame: pl.DataFrame) -> pl.Expr | None:
    """A TCP connection's record in Envoy's JSON access log (no method, status 0) with
    response flags: ``TCP <authority, else the upstream cluster's service> <flags>``, as
    the text access log reads (an ERROR: the connection failed)."""
    flags = _envoy_flags(frame)
    if flags is None or "response_code" not in frame.columns:
        return None
    method = _first(frame, _HTTP_KEYS["method"])
    authority = pl.col("authority") if "authority" in frame.columns else pl.lit(None, dtype=pl.String)
    cluster = (
        pl.col("upstream_cluster").str.extract(r"([^|]+)$", 1) if "upstream_cluster" in frame.columns else pl.lit(None, dtype=pl.String)
    )
    target = pl.coalesce(pl.when(authority != "-").then(authority), cluster)
    tcp = (pl.col("response_code").cast(pl.String) == "0") & (method.is_null() if method is not None else pl.lit(True))
    return pl.when(tcp & flags.is_not_null()).then(
        pl.concat_str(pl.lit("TCP "), pl.concat_str(target, pl.lit(" ")).fill_null(""), flags)
    )


def _service_expr(frame: pl.DataFrame) -> pl.Expr:
    """Service key, else the workload of a pod-name key, else a container-name key."""
    from rcakit.ingest._service import pod_workload

    named, _ = _pick(frame, "service")
    # (Elasticsearch 8 writes the same placeholder in every ECS log line: "service.name":
    # "ES_ECS", the program is elasticsearch)
    named = pl.when(named == "ES_ECS").then(pl.lit("elasticsearch")).otherwise(named)
    pod, _ = _pick(frame, "pod")
    container, _ = _pick(frame, "container")
    return pl.coalesce(named, pod_workload(pod, container), container)


def _group_service_expr(frame: pl.DataFrame) -> pl.Expr:
    """The service a CloudWatch log group key names: the last resort, after the service the
    message inside the record names (see :func:`with_group_service`)."""
    from rcakit.ingest._service import service_from_log_group

    group, _ = _pick(frame, "log_group")
    return service_from_log_group(group)


def with_group_service(rec: pl.DataFrame, group: pl.Series) -> pl.DataFrame:
    """``rec`` with ``service`` filled from ``group`` (``_svc_group`` of
    :func:`records_from_objects`) where it is still null."""
    if group.null_count() == len(group):
        return rec
    # (a group's records that name no service, AWS Lambda's START/REPORT lines and timeouts,
    # are of the one service its other records name, when they name one: Powertools'
    # "service": "checkin" in the log group /aws/lambda/booking-prod-checkin)
    own = rec["service"]
    if own.null_count() in (0, len(own)):
        return rec.with_columns(pl.coalesce(own, group).alias("service"))
    from rcakit.ingest._service import one_group_service

    one = pl.DataFrame({"s": own, "g": group}).select(one_group_service(pl.col("s"), pl.col("g"))).to_series()
    return rec.with_columns(pl.coalesce(own, one, group).alias("service"))


def _trace_id(expr: pl.Expr) -> pl.Expr:
    # W3C traceparent "00-<32 hex trace id>-<16 hex span id>-<flags>" -> the trace id
    tp = expr.str.extract(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$", 1)
    return pl.coalesce(tp, expr)


_BYTE_ARRAY = r"^\[\s*\d{1,3}(?:\s*,\s*\d{1,3})*\s*\]$"


def _journal_byte_messages(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with a journal ``MESSAGE`` written as an array of bytes decoded as UTF-8
    (invalid bytes replaced). ``journalctl -o json`` writes any message holding control
    characters (a coloured line's escape codes) or invalid UTF-8 so; the colour codes then
    go as in any other message."""
    msg = frame["MESSAGE"]
    if msg.dtype != pl.String:
        return frame
    arrays = frame.select(pl.col("MESSAGE").str.contains(_BYTE_ARRAY).fill_null(False).arg_true()).to_series()
    if arrays.is_empty():
        return frame
    decoded = [
        bytes(b & 0xFF for b in json.loads(v)).decode("utf-8", errors="replace")
        for v in msg.gather(arrays).to_list()
    ]
    return frame.with_columns(msg.scatter(arrays, pl.Series(decoded, dtype=pl.String)))


def records_from_objects(
    frame: pl.DataFrame,
    raw: pl.Expr,
    options: ParseOptions,
    *,
    extra: dict[str, pl.Expr] | None = None,
    request_body: bool = True,
) -> pl.DataFrame:
    """Map decoded JSON key columns to the record fields.

    Parameters
    ----------
    frame
        Output of :func:`decode_objects` (flat String columns), possibly with extra columns
        named in ``extra``.
    raw
        The original text, used as ``body`` when a record has no message key.
    options
        Time zone and year for timestamps.
    extra
        Additional attributes to include (name -> expression over ``frame``).
    request_body
        Whether a record without a message that is an HTTP request (method, path, status
        keys) gets ``METHOD path status`` as its body, as in an access log (else ``raw``);
        either way its status gives the severity when it has no level.

    Returns
    -------
    pl.DataFrame
        ``timestamp, severity_text, severity_number, service, body, trace_id, attributes``
        plus ``_level`` (the raw level text) and ``_svc_group`` (the service a CloudWatch
        log group names, for :func:`with_group_service` once the record's message had its
        say), one row per input row.
    """
    if "MESSAGE" in frame.columns:
        frame = _journal_byte_messages(frame)
    frame = _proxied_service(frame)
    ts, ts_used = _pick(frame, "timestamp")
    lvl, lvl_used = _pick(frame, "severity")
    body, body_used = _pick(frame, "body")
    if any(frame[k].str.contains("\x1b", literal=True).any() for k in body_used):
        body = body.str.replace_all(ESCAPE_SEQUENCES, "")  # colour codes written as "\u001b[31m"
    body, stack_used = _with_stack(frame, body)
    _, svc_used = _pick(frame, "service")
    svc = _service_expr(frame)
    trace, trace_used = _pick(frame, "trace_id")
    logger, logger_used = _pick(frame, "logger")
    roles = {**ts_used, **lvl_used, **body_used, **svc_used, **trace_used, **stack_used}
    # a generic key such as "name" is the logger only when it is not also a role column
    attrs: dict[str, pl.Expr] = {}
    if logger_used:
        attrs["logger"] = logger
    masks: dict[str, pl.Expr] = {}
    for name in frame.columns if options.wants("attributes") else ():
        if name in _INTERNAL_COLUMNS or (name == "logger" and name in logger_used and name not in roles):
            continue  # (a key named "logger" is the logger attribute set above)
        mask = roles.get(name)
        if name in logger_used:
            mask = logger_used[name] if mask is None else (mask | logger_used[name])
        if mask is None:
            attrs[name] = pl.col(name)
        else:
            masks[name] = mask
            attrs[name] = pl.when(mask).then(None).otherwise(pl.col(name))
    if masks:
        # a role column used in every row where it has a value (the usual case) is not an
        # attribute at all: leave it out of the encoding instead of masking it row by row
        left = frame.lazy().select(
            [(pl.col(n).is_not_null() & ~m).any().alias(n) for n, m in masks.items()]
        ).collect().row(0, named=True)
        for name, has_left in left.items():
            if not has_left:
                del attrs[name]
    attrs.update(extra or {})
    sample = frame.select(ts.alias("t")).drop_nulls().head(200)["t"].to_list()
    sev_text, sev_num = severity_columns(lvl)
    http = _http_request(frame)
    if http is not None:
        # a JSON access log: a record with no message (or an empty one, Traefik's) is its
        # request, "GET /api/pay 502", and its status gives the severity, as in an access
        # log (the logger's own level there, Traefik's "info", says nothing of the request);
        # a request record with a message (ECS's original line) and no level: its status too
        from rcakit.ingest._severity import severity_from_http_status

        request, code = http
        use = pl.when(body.str.strip_chars().str.len_chars() > 0).then(body).is_null() & request.is_not_null()
        if not request_body:
            use = pl.lit(False)
        st_text, st_num = severity_from_http_status(code)
        sev_text = pl.coalesce(pl.when(use).then(st_text), sev_text, st_text).alias("severity_text")
        sev_num = pl.coalesce(pl.when(use).then(st_num), sev_num, st_num).alias("severity_number")
        body = pl.when(use).then(request).otherwise(body)
    tcp = _envoy_tcp(frame)
    if tcp is not None and request_body:
        failed = body.is_null() & tcp.is_not_null()
        sev_text = pl.when(failed).then(pl.lit("ERROR")).otherwise(sev_text).alias("severity_text")
        sev_num = pl.when(failed).then(pl.lit(17, dtype=pl.UInt8)).otherwise(sev_num).alias("severity_number")
        body = pl.when(failed).then(tcp).otherwise(body)
    return frame.lazy().select(
        timestamp_expr(ts, sample, options).alias("timestamp"),
        sev_text,
        sev_num,
        svc.alias("service"),
        pl.coalesce(body, raw).alias("body"),
        _trace_id(trace).alias("trace_id") if options.wants("trace_id") else _NO_TRACE,
        encode_attributes(attrs) if options.wants("attributes") else NO_ATTRIBUTES,
        lvl.alias("_level"),
        _group_service_expr(frame).alias("_svc_group"),
    ).collect()


# --------------------------------------------------------------------------- inner lines


_INNER_FIELDS = ("timestamp", "severity_text", "severity_number", "service", "body", "trace_id", "attributes")


def merge_attributes(first: pl.Expr, second: pl.Expr) -> pl.Expr:
    """Concatenate two flat JSON object strings (either may be null).

    A key both hold would be written twice: drop it from ``second`` first with
    :func:`drop_shared_members`.
    """
    both = pl.concat_str(first.str.strip_suffix("}"), pl.lit(","), second.str.slice(1))
    return pl.when(second.is_null()).then(first).when(first.is_null()).then(second).otherwise(both)


def drop_shared_members(frame: pl.DataFrame, column: str, outer: Mapping[str, pl.Expr]) -> pl.DataFrame:
    """``frame`` with the members of ``column`` (flat JSON objects) left out whose key is
    also an outer attribute of the row (``outer``: name -> value expression, present where
    not null), so that :func:`merge_attributes` writes each key once and the outer value
    wins (a CSV export's ``stream`` column and the ``stream`` of the container record in its
    message). One pass per shared key, only on the rows that hold it.
    """
    if not outer or column not in frame.columns:
        return frame
    names = {key: re.escape(json.dumps(key, ensure_ascii=False)) for key in outer}
    # a quote after "{" or "," always opens a key (inside a JSON string every quote is
    # escaped): these patterns never match inside a value
    any_key = rf"[{{,](?:{'|'.join(names.values())}):"
    if not frame.select(pl.col(column).str.contains(any_key).any()).item():
        return frame

    def strip(rows: pl.DataFrame) -> pl.Series:
        for key, value in outer.items():
            hit = rows.select(
                (value.is_not_null() & pl.col(column).str.contains(rf"[{{,]{names[key]}:")).fill_null(False)
            ).to_series()
            if hit.any():
                rows = rows.with_columns(
                    pl.when(hit).then(_without_member(pl.col(column), names[key])).otherwise(pl.col(column)).alias(column)
                )
        return rows[column]

    # the object and the outer columns repeat (a container's stream and logger, a pod):
    # each distinct combination is looked at once
    roots = [column, *(name for value in outer.values() for name in value.meta.root_names())]
    return frame.with_columns(map_distinct(frame.select(list(dict.fromkeys(roots))), strip).alias(column))


# a member value of a flat JSON object: a string (escapes included) or a bare literal/number
_JSON_VALUE = r'(?:"(?:[^"\\]|\\.)*"|[^,}"]*)'


def _without_member(obj: pl.Expr, name: str) -> pl.Expr:
    """A flat JSON object string without the member whose key matches the regex ``name``
    (null when no member is left)."""
    member = rf"{name}:{_JSON_VALUE}"
    out = (
        obj.str.replace_all(rf"([{{,]){member},", "$1")  # followed by another member
        .str.replace(rf",{member}\}}$", "}")  # the last of several
        .str.replace(rf"^\{{{member}\}}$", "{}")  # the only one
    )
    return pl.when(out != "{}").then(out)


# a "[trace_id=...]" / "[traceId=...]" bracket group (its id fills trace_id): adds nothing to
# the logger or context attributes
_TRACE_GROUP_RE = r"\[\s*(?i:trace[_.-]?id)\s*=[^\[\]]*\]"
_TRACE_TEXT_RE = r"(?i)\btrace[_.-]?id[=:]\s*\"?([0-9a-f]{16,32})\b"
# the same for ASCII-only text (ASCII classes and word boundary: the same matches on such
# text, a third faster than the Unicode-aware regex)
_TRACE_TEXT_ASCII_RE = r"(?i-u)(?-u:\b)trace[_.-]?id[=:][\t\n\x0B\f\r ]*\"?([0-9a-f]{16,32})(?-u:\b)"
_TRACE_BRACKET_RE = r"(?i)\[\s*trace[_.-]?id\s*=\s*([^\]\s]+)\s*\]"


def _bracket_attributes(brackets: pl.Series) -> pl.DataFrame:
    """``_logger``, ``_thread`` and ``_context`` of the heads cut by :data:`_BRACKETS_RE`
    (runs of ``[...]`` groups, maybe a logger name), one row per row.

    With a logger name after the groups (``[main] c.x.Y - ``, log4j's ``[%t] %c``), the
    first plain group is the thread; without one (``[catalog.api] - ``) it is the logger.
    ``_context`` holds the other plain groups and the keyed groups other than the trace id,
    space-joined.

    Trace-id groups are dropped from both, so they are cut out first and the rest is split
    into groups once per distinct run: an MDC run differs per row only by its trace id.
    """
    masked = brackets.to_frame("b").select(pl.col("b").str.replace_all(_TRACE_GROUP_RE, "")).to_series()
    distinct = masked.drop_nulls().unique().to_frame("b")
    groups = pl.col("b").str.extract_all(r"\[([^\[\]]*)\]").list.eval(
        pl.element().str.slice(1, pl.element().str.len_chars() - 2).str.strip_chars()
    )
    plain = pl.col("_g").list.eval(pl.element().filter(~pl.element().str.contains("=")))
    keyed = pl.col("_g").list.eval(pl.element().filter(pl.element().str.contains("=")))
    context = pl.concat_list(plain.list.slice(1), keyed)
    named = pl.col("_n")
    table = distinct.with_columns(_g=groups, _n=pl.col("b").str.extract(_HEAD_LOGGER_RE, 1)).select(
        "b",
        pl.coalesce(named, plain.list.first().replace("", None)).alias("_logger"),
        pl.when(named.is_not_null()).then(plain.list.first().replace("", None)).alias("_thread"),
        pl.when(context.list.len() > 0).then(context.list.join(" ")).alias("_context"),
    )
    return masked.to_frame("b").join(table, on="b", how="left", maintain_order="left").drop("b")


def _trace_in_text(msg: pl.Series, brackets: pl.Series) -> pl.Series:
    """The trace id of a text line: ``trace_id=<hex>`` / ``traceId: <hex>`` anywhere in the
    message, else a ``[trace_id=...]`` group of the head that is not a placeholder.

    The capture regexes run only on the rows that can match (a capture pass costs about a
    microsecond per row even where nothing matches).
    """
    n = len(msg)
    out = pl.repeat(None, n, dtype=pl.String, eager=True).alias("trace_id")
    frame = pl.DataFrame({"m": msg, "b": brackets})
    cand = frame.select(pl.col("m").str.contains(r"(?i)trace[_.-]?id[=:]").fill_null(False)).to_series()
    if cand.any():
        idx = cand.arg_true()
        texts = frame["m"].gather(idx)
        ascii_only = (texts.str.len_bytes() == texts.str.len_chars()).all()
        out = out.scatter(idx, texts.str.extract(_TRACE_TEXT_ASCII_RE if ascii_only else _TRACE_TEXT_RE, 1))
    rest = frame.select(
        (pl.col("b").str.contains(r"(?i)trace[_.-]?id").fill_null(False) & out.is_null()).alias("r")
    ).to_series()
    if rest.any():
        idx = rest.arg_true()
        # "[trace_id=0]", "[traceId=-]": a placeholder for "no trace", not an id
        v = pl.col("v")
        found = (
            frame["b"].gather(idx).str.extract(_TRACE_BRACKET_RE, 1).to_frame("v")
            .select(pl.when(~v.str.contains(r"(?i)^(?:0+|-+|null|none|n/a)$")).then(v))
            .to_series()
        )
        out = out.scatter(idx, found)
    return out


#: zap's console encoder after the level: "[<logger>\t]<file>:<line>\t" (Istio's Envoy
#: lines: "envoy config external/envoy/source/.../grpc_stream.h:163\t")
_ZAP_CALLER = r"^(?:[^\t\n]+[\t ])?[\w.\-/@]+\.[A-Za-z]+:\d+\t"


def _text_fields(texts: pl.Series, options: ParseOptions) -> pl.DataFrame:
    """Record fields of text app lines (optional timestamp/level head, then the message)."""
    head = (
        texts.to_frame("t")
        .lazy()
        .with_columns(pl.col("t").str.extract_groups(_HEAD_RE).alias("g"))
        .unnest("g")
        .with_columns(msg=pl.col("t").str.slice(pl.col("head").str.len_chars()))
        .collect()
    )
    ts_sample = head["ts"].drop_nulls().head(200).to_list()
    lvl = pl.coalesce(pl.col("lvl"), pl.col("lvl1"))
    spring = pl.col("_spring")
    head = head.with_columns(
        _spring=pl.when(lvl.is_not_null()).then(pl.col("msg").str.extract(f"({_SPRING_RE[1:]})", 1))
    ).with_columns(
        _spring_pid=spring.str.extract(_SPRING_RE, 1),
        _spring_thread=spring.str.extract(_SPRING_RE, 2).str.extract(r"\[([^\]]*)\]\s*$", 1).str.strip_chars(),
        _spring_logger=spring.str.extract(_SPRING_RE, 3),
        msg=pl.when(spring.is_not_null()).then(pl.col("msg").str.slice(spring.str.len_chars())).otherwise(pl.col("msg")),
    )
    correlated = head.select(spring.str.contains(_SPRING_CORRELATION).any()).item()
    if correlated:
        # Spring Boot 3.2's Micrometer correlation after the thread: the trace id, and the
        # thread the bracket before it
        brackets = spring.str.extract(_SPRING_RE, 2)
        head = head.with_columns(
            _spring_thread=brackets.str.replace(_SPRING_CORRELATION + r"\s*$", "]")
            .str.extract(r"\[([^\]]*)\]\s*$", 1)
            .str.strip_chars(),
            _spring_trace=brackets.str.extract(r"\[([0-9a-f]{32})-[0-9a-f]{16}\]\s*$", 1),
        )
    if head.select((lvl.is_not_null() & pl.col("msg").str.contains("\t", literal=True)).any()).item():
        # zap's console encoder after the level (Go services, istio-proxy): the logger's
        # name, if any, and the caller, tab-separated, are head
        head = head.with_columns(
            msg=pl.when(lvl.is_not_null()).then(pl.col("msg").str.replace(_ZAP_CALLER, "")).otherwise(pl.col("msg"))
        )
    sev_text, sev_num = severity_columns(lvl)
    # after the level, a run of "[...]" groups ended by " - " or ": " is part of the head
    # ("INFO [catalog.api] [trace_id=4f1c...] - served ..."): logger and MDC, not message
    # (the run is cut with a capture-free replacement, several times cheaper than extracting it)
    rest = pl.col("msg").str.replace(_BRACKETS_RE, "")
    cut = pl.col("msg").str.len_chars() - rest.str.len_chars()
    head = head.with_columns(_brackets=pl.when(lvl.is_not_null() & (cut > 0)).then(pl.col("msg").str.head(cut)))
    n = head.height
    head = pl.concat(
        [
            head,
            _bracket_attributes(head["_brackets"])
            if options.wants("attributes")
            else pl.DataFrame({c: pl.repeat(None, n, dtype=pl.String, eager=True) for c in ("_logger", "_thread", "_context")}),
            (_trace_in_text(head["msg"], head["_brackets"]) if options.wants("trace_id") else pl.repeat(None, n, dtype=pl.String, eager=True).alias("trace_id")).to_frame(),
        ],
        how="horizontal",
    )
    attributes: pl.Expr = NO_ATTRIBUTES
    if options.wants("attributes"):
        # loggers, threads and contexts repeat: encoded once per distinct combination
        sources = ["_spring_logger", "_logger", "_spring_thread", "_thread", "_spring_pid", "_context"]
        encoded = encode_attributes(
            {
                "logger": pl.coalesce(pl.col("_spring_logger"), pl.col("_logger")),
                "thread": pl.coalesce(pl.col("_spring_thread").replace("", None), pl.col("_thread")),
                "pid": pl.col("_spring_pid"),
                "context": pl.col("_context"),
            }
        ).alias("attributes")
        attributes = pl.lit(by_distinct(head.select(sources), encoded))
    return head.lazy().select(
        timestamp_expr("ts", ts_sample, options).alias("timestamp"),
        sev_text,
        sev_num,
        pl.lit(None, dtype=pl.String).alias("service"),
        # (Go's "panic: " and "fatal error: " are a crash's words, not a level head to cut:
        # the message engineers search for, as the text and JSON lines readers keep it)
        pl.when(pl.col("t").str.starts_with("panic: ") | pl.col("t").str.starts_with("fatal error: "))
        .then(pl.col("t"))
        .when(lvl.is_not_null() | pl.col("ts").is_not_null())
        .then(pl.coalesce(pl.col("msg").str.slice(pl.col("_brackets").str.len_chars()), pl.col("msg")))
        .alias("body"),
        pl.coalesce("_spring_trace", "trace_id").alias("trace_id") if correlated else pl.col("trace_id"),
        attributes.alias("attributes"),
    ).collect()


def _access_lines(texts: pl.Series, other: pl.Series, txt: pl.DataFrame, options: ParseOptions) -> pl.DataFrame:
    """``txt`` with the app lines that are access-log lines (an nginx container's; an
    istio-proxy or Envoy sidecar's) read as the ``access`` and ``envoy`` formats read them:
    ``METHOD path status`` as ``body``, the level from the status, the request's time and
    fields. A literal test first: most app lines have no ``] "``."""
    from rcakit.ingest import _envoy
    from rcakit.ingest._access import ACCESS_RE, _parse_requests

    hint = (other & texts.str.contains('] "', literal=True)).fill_null(False)
    if not hint.any():
        return txt
    candidates = hint.arg_true()
    for pattern, parse in ((ACCESS_RE, _parse_requests), (_envoy.ENVOY_RE, _envoy._parse)):
        fits = texts.gather(candidates).str.contains(pattern).fill_null(False)
        if not fits.any():
            continue
        idx = candidates.filter(fits)
        candidates = candidates.filter(~fits)
        lines = pl.DataFrame(
            {"line_no": pl.int_range(1, len(idx) + 1, eager=True, dtype=pl.UInt32), "line": texts.gather(idx)}
        )
        recs = parse(lines.lazy(), options).collect()
        ok = recs["parse_error"].is_null()
        if ok.any():
            idx, recs = idx.filter(ok), recs.filter(ok)
            txt = txt.with_columns([txt[c].scatter(idx, recs[c].cast(txt[c].dtype)) for c in txt.columns if c in recs.columns])
        if candidates.is_empty():
            break
    return txt


def parse_inner_messages(
    texts: pl.Series, options: ParseOptions, *, with_kind: bool = False, with_text: bool = False, _depth: int = 0
) -> pl.DataFrame:
    """Parse the application log line inside a container-runtime record.

    The text is a JSON object (decoded as JSON lines), a logfmt line with ``level``/``msg``
    keys, or a text line with an optional timestamp and level head (``2024-01-02 03:04:05
    ERROR msg``, ``[warn] msg``, ``E0102 03:04:05.123 ...``); anything else is the message.

    Returns
    -------
    pl.DataFrame
        ``timestamp, severity_text, severity_number, service, body, trace_id, attributes``,
        one row per input row (nulls where the inner line does not say); with ``with_kind``
        also ``kind``: ``"json"``, ``"logfmt"``, ``"text"`` (a text line with a timestamp or
        level head) or ``"plain"`` (a text line without one); with ``with_text`` also
        ``text``: the line as a continuation joins it where its head was rewritten
        (PostgreSQL's ``DETAIL:  ...`` without its stamp and pid), else null.
    """
    from rcakit.ingest import _logfmt

    texts = texts.cast(pl.String)
    if texts.str.contains("\x1b", literal=True).any():
        # a coloured console line captured by the runtime ("\u001b[31mERROR\u001b[0m ...")
        texts = texts.str.replace_all(ESCAPE_SEQUENCES, "")
    # (a copy of every text only when some text has a line terminator to cut)
    if texts.str.ends_with("\n").any():
        texts = texts.str.strip_suffix("\n")
    if texts.str.ends_with("\r").any():
        texts = texts.str.strip_suffix("\r")
    rewritten = None
    if texts.str.contains(_APP_HEADS).any():
        before = texts
        for pattern, replacement in _APP_REWRITES:
            texts = texts.str.replace(pattern, replacement)
        rewritten = pl.when(texts != before).then(texts).otherwise(None) if with_text else None
    if texts.str.contains(_RUBY_HEAD).any():
        # Ruby's Logger (Rails): its stamp and level word, as the text head reads them
        texts = texts.str.replace(_RUBY_HEAD, "${1} ${2} ")
    n = len(texts)
    fields = [c for c in RECORD_COLUMNS if c in _INNER_FIELDS]
    empty = pl.DataFrame([pl.repeat(None, n, dtype=RECORD_COLUMNS[c], eager=True).alias(c) for c in fields])
    objs, valid = decode_objects(texts)
    objs = _vendor_keys(objs)
    if valid.any():
        js = records_from_objects(objs.with_columns(_raw=texts), pl.col("_raw"), options).drop("_level")
        group = js.get_column("_svc_group")
        js = js.drop("_svc_group")
    else:
        js, group = empty, None
    if _depth == 0 and "log" in objs.columns:
        # container-runtime JSON ({"log": "<app line>", "stream": ..., "time": ...}) without a
        # level of its own: read the app line inside it too
        wrapped = valid & objs["log"].is_not_null() & js["severity_text"].is_null()
        if wrapped.any():
            app = parse_inner_messages(objs["log"].set(~wrapped, None).fill_null(""), options, _depth=1)
            w = pl.col("_w")
            js = pl.concat([js, app.rename(lambda c: f"_a_{c}"), wrapped.alias("_w").to_frame()], how="horizontal").select(
                pl.coalesce("timestamp", "_a_timestamp").alias("timestamp"),
                pl.when(w).then(pl.col("_a_severity_text")).otherwise(pl.col("severity_text")).alias("severity_text"),
                pl.when(w).then(pl.col("_a_severity_number")).otherwise(pl.col("severity_number")).alias("severity_number"),
                pl.coalesce("service", pl.when(w).then(pl.col("_a_service"))).alias("service"),
                pl.when(w).then(pl.col("_a_body")).otherwise(pl.col("body")).alias("body"),
                pl.coalesce("trace_id", pl.when(w).then(pl.col("_a_trace_id"))).alias("trace_id"),
                pl.when(w).then(merge_attributes(pl.col("attributes"), pl.col("_a_attributes"))).otherwise(pl.col("attributes")).alias("attributes"),
            )
    if group is not None:
        js = with_group_service(js, group)
    # (no logfmt test when every text is a JSON object: a container export often is)
    lf_mask = valid.not_() if valid.all() else ((~valid) & _logfmt.looks_like_logfmt(texts)).fill_null(False)
    lf = _logfmt.parse_texts(texts.set(~lf_mask, None), options) if lf_mask.any() else empty
    # JSON rows never have a text head (they start with "{"): the text fields are computed
    # on the other rows only and scattered back (a container export is often all JSON)
    other = ~valid
    if other.all():
        txt = _text_fields(texts, options)
    elif other.any():
        idx = other.arg_true()
        part = _text_fields(texts.gather(idx), options)
        txt = pl.DataFrame([pl.repeat(None, n, dtype=RECORD_COLUMNS[c], eager=True).alias(c).scatter(idx, part[c]) for c in fields])
    else:
        txt = empty
    if _depth == 0 and other.any():
        txt = _access_lines(texts, other, txt, options)
    frame = pl.concat(
        [
            js.select(fields).rename(lambda c: f"j_{c}"),
            lf.select(fields).rename(lambda c: f"l_{c}"),
            txt.select(fields).rename(lambda c: f"t_{c}"),
            pl.DataFrame({"_j": valid, "_l": lf_mask, "_text": texts}),
        ],
        how="horizontal",
    )

    def choose(c: str) -> pl.Expr:
        return (
            pl.when("_j").then(pl.col(f"j_{c}")).when("_l").then(pl.col(f"l_{c}")).otherwise(pl.col(f"t_{c}"))
            .cast(RECORD_COLUMNS[c])
            .alias(c)
        )

    # "text": a line with a timestamp or level head; "plain": a text line without one
    kind = (
        pl.when("_j").then(pl.lit("json")).when("_l").then(pl.lit("logfmt"))
        .when(pl.col("t_body").is_null()).then(pl.lit("plain")).otherwise(pl.lit("text"))
    )
    return frame.lazy().select(
        *[pl.coalesce(choose(c), pl.col("_text")).alias(c) if c == "body" else choose(c) for c in fields],
        *([kind.alias("kind")] if with_kind else []),
        *([(pl.lit(None, dtype=pl.String) if rewritten is None else rewritten).alias("text")] if with_text else []),
    ).collect()


# --------------------------------------------------------------------------- the formats


def fold_blank_lines(df: pl.DataFrame, *, objects: bool = False) -> pl.DataFrame:
    """One row per record start: blank lines join the record above (``n_lines`` counts them).

    Takes ``line_no, line`` and returns ``line_no, line, n_lines, _blank`` (``_blank`` is
    True only for blank lines at the top of the file, which have no record above).

    With ``objects``, a JSON object written over several lines is one record too:
    Elasticsearch 7's server log writes one object per line except where it holds a stack
    trace, whose ``"stacktrace": [...]`` array then runs one element per line. A line that
    opens an object (``{"`` first) without closing it (``}`` last) is continued by the lines
    below that do not open one, up to the line that closes it, and ``line`` is the parts
    joined with a space (line breaks between JSON tokens are whitespace). A run that
    reaches no closing line is left one record per line.
    """
    s = pl.col("line").str.strip_chars(" \t\r\n")
    blank = s.str.len_bytes() == 0
    cont = pl.lit(False)
    if objects and df.lazy().select((s.str.contains(_OPENS.pattern) & ~s.str.ends_with("}")).any()).collect().item():
        cont = pl.lit(_object_parts(df, s, blank))
    elif not df.lazy().select(blank.any()).collect().item():
        return df.select("line_no", "line", pl.lit(1, dtype=pl.UInt32).alias("n_lines"), pl.lit(False).alias("_blank"))
    starts = (~blank & ~cont) | (pl.int_range(pl.len()) == 0)
    joined = pl.col("line").filter(~pl.col("_blank")).str.join(" ")
    return (
        df.with_columns(_rec=starts.cum_sum(), _blank=blank, _cont=cont)
        .group_by("_rec", maintain_order=True)
        .agg(
            pl.col("line_no").first(),
            pl.when(pl.col("_cont").any()).then(joined).otherwise(pl.col("line").first()).alias("line"),
            pl.len().cast(pl.UInt32).alias("n_lines"),
            pl.col("_blank").first(),
        )
        .drop("_rec")
    )


def _object_parts(df: pl.DataFrame, s: pl.Expr, blank: pl.Expr) -> pl.Series:
    """For :func:`fold_blank_lines`: True for the lines that continue a JSON object opened
    on a line above and closed on a line below."""
    opens, closes = s.str.contains(_OPENS.pattern), s.str.ends_with("}")
    # after each non-blank line: is an object open? (blank lines carry the state over)
    state = pl.when(blank).then(None).when(opens | closes).then(opens & ~closes)
    cont = ~blank & ~opens & state.forward_fill().shift(1).fill_null(False)
    marked = df.lazy().select(
        cont.alias("_cont"), (closes & ~blank).alias("_closes"), blank.alias("_blank")
    ).with_columns(_rec=(~pl.col("_cont") & ~pl.col("_blank")).cum_sum())
    # a run joins only if its last non-blank line closes the object (else: a cut object)
    last_closes = pl.col("_closes").filter(~pl.col("_blank")).last().over("_rec")
    return marked.select(pl.col("_cont") & last_closes.fill_null(False)).collect().to_series()


# a hole of a Serilog message template: {Name}, {@Name}, {$Name}, {Name,10}, {Name:0.00}
_HOLE_RE = r"\{[@$]?([A-Za-z0-9_]+)(?:,-?[0-9]+)?(?::[^{}]*)?\}"


def _render_template(objs: pl.DataFrame, column: str) -> pl.Series:
    """A Serilog message template with each hole replaced by the record's property of that
    name as written (a hole whose property the record lacks stays as it is; ``{{`` and ``}}``
    are literal braces): one replacement per distinct hole name, over the rows that hold it.

    One step per name, each on the text the step before left (an expression nesting the
    previous one in both branches of a ``when`` doubles with every name: 16 names took 1.6 GB
    to build, blind probe BK)."""
    template = pl.col(column).cast(pl.String)
    names = (
        objs.select(template.unique().str.extract_all(_HOLE_RE).explode().str.extract(_HOLE_RE, 1).unique())
        .to_series()
        .drop_nulls()
        .to_list()
    )
    # escaped braces out of the way first (U+0001 / U+0002 stand for them meanwhile)
    out = objs.select(
        template.str.replace_all("{{", "\x01", literal=True).str.replace_all("}}", "\x02", literal=True).alias("_out")
    ).to_series()
    for name in sorted(names):
        if name not in objs.columns:
            continue
        value = objs.get_column(name).cast(pl.String)
        hole = r"\{[@$]?" + re.escape(name) + r"(?:,-?[0-9]+)?(?::[^{}]*)?\}"
        held = value.is_not_null()
        if not held.any():
            continue
        idx = held.arg_true()
        filled = pl.DataFrame({"t": out.gather(idx), "v": value.gather(idx)}).select(
            pl.col("t").str.replace_all(hole, pl.col("v").str.replace_all("$", "$$", literal=True))
        ).to_series()
        out = out.scatter(idx, filled)
    return out.str.replace_all("\x01", "{", literal=True).str.replace_all("\x02", "}", literal=True).alias(column)


def _vendor_keys(objs: pl.DataFrame) -> pl.DataFrame:
    """Splunk's spellings: an export's ``{"preview": ..., "result": {...}}`` envelope is
    unwrapped (``result.host`` -> ``host``), and the event's ``_raw`` (its original text) is
    renamed ``splunk._raw``, a message spelling, so that it never meets the parsers' own
    ``_raw`` column. Elasticsearch documents (``{"_index": ..., "_source": {...}}``) are
    unwrapped the same way; log4j2's ``instant`` object becomes one epoch value, and a
    Serilog compact-JSON event without ``@l`` is an Information event. Datadog's
    ``{"type": "log", "attributes": {...}}`` events are unwrapped (their ``status`` is the
    level); a GELF record's message is its ``full_message`` (else ``short_message``), its
    numeric ``level`` a syslog severity, and its ``_``-prefixed additional fields lose the
    prefix (``_service`` names the service). Elasticsearch's and OpenSearch's JSON
    logs name their logger ``component``: their service is the product. An AWS CloudTrail record's message is its call
    (``eventName``, with ``errorCode: errorMessage`` when it failed, then WARN), its service
    the AWS service called (``eventSource`` ``ec2.amazonaws.com`` -> ``ec2``)."""
    if "preview" in objs.columns and any(c.startswith("result.") for c in objs.columns):
        inner = {c: c.removeprefix("result.") for c in objs.columns if c.startswith("result.")}
        outer = [c for c in objs.columns if c in ("preview", "offset", "lastrow", "result")]
        objs = objs.drop([*outer, *[v for v in inner.values() if v in objs.columns and v not in inner]]).rename(inner)
    if "_raw" in objs.columns:
        objs = objs.rename({"_raw": "splunk._raw"})
    if (
        {"component", "cluster.name", "node.name"} <= set(objs.columns)
        and "logger" not in objs.columns
        and objs.schema["component"] == pl.String
    ):
        # Elasticsearch's (and OpenSearch's) JSON server log and slow logs: "component" is the
        # logger (o.e.c.m.MetadataMappingService, r.suppressed), not a service; the service is
        # the product, as its callers and change tickets name it, whatever the cluster is
        # called (the server log and the slow logs alike: <cluster>_server.json,
        # <cluster>_index_search_slowlog.json; OpenSearch's loggers are org.opensearch's)
        opensearch = bool(objs["component"].str.starts_with("o.o.").any())
        objs = objs.rename({"component": "logger"})
        if not set(KEY_ROLES["service"]) & set(objs.columns):
            objs = objs.with_columns(pl.lit("opensearch" if opensearch else "elasticsearch").alias("service"))
    if "instant.epochSecond" in objs.columns:
        # log4j2's JsonLayout: {"instant": {"epochSecond": 1709287201, "nanoOfSecond": 123000000}}
        nanos = pl.col("instant.nanoOfSecond") if "instant.nanoOfSecond" in objs.columns else pl.lit("0")
        objs = objs.with_columns(
            pl.concat_str(pl.col("instant.epochSecond"), pl.lit("."), nanos.fill_null("0").str.zfill(9)).alias("instant")
        ).drop([c for c in ("instant.epochSecond", "instant.nanoOfSecond") if c in objs.columns])
    if "@t" in objs.columns and ("@mt" in objs.columns or "@m" in objs.columns):
        # Serilog's compact JSON leaves "@l" out for Information events
        level = pl.col("@l") if "@l" in objs.columns else pl.lit(None, dtype=pl.String)
        objs = objs.with_columns(
            pl.when(pl.col("@t").is_not_null()).then(level.fill_null("Information")).otherwise(level).alias("@l")
        )
    if "MessageTemplate" in objs.columns and ("Timestamp" in objs.columns or "Level" in objs.columns):
        # Serilog's JsonFormatter: {"Timestamp", "Level", "MessageTemplate", "RenderedMessage"
        # (renderMessage: true), "Properties": {...}}: the properties are the record's own keys
        # (Properties.TraceId the trace, Properties.SourceContext the logger)
        props = {c: c.removeprefix("Properties.") for c in objs.columns if c.startswith("Properties.")}
        objs = objs.rename({c: n for c, n in props.items() if n not in objs.columns})
        objs = objs.rename({"MessageTemplate": "@mt"} if "@mt" not in objs.columns else {})
        if "RenderedMessage" in objs.columns and "@m" not in objs.columns:
            objs = objs.rename({"RenderedMessage": "@m"})
    if "@mt" in objs.columns:
        # Serilog's message template ("Stock low for {Sku}"): without the rendered message
        # ("@m") the body is the template with the record's properties in its holes, and the
        # template stays an attribute
        rendered = _render_template(objs, "@mt")
        body = pl.coalesce(pl.col("@m"), pl.lit(rendered)) if "@m" in objs.columns else pl.lit(rendered)
        objs = objs.with_columns(body.alias("@m")).rename(
            {"@mt": "message_template"} if "message_template" not in objs.columns else {}
        )
    if "attributes.message" in objs.columns and "attributes.timestamp" in objs.columns and "type" in objs.columns:
        # Datadog's log API / "export as JSON": {"id": ..., "type": "log", "attributes":
        # {"timestamp", "status", "service", "message", "host", "attributes": {...}}};
        # "status" is the level there
        inner = {c: c.removeprefix("attributes.") for c in objs.columns if c.startswith("attributes.")}
        if "attributes.status" in inner and "attributes.level" not in inner:
            inner["attributes.status"] = "level"
        objs = objs.drop([v for v in inner.values() if v in objs.columns and v not in inner] + ["type"]).rename(inner)
    if "short_message" in objs.columns and "version" in objs.columns:
        # GELF (Graylog): short_message (full_message: the long text, a stack trace), the
        # level a syslog severity number (0 emergency .. 7 debug), the host the source
        # (the full message under the short one, as a text log writes a stack trace under
        # its head line, unless it already starts with it)
        short = pl.col("short_message")
        if "full_message" in objs.columns:
            full = pl.col("full_message")
            objs = objs.with_columns(
                pl.when(full.is_null() | (full == short))
                .then(short)
                .when(short.is_null() | full.str.starts_with(short.fill_null("")))
                .then(full)
                .otherwise(pl.concat_str(short, pl.lit("\n"), full))
                .alias("short_message")
            )
        if "level" in objs.columns:
            objs = objs.with_columns(_syslog_level(pl.col("level"), default=pl.col("level")))
        objs = objs.drop([c for c in ("full_message",) if c in objs.columns])
        # GELF's additional fields are "_"-prefixed: "_service", "_trace_id" name the fields
        extra = {c: c[1:] for c in objs.columns if c.startswith("_") and c[1:] and not c.startswith("__")}
        objs = objs.rename({c: n for c, n in extra.items() if n not in objs.columns and c not in _INTERNAL_COLUMNS})
    if {"eventSource", "eventName", "awsRegion"} <= set(objs.columns) and not {"message", "level", "service"} & set(
        objs.columns
    ):
        # AWS CloudTrail records (an API call each): the message is the call and its error,
        # the level WARN for a call that failed (errorCode), the service the AWS service
        code = pl.col("errorCode") if "errorCode" in objs.columns else pl.lit(None, dtype=pl.String)
        text = pl.col("errorMessage") if "errorMessage" in objs.columns else pl.lit(None, dtype=pl.String)
        failure = pl.concat_str(pl.lit(" failed: "), code, pl.concat_str(pl.lit(": "), text).fill_null(""))
        objs = objs.with_columns(
            pl.concat_str(pl.col("eventName"), failure.fill_null("")).alias("message"),
            pl.when(code.is_not_null()).then(pl.lit("WARN")).otherwise(pl.lit("INFO")).alias("level"),
            pl.col("eventSource").str.replace(r"\.amazonaws\.com$", "").alias("service"),
        )
    if (
        {"name", "hostname", "pid"} <= set(objs.columns)
        and not (set(KEY_ROLES["service"]) - {"component"}) & set(objs.columns)
        and ("v" in objs.columns or _pino_levels(objs))
    ):
        # bunyan's core fields, and pino's (its numeric levels): "name" is the application's
        # (pino({name: "checkout"}); every record of a service has it); a child logger's
        # "component" (log.child({component: "cache"})) stays an attribute
        objs = objs.rename({"name": "service"})
    if {"reqId", "level", "app"} <= set(objs.columns) and _nextcloud_levels(objs):
        # Nextcloud's log: "level" is its number, 0 debug to 4 fatal
        objs = objs.with_columns(
            level=objs["level"].cast(pl.String).str.strip_chars().replace_strict(_NEXTCLOUD, default=None)
        )
    cols = set(objs.columns)
    if {"displayMessage", "eventType", "published"} <= cols and not {"message", "msg"} & cols:
        # Okta's System Log: the event's description, and how it ended when it did not
        # succeed ("User login to Okta: FAILURE INVALID_CREDENTIALS"); "published" is its time
        result = pl.col("outcome.result") if "outcome.result" in cols else pl.lit(None, dtype=pl.String)
        reason = pl.col("outcome.reason") if "outcome.reason" in cols else pl.lit(None, dtype=pl.String)
        failed = pl.concat_str(pl.lit(": "), result, pl.concat_str(pl.lit(" "), reason).fill_null(""))
        objs = objs.with_columns(
            pl.concat_str(
                pl.col("displayMessage"), pl.when(result.is_in(["SUCCESS", "ALLOW"])).then(pl.lit("")).otherwise(failed).fill_null("")
            ).alias("message")
        )
    if {"operationName", "resourceId", "category", "resultType"} <= cols and not {"message", "msg"} & cols:
        # Azure's activity log (and resource logs in its schema): the operation and its result
        # ("MICROSOFT.WEB/SITES/RESTART/ACTION Failure")
        objs = objs.with_columns(
            pl.concat_str(pl.col("operationName"), pl.concat_str(pl.lit(" "), pl.col("resultType")).fill_null("")).alias(
                "message"
            )
        )
    if {"level", "channel"} <= set(objs.columns) and ("level_name" in objs.columns or _monolog_levels(objs)):
        # Monolog's JsonFormatter: "level" is its number (100 .. 600), "level_name" the word
        number = objs["level"].cast(pl.String).str.strip_chars().replace_strict(_MONOLOG, default=None)
        name = objs["level_name"].cast(pl.String) if "level_name" in objs.columns else None
        objs = objs.with_columns(level=number if name is None else name.fill_null(number)).drop("level_name", strict=False)
    if "thrown.name" in objs.columns:
        # log4j2's JsonLayout: the exception, its message and its frames (an array of
        # {"class", "method", "file", "line"}) as a Java stack trace reads
        message = pl.col("thrown.message") if "thrown.message" in objs.columns else pl.lit(None, dtype=pl.String)
        head = pl.concat_str(pl.col("thrown.name"), pl.concat_str(pl.lit(": "), message).fill_null(""))
        frames = pl.lit(None, dtype=pl.String)
        if "thrown.extendedStackTrace" in objs.columns:
            trace = pl.col("thrown.extendedStackTrace")
            parsed = trace.str.json_decode(
                pl.List(pl.Struct({"class": pl.String, "method": pl.String, "file": pl.String, "line": pl.String}))
            )
            frame = pl.element().struct
            lines = parsed.list.eval(
                pl.concat_str(
                    pl.lit("\tat "), frame.field("class"), pl.lit("."), frame.field("method"), pl.lit("("),
                    frame.field("file").fill_null("Unknown Source"), pl.concat_str(pl.lit(":"), frame.field("line")).fill_null(""),
                    pl.lit(")"),
                )
            ).list.join("\n")
            # (stacktraceAsString="true" writes the trace as one string)
            frames = pl.when(trace.str.starts_with("[")).then(lines).otherwise(trace)
        objs = objs.with_columns(
            pl.when(pl.col("thrown.name").is_not_null())
            .then(pl.concat_str(head, pl.concat_str(pl.lit("\n"), frames).fill_null("")))
            .alias("stack_trace")
        ).drop([c for c in objs.columns if c.startswith("thrown.")])
    if "_index" in objs.columns and any(c.startswith("_source.") for c in objs.columns):
        # Elasticsearch documents one per line (elasticdump, a scroll export):
        # {"_index": ..., "_id": ..., "_source": {...}} -> the source's keys; _index, _id
        # and _score stay attributes
        inner = {c: c.removeprefix("_source.") for c in objs.columns if c.startswith("_source.")}
        objs = objs.drop([v for v in inner.values() if v in objs.columns and v not in inner]).rename(inner)
    return objs


def _parse_jsonl(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    heads = fold_blank_lines(lines.collect(), objects=True)
    texts = heads["line"]
    objs, valid = decode_objects(texts)
    objs = _vendor_keys(objs).with_columns(_raw=texts, _valid=valid)
    docker = "log" in objs.columns and "stream" in objs.columns
    if docker:
        return _docker_records(heads, objs, options).lazy()
    crash = None
    if not valid.all():
        # lines that are not JSON: a crash report after the records, a stack trace printed
        # after one (see foreign_lines)
        cont, crash, fatal = foreign_lines(valid, texts)
        if cont.any() or crash.any():
            keep = ~cont
            heads = (
                heads.with_columns(_rec=keep.cum_sum())
                .group_by("_rec", maintain_order=True)
                .agg(
                    pl.col("line_no").first(),
                    pl.col("line").first(),
                    pl.col("n_lines").sum().cast(pl.UInt32),
                    pl.col("_blank").first(),
                    pl.col("line").slice(1).str.join("\n").alias("_tail"),
                )
                .drop("_rec")
            )
            objs, valid, texts = objs.filter(keep), valid.filter(keep), texts.filter(keep)
            crash, fatal = crash.filter(keep), fatal.filter(keep)
        else:
            crash = None
    rec = records_from_objects(objs, pl.col("_raw"), options).drop("_level")
    group = rec.get_column("_svc_group")
    rec = _read_levelless_bodies(rec.drop("_svc_group"), valid & (rec["body"] != texts).fill_null(False), options)
    rec = with_group_service(rec, group)
    out = pl.concat([heads.select("line_no", "n_lines", "_blank"), rec, objs.select("_valid", "_raw")], how="horizontal")
    out = _finish(out)
    if crash is not None:
        out = _with_foreign_blocks(out, heads["_tail"], crash, fatal)
    return _text_lines_among(out, options).lazy()


_NOT_JSON = "not a JSON object: expected one {...} object per line"


def _text_lines_among(out: pl.DataFrame, options: ParseOptions) -> pl.DataFrame:
    """Lines of a JSON lines file that are an application's text or logfmt log lines, with
    a stamp or a level (a sidecar's container log: istio-proxy writes its JSON access log
    and Envoy's and the agent's own "<stamp>\twarning\t..." lines to one stream), are
    records read as such (time, level, message, logger), not lines that failed to parse;
    the lines that joined them stay under their message."""
    bad = (out["parse_error"] == _NOT_JSON).fill_null(False)
    if not bad.any():
        return out
    idx = bad.arg_true()
    bodies = out["body"].gather(idx)
    first = bodies.str.replace(r"\n[\s\S]*$", "")
    rest = bodies.str.slice(first.str.len_chars())
    # (whether a line is such a record depends on its stamp and level: read them whatever
    # columns the caller keeps, or a projection would keep lines a full read turns to records)
    inner = parse_inner_messages(first, dataclasses.replace(options, columns=None), with_kind=True)
    ok = inner["kind"].is_in(["text", "logfmt"]) & (inner["timestamp"].is_not_null() | inner["severity_text"].is_not_null())
    # (a line that is nothing but a level word, "SEVERE", says nothing as a record: it stays
    # the line that failed to parse, its text kept)
    ok = ok & ((inner["body"].fill_null("").str.strip_chars() != "") | (rest != "")).fill_null(False)
    if not ok.any():
        return out
    idx, inner, rest = idx.filter(ok), inner.filter(ok), rest.filter(ok)
    body = pl.concat([inner.select("body"), rest.to_frame("_rest")], how="horizontal").select(
        pl.concat_str("body", "_rest").alias("body")
    )["body"]
    return out.with_columns(
        *[out[c].scatter(idx, inner[c].cast(out[c].dtype)) for c in ("timestamp", "severity_text", "severity_number", "trace_id", "attributes")],
        out["service"].scatter(idx, inner["service"].fill_null(out["service"].gather(idx))),
        out["body"].scatter(idx, body),
        out["parse_error"].scatter(idx, pl.repeat(None, len(idx), dtype=pl.String, eager=True)),
    )


def _with_foreign_blocks(out: pl.DataFrame, tail: pl.Series, crash: pl.Series, fatal: pl.Series) -> pl.DataFrame:
    """Records of a structured file with the lines that joined them (``tail``) appended to
    their body, and its crash reports as records at level FATAL (a runtime's abort) or ERROR
    (an uncaught error), without a parse error: they are what the process printed as it died,
    with the service of the records above them (that process's)."""
    sev_text, sev_num = crash_severity(pl.col("_fatal"))
    crashing = pl.col("_crash")
    frame = out.with_columns(_tail=tail, _crash=crash, _fatal=fatal)
    return frame.select(
        pl.when(crashing).then(sev_text).otherwise(pl.col("severity_text")).alias("severity_text"),
        pl.when(crashing).then(sev_num).otherwise(pl.col("severity_number")).alias("severity_number"),
        pl.when(pl.col("_tail") != "")
        .then(pl.concat_str("body", pl.lit("\n"), "_tail"))
        .otherwise(pl.col("body"))
        .alias("body"),
        pl.when(crashing).then(None).otherwise(pl.col("parse_error")).alias("parse_error"),
        # (the process that dies is the one that wrote the records above: their service)
        pl.when(crashing & pl.col("service").is_null())
        .then(pl.col("service").forward_fill())
        .otherwise(pl.col("service"))
        .alias("service"),
        pl.exclude("severity_text", "severity_number", "body", "parse_error", "service", "_tail", "_crash", "_fatal"),
    ).select(list(RECORD_COLUMNS)).cast(RECORD_COLUMNS)


def parse_json_records(texts: pl.Series, options: ParseOptions) -> pl.DataFrame:
    """Records from JSON object texts, one per row, mapped exactly as JSON lines.

    For readers of other containers of JSON records (``rcakit.ingest._jsondoc``): the texts
    must not contain raw line breaks (``json.dumps`` output). ``line_no`` is the row number
    and ``n_lines`` is 1; the caller sets the real line accounting.

    Returns
    -------
    pl.DataFrame
        :data:`RECORD_COLUMNS`, one row per text.
    """
    lines = pl.DataFrame(
        {"line_no": pl.int_range(1, len(texts) + 1, dtype=pl.UInt32, eager=True), "line": texts.cast(pl.String)}
    )
    return _parse_jsonl(lines.lazy(), options).collect()


def _read_levelless_bodies(rec: pl.DataFrame, from_key: pl.Series, options: ParseOptions) -> pl.DataFrame:
    """Records without a level whose message is a raw app line (filebeat/fluentd shipping
    ``"message": "2024-... ERROR [main] ..."``): take level, time and body from that line."""
    need = (from_key & rec["severity_text"].is_null() & rec["body"].is_not_null()).fill_null(False)
    if not need.any():
        return rec
    inner = parse_inner_messages(rec["body"].set(~need, None).fill_null(""), options)
    frame = pl.concat([rec, inner.rename(lambda c: f"_in_{c}"), need.alias("_need").to_frame()], how="horizontal")
    found = pl.col("_need") & (pl.col("_in_severity_text").is_not_null() | pl.col("_in_timestamp").is_not_null())
    return frame.lazy().select(
        pl.coalesce("timestamp", pl.when("_need").then(pl.col("_in_timestamp"))).alias("timestamp"),
        pl.when(found).then(pl.col("_in_severity_text")).otherwise(pl.col("severity_text")).alias("severity_text"),
        pl.when(found).then(pl.col("_in_severity_number")).otherwise(pl.col("severity_number")).alias("severity_number"),
        pl.coalesce("service", pl.when("_need").then(pl.col("_in_service"))).alias("service"),
        pl.when(found).then(pl.col("_in_body")).otherwise(pl.col("body")).alias("body"),
        pl.coalesce("trace_id", pl.when("_need").then(pl.col("_in_trace_id"))).alias("trace_id"),
        pl.when("_need")
        .then(merge_attributes(pl.col("attributes"), pl.col("_in_attributes")))
        .otherwise(pl.col("attributes"))
        .alias("attributes"),
    ).collect()


def _finish(out: pl.DataFrame) -> pl.DataFrame:
    """Invalid lines: body = raw line, parse_error set, other fields null."""
    bad = ~pl.col("_valid")
    err = (
        pl.when(pl.col("_blank"))
        .then(pl.lit("blank line before the first record"))
        .when(bad)
        .then(pl.lit(_NOT_JSON))
    )
    return out.select(
        *[
            pl.when(bad).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("timestamp", "severity_text", "severity_number", "service", "trace_id", "attributes")
        ],
        pl.when(bad).then(pl.col("_raw")).otherwise(pl.col("body")).alias("body"),
        pl.col("line_no").cast(pl.UInt32),
        pl.col("n_lines").cast(pl.UInt32),
        err.alias("parse_error"),
    ).select(list(RECORD_COLUMNS)).cast(RECORD_COLUMNS)


def _docker_records(heads: pl.DataFrame, objs: pl.DataFrame, options: ParseOptions) -> pl.DataFrame:
    """Docker json-file: join 16 KiB chunks, parse the inner line, runtime time wins."""
    is_docker = pl.col("_valid") & pl.col("log").is_not_null() & pl.col("stream").is_not_null()
    frame = pl.concat([heads.select("line_no", "n_lines", "_blank"), objs], how="horizontal").with_columns(
        _docker=is_docker
    )
    # a docker chunk that does not end in "\n" continues in the next docker line of the same stream
    partial = pl.col("_docker") & ~pl.col("log").str.ends_with("\n")
    prev_partial = partial.shift(1, fill_value=False) & pl.col("_docker")
    frame = frame.with_columns(_prev_partial=prev_partial.fill_null(False))
    others = [c for c in objs.columns if c not in ("log", "_raw", "_valid")]
    if not frame["_prev_partial"].any():
        grouped = frame.select(
            "line_no", "n_lines", "_blank", "_valid", "_docker", "_raw", "log",
            pl.lit(1, dtype=pl.UInt32).alias("_chunks"), *others,
        )
    else:
        grouped = _join_chunks(frame, others)
    return _docker_fields(grouped, objs, others, options)


def _join_chunks(frame: pl.DataFrame, others: list[str]) -> pl.DataFrame:
    frame = frame.with_columns(_grp=(~pl.col("_prev_partial")).cum_sum())
    return frame.group_by("_grp", maintain_order=True).agg(
        pl.col("line_no").first(),
        pl.col("n_lines").sum(),
        pl.col("_blank").first(),
        pl.col("_valid").first(),
        pl.col("_docker").first(),
        pl.col("_raw").first(),
        pl.when(pl.col("log").is_not_null().any()).then(pl.col("log").str.join("")).alias("log"),
        pl.len().cast(pl.UInt32).alias("_chunks"),
        *[pl.col(c).first() for c in others],
    ).drop("_grp")


def _docker_fields(grouped: pl.DataFrame, objs: pl.DataFrame, others: list[str], options: ParseOptions) -> pl.DataFrame:
    outer_ts, _ = _pick(grouped, "timestamp")
    sample = grouped.select(outer_ts.alias("t")).drop_nulls().head(200)["t"].to_list()
    extra = {c: pl.col(c) for c in others if c not in ("time",) and not c.startswith("_")}
    extra["docker.chunks"] = pl.when(pl.col("_chunks") > 1).then(pl.col("_chunks"))
    numbers = ("docker.chunks",)
    ctx = grouped.lazy().with_columns(
        _outer_ts=timestamp_expr(outer_ts, sample, options),
        _outer_attrs=encode_attributes(extra, numbers=numbers) if options.wants("attributes") else NO_ATTRIBUTES,
    ).collect()
    # the runtime's time wins over the app line's: when every docker line has one, the app
    # line's stamp is not parsed at all
    stamped = ctx.select((pl.col("_outer_ts").is_not_null() | ~pl.col("_docker")).all()).item()
    inner = parse_inner_messages(
        grouped["log"], without_timestamp(options) if stamped else options, with_kind=True, with_text=True
    )
    kind, rewritten = inner["kind"], inner["text"]
    inner = inner.drop("kind", "text").rename({c: f"_in_{c}" for c in inner.columns if c not in ("kind", "text")})
    ctx = pl.concat([ctx, inner], how="horizontal")
    if options.wants("attributes"):
        ctx = drop_shared_members(ctx, "_in_attributes", extra)  # the runtime's fields win
    # merge inner attributes (app fields) with the runtime ones (stream, ...)
    merged_attrs = merge_attributes(pl.col("_outer_attrs"), pl.col("_in_attributes"))
    keys = grouped.select([c for c in objs.columns if not c.startswith("_")])
    if (grouped["_valid"] & ~grouped["_docker"]).any():
        non_docker = records_from_objects(keys.with_columns(_raw=grouped["_raw"]), pl.col("_raw"), options).drop("_level")
        non_docker = with_group_service(non_docker.drop("_svc_group"), non_docker.get_column("_svc_group"))
        plain = grouped["_valid"] & ~grouped["_docker"] & (non_docker["body"] != grouped["_raw"]).fill_null(False)
        non_docker = _read_levelless_bodies(non_docker, plain, options)
    else:  # every line is a docker line: only the envelope's service keys are needed
        non_docker = grouped.select(
            pl.col("_raw").alias("_height"),  # keeps the row count when every field is a literal
            *[pl.lit(None, dtype=RECORD_COLUMNS[c]).alias(c) for c in _INNER_FIELDS if c != "service"],
            _service_expr(keys).alias("service"),
        ).drop("_height")
    ctx = pl.concat([ctx, non_docker.rename({c: f"_nd_{c}" for c in non_docker.columns})], how="horizontal")
    d = pl.col("_docker")

    def either(name: str, docker_expr: pl.Expr) -> pl.Expr:
        return pl.when(d).then(docker_expr).otherwise(pl.col(f"_nd_{name}")).alias(name)

    out = ctx.lazy().select(
        either("timestamp", pl.coalesce("_outer_ts", "_in_timestamp")),
        either("severity_text", pl.col("_in_severity_text")),
        either("severity_number", pl.col("_in_severity_number")),
        either("service", pl.coalesce("_in_service", "_nd_service")),
        either("body", pl.col("_in_body")),
        either("trace_id", pl.col("_in_trace_id")),
        either("attributes", merged_attrs),
        "line_no", "n_lines", "_blank", "_valid", "_raw",
    ).collect()
    out = _finish(out)
    if "stream" not in grouped.columns:
        return out
    # a stack trace the app wrote line by line is one record (docker wrapped each line); the
    # line's text is only needed where a headless line may continue one
    kind = grouped.select(pl.when("_docker").then(kind)).to_series()
    if not (kind == "plain").any():
        return out
    text = grouped["log"].str.strip_suffix("\n").str.strip_suffix("\r")
    if rewritten.is_not_null().any():
        text = rewritten.fill_null(text)
    return join_container_continuations(out, stream=grouped["stream"].cast(pl.String), kind=kind, text=text)


def _share(sample: list[str], test: re.Pattern[str]) -> float:
    lines = [s for s in sample if s.strip()]
    if not lines:
        return 0.0
    return sum(1 for s in lines if test.search(s.strip())) / len(lines)


_OPENS = re.compile(r'^\{\s*"')  # an object with its first key on the line (not a document's "{")
_OBJ = re.compile(r'^\{\s*"(?:[^"\\]|\\.)*"\s*:.*\}$')
_DOCKER = re.compile(r'^\{(?=.*"log"\s*:\s*")(?=.*"stream"\s*:\s*")(?=.*"time"\s*:).*\}$')


def _whole_objects(sample: list[str]) -> list[str]:
    """The sample with an object written over several lines joined (see :func:`fold_blank_lines`)."""
    out: list[str] = []
    for line in sample:
        text = line.strip()
        if out and not text.startswith("{") and _OPENS.match(out[-1]) and not out[-1].endswith("}"):
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
    return out


def _sniff_jsonl(sample: list[str]) -> float:
    sample = _whole_objects(sample)
    # docker json-file lines are JSON lines too, but the docker format claims them first
    score = _share(sample, _OBJ) - 0.5 * _share(sample, _DOCKER)
    if len(sample) == 1 and score > 0:
        # one line holding a list of records (an Elasticsearch/Loki response from curl) is
        # a JSON document: leave it to the "json" format
        from rcakit.ingest._jsondoc import is_envelope_line

        if is_envelope_line(sample[0]):
            return 0.0
    if score > 0 and '"resourceLogs"' in sample[0]:
        # OpenTelemetry OTLP/JSON payloads, one per line: the "json" format's
        from rcakit.ingest._jsondoc import is_otlp

        try:
            if is_otlp(json.loads(sample[0])):
                return 0.0
        except (ValueError, RecursionError):
            pass
    return score


def _sniff_docker(sample: list[str]) -> float:
    return _share(sample, _DOCKER)


FORMAT = LineFormat(
    name="jsonl",
    description="JSON lines (one object per line; common key spellings for time, level, message, service, trace id)",
    sniff=_sniff_jsonl,
    parse=_parse_jsonl,
)

DOCKER_FORMAT = LineFormat(
    name="docker",
    description='docker json-file ({"log": "...\\n", "stream": "stdout", "time": "..."}), 16 KiB chunks joined',
    sniff=_sniff_docker,
    parse=_parse_jsonl,
)

FORMATS = (FORMAT, DOCKER_FORMAT)
