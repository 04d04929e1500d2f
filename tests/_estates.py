"""Helpers for tests that write a small estate of log files and analyse it end to end."""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path

import rcakit
from rcakit.errors import RcakitWarning


def write_deploys(path: Path, *rows: tuple[datetime, str, str, str, str, str]) -> None:
    """``path/deploys.csv`` with one change per row: (time, service, version, id, kind,
    description)."""
    lines = ["time,service,version,id,kind,description"]
    lines += [f"{t:%Y-%m-%dT%H:%M:%SZ},{','.join(rest)}" for t, *rest in rows]
    (path / "deploys.csv").write_text("\n".join(lines) + "\n")


def analyze_quietly(path: Path) -> rcakit.RcaReport:
    """``rcakit.analyze`` of ``path`` with its ``deploys.csv``, reading warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        return rcakit.analyze(path, deploys=path / "deploys.csv")
