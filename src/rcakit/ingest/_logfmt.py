"""logfmt: ``time=2024-01-02T03:04:05Z level=error msg="payment failed \\"x\\"" order=42``.

A line is a sequence of ``key=value`` pairs; values are bare (no spaces) or double-quoted with
backslash escapes (``\\"``, ``\\\\``, ``\\n``, ``\\t``); a bare ``key`` with no ``=`` is a flag
(value ``true``). Keys map to the record fields with the same spellings as JSON lines
(:data:`rcakit.ingest._jsonl.KEY_ROLES`: ``time``/``ts``, ``level``/``lvl``, ``msg``/``message``,
``service``/``app``, ``trace_id``...); every other pair goes to ``attributes``.

Without a message key, ``body`` is the line with its time and level pairs removed (so a
router line ``at=info method=GET path=/ status=200`` still makes a useful template).
Lines without any pair are kept: indented ones (stack traces) continue the record above,
others become records of their own with ``parse_error`` set.

Loggers write their keys in a fixed order: the run of keys most lines start with (guessed
from the first lines) is read with one capture pattern. What follows the run, and every line
that does not start with it, is tokenised with one ``str.extract_all`` (a quoted value is
consumed whole, so a ``level=`` inside a quoted message is not mistaken for a key); those
pairs are exploded, split at the first ``=`` and gathered back per key with one ``group_by``.
Both paths give the same columns (tested).
"""

from __future__ import annotations

import re

import polars as pl

from rcakit.ingest._base import RECORD_COLUMNS, LineFormat, ParseOptions
from rcakit.ingest._multiline import CRASH_HEAD, crash_severity, foreign_lines

__all__ = ["FORMAT", "logfmt_columns", "looks_like_logfmt", "parse_texts"]

_KEY = r"[A-Za-z_@][\w.\-/@:]*"
# (double quotes as logfmt writes them; single quotes as Python's repr writes them:
# structlog's KeyValueRenderer, "event='payment failed' level='error'")
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\''
_BARE = r"""[^\s"']\S*"""
_PAIR_RE = re.compile(rf'(?:^|(?<=\s))({_KEY})=({_QUOTED}|{_BARE}|)(?=\s|$)')
#: a value whose opening double quote is never closed, to the end of the line (a message cut off)
_UNCLOSED = rf'(?:^|\s){_KEY}="(?:[^"\\]|\\.)*$'
_ROLE_KEYS = ("level", "lvl", "msg", "message", "severity", "time", "ts", "t", "caller", "logger")
_MAX_KEYS = 500
_PREFIX_SAMPLE = 200


def _pairs_expr(text: pl.Expr) -> pl.Expr:
    # tokens "key=value" (quoted values whole); extract_all returns group 0, so use a
    # lookahead-free pattern whose match is exactly the token
    return text.str.extract_all(rf'(?:^|\s){_KEY}=(?:{_QUOTED}|{_BARE}|)')


def _unquote(value: pl.Expr) -> pl.Expr:
    long_enough = value.str.len_chars() >= 2
    double = value.str.starts_with('"') & value.str.ends_with('"') & long_enough
    single = value.str.starts_with("'") & value.str.ends_with("'") & long_enough
    inner = value.str.slice(1, value.str.len_chars() - 2).str.replace_many(
        ["\\\\", '\\"', "\\'", "\\n", "\\t", "\\r"], ["\\", '"', "'", "\n", "\t", "\r"], leftmost=True
    )
    return pl.when(double | single).then(inner).otherwise(value)


def _unquoted(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with quoted values unquoted, in the columns that have any (a cheap test first)."""
    quoted = frame.lazy().select((pl.all().str.starts_with('"') | pl.all().str.starts_with("'")).any()).collect().row(0)
    names = [c for c, q in zip(frame.columns, quoted, strict=True) if q]
    return frame.lazy().with_columns([_unquote(pl.col(c)).alias(c) for c in names]).collect() if names else frame


def _common_prefix(texts: pl.Series) -> list[str]:
    """The run of keys most lines of ``texts`` start with, guessed from its first lines.

    Loggers write their pairs in a fixed order (``ts level msg caller ...``), optional ones
    at the end: one capture pattern for that run reads most lines at once (see
    :func:`logfmt_columns`). A wrong guess only costs speed.
    """
    sample = texts.head(_PREFIX_SAMPLE).drop_nulls()
    if sample.is_empty():
        return []
    rows = (
        sample.to_frame("t").select(pl.col("t").pipe(_pairs_expr)).to_series().to_list()
    )
    seqs = [[t.lstrip().split("=", 1)[0] for t in toks] for toks in rows if toks]
    if not seqs:
        return []
    need = len(sample) / 2
    prefix: list[str] = []
    while True:
        # the next key most lines that start with the prefix have, if more than half do
        at = len(prefix)
        nexts = [s[at] for s in seqs if len(s) > at and s[:at] == prefix]
        if not nexts:
            return prefix
        key = max(set(nexts), key=nexts.count)
        if nexts.count(key) < need or key in prefix:
            return prefix
        prefix.append(key)


def logfmt_columns(texts: pl.Series) -> tuple[pl.DataFrame, pl.Series]:
    """Split logfmt lines into one String column per key.

    Parameters
    ----------
    texts
        One logfmt line per row (nulls allowed).

    Returns
    -------
    (frame, n_pairs)
        ``frame``: one String column per key (first occurrence in a line wins), one row per
        input row; ``n_pairs``: the number of ``key=value`` pairs found in each row.
    """
    n = len(texts)
    # Lines that start with the usual run of keys, one space apart, are read with one capture
    # pattern (a third of the cost of the general path); what follows the run, and the lines
    # that do not start with it, go through the general path: every token, exploded.
    prefix = _common_prefix(texts)
    lead: pl.DataFrame | None = None
    rest = texts
    if prefix:
        value = rf"({_QUOTED}|{_BARE}|)"
        run = "^" + " ".join(f"{re.escape(k)}={value}" for k in prefix) + r"(?: (.*))?$"
        # (lazy: the engine splits one string column over the threads; an eager select on a
        # frame whose columns are chunked differently, as after with_row_index, runs on one)
        groups = (
            texts.to_frame("t").lazy().select(pl.col("t").str.extract_groups(run)).unnest("t").collect()
        )
        lead = groups.select(pl.nth(range(len(prefix)))).rename(dict(zip(groups.columns, prefix, strict=False)))
        matched = groups[:, 0].is_not_null()
        if not matched.any():
            lead = None
        elif matched.all():
            rest = groups[:, len(prefix)]
        else:
            rest = pl.select(pl.when(matched).then(groups[:, len(prefix)]).otherwise(texts)).to_series()
    # (only the rows with text left: after a matched run, usually none)
    tokens = (
        rest.to_frame("t")
        .lazy()
        .with_row_index("_row")
        .filter(pl.col("t").is_not_null())
        .select("_row", pl.col("t").pipe(_pairs_expr).alias("tok"))
        .collect()
    )
    n_pairs = pl.zeros(n, dtype=pl.UInt32, eager=True).scatter(
        tokens["_row"], tokens["tok"].list.len().cast(pl.UInt32)
    )
    if lead is not None:
        n_pairs = n_pairs + matched.cast(pl.UInt32) * len(prefix)
    n_pairs = n_pairs.alias("n_pairs")
    kv = (
        tokens.lazy()
        .explode("tok")
        .drop_nulls("tok")
        .select(
            "_row",
            pl.int_range(pl.len()).alias("_at"),
            pl.col("tok").str.strip_chars_start().str.splitn("=", 2).alias("kv"),
        )
        .unnest("kv")
        .rename({"field_0": "k", "field_1": "v"})
        .collect()
    )
    # the most frequent keys first (the cap keeps those), ties in order of first appearance
    # (a key of the leading run counts once per matched line, and appears first in its line)
    counted = kv.lazy().group_by("k").agg(pl.len().cast(pl.UInt32).alias("_n"), pl.col("_at").min().cast(pl.Float64))
    if lead is not None:
        # the run's keys sit in the first matched line before its other tokens: between the
        # last token of the lines above it and the first of its own
        first = matched.arg_true()[0]
        before = int((kv["_row"] < first).sum())
        lead_counts = pl.LazyFrame(
            {
                "k": prefix,
                "_n": [int(matched.sum())] * len(prefix),
                "_at": [before - 1 + (i + 1) / (len(prefix) + 1) for i in range(len(prefix))],
            },
            schema={"k": pl.String, "_n": pl.UInt32, "_at": pl.Float64},
        )
        counted = pl.concat([counted, lead_counts]).group_by("k").agg(pl.col("_n").sum(), pl.col("_at").min())
    keys = counted.sort(["_n", "_at"], descending=[True, False]).head(_MAX_KEYS).collect()["k"].to_list()
    if not keys:
        # no pair anywhere: a placeholder column keeps the row count (names starting
        # with "_" are never attributes)
        return pl.DataFrame({"_none": pl.repeat(None, n, dtype=pl.String, eager=True)}), n_pairs
    if lead is not None and kv.is_empty():
        # every pair is in the leading run (the lines that do not start with it have none)
        return _unquoted(lead.select(keys)), n_pairs
    wide = (
        kv.lazy()
        .group_by("_row")
        .agg([pl.col("v").filter(pl.col("k") == k).first().alias(k) for k in keys])
        .collect()
    )
    frame = (
        pl.DataFrame({"_row": pl.int_range(n, eager=True, dtype=pl.UInt32)})
        .join(wide.with_columns(pl.col("_row").cast(pl.UInt32)), on="_row", how="left", maintain_order="left")
        .drop("_row")
    )
    if lead is not None:
        # the leading run's value wins over a repeat of its key later in the line
        m = pl.lit(matched)
        frame = frame.with_columns(
            [pl.when(m).then(lead[k]).otherwise(pl.col(k)).alias(k) for k in prefix if k in keys]
        )
    return _unquoted(frame), n_pairs


def looks_like_logfmt(texts: pl.Series) -> pl.Series:
    """True where a line is logfmt with a level or message key and at least two pairs."""
    role = "|".join(_ROLE_KEYS)
    # cheap capture-free test first; pairs are only counted on the lines that pass it
    candidate = (
        texts.to_frame("t")
        .lazy()
        .select(pl.col("t").str.contains(rf'(?:^|\s)(?:{role})=(?:"|\S)').fill_null(False))
        .collect()
        .to_series()
    )
    if not candidate.any():
        return candidate
    pairs = (
        texts.filter(candidate).to_frame("t").lazy().select(pl.col("t").pipe(_pairs_expr).list.len() >= 2).collect().to_series()
    )
    return candidate.scatter(candidate.arg_true(), pairs.fill_null(False))


def _body_without_time_level(text: pl.Expr, more: tuple[str, ...] = ()) -> pl.Expr:
    keys = "|".join(("time", "ts", "t", "timestamp", "@timestamp", "level", "lvl", "severity", *more))
    return text.str.replace_all(rf'(?:^|\s)(?:{keys})=(?:{_QUOTED}|{_BARE}|)', "").str.strip_chars()


#: auditd's event id: "msg=audit(<epoch seconds>:<serial>):"
_AUDIT_ID = r"^audit\((\d{9,11}(?:\.\d{1,9})?):(\d+)\):?$"


def _audit_records(frame: pl.DataFrame) -> pl.DataFrame:
    """auditd's lines (``type=SYSCALL msg=audit(1709287205.500:4570): arch=... comm="x"``):
    the event's time is the epoch in its ``msg=audit(...)`` id, its serial goes to
    ``audit_serial``, and the message is the line without that id (its type and fields),
    not the id. Unchanged for any other logfmt."""
    if "msg" not in frame.columns or any(k in frame.columns for k in ("time", "ts", "timestamp", "@timestamp")):
        return frame
    ids = frame.select(pl.col("msg").str.extract_groups(_AUDIT_ID).alias("g")).unnest("g")
    if ids["1"].null_count() == frame.height:
        return frame
    audit = ids["1"].is_not_null()
    return frame.with_columns(
        timestamp=ids["1"],
        audit_serial=ids["2"],
        msg=pl.when(pl.lit(audit))
        .then(pl.col("_raw").str.replace(r"(?:^|\s)msg=audit\([^)]*\):?", "").str.strip_chars())
        .otherwise(pl.col("msg")),
    )


#: an epoch in seconds, milli-, micro- or nanoseconds (FortiGate's ``eventtime``)
_EPOCH = r"^1\d{9}(?:\d{3}|\d{6}|\d{9})?$"


def _split_stamps(frame: pl.DataFrame) -> pl.DataFrame:
    """A date and a time of day in two pairs (FortiGate, FortiWeb and other appliances:
    ``date=2024-03-01 time=11:00:01 ... eventtime=1709287201123456000 tz="+0100"``) are one
    ``timestamp``: the ``eventtime`` epoch when the line has one (it is UTC and finer), else
    the date, the time and the ``tz`` offset. ``date`` and ``time`` are then not attributes
    (the ``time`` pair alone, a time of day, gave no timestamp at all). Unchanged otherwise."""
    cols = frame.columns
    if "date" not in cols or "time" not in cols or "timestamp" in cols or "@timestamp" in cols:
        return frame
    date, time = pl.col("date"), pl.col("time")
    ok = date.str.contains(r"^\d{4}-\d{2}-\d{2}$") & time.str.contains(r"^\d{1,2}:\d{2}:\d{2}(?:\.\d+)?$")
    if not frame.select(ok.fill_null(False).any()).item():
        return frame
    zone = pl.col("tz").str.extract(r"^([+-]\d{2}:?\d{2}|Z)$", 1).fill_null("") if "tz" in cols else pl.lit("")
    stamp: pl.Expr = pl.when(ok).then(pl.concat_str(date, pl.lit("T"), time, zone))
    if "eventtime" in cols:
        stamp = pl.coalesce(pl.when(pl.col("eventtime").str.contains(_EPOCH)).then(pl.col("eventtime")), stamp)
    frame = frame.with_columns(
        stamp.alias("timestamp"),
        pl.when(ok).then(None).otherwise(date).alias("date"),
        pl.when(ok).then(None).otherwise(time).alias("time"),
    )
    if {"devid", "logid", "service"} <= set(cols):
        # FortiGate's service= is the traffic's protocol (HTTPS, DNS), not who logged it:
        # the device is
        frame = frame.rename({"service": "fortigate.service"})
        if "devname" in cols:
            frame = frame.with_columns(pl.col("devname").alias("service"))
    return frame


def parse_texts(
    texts: pl.Series, options: ParseOptions, *, columns: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Record fields (``timestamp`` ... ``attributes``) of logfmt lines, one row per row.

    ``columns`` may pass :func:`logfmt_columns` of ``texts`` when already computed.
    """
    from rcakit.ingest._jsonl import KEY_ROLES, records_from_objects, with_group_service

    frame = columns if columns is not None else logfmt_columns(texts)[0]
    frame = _audit_records(frame.with_columns(_raw=texts.alias("_raw")))
    split = "date" in frame.columns and "timestamp" not in frame.columns
    frame = _split_stamps(frame)
    if {"log_id", "service", "lvl"} <= set(frame.columns) and "logger" not in frame.columns:
        # InfluxDB 2's log (zap's logfmt: ts= lvl= msg= log_id=): its service= is the
        # subsystem (storage-engine, http, retention), the logger, not who logged it
        frame = frame.rename({"service": "logger"})
    # (the stamp's pairs are not the message of a line without one)
    split = split and "timestamp" in frame.columns
    # the line-without-time-and-level body is only needed where a record has no message key
    body_keys = [k for k in KEY_ROLES["body"] if k in frame.columns]
    complete = bool(body_keys) and frame.select(pl.coalesce(body_keys).null_count()).item() == 0
    more = ("date", "eventtime", "tz") if split else ()
    fallback = pl.col("_raw") if complete else _body_without_time_level(pl.col("_raw"), more)
    # (a request line keeps its pairs as body: Heroku's router says code=H12 desc=... there)
    rec = records_from_objects(frame, fallback, options, request_body=False)
    # a message's trailing line break, written escaped inside its quotes (a Go library's
    # line handed to logrus whole: msg="... \"crowdsec/v1.6.0\" \"\n"), and blanks are no
    # part of it, as in a text line
    rec = rec.with_columns(pl.col("body").str.strip_chars_end())
    return with_group_service(rec.drop("_level", "_svc_group"), rec.get_column("_svc_group"))


def _parse(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    df = lines.collect()
    columns, n_pairs = logfmt_columns(df["line"])
    df = df.with_columns(_pairs=n_pairs, _cont=pl.lit(False), _crash=pl.lit(False), _fatal=pl.lit(False))
    if (n_pairs == 0).any():
        # a line without pairs continues the record above when it looks like it (a stack
        # trace), or starts a crash report (a Go panic's goroutine dump runs to the next
        # record); see foreign_lines
        valid = n_pairs > 0
        text = df["line"]
        if text.filter(~valid).str.contains(CRASH_HEAD).any():
            # (a crash report's line may hold "k=v" by chance, "[signal SIGSEGV: ...
            # code=0x1 addr=0x18]": a logfmt record starts with a key)
            valid = valid & text.str.contains(r"^\s*[\w.@/\-]+=").fill_null(False)
        cont, crash, fatal = foreign_lines(valid, text)
        # (an indented line continues the record above it, a logfmt record too: the frames
        # under level=error msg="unhandled exception")
        indented = df.select(
            (pl.col("_pairs") == 0) & pl.col("line").str.contains(r"^\s").fill_null(False) & (pl.int_range(pl.len()) > 0)
        ).to_series()
        df = df.with_columns(_cont=cont | (indented & ~crash), _crash=crash, _fatal=fatal)
    if df["_cont"].any():
        df = df.with_columns(_rec=(~pl.col("_cont")).cum_sum() - 1)
        heads = ~df["_cont"]
        recs = df.group_by("_rec", maintain_order=True).agg(
            pl.col("line_no").first(),
            pl.len().cast(pl.UInt32).alias("n_lines"),
            pl.col("line").first().alias("_head"),
            pl.col("line").slice(1).str.join("\n").alias("_tail"),
            pl.col("_pairs").first(),
            pl.col("_crash").first(),
            pl.col("_fatal").first(),
        )
        columns = columns.filter(heads)
    else:
        recs = df.select(
            "line_no",
            pl.lit(1, dtype=pl.UInt32).alias("n_lines"),
            pl.col("line").alias("_head"),
            pl.lit("", dtype=pl.String).alias("_tail"),
            "_pairs",
            "_crash",
            "_fatal",
        )
    fields = parse_texts(recs["_head"], options, columns=columns)
    unclosed = recs["_head"].str.contains(_UNCLOSED).fill_null(False)
    if unclosed.any():
        # a quote opened and never closed (a message cut off): the pairs before it are read,
        # what follows it is the open value's text, no pairs (its "component=w" is no service)
        idx = unclosed.arg_true()
        cut = parse_texts(recs["_head"].gather(idx).str.replace(_UNCLOSED, ""), options)
        fields = fields.with_columns(
            [fields[c].scatter(idx, cut[c].cast(fields[c].dtype)) if c in cut.columns else fields[c].scatter(idx, None)
             for c in fields.columns]
        )
    recs = recs.with_columns(_unclosed=unclosed)
    out = pl.concat([recs, fields], how="horizontal")
    # a crash report (its first line has no pairs) is a record at level FATAL (a runtime's
    # abort) or ERROR (an uncaught error), not a line that failed to parse
    crashing = pl.col("_crash") & (pl.col("_pairs") == 0)
    crash_text, crash_num = crash_severity(pl.col("_fatal"))
    ok = pl.col("_pairs") > 0
    has_tail = pl.col("_tail") != ""
    body = pl.when(has_tail).then(pl.concat_str(pl.col("body"), pl.lit("\n"), pl.col("_tail"))).otherwise(pl.col("body"))
    raw = pl.when(has_tail).then(pl.concat_str(pl.col("_head"), pl.lit("\n"), pl.col("_tail"))).otherwise(pl.col("_head"))
    return (
        out.lazy()
        .select(
            *[pl.when(ok).then(pl.col(c)).alias(c) for c in ("timestamp", "trace_id", "attributes")],
            # (a crash report is the process's that wrote the records above: their service)
            pl.when(ok)
            .then(pl.col("service"))
            .when(crashing)
            .then(pl.when(ok).then(pl.col("service")).forward_fill())
            .alias("service"),
            pl.when(crashing).then(crash_text).when(ok).then(pl.col("severity_text")).alias("severity_text"),
            pl.when(crashing).then(crash_num).when(ok).then(pl.col("severity_number")).alias("severity_number"),
            pl.when(ok & ~pl.col("_unclosed")).then(body).otherwise(raw).alias("body"),
            "line_no",
            "n_lines",
            pl.when(~ok & ~crashing)
            .then(pl.lit('not logfmt: expected key=value pairs such as level=info msg="..."'))
            .when(ok & pl.col("_unclosed"))
            .then(pl.lit('logfmt value with an unclosed quote: key="... without its closing "'))
            .alias("parse_error"),
        )
        .select(list(RECORD_COLUMNS))
        .cast(RECORD_COLUMNS)
    )


def _sniff(sample: list[str]) -> float:
    lines = [s.strip() for s in sample if s.strip()]
    if not lines:
        return 0.0
    hits = 0
    for s in lines:
        if s.startswith(("{", "[")):
            continue
        pairs = list(_PAIR_RE.finditer(s))
        if len(pairs) < 2:
            continue
        covered = sum(m.end() - m.start() for m in pairs) / max(1, len(s.replace(" ", "")))
        has_role = any(m.group(1).lower() in _ROLE_KEYS for m in pairs)
        # the line must start with a pair (text and syslog heads carry k=v only in the message)
        starts = pairs[0].start() == 0
        if starts and (covered >= 0.8 or (has_role and covered >= 0.5)):
            hits += 1
    return hits / len(lines)


FORMAT = LineFormat(
    name="logfmt",
    description='logfmt (time=... level=error msg="quoted \\"x\\"" key=value)',
    sniff=_sniff,
    parse=_parse,
)
