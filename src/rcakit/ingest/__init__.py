"""Reading log exports into one frame: :func:`read_logs`, :func:`scan_logs`, :func:`detect_format`.

The reader turns a file, a list, a glob or a directory of log exports (``.gz``
transparently) into one polars frame with the schema :data:`rcakit.schemas.LOG_RECORDS`.
Each file's format is detected from a sample of its lines (or forced with ``format=``) and
parsed with vectorised polars expressions; see ``docs/reading.md``.

Nothing is lost: for every file the ``n_lines`` of its records sum to its physical line
count, a line that does not match its format is kept with ``parse_error`` set, invalid UTF-8
is replaced and a truncated ``.gz`` is read up to where it breaks (with a warning).
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from rcakit.errors import ConfigError, RcakitError, RcakitWarning
from rcakit.ingest import (
    _access,
    _blocks,
    _cri,
    _csv_export,
    _elb,
    _envoy,
    _jsondoc,
    _jsonl,
    _logfmt,
    _pgcsv,
    _s3,
    _w3c,
    _winevent,
    _zeek,
)
from rcakit.ingest._archive import display_name
from rcakit.ingest._base import RECORD_COLUMNS, FileFormat, LineFormat, ParseOptions
from rcakit.ingest._detect import detect_text_format
from rcakit.ingest._files import (
    expand_sources,
    lines_frame,
    physical_line_count,
    read_text,
)
from rcakit.ingest._pattern import PATTERN, compile_log_format
from rcakit.ingest._service import file_services, service_from_path
from rcakit.ingest._text import RAW, RAW_TRACES, SYSLOG, TEXT
from rcakit.schemas import LOG_RECORDS

__all__ = ["FORMATS", "LOG_RECORDS", "detect_format", "read_logs", "scan_logs", "summarize"]

#: The formats, by name. Detection tries them in this order (more specific first); ``raw`` is
#: the fallback and ``pattern`` is only used with ``log_format``.
FORMATS: dict[str, LineFormat | FileFormat] = {
    "cri": _cri.FORMAT,
    "docker": _jsonl.DOCKER_FORMAT,
    "kubectl": _cri.TIMESTAMPED_FORMAT,
    "compose": _cri.COMPOSE_FORMAT,
    "fluentd": _cri.FLUENTD_FORMAT,
    "pod-prefix": _cri.POD_PREFIX_FORMAT,
    "prefixed": _cri.PREFIXED_FORMAT,
    "jsonl": _jsonl.FORMAT,
    "json": _jsondoc.FORMAT,
    "csv": _csv_export.FORMAT,
    "postgres-csv": _pgcsv.FORMAT,
    "w3c": _w3c.FORMAT,
    "zeek": _zeek.FORMAT,
    "vpc-flow": _w3c.VPC_FORMAT,
    "elb": _elb.FORMAT,
    "s3": _s3.FORMAT,
    "envoy": _envoy.FORMAT,
    "access": _access.FORMAT,
    "winevent": _winevent.FORMAT,
    "wevtutil": _blocks.WEVTUTIL,
    "log4xml": _blocks.LOG4XML,
    "cmtrace": _blocks.CMTRACE,
    "oracle-xml": _blocks.ORACLE_XML,
    "k8s-events": _blocks.K8S_EVENTS,
    "logfmt": _logfmt.FORMAT,
    "syslog": SYSLOG,
    "text": TEXT,
    "raw": RAW,
    "pattern": PATTERN,
}

Source = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
ProgressCallback = Callable[[str, int], None]


def _check_options(fmt: str, log_format: str | None, tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = f"tz={tz!r} is not a known IANA time zone; use e.g. 'UTC', 'Europe/Berlin' or 'America/New_York'"
        raise ConfigError(msg) from exc
    if log_format is not None and fmt == "auto":
        fmt = "pattern"
    if fmt != "auto" and fmt not in FORMATS:
        msg = f"format={fmt!r} is not a known format; choose one of: auto, {', '.join(sorted(FORMATS))}"
        raise ConfigError(msg)
    if fmt == "pattern" and not log_format:
        msg = "format='pattern' needs log_format, e.g. '<Date> <Time> <Level> <Component>: <Content>'"
        raise ConfigError(msg)
    if log_format is not None:
        compile_log_format(log_format)  # fail now, naming the pattern, not per file
    return fmt


def _parse_file(path: str, *, fmt: str, options: ParseOptions, service: str | None) -> pl.DataFrame:
    shown = options.source or path  # a file unpacked from an archive: "logs.zip!/payment.log"
    decoded = read_text(path, name=shown)
    name = fmt if fmt != "auto" else detect_text_format(decoded.head, formats=FORMATS, path=path)
    text: str | bytes | None = None
    lines: pl.DataFrame | None = None
    if isinstance(parser := FORMATS[name], FileFormat):
        text, expected = decoded.data if parser.takes_bytes else decoded.text, physical_line_count(decoded.data)
    else:
        lines = lines_frame(decoded.data)  # one row per physical line: its height is the count
        expected = lines.height
    del decoded  # the file's bytes are not needed any more: lower peak memory while parsing
    problem = ""
    try:
        # (raw chosen by detection joins a stack trace's lines; format="raw" does not)
        records = _run_parser(name, text, lines, options, detected=fmt == "auto")
        got = int(records["n_lines"].sum()) if records.height else 0
        if got != expected:
            problem = f"it accounted for {got} of {expected} physical lines"
    except RcakitError:
        raise
    except Exception as exc:  # a parser bug must not cost the user the file
        problem = f"it failed with {type(exc).__name__}: {exc}"
    if problem:
        warnings.warn(
            f"{shown}: the {name!r} parser could not read this file ({problem}); "
            "read it as 'raw' lines instead. This is a bug in rcakit, please report it.",
            RcakitWarning,
            stacklevel=4,
        )
        name = "raw"
        records = _run_parser(name, None, lines if lines is not None else lines_frame(text or ""), options)
    fallback = service if service is not None else service_from_path(path)
    # (AWS Lambda's runtime reports a function's failures in lines of its own, with no level:
    # "Task timed out after 6.00 seconds", "Runtime exited with error: signal: killed")
    platform_error = pl.col("severity_number").is_null() & pl.col("body").str.contains(_LAMBDA_FAILURE)
    return records.lazy().with_columns(
        pl.coalesce(pl.col("service"), pl.lit(fallback, dtype=pl.String)).alias("service"),
        pl.lit(shown, dtype=pl.String).alias("source"),
        pl.lit(name, dtype=pl.String).alias("format"),
        pl.when(platform_error).then(pl.lit("ERROR")).otherwise(pl.col("severity_text")).alias("severity_text"),
        pl.when(platform_error).then(pl.lit(17)).otherwise(pl.col("severity_number")).alias("severity_number"),
    ).select([pl.col(c).cast(t) for c, t in LOG_RECORDS.items()]).collect()


#: the lines in which AWS Lambda's runtime reports a function's failure (a timeout, the
#: process killed or crashed; a REPORT line's status): ERROR when the record has no level
_LAMBDA_FAILURE = (
    r"\bTask timed out after \d|\bRuntime exited with error\b|\bRuntime\.(?:ExitError|OutOfMemory|Unknown)\b"
    r"|\tStatus: (?:timeout|error)\b"
)


def _run_parser(
    name: str, text: str | bytes | None, lines: pl.DataFrame | None, options: ParseOptions, *, detected: bool = False
) -> pl.DataFrame:
    parser = RAW_TRACES if detected and name == "raw" else FORMATS[name]
    if isinstance(parser, FileFormat):
        return parser.parse(text or "", options)  # type: ignore[arg-type]  # bytes: takes_bytes
    assert lines is not None  # line formats always get the line frame
    parsed = parser.parse(lines.lazy(), options)
    if options.columns is not None:
        # columns the caller does not keep are null: the engine then prunes the expressions
        # that would have computed them (projection pushdown)
        parsed = parsed.with_columns(
            pl.lit(None, dtype=dtype).alias(c)
            for c, dtype in RECORD_COLUMNS.items()
            if c not in options.columns and c not in _ALWAYS
        )
    return parsed.collect()


#: record columns every parse fills: the reader needs them (line accounting, service fallback)
_ALWAYS = frozenset({"line_no", "n_lines", "service"})


def _read_one(
    path: str, *, fmt: str, options: ParseOptions, services: Mapping[str, str | None]
) -> pl.DataFrame:
    mtime = _mtime(path)
    options = dataclasses.replace(options, source=display_name(path), mtime=mtime)
    frame = _parse_file(path, fmt=fmt, options=options, service=services.get(path))
    return frame if options.columns is None else frame.select(_selected(options))


def _mtime(path: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(Path(path).stat().st_mtime, UTC)
    except (OSError, ValueError, OverflowError):
        return None


def _options(
    tz: str, year: int | None, log_format: str | None, columns: Sequence[str] | None = None
) -> ParseOptions:
    wanted: frozenset[str] | None = None
    if columns is not None:
        if isinstance(columns, str):
            columns = [columns]
        unknown = [c for c in columns if c not in LOG_RECORDS]
        if unknown or not columns:
            msg = (
                f"columns={list(columns)!r}: {'unknown ' + ', '.join(map(repr, unknown)) if unknown else 'empty'}; "
                f"choose from: {', '.join(LOG_RECORDS)}"
            )
            raise ConfigError(msg)
        wanted = frozenset(columns)
    return ParseOptions(tz=tz, year=year, log_format=log_format, columns=wanted)


def _selected(options: ParseOptions) -> list[str]:
    """The kept columns, in :data:`LOG_RECORDS` order (``read_logs`` orders them as asked)."""
    return [c for c in LOG_RECORDS if options.wants(c)]


def _read_workers() -> int:
    """Files parsed at the same time: one per polars thread, at most 4 (memory)."""
    return max(1, min(pl.thread_pool_size(), 4))


def read_logs(
    source: Source,
    *,
    format: str = "auto",
    log_format: str | None = None,
    tz: str = "UTC",
    service: str | None = None,
    year: int | None = None,
    progress: bool | ProgressCallback | None = None,
    columns: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Read log files of any supported format into one frame.

    Parameters
    ----------
    source
        A file, a directory (read recursively, hidden files skipped), a glob (``"logs/*.log"``,
        ``**`` allowed) or a list of them. ``.gz`` files are decompressed transparently.
    format
        ``"auto"`` (detect per file from a sample of its lines) or a name from
        :data:`FORMATS` to force it for every file.
    log_format
        A logparser-style pattern such as ``"<Date> <Time> <Level> <Component>: <Content>"``
        (text between fields is a regex fragment); implies ``format="pattern"``.
    tz
        IANA time zone for timestamps that carry no zone (default ``"UTC"``).
    service
        Service name for records that do not name one (default: derived from the file name,
        ``payment.log`` -> ``payment``).
    year
        Year of the first year-less timestamp (syslog ``Oct 11 22:14:15``); later ones roll
        over New Year in file order. Default: the latest year that puts the file's last
        stamp no more than a day after its modification time.
    progress
        Show a progress bar on stderr (``True``), never (``False``), or only when stderr is a
        terminal and the input is large (``None``); a callable ``f(path, n_bytes)`` is called
        after each file instead.
    columns
        Read only these columns of :data:`rcakit.schemas.LOG_RECORDS` (default: all). The
        parsers skip the work for the others: leaving out ``attributes`` and ``trace_id``
        makes reading about a quarter cheaper. The columns read are the same as in a full read.

    Returns
    -------
    pl.DataFrame
        One row per record with the columns of :data:`rcakit.schemas.LOG_RECORDS` (or those
        named in ``columns``, in that order), in file order then line order.

    Raises
    ------
    InputError
        A path does not exist, a glob matches nothing, or a file cannot be read.
    ConfigError
        An unknown ``format``, a bad ``tz``, ``format="pattern"`` without ``log_format`` or
        an unknown name in ``columns``.

    Examples
    --------
    >>> import rcakit
    >>> logs = rcakit.read_logs("sample_logs/")  # doctest: +SKIP
    >>> logs.group_by("service", "severity_text").len()  # doctest: +SKIP
    >>> bodies = rcakit.read_logs("sample_logs/", columns=["timestamp", "service", "body"])  # doctest: +SKIP
    """
    fmt = _check_options(format, log_format, tz)
    options = dataclasses.replace(_options(tz, year, log_format, columns), undated=set())
    paths = expand_sources(source)
    frames: list[pl.DataFrame] = []
    names = file_services(paths) if service is None else dict.fromkeys(paths, service)
    read = partial(_read_one, fmt=fmt, options=options, services=names)
    with _progress(paths, progress) as tick:
        if len(paths) < 2 or _read_workers() < 2:
            for path in paths:
                frames.append(read(path))
                tick(path)
        else:
            # files are parsed side by side: most string work in polars runs on one thread
            # per column, and polars releases the GIL, so two files use two cores. Results,
            # errors and progress ticks stay in file order (the pool is drained in order).
            # the largest files start first, so that no big file is left alone at the end
            by_size = sorted(range(len(paths)), key=lambda i: -_file_size(paths[i]))
            with ThreadPoolExecutor(max_workers=_read_workers()) as pool:
                futures = {i: pool.submit(read, paths[i]) for i in by_size}
                try:
                    for i, path in enumerate(paths):
                        frames.append(futures[i].result())
                        tick(path)
                finally:
                    for future in futures.values():
                        future.cancel()
    out = pl.concat(frames, how="vertical", rechunk=False) if frames else pl.DataFrame(schema=LOG_RECORDS)
    if options.undated and len(frames) > 1:
        out = _dated_like_the_others(out, options.undated)
    return out if columns is None else out.select(list(dict.fromkeys([columns] if isinstance(columns, str) else columns)))


def _dated_like_the_others(out: pl.DataFrame, undated: set[str]) -> pl.DataFrame:
    """Files of times of day dated from their modification time (see the text reader) whose
    records fall more than a day away from every other file's, moved by whole days to lie
    where the other files' records do: a log copied without its time (``cp`` without ``-p``,
    a ticket's attachment) is dated by the day it was copied, while the other files of the
    export say which day it is."""
    if "source" not in out.columns or "timestamp" not in out.columns:
        return out
    ts, src = pl.col("timestamp"), pl.col("source")
    others = out.filter(~src.is_in(sorted(undated)) & ts.is_not_null())["timestamp"]
    if others.is_empty():
        return out
    lo, hi = others.min(), others.max()
    if not (isinstance(lo, datetime) and isinstance(hi, datetime)):
        return out
    day = timedelta(days=1)
    for name in sorted(undated):
        mine = out.filter(src == name)["timestamp"]
        first, last = mine.min(), mine.max()
        if not (isinstance(first, datetime) and isinstance(last, datetime)):
            continue
        if last >= lo - day and first <= hi + day:
            continue  # (near enough: the file's own day)
        base = (hi.date() - last.date()).days

        def overlap(k: int, first: datetime = first, last: datetime = last) -> float:
            return (min(last + k * day, hi) - max(first + k * day, lo)).total_seconds()

        shift = max((base - 1, base, base + 1), key=lambda k: (overlap(k), -abs(k - base)))
        out = out.with_columns(pl.when(src == name).then(ts + pl.duration(days=shift)).otherwise(ts).alias("timestamp"))
        warnings.warn(
            f"{name}: its times of day were dated from the file's modification time ({last:%Y-%m-%d}), "
            f"{abs(shift)} day(s) away from the other files' records ({lo:%Y-%m-%d} to {hi:%Y-%m-%d}); "
            f"dated like them instead (last record {last + shift * day:%Y-%m-%d %H:%M})",
            RcakitWarning,
            stacklevel=3,
        )
    return out


def scan_logs(
    source: Source,
    *,
    format: str = "auto",
    log_format: str | None = None,
    tz: str = "UTC",
    service: str | None = None,
    year: int | None = None,
) -> pl.LazyFrame:
    """Lazy twin of :func:`read_logs`: files are read and parsed when the frame is collected.

    Paths and options are checked at once (a missing file fails here, not at ``collect``);
    each file becomes a deferred frame, so ``scan_logs(...).filter(...).collect()`` reads
    the files then, and the engine can work on several of them in parallel. The columns a
    query uses reach the parsers (as ``columns=`` of :func:`read_logs`):
    ``scan_logs(...).select("service", "body").collect()`` skips the work for the others.

    Returns
    -------
    pl.LazyFrame
        With the schema :data:`rcakit.schemas.LOG_RECORDS`.
    """
    fmt = _check_options(format, log_format, tz)
    paths = expand_sources(source)
    options = _options(tz, year, log_format)
    names = file_services(paths) if service is None else dict.fromkeys(paths, service)
    parts = [_deferred(partial(_read_one, path, fmt=fmt, services=names), options) for path in paths]
    if not parts:
        return pl.LazyFrame(schema=LOG_RECORDS)
    return pl.concat(parts, how="vertical")


def _deferred(read: Callable[..., pl.DataFrame], options: ParseOptions) -> pl.LazyFrame:
    """``pl.defer(read)`` that also hands the query's columns to the parsers."""
    from collections.abc import Iterator

    from polars.io.plugins import register_io_source

    def source(
        with_columns: list[str] | None, predicate: pl.Expr | None, n_rows: int | None, batch_size: int | None
    ) -> Iterator[pl.DataFrame]:
        wanted = options if with_columns is None else dataclasses.replace(options, columns=frozenset(with_columns))
        frame = read(options=wanted).lazy()
        if with_columns is not None:
            frame = frame.select(with_columns)
        if predicate is not None:
            frame = frame.filter(predicate)
        if n_rows is not None:
            frame = frame.limit(n_rows)
        yield frame.collect()

    return register_io_source(io_source=source, schema=LOG_RECORDS)


def detect_format(path: str | os.PathLike[str]) -> str:
    """Name of the format :func:`read_logs` would use for one file (a key of :data:`FORMATS`).

    Returns ``"raw"`` when no format recognises the file.
    """
    text_path = os.fspath(path)
    decoded = read_text(text_path)
    return detect_text_format(decoded.head, formats=FORMATS, path=text_path)


def summarize(frame: pl.DataFrame) -> pl.DataFrame:
    """Counts per file and format: records, physical lines, parse errors, time range.

    Parameters
    ----------
    frame
        A frame returned by :func:`read_logs`.

    Returns
    -------
    pl.DataFrame
        Columns ``source``, ``format``, ``n_records``, ``n_lines``, ``n_parse_errors``,
        ``n_no_timestamp``, ``first``, ``last``; one row per file in input order, plus a
        final ``TOTAL`` row.
    """
    per_file = frame.group_by("source", "format", maintain_order=True).agg(
        pl.len().cast(pl.UInt64).alias("n_records"),
        pl.col("n_lines").sum().cast(pl.UInt64).alias("n_lines"),
        pl.col("parse_error").is_not_null().sum().cast(pl.UInt64).alias("n_parse_errors"),
        pl.col("timestamp").is_null().sum().cast(pl.UInt64).alias("n_no_timestamp"),
        pl.col("timestamp").min().alias("first"),
        pl.col("timestamp").max().alias("last"),
    )
    total = per_file.select(
        pl.lit("TOTAL").alias("source"),
        pl.col("format").unique().sort().str.join(",").alias("format"),
        pl.col("n_records").sum(),
        pl.col("n_lines").sum(),
        pl.col("n_parse_errors").sum(),
        pl.col("n_no_timestamp").sum(),
        pl.col("first").min(),
        pl.col("last").max(),
    )
    return pl.concat([per_file, total], how="vertical")


class _Ticker:
    def __init__(self, bar: object | None, callback: ProgressCallback | None) -> None:
        self.bar = bar
        self.callback = callback

    def __call__(self, path: str) -> None:
        size = _file_size(path)
        if self.bar is not None:
            self.bar.update(size)  # type: ignore[attr-defined]
        if self.callback is not None:
            self.callback(path, size)


def _file_size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


_PROGRESS_MIN_BYTES = 50_000_000  # below this, reading takes well under a few seconds


class _progress:  # noqa: N801 - used as a context manager like a function
    def __init__(self, paths: list[str], progress: bool | ProgressCallback | None) -> None:
        self.paths = paths
        self.progress = progress
        self.bar: object | None = None

    def __enter__(self) -> _Ticker:
        import sys

        callback = self.progress if callable(self.progress) else None
        total = sum(_file_size(p) for p in self.paths)
        show = self.progress is True or (
            self.progress is None and sys.stderr.isatty() and total >= _PROGRESS_MIN_BYTES
        )
        if show:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="B", unit_scale=True, desc="reading", file=sys.stderr, leave=False)
        return _Ticker(self.bar, callback)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()  # type: ignore[attr-defined]
