"""Rate spikes, drops and gone templates: :class:`RateDetector`.

Input: count matrices (``WINDOW_COUNTS``). Output: rows of ``SCORES_SCHEMA``.

How the expected count is built, so that more traffic alone is never an anomaly:

* the baseline rate of a series (service x template) is its mean count per window;
* in each window a *traffic factor* per service is a trimmed, leave-one-out ratio of sums
  (observed over baseline rate of the service's *other* templates, leaving out those more
  than 3 standard deviations off); the
  expected count is ``baseline rate x traffic factor``. A surge of one template cannot move
  the factor, while more requests overall (or the daily curve) move every template and
  cancel;
* service totals are scored the same way against the factor over services, so a service
  that goes quiet or floods while the others do not is caught too (except in the first and
  last window, where files of different services start and end at different seconds).

The score is ``-log10 p`` of a quasi-binomial tail: given the window's total of the series
and its peers, the series' count is binomial with its baseline share (dispersion learned per
series from the baseline), taken over the window and over the last ``span`` windows
(sustained small shifts and heartbeats that stop), whichever is larger. For rare series (expected in fewer than half
of the windows) a surge must also recur: the score is capped by the binomial ``-log10 p`` of
the number of the last ``span`` windows it appeared in, unless it reaches twice the
threshold. Rare lines come in clusters (a restart logs several at once), which a Poisson
model cannot know from a baseline where they were seen once or twice.
"""

from __future__ import annotations

from typing import Self

import numpy as np
import polars as pl
from scipy import special

from rcakit.detect._estimator import check_counts, check_fitted, check_positive, dense_grid
from rcakit.detect._stats import (
    SCORES_SCHEMA,
    binomial_upper_score,
    family_threshold,
    quasi_binomial_scores,
)

__all__ = ["RateDetector"]

_MEDIAN_CHI2_1 = 0.4549364  # median of chi-square(1): median squared Pearson residual under the null
_ALL = "(all services)"
#: a surge is "seen before" when the history holds this many windows with at least this
#: share of its count (see RateDetector._seen_before)
_SEEN_TIMES = 1
_SEEN_SHARE = 0.5
#: ... and ended: the series fell back to this share of the current count since
_BREAK_SHARE = 0.25
#: passes of the expanding history that leave out flagged spikes (see ``_score_level``):
#: each pass finds the flood windows that the ones before left in the history (a long flood
#: needs many), and they stop when a pass finds none; this only bounds them
_MAX_PASSES = 32
#: a series whose baseline counts vary less than this share of their mean ticks like a clock
#: (a heartbeat, a stats line a minute): it is flagged only where its own rate moves, not
#: where the traffic around it did (see ``_judge``)
CLOCK_VAR = 0.2


def clock_like(mean: pl.Expr, var: pl.Expr) -> pl.Expr:
    """Whether counts a window of this ``mean`` and ``var`` tick like a clock: at least one a
    window, and far steadier than chance (variance under :data:`CLOCK_VAR` of the mean, where
    a count that follows requests has about the mean)."""
    return (mean >= 1.0) & (var <= CLOCK_VAR * mean)


def _expected(dense: pl.DataFrame, *, group: str) -> pl.DataFrame:
    """Add ``factor`` and ``expected`` to a dense frame with ``n_events`` and ``rate``.

    The traffic factor of a series in a (window, group) is a trimmed, leave-one-out ratio
    of sums over its peers (the normal workload: baseline series mostly below WARN,
    when the group has any): start from ``sum(observed) / sum(baseline rate)`` (or, when no
    series is near that, e.g. one flood outweighs all the others, the median series' ratio), drop
    the series more than 3 standard deviations from that expectation and recompute, drop
    the outliers of that factor; then leave the series itself out, so it is compared with the *other* series only. A
    minority of shifting templates cannot move it, and it stays stable at low counts.
    """
    keys = ["_wid", "_gid"]
    n, r = pl.col("n_events"), pl.col("rate")

    def ratio(keep: pl.Expr) -> pl.Expr:
        num = pl.when(keep).then(n).otherwise(0.0).sum().over(keys)
        den = pl.when(keep).then(r).otherwise(0.0).sum().over(keys)
        return pl.when(den > 0).then(num / den).otherwise(None)

    # peers: the normal workload (baseline series mostly below WARN), so errors that
    # came and went during an incident do not skew the factor afterwards; a group without
    # such series uses all of its series
    peer = (r > 0) & pl.col("_peer") if "_peer" in dense.columns else (r > 0)
    pool = pl.col("_pool")

    def inlier(f: str) -> pl.Expr:
        return pool & ((n - r * pl.col(f)).abs() <= 3.0 * (r * pl.col(f) + 1.0).sqrt())

    step = (
        dense.lazy()
        .with_columns(pl.when(peer.any().over(keys)).then(peer).otherwise(r > 0).alias("_pool"))
        .with_columns(ratio(pool).alias("_f0"))
        .with_columns(ratio(inlier("_f0")).alias("_r1"))
        .collect()
    )
    # one member that floods and outweighs all the others together drags that ratio so far
    # that no member is near it (the series would then be compared with nothing): start from
    # the median member's ratio there instead
    far = pl.col("_r1").is_null() & pl.col("_f0").is_not_null()
    if step.select(far.any()).item():
        median = pl.when(pool).then(n / r).otherwise(None).median().over(keys)
        step = step.with_columns(pl.when(far).then(pl.coalesce(median, pl.col("_f0"))).otherwise(pl.col("_f0")).alias("_f0"))
        step = step.with_columns(pl.when(far).then(ratio(inlier("_f0"))).otherwise(pl.col("_r1")).alias("_r1"))
    lazy = (
        step.lazy()
        .with_columns(pl.coalesce(pl.col("_r1"), pl.col("_f0")).alias("_f1"))
        .with_columns(inlier("_f1").alias("_keep"))
    )
    keep_n = pl.when(pl.col("_keep")).then(n).otherwise(0.0)
    keep_r = pl.when(pl.col("_keep")).then(r).otherwise(0.0)
    other_n = keep_n.sum().over(keys) - keep_n
    other_r = keep_r.sum().over(keys) - keep_r
    # conditional on this window's total of the series and its (kept) peers, the series'
    # count is binomial with its baseline share: both noises are accounted for
    return (
        lazy.with_columns(
            (n + other_n).alias("trials"),
            pl.when(other_r > 0).then(r / (r + other_r)).otherwise(1.0).alias("share"),
            pl.when(other_r > 0).then(other_n / other_r).otherwise(pl.when(r > 0).then(n / r).otherwise(0.0)).alias("factor"),
        )
        .with_columns((pl.col("trials") * pl.col("share")).alias("expected"))
        .drop("_keep", "_f0", "_f1", "_r1", "_pool")
        .collect()
    )


def _tails(
    n: np.ndarray, trials: np.ndarray, share: np.ndarray, n_k: np.ndarray, trials_k: np.ndarray, share_k: np.ndarray, phi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Upward and downward scores (max of the one-window and the ``span``-window tests;
    downward: the ``span`` test only, unless the window is empty).

    The exact quasi-binomial tails are computed where a normal approximation says the
    deviation is at least 2.5 standard deviations (the only rows that can reach a useful
    score); elsewhere the normal approximation itself is the score (below about 2).
    """

    def z(k: np.ndarray, t: np.ndarray, p: np.ndarray) -> np.ndarray:
        var = phi * np.maximum(t * p * (1.0 - p), 1e-9)
        return (k - t * p) / np.sqrt(var)

    z1, zk = z(n, trials, share), z(n_k, trials_k, share_k)
    # a dip in one window is noise (a slow batch, a retry storm elsewhere); drops are judged
    # over the span, except a window where the series logged nothing at all
    silent = n == 0
    zmax, zmin = np.maximum(z1, zk), np.where(silent, np.minimum(z1, zk), zk)
    with np.errstate(divide="ignore"):
        up = np.clip(-special.log_ndtr(-zmax) / np.log(10.0), 0.0, None)
        down = np.clip(-special.log_ndtr(zmin) / np.log(10.0), 0.0, None)
    hot = (np.abs(z1) >= 2.5) | (np.abs(zk) >= 2.5)
    if hot.any():
        i = np.flatnonzero(hot)
        u1, d1 = quasi_binomial_scores(n[i], trials[i], share[i], phi[i])
        uk, dk = quasi_binomial_scores(n_k[i], trials_k[i], share_k[i], phi[i])
        up[i], down[i] = np.maximum(u1, uk), np.where(silent[i], np.maximum(d1, dk), dk)
    return up, down


class RateDetector:
    """Flag windows where a template's (or a service's) count departs from its baseline share.

    Parameters
    ----------
    threshold
        Score (``-log10 p``) at or above which a window is flagged. 6 means a one in a
        million chance under the baseline. With more than 100,000 scored cells (series x
        windows) the bar rises to ``log10(cells) + 1`` (see :func:`family_threshold`).
    min_ratio
        Effect-size gate: a spike needs ``observed >= min_ratio x expected``, a drop
        ``observed <= expected / min_ratio``.
    min_count
        A spike needs at least this many events; a drop needs at least this many expected.
    span
        Number of consecutive windows also scored together (sustained shifts, heartbeats).
    update_baseline
        If true, :meth:`score` compares each window with the fitted baseline *plus* every
        earlier scored window (an expanding history; used when no baseline is given), except
        the windows where a series of the same group (a service's templates; the services)
        was flagged as a spike: a flood is not normal operation.

    Attributes
    ----------
    baseline_ : pl.DataFrame
        Per service x template: ``base_sum`` (events), ``phi`` (dispersion), ``top``
        (its largest window counts: a surge it already had, see ``_seen_before``).
    services_ : pl.DataFrame
        The same per service (service totals).
    n_windows_ : int
        Number of baseline windows.

    Notes
    -----
    Scores: ``-log10`` of the quasi-binomial tail probability of the observed count given
    its baseline share of the window (see module docs). Kinds: ``rate_spike``, ``rate_drop`` and ``gone`` (a
    template or service that was present in the baseline logs nothing at all).
    Series absent from the baseline are left to :class:`NewTemplateDetector`. Drops and
    ``gone`` are reported only for series of the fitted baseline whose records are mostly
    below WARN (fewer warnings or errors is recovery, not an incident).
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
        warn = pl.col("n_warnings").sum() if "n_warnings" in counts.columns else pl.lit(0)
        sums = counts.group_by(keys).agg(
            pl.col("n_events").sum().cast(pl.Float64).alias("base_sum"),
            (warn / pl.col("n_events").sum()).cast(pl.Float64).alias("warn_share"),
            # its largest window counts: a surge it already had is not news (see _seen_before)
            pl.col("n_events").cast(pl.Float64).top_k(_SEEN_TIMES + 1).alias("top"),
        )
        if group not in keys:
            sums = sums.with_columns(pl.lit(_ALL).alias(group))
        sums = sums.with_columns(pl.col(group).rank("dense").alias("_gid"))
        sums = sums.with_columns((pl.col("warn_share") < 0.5).alias("_peer"))
        dense = dense_grid(counts, sums, keys=keys)
        dense = dense.with_columns((pl.col("base_sum") / n_windows).alias("rate"))
        n = pl.col("n_events")
        clock = dense.group_by("_sid").agg(clock_like(n.mean(), n.var(ddof=0)).alias("_clock"))
        dense = _expected(dense, group=group)
        var = pl.col("expected") * (1.0 - pl.col("share"))
        resid2 = (pl.col("n_events") - pl.col("expected")) ** 2 / pl.max_horizontal(var, 0.5)
        phi = (
            dense.group_by("_sid")
            .agg(resid2.median().alias("phi"))
            .with_columns((pl.col("phi") / _MEDIAN_CHI2_1).clip(1.0, 100.0))
        )
        return (
            sums.with_row_index("_sid")
            .join(phi, on="_sid")
            .join(clock.rename({"_clock": "clock"}), on="_sid", how="left")
            .drop("_sid", "_gid", "_peer", strict=False)
        )

    def _seen_before(self, cand: pl.DataFrame, dense: pl.DataFrame, *, keys: list[str], expanding: bool) -> pl.DataFrame:
        """``cand`` (rows of ``dense`` about to be flagged as spikes: ``_row``, ``_sid``,
        ``_wid``, ``n_events`` and ``keys``) with ``seen``: how many windows of the history
        (the baseline's, and with an expanding history the earlier windows not left out,
        before the series last fell back to a quarter of this count) held at least half as
        many events of the series, and at least ``min_count``.
        """
        tops = self.baseline_ if keys == ["service", "template_id"] else self.services_
        floor = pl.max_horizontal(pl.col("n_events") * _SEEN_SHARE, pl.lit(float(self.min_count)))
        base = (
            cand.join(tops.select(*keys, "top"), on=keys, how="left", nulls_equal=True)
            .explode("top")
            .group_by("_row")
            .agg((pl.col("top") >= floor).sum().alias("seen"))
        )
        out = cand.join(base, on="_row", how="left").with_columns(pl.col("seen").fill_null(0))
        if expanding:
            # (only a surge that ended counts: before the last window back at a quarter of this
            # count or less; the windows of one long flood are not each other's history)
            hist = dense.select("_sid", pl.col("_wid").alias("_hwid"), pl.col("n_events").alias("_hn"), "_hist")
            pairs = cand.join(hist, on="_sid").filter(pl.col("_hwid") < pl.col("_wid"))
            ended = (
                pairs.filter(pl.col("_hn") <= _BREAK_SHARE * pl.col("n_events"))
                .group_by("_row")
                .agg(pl.col("_hwid").max().alias("_brk"))
            )
            earlier = (
                pairs.join(ended, on="_row")
                .filter((pl.col("_hwid") < pl.col("_brk")) & pl.col("_hist") & (pl.col("_hn") >= floor))
                .group_by("_row")
                .agg(pl.len().alias("_more"))
            )
            out = (
                out.join(earlier, on="_row", how="left")
                .with_columns((pl.col("seen") + pl.col("_more").fill_null(0)).alias("seen"))
                .drop("_more")
            )
        return out

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
        # (each part cast first: a level with nothing to score comes out with default dtypes)
        out = pl.concat([part.select(SCORES_SCHEMA.names()).cast(SCORES_SCHEMA) for part in (tmpl, svc_scores)])
        return out.sort("window_start", "service", "template_id", nulls_last=True)

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
        series = (
            series.join(base.select(*keys, "base_sum", "phi", "warn_share", "clock"), on=keys, how="left", nulls_equal=True)
            .with_columns(
                # only what was part of normal operation can go missing: a series absent from
                # the fitted baseline (e.g. an error that started and then stopped) cannot, and
                # fewer warnings or errors is recovery, not an incident
                ((pl.col("base_sum").fill_null(0.0) > 0) & (pl.col("warn_share").fill_null(1.0) < 0.5)).alias("_can_drop"),
                pl.col("base_sum").fill_null(0.0),
                pl.col("phi").fill_null(1.0),
                pl.col("clock").fill_null(False).alias("_clock"),
            )
            .with_columns(pl.col(group).rank("dense").alias("_gid"))
        )
        series = series.with_columns(pl.col("_can_drop").alias("_peer"))
        grid = dense_grid(counts, series, keys=keys)
        n_windows = float(self.n_windows_)
        if not self.update_baseline:
            return self._judge(grid.with_columns((pl.col("base_sum") / n_windows).alias("rate")), keys=keys, group=group)
        # expanding history: baseline + every earlier window of this frame, except the windows
        # where a series of the group (the service's templates; the services) was flagged as a
        # spike: an incident's flood is not normal operation. Absorbed, it would hide the rest of
        # the flood, and its end would read as a drop of everything it inflated; left out for
        # the flooded series only, the group's other series would keep what the incident added
        # to them and look low against it afterwards. Which windows spike depends on the
        # history, so they are found in a few passes, each leaving out what the ones before flagged.
        dense = self._expanding(grid, None, n_windows)
        n_cells = int(dense.select((pl.col("rate") > 0).sum()).item())  # the cells judged (for the bar)
        first = self._judge(dense, keys=keys, group=group, n_cells=n_cells)
        both, skip = first, None
        for _ in range(_MAX_PASSES):
            spiked = both.filter(pl.col("flagged") & (pl.col("kind") == "rate_spike")).select("_gid", "_wid").unique()
            grown = spiked if skip is None else pl.concat([skip, spiked]).unique()
            if grown.height == 0 or (skip is not None and grown.height == skip.height):
                break
            skip = grown
            # only those groups are judged again: a series' expectation depends on its group only
            in_groups = pl.col("_gid").is_in(skip.get_column("_gid").unique().implode())
            again = self._judge(self._expanding(grid.filter(in_groups), skip, n_windows), keys=keys, group=group, n_cells=n_cells)
            both = pl.concat([first.filter(~in_groups), again], how="diagonal_relaxed")
        return both

    @staticmethod
    def _expanding(grid: pl.DataFrame, skip: pl.DataFrame | None, n_windows: float) -> pl.DataFrame:
        """``grid`` with ``rate``: the mean count of the baseline and the earlier windows of the
        series' group that are not in ``skip`` (``_gid``, ``_wid``)."""
        if skip is None:
            prior = pl.col("n_events").cum_sum().shift(1, fill_value=0.0).over("_sid")
            return grid.with_columns(
                ((pl.col("base_sum") + prior) / (n_windows + pl.col("_wid"))).alias("rate"), pl.lit(True).alias("_hist")
            )
        keep = ~pl.col("_skip")
        prior = pl.when(keep).then(pl.col("n_events")).otherwise(0.0).cum_sum().shift(1, fill_value=0.0).over("_sid")
        n_prior = keep.cast(pl.Float64).cum_sum().shift(1, fill_value=0.0).over("_sid")
        return (
            grid.join(skip.with_columns(pl.lit(True).alias("_skip")), on=["_gid", "_wid"], how="left", maintain_order="left")
            .with_columns(pl.col("_skip").fill_null(False))
            .with_columns(((pl.col("base_sum") + prior) / (n_windows + n_prior)).alias("rate"), keep.alias("_hist"))
            .drop("_skip")
        )

    def _judge(self, dense: pl.DataFrame, *, keys: list[str], group: str, n_cells: int | None = None) -> pl.DataFrame:
        """Score every cell of ``dense`` (``dense_grid`` order, with the column ``rate``).

        ``n_cells``: the number of cells of the whole grid when ``dense`` is a part of it (the
        bar of :func:`family_threshold` counts them all).
        """
        dense = _expected(dense, group=group).filter(pl.col("rate") > 0)
        span = int(self.span)
        # dense_grid's order (series, then window) is kept by every step above
        dense = dense.with_columns(
            pl.col("n_events").rolling_sum(span, min_samples=1).over("_sid").alias("obs_k"),
            pl.col("expected").rolling_sum(span, min_samples=1).over("_sid").alias("exp_k"),
            pl.col("trials").rolling_sum(span, min_samples=1).over("_sid").alias("trials_k"),
            (pl.col("n_events") > 0).cast(pl.Float64).rolling_sum(span, min_samples=1).over("_sid").alias("present_k"),
            (1.0 - (-pl.col("expected")).exp()).rolling_mean(span, min_samples=1).over("_sid").alias("presence"),
        )
        col = {c: dense.get_column(c).to_numpy().astype(float) for c in ("n_events", "trials", "share", "obs_k", "exp_k", "trials_k", "phi", "presence", "present_k")}
        phi = col["phi"]
        share_k = np.divide(col["exp_k"], col["trials_k"], out=np.ones_like(col["exp_k"]), where=col["trials_k"] > 0)
        up, down = _tails(col["n_events"], col["trials"], col["share"], col["obs_k"], col["trials_k"], share_k, phi)
        # rare series (present in under half the windows) arrive in clusters (a restart logs
        # a few lines at once), so a surge must also recur across the last `span` windows,
        # unless it is overwhelming (score >= 2 x threshold)
        presence = col["presence"]
        rare = (presence < 0.5) & (up < 2.0 * self.threshold) & (up >= 1.0)
        if rare.any():
            i = np.flatnonzero(rare)
            recur = binomial_upper_score(col["present_k"][i], np.full(len(i), float(span)), np.clip(presence[i], 1e-12, 1.0))
            up[i] = np.minimum(up[i], recur)
        bar = family_threshold(self.threshold, dense.height if n_cells is None else n_cells)
        # a surge the series already had in its history, at half the size or more and not
        # flagged then (an hourly job's burst of warnings), is how it behaves: its score is
        # that history's frequency of it, far below any bar
        cand = (
            dense.select("_sid", "_wid", "n_events", *keys)
            .with_row_index("_row")
            .filter(pl.Series(up >= min(bar, 2.0)) & (pl.col("n_events") >= self.min_count))
        )
        if cand.height:
            seen = self._seen_before(cand, dense, keys=keys, expanding=self.update_baseline)
            seen = seen.filter(pl.col("seen") >= _SEEN_TIMES)
            if seen.height:
                i = seen.get_column("_row").to_numpy()
                n_hist = float(self.n_windows_) + (seen.get_column("_wid").to_numpy() if self.update_baseline else 0.0)
                freq = -np.log10((seen.get_column("seen").to_numpy() + 1.0) / (n_hist + 1.0))
                up[i] = np.minimum(up[i], freq)
        dense = dense.with_columns(pl.Series("up", up), pl.Series("down", down))
        r = self.min_ratio
        var = pl.col("phi") * pl.max_horizontal(pl.col("expected") * (1.0 - pl.col("share")), 1.0)
        resid = (pl.col("n_events") - pl.col("expected")) / var.sqrt()
        spike_gate = ((pl.col("n_events") >= self.min_count) & (pl.col("n_events") >= r * pl.col("expected"))) | (
            (pl.col("obs_k") >= self.min_count) & (pl.col("obs_k") >= r * pl.col("exp_k"))
        )
        drop_gate = ((pl.col("expected") >= self.min_count) & (pl.col("n_events") * r <= pl.col("expected"))) | (
            (pl.col("exp_k") >= self.min_count) & (pl.col("obs_k") * r <= pl.col("exp_k"))
        )
        # a series that ticks like a clock (a heartbeat, a stats line a minute) does not follow
        # the traffic: against the traffic it "drops" when the traffic surges (a market's
        # opening bell) and "spikes" when it ebbs; only a change of its own rate counts
        clock = pl.col("_clock")
        spike_gate = spike_gate & (~clock | (pl.col("n_events") >= r * pl.col("rate")))
        drop_gate = drop_gate & (~clock | (pl.col("n_events") * r <= pl.col("rate")))
        spikes = dense.filter(pl.col("up") >= pl.col("down")).with_columns(
            pl.lit("rate_spike").alias("kind"),
            pl.col("up").alias("score"),
            # the window itself must show the rise (span evidence alone would keep flagging
            # the windows after a burst has ended)
            ((pl.col("up") >= bar) & spike_gate & (pl.col("n_events") > pl.col("expected"))).alias("flagged"),
            ((resid >= 2.0) & (pl.col("n_events") >= 1)).alias("weak"),
        )
        drops = dense.filter(pl.col("up") < pl.col("down")).with_columns(
            pl.when((pl.col("n_events") == 0) & (pl.col("obs_k") == 0))
            .then(pl.lit("gone"))
            .otherwise(pl.lit("rate_drop"))
            .alias("kind"),
            pl.col("down").alias("score"),
            ((pl.col("down") >= bar) & drop_gate & (pl.col("n_events") < pl.col("expected")) & pl.col("_can_drop")).alias("flagged"),
            ((resid <= -2.0) | ((pl.col("n_events") == 0) & (pl.col("expected") >= 1.0))).alias("weak"),
        )
        both = pl.concat([spikes, drops], how="diagonal_relaxed")
        if group not in keys:
            # services' files rarely start and end at the same second (ragged export
            # edges): a service's share in the first and last window is not evidence
            last = dense.get_column("_wid").max()
            edge = (pl.col("_wid") == 0) | (pl.col("_wid") == last)
            both = both.with_columns((pl.col("flagged") & ~edge).alias("flagged"))
        both = both.filter(pl.col("weak") | pl.col("flagged"))
        return both.with_columns(
            pl.lit("rate").alias("detector"),
            pl.lit(None, dtype=pl.String).alias("feature"),
            pl.col("n_events").alias("observed"),
        )
