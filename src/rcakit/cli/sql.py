"""``rcakit sql``: SQL over log exports (polars' SQL engine, table ``logs``)."""

from __future__ import annotations

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
    table_kind,
    user_errors,
    write_table,
)

__all__ = ["sql"]


@main.command("sql")
@click.argument("query")
@click.argument("inputs", nargs=-1, required=True, metavar="LOGS...")
@reader_options
@click.option("--templates", "with_templates", is_flag=True, help="Mine templates first: adds template_id, template, params.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the result (.parquet, .csv or .ndjson) instead of printing it.",
)
@click.option("--limit", type=int, default=50, show_default=True, help="Rows to print (ignored with -o).")
def sql(
    query: str,
    inputs: tuple[str, ...],
    fmt: str,
    log_format: str | None,
    tz: str,
    with_templates: bool,
    output: Path | None,
    limit: int,
) -> None:
    """Run an SQL QUERY over LOGS... (files, directories or globs), exposed as the table ``logs``.

    The columns are those of ``rcakit parse`` (docs/reading.md): timestamp, severity_text,
    severity_number (17+ = ERROR), service, body, trace_id, attributes (a JSON string),
    source, line_no, n_lines, format, parse_error.

    \b
    Examples:
      rcakit sql "SELECT service, count(*) AS errors FROM logs WHERE severity_number >= 17 GROUP BY 1 ORDER BY 2 DESC" exports/
      rcakit sql --templates "SELECT template, count(*) AS n FROM logs GROUP BY 1 ORDER BY 2 DESC" app.log
    """
    from rcakit.ingest import read_logs

    kind = table_kind(output) if output is not None else None
    paths = log_paths(inputs)
    with user_errors():
        frame = read_logs(paths, format=fmt, log_format=log_format, tz=tz)
        if with_templates:
            from rcakit.templates import mine_templates

            frame = mine_templates(frame)
    try:
        result = pl.SQLContext(logs=frame).execute(query, eager=True)
    except (pl.exceptions.PolarsError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        msg = f"SQL error: {first}"
        raise InputProblem(msg) from exc
    if output is not None and kind is not None:
        write_table(result, output, kind)
        echo_err(f"wrote {result.height} rows to {output}")
        return
    with pl.Config(tbl_rows=limit, tbl_cols=-1, fmt_str_lengths=120, tbl_width_chars=200):
        click.echo(strip_terminal_escapes(str(result.head(limit))))
    if result.height > limit:
        echo_err(f"({result.height} rows, {limit} shown; use --limit or -o)")
