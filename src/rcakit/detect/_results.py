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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (times as ISO 8601 strings)."""
        return {
            "kind": self.kind,
            "service": self.service,
            "template_id": self.template_id,
            "template": self.template,
            "score": round(self.score, 3),
            "baseline_rate": self.baseline_rate,
            "observed_rate": self.observed_rate,
            "first_seen": _iso(self.first_seen),
            "onset": _iso(self.onset),
            "examples": list(self.examples),
            "detail": self.detail,
            "extra": {k: _jsonable(v) for k, v in self.extra.items()},
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class AnomalyWindow:
    """A span of time that is anomalous as a whole; ``start`` is the onset, not the peak."""

    start: datetime
    end: datetime
    score: float
    services: tuple[str, ...]
    contributions: tuple[Contribution, ...]  # best (highest score) first

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (times as ISO 8601 strings)."""
        return {
            "start": _iso(self.start),
            "end": _iso(self.end),
            "score": round(self.score, 3),
            "services": list(self.services),
            "contributions": [c.to_dict() for c in self.contributions],
        }


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
    sessions
        Per-session scores, when sessions were asked for.
    note
        Why nothing could be compared, when that is the answer (e.g. "not enough data to
        compare (12 records over 1 window of 1m); no incident detected"); ``None`` otherwise.
    """

    windows: tuple[AnomalyWindow, ...]
    counts: pl.DataFrame
    scores: pl.DataFrame
    window: str
    baseline_start: datetime | None
    baseline_end: datetime | None
    study_start: datetime | None
    study_end: datetime | None
    sessions: pl.DataFrame | None = None  # per-session scores when sessions were asked for
    note: str | None = None  # set when there was too little data to compare
    #: set when the logs start during an incident (many more errors in their first part than
    #: in their last, or numbers such as latencies far higher): the time from which they are
    #: calm. The windows before it were found by comparing that busy start with the calm
    #: period after it.
    calm_from: datetime | None = None
    #: why the start counts as busy: ``"many errors in their first part"``, or the number that
    #: starts high (``"higher numbers in their first part: $3 of 'took <DURATION>' in api,
    #: median 850 at the start, 120 at the end"``)
    calm_reason: str | None = None

    #: Version of the :meth:`to_dict` JSON shape.
    SCHEMA_VERSION = 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the windows and periods (frames are left out; see :meth:`contributions_frame`)."""
        out: dict[str, Any] = {
            "schema_version": self.SCHEMA_VERSION,
            "window": self.window,
            "baseline_start": _iso(self.baseline_start),
            "baseline_end": _iso(self.baseline_end),
            "study_start": _iso(self.study_start),
            "study_end": _iso(self.study_end),
            "windows": [w.to_dict() for w in self.windows],
        }
        if self.note is not None:
            out["note"] = self.note
        if self.calm_from is not None:
            out["calm_from"] = _iso(self.calm_from)
            out["calm_reason"] = self.calm_reason
        if self.sessions is not None:
            flagged = self.sessions.filter(pl.col("flagged"))
            out["sessions"] = {"n_sessions": self.sessions.height, "n_flagged": flagged.height}
        return out

    def contributions_frame(self) -> pl.DataFrame:
        """One row per contribution, with its anomaly window's start/end/score (for Parquet, SQL)."""
        rows = [
            {
                "window_id": i,
                "window_start": w.start,
                "window_end": w.end,
                "window_score": w.score,
                "kind": c.kind,
                "service": c.service,
                "template_id": c.template_id,
                "template": c.template,
                "score": c.score,
                "baseline_rate": c.baseline_rate,
                "observed_rate": c.observed_rate,
                "first_seen": c.first_seen,
                "onset": c.onset,
                "examples": list(c.examples),
                "detail": c.detail,
            }
            for i, w in enumerate(self.windows)
            for c in w.contributions
        ]
        schema = {
            "window_id": pl.UInt32,
            "window_start": pl.Datetime("us", "UTC"),
            "window_end": pl.Datetime("us", "UTC"),
            "window_score": pl.Float64,
            "kind": pl.String,
            "service": pl.String,
            "template_id": pl.String,
            "template": pl.String,
            "score": pl.Float64,
            "baseline_rate": pl.Float64,
            "observed_rate": pl.Float64,
            "first_seen": pl.Datetime("us", "UTC"),
            "onset": pl.Datetime("us", "UTC"),
            "examples": pl.List(pl.String),
            "detail": pl.String,
        }
        return pl.DataFrame(rows, schema=schema)  # type: ignore[arg-type]

    def summary(self, *, max_windows: int = 10, max_contributions: int = 5) -> str:
        """A short plain-text summary for a terminal (log text is not escaped here)."""
        lines = [
            f"window {self.window}; baseline {_short(self.baseline_start)} .. {_short(self.baseline_end)}; "
            f"studied {_short(self.study_start)} .. {_short(self.study_end)}"
        ]
        if self.note is not None:
            lines.append(self.note)
            return "\n".join(lines)
        if not self.windows:
            lines.append("no anomaly windows: nothing differs from the baseline beyond normal noise")
            return "\n".join(lines)
        if self.calm_from is not None:
            lines.append(
                f"the logs start during an incident ({self.calm_reason or 'many errors in their first part'}); "
                f"calm from {_short(self.calm_from)}; "
                "the start was compared with the calm period"
            )
        lines.append(f"{len(self.windows)} anomaly window(s):")
        for w in self.windows[:max_windows]:
            lines.append(f"* {_short(w.start)} .. {_short(w.end)}  score {w.score:.1f}  services: {', '.join(w.services) or '-'}")
            lines.extend(
                f"    - [{c.kind}] score {c.score:.1f}, onset {_short(c.onset)}: {c.detail}"
                for c in w.contributions[:max_contributions]
            )
            if len(w.contributions) > max_contributions:
                lines.append(f"    ... {len(w.contributions) - max_contributions} more")
        if len(self.windows) > max_windows:
            lines.append(f"... {len(self.windows) - max_windows} more window(s)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Jupyter view: the summary, HTML-escaped (log text is attacker-controlled)."""
        import html

        from rcakit._text import strip_terminal_escapes

        return f"<pre>{html.escape(strip_terminal_escapes(self.summary()))}</pre>"

    def __repr__(self) -> str:
        return (
            f"DetectionResult(windows={len(self.windows)}, window={self.window!r}, "
            f"study={_short(self.study_start)}..{_short(self.study_end)}, counts={self.counts.height} rows, "
            f"scores={self.scores.height} rows)"
        )


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def _short(t: datetime | None) -> str:
    return "-" if t is None else t.strftime("%Y-%m-%d %H:%M:%S")


def _jsonable(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, float | int | str | bool) or v is None:
        return v
    return str(v)
