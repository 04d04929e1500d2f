"""Helpers shared by the detectors: fitted checks, input checks, the dense count grid."""

from __future__ import annotations

from typing import Any

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


def dense_grid(counts: pl.DataFrame, series: pl.DataFrame, value: str = "n_events") -> pl.DataFrame:
    """Every window of ``counts`` x every row of ``series``, with ``value`` (0 when absent)."""
    keys = series.columns
    windows = counts.select("window_start").unique()
    grid = windows.join(series, how="cross")
    cells = counts.group_by("window_start", *keys).agg(pl.col(value).sum().cast(pl.Float64))
    return (
        grid.join(cells, on=["window_start", *keys], how="left", nulls_equal=True)
        .with_columns(pl.col(value).fill_null(0.0))
        .sort([*keys, "window_start"])
    )
