"""CSV exports from log platforms: Elastic/Kibana, Splunk, Loki/Grafana, Datadog, and alike.

The first line is a header. Columns are recognised by name (case-insensitive, first present
wins, see :data:`COLUMN_ROLES`):

=============  ===========================================================================
field          columns
=============  ===========================================================================
timestamp      ``@timestamp``, ``_time``, ``timestamp``, ``time``, ``date``, ``datetime``,
               ``ts``, ``tsNs`` (epoch ns), ``TimeCreated`` (PowerShell), ``_messagetime``
               (Sumo Logic), ... (Kibana's
               ``Jan 2, 2024 @ 03:04:05.123`` is understood); the first column that
               parses wins per row
body           ``message``, ``_raw``, ``line``, ``msg``, ``log``, ``content``, ``body``, ...
severity       ``log.level``, ``level``, ``severity``, ``loglevel``, ``status`` (Datadog; only
               when its value is a level word); else the level inside the message
service        ``service``, ``service.name``, ``app``, ``application``, ...; else the pod
               name (``kubernetes.pod.name``, ``pod``, ...) reduced to its workload
               (``ts-travel-service-64469b5b48-25zj6`` -> ``ts-travel-service``); else the
               container name; else the last segment of a CloudWatch log group (``@log``)
trace_id       ``trace_id``, ``traceId``, ``trace.id``, ``dd.trace_id``, ...
=============  ===========================================================================

The message is itself read as an application log line (see
:func:`rcakit.ingest._jsonl.parse_inner_messages`): container-runtime JSON
(``{"log": "...", "stream": "stdout", "time": "..."}``), a JSON app log, logfmt, or text
with a timestamp/level head give severity, body and more attributes. A column holding JSON
objects (Loki's ``labels``) is expanded into its keys. Every other non-empty column goes to
``attributes``.

Line accounting: records are found by quote parity, so a quoted field spanning lines makes
one record whose ``n_lines`` counts them. The header line (and any blank line before it)
belongs to the first record, whose ``line_no`` is therefore 1; blank lines belong to the
record above. So the records tile the file and ``n_lines`` sums to its line count without a
junk "header" record. A file with a header and no rows gives one record with ``parse_error``.
"""

from __future__ import annotations

import csv
import io
import re

import polars as pl

from rcakit.ingest._base import NO_ATTRIBUTES, RECORD_COLUMNS, FileFormat, ParseOptions, by_distinct
from rcakit.ingest._files import lines_buffer
from rcakit.ingest._jsonl import (
    _NULL_TS,
    decode_objects,
    drop_shared_members,
    encode_attributes,
    merge_attributes,
    parse_inner_messages,
    timestamp_expr,
    without_timestamp,
)
from rcakit.ingest._severity import app_insights_level, severity_columns

__all__ = ["COLUMN_ROLES", "FORMAT", "FORMATS"]

#: field -> column names (lower-case), in priority order
COLUMN_ROLES: dict[str, tuple[str, ...]] = {
    "timestamp": (
        "@timestamp", "_time", "timestamp", "time", "date", "datetime", "ts", "eventtime",
        "event.created", "date/time", "receivedat", "tsns", "_indextime",
        # Windows: PowerShell Get-WinEvent / Get-EventLog, Event Viewer
        "timecreated", "timegenerated", "timewritten", "date and time",
        # Event Viewer on a German, French, Japanese, Spanish, Italian, Portuguese Windows
        "datum und uhrzeit", "date et heure", "日付と時刻", "fecha y hora", "data e ora", "data e hora",
        # Azure Monitor / Application Insights (the portal adds the zone: "TimeGenerated [UTC]")
        "timegenerated [utc]", "timestamp [utc]",
        # Sumo Logic ("_messagetime" is when the event happened, "_receipttime" when received)
        "_messagetime", "_messagetimems", "_receipttime",
        # a German spreadsheet's export (Excel, LibreOffice)
        "zeitstempel", "zeit", "datum/zeit",
    ),
    "body": (
        "message", "_raw", "line", "msg", "log", "content", "body", "text", "event", "@message", "log.original",
        "logmessage", "logentry",  # Azure Monitor container logs (ContainerLogV2, ContainerLog)
        "textpayload", "jsonpayload.message", "jsonpayload.msg",  # Google Cloud Logs Explorer
        "meldung", "nachricht",  # a German spreadsheet's export
    ),
    "severity": (
        "log.level", "level", "severity", "loglevel", "log_level", "severity_text", "lvl",
        "levelname", "detected_level", "status", "leveldisplayname", "entrytype",
        "severitylevel",  # Application Insights: 0 Verbose .. 4 Critical
        "syslog_severity",  # a syslog severity number (see _syslog_numeric)
        # Event Viewer on a German, French, Japanese, Spanish, Italian, Portuguese Windows
        "ebene", "niveau", "レベル", "nivel", "livello", "nível",
        "stufe",  # a German spreadsheet's export
    ),
    "service": (
        "service", "service.name", "service_name", "servicename", "app", "application",
        "app_name", "kubernetes.labels.app", "kubernetes.labels.app_kubernetes_io/name",
        "k8s.deployment.name", "kubernetes.deployment.name",
        "approlename", "cloud_rolename",  # Application Insights
        "_sourcecategory",  # Sumo Logic
        # Google Cloud Logs Explorer: Cloud Run, Cloud Functions, App Engine
        "resource.labels.service_name", "resource.labels.function_name", "resource.labels.module_id",
        "dienst",  # a German spreadsheet's export
    ),
    "pod": ("kubernetes.pod.name", "kubernetes.pod_name", "k8s.pod.name", "pod", "pod_name", "podname", "resource.labels.pod_name"),
    "container": (
        "kubernetes.container.name", "kubernetes.container_name", "k8s.container.name", "container", "container_name",
        "containername",  # Azure Monitor ContainerLogV2
        "resource.labels.container_name",  # Google Cloud (GKE)
    ),
    # a CloudWatch log group (Logs Insights' "@log"): its last segment, when nothing above is there
    "log_group": ("@log", "loggroup", "log_group", "loggroupname"),
    "trace_id": ("trace_id", "traceid", "trace.id", "dd.trace_id", "trace", "traceparent", "operationid", "operation_id"),
}
_GCP_PAYLOADS = ("textpayload", "jsonpayload.message", "jsonpayload.msg")
# (brackets: "TimeGenerated [UTC]"; an apostrophe: the French Event Viewer's "ID de l'événement")
_NAME = re.compile(r"^[\w@.\-/: \[\]()'\u2019]{1,80}$")
_SEPARATORS = (",", ";", "\t", "|")
_KIBANA_TIME = r"^([A-Za-z]{3})[a-z]*\.? (\d{1,2}), (\d{4})(?: @|,)? "
#: Windows Event Viewer's "Save All Events As" CSV in other languages: the provider
#: ("Source") column and the event id column (lower case), which together name it
_EVENT_SOURCE = ("source", "quelle", "ソース", "origen", "origine", "fonte", "origem")
_EVENT_ID = (
    "event id", "ereignis-id", "id de l'événement", "id de l\u2019événement", "イベント id", "id. del evento", "id del evento",
    "id evento", "identificação do evento", "id do evento",
)
#: the Event Viewer's time column in the languages whose Windows writes a day-first date
#: ("05/03/2024 10:00:31" is 5 March on a French, Spanish, Italian, Portuguese Windows):
#: its slash dates are read day first, unless a second number above 12 shows otherwise
_DAY_FIRST_TIME = frozenset(("date et heure", "fecha y hora", "data e ora", "data e hora", "datum und uhrzeit"))
_SLASH_DATE = r"^(\d{1,2})/(\d{1,2})/(\d{4})\b"


def _header_fields(line: str) -> list[str] | None:
    """The header's column names if ``line`` looks like a CSV header, else None."""
    line = line.lstrip("\ufeff")
    counts = {sep: line.count(sep) for sep in _SEPARATORS}
    sep = max(counts, key=lambda s: counts[s])
    if counts[sep] == 0:
        return None
    try:
        fields = next(csv.reader([line], delimiter=sep))
    except (csv.Error, StopIteration):
        return None
    names = [f.strip() for f in fields]
    if len(names) < 2 or not all(_NAME.match(n) and not n[:2].isdigit() for n in names if n):
        return None
    return names


def _separator(line: str) -> str:
    line = line.lstrip("\ufeff")
    return max(_SEPARATORS, key=line.count)


def _level_value(column: str) -> pl.Expr:
    """A level column's value as a level word: Application Insights' SeverityLevel is a number."""
    if column.lower() == "severitylevel":
        return app_insights_level(pl.col(column))
    return pl.col(column)


#: level columns whose values may be syslog severity numbers (Graylog's GELF "level")
_SYSLOG_LEVEL_COLUMNS = frozenset(("level", "severity", "syslog_severity"))


def _syslog_numeric(rows: pl.DataFrame, column: str) -> bool:
    """Whether a level column holds syslog severities: named ``level``, ``severity`` or
    ``syslog_severity`` and every value an integer 0-7 (Graylog's export of GELF's level:
    3 is ERROR, 6 INFO); a bare 3 under another name, or beside level words, is not one."""
    if column.lower() not in _SYSLOG_LEVEL_COLUMNS or rows.schema[column] != pl.String:
        return False
    values = rows[column].drop_nulls()
    # (the first values first: a column of level words is told at once)
    return len(values) > 0 and all(
        bool(part.str.contains(r"^[0-7]$").all()) for part in (values.head(50), values)
    )


def _warn_no_time(header: str, sep: str, options: ParseOptions) -> None:
    """Say that a CSV export has no time column (and its messages no stamp): its records have
    no time, so they stay out of time windows and timelines."""
    import warnings

    from rcakit.errors import RcakitWarning

    names = ", ".join(c.strip().strip('"') for c in header.lstrip("\ufeff").split(sep))
    warnings.warn(
        f"{options.source or 'input'}: no timestamp column found (columns: {names[:200]}) and no stamp in the "
        "messages: its records have no time; export the time field too (@timestamp, _time, timestamp)",
        RcakitWarning,
        stacklevel=2,
    )


#: a unit or zone in parentheses or brackets after a column's name ("Timestamp (UTC)")...
_NAME_UNIT = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*")
#: ... but not a duration's unit: "Time (ms)" is how long, not when
_DURATION_UNIT = re.compile(r"(?i)[(\[]\s*(?:ms|s|sec|secs|seconds?|us|µs|ns|millis|milliseconds?|min|minutes?)\s*[)\]]")


def _loose_name(name: str) -> str:
    """A column's name without blanks, ``_``, ``-``, ``.`` and a unit or zone in parentheses,
    lower case: free-form spreadsheet headers (``"Log Level"``, ``"Service Name"``,
    ``"Timestamp (UTC)"``) compared with :data:`COLUMN_ROLES`' names."""
    if _DURATION_UNIT.search(name):
        return ""
    return re.sub(r"[\s_\-.]+", "", _NAME_UNIT.sub(" ", name).lower())


def _role_columns(columns: list[str], role: str) -> list[str]:
    lower = {c.lower(): c for c in reversed(columns)}
    exact = [lower[n] for n in COLUMN_ROLES[role] if n in lower]
    if exact:
        return exact
    # no column has one of the role's names: one whose name is one of them but for blanks,
    # separators and a unit (a spreadsheet's "Log Level", "Timestamp (UTC)")
    loose: dict[str, str] = {}
    for c in reversed(columns):
        if key := _loose_name(c):
            loose[key] = c
    return list(dict.fromkeys(loose[k] for k in map(_loose_name, COLUMN_ROLES[role]) if k in loose))


def _records(text: str | bytes) -> pl.DataFrame:
    """Physical lines grouped into CSV records by quote parity.

    Returns ``line_no, n_lines, record`` where the header and leading blank lines form
    record 0 and blank lines are attached to the record above.
    """
    from rcakit.ingest._files import lines_frame

    lines = lines_frame(text)
    quotes = pl.col("line").str.count_matches('"', literal=True)
    inside_after = (quotes.cum_sum() % 2) == 1  # still inside a quoted field after this line
    blank = pl.col("line").str.strip_chars().str.len_bytes() == 0
    # PowerShell's Export-Csv (5.x) writes "#TYPE <.NET type>" above the header: like a blank
    # line, it belongs to the header's record
    type_line = (pl.col("line_no") == 1) & pl.col("line").str.starts_with("#TYPE ")
    frame = lines.lazy().with_columns(_open=inside_after, _blank=blank | type_line).collect()
    # a line starts a record when the previous line closed its record and it is not blank;
    # everything up to and including the header is record 0
    prev_open = pl.col("_open").shift(1, fill_value=False)
    starts = ~prev_open & ~pl.col("_blank")
    # record 0 is the header with any blank lines around it; lines before it join it too
    frame = frame.with_columns(_rec=(starts.cum_sum().cast(pl.Int64) - 1).clip(lower_bound=0))
    if frame.height and frame["_rec"][-1] == frame.height - 1:
        # every line is a record of its own (no multi-line field, no blank line): no grouping
        return frame.select("line_no", pl.lit(1, dtype=pl.UInt32).alias("n_lines"), pl.col("line").alias("record"))
    # records are runs of lines: the first line of each run and the run length come from
    # run boundaries; only the (few) runs of several lines are grouped to join their text
    first = frame.filter(pl.col("_rec") != pl.col("_rec").shift(1, fill_value=-1))
    total = frame.height
    heads = first.select(
        "_rec",
        "line_no",
        (pl.col("line_no").shift(-1, fill_value=total + 1) - pl.col("line_no")).cast(pl.UInt32).alias("n_lines"),
        pl.col("line").alias("record"),
    )
    multi = heads.filter(pl.col("n_lines") > 1)["_rec"]
    if len(multi) == 0:
        return heads.drop("_rec")
    joined = (
        frame.lazy()
        .filter(pl.col("_rec").is_in(multi.implode()))
        .group_by("_rec", maintain_order=True)
        .agg(
            # trailing blank lines of a record are not part of its CSV text
            pl.col("line").filter(~pl.col("_blank") | pl.col("_open").shift(1, fill_value=False)).str.join("\n").alias("_joined"),
        )
        .collect()
    )
    return (
        heads.join(joined, on="_rec", how="left", maintain_order="left")
        .select("line_no", "n_lines", pl.coalesce("_joined", "record").alias("record"))
    )


def _name_trailing_message(header: str, sample: list[str | None], sep: str) -> str:
    """``header`` with a ``Message`` column added when it names no message column and the
    rows carry one more field than it names: Windows Event Viewer's "Save All Events As"
    CSV (``Level,Date and Time,Source,Event ID,Task Category``, then the message)."""
    try:
        names = next(csv.reader([header], delimiter=sep))
    except (csv.Error, StopIteration):
        return header
    if _role_columns([n.strip() for n in names], "body"):
        return header
    widths = []
    for rec in sample:
        try:
            rows = list(csv.reader(io.StringIO(rec or ""), delimiter=sep))
        except csv.Error:
            return header
        if len(rows) == 1:
            widths.append(len(rows[0]))
    if widths and sum(w == len(names) + 1 for w in widths) >= 0.9 * len(widths):
        return f"{header}{sep}Message"
    return header


def _read_rows(header: str, records: pl.Series, sep: str) -> pl.DataFrame:
    """Parse the record texts under ``header``, all String, exactly one row per record."""
    data: io.StringIO | io.BytesIO
    if len(records) and not records.null_count():
        # the text handed to the reader as one UTF-8 buffer straight from the Arrow data (no
        # Python string of the whole file in between)
        data = io.BytesIO(lines_buffer(pl.concat([pl.Series([header], dtype=pl.String), records.cast(pl.String)])))
    else:
        body = records.str.join("\n").item() if len(records) else ""
        data = io.StringIO(f"{header}\n{body}\n")
    try:
        out = pl.read_csv(
            data, separator=sep, infer_schema=False, truncate_ragged_lines=True,
            quote_char='"',
        )
        if out.height == len(records):
            return out
    except pl.exceptions.PolarsError:
        pass
    # slow path for files polars' CSV reader refuses (stray quotes...): the stdlib reader,
    # one record at a time, so that a bad record stays one (possibly odd) row
    names = next(csv.reader([header], delimiter=sep))
    longest = max((len(r) for r in records.to_list() if r), default=0)
    if longest >= csv.field_size_limit():
        csv.field_size_limit(longest + 1)  # only ever raised: long stack traces are fine
    rows = []
    errors: list[str | None] = []
    for rec in records.to_list():
        fields: list[str | None] = []
        try:
            parsed = list(csv.reader(io.StringIO(rec), delimiter=sep))
        except csv.Error as exc:
            errors.append(f"CSV row the csv reader rejects: {exc}")
        else:
            if len(parsed) == 1:
                fields = list(parsed[0])
                errors.append(None)
            else:  # a stray quote made several rows one record: keep its text whole
                errors.append(f"CSV record of {len(parsed)} rows: a field has an unbalanced '\"'")
        rows.append((fields + [None] * len(names))[: len(names)])
    out = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")
    return out.with_columns(pl.Series("_csv_error", errors, dtype=pl.String)) if any(errors) else out


def _expand_json_columns(rows: pl.DataFrame, skip: set[str]) -> pl.DataFrame:
    """Columns holding JSON objects (Loki ``labels``) -> one column per key."""
    extra: list[pl.Series] = []
    drop: list[str] = []
    for name in rows.columns:
        if name in skip:
            continue
        col = rows[name]
        head = col.drop_nulls().head(20)
        if len(head) == 0 or not head.str.strip_chars().str.starts_with("{").all():
            continue
        decoded, valid = decode_objects(col)
        if not valid.any():
            continue
        drop.append(name)
        extra.append(col.set(valid, None).alias(name))
        for key in decoded.columns:
            new = key if key not in rows.columns else f"{name}.{key}"
            extra.append(decoded[key].alias(new))
    if not drop:
        return rows
    return rows.drop(drop).hstack([s for s in extra if s.null_count() < len(s)])


def _timestamp(rows: pl.DataFrame, cols: list[str], options: ParseOptions) -> pl.Expr:
    """The first column that parses, per row; separate date and time columns (``Date`` +
    ``Time``, ``Month`` + ``Date`` + ``Time``) are tried joined first."""
    lower = {c.lower(): c for c in rows.columns}
    texts = []
    if "date" in lower and "time" in lower:
        names = [lower[n] for n in ("month", "date", "time") if n in lower]
        texts.append(pl.concat_str([pl.col(n) for n in names], separator=" "))
    # (the Kibana rewrite only for columns that hold such a stamp: it is a no-op elsewhere)
    texts.extend(
        pl.col(c).str.replace(_KIBANA_TIME, "$2 $1 $3 ") if rows[c].str.contains(_KIBANA_TIME).any()
        else _day_first(pl.col(c)) if c.lower() in _DAY_FIRST_TIME and _day_first_dates(rows[c])
        else pl.col(c)
        for c in cols
    )
    parts = []
    for text in texts:
        sample = rows.select(text.alias("t")).drop_nulls().head(200)["t"].to_list()
        part = timestamp_expr(text, sample, options)
        if sample and part is not _NULL_TS:
            parts.append(part)
    if not parts:
        return pl.lit(None, dtype=RECORD_COLUMNS["timestamp"])
    return pl.coalesce(parts)


def _day_first_dates(col: pl.Series) -> bool:
    """Whether a day-first locale's time column has slash dates that may be day first (no
    second number above 12: ``03/25/2024`` is month first whatever the header's language)."""
    months = col.drop_nulls().head(1000).str.extract(_SLASH_DATE, 2).cast(pl.Int64, strict=False).drop_nulls()
    return len(months) > 0 and not (months > 12).any()


def _day_first(col: pl.Expr) -> pl.Expr:
    """Slash dates read day first: ``05/03/2024 10:00:31`` -> ``2024-03-05 10:00:31``."""
    return col.str.replace(_SLASH_DATE, "${3}-${2}-${1}")


def _strip_empty(col: pl.Series) -> pl.Series:
    """``col.str.strip_chars(" ").replace("", None)``, without copying a column that has
    nothing to strip or empty (a long message column usually has neither)."""
    if col.dtype != pl.String:
        return col.str.strip_chars(" ").replace("", None)
    if (col.str.starts_with(" ") | col.str.ends_with(" ")).any():
        col = col.str.strip_chars(" ")
    if (col == "").any():
        col = col.replace("", None)
    return col


def _once_per_distinct(frame: pl.DataFrame, expr: pl.Expr) -> pl.Expr:
    """``expr`` evaluated now, once per distinct combination of the columns it reads."""
    names = list(dict.fromkeys(expr.meta.root_names()))
    if not names or any(n not in frame.columns for n in names):
        return expr
    return pl.lit(by_distinct(frame.select(names), expr))


def _parse(text: str | bytes, options: ParseOptions) -> pl.DataFrame:
    # (bytes come from the reader with the BOM already removed)
    text = text.lstrip("\ufeff") if isinstance(text, str) else text
    recs = _records(text)
    if recs.height == 0:
        return pl.DataFrame(schema=RECORD_COLUMNS)
    header = recs["record"][0].strip("\n")
    sep = _separator(header)
    header = _name_trailing_message(header, recs["record"].slice(1, 50).to_list(), sep)
    rows = _read_rows(header, recs["record"].slice(1), sep)
    if rows.height == 0:
        return pl.DataFrame(
            {"body": [header], "line_no": [1], "n_lines": [recs["n_lines"][0]],
             "parse_error": ["CSV export with a header line and no data rows"]},
        ).with_columns([pl.lit(None, dtype=t).alias(c) for c, t in RECORD_COLUMNS.items() if c not in ("body", "line_no", "n_lines", "parse_error")]).select(list(RECORD_COLUMNS)).cast(RECORD_COLUMNS)
    # empty strings are "no value"; strip the spaces some exports pad with
    rows = rows.with_columns(_strip_empty(rows[c]) for c in rows.columns)
    columns = rows.columns
    body_cols = _role_columns(columns, "body")
    rows = _expand_json_columns(rows, set(body_cols[:1]))
    columns = rows.columns
    ts_cols = _role_columns(columns, "timestamp")
    sev_cols = _role_columns(columns, "severity")
    svc_cols = _role_columns(columns, "service")
    lower = {c.lower() for c in columns}
    source = next((n for n in _EVENT_SOURCE if n in lower), None)
    if not svc_cols and source and (set(_EVENT_ID) & lower or {"eventid", "entrytype"} <= lower):
        # Windows Event Viewer's "Save All Events As" CSV (German: "Quelle", "Ereignis-ID";
        # French, Japanese, ...: see _EVENT_SOURCE, _EVENT_ID)
        # and PowerShell's Get-EventLog | Export-Csv: "Source" is the provider that wrote
        # the event (Service Control Manager, MSSQLSERVER), the service as in its XML
        # export (elsewhere a "source" column is often a file path: Splunk's)
        svc_cols = [next(c for c in columns if c.lower() == source)]
    if not svc_cols and {"providername", "timecreated"} <= lower:
        # PowerShell's Get-WinEvent | Export-Csv: "ProviderName" is that provider
        svc_cols = [next(c for c in columns if c.lower() == "providername")]
    pod_cols = _role_columns(columns, "pod")
    ctr_cols = _role_columns(columns, "container")
    group_cols = _role_columns(columns, "log_group")
    trace_cols = _role_columns(columns, "trace_id")
    body_col = body_cols[0] if body_cols else None
    # Google Cloud's entries have a textPayload or a jsonPayload: whichever a row has
    payload = [c for c in body_cols if c.lower() in _GCP_PAYLOADS] if body_col and body_col.lower() in _GCP_PAYLOADS else []
    body_src = pl.coalesce(payload) if len(payload) > 1 else pl.col(body_col) if body_col else None
    message = (
        rows.select(body_src).to_series() if body_src is not None else pl.repeat(None, rows.height, dtype=pl.String, eager=True)
    )
    # the row's time column wins over the message's own stamp: when every row has one, the
    # message's is not parsed at all
    # (lazily: with_columns broadcasts a literal null to the row count and only the stamp
    # column is computed; an eager with_columns over the whole rows frame cost twice as much)
    outer_ts = (
        rows.lazy().with_columns(_timestamp(rows, ts_cols, options).alias("\x00ts")).select("\x00ts").collect().to_series()
    )
    inner_options = without_timestamp(options) if outer_ts.null_count() == 0 else options
    inner = parse_inner_messages(message.fill_null(""), inner_options, with_kind=True).rename(lambda c: f"_in_{c}")
    # severity: first level column whose value is a level word, else the message's level
    sev_text_parts, sev_num_parts = [], []
    # (not Windows' events: their Level number is Windows' own, 2 Error, 4 Information)
    windows = bool(lower & {*_EVENT_ID, "providername", "leveldisplayname", "timecreated", "eventid", "entrytype"})
    syslog = set() if windows else {c for c in sev_cols if _syslog_numeric(rows, c)}
    for c in sev_cols:
        t, n = severity_columns(_level_value(c), syslog_numeric=c in syslog)
        sev_text_parts.append(t)
        sev_num_parts.append(n)
    sev_text = pl.coalesce([*sev_text_parts, pl.col("_in_severity_text")])
    sev_num = pl.coalesce([*sev_num_parts, pl.col("_in_severity_number")])
    from rcakit.ingest._service import one_group_service, pod_workload, service_from_log_group

    own = pl.coalesce(
        *[pl.col(c) for c in svc_cols],
        pl.col("_in_service"),
        *[pod_workload(pl.col(c), pl.col(ctr_cols[0]) if ctr_cols else None) for c in pod_cols],
        *[pl.col(c) for c in ctr_cols],
        pl.lit(None, dtype=pl.String),
    )
    # (a log group's records that name no service, AWS Lambda's START/REPORT lines and
    # timeouts, are of the one service its other records name, when they name one:
    # Powertools' "service": "checkin" in /aws/lambda/booking-prod-checkin)
    service = pl.coalesce(
        own,
        *[one_group_service(own, pl.col(c)) for c in group_cols],
        *[service_from_log_group(pl.col(c)) for c in group_cols],
        pl.lit(None, dtype=pl.String),
    )
    # (Kibana writes "-" for a field a document lacks)
    trace = pl.coalesce(*[pl.col(c).replace("-", None) for c in trace_cols], pl.col("_in_trace_id"))
    # a "status" column that held a level word is the level, not an attribute
    used = {body_col, *payload, *ts_cols, *svc_cols, *trace_cols} - {None}
    attrs: dict[str, pl.Expr] = {}
    for c in columns:
        if c in used or c == "_csv_error":
            continue
        if c in sev_cols:
            _, n = severity_columns(_level_value(c), syslog_numeric=c in syslog)
            attrs[c] = pl.when(n.is_null()).then(pl.col(c))
        else:
            attrs[c] = pl.col(c)
    merged = merge_attributes(encode_attributes(attrs), pl.col("_in_attributes")) if options.wants("attributes") else NO_ATTRIBUTES
    # a plain-text message next to a level column is the clean message: keep it whole (a
    # Windows "Warning: ..." message with level Info must not lose its first word)
    if body_src is not None:
        outer_level = pl.coalesce([*sev_text_parts, pl.lit(None, dtype=pl.String)])
        keep = outer_level.is_not_null() & pl.col("_in_kind").is_in(["text", "plain"])
        body = pl.when(keep).then(body_src).otherwise(pl.col("_in_body"))
    else:
        body = pl.lit(None, dtype=pl.String)
    frame = pl.concat([rows, outer_ts.to_frame(), inner, recs.slice(1).select("line_no", "n_lines")], how="horizontal")
    if options.wants("attributes"):
        frame = drop_shared_members(frame, "_in_attributes", attrs)  # a column wins over the message's key
    # service and attributes come from a few columns whose values repeat (pod, container,
    # stream, logger...): computed once per distinct combination
    service = _once_per_distinct(frame, service.alias("service"))
    if options.wants("attributes"):
        merged = _once_per_distinct(frame, merged.alias("attributes"))
    if not options.wants("trace_id"):
        trace = pl.lit(None, dtype=pl.String)
    out = frame.lazy().select(
        pl.coalesce("\x00ts", "_in_timestamp").alias("timestamp"),
        sev_text.alias("severity_text"),
        sev_num.alias("severity_number"),
        service.alias("service"),
        body.alias("body"),
        trace.alias("trace_id"),
        merged.alias("attributes"),
        "line_no",
        "n_lines",
        pl.lit(None, dtype=pl.String).alias("parse_error"),
    ).collect()
    if not ts_cols and out.height and options.wants("timestamp") and out["timestamp"].null_count() == out.height:
        _warn_no_time(header, sep, options)
    if not body_col:
        # no message column: the record's text is the message
        out = out.with_columns(body=recs["record"].slice(1))
    # the header (and blank lines before it) belongs to the first record
    out = out.with_columns(
        out["line_no"].cast(pl.UInt32).scatter(0, 1),
        out["n_lines"].cast(pl.UInt32).scatter(0, out["n_lines"][0] + recs["n_lines"][0]),
    )
    raw = recs["record"].slice(1)
    if "_csv_error" in rows.columns:
        rejected = rows["_csv_error"]
        out = out.with_columns(
            body=pl.when(rejected.is_not_null()).then(raw).otherwise(pl.col("body")),
            parse_error=rejected,
        )
    # a row with fewer fields than the header has columns (cut short, a column missing)
    # keeps what it has, its raw text as the body, and says why
    names = next(csv.reader([header], delimiter=sep), [])
    last = rows.get_column(names[-1]) if names and names[-1] in rows.columns else None
    if len(names) > 1 and last is not None and last.null_count():
        unquoted = raw.str.replace_all(r'"(?:[^"]|"")*"', "")
        short = (unquoted.str.count_matches(sep, literal=True) + 1 < len(names)) & unquoted.str.contains(sep, literal=True)
        if short.any():
            err = f"CSV row with fewer fields than the header's {len(names)} columns"
            out = out.with_columns(
                body=pl.when(short).then(raw).otherwise(pl.col("body")),
                parse_error=pl.when(short & pl.col("parse_error").is_null()).then(pl.lit(err)).otherwise(pl.col("parse_error")),
            )
    # a row without a single separator (a stray line) keeps its raw text and says why
    n_cols = len(header.split(sep))
    if n_cols > 1:
        bad = raw.str.contains(sep, literal=True).not_()
        err = f"CSV row with one field where the header has {n_cols} columns separated by {sep!r}"
        out = out if not bad.any() else out.with_columns(
            *[pl.when(bad).then(None).otherwise(pl.col(c)).alias(c) for c in ("timestamp", "severity_text", "severity_number", "service", "trace_id", "attributes")],
            body=pl.when(bad).then(raw).otherwise(pl.col("body")),
            parse_error=pl.when(bad).then(pl.lit(err)).otherwise(pl.col("parse_error")),
        )
    return out.select(list(RECORD_COLUMNS)).cast(RECORD_COLUMNS)


def _sniff(sample: list[str]) -> float:
    if sample and sample[0].startswith("#TYPE "):  # PowerShell Export-Csv
        sample = sample[1:]
    if not sample:
        return 0.0
    names = _header_fields(sample[0])
    if names is None:
        return 0.0
    has_body = bool(_role_columns(names, "body"))
    has_time = bool(_role_columns(names, "timestamp"))
    if not (has_body or has_time):
        return 0.0
    # the export claims the whole file (its data rows are anything the message holds)
    return 1.0 if (has_body and has_time) else 0.6


FORMAT = FileFormat(
    name="csv",
    description="CSV export from a log platform (Kibana, Splunk, Loki/Grafana, Datadog): header with time and message columns",
    sniff=_sniff,
    parse=_parse,
    takes_bytes=True,
)

FORMATS = (FORMAT,)
