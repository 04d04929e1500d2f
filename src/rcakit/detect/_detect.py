"""``detect_anomalies``: the detect stage as one function (counts -> detectors -> merge).

Input: ``TEMPLATED_RECORDS`` (or ``LOG_RECORDS``, templates are then mined here).
Output: :class:`DetectionResult` with anomaly windows, the count matrix and all scores.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal, NamedTuple

import numpy as np
import polars as pl

from rcakit.detect._counts import _INDEX_WINDOW, _prepare, count_windows, window_timedelta
from rcakit.detect._errors import ErrorRatioDetector
from rcakit.detect._merge import _MAX_CONTRIBUTIONS, MergeInputs, merge_windows
from rcakit.detect._multivariate import MultivariateDetector
from rcakit.detect._new import NewTemplateDetector, severity_number
from rcakit.detect._params import (
    ROW,
    ParameterShiftDetector,
    countable_features,
    extract_parameters,
    progress_totals,
    rate_features,
)
from rcakit.detect._rate import RateDetector
from rcakit.detect._results import AnomalyWindow, DetectionResult
from rcakit.detect._sessions import SessionDetector, count_sessions
from rcakit.detect._stats import SCORES_SCHEMA, empty_scores
from rcakit.errors import ConfigError, InputError, RcakitWarning, SchemaError

__all__ = ["DEFAULT_DETECTORS", "DetectorName", "detect_anomalies"]

DetectorName = Literal["new", "rate", "error_ratio", "parameter", "multivariate"]

#: Detectors run by default. ``"multivariate"`` is opt-in: its scores explain windows but a
#: window-mix model fitted on a short baseline is too eager to alarm on its own.
DEFAULT_DETECTORS: tuple[DetectorName, ...] = ("new", "rate", "error_ratio", "parameter")
_ALL_DETECTORS = ("new", "rate", "error_ratio", "parameter", "multivariate")

BaselineSpec = pl.DataFrame | pl.LazyFrame | datetime | str | tuple[datetime | str, datetime | str] | None


def _to_time(value: datetime | str, *, name: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError as exc:
        msg = f"{name}={value!r} is not an ISO time such as '2024-05-01T14:00:00Z'"
        raise ConfigError(msg) from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _templated(frame: pl.DataFrame) -> pl.DataFrame:
    if "template_id" in frame.columns:
        return frame
    if "body" not in frame.columns:
        msg = "detect_anomalies: the frame has neither 'template_id' nor 'body'; pass rcakit.read_logs() output"
        raise SchemaError(msg)
    from rcakit.templates import mine_templates

    return mine_templates(frame)


def detect_anomalies(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    baseline: BaselineSpec = None,
    window: str = "1m",
    detectors: Sequence[DetectorName] = DEFAULT_DETECTORS,
    threshold: float = 6.0,
    min_severity: str | int = "WARN",
    flag_new_below_severity: bool = False,
    min_new_count: int = 3,
    min_new_count_fatal: int = 1,
    warmup: float = 0.25,
    max_gap: int = 2,
    session_key: str | None = None,
    session_pattern: str | None = None,
    n_examples: int = 3,
) -> DetectionResult:
    """Find anomaly windows: what is different now, where, since when and how much.

    Parameters
    ----------
    frame
        Records to study: ``TEMPLATED_RECORDS`` from :func:`rcakit.mine_templates`, or plain
        ``LOG_RECORDS`` (templates are then mined here).
    baseline
        What "normal" is:

        * ``None`` (default): the history before each window. The first ``warmup`` share
          of the windows is the initial baseline; every later window is compared with
          everything before it. The warmup windows are then scored against the last
          windows that were not anomalous (rises only), so an incident that starts early in
          the logs is found with its onset (see ``docs/detect.md``). Logs that start during
          an incident (a much larger share of error records in their first quarter than in
          their last, or a number such as a latency at twice its last quarter's median in
          most of the first quarter) have their busy start compared with the calm period
          after it instead (``calm_from`` and ``calm_reason`` in the result). Logs too
          short to compare (no timed record, fewer than two windows) give no windows and a
          ``note``.
        * a frame of records (e.g. last week's logs): the baseline; all of ``frame`` is
          studied. When both lack templates they are mined together so ids agree.
        * a time (``datetime`` or ISO string): records before it are the baseline, the
          rest is studied.
        * ``(start, end)``: records in ``[start, end)`` are the baseline, records from
          ``end`` on are studied.
    window
        Window size (polars duration, default ``"1m"``), or ``"<N>i"`` for blocks of N records.
    detectors
        Which detectors to run: any of ``"new"``, ``"rate"``, ``"error_ratio"``,
        ``"parameter"``, ``"multivariate"``.
    threshold
        Score threshold shared by all detectors; scores are ``-log10 p`` (6 = one in a
        million under the baseline).
    min_severity
        New templates at or above this level are flagged on sight (default ``"WARN"``).
    flag_new_below_severity
        Whether a new template below ``min_severity`` may raise an anomaly by itself when its
        count is significant (score >= threshold). By default it does not (new INFO templates
        are common in normal operation: a cron job, a rare code path), but such templates are
        listed as supporting contributions of anomaly windows raised by other evidence.
    min_new_count
        Occurrences a new template needs within 5 windows of its first appearance to raise
        an anomaly (default 3; one-off lines are not incidents). Use 1 when every rare line
        matters (e.g. record-count windows over months, as in the BGL benchmark).
    min_new_count_fatal
        Occurrences a new template whose records reach FATAL needs (default 1: a process or
        kernel that dies says so once). Set it to ``min_new_count`` to treat FATAL like the
        other levels.
    warmup
        Share of the windows used as the initial baseline when ``baseline`` is ``None``.
    max_gap
        Flagged windows at most this many windows apart merge into one anomaly window.
    session_key, session_pattern
        Also score sessions (records grouped by this column, or by every match of this
        regex in the body, e.g. ``r"blk_-?\\d+"``); results in ``DetectionResult.sessions``.
    n_examples
        Example lines kept per contribution.

    Returns
    -------
    DetectionResult
        ``windows`` (anomaly windows by start time), ``counts`` (study + baseline count
        matrix, column ``period`` says which), ``scores`` (every detector's evidence).

    Raises
    ------
    SchemaError
        If the frame lacks the needed columns.
    ConfigError
        For invalid options.
    InputError
        If a given baseline is empty or nothing is left to study after it. With the default
        baseline, logs too short to compare with themselves (no timed record, or too few
        windows) are not an error: the result has no windows and ``note`` says so.

    Examples
    --------
    >>> import rcakit
    >>> events = rcakit.mine_templates(rcakit.read_logs("sample_logs/checkout-incident"))  # doctest: +SKIP
    >>> result = rcakit.detect_anomalies(events)  # doctest: +SKIP
    >>> print(result.summary())  # doctest: +SKIP
    """
    unknown = [d for d in detectors if d not in _ALL_DETECTORS]
    if unknown:
        msg = f"unknown detector(s) {unknown}; choose from {list(_ALL_DETECTORS)}"
        raise ConfigError(msg)
    if not 0 < warmup < 1:
        msg = f"warmup must be a share in (0, 1), got {warmup!r}"
        raise ConfigError(msg)
    severity_number(min_severity)
    window_td = None if _INDEX_WINDOW.match(window) else window_timedelta(window)
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    if isinstance(baseline, pl.LazyFrame):
        baseline = baseline.collect()

    expanding = baseline is None
    if isinstance(baseline, pl.DataFrame):
        if "template_id" not in frame.columns and "template_id" not in baseline.columns:
            both = _templated(pl.concat([baseline.with_columns(pl.lit(True).alias("_base")), frame.with_columns(pl.lit(False).alias("_base"))], how="diagonal_relaxed"))
            base_rec = both.filter(pl.col("_base")).drop("_base")
            study_rec = both.filter(~pl.col("_base")).drop("_base")
        else:
            base_rec, study_rec = _templated(baseline), _templated(frame)
        base_rec = _prepare(base_rec, stage="detect_anomalies (baseline)")
        study_rec = _prepare(study_rec, stage="detect_anomalies")
        base_counts = count_windows(base_rec, window=window)
        study_counts = count_windows(study_rec, window=window)
    else:
        records = _prepare(_templated(frame), stage="detect_anomalies")
        counts = count_windows(records, window=window)
        windows = counts.get_column("window_start").unique().sort()
        if baseline is None and len(windows) - max(int(len(windows) * warmup), 1) < 1:
            # too little to compare with itself: that is an answer, not an error
            return _not_enough_data(frame.height, counts, window=window, window_td=window_td)
        if counts.height == 0:
            msg = "detect_anomalies: no timed records to study"
            raise InputError(msg)
        if baseline is None:
            n_base = max(int(len(windows) * warmup), 1)
            split_lo = split_hi = windows[n_base]
        elif isinstance(baseline, tuple):
            if len(baseline) != 2:
                msg = f"baseline=(start, end) needs two times, got {baseline!r}"
                raise ConfigError(msg)
            split_lo = _to_time(baseline[0], name="baseline start")
            split_hi = _to_time(baseline[1], name="baseline end")
        else:
            split_lo = None
            split_hi = _to_time(baseline, name="baseline")
        ts = "window_start"
        # split on whole windows so no window is half baseline, half study
        base_counts = counts.filter(pl.col(ts) < split_hi)
        if isinstance(baseline, tuple):
            base_counts = base_counts.filter(pl.col(ts) >= split_lo)
        study_counts = counts.filter(pl.col(ts) >= split_hi)
        first_study = study_counts.get_column(ts).min()
        first_base = base_counts.get_column(ts).min()
        if first_study is None or first_base is None:
            base_rec = study_rec = records.clear()
        else:
            base_rec = records.filter(pl.col("timestamp").is_between(first_base, first_study, closed="left"))
            study_rec = records.filter(pl.col("timestamp") >= first_study)
    if base_counts.height == 0:
        msg = "detect_anomalies: the baseline is empty; give a baseline period with data (or use baseline=None)"
        raise InputError(msg)
    if study_counts.height == 0:
        msg = "detect_anomalies: nothing to study after the baseline; check baseline= and the data's time range"
        raise InputError(msg)

    param_values = None
    if window_td is not None and "parameter" in detectors and "params" in study_rec.columns and "params" in base_rec.columns:
        # number the records once and extract their numeric values once: the passes below
        # compare many subsets of them (expanding history, warmup rescoring, incident removal).
        # Time windows only: a record-count window ("20i") depends on the frame it is cut from
        base_rec = base_rec.with_row_index(ROW)
        study_rec = study_rec.with_row_index(ROW, offset=base_rec.height)
        needed = ("timestamp", "service", "severity_number", "template_id", "params", "attributes", "source", ROW)
        columns_needed = [f.select([c for c in needed if c in f.columns]) for f in (base_rec, study_rec)]
        param_values = extract_parameters(pl.concat(columns_needed, how="diagonal_relaxed"), window=window)
    passes = _Passes(
        detectors=tuple(detectors),
        threshold=threshold,
        min_severity=min_severity,
        flag_new_below_severity=flag_new_below_severity,
        min_new_count=min_new_count,
        min_new_count_fatal=min_new_count_fatal,
        window=window,
        window_td=window_td,
        max_gap=max_gap,
        n_examples=n_examples,
        param_values=param_values,
    )
    all_scores, windows_out = passes.run(base_counts, study_counts, base_rec, study_rec, expanding=expanding)
    if expanding:
        # the warmup windows were only a baseline: score them too, against the later windows
        # that are not anomalous, so an incident that starts early in the export is found
        all_scores, windows_out = passes.rescore_warmup(
            base_counts, study_counts, base_rec, study_rec, all_scores=all_scores, windows=windows_out
        )
    sessions = None
    if session_key is not None or session_pattern is not None:
        sessions = _score_sessions(base_rec, study_rec, key=session_key or "trace_id", pattern=session_pattern)
    counts_out = pl.concat(
        [base_counts.with_columns(pl.lit("baseline").alias("period")), study_counts.with_columns(pl.lit("study").alias("period"))]
    )
    result = DetectionResult(
        windows=windows_out,
        counts=counts_out,
        scores=all_scores,
        window=window,
        baseline_start=base_counts.get_column("window_start").min(),  # type: ignore[arg-type]
        baseline_end=study_counts.get_column("window_start").min() if expanding or not isinstance(baseline, pl.DataFrame) else _end_of(base_counts, window_td),  # type: ignore[arg-type]
        study_start=study_counts.get_column("window_start").min(),  # type: ignore[arg-type]
        study_end=_end_of(study_counts, window_td),
    )
    if expanding and window_td is not None:
        parts = _error_parts(counts_out, warmup=warmup)
        busy = _calm_after_busy_start(parts)
        if busy is None and param_values is not None and not _ends_busy(parts):
            # (numbers that fall at the end while errors rise there are requests failing
            # fast, small error pages: the logs end during an incident, they did not start
            # slow)
            busy = _calm_after_slow_start(param_values, counts_out, study_rec, warmup=warmup)
        if busy is not None:
            calm, reason = busy
            # the logs start during an incident: the history before each window is that
            # incident, so its start looks normal (and its end, traffic coming back, looks
            # like the anomaly). Compare the busy start with the calm period after it instead.
            again = functools.partial(
                detect_anomalies, window=window, detectors=detectors, threshold=threshold,
                min_severity=min_severity, flag_new_below_severity=flag_new_below_severity,
                min_new_count=min_new_count, min_new_count_fatal=min_new_count_fatal, max_gap=max_gap,
                n_examples=n_examples,
            )
            calm_part = records.filter(pl.col("timestamp") >= calm)
            rev = again(records.filter(pl.col("timestamp") < calm), baseline=calm_part)
            # the calm period on its own history (the first pass judged it against the
            # incident: traffic coming back read as a spike): a later, second incident
            later = again(calm_part, warmup=warmup)
            result = replace(result, windows=(*rev.windows, *later.windows), calm_from=calm, calm_reason=reason)
    return replace(result, sessions=sessions) if sessions is not None else result


#: the logs start during an incident when the share of error records in their first part
#: is this many times the share in their last part (plus one percentage point) ...
_BUSY_START_RATIO = 3.0
#: ... from at least this many error records
_BUSY_START_MIN = 20


def _part_length(n: int, warmup: float) -> int | None:
    """Windows in the first (and the last) part of ``n`` compared for a busy start: the
    ``warmup`` share, at least 5; ``None`` when the logs are too short (under four parts)."""
    k = max(int(n * warmup), 5)
    return k if n >= 4 * k else None


class _ErrorParts(NamedTuple):
    """Errors and records per window (all services), the length ``k`` of the first and last
    parts compared (:func:`_part_length`) and their shares of error records."""

    per: pl.DataFrame
    k: int
    errs: np.ndarray
    events: np.ndarray
    share_head: float
    share_tail: float


def _error_parts(counts: pl.DataFrame, *, warmup: float) -> _ErrorParts | None:
    """:class:`_ErrorParts` of ``counts``; ``None`` without error counts or for short logs."""
    if "n_errors" not in counts.columns:
        return None
    per = (
        counts.filter(pl.col("period").is_in(["baseline", "study"]))
        .group_by("window_start")
        .agg(pl.col("n_errors").sum(), pl.col("n_events").sum())
        .sort("window_start")
    )
    k = _part_length(per.height, warmup)
    if k is None:
        return None
    errs = per.get_column("n_errors").cast(pl.Float64).to_numpy()
    events = per.get_column("n_events").cast(pl.Float64).to_numpy()
    share_head = float(errs[:k].sum() / max(events[:k].sum(), 1.0))
    share_tail = float(errs[-k:].sum() / max(events[-k:].sum(), 1.0))
    return _ErrorParts(per, k, errs, events, share_head, share_tail)


def _ends_busy(p: _ErrorParts | None) -> bool:
    """Whether the logs end during an incident: the mirror of :func:`_calm_after_busy_start`'s
    test (the last part's share of error records this many times the first part's)."""
    return p is not None and float(p.errs[-p.k :].sum()) >= _BUSY_START_MIN and (
        p.share_tail >= _BUSY_START_RATIO * p.share_head + 0.01
    )


def _calm_after_busy_start(parts: _ErrorParts | None) -> tuple[datetime, str] | None:
    """When the logs start during an incident, the window from which they stay calm.

    The first and the last ``warmup`` share of the windows (at least 5 each) are compared by
    their share of error records (shares, not counts: an export that starts at the day's
    peak has more of everything); when the first part is busy (``_BUSY_START_RATIO``), the
    calm period starts after the last window with clearly more errors than the last part's
    share predicts (more than twice as many, and three Poisson deviations above). ``None``
    when the logs do not start busy, or when the calm period is shorter than the first part
    (too little to compare with). ``parts``: :func:`_error_parts` of the count matrix.
    """
    if parts is None:
        return None
    per, k, errs, events, share_head, share_tail = parts
    n = per.height
    if float(errs[:k].sum()) < _BUSY_START_MIN or share_head < _BUSY_START_RATIO * share_tail + 0.01:
        return None
    expected = share_tail * events
    busy = np.flatnonzero(errs > np.maximum(2 * expected, expected + 3 * np.sqrt(expected) + 1))
    calm_i = int(busy.max()) + 1 if busy.size else 0
    if calm_i == 0 or n - calm_i < k:
        return None
    calm: datetime = per.get_column("window_start")[calm_i]
    return calm, "many errors in their first part"


#: the logs start slow when a number's median in most of their first part is this many
#: times its median in their last part (and the parameter detector flags the rise)
_SLOW_START_RATIO = 2.0


def _calm_after_slow_start(
    values: pl.DataFrame, counts: pl.DataFrame, records: pl.DataFrame, *, warmup: float
) -> tuple[datetime, str] | None:
    """When the logs start during a slow-down (no errors needed), the window from which they are calm.

    The counterpart of :func:`_calm_after_busy_start` for numbers (latencies, sizes): the
    values of the last ``warmup`` share of the windows (at least 5) are the calm reference
    (:class:`ParameterShiftDetector` fitted on them, so counters and ids are skipped as
    usual); a number starts slow when the detector flags a rise to at least
    ``_SLOW_START_RATIO`` times the reference median in most (and at least 3) of the first
    part's windows that hold it. The calm period starts after the last window in which such a
    number is still that high; ``None`` when nothing starts slow or the calm period is
    shorter than the first part.
    """
    starts = counts.get_column("window_start").unique().sort()
    n = starts.len()
    k = _part_length(n, warmup)
    if k is None:
        return None
    head_end, tail_start = starts[k], starts[n - k]
    ts = pl.col("window_start")
    try:
        detector = ParameterShiftDetector().fit(values.filter(ts >= tail_start))
    except InputError:
        return None
    keys = ["service", "template_id", "feature"]
    rises = detector.score(values.filter(ts < tail_start)).filter(
        pl.col("flagged") & (pl.col("observed") >= _SLOW_START_RATIO * pl.col("expected")) & (pl.col("expected") > 0)
    )
    head = values.filter(ts < head_end).group_by(keys).agg(ts.n_unique().alias("n_head"))
    slow = (
        rises.filter(ts < head_end)
        .group_by(keys)
        .agg(pl.len().alias("n_slow"), pl.col("observed").median(), pl.col("expected").first())
        .join(head, on=keys, nulls_equal=True)
        .filter((pl.col("n_slow") >= 3) & (2 * pl.col("n_slow") > pl.col("n_head")))
        .sort("n_slow", "observed", descending=True)
    )
    if slow.height == 0:
        return None
    last = rises.join(slow.select(keys), on=keys, nulls_equal=True).get_column("window_start").max()
    calm_i = int(starts.search_sorted(last)) + 1  # type: ignore[arg-type]
    if n - calm_i < k:
        return None
    top = slow.row(0, named=True)
    template = ""
    if "template" in records.columns:
        found = records.filter(pl.col("template_id") == top["template_id"]).get_column("template").head(1)
        template = f" of '{_clip(found[0])}'" if found.len() and found[0] is not None else ""
    reason = (
        f"higher numbers in their first part: {top['feature']}{template} in {top['service']}, median "
        f"{top['observed']:.3g} at the start, {top['expected']:.3g} at the end"
    )
    calm: datetime = starts[calm_i]
    return calm, reason


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _not_enough_data(n_records: int, counts: pl.DataFrame, *, window: str, window_td: timedelta | None) -> DetectionResult:
    """The answer for logs too short to compare with themselves: no windows, and a note saying why."""
    n_windows = counts.get_column("window_start").n_unique()
    n_timed = int(counts.get_column("n_events").sum()) if counts.height else 0
    if n_timed == 0:
        what = f"{n_records:,} record(s), none with a time"
    else:
        what = f"{n_records:,} record(s) over {n_windows} window(s) of {window}"
        if n_records > n_timed:
            what += f", {n_records - n_timed:,} of them without a time"
    note = (
        f"not enough data to compare ({what}); no incident detected. "
        "Give a longer export, a smaller window or a baseline to find changes in logs this short."
    )
    start = counts.get_column("window_start").min() if counts.height else None
    return DetectionResult(
        windows=(),
        counts=counts.with_columns(pl.lit("study").alias("period")),
        scores=empty_scores(),
        window=window,
        baseline_start=None,
        baseline_end=None,
        study_start=start,  # type: ignore[arg-type]
        study_end=_end_of(counts, window_td) if counts.height else None,
        note=note,
    )


def _end_of(counts: pl.DataFrame, window_td: object) -> datetime | None:
    last = counts.get_column("window_start").max()
    if last is None:
        return None
    if window_td is None:
        return counts.get_column("last_seen").max()  # type: ignore[return-value]
    return last + window_td  # type: ignore[operator,return-value]


def _score_sessions(base: pl.DataFrame, study: pl.DataFrame, *, key: str, pattern: str | None) -> pl.DataFrame:
    base_s = count_sessions(base, key=key, pattern=pattern)
    study_s = count_sessions(study, key=key, pattern=pattern)
    if base_s.height == 0 or study_s.height == 0:
        msg = "detect_anomalies: no sessions found in the baseline or the study period; check session_key/session_pattern"
        raise InputError(msg)
    return SessionDetector().fit(base_s).score(study_s)


@dataclass(frozen=True, kw_only=True)
class _Passes:
    """The detectors and the window merge, run on one (baseline, study) split at a time."""

    detectors: tuple[str, ...]
    threshold: float
    min_severity: str | int
    flag_new_below_severity: bool
    min_new_count: int
    min_new_count_fatal: int
    window: str
    window_td: timedelta | None
    max_gap: int
    n_examples: int
    #: :func:`extract_parameters` of every record of the run, with their :data:`ROW` numbers
    param_values: pl.DataFrame | None = None

    def run(
        self,
        base_counts: pl.DataFrame,
        study_counts: pl.DataFrame,
        base_rec: pl.DataFrame,
        study_rec: pl.DataFrame,
        *,
        expanding: bool,
        quiet: bool = False,
        rises_only: bool = False,
        param_base: pl.DataFrame | None = None,
        new_scope: tuple[pl.DataFrame, pl.DataFrame] | None = None,
    ) -> tuple[pl.DataFrame, tuple[AnomalyWindow, ...]]:
        """Score ``study`` against ``base`` with every detector; merge flagged windows.

        ``rises_only`` keeps drops (``rate_drop``, ``gone``) as evidence but never flags them.
        ``param_base`` replaces ``base_rec`` as the parameter detector's baseline records.
        ``new_scope`` = (baseline, study) counts the new-template detector runs on instead
        (its scores are kept for the windows of ``study_counts`` only): "never seen before"
        must count every earlier window, also those left out of the comparison.
        """
        threshold = self.threshold
        scores: list[pl.DataFrame] = []
        if "new" in self.detectors:
            det = NewTemplateDetector(
                min_severity=self.min_severity, threshold=threshold, min_count=self.min_new_count,
                fatal_count=self.min_new_count_fatal,
                update_baseline=expanding,
            )
            new_base, new_study = (base_counts, study_counts) if new_scope is None else new_scope
            new_scores = det.fit(new_base).score(new_study)
            if new_scope is not None:
                new_scores = new_scores.filter(pl.col("window_start").is_in(study_counts.get_column("window_start").unique().implode()))
            if not self.flag_new_below_severity:
                # keep the score, but only templates at/above min_severity raise an anomaly
                sev = new_study.group_by("service", "template_id").agg(pl.col("max_severity").max().alias("_sev"))
                new_scores = (
                    new_scores.join(sev, on=["service", "template_id"], how="left", nulls_equal=True)
                    .with_columns((pl.col("flagged") & (pl.col("_sev") >= severity_number(self.min_severity))).alias("flagged"))
                    .drop("_sev")
                )
            scores.append(new_scores)
        if "rate" in self.detectors:
            scores.append(RateDetector(threshold=threshold, update_baseline=expanding).fit(base_counts).score(study_counts))
        if "error_ratio" in self.detectors:
            scores.append(ErrorRatioDetector(threshold=threshold, update_baseline=expanding).fit(base_counts).score(study_counts))
        if "parameter" in self.detectors and "params" in study_rec.columns:
            base_vals = self._parameters(base_rec if param_base is None else param_base)
            if base_vals.height:
                # the traffic per window (every service's records): a batch's record count or
                # size grows with it while nothing is wrong
                load = (
                    pl.concat([base_counts.select("window_start", "n_events"), study_counts.select("window_start", "n_events")])
                    .group_by("window_start")
                    .agg(pl.col("n_events").sum().cast(pl.Float64).alias("load"))
                )
                templates = pl.concat([base_rec.select("template_id", "template"), study_rec.select("template_id", "template")])
                countable = countable_features(templates)
                study_vals = self._parameters(study_rec)
                # (a progress's total, "batch 3/44", is a run's, not a measure; a rate, "11
                # xacts/s", is the traffic)
                totals = pl.concat([progress_totals(templates), rate_features(templates)]).unique()
                if totals.height:
                    base_vals = base_vals.join(totals, on=["template_id", "feature"], how="anti")
                    study_vals = study_vals.join(totals, on=["template_id", "feature"], how="anti")
                det_p = ParameterShiftDetector(threshold=threshold).fit(base_vals, load=load, countable=countable, also=study_vals)
                scores.append(_raw_shift_too(det_p, det_p.score(study_vals, load=load), base_vals, study_vals, threshold))
        if "multivariate" in self.detectors:
            n_base_windows = base_counts.get_column("window_start").n_unique()
            if n_base_windows >= 10:
                scores.append(MultivariateDetector(threshold=threshold).fit(base_counts).score(study_counts))
            elif not quiet:
                warnings.warn(
                    f"multivariate detector skipped: the baseline has {n_base_windows} windows (10 needed)",
                    RcakitWarning,
                    stacklevel=3,
                )
        all_scores = pl.concat(scores, how="diagonal_relaxed") if scores else empty_scores()
        all_scores = all_scores.cast({k: v for k, v in SCORES_SCHEMA.items() if k in all_scores.columns})
        all_scores = all_scores.sort("window_start", "detector", "service", "template_id", "kind", "feature", nulls_last=True, maintain_order=True)
        if rises_only:
            all_scores = all_scores.with_columns(pl.col("flagged") & ~pl.col("kind").is_in(["rate_drop", "gone"]))
        windows_out = merge_windows(
            MergeInputs(
                scores=all_scores,
                study_counts=study_counts,
                history_counts=base_counts,
                expanding=expanding,
                records=study_rec,
                window=self.window_td,
                max_gap=self.max_gap,
                n_examples=self.n_examples,
                support_threshold=threshold,
            )
        )
        return all_scores, windows_out

    def _parameters(self, records: pl.DataFrame) -> pl.DataFrame:
        """:func:`extract_parameters` of ``records``, selected from the values extracted once
        for every record of the run (the passes look at many subsets of the same records)."""
        if self.param_values is None or ROW not in records.columns:
            return extract_parameters(records.drop(ROW, strict=False), window=self.window)
        rows = records.get_column(ROW).implode()
        return self.param_values.filter(pl.col(ROW).is_in(rows)).drop(ROW)

    def rescore_warmup(
        self,
        warm_counts: pl.DataFrame,
        study_counts: pl.DataFrame,
        warm_rec: pl.DataFrame,
        study_rec: pl.DataFrame,
        *,
        all_scores: pl.DataFrame,
        windows: tuple[AnomalyWindow, ...],
    ) -> tuple[pl.DataFrame, tuple[AnomalyWindow, ...]]:
        """Second pass of the default baseline: score the warmup windows too.

        The first pass never scores the warmup windows (they are its initial baseline), so
        an incident that starts there is invisible and poisons the baseline. This pass takes
        as reference the *last* studied windows outside the first pass's anomaly windows (as
        many as the warmup has; a fixed baseline), and scores everything before them against
        it with the same detectors and threshold. Only evidence of something present early and
        absent later counts (new templates, spikes, error ratios, parameter shifts; a drop
        seen early is the mirror of something appearing later, which the first pass judges),
        and only anomaly windows that start inside the warmup are added. One that reaches a
        first-pass anomaly window (within ``max_gap`` windows) is the same incident: the two
        become one window with the earlier start.
        """
        study_start: datetime | None = study_counts.get_column("window_start").min()  # type: ignore[assignment]
        n_warm = warm_counts.get_column("window_start").n_unique()
        in_anomaly = pl.lit(False)
        rec_in_anomaly = pl.lit(False)
        for w in windows:
            in_anomaly = in_anomaly | pl.col("window_start").is_between(w.start, w.end, closed="left")
            rec_in_anomaly = rec_in_anomaly | pl.col("timestamp").is_between(w.start, w.end, closed="left")
        clean = study_counts.filter(~in_anomaly).get_column("window_start").unique().sort()
        if study_start is None or len(clean) < max(n_warm, 2):
            return all_scores, windows
        ref_from = clean[len(clean) - n_warm]
        ref_windows = clean.slice(len(clean) - n_warm)
        ref_counts = study_counts.filter(pl.col("window_start").is_in(ref_windows.implode()))
        early_counts = pl.concat([warm_counts, study_counts.filter(pl.col("window_start") < ref_from)], how="vertical_relaxed")
        ref_rec = study_rec.filter((pl.col("timestamp") >= ref_from) & ~rec_in_anomaly)
        early_rec = pl.concat([warm_rec, study_rec.filter(pl.col("timestamp") < ref_from)], how="vertical_relaxed")
        b_scores, b_windows = self.run(ref_counts, early_counts, ref_rec, early_rec, expanding=False, quiet=True, rises_only=True)
        scores_out = pl.concat([b_scores.filter(pl.col("window_start") < study_start), all_scores], how="diagonal_relaxed").sort(
            "window_start", "detector", "service", "template_id", "kind", "feature", nulls_last=True, maintain_order=True
        )
        early = [w for w in b_windows if w.start < study_start]
        if not early:
            return scores_out, windows
        joined = self._join_adjacent([*early, *windows])
        incidents = [w for w in joined if w.start < study_start]
        # the first pass's history held that incident (it began in the warmup): run it again
        # without the incident's windows, so what follows is compared with normal operation
        # (otherwise the end of an incident looks like a drop of everything it inflated)
        span_in = pl.lit(False)
        rec_in = pl.lit(False)
        for w in incidents:
            span_in = span_in | pl.col("window_start").is_between(w.start, w.end, closed="left")
            rec_in = rec_in | pl.col("timestamp").is_between(w.start, w.end, closed="left")
        base2, study2 = warm_counts.filter(~span_in), study_counts.filter(~span_in)
        if base2.height == 0 or study2.height == 0:
            return scores_out, tuple(joined)
        warm_clean = warm_rec.filter(~rec_in)
        # percentiles need more than the few warmup minutes before the incident: add the reference
        param_base = pl.concat([warm_clean, ref_rec], how="vertical_relaxed")
        scores2, windows2 = self.run(
            base2,
            study2,
            warm_clean,
            study_rec.filter(~rec_in),
            expanding=True,
            quiet=True,
            param_base=param_base,
            new_scope=(warm_counts, study_counts),
        )
        kept_a = all_scores.filter(span_in)  # first-pass evidence inside the incident
        scores_out = pl.concat(
            [b_scores.filter(pl.col("window_start") < study_start), kept_a, scores2], how="diagonal_relaxed"
        ).sort("window_start", "detector", "service", "template_id", "kind", "feature", nulls_last=True, maintain_order=True)
        return scores_out, self._join_adjacent([*incidents, *windows2])

    def _join_adjacent(self, windows: Sequence[AnomalyWindow]) -> tuple[AnomalyWindow, ...]:
        """Join anomaly windows at most ``max_gap`` windows apart (or overlapping)."""
        gap = self.window_td * (self.max_gap + 1) if self.window_td is not None else timedelta(0)
        out: list[AnomalyWindow] = []
        for w in sorted(windows, key=lambda w: w.start):
            if out and w.start - out[-1].end <= gap:
                out[-1] = _join_windows(out[-1], w)
            else:
                out.append(w)
        return tuple(out)


def _join_windows(early: AnomalyWindow, late: AnomalyWindow) -> AnomalyWindow:
    """One anomaly window from two adjacent ones: the earlier start, every contribution once."""
    seen = {(c.kind, c.service, c.template_id) for c in early.contributions}
    contributions = list(early.contributions) + [c for c in late.contributions if (c.kind, c.service, c.template_id) not in seen]
    contributions.sort(key=lambda c: -c.score)
    best: dict[str, float] = {}
    for c in contributions:
        if c.service is not None and c.service not in best:
            best[c.service] = c.score
    services = tuple(sorted(best, key=lambda s: -best[s]))
    for s in (*early.services, *late.services):
        if s not in best:
            services += (s,)
            best[s] = 0.0
    return AnomalyWindow(
        start=early.start,
        end=max(early.end, late.end),
        score=max(early.score, late.score),
        services=services,
        contributions=tuple(contributions[:_MAX_CONTRIBUTIONS]),
    )


def _raw_shift_too(
    det: ParameterShiftDetector, scored: pl.DataFrame, base_vals: pl.DataFrame, study_vals: pl.DataFrame, threshold: float
) -> pl.DataFrame:
    """``scored`` with the features judged per unit of traffic flagged only where their raw
    values shift too: scaling by the traffic may explain a shift away (a queue that grows
    with the evening's players), never make one (a search's hit count, which the traffic's
    ups and downs happened to match, scaled into a shift where nothing moved)."""
    keys = ["service", "template_id", "feature"]
    following = det.baseline_.filter(pl.col("load_ref").is_not_null()).select(keys)
    if following.height == 0 or scored.height == 0:
        return scored
    raw = ParameterShiftDetector(threshold=threshold).fit(base_vals.join(following, on=keys, how="semi", nulls_equal=True))
    raw_scored = raw.score(study_vals.join(following, on=keys, how="semi", nulls_equal=True))
    raw_flag = raw_scored.filter(pl.col("flagged")).select(*keys, "window_start", pl.lit(True).alias("_raw"))
    marked = following.with_columns(pl.lit(True).alias("_scaled"))
    return (
        scored.join(marked, on=keys, how="left", nulls_equal=True)
        .join(raw_flag, on=[*keys, "window_start"], how="left", nulls_equal=True)
        .with_columns(
            pl.when(pl.col("_scaled").fill_null(False))
            .then(pl.col("flagged") & pl.col("_raw").fill_null(False))
            .otherwise(pl.col("flagged"))
            .alias("flagged")
        )
        .drop("_scaled", "_raw")
    )
