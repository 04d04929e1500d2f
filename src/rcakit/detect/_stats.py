"""Tail probabilities on the score scale every detector shares: ``-log10 p``.

A score of 6 means "a result at least this extreme would happen once in a million windows
if the baseline still held". Counts are treated as quasi-Poisson: a dispersion factor
``phi >= 1`` learned from the baseline widens the tails of bursty series so that normal
noise does not read as an anomaly.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import special

__all__ = [
    "MAX_SCORE",
    "SCORES_SCHEMA",
    "binomial_upper_score",
    "empty_scores",
    "family_threshold",
    "poisson_lower_score",
    "poisson_upper_score",
    "quasi_binomial_scores",
]

#: Scores are capped here (p-values below 1e-99 carry no extra meaning).
MAX_SCORE = 99.0

#: One row per window x service x template x detector with any evidence.
SCORES_SCHEMA = pl.Schema(
    {  # type: ignore[arg-type]
        "window_start": pl.Datetime("us", time_zone="UTC"),
        "detector": pl.String,
        "kind": pl.String,
        "service": pl.String,
        "template_id": pl.String,
        "feature": pl.String,  # parameter name, session id, ... (null when not applicable)
        "observed": pl.Float64,
        "expected": pl.Float64,
        "score": pl.Float64,
        "weak": pl.Boolean,  # the shift is visible in this window (used to find the onset)
        "flagged": pl.Boolean,  # score >= threshold and the effect-size gates pass
    }
)


def family_threshold(threshold: float, n_tests: int) -> float:
    """The flag threshold for ``n_tests`` scored cells: ``max(threshold, log10(n_tests) + 1)``.

    With thousands of series x a day of windows, one-in-a-million events happen by chance;
    raising the bar to ``log10(n_tests) + 1`` keeps the chance of any false flag in one run
    near 10% (Bonferroni), while small inputs keep the plain threshold.
    """
    return max(float(threshold), float(np.log10(max(n_tests, 1))) + 1.0)


def empty_scores() -> pl.DataFrame:
    """An empty frame with :data:`SCORES_SCHEMA`."""
    return pl.DataFrame(schema=SCORES_SCHEMA)


def _to_score(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        s = -np.log10(np.clip(p, 1e-300, 1.0))
    return np.clip(np.nan_to_num(s, nan=0.0), 0.0, MAX_SCORE)


def poisson_upper_score(observed: np.ndarray, expected: np.ndarray, phi: np.ndarray | float) -> np.ndarray:
    """``-log10 P(X >= observed)`` for quasi-Poisson ``X`` with mean ``expected``.

    ``phi`` is the dispersion (variance / mean); counts and mean are divided by it.
    """
    obs = np.asarray(observed, dtype=float) / phi
    lam = np.maximum(np.asarray(expected, dtype=float) / phi, 1e-12)
    p = np.where(obs > 0, special.gammainc(np.maximum(obs, 1e-12), lam), 1.0)
    return _to_score(p)


def poisson_lower_score(observed: np.ndarray, expected: np.ndarray, phi: np.ndarray | float) -> np.ndarray:
    """``-log10 P(X <= observed)`` for quasi-Poisson ``X`` with mean ``expected``."""
    obs = np.asarray(observed, dtype=float) / phi
    lam = np.maximum(np.asarray(expected, dtype=float) / phi, 1e-12)
    p = special.gammaincc(obs + 1.0, lam)
    return _to_score(p)


def quasi_binomial_scores(
    k: np.ndarray, n: np.ndarray, p0: np.ndarray, phi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``-log10 P(K >= k)`` and ``-log10 P(K <= k)`` for ``K ~ Binomial(n, p0)``.

    Counts and trials are divided by the dispersion ``phi`` (quasi-binomial); real-valued
    ``k`` and ``n`` are handled through the regularized incomplete beta function.
    """
    kk = np.asarray(k, dtype=float) / phi
    nn = np.maximum(np.asarray(n, dtype=float) / phi, kk)
    p = np.clip(np.asarray(p0, dtype=float), 1e-12, 1.0 - 1e-12)
    with np.errstate(invalid="ignore", divide="ignore"):
        upper = np.where(kk > 0, special.betainc(np.maximum(kk, 1e-12), np.maximum(nn - kk + 1.0, 1e-12), p), 1.0)
        lower = np.where(kk < nn, 1.0 - special.betainc(kk + 1.0, np.maximum(nn - kk, 1e-12), p), 1.0)
    return _to_score(upper), _to_score(lower)


def binomial_upper_score(k: np.ndarray, n: np.ndarray, p0: float | np.ndarray) -> np.ndarray:
    """``-log10 P(K >= k)`` for ``K ~ Binomial(n, p0)``."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    p0 = np.clip(np.asarray(p0, dtype=float), 1e-12, 1.0 - 1e-12)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(k > 0, special.betainc(np.maximum(k, 1e-12), np.maximum(n - k + 1.0, 1e-12), p0), 1.0)
    return _to_score(p)
