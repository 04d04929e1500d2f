"""The click group and the helpers every subcommand shares.

Subcommands live in sibling modules (``parse.py``, ``templates.py``, ...) and register
themselves on :data:`main`. They stay thin: parse arguments, call the library, render.
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
import polars as pl

from rcakit._text import strip_terminal_escapes
from rcakit.errors import RcakitError

__all__ = ["InputProblem", "main", "reader_options", "table_kind", "user_errors", "write_table"]

F = TypeVar("F", bound=Callable[..., Any])


class InputProblem(click.ClickException):
    """A user error (bad input or option): one line on stderr, exit code 2, no traceback."""

    exit_code = 2


_FOR_DEVELOPERS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn rcakit's own errors (and unreadable files) into exit-code-2 messages, and the
    warnings raised inside into ``warning: ...`` lines on stderr (each once, without terminal
    escapes, with no source line), printed when the block ends. Deprecation notices of the
    libraries underneath are for rcakit's developers (the test suite turns them into
    errors), not for the user: they are not printed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except RcakitError as exc:
            raise InputProblem(str(exc)) from exc
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            raise InputProblem(f"{exc.filename}: {exc.strerror}") from exc
        finally:
            shown = (w for w in caught if not issubclass(w.category, _FOR_DEVELOPERS))
            for line in dict.fromkeys(strip_terminal_escapes(str(w.message)) for w in shown):
                echo_err(f"warning: {line}")


def echo_err(message: str) -> None:
    """Print a message to stderr."""
    click.echo(message, err=True)


def _print_version(ctx: click.Context, _param: Any, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from rcakit import __version__

    click.echo(f"rcakit {__version__}")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
def main() -> None:
    """Root-cause analysis for application logs.

    \b
    Typical use on an incident:
      rcakit report exports/ --deploys deploys.csv -o incident.html
    Step by step:
      rcakit parse LOGS... -o logs.parquet --summary   read any log export into one table
      rcakit templates LOGS... -o templates.csv        mine log templates (Drain3)
      rcakit detect LOGS...                            find anomaly windows
    """


def input_paths(paths: tuple[str, ...]) -> list[str]:
    """Validate CLI inputs: each must exist or be a glob that matches something."""
    out: list[str] = []
    for p in paths:
        if any(ch in p for ch in "*?["):
            out.append(p)
            continue
        if not Path(p).exists():
            raise InputProblem(f"{p}: no such file or directory")
        out.append(p)
    if not out:
        raise InputProblem("no input given")
    return out


def log_paths(paths: tuple[str, ...]) -> list[str]:
    """:func:`input_paths`, with change files lying in input directories set aside.

    A ``deploys.csv`` / ``changes.json`` ... (:data:`rcakit.changes.CHANGE_FILE_NAMES`) in a
    log directory is the change list ``rcakit report`` uses, not a log; a note on stderr says
    so. A change file named on its own is read like any other file.
    """
    from rcakit.ingest._archive import display_name, unpack_inputs

    try:  # an archive stands for the folder it unpacks to (a change list in it is set aside too)
        out = unpack_inputs(input_paths(paths))
    except RcakitError as exc:
        raise InputProblem(str(exc)) from None
    if not any(Path(p).is_dir() for p in out):
        return out
    from rcakit.changes import find_change_files, split_inputs

    found = find_change_files(out)
    if not found:
        return out
    for f in found:
        echo_err(f"note: {display_name(str(f))} is a change list, not a log: left out (rcakit report reads it as the changes)")
    try:
        return split_inputs(out, exclude=found)
    except RcakitError as exc:
        raise InputProblem(str(exc)) from None


def stderr_is_tty() -> bool:
    """Whether progress bars should be drawn (stderr is an interactive terminal)."""
    return sys.stderr.isatty()


def reader_options(func: F) -> F:
    """The options every command that reads logs shares: ``--format``, ``--log-format``, ``--tz``.

    They reach the command as ``fmt``, ``log_format`` and ``tz`` and mean exactly what the
    same-named arguments of :func:`rcakit.read_logs` mean.
    """
    options = (
        click.option(
            "--format",
            "fmt",
            default="auto",
            show_default=True,
            help="Log format, detected per file by default: raw (each line one message), text, syslog, "
            "jsonl, docker, json, logfmt, access, w3c, zeek, vpc-flow, elb, s3, envoy, winevent, cri, kubectl, compose, fluentd, pod-prefix, prefixed, csv, postgres-csv, wevtutil, log4xml, cmtrace, oracle-xml, k8s-events, pattern (see docs/reading.md).",
        ),
        click.option(
            "--log-format",
            default=None,
            help="logparser-style pattern for any other line layout, e.g. "
            "'<Date> <Time> <Level> <Component>: <Content>'.",
        ),
        click.option("--tz", default="UTC", show_default=True, help="Time zone (IANA) of timestamps that carry none."),
    )
    for option in reversed(options):
        func = option(func)
    return func


_TABLE_WRITERS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson"}


def table_kind(target: Path) -> str:
    """The table format a path's extension asks for (parquet, csv, ndjson), or a user error."""
    kind = _TABLE_WRITERS.get(target.suffix.lower())
    if kind is None:
        msg = (
            f"{target}: cannot tell the output format from the extension {target.suffix or '(none)'!r}; "
            f"use one of {', '.join(sorted(_TABLE_WRITERS))}"
        )
        raise InputProblem(msg)
    return kind


def write_table(frame: pl.DataFrame, target: Path, kind: str) -> None:
    """Write ``frame`` as Parquet, CSV or NDJSON; an unwritable path is a user error."""
    try:
        if kind == "parquet":
            frame.write_parquet(target)
        elif kind == "csv":
            frame.write_csv(target)
        else:
            frame.write_ndjson(target)
    except OSError as exc:
        msg = f"{target}: cannot write the output ({exc.strerror or exc})"
        raise InputProblem(msg) from exc
