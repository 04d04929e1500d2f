"""``rcakit templates``: mine log templates from log files and write them as CSV."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import polars as pl

from rcakit._text import strip_terminal_escapes_expr
from rcakit.cli._app import echo_err, log_paths, main, reader_options, user_errors
from rcakit.templates._masks import TOKEN_RE

__all__ = ["templates"]

#: what mining and the two output files use: the reader skips attributes and trace ids
READ_COLUMNS = ("timestamp", "severity_text", "severity_number", "service", "body", "source", "line_no")


def _write_csv(frame: pl.DataFrame, target: str) -> None:
    if target == "-":
        sys.stdout.write(frame.write_csv())
        sys.stdout.flush()
    else:
        frame.write_csv(target)


@main.command("templates")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@reader_options
@click.option(
    "--state",
    "state",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Start from a saved miner (JSON from --save-state): known templates keep their ids.",
)
@click.option(
    "--save-state",
    "save_state",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Save the miner after this run (plain versioned JSON).",
)
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="Templates CSV: template_id, template, count, first_seen, last_seen, services, severity, example ('-' = stdout).",
)
@click.option(
    "--assignments",
    type=click.Path(dir_okay=False),
    default=None,
    help=(
        "Also write one row per input record: source, line_no, template_id, template (in the "
        "Loghub convention: every variable is <*>; templates.csv keeps the named tokens)."
    ),
)
def templates(
    inputs: tuple[str, ...],
    fmt: str,
    log_format: str | None,
    tz: str,
    state: Path | None,
    save_state: Path | None,
    output: str,
    assignments: str | None,
) -> None:
    """Mine log templates from INPUT... (files, directories or globs).

    \b
    Examples:
      rcakit templates app.log -o templates.csv
      rcakit templates msgs.txt --format raw --assignments out.csv -o t.csv
      rcakit templates today/ --state miner.json --save-state miner.json -o t.csv
    """
    from rcakit.ingest import read_logs
    from rcakit.templates import TemplateMiner, summarize_templates

    paths = log_paths(inputs)
    with user_errors():
        if state is not None and not state.is_file():
            msg = f"--state {state}: no such file (create one with --save-state)"
            raise click.BadParameter(msg, param_hint="--state")
        logs = read_logs(paths, format=fmt, log_format=log_format, tz=tz, columns=READ_COLUMNS)
        if state is not None:
            miner = TemplateMiner.load(state)
            mined = miner.partial_fit_transform(logs, with_params=False)
        else:
            miner = TemplateMiner()
            mined = miner.fit_transform(logs, with_params=False)
        table = summarize_templates(mined).with_columns(
            pl.col("services").list.join(","),
            strip_terminal_escapes_expr(pl.col("template")),
            strip_terminal_escapes_expr(pl.col("example")),
        )
        _write_csv(table, output)
        if assignments is not None:
            _write_csv(
                mined.select(
                    "source",
                    "line_no",
                    "template_id",
                    # <*> for every variable, as in Loghub's EventTemplate, so the file compares
                    # directly with Loghub-style ground truth (the grouping is the same: two
                    # templates never differ only in their token names)
                    strip_terminal_escapes_expr(pl.col("template")).str.replace_all(TOKEN_RE, "<*>"),
                ),
                assignments,
            )
        if save_state is not None:
            miner.save(save_state)
    where = "stdout" if output == "-" else output
    echo_err(f"{mined.height} records, {table.height} templates -> {where}")
