"""Typed results of anomaly detection (the contract between ``detect`` and ``report``).

Small frozen records; the large frames (counts, scores) travel beside them in
:class:`DetectionResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import polars as pl

__all__ = ["AnomalyKind", "AnomalyWindow", "Contribution", "DetectionResult"]

AnomalyKind = Literal[
    "new",  # template absent from the baseline appears
    "gone",  # template regular in the baseline stops (e.g. a heartbeat)
    "rate_spike",  # template/service rate far above its baseline share
    "rate_drop",  # template/service rate far below its baseline share
    "error_ratio",  # share of WARN/ERROR records of a service shifts up
    "parameter",  # numeric variable of a template shifts (latency, sizes, status codes)
    "multivariate",  # window x template vector is unusual as a whole (PCA / IsolationForest)
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Contribution:
    """One service/template that changed inside an anomaly window.

    Rates are events per detection window (``DetectionResult.window``), so baseline and
    observed are directly comparable.
    """

    kind: AnomalyKind
    service: str | None
    template_id: str | None
    template: str | None
    score: float  # >= 0; larger = more anomalous; the detector's doc says its scale
    baseline_rate: float  # mean events per window in the baseline (0.0 for "new")
    observed_rate: float  # mean events per window inside the anomaly window
    first_seen: datetime | None  # first record of this template/service in the studied period
    onset: datetime  # first window where this contribution's shift starts
    examples: tuple[str, ...] = ()  # a few raw example bodies (unredacted; reports redact)
    detail: str = ""  # one human sentence, e.g. "p95 of <NUM> in 'took <NUM>ms': 120 -> 870"
    extra: dict[str, Any] = field(default_factory=dict)  # detector-specific numbers


@dataclass(frozen=True, slots=True, kw_only=True)
class AnomalyWindow:
    """A span of time that is anomalous as a whole; ``start`` is the onset, not the peak."""

    start: datetime
    end: datetime
    score: float
    services: tuple[str, ...]
    contributions: tuple[Contribution, ...]  # best (highest score) first


@dataclass(frozen=True, kw_only=True)
class DetectionResult:
    """What :func:`rcakit.detect_anomalies` returns.

    Attributes
    ----------
    windows
        Anomaly windows, ordered by start time.
    counts
        The window x service x template count matrix (schema ``WINDOW_COUNTS`` plus
        extra columns such as ``n_errors``).
    scores
        Per-detector scores (one row per window x service x template x detector).
    window
        The window size as a polars duration string (e.g. ``"1m"``).
    baseline_start, baseline_end, study_start, study_end
        The periods compared.
    """

    windows: tuple[AnomalyWindow, ...]
    counts: pl.DataFrame
    scores: pl.DataFrame
    window: str
    baseline_start: datetime | None
    baseline_end: datetime | None
    study_start: datetime | None
    study_end: datetime | None
