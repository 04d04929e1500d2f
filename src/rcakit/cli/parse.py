"""``rcakit parse``: read log exports into one table (Parquet, CSV or NDJSON) and summarise them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
import polars as pl

from rcakit._text import strip_terminal_escapes
from rcakit.cli._app import (
    InputProblem,
    echo_err,
    log_paths,
    main,
    reader_options,
    stderr_is_tty,
    table_kind,
    user_errors,
    write_table,
)

__all__ = ["parse"]

def _fmt_time(value: datetime | None) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def _summary_text(frame: pl.DataFrame) -> str:
    from rcakit.ingest import summarize

    table = summarize(frame)
    header = ("file", "format", "records", "lines", "parse_errors", "no_timestamp", "first", "last")
    rows = [
        (
            strip_terminal_escapes(r["source"]),
            strip_terminal_escapes(r["format"] or ""),
            str(r["n_records"]),
            str(r["n_lines"]),
            str(r["n_parse_errors"]),
            str(r["n_no_timestamp"]),
            _fmt_time(r["first"]),
            _fmt_time(r["last"]),
        )
        for r in table.iter_rows(named=True)
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    right = {2, 3, 4, 5}

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    out = [line(header), line(tuple("-" * w for w in widths))]
    out += [line(r) for r in rows[:-1]]
    if len(rows) > 2:
        out.append(line(tuple("-" * w for w in widths)))
    out.append(line(rows[-1]))
    errors = (
        frame.filter(pl.col("parse_error").is_not_null())
        .group_by("parse_error")
        .agg(pl.len().alias("n"), pl.col("source").first(), pl.col("line_no").first())
        .sort("n", "parse_error", descending=[True, False])
        .head(10)
    )
    if errors.height:
        out.append("")
        out.append("parse errors (line kept as a record with the raw text as body):")
        for r in errors.iter_rows(named=True):
            where = strip_terminal_escapes(f"{r['source']}:{r['line_no']}")
            out.append(f"  {r['n']:>8}  first at {where}: {strip_terminal_escapes(r['parse_error'])}")
    return "\n".join(out)


def _year(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    """``--year`` as a number; anything else is a user error on one line, as a bad ``--tz``
    is (click's own type check prints its usage text too)."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise InputProblem(f"year={value!r} is not a year; use a number such as 2024") from None


@main.command("parse")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@reader_options
@click.option("--service", default=None, help="Service name for records that do not name one (default: from the file name).")
@click.option("--year", callback=_year, default=None, metavar="YEAR", help="Year of the first year-less timestamp (syslog); default: the year of the file's modification time (its last stamp is not later than that).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the records here: .parquet, .csv or .ndjson (chosen by extension).",
)
@click.option("--summary", is_flag=True, help="Print counts per file, format and parse errors.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when stderr is a terminal and the input is large).")
def parse(
    inputs: tuple[str, ...],
    fmt: str,
    log_format: str | None,
    tz: str,
    service: str | None,
    year: int | None,
    output: Path | None,
    summary: bool,
    progress: bool | None,
) -> None:
    """Read log files INPUT... (files, directories or globs; .gz too) into one table.

    \b
    Examples:
      rcakit parse exports/ --summary
      rcakit parse 'logs/*.log.gz' -o logs.parquet
      rcakit parse HDFS.log --log-format '<Date> <Time> <Pid> <Level> <Component>: <Content>' -o hdfs.csv
    """
    from rcakit.ingest import read_logs

    if output is None and not summary:
        msg = "nothing to do: give -o OUT (.parquet, .csv or .ndjson) and/or --summary"
        raise InputProblem(msg)
    kind = table_kind(output) if output is not None else None
    paths = log_paths(inputs)
    with user_errors():
        frame = read_logs(
            paths,
            format=fmt,
            log_format=log_format,
            tz=tz,
            service=service,
            year=year,
            progress=progress if progress is not None else (None if stderr_is_tty() else False),
        )
    if output is not None and kind is not None:
        write_table(frame, output, kind)
        echo_err(f"wrote {frame.height} records to {output}")
    if summary:
        click.echo(_summary_text(frame))
