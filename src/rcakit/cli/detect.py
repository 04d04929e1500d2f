"""``rcakit detect``: find anomaly windows in log files and summarise or save them."""

from __future__ import annotations

import json
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
    user_errors,
)

__all__ = ["detect"]

_OUTPUTS = (".json", ".parquet", ".pq")


def _read(paths: list[str], *, fmt: str, log_format: str | None, tz: str) -> pl.DataFrame:
    from rcakit.ingest import read_logs

    return read_logs(
        paths,
        format=fmt,
        log_format=log_format,
        tz=tz,
        progress=None if stderr_is_tty() else False,
    )


@main.command("detect")
@click.argument("logs", nargs=-1, required=True, metavar="LOGS...")
@click.option(
    "--baseline",
    "baseline_paths",
    multiple=True,
    metavar="LOGS",
    help="Log files of a normal period to compare with (repeat for several). "
    "Default: the history before each window.",
)
@click.option(
    "--baseline-until",
    default=None,
    metavar="TIME",
    help="Records before TIME (ISO 8601, UTC unless it says otherwise) are the baseline; the rest is studied.",
)
@click.option("--window", default="1m", show_default=True, help="Window size: 30s, 1m, 5m, 1h, ... or N records as '20i'.")
@click.option("--threshold", type=float, default=6.0, show_default=True, help="Score threshold (-log10 p; 6 = one in a million).")
@click.option(
    "--session-key",
    default=None,
    help="Also score sessions grouped by this column (e.g. trace_id).",
)
@click.option(
    "--session-pattern",
    default=None,
    help=r"Also score sessions keyed by every match of this regex in the message (e.g. 'blk_-?\d+').",
)
@reader_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write anomalies here: .json (windows with contributions) or .parquet (one row per contribution).",
)
def detect(
    logs: tuple[str, ...],
    baseline_paths: tuple[str, ...],
    baseline_until: str | None,
    window: str,
    threshold: float,
    session_key: str | None,
    session_pattern: str | None,
    fmt: str,
    log_format: str | None,
    tz: str,
    output: Path | None,
) -> None:
    """Find anomaly windows in LOGS... : what changed, where, since when and how much.

    \b
    Examples:
      rcakit detect exports/
      rcakit detect today/ --baseline last-week/ -o anomalies.json
      rcakit detect app.log --baseline-until 2024-05-01T14:00:00Z --window 5m -o anomalies.parquet
    """
    from rcakit.detect import detect_anomalies
    from rcakit.templates import mine_templates

    if baseline_paths and baseline_until:
        msg = "give either --baseline LOGS or --baseline-until TIME, not both"
        raise InputProblem(msg)
    if output is not None and output.suffix.lower() not in _OUTPUTS:
        msg = f"{output}: cannot tell the output format from {output.suffix or '(no extension)'!r}; use .json or .parquet"
        raise InputProblem(msg)
    paths = log_paths(logs)
    base_list = log_paths(baseline_paths) if baseline_paths else None
    with user_errors():
        frame = _read(paths, fmt=fmt, log_format=log_format, tz=tz)
        baseline: object = baseline_until
        if base_list is not None:
            base = _read(base_list, fmt=fmt, log_format=log_format, tz=tz)
            both = mine_templates(
                pl.concat(
                    [base.with_columns(pl.lit(True).alias("_base")), frame.with_columns(pl.lit(False).alias("_base"))],
                    how="diagonal_relaxed",
                )
            )
            baseline = both.filter(pl.col("_base")).drop("_base")
            frame = both.filter(~pl.col("_base")).drop("_base")
        else:
            frame = mine_templates(frame)
        result = detect_anomalies(
            frame,
            baseline=baseline,  # type: ignore[arg-type]
            window=window,
            threshold=threshold,
            session_key=session_key,
            session_pattern=session_pattern,
        )
    if output is None:
        click.echo(strip_terminal_escapes(result.summary()))
        if result.sessions is not None:
            n = result.sessions.filter(pl.col("flagged")).height
            click.echo(f"sessions: {n} of {result.sessions.height} flagged")
        return
    try:
        if output.suffix.lower() == ".json":
            output.write_text(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        else:
            result.contributions_frame().write_parquet(output)
    except OSError as exc:
        msg = f"{output}: cannot write the output ({exc.strerror or exc})"
        raise InputProblem(msg) from exc
    if result.note is not None:
        echo_err(result.note)
    echo_err(f"wrote {len(result.windows)} anomaly window(s) to {output}")
