"""Joining continuation lines (stack traces, wrapped messages) to the record they belong to.

Everything here is a polars expression over the ``line_no``/``line`` frame of one file; no
per-line Python. A line format marks each physical line as a *head* (it matches the format
and starts a record) or not. A non-head line joins the record before it when it *looks like
a continuation* (:data:`CONTINUATION`: indented, ``at ...``, ``Caused by:``, ``Traceback``,
an exception name, a closing bracket, an empty line), or when an earlier line of the same
run already did (once a stack trace starts, it runs until the next head). Any other non-head
line becomes a record of its own, with the raw line as ``body`` and ``parse_error`` set.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

__all__ = [
    "CONTINUATION",
    "CRASH_HEAD",
    "RUNTIME_CRASH_HEAD",
    "crash_severity",
    "foreign_lines",
    "join_container_continuations",
    "join_continuations",
    "looks_like_continuation",
]

#: Lines that continue the record above them.
CONTINUATION = (
    r"^(?:\s|$"  # indented or empty
    r"|at\s|Caused by\b|Suppressed:|\.\.\.\s*\d+\s+(?:more|common)"  # Java
    r"|! "  # Dropwizard's exception lines ("! java.net.SocketTimeoutException: ...", "! at ...")
    r"|Traceback \(most recent call last\)|During handling of|The above exception"  # Python
    r"|goroutine \d+|panic:|\[recovered\]|\[signal "  # Go
    r"|#\d+\s|\[stacktrace\]"  # PHP (Laravel's "[stacktrace]", "#0 /app/x.php(42): f()"), gdb
    r"|\*\* \("  # Elixir/Erlang ("** (RuntimeError) cart not found" under "GenServer ... terminating")
    r"|\S+\.rb:\d+:in\s"  # Ruby ("/app/jobs/sync_job.rb:14:in `perform'")
    r"|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?:Exception|Error|Throwable|Warning|Exit|Interrupt)\b"  # exception names
    r'|"?[}\])]'  # closing brackets of pretty-printed payloads (or of a JSON string's)
    r")"
)


#: A continuation of a container's app line: :data:`CONTINUATION`, or PostgreSQL's
#: ``DETAIL:``/``HINT:``/... line under a message (its stamp and pid cut by the app-line reader)
_CONTAINER_CONTINUATION = CONTINUATION[:-1] + r"|(?:DETAIL|HINT|STATEMENT|CONTEXT|QUERY|LOCATION):  \S)"

#: The first line of what a runtime prints when a process dies of an uncaught error, in a
#: file of structured records (JSON lines, logfmt: ``kubectl logs --previous`` of a pod that
#: crashed): Go's ``panic:`` / ``fatal error:``, Rust's ``thread 'main' panicked at``, Node's
#: ``Error: ...`` / ``TypeError: ...``, Python's ``Traceback (most recent call last):``,
#: Java's ``Exception in thread "main" ...``. Group ``fatal`` marks a runtime's own abort.
CRASH_HEAD = (
    r"^(?:(?P<fatal>panic: |fatal error: |thread '[^']*' panicked at )|Traceback \(most recent call last\):"
    r"|Exception in thread |Uncaught |(?:[A-Z][A-Za-z]*)?Error: )"
)
#: The heads of :data:`CRASH_HEAD` that only a runtime's crash report starts with (not a
#: Node error's ``Error: ...``, which a log line may start with too)
RUNTIME_CRASH_HEAD = (
    r"^(?:panic: |fatal error: |thread '[^']*' panicked at |Traceback \(most recent call last\):|Exception in thread )"
)


def foreign_lines(valid: pl.Series, lines: pl.Series) -> tuple[pl.Series, pl.Series, pl.Series]:
    """How the lines of a structured file that are not its records (``~valid``) group.

    A crash report (:data:`CRASH_HEAD`) starts a record of its own and runs to the next
    record of the file's format, whatever its lines look like (Go's goroutine dump, Node's
    ``{ code: 'MODULE_NOT_FOUND' }`` trailer). Another such line is a record of its own
    (kept with its parse error), and the lines below it that look like a continuation
    (:data:`CONTINUATION`: the frames under ``java.lang.IllegalStateException: boom``) join
    it; a record of the file's format never takes them (its body is what it holds).
    Returns per line ``(continues, crash, fatal)``: whether it joins the record above,
    starts a crash report, and that report is a runtime's abort (FATAL; otherwise an
    uncaught error, ERROR).
    """
    frame = pl.DataFrame({"v": valid, "l": lines}).lazy()
    invalid = ~pl.col("v")
    heads = pl.col("l").str.extract_groups(CRASH_HEAD)
    out = (
        frame.with_columns(
            crash=(invalid & pl.col("l").str.contains(CRASH_HEAD)).fill_null(False),
            fatal=(invalid & heads.struct.field("fatal").is_not_null()).fill_null(False),
        )
        .with_columns(block=(pl.col("v") | pl.col("crash")).cum_sum())
        .with_columns(in_crash=pl.col("crash").any().over("block"))
        .select(
            (
                invalid
                & ~pl.col("crash")
                & (pl.int_range(pl.len()) > 0)
                & (pl.col("in_crash") | pl.col("l").str.contains(CONTINUATION) & ~pl.col("v").shift(1, fill_value=True))
            ).fill_null(False).alias("cont"),
            "crash",
            "fatal",
        )
        .collect()
    )
    return out["cont"], out["crash"], out["fatal"]


def crash_severity(fatal: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``(severity_text, severity_number)`` of a crash report: FATAL for a runtime's abort
    (``fatal``, see :func:`foreign_lines`), ERROR for an uncaught error."""
    from rcakit.ingest._severity import severity_columns

    return severity_columns(pl.when(fatal).then(pl.lit("FATAL")).otherwise(pl.lit("ERROR")))


def blank_lines_with_the_line_above(df: pl.DataFrame, flags: pl.Series) -> pl.Series:
    """``flags`` (one per line of ``df``'s ``line``) with each blank line given its previous
    line's flag (a blank line goes with the record above it; at the top of the file, with the
    first line's)."""
    blank = df.select(pl.col("line").fill_null("").str.strip_chars().str.len_bytes() == 0).to_series()
    if not blank.any():
        return flags
    return pl.DataFrame({"r": flags, "b": blank}).select(
        pl.when(pl.col("b")).then(None).otherwise(pl.col("r")).forward_fill().backward_fill().fill_null(False)
    ).to_series()


def looks_like_continuation(line: pl.Expr) -> pl.Expr:
    """Boolean expression: the line looks like the continuation of a previous record."""
    return line.str.contains(CONTINUATION)


def join_continuations(
    frame: pl.LazyFrame,
    *,
    is_head: pl.Expr,
    body: str = "body",
    line: str = "line",
    unmatched_error: str,
    part: str | None = None,
    part_literal: str = "",
    all_continue: bool = False,
) -> pl.LazyFrame:
    """Group a parsed line frame into records.

    Parameters
    ----------
    frame
        One row per physical line with ``line_no``, the raw ``line`` and the parsed record
        columns (meaningful on head rows).
    is_head
        Boolean expression: the line matches the format and starts a record.
    body
        Name of the column holding the parsed message on head rows.
    line
        Name of the raw-line column.
    unmatched_error
        ``parse_error`` for a non-head line that does not continue a record.
    part
        Regex matching the raw lines that are a further part of the record above whatever
        they look like (PostgreSQL's ``DETAIL:`` lines); its group 1 is the text joined for
        them (other joined lines contribute their raw line).
    part_literal
        A literal every ``part`` line contains: a cheap first test over all lines, the
        regex then runs on the lines that have it.
    all_continue
        Every line after a head belongs to its record, whatever it looks like (a layout
        whose head line holds only the stamp and whose message follows it).

    Returns
    -------
    pl.LazyFrame
        One row per record: the head row's columns (a standalone non-head line keeps its raw
        text as ``body``), ``n_lines`` (UInt32), ``body`` with the
        continuation lines appended (``"\\n"``-joined, trailing blank lines dropped) and
        ``parse_error`` (null for heads and continuations). The ``line`` column is dropped.
    """
    done = frame.with_columns(is_head.fill_null(False).alias("_head")).collect()
    forced = None
    if part is not None:
        # a literal test over every line, the regex on the lines that pass it, the capture
        # on the few matches
        lines = done[line]
        forced = lines.str.contains(part_literal, literal=True).fill_null(False) if part_literal else None
        if forced is None:
            forced = lines.str.contains(part).fill_null(False)
        elif forced.any():
            cand = forced.arg_true()
            forced = forced.scatter(cand, lines.gather(cand).str.contains(part).fill_null(False))
        if forced.any():
            idx = forced.arg_true()
            texts = pl.repeat(None, done.height, dtype=pl.String, eager=True).scatter(
                idx, done[line].gather(idx).str.extract(part, 1)
            )
            done = done.with_columns(pl.col("_head") & ~forced, texts.alias("_part"))
        else:
            forced = None
    head = done["_head"]
    if head.all():
        # every line starts a record (the common case): nothing to group, no continuation
        # test over the lines
        return done.lazy().with_columns(
            pl.lit(1, dtype=pl.UInt32).alias("n_lines"),
            pl.lit(None, dtype=pl.String).alias("parse_error"),
        ).drop("_head", line, *(["_part"] if "_part" in done.columns else []))
    # the non-head lines are usually few: their body and continuation test are computed on
    # them alone and scattered back, not over every line of the file
    others = (~head).arg_true()
    raw_others = done[line].gather(others)
    looks = (
        pl.repeat(True, len(raw_others), dtype=pl.Boolean, eager=True)
        if all_continue
        else raw_others.str.contains(CONTINUATION).fill_null(False)
    )
    if forced is not None:
        looks = looks | forced.gather(others)
    cont = pl.repeat(False, done.height, dtype=pl.Boolean, eager=True).alias("_cont").scatter(others, looks)
    done = done.with_columns(done[body].scatter(others, raw_others).alias(body), cont)
    # "a continuation-looking line appeared in this run so far", without a window function:
    # a running count of such lines compared with its value at the run's head
    conts = (pl.col("_cont") & ~pl.col("_head")).cum_sum()
    done = done.with_columns(pl.col("_head").cum_sum().alias("_run"), conts.alias("_cc")).with_columns(
        (
            (pl.col("_run") > 0)
            & ~pl.col("_head")
            & (pl.col("_cc") > pl.when(pl.col("_head")).then(pl.col("_cc")).forward_fill())
        ).alias("_joins")
    )
    joins = done["_joins"]
    kept = done.filter(~joins) if joins.any() else done
    n_lines = pl.repeat(1, kept.height, dtype=pl.UInt32, eager=True).alias("n_lines")
    # (a blank line that joins nothing, above the first record or between lines that fit no
    # layout, is no parse failure)
    standalone = (~kept["_head"]).arg_true()
    if len(standalone):
        standalone = standalone.filter((kept[body].gather(standalone).str.strip_chars() != "").fill_null(True))
    parse_error = pl.repeat(None, kept.height, dtype=pl.String, eager=True).alias("parse_error").scatter(
        standalone, pl.repeat(unmatched_error, len(standalone), dtype=pl.String, eager=True)
    )
    new_body = kept[body]
    if joins.any():
        # record number of every line; a record's first line is row (number - 1) of ``kept``
        rec = (~joins).cum_sum().cast(pl.Int64) - 1
        more = done.select(pl.coalesce("_part", line)).to_series() if "_part" in done.columns else done[line]
        new_body, n_lines = _append_lines(
            new_body, n_lines, rec.filter(joins), more.filter(joins), pl.repeat(1, int(joins.sum()), dtype=pl.UInt32, eager=True)
        )
    return (
        kept.with_columns(new_body.alias(body), n_lines, parse_error)
        .drop("_head", "_cont", "_cc", "_run", "_joins", line, *(["_part"] if "_part" in done.columns else []))
        .lazy()
    )


#: A headless line that does not look like a continuation joins a stack trace only when the
#: runtime stamped it this soon after the line before it (a trace is written in one go).
SAME_WRITE = timedelta(seconds=1)


def join_container_continuations(
    frame: pl.DataFrame,
    *,
    stream: pl.Series,
    kind: pl.Series,
    text: pl.Series,
    body: str = "body",
    time: str = "timestamp",
) -> pl.DataFrame:
    """Join stack traces that a container runtime logged one line per record.

    A container runtime (CRI, docker json-file, ``kubectl logs --timestamps``) wraps every
    physical line the application wrote, so a Java or Python stack trace arrives as one
    record per frame. This is the text-file rule (:func:`join_continuations`) applied to the
    application's lines, separately per output stream:

    - a record whose application line has a head (a timestamp or level) is an *anchor*;
    - a headless line joins the last anchor of its stream when it looks like a continuation
      (:data:`CONTINUATION`), or when an earlier line since that anchor already did and the
      runtime stamped it less than :data:`SAME_WRITE` after the line before it (Go's
      ``main.main()`` frames; a blank line joins too, but does not start a trace by itself);
      a headless line written later that does not look like a continuation ends the trace;
    - JSON and logfmt lines are never joined into (a raw panic after a JSON line stays its
      own record, as in a JSON lines file), and headless lines that do not continue a
      stack trace stay records of their own.

    Parameters
    ----------
    frame
        One row per runtime record, in file order, with ``body``, ``n_lines`` and the
        runtime's stamp (column ``time``).
    stream, kind, text
        Per row of ``frame``: the output stream (may be null), the application line's kind
        from ``parse_inner_messages(with_kind=True)`` (``"text"`` with a head, ``"plain"``
        without, ``"json"``, ``"logfmt"``; null for a line that is not a runtime record) and
        the application line as written.

    Returns
    -------
    pl.DataFrame
        ``frame`` without the joined rows; an anchor's ``body`` gets the joined lines
        appended (``"\\n"``-joined, trailing blanks dropped) and its ``n_lines`` counts them.
        A record's physical lines may interleave with another stream's.
    """
    plain = (kind == "plain").fill_null(False)
    if not plain.any():
        return frame
    idx = plain.arg_true()
    texts = text.gather(idx)
    looks = texts.str.contains(_CONTAINER_CONTINUATION).fill_null(False)
    if not looks.any():
        return frame
    n = frame.height
    blank = texts.str.strip_chars().str.len_bytes().fill_null(0) == 0
    # a runtime's crash report (Python's "Traceback (most recent call last):") where no app
    # line with a head is there to take it starts a record of its own (see below)
    crash = looks & texts.str.starts_with("Traceback (most recent call last):").fill_null(False)
    g = pl.DataFrame(
        {
            "_s": stream,
            "_head": ~plain,
            "_anchor": (kind == "text").fill_null(False),
            # a blank line joins its anchor (it "looks" like a continuation) but is no evidence
            # of a stack trace by itself
            "_cont": pl.repeat(False, n, dtype=pl.Boolean, eager=True).scatter(idx, looks & ~blank),
            "_looks": pl.repeat(False, n, dtype=pl.Boolean, eager=True).scatter(idx, looks),
            "_t": frame[time],
        }
    ).with_row_index("_i")
    # everything below is per stream; one stream (kubectl's output) needs no partitioning
    def per_stream(e: pl.Expr) -> pl.Expr:
        return e if stream.n_unique() <= 1 else e.over("_s")

    # (a line without a stamp, or after one without, is given the benefit of the doubt)
    soon = (per_stream(pl.col("_t").diff()) < SAME_WRITE).fill_null(True)

    def runs(g: pl.DataFrame) -> pl.DataFrame:
        # a headless line written later that does not look like a continuation ends the
        # trace: it starts a run of its own (not an anchor: nothing joins it)
        g = g.with_columns(_end=pl.col("_head") | (~pl.col("_looks") & ~soon))
        end = pl.col("_end")
        # a run's first row, whether it is an anchor, and the continuation-looking lines
        # since (running counts compared with their value at the run's first row: no group-by)
        return g.with_columns(
            _first=per_stream(pl.when(end).then(pl.col("_i")).forward_fill()),
            _a=per_stream(pl.when(end).then(pl.col("_anchor") & pl.col("_head")).forward_fill()),
            _cc=per_stream((pl.col("_cont") & ~pl.col("_head")).cum_sum()),
        ).with_columns(_cc0=per_stream(pl.when(end).then(pl.col("_cc")).forward_fill()))

    g = runs(g)
    if crash.any():
        # a crash report in a run without an anchor (after a JSON line, at the top) is an
        # anchor itself: the lines below it join it, and it is an error
        at = pl.repeat(False, n, dtype=pl.Boolean, eager=True).scatter(idx, crash)
        own = (at & ~g["_a"].fill_null(False)).alias("_own")
        if own.any():
            g = runs(g.with_columns(_head=pl.col("_head") | own, _anchor=pl.col("_anchor") | own))
            sev_text, sev_num = crash_severity(pl.lit(False))
            frame = frame.with_columns(
                pl.when(own).then(pl.coalesce(pl.col("severity_text"), sev_text)).otherwise(pl.col("severity_text")),
                pl.when(own).then(pl.coalesce(pl.col("severity_number"), sev_num)).otherwise(pl.col("severity_number")),
            )
    joins = g.select(
        (
            ~pl.col("_head")
            & pl.col("_first").is_not_null()
            & pl.col("_a")
            & (pl.col("_looks") | (pl.col("_cc") > pl.col("_cc0")))
        ).fill_null(False)
    ).to_series()
    if not joins.any():
        return frame
    kept = frame.filter(~joins)
    # an anchor's row in ``kept``: the number of kept rows up to and including it, minus one
    pos = ((~joins).cum_sum().cast(pl.Int64) - 1).gather(g["_first"].filter(joins))
    new_body, n_lines = _append_lines(kept[body], kept["n_lines"], pos, text.filter(joins), frame["n_lines"].filter(joins))
    return kept.with_columns(new_body, n_lines)


def _append_lines(
    body: pl.Series, n_lines: pl.Series, pos: pl.Series, texts: pl.Series, counts: pl.Series
) -> tuple[pl.Series, pl.Series]:
    """``body`` and ``n_lines`` of the kept records with joined lines added: each joined line
    goes to the record at row ``pos`` (its text appended with ``"\\n"``, trailing blanks of
    the result dropped; its ``counts`` physical lines added), in the order given.

    A record whose head line has no message of its own (.NET's ``info: Category[0]``, a
    logger line ending in ``- ``) starts with its first joined line, unindented."""
    extra = (
        pl.DataFrame({"_pos": pos, "_t": texts, "_n": counts})
        .group_by("_pos", maintain_order=True)
        .agg(pl.col("_t").str.join("\n"), pl.col("_n").sum())
    )
    at = extra["_pos"]
    b, m = pl.col("b"), pl.col("m")
    joined = (
        pl.DataFrame({"b": body.gather(at), "m": extra["_t"]})
        .select(
            pl.when(b.str.strip_chars().str.len_chars() == 0)
            .then(m.str.strip_chars_start())
            .otherwise(pl.concat_str([b, m], separator="\n"))
            .str.strip_chars_end("\n\r\t ")
        )
        .to_series()
    )
    added = (n_lines.gather(at) + extra["_n"]).cast(n_lines.dtype)
    return body.scatter(at, joined), n_lines.scatter(at, added)
