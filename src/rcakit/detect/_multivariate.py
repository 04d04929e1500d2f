"""Multivariate detectors over the window x template matrix: :class:`MultivariateDetector`.

The default model is PCA residual analysis in the style of loglizer (Xu et al., SOSP'09):
the normal space is spanned by the principal components that explain ``variance`` of the
baseline; the squared prediction error (SPE) of a row outside that space is turned into a
p-value with the Jackson-Mudholkar Q-statistic, so the score is ``-log10 p`` like every
other detector. Any scikit-learn outlier detector (e.g. ``IsolationForest``) can be passed
as ``model`` instead; it is cloned in ``fit``.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import polars as pl
from scipy import special
from threadpoolctl import threadpool_limits

from rcakit.detect._estimator import check_counts, check_fitted, check_positive
from rcakit.detect._stats import MAX_SCORE, SCORES_SCHEMA
from rcakit.errors import ConfigError, InputError

__all__ = ["MultivariateDetector", "PCAResidual"]


class PCAResidual:
    """PCA residual (SPE) outlier model on a numeric matrix, with Q-statistic p-values.

    Parameters
    ----------
    variance
        Share of the baseline variance the normal space keeps (loglizer uses 0.95).
    tfidf
        Weight columns by inverse document frequency before centring (loglizer's
        ``term_weighting="tf-idf"``; useful for session count vectors).

    Attributes
    ----------
    mean_, idf_, components_, theta_ : numpy arrays
        Learned centring, weights, normal-space basis and the Q-statistic moments.
    """

    def __init__(self, *, variance: float = 0.95, tfidf: bool = False) -> None:
        self.variance = variance
        self.tfidf = tfidf

    def _weight(self, x: np.ndarray) -> np.ndarray:
        return x * self.idf_ if self.tfidf else x

    def fit(self, x: np.ndarray) -> Self:
        """Learn the normal space from baseline rows ``x`` (n_rows x n_features)."""
        if not 0 < self.variance < 1:
            msg = f"variance must be in (0, 1), got {self.variance!r}"
            raise ConfigError(msg)
        x = np.asarray(x, dtype=float)
        if x.shape[0] < 3:
            msg = f"PCA residual model needs at least 3 baseline rows, got {x.shape[0]}"
            raise InputError(msg)
        df = np.count_nonzero(x > 0, axis=0)
        self.idf_ = np.log(x.shape[0] / np.maximum(df, 1)) if self.tfidf else np.ones(x.shape[1])
        xw = self._weight(x)
        self.mean_ = xw.mean(axis=0)
        xc = xw - self.mean_
        # small matrices: one BLAS thread is faster, and immune to a busy machine's threads
        with threadpool_limits(limits=1):
            _, s, vt = np.linalg.svd(xc, full_matrices=False)
        eig = s**2 / max(x.shape[0] - 1, 1)
        total = eig.sum()
        if total <= 0:
            k = 0
        else:
            k = int(np.searchsorted(np.cumsum(eig) / total, self.variance) + 1)
            k = min(k, len(eig))
        self.components_ = vt[:k]
        rest = eig[k:]
        self.theta_ = np.array([np.sum(rest**i) for i in (1, 2, 3)])
        return self

    def residuals(self, x: np.ndarray) -> np.ndarray:
        """Residual vectors (outside the normal space) of rows ``x``."""
        check_fitted(self, "components_")
        xc = self._weight(np.asarray(x, dtype=float)) - self.mean_
        with threadpool_limits(limits=1):
            return xc - (xc @ self.components_.T) @ self.components_

    def score(self, x: np.ndarray) -> np.ndarray:
        """``-log10 p`` of each row's SPE under the Q-statistic (Jackson & Mudholkar 1979)."""
        spe = np.sum(self.residuals(x) ** 2, axis=1)
        t1, t2, t3 = self.theta_
        if t1 <= 1e-12 or t2 <= 0:
            # the baseline has no residual variance: any residual at all is anomalous
            return np.where(spe > 1e-9, MAX_SCORE, 0.0)
        h0 = 1.0 - 2.0 * t1 * t3 / (3.0 * t2**2)
        h0 = h0 if abs(h0) > 1e-6 else 1e-6
        c = t1 * ((spe / t1) ** h0 - 1.0 - t2 * h0 * (h0 - 1.0) / t1**2) / np.sqrt(2.0 * t2 * h0**2)
        score = -special.log_ndtr(-c) / np.log(10.0)
        return np.clip(np.nan_to_num(score, nan=0.0), 0.0, MAX_SCORE)


def model_scores(model: Any, fitted: Any, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Scores of a PCA residual or a scikit-learn outlier model (and its own flags)."""
    if isinstance(fitted, PCAResidual):
        return fitted.score(x), None
    raw = -np.asarray(fitted.decision_function(x), dtype=float)
    flags = np.asarray(fitted.predict(x)) == -1
    return raw, flags


def fit_model(model: Any, x: np.ndarray, *, tfidf: bool) -> Any:
    """Fit a clone of ``model`` (``None`` = :class:`PCAResidual`) on ``x``."""
    if model is None:
        return PCAResidual(tfidf=tfidf).fit(x)
    if isinstance(model, PCAResidual):
        return PCAResidual(variance=model.variance, tfidf=model.tfidf).fit(x)
    if not (hasattr(model, "fit") and hasattr(model, "decision_function")):
        msg = f"model must be a scikit-learn outlier detector with fit/decision_function/predict, got {model!r}"
        raise ConfigError(msg)
    from sklearn.base import clone  # imported here: scikit-learn is slow to import

    return clone(model).fit(x)


class MultivariateDetector:
    """Flag windows whose mix of templates is unusual as a whole.

    Rows are windows; columns are service x template *shares* of the window's records (so
    traffic volume does not matter, only the mix).

    Parameters
    ----------
    model
        ``None`` for :class:`PCAResidual` (score ``-log10 p``), or a scikit-learn outlier
        detector such as ``IsolationForest(random_state=0)`` (score = ``-decision_function``,
        flagged where ``predict == -1``).
    threshold
        Score at or above which a window is flagged (PCA model only).
    min_windows
        Baseline windows needed to fit.

    Attributes
    ----------
    columns_ : pl.DataFrame
        The service x template columns of the matrix, in order.
    model_ : object
        The fitted model.
    """

    def __init__(self, *, model: Any = None, threshold: float = 6.0, min_windows: int = 10) -> None:
        self.model = model
        self.threshold = threshold
        self.min_windows = min_windows

    def _matrix(self, counts: pl.DataFrame, columns: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
        keyed = counts.join(columns, on=["service", "template_id"], how="left", nulls_equal=True)
        windows = counts.select("window_start").unique().sort("window_start")
        widx = windows.with_row_index("_w")
        keyed = keyed.join(widx, on="window_start")
        totals = keyed.group_by("_w").agg(pl.col("n_events").sum().cast(pl.Float64).alias("t")).sort("_w")
        known = keyed.filter(pl.col("_c").is_not_null())
        x = np.zeros((windows.height, columns.height))
        x[known.get_column("_w").to_numpy(), known.get_column("_c").to_numpy()] = known.get_column("n_events").to_numpy()
        tot = np.zeros(windows.height)
        tot[totals.get_column("_w").to_numpy()] = totals.get_column("t").to_numpy()
        return windows, x, tot

    def fit(self, counts: pl.DataFrame) -> Self:
        """Fit the model on the baseline windows' template mix.

        Returns
        -------
        MultivariateDetector
            ``self``.

        Raises
        ------
        InputError
            If the baseline has fewer than ``min_windows`` windows.
        """
        check_positive("threshold", self.threshold)
        check_counts(counts, stage="MultivariateDetector.fit")
        columns = counts.select("service", "template_id").unique().sort("service", "template_id")
        self.columns_ = columns.with_row_index("_c").with_columns(pl.col("_c").cast(pl.Int64))
        windows, x, tot = self._matrix(counts, self.columns_)
        if windows.height < self.min_windows:
            msg = (
                f"MultivariateDetector.fit: the baseline has {windows.height} windows, at least "
                f"{self.min_windows} are needed; use a longer baseline or a smaller window"
            )
            raise InputError(msg)
        shares = x / np.maximum(tot, 1.0)[:, None]
        self.mean_share_ = shares.mean(axis=0)
        self.model_ = fit_model(self.model, shares, tfidf=False)
        return self

    def score(self, counts: pl.DataFrame) -> pl.DataFrame:
        """Score each window of ``counts``; the row names the template with the largest residual.

        Returns
        -------
        pl.DataFrame
            ``SCORES_SCHEMA`` rows (detector and kind ``"multivariate"``), one per window
            with any evidence; ``observed``/``expected`` are the top template's count and its
            baseline-share expectation.
        """
        check_fitted(self, "model_")
        check_counts(counts, stage="MultivariateDetector.score")
        windows, x, tot = self._matrix(counts, self.columns_)
        shares = x / np.maximum(tot, 1.0)[:, None]
        score, flags = model_scores(self.model, self.model_, shares)
        if isinstance(self.model_, PCAResidual):
            resid = self.model_.residuals(shares)
            top = np.argmax(np.abs(resid), axis=1) if resid.shape[1] else np.zeros(len(score), dtype=int)
            flags = score >= self.threshold
        else:
            top = np.argmax(np.abs(shares - self.mean_share_), axis=1)
        if self.columns_.height == 0:
            return pl.DataFrame(schema=SCORES_SCHEMA)
        cols = self.columns_.sort("_c")
        rows = np.arange(len(score))
        out = windows.with_columns(
            pl.Series("score", score),
            pl.Series("flagged", flags),
            pl.Series("service", cols.get_column("service").to_numpy()[top]),
            pl.Series("template_id", cols.get_column("template_id").to_numpy()[top]),
            pl.Series("observed", x[rows, top]),
            pl.Series("expected", self.mean_share_[top] * tot),
        ).with_columns(
            (pl.col("score") >= 0.5 * self.threshold).alias("weak") if isinstance(self.model_, PCAResidual) else pl.col("flagged").alias("weak"),
            pl.lit("multivariate").alias("detector"),
            pl.lit("multivariate").alias("kind"),
            pl.lit(None, dtype=pl.String).alias("feature"),
        ).filter(pl.col("weak") | pl.col("flagged"))
        return out.select(SCORES_SCHEMA.names()).cast(SCORES_SCHEMA)
