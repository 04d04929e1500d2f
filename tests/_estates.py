"""Helpers for tests that write a small estate of log files and analyse it end to end."""

from __future__ import annotations

import re
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


_STAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[.,]\d{3}")


def insert_records(path: Path, records: list[str]) -> None:
    """Put ``records`` (each a text record with a ``YYYY-MM-DD HH:MM:SS.fff`` stamp in its
    first 40 characters, maybe of several lines) into the log at ``path`` in time order; a
    line of the log with no such stamp (a stack trace's) stays with the record above it."""

    def stamp(line: str) -> str | None:
        m = _STAMP.search(line[:40])
        return m.group().replace("T", " ").replace(",", ".") if m else None

    keyed, key = [], ""
    for line in path.read_text().splitlines():
        key = stamp(line) or key
        keyed.append((key, line))
    keyed += [(stamp(rec) or "", rec) for rec in records]
    path.write_text("".join(line + "\n" for _, line in sorted(keyed, key=lambda kl: kl[0])))
