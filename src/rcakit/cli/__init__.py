"""Command-line interface: ``rcakit --help``.

Each subcommand lives in a sibling module that registers itself on :data:`main` when
imported; the literal tuple below is the registry.
"""

from __future__ import annotations

import importlib
import importlib.util

from rcakit.cli._app import InputProblem, main

_COMMAND_MODULES = ("parse", "templates", "detect", "report", "sql")

for _name in _COMMAND_MODULES:
    if importlib.util.find_spec(f"rcakit.cli.{_name}") is not None:
        importlib.import_module(f"rcakit.cli.{_name}")

__all__ = ["InputProblem", "main"]
