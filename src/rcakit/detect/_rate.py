"""Rate spikes, drops and gone templates: :class:`RateDetector`.

Input: count matrices (``WINDOW_COUNTS``). Output: rows of ``SCORES_SCHEMA``.

How the expected count is built, so that more traffic alone is never an anomaly:

* the baseline rate of a series (service x template) is its mean count per window;
* in each window a *traffic factor* per service is the median, over the service's regular
  templates (baseline rate >= 1 per window), of ``observed / baseline rate``; the expected
  count is ``baseline rate x traffic factor``. A surge of one template cannot move the
  median, while more requests overall (or the daily curve) move every template and cancel;
* service totals are scored the same way against the median over services, so a service
  that goes quiet or floods while the others do not is caught too.

The score is ``-log10 p`` of a quasi-Poisson tail (dispersion learned per series from the
baseline), taken over the window and over the last ``span`` windows (sustained small shifts
and heartbeats that stop), whichever is larger. For rare series (expected in fewer than half
of the windows) a surge must also recur: the score is capped by the binomial ``-log10 p`` of
the number of the last ``span`` windows it appeared in, unless it reaches twice the
threshold. Rare lines come in clusters (a restart logs several at once), which a Poisson
model cannot know from a baseline where they were seen once or twice.
"""

from __future__ import annotations

from typing import Self

import numpy as np
import polars as pl

from rcakit.detect._estimator import check_counts, check_fitted, check_positive, dense_grid
from rcakit.detect._stats import (
    SCORES_SCHEMA,
    binomial_upper_score,
    poisson_lower_score,
    poisson_upper_score,
)

__all__ = ["RateDetector"]

_REGULAR = 1.0  # events per window for a template to take part in the traffic factor
_MEDIAN_CHI2_1 = 0.4549364  # median of chi-square(1): median squared Pearson residual under Poisson
_ALL = "(all services)"


def _expected(dense: pl.DataFrame, *, group: str) -> pl.DataFrame:
    """Add ``factor`` and ``expected`` to a dense frame with ``n_events`` and ``rate``.

    The traffic factor of a (window, group) is the rate-weighted median of
    ``observed / baseline rate`` over the group's regular series: the change of the typical
    record, which a minority of shifting templates cannot move.
    """
    keys = ["window_start", group]
    regular = dense.filter(pl.col("rate") >= _REGULAR).with_columns(
        (pl.col("n_events") / pl.col("rate")).alias("_ratio")
    )
    wmed = (
        regular.sort([*keys, "_ratio"])
        .with_columns((pl.col("rate").cum_sum().over(keys) / pl.col("rate").sum().over(keys)).alias("_cw"))
        .filter(pl.col("_cw") >= 0.5)
        .group_by(keys)
        .agg(pl.col("_ratio").first().alias("_wmed"))
    )
    total = pl.col("n_events").sum().over(keys)
    total_rate = pl.col("rate").sum().over(keys)
    fallback = pl.when(total_rate > 0).then(total / total_rate).otherwise(0.0)
    return (
        dense.join(wmed, on=keys, how="left", nulls_equal=True)
        .with_columns(pl.coalesce(pl.col("_wmed"), fallback).alias("factor"))
        .with_columns((pl.col("rate") * pl.col("factor")).alias("expected"))
        .drop("_wmed")
    )


class RateDetector:
    """Flag windows where a template's (or a service's) count departs from its baseline share.

    Parameters
    ----------
    threshold
        Score (``-log10 p``) at or above which a window is flagged. 6 means a one in a
        million chance under the baseline.
    min_ratio
        Effect-size gate: a spike needs ``observed >= min_ratio x expected``, a drop
        ``observed <= expected / min_ratio``.
    min_count
        A spike needs at least this many events; a drop needs at least this many expected.
    span
        Number of consecutive windows also scored together (sustained shifts, heartbeats).
    update_baseline
        If true, :meth:`score` compares each window with the fitted baseline *plus* every
        earlier scored window (an expanding history; used when no baseline is given).

    Attributes
    ----------
    baseline_ : pl.DataFrame
        Per service x template: ``base_sum`` (events), ``phi`` (dispersion).
    services_ : pl.DataFrame
        The same per service (service totals).
    n_windows_ : int
        Number of baseline windows.

    Notes
    -----
    Scores: ``-log10`` of the quasi-Poisson tail probability of the observed count given the
    expected one (see module docs). Kinds: ``rate_spike``, ``rate_drop`` and ``gone`` (a
    template or service that was present in the baseline logs nothing at all).
    Series absent from the baseline are left to :class:`NewTemplateDetector`.
    """

    def __init__(
        self,
        *,
        threshold: float = 6.0,
        min_ratio: float = 2.0,
        min_count: int = 3,
        span: int = 5,
        update_baseline: bool = False,
    ) -> None:
        self.threshold = threshold
        self.min_ratio = min_ratio
        self.min_count = min_count
        self.span = span
        self.update_baseline = update_baseline

    def _check_params(self) -> None:
        check_positive("threshold", self.threshold)
        check_positive("min_ratio", self.min_ratio)
        check_positive("min_count", self.min_count, allow_zero=True)
        check_positive("span", self.span)

    def fit(self, counts: pl.DataFrame) -> Self:
        """Learn baseline rates and dispersions from a count matrix.

        Parameters
        ----------
        counts
            Baseline counts (``WINDOW_COUNTS``), e.g. from :func:`count_windows`.

        Returns
        -------
        RateDetector
            ``self``.
        """
        self._check_params()
        check_counts(counts, stage="RateDetector.fit")
        n_windows = max(counts.get_column("window_start").n_unique(), 1)
        self.n_windows_ = n_windows
        self.baseline_ = self._fit_level(counts, keys=["service", "template_id"], group="service", n_windows=n_windows)
        svc = counts.with_columns(pl.lit(_ALL).alias("_group"))
        self.services_ = self._fit_level(svc, keys=["service"], group="_group", n_windows=n_windows)
        return self

    @staticmethod
    def _fit_level(counts: pl.DataFrame, *, keys: list[str], group: str, n_windows: int) -> pl.DataFrame:
        sums = counts.group_by(keys).agg(pl.col("n_events").sum().cast(pl.Float64).alias("base_sum"))
        if group not in keys:
            sums = sums.with_columns(pl.lit(_ALL).alias(group))
        on = list(dict.fromkeys([*keys, group]))
        dense = dense_grid(counts, sums.select(on)).join(sums, on=on, nulls_equal=True)
        dense = dense.with_columns((pl.col("base_sum") / n_windows).alias("rate"))
        dense = _expected(dense, group=group)
        resid2 = (pl.col("n_events") - pl.col("expected")) ** 2 / pl.max_horizontal(pl.col("expected"), 0.5)
        phi = (
            dense.group_by(keys)
            .agg(resid2.median().alias("phi"))
            .with_columns((pl.col("phi") / _MEDIAN_CHI2_1).clip(1.0, 100.0))
        )
        return sums.join(phi, on=keys, nulls_equal=True)

    def score(self, counts: pl.DataFrame) -> pl.DataFrame:
        """Score every window x series of ``counts`` against the baseline.

        Returns
        -------
        pl.DataFrame
            ``SCORES_SCHEMA`` rows (detector ``"rate"``) with any evidence: flagged windows
            and the weaker deviations in the same direction around them.
        """
        check_fitted(self, "baseline_")
        check_counts(counts, stage="RateDetector.score")
        tmpl = self._score_level(counts, self.baseline_, keys=["service", "template_id"], group="service")
        svc = counts.with_columns(pl.lit(_ALL).alias("_group"))
        svc_scores = self._score_level(svc, self.services_, keys=["service"], group="_group")
        svc_scores = svc_scores.with_columns(pl.lit(None, dtype=pl.String).alias("template_id"))
        out = pl.concat([tmpl.select(SCORES_SCHEMA.names()), svc_scores.select(SCORES_SCHEMA.names())])
        return out.cast(SCORES_SCHEMA).sort("window_start", "service", "template_id", nulls_last=True)

    def _score_level(
        self, counts: pl.DataFrame, base: pl.DataFrame, *, keys: list[str], group: str
    ) -> pl.DataFrame:
        if self.update_baseline:
            seen = counts.select(keys).unique()
            series = pl.concat([base.select(keys), seen], how="vertical_relaxed").unique()
        else:
            series = base.select(keys)
        if group not in keys:
            series = series.with_columns(pl.lit(_ALL).alias(group))
        dense = dense_grid(counts, series).join(
            base.select(*keys, "base_sum", "phi"), on=keys, how="left", nulls_equal=True
        )
        dense = dense.with_columns(pl.col("base_sum").fill_null(0.0), pl.col("phi").fill_null(1.0))
        n_windows = float(self.n_windows_)
        if self.update_baseline:
            # expanding history: baseline + every earlier window of this frame
            prior = pl.col("n_events").cum_sum().shift(1, fill_value=0.0).over(keys)
            index = pl.col("window_start").rank("dense").over(keys) - 1
            dense = dense.with_columns(
                ((pl.col("base_sum") + prior) / (n_windows + index)).alias("rate")
            )
        else:
            dense = dense.with_columns((pl.col("base_sum") / n_windows).alias("rate"))
        dense = _expected(dense, group=group).filter(pl.col("rate") > 0)
        span = int(self.span)
        dense = dense.sort([*keys, "window_start"]).with_columns(
            pl.col("n_events").rolling_sum(span, min_samples=1).over(keys).alias("obs_k"),
            pl.col("expected").rolling_sum(span, min_samples=1).over(keys).alias("exp_k"),
            (pl.col("n_events") > 0).cast(pl.Float64).rolling_sum(span, min_samples=1).over(keys).alias("present_k"),
            (1.0 - (-pl.col("expected")).exp()).rolling_mean(span, min_samples=1).over(keys).alias("presence"),
        )
        obs = dense.get_column("n_events").to_numpy()
        exp = dense.get_column("expected").to_numpy()
        obs_k = dense.get_column("obs_k").to_numpy()
        exp_k = dense.get_column("exp_k").to_numpy()
        phi = dense.get_column("phi").to_numpy()
        up = np.maximum(poisson_upper_score(obs, exp, phi), poisson_upper_score(obs_k, exp_k, phi))
        # rare series (present in under half the windows) arrive in clusters (a restart logs
        # a few lines at once), so a surge must also recur across the last `span` windows,
        # unless it is overwhelming (score >= 2 x threshold)
        presence = dense.get_column("presence").to_numpy()
        present_k = dense.get_column("present_k").to_numpy()
        recur = binomial_upper_score(present_k, np.full(len(present_k), float(span)), np.clip(presence, 1e-12, 1.0))
        rare = presence < 0.5
        up = np.where(rare & (up < 2.0 * self.threshold), np.minimum(up, recur), up)
        down = np.maximum(poisson_lower_score(obs, exp, phi), poisson_lower_score(obs_k, exp_k, phi))
        dense = dense.with_columns(pl.Series("up", up), pl.Series("down", down))
        r = self.min_ratio
        resid = (pl.col("n_events") - pl.col("expected")) / (pl.col("phi") * pl.max_horizontal(pl.col("expected"), 1.0)).sqrt()
        spike_gate = ((pl.col("n_events") >= self.min_count) & (pl.col("n_events") >= r * pl.col("expected"))) | (
            (pl.col("obs_k") >= self.min_count) & (pl.col("obs_k") >= r * pl.col("exp_k"))
        )
        drop_gate = ((pl.col("expected") >= self.min_count) & (pl.col("n_events") * r <= pl.col("expected"))) | (
            (pl.col("exp_k") >= self.min_count) & (pl.col("obs_k") * r <= pl.col("exp_k"))
        )
        spikes = dense.filter(pl.col("up") >= pl.col("down")).with_columns(
            pl.lit("rate_spike").alias("kind"),
            pl.col("up").alias("score"),
            ((pl.col("up") >= self.threshold) & spike_gate).alias("flagged"),
            ((resid >= 1.0) & (pl.col("n_events") >= 1)).alias("weak"),
        )
        drops = dense.filter(pl.col("up") < pl.col("down")).with_columns(
            pl.when((pl.col("n_events") == 0) & (pl.col("obs_k") == 0))
            .then(pl.lit("gone"))
            .otherwise(pl.lit("rate_drop"))
            .alias("kind"),
            pl.col("down").alias("score"),
            ((pl.col("down") >= self.threshold) & drop_gate).alias("flagged"),
            (resid <= -1.0).alias("weak"),
        )
        both = pl.concat([spikes, drops], how="diagonal_relaxed").filter(pl.col("weak") | pl.col("flagged"))
        return both.with_columns(
            pl.lit("rate").alias("detector"),
            pl.lit(None, dtype=pl.String).alias("feature"),
            pl.col("n_events").alias("observed"),
        )
