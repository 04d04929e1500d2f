"""Making attacker-controlled log text safe to show.

Log lines are written by whoever can make the application log something. Before rcakit
echoes them to a terminal it strips control sequences, so a crafted line cannot move the
cursor, retitle the window or hide text.
"""

from __future__ import annotations

import re

import polars as pl

__all__ = ["ESCAPE_SEQUENCES", "TERMINAL_ESCAPES", "strip_terminal_escapes", "strip_terminal_escapes_expr"]

#: Terminal escape sequences alone (colours, cursor moves, window titles): CSI
#: ``ESC [ ... final``, OSC ``ESC ] ... BEL|ESC \``, and two-byte escapes. The readers remove
#: these from the text they read (they hide stamps and levels); other control characters
#: stay in the records and are removed only where text is shown (:data:`TERMINAL_ESCAPES`).
ESCAPE_SEQUENCES = r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|[@-Z\\-_])"

# CSI / OSC / other ESC sequences, then any remaining C0/C1 control char except \t and \n.
TERMINAL_ESCAPES = (
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # remaining control characters
)
_TERMINAL_ESCAPES_RE = re.compile(TERMINAL_ESCAPES)


def strip_terminal_escapes(text: str) -> str:
    """Remove terminal control sequences and control characters (keeps tab and newline)."""
    return _TERMINAL_ESCAPES_RE.sub("", text)


def strip_terminal_escapes_expr(expr: pl.Expr) -> pl.Expr:
    """The same as :func:`strip_terminal_escapes`, as a polars expression."""
    return expr.str.replace_all(TERMINAL_ESCAPES, "")
