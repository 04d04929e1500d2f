"""``trim_logs``: cut a written scenario's logs to a time range (a short or an early export)."""

from __future__ import annotations

from datetime import datetime

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

    kept_lines = 0
    for log in scenario.logs:
        frame = read_logs(log.path, columns=["timestamp", "line_no", "n_lines"])
        lines = log.path.read_text(encoding="utf-8").splitlines(keepends=True)
        # the lines before the first record's own (a CSV header is counted in its first record)
        first_line = frame["line_no"].min()
        header = 1 if log.path.suffix == ".csv" else (first_line if isinstance(first_line, int) else 1) - 1
        keep = lines[:header]
        for ts, first, n in frame.select("timestamp", "line_no", "n_lines").iter_rows():
            if ts is None or ((start is None or ts >= start) and (end is None or ts < end)):
                keep.extend(lines[max(first - 1, header) : first - 1 + n])
        log.path.write_text("".join(keep), encoding="utf-8")
        kept_lines += len(keep)
    return kept_lines
