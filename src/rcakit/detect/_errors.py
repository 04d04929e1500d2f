"""Error-ratio shifts per service: :class:`ErrorRatioDetector`.

Input: count matrices with ``n_errors`` / ``n_warnings`` (from :func:`count_windows`).
Output: ``SCORES_SCHEMA`` rows with kind ``"error_ratio"`` (one per window x service).
The ratio (errors / all records of the service) is compared, not the raw error count, so
more traffic with the same failure rate is not an anomaly.
"""

from __future__ import annotations

from typing import Literal, Self

import numpy as np
import polars as pl

from rcakit.detect._estimator import check_counts, check_fitted, check_positive
from rcakit.detect._stats import SCORES_SCHEMA, poisson_upper_score
from rcakit.errors import ConfigError, SchemaError

__all__ = ["ErrorRatioDetector"]

_MEDIAN_CHI2_1 = 0.4549364


class ErrorRatioDetector:
    """Flag windows where a service's share of WARN/ERROR records rises above its baseline.

    Parameters
    ----------
    min_severity
        ``"ERROR"`` (default: records with severity >= 17) or ``"WARN"`` (>= 13).
    threshold
        Score (``-log10 p``) at or above which a window is flagged.
    min_ratio
        The error share must be at least ``min_ratio`` x the baseline share.
    min_increase
        ... and at least this much higher in absolute terms (0.01 = one percentage point).
    min_count
        Minimum number of error records in the window (or in the last ``span`` windows).
    span
        Number of consecutive windows also scored together.
    update_baseline
        Compare each window with the fitted baseline plus every earlier scored window.

    Attributes
    ----------
    baseline_ : pl.DataFrame
        Per service: ``base_errors``, ``base_records``, ``phi`` (dispersion of error counts).

    Notes
    -----
    Score: ``-log10 P(X >= errors)`` for quasi-Poisson ``X`` with mean
    ``records x baseline share`` (the larger of the one-window and ``span``-window scores).
    """

    def __init__(
        self,
        *,
        min_severity: Literal["WARN", "ERROR"] = "ERROR",
        threshold: float = 6.0,
        min_ratio: float = 2.0,
        min_increase: float = 0.01,
        min_count: int = 3,
        span: int = 5,
        update_baseline: bool = False,
    ) -> None:
        self.min_severity = min_severity
        self.threshold = threshold
        self.min_ratio = min_ratio
        self.min_increase = min_increase
        self.min_count = min_count
        self.span = span
        self.update_baseline = update_baseline

    def _column(self) -> str:
        if self.min_severity not in ("WARN", "ERROR"):
            msg = f"min_severity must be 'WARN' or 'ERROR', got {self.min_severity!r}"
            raise ConfigError(msg)
        return "n_warnings" if self.min_severity == "WARN" else "n_errors"

    def _per_service(self, counts: pl.DataFrame, stage: str) -> pl.DataFrame:
        check_counts(counts, stage=stage)
        col = self._column()
        if col not in counts.columns:
            msg = f"{stage}: the count matrix lacks {col!r}; build it with rcakit.count_windows()"
            raise SchemaError(msg)
        windows = counts.select("window_start").unique()
        services = counts.select("service").unique()
        per = counts.group_by("window_start", "service").agg(
            pl.col("n_events").sum().cast(pl.Float64).alias("records"),
            pl.col(col).sum().cast(pl.Float64).alias("errors"),
        )
        return (
            windows.join(services, how="cross")
            .join(per, on=["window_start", "service"], how="left", nulls_equal=True)
            .with_columns(pl.col("records").fill_null(0.0), pl.col("errors").fill_null(0.0))
            .sort("service", "window_start")
        )

    def fit(self, counts: pl.DataFrame) -> Self:
        """Learn each service's baseline error share and its dispersion.

        Returns
        -------
        ErrorRatioDetector
            ``self``.
        """
        for name in ("threshold", "min_ratio", "span"):
            check_positive(name, getattr(self, name))
        check_positive("min_increase", self.min_increase, allow_zero=True)
        check_positive("min_count", self.min_count, allow_zero=True)
        per = self._per_service(counts, "ErrorRatioDetector.fit")
        sums = per.group_by("service").agg(
            pl.col("errors").sum().alias("base_errors"), pl.col("records").sum().alias("base_records")
        )
        share = (pl.col("base_errors") + 0.5) / (pl.col("base_records") + 1.0)
        exp = pl.col("records") * share
        resid2 = (pl.col("errors") - exp) ** 2 / pl.max_horizontal(exp, 0.5)
        phi = (
            per.join(sums, on="service", nulls_equal=True)
            .group_by("service")
            .agg((resid2.median() / _MEDIAN_CHI2_1).clip(1.0, 100.0).alias("phi"))
        )
        self.baseline_ = sums.join(phi, on="service", nulls_equal=True)
        return self

    def score(self, counts: pl.DataFrame) -> pl.DataFrame:
        """Score each window x service of ``counts``.

        Returns
        -------
        pl.DataFrame
            ``SCORES_SCHEMA`` rows (detector and kind ``"error_ratio"``) with any evidence.
        """
        check_fitted(self, "baseline_")
        per = self._per_service(counts, "ErrorRatioDetector.score").join(
            self.baseline_, on="service", how="left", nulls_equal=True
        )
        per = per.with_columns(
            pl.col("base_errors").fill_null(0.0), pl.col("base_records").fill_null(0.0), pl.col("phi").fill_null(1.0)
        )
        if self.update_baseline:
            prior_e = pl.col("errors").cum_sum().shift(1, fill_value=0.0).over("service")
            prior_r = pl.col("records").cum_sum().shift(1, fill_value=0.0).over("service")
            per = per.with_columns(
                (pl.col("base_errors") + prior_e).alias("base_errors"),
                (pl.col("base_records") + prior_r).alias("base_records"),
            )
        per = per.filter(pl.col("base_records") > 0).with_columns(
            ((pl.col("base_errors") + 0.5) / (pl.col("base_records") + 1.0)).alias("share")
        )
        span = int(self.span)
        per = per.with_columns((pl.col("records") * pl.col("share")).alias("expected")).with_columns(
            pl.col("errors").rolling_sum(span, min_samples=1).over("service").alias("err_k"),
            pl.col("expected").rolling_sum(span, min_samples=1).over("service").alias("exp_k"),
            pl.col("records").rolling_sum(span, min_samples=1).over("service").alias("rec_k"),
        )
        phi = per.get_column("phi").to_numpy()
        s1 = poisson_upper_score(per.get_column("errors").to_numpy(), per.get_column("expected").to_numpy(), phi)
        sk = poisson_upper_score(per.get_column("err_k").to_numpy(), per.get_column("exp_k").to_numpy(), phi)
        per = per.with_columns(pl.Series("score", np.maximum(s1, sk)))

        def gate(err: str, exp: str, rec: str) -> pl.Expr:
            return (
                (pl.col(err) >= self.min_count)
                & (pl.col(err) >= self.min_ratio * pl.col(exp))
                & (pl.col(err) / pl.max_horizontal(pl.col(rec), 1.0) - pl.col("share") >= self.min_increase)
            )

        resid = (pl.col("errors") - pl.col("expected")) / (pl.col("phi") * pl.max_horizontal(pl.col("expected"), 1.0)).sqrt()
        out = per.with_columns(
            (
                (pl.col("score") >= self.threshold)
                & (gate("errors", "expected", "records") | gate("err_k", "exp_k", "rec_k"))
                & (pl.col("errors") > pl.col("expected"))  # this window itself shows the rise
            ).alias("flagged"),
            ((resid >= 2.0) & (pl.col("errors") >= 1)).alias("weak"),
            pl.lit("error_ratio").alias("detector"),
            pl.lit("error_ratio").alias("kind"),
            pl.lit(None, dtype=pl.String).alias("template_id"),
            pl.lit(None, dtype=pl.String).alias("feature"),
            pl.col("errors").alias("observed"),
        ).filter(pl.col("weak") | pl.col("flagged"))
        return out.select(SCORES_SCHEMA.names()).cast(SCORES_SCHEMA).sort("window_start", "service")
