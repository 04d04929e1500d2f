"""Session-level detection in the style of loglizer: :func:`count_sessions`, :class:`SessionDetector`.

A session is the set of records sharing a key: ``trace_id`` by default, any column, or
every match of a regular expression in the body (e.g. HDFS block ids ``blk_-?\\d+``; a
record mentioning two blocks belongs to both). Each session becomes a vector of template
counts; the detector learns the normal space of those vectors (PCA residual with tf-idf
(on raw counts by default) and flags sessions outside it, or with templates never seen before.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import polars as pl

from rcakit.detect._estimator import check_fitted, check_positive
from rcakit.detect._multivariate import PCAResidual, fit_model, model_scores
from rcakit.detect._stats import MAX_SCORE
from rcakit.errors import InputError, SchemaError

__all__ = ["SESSION_COUNTS", "SessionDetector", "count_sessions"]

#: Long session x template count frame.
SESSION_COUNTS = pl.Schema({"session_id": pl.String, "template_id": pl.String, "n_events": pl.UInt32})


def count_sessions(
    records: pl.DataFrame,
    *,
    key: str = "trace_id",
    pattern: str | None = None,
) -> pl.DataFrame:
    """Count templates per session.

    Parameters
    ----------
    records
        Templated records (``TEMPLATED_RECORDS``).
    key
        Column holding the session id (ignored when ``pattern`` is given).
    pattern
        Regular expression; every match in ``body`` is a session id of that record.

    Returns
    -------
    pl.DataFrame
        ``session_id``, ``template_id``, ``n_events`` (UInt32), ``first_seen`` (the first
        timestamp of the template in the session, when ``timestamp`` is present). Records
        without a session id are left out.
    """
    if "template_id" not in records.columns:
        msg = "count_sessions: the frame has no 'template_id'; pass rcakit.mine_templates() output"
        raise SchemaError(msg)
    if pattern is not None:
        if "body" not in records.columns:
            msg = "count_sessions: pattern= needs a 'body' column"
            raise SchemaError(msg)
        ids = records.with_columns(pl.col("body").str.extract_all(pattern).list.unique(maintain_order=True).alias("session_id"))
        ids = ids.explode("session_id")
    else:
        if key not in records.columns:
            msg = f"count_sessions: no column {key!r} to group sessions by; pass key= or pattern="
            raise SchemaError(msg)
        ids = records.with_columns(pl.col(key).cast(pl.String).alias("session_id"))
    ids = ids.filter(pl.col("session_id").is_not_null() & (pl.col("session_id") != ""))
    aggs = [pl.len().cast(pl.UInt32).alias("n_events")]
    if "timestamp" in ids.columns:
        aggs.append(pl.col("timestamp").min().alias("first_seen"))
    return ids.group_by("session_id", "template_id").agg(aggs).sort("session_id", "template_id")


class SessionDetector:
    """Flag sessions whose template counts are unusual (loglizer-style PCA by default).

    Parameters
    ----------
    model
        ``None`` for :class:`PCAResidual` on raw counts keeping 95% of the variance (score
        ``-log10 p`` of the SPE under the Q-statistic), or a scikit-learn outlier detector
        (e.g. ``IsolationForest``; score = ``-decision_function``, flagged where
        ``predict == -1``).
    threshold
        Score at or above which a session is flagged (PCA model only). The default 3 is
        loglizer's alpha = 0.001: the Q-statistic's normal approximation compresses the far
        tail (an SPE 36x the residual variance scores only about 6), so the window
        detectors' 6 would be too strict here.
    tfidf
        Weight templates by inverse document frequency before PCA (loglizer's option; on
        HDFS raw counts work better).
    flag_new_templates
        Also flag sessions containing a template never seen in ``fit``.

    Attributes
    ----------
    templates_ : list of str
        Matrix columns (templates seen in fit).
    model_ : object
        The fitted model.
    """

    def __init__(
        self, *, model: Any = None, threshold: float = 3.0, flag_new_templates: bool = True, tfidf: bool = False
    ) -> None:
        self.model = model
        self.threshold = threshold
        self.flag_new_templates = flag_new_templates
        self.tfidf = tfidf

    def _matrix(self, sessions: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
        ids = sessions.select("session_id").unique(maintain_order=True).with_row_index("_s")
        cols = pl.DataFrame({"template_id": self.templates_}).with_row_index("_c")
        keyed = sessions.join(ids, on="session_id").join(cols, on="template_id", how="left")
        x = np.zeros((ids.height, len(self.templates_)))
        known = keyed.filter(pl.col("_c").is_not_null())
        np.add.at(x, (known.get_column("_s").to_numpy(), known.get_column("_c").to_numpy()), known.get_column("n_events").to_numpy())
        unknown = np.zeros(ids.height)
        new = keyed.filter(pl.col("_c").is_null())
        np.add.at(unknown, new.get_column("_s").to_numpy(), new.get_column("n_events").to_numpy())
        return ids, x, unknown

    def fit(self, sessions: pl.DataFrame) -> Self:
        """Learn the normal space of session count vectors.

        Parameters
        ----------
        sessions
            Output of :func:`count_sessions` (``session_id``, ``template_id``, ``n_events``).

        Returns
        -------
        SessionDetector
            ``self``.
        """
        check_positive("threshold", self.threshold)
        _check(sessions, "SessionDetector.fit")
        self.templates_ = sorted(sessions.get_column("template_id").unique().drop_nulls().to_list())
        # rows in session order, whatever order the frame came in (a join does not keep it):
        # models that subsample rows (IsolationForest) then learn the same thing every run
        _, x, _ = self._matrix(sessions.sort("session_id", "template_id", maintain_order=True))
        self.model_ = fit_model(self.model, x, tfidf=self.tfidf)
        return self

    def score(self, sessions: pl.DataFrame) -> pl.DataFrame:
        """Score each session.

        Returns
        -------
        pl.DataFrame
            One row per session: ``session_id``, ``n_events``, ``n_new_events`` (events of
            templates unseen in fit), ``score``, ``flagged``, plus ``first_seen`` when known.
        """
        check_fitted(self, "model_")
        _check(sessions, "SessionDetector.score")
        ids, x, unknown = self._matrix(sessions)
        score, flags = model_scores(self.model, self.model_, x)
        if flags is None:
            flags = score >= self.threshold
        if self.flag_new_templates:
            flags = flags | (unknown > 0)
            if isinstance(self.model_, PCAResidual):
                score = np.where(unknown > 0, np.maximum(score, min(self.threshold, MAX_SCORE)), score)
        out = ids.drop("_s").with_columns(
            pl.Series("n_events", x.sum(axis=1) + unknown).cast(pl.UInt32),
            pl.Series("n_new_events", unknown).cast(pl.UInt32),
            pl.Series("score", score, dtype=pl.Float64),
            pl.Series("flagged", flags, dtype=pl.Boolean),
        )
        if "first_seen" in sessions.columns:
            first = sessions.group_by("session_id").agg(pl.col("first_seen").min())
            out = out.join(first, on="session_id", how="left")
        return out


def _check(sessions: pl.DataFrame, stage: str) -> None:
    missing = [c for c in SESSION_COUNTS if c not in sessions.columns]
    if missing:
        msg = f"{stage}: missing columns {missing}; build the input with rcakit.detect.count_sessions()"
        raise SchemaError(msg)
    if sessions.height == 0:
        msg = f"{stage}: no sessions (no record carries a session id); check key= or pattern="
        raise InputError(msg)
