"""The ``pattern`` format: any line layout described by a logparser-style ``log_format``.

The convention of `logparser <https://github.com/logpai/logparser>`_ and Loghub's
``settings.json``: angle-bracket names are fields captured non-greedily as
``(?P<Name>.*?)``; the text between fields is a *regex fragment* (runs of spaces mean
``\\s+``; ``\\[``, ``(\\[<PID>\\])?`` are regex syntax); the whole pattern is anchored
``^...$`` and applied to the line with surrounding whitespace stripped.

Field names map to the record (case-insensitive):

- ``<Content>`` (or ``<Message>``/``<Msg>``/``<Body>``) -> ``body``;
- ``<Level>`` (``<Severity>``/``<LogLevel>``) -> ``severity_text``/``severity_number``;
- date/time fields (``<Date>``, ``<Time>``, ``<Timestamp>``, ``<Datetime>``, ``<Day>``,
  ``<Month>``, ``<Year>``, ``<Weekday>``) -> ``timestamp``: first all of them joined in
  pattern order (``<Month> <Date> <Time>`` -> ``Jun 14 15:16:01``), then ``<Date> <Time>``
  wherever they are, then adjacent runs, then single fields, keeping the first combination
  that parses;
- ``<Service>``/``<App>``/``<Application>`` -> ``service``; ``<TraceId>``/``<Trace>`` ->
  ``trace_id``;
- every other field (``<Component>``, ``<Pid>``, ``<Node>`` ...) -> ``attributes``.

A line that does not match is joined to the record above when it looks like a continuation
(stack trace), else kept as a record of its own with ``parse_error`` set. A file none of
whose first lines matches gets a warning naming it, the pattern and its first line; a field
left open (``<Level <Content>``) is an error.
"""

from __future__ import annotations

import re

import polars as pl

from rcakit.errors import ConfigError
from rcakit.ingest._base import LineFormat, ParseOptions, json_object, to_records
from rcakit.ingest._multiline import join_continuations
from rcakit.ingest._severity import severity_columns
from rcakit.ingest._timeparse import (
    matching_timestamp_rules,
    parse_timestamps,
    parse_year,
    years_in_order,
)

__all__ = ["PATTERN", "compile_log_format"]

_BODY = {"content", "message", "msg", "body"}
_LEVEL = {"level", "severity", "loglevel", "log_level", "levelname"}
_TIME = {"date", "time", "timestamp", "datetime", "day", "month", "year", "weekday", "ts"}
_SERVICE = {"service", "servicename", "service_name", "app", "application", "appname"}
_TRACE = {"traceid", "trace_id", "trace"}
_SAMPLE_ROWS = 200
#: a field name opened and not closed: "<Level" before a blank, another field or the end
#: (inside a regex fragment, "[<Level]" is a character class and "(?<name>" a group: left alone)
_UNCLOSED = re.compile(r"(?<![\\?(])<([A-Za-z_][A-Za-z0-9_]*)(?=\s|$)")
#: a file with fewer matching lines than this share of its first ones gets a warning
_FEW_MATCHES = 0.02


def compile_log_format(log_format: str) -> tuple[str, list[str]]:
    """Translate a logparser ``log_format`` into an anchored regex and its field names.

    Raises
    ------
    ConfigError
        When the pattern has no field, repeats a field name, or is not a valid regex.
    """
    parts = re.split(r"(<[^<>]+>)", log_format)
    regex = ""
    names: list[str] = []
    for k, part in enumerate(parts):
        if k % 2 == 0:
            if unclosed := _UNCLOSED.search(part):
                msg = f"log_format {log_format!r}: field {unclosed.group(0)!r} has no closing '>' (write <{unclosed.group(1)}>)"
                raise ConfigError(msg)
            regex += re.sub(r" +", r"\\s+", part)
        else:
            name = part[1:-1].strip()
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                msg = f"log_format {log_format!r}: field name {name!r} must be letters, digits or '_'"
                raise ConfigError(msg)
            if name in names:
                msg = f"log_format {log_format!r}: field <{name}> appears twice; rename one"
                raise ConfigError(msg)
            names.append(name)
            regex += f"(?P<{name}>.*?)"
    if not names:
        msg = f"log_format {log_format!r} has no <Field>; e.g. '<Date> <Time> <Level> <Component>: <Content>'"
        raise ConfigError(msg)
    regex = f"^{regex}$"
    try:
        re.compile(regex)
    except re.error as exc:
        msg = f"log_format {log_format!r} is not a valid pattern ({exc}); text between fields is a regex fragment, escape [ ] ( ) with a backslash"
        raise ConfigError(msg) from exc
    return regex, names


def _time_candidates(time_fields: list[str]) -> list[list[str]]:
    """Field combinations to try for the timestamp, most complete first."""
    cands: list[list[str]] = []
    if len(time_fields) > 1:
        cands.append(time_fields)
    # a full date and a time, wherever they are (Thunderbird's "<Timestamp> <Date> <User>
    # <Month> <Day> <Time>": 2005.11.09 12:01:01, not the year-less "Nov 9 12:01:01")
    by_name = {f.lower(): f for f in time_fields}
    if "date" in by_name and "time" in by_name and len(time_fields) > 2:
        cands.append([by_name["date"], by_name["time"]])
    for n in range(len(time_fields) - 1, 1, -1):
        cands.extend(time_fields[i : i + n] for i in range(len(time_fields) - n + 1))
    preference = ["datetime", "timestamp", "time", "ts", "date"]
    singles = sorted(time_fields, key=lambda f: preference.index(f.lower()) if f.lower() in preference else 9)
    cands.extend([f] for f in singles)
    seen: list[list[str]] = []
    for c in cands:
        if c not in seen:
            seen.append(c)
    return seen


def _sniff_pattern(sample: list[str]) -> float:
    return 0.0  # only used when a log_format is given


def _parse_pattern(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    if not options.log_format:
        msg = "format='pattern' needs a log_format such as '<Date> <Time> <Level> <Component>: <Content>'"
        raise ConfigError(msg)
    regex, names = compile_log_format(options.log_format)
    compiled = re.compile(regex)
    lower = {n: n.lower() for n in names}
    body_f = next((n for n in names if lower[n] in _BODY), None)
    level_f = next((n for n in names if lower[n] in _LEVEL), None)
    service_f = next((n for n in names if lower[n] in _SERVICE), None)
    trace_f = next((n for n in names if lower[n] in _TRACE), None)
    time_fields = [n for n in names if lower[n] in _TIME]
    other = [n for n in names if n not in {body_f, level_f, service_f, trace_f, *time_fields}]

    stripped = pl.col("line").str.strip_chars()
    tail = f"(?P<{names[-1]}>.*?)$"
    if names[-1] == body_f and regex.endswith(tail):
        # the usual "... <Content>" layout: match only the head and take the rest of the
        # line as the body; the same result (the lazy fields before it resolve the same
        # way), but the regex engine resolves captures over the head only: much faster
        head = "^(?P<_h>" + regex[1 : -len(tail)] + ")"
        parsed = (
            lines.with_columns(stripped.str.extract_groups(head).alias("_g"))
            .with_columns(pl.col("_g").struct.field(n).alias(f"_f_{n}") for n in [*names[:-1], "_h"])
            .with_columns(stripped.str.slice(pl.col("_f__h").str.len_chars()).alias(f"_f_{names[-1]}"))
        )
        matched = pl.col("_f__h").is_not_null()
        names_extra = ["_h"]
    else:
        parsed = lines.with_columns(stripped.str.extract_groups(regex).alias("_g")).with_columns(
            pl.col("_g").struct.field(n).alias(f"_f_{n}") for n in names
        )
        matched = pl.col(f"_f_{names[0]}").is_not_null()
        names_extra = []

    # timestamp: choose the combination on a sample of matching lines
    sample_lines = (
        lines.select(pl.col("line").str.strip_chars()).head(_SAMPLE_ROWS).collect()["line"].to_list()
    )
    sample = [m.groupdict() for s in sample_lines if (m := compiled.match(s))]
    _warn_few_matches(sample_lines, len(sample), options)
    ts_expr: pl.Expr = pl.lit(None, dtype=pl.String)
    rules = None
    stamps: list[str] = []
    for combo in _time_candidates(time_fields):
        values = [" ".join(d[f].strip() for f in combo) for d in sample]
        found = matching_timestamp_rules(values, year=options.year)
        if found:
            ts_expr = pl.concat_str([pl.col(f"_f_{f}").str.strip_chars() for f in combo], separator=" ")
            rules = found
            stamps = values
            break
    else:
        if time_fields:  # nothing in the sample parsed: try the full join with every rule
            ts_expr = pl.concat_str([pl.col(f"_f_{f}").str.strip_chars() for f in time_fields], separator=" ")
    timestamp = (
        parse_timestamps(ts_expr, tz=options.tz, year=parse_year(stamps, options), rules=rules)
        if time_fields
        else pl.lit(None, dtype=pl.Datetime("us", "UTC"))
    )
    if level_f is not None:
        sev_text, sev_num = severity_columns(pl.col(f"_f_{level_f}"))
    else:
        sev_text, sev_num = pl.lit(None, dtype=pl.String), pl.lit(None, dtype=pl.UInt8)
    body = pl.col(f"_f_{body_f}") if body_f else pl.col("line")
    attrs = {n: pl.col(f"_f_{n}") for n in other}
    if time_fields and rules is None:
        attrs.update({n: pl.col(f"_f_{n}") for n in time_fields})
    parsed = parsed.with_columns(
        timestamp.alias("timestamp"),
        sev_text.alias("severity_text"),
        sev_num.alias("severity_number"),
        body.alias("body"),
        (pl.col(f"_f_{service_f}") if service_f else pl.lit(None, dtype=pl.String)).alias("service"),
        (pl.col(f"_f_{trace_f}") if trace_f else pl.lit(None, dtype=pl.String)).alias("trace_id"),
        json_object(attrs).alias("attributes"),
        matched.alias("_matched"),
    ).drop("_g", *[f"_f_{n}" for n in [*names, *names_extra]])
    parsed = years_in_order(parsed, stamps, options)
    joined = join_continuations(
        parsed,
        is_head=pl.col("_matched"),
        unmatched_error=f"does not match log_format {options.log_format!r}",
    )
    return to_records(joined)


def _warn_few_matches(sample_lines: list[str], n_matched: int, options: ParseOptions) -> None:
    """Warn when no line (or almost none) of the file's first ones matches the pattern: every
    line of it then reads as a parse error, which is a wrong pattern far more often than a
    file of continuations."""
    lines = [s for s in sample_lines if s]
    if not lines or n_matched > _FEW_MATCHES * len(lines):
        return
    import warnings

    from rcakit.errors import RcakitWarning

    share = "none" if not n_matched else f"only {n_matched}"
    warnings.warn(
        f"{options.source or 'input'}: log_format {options.log_format!r} matches {share} of the file's first "
        f"{len(lines)} line(s), which are kept as parse errors; first line: {lines[0][:200]!r} "
        "(text between fields is a regex fragment: escape [ ] ( ) with a backslash, e.g. '\\[<Level>\\]')",
        RcakitWarning,
        stacklevel=2,
    )


PATTERN = LineFormat(
    name="pattern",
    description="any line layout described by a logparser-style log_format ('<Date> <Time> <Level> <Content>')",
    sniff=_sniff_pattern,
    parse=_parse_pattern,
)
