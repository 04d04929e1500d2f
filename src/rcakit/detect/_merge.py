"""Flagged windows -> :class:`AnomalyWindow` records, with onsets, rates and examples.

Windows flagged by any detector that lie within ``max_gap`` windows of each other merge
into one anomaly window. Each contribution's onset is found by walking back from its first
flagged window while the same shift is still visible (the detector's ``weak`` evidence), so
the onset is where the shift starts, not where it peaks.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

import polars as pl

from rcakit._fields import failed_call
from rcakit.detect._results import AnomalyWindow, Contribution

__all__ = ["MergeInputs", "merge_windows"]

_DIRECTION = {"rate_drop": "drop", "gone": "drop"}
_MAX_CONTRIBUTIONS = 25


@dataclass(frozen=True, kw_only=True)
class MergeInputs:
    """What :func:`merge_windows` needs besides the scores."""

    scores: pl.DataFrame  # SCORES_SCHEMA (+ extras) of the study period
    study_counts: pl.DataFrame  # count matrix of the study period
    history_counts: pl.DataFrame  # count matrix the baseline rates come from
    expanding: bool  # baseline = history + study windows before the onset
    records: pl.DataFrame  # study records (for examples and template text)
    window: timedelta | None  # None for record-count windows
    max_gap: int
    n_examples: int
    support_threshold: float = float("inf")  # unflagged "new" rows at/above this join a window

    @cached_property
    def failed(self) -> pl.Expr:
        """The records whose fields say their call failed (:func:`rcakit._fields.failed_call`),
        built once: each key it may read costs a scan of the records."""
        return failed_call(self.records)


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["detector"], _DIRECTION.get(row["kind"], row["kind"]), row["service"], row["template_id"], row["feature"])


def merge_windows(inp: MergeInputs) -> tuple[AnomalyWindow, ...]:
    """Group flagged windows into anomaly windows (see module docs)."""
    flagged = inp.scores.filter(pl.col("flagged"))
    if flagged.height == 0:
        return ()
    study_windows = inp.study_counts.get_column("window_start").unique().sort().to_list()
    ordinal = {w: i for i, w in enumerate(study_windows)}
    # weak evidence per series, by window ordinal (used to walk back to the onset)
    weak: dict[tuple[Any, ...], set[int]] = defaultdict(set)
    keys = ["detector", "service", "template_id", "feature"]
    evidence = inp.scores.filter(pl.col("weak") | pl.col("flagged")).join(
        flagged.select(keys).unique(), on=keys, how="semi", nulls_equal=True
    )
    for row in evidence.iter_rows(named=True):
        if row["window_start"] in ordinal:
            weak[_key(row)].add(ordinal[row["window_start"]])
    # runs of flagged windows
    runs: list[list[int]] = []
    for w in sorted({ordinal[t] for t in flagged.get_column("window_start").to_list() if t in ordinal}):
        if runs and w - runs[-1][-1] <= inp.max_gap + 1:
            runs[-1].append(w)
        else:
            runs.append([w])
    templates = _template_text(inp.records)
    out: list[AnomalyWindow] = []
    merged_runs: list[list[int]] = []
    for run in runs:
        window = _window_for(inp, flagged, run, study_windows, weak, templates)
        # a run whose onset reaches back into the previous anomaly window is the same anomaly
        if out and window.start <= out[-1].end:
            merged_runs[-1] = merged_runs[-1] + run
            out[-1] = _window_for(inp, flagged, merged_runs[-1], study_windows, weak, templates)
        else:
            merged_runs.append(run)
            out.append(window)
    return tuple(sorted(out, key=lambda w: w.start))


def _window_for(
    inp: MergeInputs,
    flagged: pl.DataFrame,
    run: list[int],
    study_windows: list[datetime],
    weak: dict[tuple[Any, ...], set[int]],
    templates: dict[str, str],
) -> AnomalyWindow:
    lo, hi = study_windows[run[0]], study_windows[run[-1]]
    rows = flagged.filter(pl.col("window_start").is_between(lo, hi))
    support = inp.scores.filter(
        pl.col("window_start").is_between(lo, hi)
        & ~pl.col("flagged")
        & (pl.col("detector") == "new")
        & (pl.col("score") >= inp.support_threshold)
    )
    if support.height:
        rows = pl.concat([rows, support], how="diagonal_relaxed")
    return _build_window(inp, rows, run, study_windows, weak, templates)


def _template_text(records: pl.DataFrame) -> dict[str, str]:
    if "template" not in records.columns or "template_id" not in records.columns:
        return {}
    pairs = records.select("template_id", "template").unique("template_id")
    return dict(zip(pairs.get_column("template_id").to_list(), pairs.get_column("template").to_list(), strict=True))


def _window_end(inp: MergeInputs, study_windows: list[datetime], last: int) -> datetime:
    if inp.window is not None:
        return study_windows[last] + inp.window
    if last + 1 < len(study_windows):
        return study_windows[last + 1]
    return inp.study_counts.get_column("last_seen").max()  # type: ignore[return-value]


def _build_window(
    inp: MergeInputs,
    rows: pl.DataFrame,
    run: list[int],
    study_windows: list[datetime],
    weak: dict[tuple[Any, ...], set[int]],
    templates: dict[str, str],
) -> AnomalyWindow:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows.iter_rows(named=True):
        family = _DIRECTION.get(row["kind"], row["kind"])
        groups[(family, row["service"], row["template_id"], row["feature"], row["detector"])].append(row)
    end = _window_end(inp, study_windows, run[-1])
    contributions = []
    for (kind, service, template_id, feature, detector), members in groups.items():
        first = min(ordinal_of(study_windows, m["window_start"]) for m in members)
        seen = weak.get(_key(members[0]), set())
        onset_i = first
        while onset_i - 1 in seen:
            onset_i -= 1
        onset = study_windows[onset_i]
        peak = max(members, key=lambda m: m["score"])
        contributions.append(
            _contribution(
                inp,
                kind=kind,
                detector=detector,
                service=service,
                template_id=template_id,
                feature=feature,
                template=templates.get(template_id) if template_id else None,
                onset=onset,
                end=end,
                members=members,
                peak=peak,
            )
        )
    contributions.sort(key=lambda c: (-c.score, c.onset))
    contributions = contributions[:_MAX_CONTRIBUTIONS]
    start = min(c.onset for c in contributions)
    return AnomalyWindow(
        start=start,
        end=end,
        score=max(c.score for c in contributions),
        services=_rank_services(contributions),
        contributions=tuple(contributions),
    )


def _rank_services(contributions: list[Contribution]) -> tuple[str, ...]:
    """Services by earliest onset, then by how often the others' changed lines name them
    (callers log "payment call failed", "dependency payment unavailable"), then by score."""
    onset: dict[str, datetime] = {}
    score: dict[str, float] = {}
    for c in contributions:
        if c.service is not None:
            onset[c.service] = min(onset.get(c.service, c.onset), c.onset)
            score[c.service] = max(score.get(c.service, 0.0), c.score)
    named: dict[str, int] = dict.fromkeys(onset, 0)
    for name in onset:
        word = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", re.IGNORECASE)
        for c in contributions:
            if c.service != name and c.template and word.search(c.template):
                named[name] += 1
    return tuple(sorted(onset, key=lambda s: (onset[s], -named[s], -score[s], s)))


def ordinal_of(windows: list[datetime], t: datetime) -> int:
    """Index of window start ``t`` in the sorted list ``windows``."""
    import bisect

    return bisect.bisect_left(windows, t)


def _series_filter(kind: str, service: str | None, template_id: str | None) -> pl.Expr:
    expr = pl.col("service") == service if service is not None else pl.lit(True)
    if template_id is not None and kind != "error_ratio":
        expr = expr & (pl.col("template_id") == template_id)
    return expr


def _rates(inp: MergeInputs, *, kind: str, service: str | None, template_id: str | None, onset: datetime, end: datetime) -> tuple[float, float]:
    value = "n_errors" if kind == "error_ratio" else "n_events"
    sel = _series_filter(kind, service, template_id)
    hist = inp.history_counts
    if inp.expanding:
        hist = pl.concat([hist, inp.study_counts.filter(pl.col("window_start") < onset)], how="diagonal_relaxed")
    n_hist = max(hist.get_column("window_start").n_unique(), 1)
    base = hist.filter(sel).get_column(value).sum() / n_hist
    during = inp.study_counts.filter((pl.col("window_start") >= onset) & (pl.col("window_start") < end))
    n_during = max(during.get_column("window_start").n_unique(), 1)
    observed = during.filter(sel).get_column(value).sum() / n_during
    return float(base), float(observed)


def _examples(inp: MergeInputs, *, kind: str, service: str | None, template_id: str | None, onset: datetime, end: datetime) -> tuple[tuple[str, ...], datetime | None]:
    rec = inp.records
    if not {"body", "timestamp", "service", "template_id"} <= set(rec.columns):
        return (), None
    sel = _series_filter(kind, service, template_id) & pl.col("timestamp").is_between(onset, end, closed="left")
    if kind == "error_ratio" and "severity_number" in rec.columns:
        sel = sel & ((pl.col("severity_number") >= 17) | inp.failed)
    hits = rec.filter(sel).sort("timestamp")
    bodies = hits.get_column("body").drop_nulls().unique(maintain_order=True).head(inp.n_examples).to_list()
    first = hits.get_column("timestamp").min() if hits.height else None
    return tuple(bodies), first  # type: ignore[return-value]


def _first_seen(inp: MergeInputs, service: str | None, template_id: str | None, fallback: datetime | None) -> datetime | None:
    if template_id is None:
        return fallback
    cells = inp.study_counts.filter((pl.col("service") == service) & (pl.col("template_id") == template_id))
    return cells.get_column("first_seen").min() if cells.height else fallback  # type: ignore[return-value]


def _contribution(
    inp: MergeInputs,
    *,
    kind: str,
    detector: str,
    service: str | None,
    template_id: str | None,
    feature: str | None,
    template: str | None,
    onset: datetime,
    end: datetime,
    members: list[dict[str, Any]],
    peak: dict[str, Any],
) -> Contribution:
    base_rate, observed_rate = _rates(inp, kind=kind, service=service, template_id=template_id, onset=onset, end=end)
    if kind == "drop":
        kind = "gone" if observed_rate == 0 else "rate_drop"
    examples, first_in_window = _examples(inp, kind=kind, service=service, template_id=template_id, onset=onset, end=end)
    if kind == "new":
        base_rate = 0.0
    first_seen = _first_seen(inp, service, template_id, first_in_window)
    what = f"'{template}'" if template else f"service {service}"
    if kind == "new":
        detail = f"new template in {service}: {what}, first seen {first_seen:%Y-%m-%d %H:%M:%S}, {observed_rate:.3g}/window" if first_seen else f"new template in {service}: {what}"
    elif kind == "gone":
        detail = f"{what} stopped in {service}: {base_rate:.3g} -> {observed_rate:.3g} per window"
    elif kind in ("rate_spike", "rate_drop"):
        ratio = (observed_rate / base_rate) if base_rate > 0 else float("inf")
        detail = f"{what} in {service}: {base_rate:.3g} -> {observed_rate:.3g} per window ({ratio:.1f}x)"
        # the detector expects a series to follow its peers' traffic: when that traffic moved,
        # the plain rates above hide what was flagged ("14.8 -> 14.9 per window (1.0x)" while
        # every other service doubled), so say what the peak window held against what it expected
        moved = peak["expected"] / base_rate if base_rate > 0 else 1.0
        if not 2 / 3 <= moved <= 1.5:
            peers = "the other services' traffic" if template_id is None else f"{service}'s other lines"
            detail += f"; {peak['observed']:.3g} in the window of {peak['window_start']:%H:%M}, where {peers} predicted {peak['expected']:.3g}"
    elif kind == "error_ratio":
        detail = f"error records of {service}: {base_rate:.3g} -> {observed_rate:.3g} per window (peak {peak['observed']:.0f} vs {peak['expected']:.1f} expected)"
    elif kind == "parameter":
        q = peak.get("base_q95")
        wq = peak.get("window_q95")
        frac = peak.get("fraction_beyond")
        detail = (
            f"{feature} of {what} in {service}: median {peak['expected']:.4g} -> {peak['observed']:.4g}"
            + (f", p95 {q:.4g} -> {wq:.4g}" if q is not None and wq is not None else "")
            + (f" ({frac:.0%} of values beyond the baseline range)" if frac is not None else "")
        )
    else:
        detail = f"unusual mix of templates; largest residual: {what} in {service} ({peak['observed']:.0f} vs {peak['expected']:.1f} expected)"
    extra: dict[str, Any] = {
        "detector": detector,
        "flagged_windows": len(members),
        "peak": peak["window_start"],
        "peak_observed": peak["observed"],
        "peak_expected": peak["expected"],
    }
    if feature is not None:
        extra["feature"] = feature
    for name in ("base_q95", "window_q95", "fraction_beyond"):
        if peak.get(name) is not None:
            extra[name] = peak[name]
    return Contribution(
        kind=kind,  # type: ignore[arg-type]
        service=service,
        template_id=template_id,
        template=template,
        score=float(max(m["score"] for m in members)),
        baseline_rate=base_rate,
        observed_rate=observed_rate,
        first_seen=first_seen,
        onset=onset,
        examples=examples,
        detail=detail,
        extra=extra,
    )
