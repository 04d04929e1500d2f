"""The click group and the helpers every subcommand shares.

Subcommands live in sibling modules (``parse.py``, ``templates.py``, ...) and register
themselves on :data:`main`. They stay thin: parse arguments, call the library, render.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from rcakit.errors import RcakitError

__all__ = ["InputProblem", "main", "user_errors"]


class InputProblem(click.ClickException):
    """A user error (bad input or option): one line on stderr, exit code 2, no traceback."""

    exit_code = 2


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn rcakit's own errors (and unreadable files) into exit-code-2 messages."""
    try:
        yield
    except RcakitError as exc:
        raise InputProblem(str(exc)) from exc
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise InputProblem(f"{exc.filename}: {exc.strerror}") from exc


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


def stderr_is_tty() -> bool:
    """Whether progress bars should be drawn (stderr is an interactive terminal)."""
    return sys.stderr.isatty()
