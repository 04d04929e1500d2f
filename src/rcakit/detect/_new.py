"""Templates absent from the baseline: :class:`NewTemplateDetector`.

Input: count matrices (``WINDOW_COUNTS`` with ``max_severity``). Output: ``SCORES_SCHEMA``
rows with kind ``"new"``. Templates that stop (``"gone"``) are reported by
:class:`~rcakit.detect.RateDetector`, which knows how many were expected.
"""

from __future__ import annotations

from typing import Self

import polars as pl

from rcakit.detect._estimator import check_counts, check_fitted, check_positive
from rcakit.detect._stats import SCORES_SCHEMA, poisson_upper_score
from rcakit.errors import ConfigError

__all__ = ["SEVERITY_NUMBERS", "NewTemplateDetector", "severity_number"]

#: OpenTelemetry severity numbers of the level names accepted by ``min_severity``.
SEVERITY_NUMBERS = {"TRACE": 1, "DEBUG": 5, "INFO": 9, "WARN": 13, "ERROR": 17, "FATAL": 21}
_FATAL = SEVERITY_NUMBERS["FATAL"]
_ERROR = SEVERITY_NUMBERS["ERROR"]


def severity_number(level: str | int) -> int:
    """Turn ``"WARN"``/``"ERROR"``/... or an OpenTelemetry number into a number."""
    if isinstance(level, int) and not isinstance(level, bool) and 0 <= level <= 24:
        return level
    if isinstance(level, str) and level.upper() in SEVERITY_NUMBERS:
        return SEVERITY_NUMBERS[level.upper()]
    msg = f"severity {level!r} is not one of {sorted(SEVERITY_NUMBERS)} or a number 0-24"
    raise ConfigError(msg)


class NewTemplateDetector:
    """Flag windows where a service logs a template it never logged in the baseline.

    Parameters
    ----------
    min_severity
        A new template whose records reach this level (default ``"WARN"``) is flagged once
        it has occurred ``min_count`` times within ``span`` windows of its first appearance.
    threshold
        A new template below ``min_severity`` is flagged only when its count is significant:
        score >= ``threshold``. Set ``float("inf")`` to ignore new low-severity templates.
    min_count
        Occurrences needed (default 3): a one-off line (a message with a unique id that the
        template miner could not mask) is not an incident; a new failure repeats.
    fatal_count
        Occurrences needed by a new template whose records reach FATAL (OpenTelemetry 21:
        FATAL, CRITICAL, PANIC, EMERG; default 1). The evidence a new template needs scales
        with its severity: a process, kernel or database that dies says so once, while a new
        warning or error must repeat. The smaller of ``min_count`` and ``fatal_count`` applies.
    span
        Windows after its first appearance within which a new template must reach
        ``min_count``; with ``update_baseline`` it counts as new only in those windows.
    span_records
        ... or, for a new template reaching ERROR in a service that logs little, as many
        windows as it takes the service to write this many records in the baseline (on
        average; at most ``6 x span``). A new failure of a service that logs a few lines a
        minute repeats every few minutes, not three times within ``span`` windows. 0 keeps
        ``span`` for every template.
    update_baseline
        If true, a template counts as new only in its first ``span`` windows (the baseline
        grows with every scored window; later surges are the rate detector's); otherwise
        every window where a template absent from the fitted baseline appears is scored.

    Attributes
    ----------
    known_ : pl.DataFrame
        Service x template pairs seen in the baseline.
    n_records_ : pl.DataFrame
        Baseline records per service (``base_records``) and the span its new templates get
        (``span``).

    Notes
    -----
    Score: ``-log10 P(X >= n)`` where ``n`` is the count in the window and ``X`` is Poisson
    with mean ``window records x 1 / (baseline records + 1)``: the chance of seeing it this
    often if its share were as large as a template seen once in the baseline. Flagged
    templates at or above ``min_severity`` are scored at least ``threshold``.
    """

    def __init__(
        self,
        *,
        min_severity: str | int = "WARN",
        threshold: float = 6.0,
        min_count: int = 3,
        fatal_count: int = 1,
        span: int = 5,
        span_records: int = 100,
        update_baseline: bool = False,
    ) -> None:
        self.min_severity = min_severity
        self.threshold = threshold
        self.min_count = min_count
        self.fatal_count = fatal_count
        self.span = span
        self.span_records = span_records
        self.update_baseline = update_baseline

    def fit(self, counts: pl.DataFrame) -> Self:
        """Remember which templates each service logged in the baseline.

        Returns
        -------
        NewTemplateDetector
            ``self``.
        """
        severity_number(self.min_severity)
        check_positive("threshold", self.threshold)
        check_positive("min_count", self.min_count)
        check_positive("fatal_count", self.fatal_count)
        check_positive("span", self.span)
        if self.span_records < 0:
            msg = f"span_records must be >= 0, got {self.span_records!r}"
            raise ConfigError(msg)
        check_counts(counts, stage="NewTemplateDetector.fit")
        self.known_ = counts.select("service", "template_id").unique()
        n_windows = max(counts.get_column("window_start").n_unique(), 1)
        self.n_records_ = counts.group_by("service").agg(
            pl.col("n_events").sum().cast(pl.Float64).alias("base_records")
        ).with_columns(
            (self.span_records * n_windows / pl.col("base_records")).ceil()
            .clip(self.span, 6 * self.span).cast(pl.Int64).alias("span")
        )
        return self

    def score(self, counts: pl.DataFrame) -> pl.DataFrame:
        """Score windows of ``counts`` that contain templates new to their service.

        Returns
        -------
        pl.DataFrame
            ``SCORES_SCHEMA`` rows (detector ``"new"``, kind ``"new"``).
        """
        check_fitted(self, "known_")
        check_counts(counts, stage="NewTemplateDetector.score")
        min_sev = severity_number(self.min_severity)
        cells = counts.join(self.known_, on=["service", "template_id"], how="anti", nulls_equal=True)
        if "max_severity" not in cells.columns:
            cells = cells.with_columns(pl.lit(0, dtype=pl.UInt8).alias("max_severity"))
        ordinal = counts.select("window_start").unique().sort("window_start").with_row_index("_ord")
        series = ["service", "template_id"]
        cells = (
            cells.join(ordinal, on="window_start")
            .sort("window_start")
            .with_columns(
                pl.col("n_events").cum_sum().over(series).alias("_cum"),
                (pl.col("_ord") - pl.col("_ord").min().over(series)).alias("_age"),
            )
        )
        # (the wider span is for new errors: a new warning of a quiet service is too often a
        # background message whose first one came late)
        error = pl.col("max_severity").max().over(series) >= _ERROR
        cells = cells.join(self.n_records_, on="service", how="left", nulls_equal=True).with_columns(
            pl.when(error).then(pl.col("span").fill_null(self.span)).otherwise(self.span).alias("_span"),
            pl.col("base_records").fill_null(0.0),
        ).drop("span")
        young = pl.col("_age") < pl.col("_span")
        if self.update_baseline:
            cells = cells.filter(young)
        totals = counts.group_by("window_start", "service").agg(
            pl.col("n_events").sum().cast(pl.Float64).alias("window_records")
        )
        cells = (
            cells.join(totals, on=["window_start", "service"], nulls_equal=True)
            .with_columns((pl.col("window_records") / (pl.col("base_records") + 1.0)).alias("expected"))
        )
        obs = cells.get_column("n_events").cast(pl.Float64).to_numpy()
        exp = cells.get_column("expected").to_numpy()
        novelty = poisson_upper_score(obs, exp, 1.0)
        severe = pl.col("max_severity") >= min_sev
        # a new template must repeat soon after it first appears (one-offs are not incidents)
        # ... unless it is fatal: one FATAL line is evidence enough
        fatal = pl.col("max_severity").filter(young).max().over(series).fill_null(0) >= _FATAL
        need = pl.when(fatal).then(min(self.min_count, self.fatal_count)).otherwise(self.min_count)
        reached = pl.col("_cum").filter(young).max().over(series).fill_null(0)
        enough = (reached >= need) & ((pl.col("_cum") >= need) | ~young)
        out = cells.with_columns(pl.Series("novelty", novelty)).with_columns(
            (enough & (severe | (pl.col("novelty") >= self.threshold))).alias("flagged")
        )
        out = out.with_columns(
            pl.when(pl.col("flagged") & severe)
            .then(pl.max_horizontal(pl.col("novelty"), pl.lit(float(self.threshold))))
            .otherwise(pl.col("novelty"))
            .alias("score"),
            pl.lit("new").alias("detector"),
            pl.lit("new").alias("kind"),
            pl.lit(None, dtype=pl.String).alias("feature"),
            pl.col("n_events").cast(pl.Float64).alias("observed"),
            pl.lit(True).alias("weak"),
        )
        return out.select(SCORES_SCHEMA.names()).cast(SCORES_SCHEMA).sort("window_start", "service", "template_id")
