"""Shared by the speed benchmarks: the generated incident they run on and the raw-line read
they compare with (the floor for anything that reads the files)."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl

WORK = Path(__file__).resolve().parent / "_work"


def incident_data(prefix: str, *, hours: float, rate: float, deploys: bool) -> tuple[Path, list[Path]]:
    """Generate (once) ``generate_incident(fault='new_error', seed=7, ...)`` under
    ``_work/<prefix>_h<hours>_r<rate>``; return the directory and its log files.

    With ``deploys`` the change list stays in the directory (for ``rcakit report``) and the
    truth is written beside it (``<dir>.truth.json``); without, it is removed so that a
    command given the directory reads only logs.
    """
    import rcakit

    target = WORK / f"{prefix}_h{hours:g}_r{rate:g}"
    marker = target / ".complete"
    if not marker.exists():
        scenario = rcakit.generate_incident(target, fault="new_error", seed=7, hours=hours, rate=rate)
        if deploys:
            scenario.write_truth(target.with_suffix(".truth.json"))
        else:
            (target / "deploys.csv").unlink(missing_ok=True)
        marker.write_text("ok")
    logs = sorted(p for p in target.iterdir() if p.is_file() and not p.name.startswith(".") and p.name != "deploys.csv")
    return target, logs


def raw_lines(path: Path) -> pl.Series:
    """A file's physical lines as one String column, no parsing."""
    return pl.read_csv(
        path,
        has_header=False,
        separator="\x1f",
        quote_char=None,
        new_columns=["line"],
        schema_overrides={"line": pl.String},
        encoding="utf8-lossy",
    )["line"]


def raw_read(files: list[Path]) -> tuple[float, int, float]:
    """polars: every file as raw lines. Returns wall seconds, lines, CPU seconds."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    n = sum(len(raw_lines(path)) for path in files)
    return time.perf_counter() - t0, n, time.process_time() - c0
