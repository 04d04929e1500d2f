"""Durations in and out, typed min/max of datetime columns, and the 0-1 squash of scores."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Any, cast

import polars as pl

from rcakit.errors import ConfigError

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(us|ms|s|m|h|d|w)")
_UNIT_S = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def names_key(c: Any) -> str:
    """The key of a contribution (``kind``, ``service``, ``template_id``) in the map of the
    services its records name (built by ``_root_service``, read when causes are sought)."""
    return f"{c.kind}|{c.service}|{c.template_id}"


def tmin(series: pl.Series) -> datetime | None:
    """``series.min()`` of a datetime column, typed."""
    return cast("datetime | None", series.min())


def tmax(series: pl.Series) -> datetime | None:
    """``series.max()`` of a datetime column, typed."""
    return cast("datetime | None", series.max())


def _num(value: Any) -> float:
    return float(cast("float", value)) if value is not None else 0.0


def parse_duration(text: str, *, name: str = "duration") -> timedelta:
    """Parse a polars-style duration string (``"90s"``, ``"1m"``, ``"1h30m"``)."""
    if isinstance(text, timedelta):
        return text
    raw = str(text).strip().lower()
    pos, total = 0, 0.0
    for m in _DURATION.finditer(raw):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNIT_S[m.group(2)]
        pos = m.end()
    if pos != len(raw) or not raw or total <= 0:
        msg = f"{name}={text!r} is not a duration; use e.g. '30s', '1m', '5m', '1h'"
        raise ConfigError(msg)
    return timedelta(seconds=total)


def _squash(x: float, scale: float) -> float:
    """Map x >= 0 to 0-1 smoothly (x == scale -> 0.63)."""
    return 1.0 - math.exp(-max(x, 0.0) / scale) if scale > 0 else 0.0


def _fmt_dt(seconds: float) -> str:
    s = abs(seconds)
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} h"
