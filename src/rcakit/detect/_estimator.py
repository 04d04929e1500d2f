"""Helpers shared by the detectors: fitted checks, input checks, the dense count grid."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from rcakit.errors import ConfigError, NotFittedError, SchemaError
from rcakit.schemas import WINDOW_COUNTS, check_schema

__all__ = ["check_counts", "check_fitted", "check_positive", "dense_grid"]


def check_fitted(estimator: Any, attribute: str) -> None:
    """Raise :class:`~rcakit.errors.NotFittedError` unless ``fit`` has run."""
    if not hasattr(estimator, attribute):
        name = type(estimator).__name__
        msg = f"this {name} is not fitted yet; call {name}.fit(baseline) before using it"
        raise NotFittedError(msg)


def check_positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    """Raise :class:`~rcakit.errors.ConfigError` unless ``value`` is a positive number."""
    ok = value >= 0 if allow_zero else value > 0
    if not isinstance(value, int | float) or not ok:
        bound = ">= 0" if allow_zero else "> 0"
        msg = f"{name} must be a number {bound}, got {value!r}"
        raise ConfigError(msg)


def check_counts(counts: pl.DataFrame, *, stage: str) -> None:
    """Check a count matrix against ``WINDOW_COUNTS`` and refuse an empty one."""
    if not isinstance(counts, pl.DataFrame):
        msg = f"{stage}: expected a polars DataFrame from rcakit.count_windows(), got {type(counts).__name__}"
        raise SchemaError(msg)
    check_schema(counts, WINDOW_COUNTS, stage=stage)


def dense_grid(
    counts: pl.DataFrame, series: pl.DataFrame, value: str = "n_events", *, keys: list[str] | None = None
) -> pl.DataFrame:
    """Every window of ``counts`` x every row of ``series``, with ``value`` (0 when absent).

    ``series`` is matched to ``counts`` on ``keys`` (default: all its columns); its other
    columns are carried along. The result is sorted by series (in ``series`` order, integer
    id ``_sid``) then window (integer id ``_wid``); cells of ``counts`` that share a series
    and window are summed. Built with integer ids and one ``bincount``: the grid of a day of
    thousands of series has millions of cells.
    """
    keys = keys or series.columns
    windows = counts.get_column("window_start").unique().sort()
    ser = series.with_row_index("_sid")
    widx = pl.DataFrame({"window_start": windows}).with_row_index("_wid")
    cells = (
        counts.select("window_start", *keys, value)
        .join(ser.select("_sid", *keys), on=keys, nulls_equal=True)
        .join(widx, on="window_start")
    )
    n_s, n_w = ser.height, len(windows)
    flat = cells.get_column("_sid").to_numpy().astype(np.int64) * n_w + cells.get_column("_wid").to_numpy()
    grid = np.bincount(flat, weights=cells.get_column(value).to_numpy().astype(float), minlength=n_s * n_w)
    sid = np.repeat(np.arange(n_s, dtype=np.uint32), n_w)
    wid = np.tile(np.arange(n_w, dtype=np.uint32), n_s)
    out = pl.DataFrame({"_sid": sid, "_wid": wid, "window_start": windows.gather(wid), value: grid})
    take = pl.Series(sid)
    return out.with_columns(ser.get_column(k).gather(take).alias(k) for k in series.columns)
