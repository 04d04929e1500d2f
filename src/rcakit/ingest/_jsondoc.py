"""JSON documents: arrays of records and log-platform API responses (format ``json``).

Exports that are one JSON *document* rather than JSON *lines*:

- an array of records, pretty-printed or on one line (Kibana/Datadog "export as JSON",
  ``jq -s``): ``[{"@timestamp": ..., "message": ...}, ...]``; elements that are
  Elasticsearch hits (``{"_source": {...}}``) or Datadog v2 logs
  (``{"type": "log", "attributes": {...}}``) are unwrapped;
- an Elasticsearch search response: ``{"hits": {"hits": [{"_source": {...}}, ...]}}``
  (hits without ``_source`` use their ``fields``, one-element lists unwrapped);
- CloudWatch ``aws logs filter-log-events`` / ``get-log-events`` output:
  ``{"events": [{"timestamp": 1700000000000, "message": "...", "logStreamName": ...}]}``;
- a Loki query API response: ``{"data": {"result": [{"stream": {labels},
  "values": [["<ns epoch>", "<line>"], ...]}]}}`` (each value is a record with the stream's
  labels as keys, the line as ``message`` and the epoch as ``timestamp``; a ``level`` label
  fills the level only when the line does not carry one);
- Grafana data frames, column by column (the query inspector's "DataFrame JSON", the
  ``/api/ds/query`` response): ``{"schema": {"fields": [{"name": "Time"}, {"name": "Line"},
  ...]}, "data": {"values": [[<times>], [<lines>], ...]}}``, alone, in a list, or under
  ``results.<refId>.frames``. Row ``i`` of every column is one record; a Loki frame's
  ``labels`` column is merged into it (a level label as for Loki responses), ``Line`` is the
  message and ``tsNs`` (else ``Time``) the timestamp;
- any other object without a message key whose ``records``, ``logs``, ``data``, ``events``,
  ``items``, ``results``, ``entries``, ``rows`` or ``messages`` member (in any case: AWS
  CloudTrail's ``{"Records": [...]}``) is a list of objects (the first of these present);
  else the object itself is one record;
- OpenTelemetry OTLP/JSON logs payloads (``{"resourceLogs": [...]}``, one per line from the
  collector's ``file`` exporter): one record per ``logRecords`` element, with its resource's
  attributes (``service.name``...), its own attributes, ``timeUnixNano`` (else, when absent or
  ``0``, OTLP's "unset", the observed time), ``severityText`` (else the level of ``severityNumber``), the body's value,
  ``traceId`` and ``spanId``;
- several such documents one after the other (``jq`` output of a stream).

Each record is mapped exactly like a JSON-lines record: it is written as one NDJSON line and
read by the ``jsonl`` parser (:func:`rcakit.ingest._jsonl.parse_json_records`), so the key
spellings, the flattening of nested objects and the reading of raw app lines inside the
message are the same.

Line accounting: a record owns the physical lines from its opening brace (``[`` for a Loki
value) up to the next record's; the lines before the first record belong to the first one
and the lines after the last record to the last one. Records that start on a line where an
earlier record started (a compact one-line array) have ``n_lines = 0`` and that line as
``line_no``. A document without records is one record (``body`` = the text, ``parse_error``
set). Invalid JSON: every physical line is a record of its own with ``body`` = the line and
``parse_error`` = what was expected where (``json: expected ',' or ']' at line 12 col 5``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]  # C scanner, not in typeshed
from typing import Any

import polars as pl

from rcakit.ingest._base import RECORD_COLUMNS, FileFormat, ParseOptions
from rcakit.ingest._jsonl import KEY_ROLES, parse_json_records
from rcakit.ingest._severity import severity_columns

__all__ = ["FORMAT", "DocumentError", "find_records", "is_envelope", "is_envelope_line", "is_otlp", "parse_document"]

_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")
#: members of an object that may hold its list of records, tried first (then any other)
_LIST_KEYS = ("records", "logs", "data", "events", "items", "results", "entries", "rows", "messages")

Record = dict[str, Any]
_MESSAGE_KEYS = frozenset(KEY_ROLES["body"])
#: Loki stream labels holding a level (promtail/alloy pipelines, Loki 3 detected_level)
_LEVEL_LABELS = ("level", "detected_level", "severity", "severity_text", "lvl", "loglevel", "log_level")


@dataclass(frozen=True, slots=True)
class _Located:
    """Records found in a document: where each one starts, the record, and its JSON text
    when the record is a span of the document as it is (else None: encode the record)."""

    starts: list[int]
    records: list[Record]
    texts: list[str | None]
    label_levels: list[str | None]  # a Loki stream's level label, used when the line has none

    def add(self, start: int, record: Record, text: str | None, *, label_level: str | None = None) -> None:
        self.starts.append(start)
        self.records.append(record)
        self.texts.append(text)
        self.label_levels.append(label_level)


@dataclass(frozen=True, slots=True)
class _Element:
    """An element of a JSON array: its span in the text and its decoded value."""

    start: int
    end: int
    value: Any


class DocumentError(ValueError):
    """The text is not valid JSON; the message says what was expected and where."""


# --------------------------------------------------------------------------- decoding


def _skip(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _open_container(text: str, pos: int) -> str:
    """``'['`` or ``'{'``: the innermost container still open at ``pos`` (valid prefix)."""
    prefix = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text[:pos])
    stack: list[str] = []
    for bracket in re.findall(r"[\[\]{}]", prefix):
        if bracket in "[{":
            stack.append(bracket)
        elif stack:
            stack.pop()
    return stack[-1] if stack else ""


def _describe(exc: json.JSONDecodeError) -> str:
    msg = exc.msg
    if msg == "Expecting ',' delimiter":
        closing = "]" if _open_container(exc.doc, exc.pos) == "[" else "}"
        expected = f"',' or '{closing}'"
    elif msg == "Expecting ':' delimiter":
        expected = "':' after a property name"
    elif msg.startswith("Expecting property name"):
        expected = "a property name in double quotes"
    elif msg == "Expecting value":
        expected = "a value"
    elif msg.startswith("Unterminated string"):
        expected = "a closing '\"' (unterminated string)"
    elif msg.startswith("Invalid control character"):
        expected = "no raw control character (newline, tab) inside a string; escape it"
    elif msg.startswith("Invalid"):
        expected = "a valid escape (\\n, \\\", \\uXXXX) inside a string"
    else:  # pragma: no cover - json messages not listed above
        expected = msg
    return f"json: expected {expected} at line {exc.lineno} col {exc.colno}"


def _position(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    return f"line {line} col {pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"


def _decode_values(text: str) -> list[tuple[int, Any, list[_Element] | None]]:
    """The top-level JSON values of ``text`` (usually one) with their start offsets; a
    top-level array comes with its elements (decoded once, with their spans)."""
    out: list[tuple[int, Any, list[_Element] | None]] = []
    pos = _skip(text, 0)
    while pos < len(text):
        try:
            if text[pos] == "[":
                elements, end = _checked_elements(text, pos)
                out.append((pos, [e.value for e in elements], elements))
            else:
                value, end = _DECODER.raw_decode(text, pos)
                out.append((pos, value, None))
        except json.JSONDecodeError as exc:
            raise DocumentError(_describe(exc)) from None
        except RecursionError:
            msg = f"json: expected at most ~1000 nested levels in the value starting at {_position(text, pos)}"
            raise DocumentError(msg) from None
        pos = _skip(text, end)
    return out


def _checked_elements(text: str, pos: int) -> tuple[list[_Element], int]:
    """Decode the array starting at ``pos`` element by element, checking its syntax."""
    out: list[_Element] = []
    pos = _skip(text, pos + 1)
    if text.startswith("]", pos):
        return out, pos + 1
    while True:
        value, end = _DECODER.raw_decode(text, pos)
        out.append(_Element(pos, end, value))
        pos = _skip(text, end)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
        elif text.startswith("]", pos):
            return out, pos + 1
        else:
            msg = f"json: expected ',' or ']' at {_position(text, pos)}"
            raise DocumentError(msg)


def _member(text: str, pos: int, key: str) -> int:
    """Offset of the value of ``key`` in the (valid) object starting at ``pos``, or -1.

    Stops at the first occurrence of ``key`` (its value is not decoded here: the caller
    walks into it); the values of the members before it are decoded to be skipped.
    """
    pos = _skip(text, pos + 1)
    while text[pos] != "}":
        name, pos = scanstring(text, pos + 1)
        pos = _skip(text, _skip(text, pos) + 1)  # past ':'
        if name == key:
            return pos
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return -1


def _elements(text: str, pos: int) -> list[_Element]:
    """The elements of the (valid) array starting at ``pos``, with their spans."""
    out: list[_Element] = []
    pos = _skip(text, pos + 1)
    while text[pos] != "]":
        value, end = _DECODER.raw_decode(text, pos)
        out.append(_Element(pos, end, value))
        pos = _skip(text, end)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return out


def _follow(text: str, pos: int, keys: tuple[str, ...]) -> int:
    for key in keys:
        pos = _member(text, pos, key)
    return pos


# --------------------------------------------------------------------------- shapes


def _unwrap(element: Any) -> Record:
    """One record from an element of a record list."""
    if not isinstance(element, dict):
        return {"message": element if isinstance(element, str) else json.dumps(element, ensure_ascii=False)}
    if isinstance(element.get("_source"), dict) or (
        isinstance(element.get("fields"), dict) and ("_id" in element or "_index" in element)
    ):
        return _from_hit(element)
    if element.get("type") == "log" and isinstance(element.get("attributes"), dict):  # Datadog v2
        record = dict(element["attributes"])
        if "id" in element:
            record.setdefault("id", element["id"])
        if "status" in record and "level" not in record:  # Datadog's level
            record["level"] = record.pop("status")
        return record
    return element


def _from_hit(hit: Record) -> Record:
    source = hit.get("_source")
    if isinstance(source, dict):
        record = dict(source)
    else:  # docvalue "fields": every value is a list
        fields = hit.get("fields") or {}
        record = {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in fields.items()}
    for meta, name in (("_index", "es.index"), ("_id", "es.id")):
        if meta in hit and name not in record:
            record[name] = hit[meta]
    return record


def _is_loki(doc: Record) -> bool:
    data = doc.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("result"), list):
        return False
    result = data["result"]
    return data.get("resultType") == "streams" or (
        bool(result) and all(isinstance(s, dict) and "stream" in s and "values" in s for s in result)
    )


def _record_list(doc: Record) -> tuple[str, ...] | None:
    """Keys leading from ``doc`` to its list of records, or None (the object is a record)."""
    if any(k in doc for k in _MESSAGE_KEYS):  # a log record with a list inside, not a list of them
        return None
    hits = doc.get("hits")
    if isinstance(hits, dict) and isinstance(hits.get("hits"), list):
        return ("hits", "hits")
    spelled = {k.lower(): k for k in doc if isinstance(k, str)}  # AWS CloudTrail: "Records"
    for key in _LIST_KEYS:
        value = doc.get(spelled.get(key, key))
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return (spelled.get(key, key),)  # an empty list too: no records, rather than one record
    return None


def is_envelope(value: Any) -> bool:
    """True for a JSON value that holds a list of records rather than being one record."""
    if isinstance(value, list) or _is_frame(value) or is_otlp(value):
        return True
    return isinstance(value, dict) and (_is_loki(value) or bool(_frame_paths(value)) or _record_list(value) is not None)


def _loki_records(text: str, pos: int, found: _Located) -> None:
    result_pos = _follow(text, pos, ("data", "result"))
    for stream in _elements(text, result_pos):
        labels = dict(stream.value.get("stream")) if isinstance(stream.value.get("stream"), dict) else {}
        # a level label would give every record a level, and a record with a level keeps
        # its line whole: take it aside, so that the line's own head is read first
        level = next((labels.pop(k) for k in _LEVEL_LABELS if k in labels), None)
        for k in _LEVEL_LABELS:
            labels.pop(k, None)
        values_pos = _member(text, stream.start, "values")
        values = _elements(text, values_pos) if values_pos >= 0 and text[values_pos] == "[" else []
        for element in values:
            record = dict(labels)
            value = element.value
            if isinstance(value, list) and len(value) >= 2:
                if len(value) > 2 and isinstance(value[2], dict):  # structured metadata
                    record.update(value[2])
                record["timestamp"], record["message"] = value[0], value[1]
            else:
                record["message"] = json.dumps(value, ensure_ascii=False)
            found.add(element.start, record, None, label_level=level if isinstance(level, str) else None)


def is_otlp(value: Any) -> bool:
    """An OpenTelemetry OTLP/JSON logs payload (the collector's ``file`` exporter writes one
    per line): ``{"resourceLogs": [{"resource": ..., "scopeLogs": [{"logRecords": [...]}]}]}``."""
    return isinstance(value, dict) and isinstance(value.get("resourceLogs"), list)


def _any_value(value: Any) -> Any:
    """The plain value of an OTLP ``AnyValue`` (``{"stringValue": "x"}`` -> ``"x"``)."""
    if not isinstance(value, dict) or len(value) != 1:
        return value
    kind, inner = next(iter(value.items()))
    if kind == "arrayValue" and isinstance(inner, dict):
        return [_any_value(v) for v in inner.get("values", [])]
    if kind == "kvlistValue" and isinstance(inner, dict):
        return _key_values(inner.get("values", []))
    return inner


def _key_values(items: Any) -> Record:
    """OTLP attributes (``[{"key": k, "value": AnyValue}]``) as a dict."""
    if not isinstance(items, list):
        return {}
    return {str(i["key"]): _any_value(i.get("value")) for i in items if isinstance(i, dict) and "key" in i}


#: OTLP severity numbers (1-24) in steps of four: TRACE, DEBUG, INFO, WARN, ERROR, FATAL
_OTLP_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")


def _otlp_record(log: Record, resource: Record, scope: str | None) -> Record:
    record: Record = dict(resource)  # service.name, host.name, k8s.pod.name ...
    if scope:
        record["otel.scope.name"] = scope
    record.update(_key_values(log.get("attributes")))
    # (0, "0", is OTLP's "unset": the collector's observed time stands in for it)
    stamp = next((v for v in (log.get("timeUnixNano"), log.get("observedTimeUnixNano")) if v not in (None, "", "0", 0)), None)
    if stamp is not None:
        record["timestamp"] = str(stamp)
    number = log.get("severityNumber")
    if log.get("severityText"):
        record["level"] = log["severityText"]
    elif isinstance(number, int) and 1 <= number <= 24:
        record["level"] = _OTLP_LEVELS[(number - 1) // 4]
    body = _any_value(log.get("body"))
    if body is not None:
        record["message"] = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    for key, name in (("traceId", "trace_id"), ("spanId", "span_id")):
        if log.get(key):
            record[name] = log[key]
    return record


def _otlp_records(text: str, pos: int, found: _Located) -> None:
    for rl in _elements(text, _follow(text, pos, ("resourceLogs",))):
        resource_value = rl.value.get("resource") if isinstance(rl.value, dict) else None
        resource = _key_values(resource_value.get("attributes")) if isinstance(resource_value, dict) else {}
        scopes_pos = _member(text, rl.start, "scopeLogs")
        if scopes_pos < 0 or text[scopes_pos] != "[":
            continue
        for sl in _elements(text, scopes_pos):
            scope_value = sl.value.get("scope") if isinstance(sl.value, dict) else None
            scope = scope_value.get("name") if isinstance(scope_value, dict) else None
            logs_pos = _member(text, sl.start, "logRecords")
            if logs_pos < 0 or text[logs_pos] != "[":
                continue
            for element in _elements(text, logs_pos):
                if isinstance(element.value, dict):
                    found.add(element.start, _otlp_record(element.value, resource, scope), None)


def _is_frame(value: Any) -> bool:
    """A Grafana data frame in its JSON form: a schema of fields and their value columns."""
    if not isinstance(value, dict):
        return False
    schema, data = value.get("schema"), value.get("data")
    return (
        isinstance(schema, dict)
        and isinstance(schema.get("fields"), list)
        and isinstance(data, dict)
        and isinstance(data.get("values"), list)
    )


def _frame_paths(doc: Record) -> list[tuple[str, ...]]:
    """Keys leading from a ``/api/ds/query`` response to each of its frame lists."""
    results = doc.get("results")
    if not isinstance(results, dict):
        return []
    return [
        ("results", ref, "frames")
        for ref, result in results.items()
        if isinstance(result, dict) and isinstance(result.get("frames"), list) and all(_is_frame(f) for f in result["frames"])
    ]


# Loki frame columns: "Line" is the message, "tsNs" the nanosecond time ("Time" is in ms),
# "labelTypes" says which labels are indexed (not a value of the record)
_FRAME_RENAME = {"Line": "message", "line": "message", "tsNs": "timestamp"}
_FRAME_SKIP = frozenset({"labelTypes"})


def _frame_records(text: str, pos: int, frame: Record, found: _Located) -> None:
    """One record per row of a data frame starting at ``pos`` (row ``i`` of every column)."""
    fields = frame["schema"]["fields"]
    names = [str(f.get("name") or f"field{i}") if isinstance(f, dict) else f"field{i}" for i, f in enumerate(fields)]
    columns = [c if isinstance(c, list) else [] for c in frame["data"]["values"]][: len(names)]
    n_rows = max((len(c) for c in columns), default=0)
    # where each row starts: its element in the message column (else the first column)
    body = next((i for i, name in enumerate(names[: len(columns)]) if _FRAME_RENAME.get(name, name) in _MESSAGE_KEYS), 0)
    column_spans = _elements(text, _follow(text, pos, ("data", "values"))) if columns else []
    spans = _elements(text, column_spans[body].start) if body < len(column_spans) and columns[body] else []
    renamed = [_FRAME_RENAME.get(name, name) for name in names]
    has_ns_time = "tsNs" in names
    for i in range(n_rows):
        record: Record = {}
        level = None
        for name, key, column in zip(names, renamed, columns, strict=False):
            value = column[i] if i < len(column) else None
            if value is None or name in _FRAME_SKIP:
                continue
            if name == "labels" and isinstance(value, dict):
                labels = dict(value)
                level = next((labels.pop(k) for k in _LEVEL_LABELS if k in labels), None)
                for k in _LEVEL_LABELS:
                    labels.pop(k, None)
                for label, label_value in labels.items():
                    record.setdefault(label, label_value)
            elif name == "Time" and "timestamp" not in names:
                if not has_ns_time:
                    record["timestamp"] = value
            else:
                record[key] = value
        start = spans[i].start if i < len(spans) else (found.starts[-1] if found.starts and found.starts[-1] >= pos else pos)
        found.add(start, record, None, label_level=level if isinstance(level, str) else None)


def _add_elements(text: str, elements: list[_Element], found: _Located) -> None:
    for element in elements:
        if _is_frame(element.value):
            _frame_records(text, element.start, element.value, found)
            continue
        record = _unwrap(element.value)
        # a record that is the element itself: its own text, not a re-encoding of it
        found.add(element.start, record, text[element.start : element.end] if record is element.value else None)


def _locate(text: str) -> _Located:
    found = _Located([], [], [], [])
    for pos, value, elements in _decode_values(text):
        if elements is not None:
            _add_elements(text, elements, found)
        elif _is_frame(value):
            _frame_records(text, pos, value, found)
        elif isinstance(value, dict) and (paths := _frame_paths(value)):
            for path in paths:
                _add_elements(text, _elements(text, _follow(text, pos, path)), found)
        elif isinstance(value, dict) and _is_loki(value):
            _loki_records(text, pos, found)
        elif is_otlp(value):
            _otlp_records(text, pos, found)
        elif isinstance(value, dict) and (keys := _record_list(value)) is not None:
            _add_elements(text, _elements(text, _follow(text, pos, keys)), found)
        else:
            record = _unwrap(value)
            found.add(pos, record, None)
    return found


def find_records(text: str) -> tuple[list[int], list[Record]]:
    """The log records of a JSON document and the text offset where each one starts.

    Parameters
    ----------
    text
        The whole document (one or more top-level JSON values).

    Returns
    -------
    (starts, records)
        Offsets into ``text`` (of each record's opening brace, or ``[`` for a Loki value) and
        the records as dicts, in document order.

    Raises
    ------
    DocumentError
        The text is not valid JSON (the message gives what was expected, line and column).
    """
    found = _locate(text)
    return found.starts, found.records


# --------------------------------------------------------------------------- the format


def _physical_lines(text: str) -> int:
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def _start_lines(text: str, starts: list[int]) -> list[int]:
    """1-based line number of each (increasing) offset."""
    lines: list[int] = []
    line, last = 1, 0
    for pos in starts:
        line += text.count("\n", last, pos)
        last = pos
        lines.append(line)
    return lines


def _per_line(text: str, error: str) -> pl.DataFrame:
    """Invalid JSON: one record per physical line, each with the same ``parse_error``."""
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    n = len(lines)
    return pl.DataFrame(
        {
            "body": pl.Series(lines, dtype=pl.String).str.strip_suffix("\r"),
            "line_no": pl.int_range(1, n + 1, dtype=pl.UInt32, eager=True),
            "n_lines": pl.repeat(1, n, dtype=pl.UInt32, eager=True),
            "parse_error": pl.repeat(error, n, dtype=pl.String, eager=True),
        }
    ).lazy().pipe(_fill).collect()


def _fill(frame: pl.LazyFrame) -> pl.LazyFrame:
    have = frame.collect_schema()
    return frame.select(
        [(pl.col(c) if c in have else pl.lit(None)).cast(t).alias(c) for c, t in RECORD_COLUMNS.items()]
    )


def parse_document(text: str, options: ParseOptions) -> pl.DataFrame:
    """Parse a JSON document export into records (the ``json`` format's parser).

    Parameters
    ----------
    text
        The whole decoded file.
    options
        Time zone and year for timestamps.

    Returns
    -------
    pl.DataFrame
        :data:`rcakit.ingest._base.RECORD_COLUMNS`, one row per record; ``n_lines`` sums to
        the physical line count of ``text``.
    """
    n_physical = _physical_lines(text)
    if n_physical == 0:
        return pl.DataFrame(schema=RECORD_COLUMNS)
    try:
        found = _locate(text)
    except DocumentError as exc:
        return _per_line(text, str(exc))
    if not found.records:
        return _fill(
            pl.LazyFrame(
                {
                    "body": [text.strip()],
                    "line_no": [1],
                    "n_lines": [n_physical],
                    "parse_error": ["json: expected log records, found a document without any (an empty list)"],
                }
            )
        ).collect()
    encode = json.JSONEncoder(ensure_ascii=False).encode
    texts = pl.Series(
        "line", [t if t is not None else encode(r) for t, r in zip(found.texts, found.records, strict=True)],
        dtype=pl.String,
    )
    if any(t is not None for t in found.texts):  # spans of a pretty-printed document: one line each
        texts = texts.str.replace_all(r"[\r\n]+", " ")
    parsed = parse_json_records(texts, options)
    if any(level is not None for level in found.label_levels):
        label_text, label_number = severity_columns("_label")
        parsed = parsed.with_columns(pl.Series("_label", found.label_levels, dtype=pl.String)).select(
            pl.exclude("severity_text", "severity_number", "_label"),
            pl.coalesce("severity_text", label_text).alias("severity_text"),
            pl.when(pl.col("severity_text").is_null()).then(label_number).otherwise(pl.col("severity_number"))
            .alias("severity_number"),
        )
    first = _start_lines(text, found.starts)
    first[0] = 1  # lines above the first record belong to it
    line_no = pl.col("line_no")
    # the first record starting on a line owns it up to the next line where a record starts;
    # records starting later on the same line own no line of their own
    opens = line_no != line_no.shift(1)
    next_line = pl.when(opens).then(line_no).shift(-1).backward_fill().fill_null(n_physical + 1)
    return (
        parsed.with_columns(pl.Series("line_no", first, dtype=pl.Int64))
        .with_columns(pl.when(opens.fill_null(True)).then(next_line - line_no).otherwise(0).alias("n_lines"))
        .select(list(RECORD_COLUMNS))
        .cast(RECORD_COLUMNS)
    )


def _sniff(sample: list[str]) -> float:
    """1.0 for the top of a JSON document that is not JSON lines, else 0.

    The first non-blank character must be ``[`` or ``{``; a first line that is a complete
    JSON object is JSON lines, unless it is the only line and holds a list of records (an
    API response on one line). A first line that is just ``[``, ``{`` or ``[{`` opens a
    document (even an invalid one, which the parser then keeps line by line); otherwise
    the sample must be valid JSON up to where it ends, so text logs that start with
    ``[2024-03-05 ...]`` are not taken.
    """
    if not sample:
        return 0.0
    first = sample[0].strip()
    if first[:1] not in ("[", "{"):
        return 0.0
    if first.startswith("{"):
        try:
            value = json.loads(first)
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, dict):
            # (OTLP payloads come one per line from the collector's file exporter)
            return 1.0 if (len(sample) == 1 and is_envelope(value)) or is_otlp(value) else 0.0
    if first in ("[", "{", "[{"):  # how pretty-printers open a document; no text log does
        return 1.0
    return 1.0 if _valid_prefix("\n".join(sample)) else 0.0


def _valid_prefix(text: str) -> bool:
    """True if ``text`` is valid JSON or valid JSON cut short (a sample of a document)."""
    pos = _skip(text, 0)
    while pos < len(text):
        try:
            _, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            # a long sample is the reader's head cut mid-document, maybe inside a literal
            # ("tr|ue") or an escape: an error within its last few characters is the cut
            slack = 8 if len(text) > 100_000 else 0
            return exc.pos >= len(text.rstrip()) - slack or exc.msg.startswith("Unterminated string")
        except RecursionError:
            return False
        pos = _skip(text, end)
    return True


def is_envelope_line(line: str) -> bool:
    """True for a one-line JSON document holding a list of records (for the jsonl sniffer)."""
    try:
        return is_envelope(json.loads(line))
    except (ValueError, RecursionError):
        return False


FORMAT = FileFormat(
    name="json",
    description=(
        "JSON documents: an array of records, an Elasticsearch search response, CloudWatch "
        "filter-log-events output, a Loki query response, Grafana data frames (pretty-printed or on one line)"
    ),
    sniff=_sniff,
    parse=parse_document,
)
