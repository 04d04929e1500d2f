"""``analyze``: logs (+ changes) in, :class:`RcaReport` out. The CLI calls exactly this.

read_logs -> mine_templates -> detect_anomalies -> correlate_changes -> redact -> RcaReport.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from rcakit._text import strip_terminal_escapes
from rcakit.changes import find_change_files, read_changes, read_changes_skipping, split_inputs
from rcakit.correlate import (
    AnomalyFinding,
    ChangeImpact,
    Correlation,
    Evidence,
    Incident,
    ServiceRole,
    Suspect,
    correlate_changes,
    parse_duration,
    tmax,
    tmin,
)
from rcakit.detect._results import DetectionResult
from rcakit.errors import RcakitWarning
from rcakit.ingest._archive import display_name, unpack_inputs
from rcakit.report._model import FileSummary, InputsSummary, RcaReport
from rcakit.report._redact import redact
from rcakit.schemas import CHANGES, LOG_RECORDS, check_schema

__all__ = ["analyze", "build_report", "find_change_files", "split_inputs"]

PathLike = str | os.PathLike[str]
_MAX_CHART_POINTS = 400


def _as_paths(value: PathLike | Sequence[PathLike]) -> list[PathLike]:
    if isinstance(value, str | os.PathLike):
        return [value]
    return list(value)


def _read(paths: Sequence[PathLike], *, tz: str, exclude: Iterable[Path]) -> pl.DataFrame:
    from rcakit.ingest import read_logs

    return read_logs(split_inputs(paths, exclude=exclude), tz=tz)


def _files_summary(records: pl.DataFrame) -> tuple[FileSummary, ...]:
    if records.height == 0:
        return ()
    agg = (
        records.group_by("source", maintain_order=True)
        .agg(
            format=pl.col("format").drop_nulls().first(),
            records=pl.len(),
            lines=pl.col("n_lines").cast(pl.Int64).sum(),
            parse_errors=pl.col("parse_error").is_not_null().sum(),
        )
    )
    return tuple(
        FileSummary(
            path=str(r["source"]),
            format=r["format"],
            records=int(r["records"]),
            lines=int(r["lines"] or 0),
            parse_errors=int(r["parse_errors"]),
        )
        for r in agg.iter_rows(named=True)
    )


def _clean(text: str | None) -> str:
    return redact(strip_terminal_escapes(text or ""))


def _clean_ev(ev: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
    return tuple(dataclasses.replace(e, text=_clean(e.text)) for e in ev)


def _clean_anomaly(a: AnomalyFinding) -> AnomalyFinding:
    return dataclasses.replace(
        a,
        template=_clean(a.template) if a.template is not None else None,
        examples=tuple(_clean(x) for x in a.examples),
        detail=_clean(a.detail),
    )


def _clean_suspect(s: Suspect) -> Suspect:
    ch = dataclasses.replace(s.change, description=_clean(s.change.description) or None)
    return dataclasses.replace(s, change=ch, evidence=_clean_ev(s.evidence))


def _clean_role(r: ServiceRole) -> ServiceRole:
    return dataclasses.replace(r, evidence=_clean_ev(r.evidence))


def _clean_incident(i: Incident) -> Incident:
    return dataclasses.replace(
        i,
        roles=tuple(_clean_role(r) for r in i.roles),
        anomalies=tuple(_clean_anomaly(a) for a in i.anomalies),
        suspects=tuple(_clean_suspect(s) for s in i.suspects),
        cause_reason=_clean(i.cause_reason),
        summary=_clean(i.summary),
        impact=dataclasses.replace(i.impact, endpoints=tuple((_clean(n), c) for n, c in i.impact.endpoints)),
    )


def _clean_change(c: ChangeImpact) -> ChangeImpact:
    ch = dataclasses.replace(c.change, description=_clean(c.change.description) or None)
    return dataclasses.replace(c, change=ch, evidence=_clean_ev(c.evidence))


def _series(records: pl.DataFrame, window: str) -> pl.DataFrame:
    """Per chart window and service: n_events and n_errors (for the timeline chart)."""
    frame = records.filter(pl.col("timestamp").is_not_null())
    if frame.height == 0:
        return pl.DataFrame(
            schema={"window_start": pl.Datetime("us", "UTC"), "service": pl.String, "n_events": pl.UInt32, "n_errors": pl.UInt32}
        )
    lo, hi = tmin(frame["timestamp"]), tmax(frame["timestamp"])
    step = parse_duration(window, name="window")
    span = (hi - lo) if hi is not None and lo is not None else timedelta(0)
    if span / step > _MAX_CHART_POINTS:
        step = timedelta(seconds=max(1, int(span.total_seconds() / _MAX_CHART_POINTS) + 1))
    every = f"{int(step.total_seconds())}s"
    sev = pl.col("severity_number").cast(pl.Int32).fill_null(0)
    status = (
        pl.col("attributes").str.extract(r'"status"\s*:\s*"?(\d{3})', 1).cast(pl.Int32, strict=False)
        if "attributes" in frame.columns
        else pl.lit(None, pl.Int32)
    )
    return (
        frame.with_columns(
            service=pl.col("service").fill_null("(unknown)"),
            window_start=pl.col("timestamp").dt.truncate(every),
            err=(sev >= 17) | (status.fill_null(0) >= 500),
        )
        .group_by("window_start", "service")
        .agg(n_events=pl.len().cast(pl.UInt32), n_errors=pl.col("err").sum().cast(pl.UInt32))
        .sort("service", "window_start")
        .upsample("window_start", every=every, group_by="service")
        .with_columns(pl.col("n_events", "n_errors").fill_null(0))
    )


#: an incident this close to the first record may have begun before the logs
_EDGE = timedelta(minutes=5)


def _overall_summary(
    corr: Correlation,
    n_records: int,
    services: Sequence[str],
    *,
    note: str | None = None,
    calm_from: datetime | None = None,
    calm_reason: str | None = None,
) -> str:
    period = ""
    if corr.period_start and corr.period_end:
        end_fmt = "%H:%M" if corr.period_start.date() == corr.period_end.date() else "%Y-%m-%d %H:%M"
        period = f" between {corr.period_start:%Y-%m-%d %H:%M} and {corr.period_end.strftime(end_fmt)} UTC"
    if not corr.incidents and note is not None:
        head = note[:1].upper() + note[1:]
    elif not corr.incidents:
        head = f"No anomaly found in {n_records:,} records from {len(services)} service(s){period}."
    else:
        parts = []
        for i in corr.incidents:
            cause = f"caused by {i.cause}" if i.cause else "no change explains it"
            parts.append(f"{i.id} ({i.severity_label}, root {i.root_service}, {cause})")
        head = f"{len(corr.incidents)} incident(s){period}: " + "; ".join(parts) + "."
    if corr.changes:
        notable = [c for c in corr.changes if c.impact_score >= 0.3]
        tail = f" {len(corr.changes)} change(s) in the period"
        tail += (
            f"; changed behaviour: {', '.join(c.change.id for c in notable)}."
            if notable
            else "; none changed the logs notably."
        )
        head += tail
    if calm_from is not None:
        head += (
            f" The logs start busy ({calm_reason or 'many errors in their first part'}; calm from {calm_from:%H:%M}): "
            "their start was compared with the calm period."
        )
        first = min((i.start for i in corr.incidents), default=None)
        if first is not None and corr.period_start is not None and first - corr.period_start <= _EDGE:
            head += " The first incident starts with the logs: it may have begun before them."
    return head


def analyze(
    logs: PathLike | Sequence[PathLike] | pl.DataFrame,
    *,
    deploys: PathLike | Sequence[PathLike] | pl.DataFrame | None = None,
    baseline: PathLike | Sequence[PathLike] | pl.DataFrame | None = None,
    window: str = "1m",
    tz: str = "UTC",
    merge_gap: str = "10m",
    max_lag: str = "6h",
    cause_threshold: float = 0.45,
    strict_changes: bool = False,
) -> RcaReport:
    """Run the whole analysis: read, mine templates, detect, correlate, report.

    Parameters
    ----------
    logs
        Log files, directories or globs, or a frame already read with
        :func:`rcakit.read_logs` (templated or not). A directory that contains
        ``deploys.csv`` / ``changes.json`` / ... (see :data:`rcakit.changes.CHANGE_FILE_NAMES`)
        gives its change file when ``deploys`` is None. Change files are never read as
        logs: neither those found in a log directory nor those given as ``deploys``.
    deploys
        Change file(s) (see :func:`rcakit.read_changes`) or a ``CHANGES`` frame.
    baseline
        Logs of a normal period to compare with (paths or a frame); default: detection
        uses the history before the incident.
    window
        Detection window, a polars duration (``"30s"``, ``"1m"``, ``"5m"``).
    tz
        Time zone for naive timestamps in logs and change files.
    merge_gap, max_lag, cause_threshold
        Correlation options, see :func:`rcakit.correlate.correlate_changes`.
    strict_changes
        Stop at a change file that cannot be read (an :class:`InputError`). By default such a
        file is left out with an :class:`RcakitWarning` naming file, line and what was
        expected, and the report says which files it did not read (``inputs.unread_change_files``
        and its summary): one export in a format rcakit does not know must not cost the
        report of the others. A change file that does not exist is always an error.

    Returns
    -------
    RcaReport
        With every log-derived text redacted.

    Raises
    ------
    InputError
        Unreadable logs, a change file that does not exist, or (``strict_changes``) one
        that cannot be read (the message names the file and line).
    ConfigError
        An invalid option.
    """
    from rcakit.detect import detect_anomalies
    from rcakit.templates import mine_templates

    parse_duration(window, name="window")
    change_files: list[Path] = []
    deploys_frame: pl.DataFrame | None = None
    if isinstance(logs, pl.DataFrame):
        records = logs
    else:
        # an archive (logs.zip) stands for the folder it unpacks to: a change list in it is found
        log_paths: list[PathLike] = list(unpack_inputs(_as_paths(logs)))
        found = find_change_files(log_paths)
        if deploys is None:
            change_files = found
        # a change file is never a log, also when it was given as --deploys from inside a
        # log directory ("report exports/ --deploys exports/deploys.csv")
        given = [] if deploys is None or isinstance(deploys, pl.DataFrame) else [Path(p) for p in _as_paths(deploys)]
        records = _read(log_paths, tz=tz, exclude=[*found, *given])
    if isinstance(deploys, pl.DataFrame):
        check_schema(deploys, CHANGES, stage="analyze(deploys=...)")
        deploys_frame = deploys
    elif deploys is not None:
        change_files = [Path(p) for p in _as_paths(deploys)]
    unread: list[tuple[Path, str]] = []
    if change_files and deploys_frame is None:
        deploys_frame, unread = _read_change_files(change_files, tz=tz, strict=strict_changes)
    check_schema(records, LOG_RECORDS, stage="analyze")

    base: pl.DataFrame | None = None
    if baseline is not None:
        base = baseline if isinstance(baseline, pl.DataFrame) else _read(_as_paths(baseline), tz=tz, exclude=())
        check_schema(base, LOG_RECORDS, stage="analyze(baseline=...)")

    # mine templates once over baseline + study so that ids agree between the two
    templated_cols = {"template_id", "template", "params"}
    parts = [records.with_columns(_rcakit_part=pl.lit(1, pl.Int8))]
    if base is not None:
        parts.insert(0, base.with_columns(_rcakit_part=pl.lit(0, pl.Int8)))
    combined = pl.concat(parts, how="diagonal_relaxed")
    if not templated_cols <= set(combined.columns) or combined["template_id"].null_count() == combined.height:
        combined = mine_templates(combined.drop([c for c in templated_cols if c in combined.columns]))
    study = combined.filter(pl.col("_rcakit_part") == 1).drop("_rcakit_part")
    base_t = combined.filter(pl.col("_rcakit_part") == 0).drop("_rcakit_part") if base is not None else None

    detection = detect_anomalies(study, baseline=base_t, window=window)
    return build_report(
        study,
        detection,
        changes=deploys_frame,
        history=combined.drop("_rcakit_part"),
        change_files=[p for p in change_files if p not in {u for u, _ in unread}],
        unread_change_files=unread,
        merge_gap=merge_gap,
        max_lag=max_lag,
        cause_threshold=cause_threshold,
    )


def _read_change_files(
    paths: Sequence[Path], *, tz: str, strict: bool
) -> tuple[pl.DataFrame | None, list[tuple[Path, str]]]:
    """The changes of the files that can be read, and ``(file, why)`` of those that cannot
    (each also an :class:`RcakitWarning`); with ``strict``, the first that cannot stops it."""
    if strict:
        return read_changes(paths, tz=tz), []
    frame, unread = read_changes_skipping(paths, tz=tz)
    for _path, why in unread:
        warnings.warn(f"{why}; this file's changes are left out of the report", RcakitWarning, stacklevel=3)
    return frame, unread


def build_report(
    records: pl.DataFrame,
    detection: DetectionResult,
    *,
    changes: pl.DataFrame | None = None,
    history: pl.DataFrame | None = None,
    change_files: Sequence[PathLike] = (),
    unread_change_files: Sequence[tuple[PathLike, str]] = (),
    merge_gap: str = "10m",
    max_lag: str = "6h",
    cause_threshold: float = 0.45,
) -> RcaReport:
    """Correlate a detection result with changes and assemble the (redacted) report.

    The second half of :func:`analyze`, for callers that ran detection themselves.

    Parameters
    ----------
    records
        The studied templated records (``TEMPLATED_RECORDS``).
    detection
        What :func:`rcakit.detect_anomalies` returned for them.
    changes
        Change events (``CHANGES``) or None.
    history
        Records the before/after comparisons may look at (default ``records``; ``analyze``
        passes baseline + study).
    change_files
        Where the changes came from (shown in the report).
    unread_change_files
        ``(file, why)`` of change files that could not be read and were left out (shown in
        the report and its summary).
    merge_gap, max_lag, cause_threshold
        See :func:`rcakit.correlate.correlate_changes`.
    """
    history = records if history is None else history
    corr = correlate_changes(
        history,
        detection,
        changes=changes,
        merge_gap=merge_gap,
        max_lag=max_lag,
        cause_threshold=cause_threshold,
    )
    files = _files_summary(records)
    services = tuple(sorted(s for s in records["service"].drop_nulls().unique().to_list()))
    inputs = InputsSummary(
        files=files,
        records=records.height,
        lines=sum(f.lines for f in files),
        parse_errors=int(records["parse_error"].is_not_null().sum()),
        services=services,
        period_start=records["timestamp"].min() if records.height else None,  # type: ignore[arg-type]
        period_end=records["timestamp"].max() if records.height else None,  # type: ignore[arg-type]
        baseline_start=detection.baseline_start,
        baseline_end=detection.baseline_end,
        window=detection.window,
        change_files=tuple(display_name(str(p)) for p in change_files),
        n_changes=0 if changes is None else changes.height,
        unread_change_files=tuple((display_name(str(p)), _clean(why)) for p, why in unread_change_files),
    )
    summary = _overall_summary(corr, records.height, services, note=detection.note, calm_from=detection.calm_from, calm_reason=detection.calm_reason)
    if unread_change_files:
        names = ", ".join(display_name(str(p)) for p, _ in unread_change_files)
        summary += (
            f" {len(unread_change_files)} change file(s) could not be read and were left out ({names}):"
            " a change in them is not considered."
        )
    return RcaReport(
        generated_at=datetime.now(UTC).replace(microsecond=0),
        inputs=inputs,
        incidents=tuple(_clean_incident(i) for i in corr.incidents),
        changes=tuple(_clean_change(c) for c in corr.changes),
        summary=_clean(summary),
        series=_series(history, detection.window),
    )
