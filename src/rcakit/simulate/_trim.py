"""``trim_logs``: cut a written scenario's logs to a time range (a short or an early export)."""

from __future__ import annotations

import itertools
from datetime import datetime

import numpy as np
import polars as pl

from rcakit.simulate._scenario import Scenario

__all__ = ["trim_logs"]


def trim_logs(scenario: Scenario, *, start: datetime | None = None, end: datetime | None = None) -> int:
    """Keep only the records of ``scenario``'s log files in ``[start, end)``, in place.

    What a support engineer is often handed: an export that starts shortly before the
    incident, or one taken while it is still going on. Records are kept whole (a stack
    trace with its head), a CSV keeps its header, records without a time stay, and the
    change list is left as it is (changes older than the logs included).

    Returns
    -------
    int
        The physical lines left in the log files.
    """
    from rcakit.ingest import read_logs

    ts = pl.col("timestamp")
    after_start = (ts >= start) if start is not None else pl.lit(True)
    before_end = (ts < end) if end is not None else pl.lit(True)
    inside = ts.is_null() | (after_start & before_end)
    kept_lines = 0
    for log in scenario.logs:
        frame = read_logs(log.path, columns=["timestamp", "line_no", "n_lines"])
        lines = log.path.read_text(encoding="utf-8").splitlines(keepends=True)
        # the lines before the first record's own (a CSV header is counted in its first record)
        first_line = frame["line_no"].min()
        header = 1 if log.path.suffix == ".csv" else (first_line if isinstance(first_line, int) else 1) - 1
        # the 0-based lines of the records kept (a record's lines run from line_no on)
        rows = frame.filter(inside).select(
            pl.int_ranges(pl.max_horizontal(pl.col("line_no") - 1, header), pl.col("line_no") - 1 + pl.col("n_lines"))
        )
        keep = np.zeros(len(lines), dtype=bool)
        keep[:header] = True
        keep[rows.to_series().explode().drop_nulls().to_numpy()] = True
        log.path.write_text("".join(itertools.compress(lines, keep)), encoding="utf-8")
        kept_lines += int(keep.sum())
    return kept_lines
