"""Synthetic templated records for the detect tests (a seeded, realistic multi-service day)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from rcakit.schemas import TEMPLATED_RECORDS

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

# service -> list of (template, severity, share of the service's records, param generator)
_TEMPLATES = {
    "checkout": [
        ("GET /cart <NUM> in <NUM>ms", 9, 0.55, "lat"),
        ("POST /checkout <NUM> in <NUM>ms", 9, 0.25, "lat"),
        ("calling payment id=<NUM>", 9, 0.2, None),
    ],
    "payment": [
        ("charge ok amount=<NUM> took <NUM>ms", 9, 0.7, "lat"),
        ("risk score computed <NUM>", 5, 0.25, None),
        ("retrying idempotent call <NUM>", 13, 0.05, None),
    ],
    "inventory": [
        ("reserved <NUM> items for order <NUM>", 9, 0.8, None),
        ("heartbeat ok", 9, 0.2, None),
    ],
}


def make_records(
    *,
    minutes: int = 120,
    rate: float = 40.0,
    seed: int = 0,
    fault: str | None = None,
    onset_min: int = 80,
    traffic_jump: float = 1.0,
) -> pl.DataFrame:
    """Records of three services; ``fault`` injects one incident from ``onset_min`` on.

    Faults: ``"new_error"`` (payment NPE + checkout failures), ``"latency"`` (payment
    ``took <NUM>ms`` x6, no errors), ``"gone"`` (inventory heartbeat stops), ``None``.
    ``traffic_jump`` multiplies all traffic from ``onset_min`` on (not an anomaly).
    """
    rng = np.random.default_rng(seed)
    rows: dict[str, list] = {k: [] for k in ("timestamp", "service", "template", "severity_number", "params")}
    for minute in range(minutes):
        daily = 1.0 + 0.3 * math.sin(2 * math.pi * minute / 240.0)
        level = daily * (traffic_jump if minute >= onset_min else 1.0)
        faulty = fault is not None and minute >= onset_min
        for service, templates in _TEMPLATES.items():
            n_service = rng.poisson(rate * level)
            for template, sev, share, kind in templates:
                if faulty and fault == "gone" and template == "heartbeat ok":
                    continue
                n = rng.poisson(n_service * share)
                for _ in range(n):
                    ts = T0 + timedelta(minutes=minute, seconds=float(rng.uniform(0, 60)))
                    lat = rng.lognormal(math.log(120), 0.25)
                    if faulty and fault == "latency" and service == "payment" and kind == "lat":
                        lat *= 6
                    params = [str(int(rng.integers(100, 999))), f"{lat:.0f}"] if kind == "lat" else [str(int(rng.integers(1, 10**6)))]
                    if template == "heartbeat ok":
                        params = []
                    rows["timestamp"].append(ts)
                    rows["service"].append(service)
                    rows["template"].append(template)
                    rows["severity_number"].append(sev)
                    rows["params"].append(params)
            if faulty and fault == "new_error" and service in ("payment", "checkout"):
                n_err = rng.poisson(0.3 * rate * level)
                template = (
                    "NullPointerException in RiskScorer.score order=<NUM>"
                    if service == "payment"
                    else "payment call failed status=<NUM>"
                )
                for _ in range(n_err):
                    rows["timestamp"].append(T0 + timedelta(minutes=minute, seconds=float(rng.uniform(0, 60))))
                    rows["service"].append(service)
                    rows["template"].append(template)
                    rows["severity_number"].append(17)
                    rows["params"].append([str(int(rng.integers(1, 10**6)))] if service == "payment" else ["500"])
    n = len(rows["timestamp"])
    frame = pl.DataFrame(rows).with_columns(
        pl.col("timestamp").dt.cast_time_unit("us"),
        pl.col("severity_number").cast(pl.UInt8),
    ).sort("timestamp")
    levels = {5: "DEBUG", 9: "INFO", 13: "WARN", 17: "ERROR"}
    frame = frame.with_columns(
        pl.col("severity_number").replace_strict(levels, return_dtype=pl.String).alias("severity_text"),
        pl.col("template").str.replace_all("<NUM>", "{}").alias("_fmt"),
        pl.lit(None, dtype=pl.String).alias("trace_id"),
        pl.lit("{}").alias("attributes"),
        (pl.col("service") + ".log").alias("source"),
        pl.int_range(1, n + 1).cast(pl.UInt32).alias("line_no"),
        pl.lit(1, dtype=pl.UInt32).alias("n_lines"),
        pl.lit("jsonl").alias("format"),
        pl.lit(None, dtype=pl.String).alias("parse_error"),
        pl.col("template").hash().cast(pl.String).alias("template_id"),
    )
    bodies = [
        _fill(t, p) for t, p in zip(frame.get_column("template").to_list(), frame.get_column("params").to_list(), strict=True)
    ]
    frame = frame.with_columns(pl.Series("body", bodies, dtype=pl.String)).drop("_fmt")
    return frame.select(TEMPLATED_RECORDS.names()).cast(dict(TEMPLATED_RECORDS))


def _fill(template: str, params: list[str]) -> str:
    out = template
    for p in params:
        out = out.replace("<NUM>", p, 1)
    return out
