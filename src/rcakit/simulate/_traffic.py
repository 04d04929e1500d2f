"""Requests and their calls through the estate, vectorised over requests.

``simulate_traffic`` draws request arrivals with a daily curve and slow random noise, gives
each request a kind (browse, search, checkout, ...) and attributes (user, SKU, amount,
trace id), then walks each kind's call tree once per tree node and attempt: every node
works on arrays of requests, never on one request at a time. The output is a span table
(one row per operation executed, with status and error code) and a call table (one row per
attempt of a call, what the caller saw).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from rcakit.simulate._estate import OPS, ROLES, Op
from rcakit.simulate._ids import random_strings, zipf_choice

__all__ = ["ERR", "Traffic", "arrival_times", "simulate_traffic"]

US = 1_000_000

#: Error / outcome codes carried by spans and calls.
ERR = {
    "ok": 0,
    "bug": 1,
    "config": 2,
    "leak": 3,
    "down": 4,
    "dependency": 5,
    "hang": 6,
    "declined": 10,
    "not_found": 11,
    "out_of_stock": 12,
    "bad_password": 13,
}
_STATUS = {1: 500, 2: 500, 3: 503, 4: 503, 5: 503, 6: 504, 10: 402, 11: 404, 12: 409, 13: 401}
# Normal business outcomes: (role, op) -> (probability, error code).
_BUSINESS = {
    ("payment", "charge"): (0.03, ERR["declined"]),
    ("catalog", "product"): (0.02, ERR["not_found"]),
    ("checkout", "get_order"): (0.03, ERR["not_found"]),
    ("inventory", "reserve"): (0.015, ERR["out_of_stock"]),
    ("auth", "login"): (0.06, ERR["bad_password"]),
}

# A fault hook: (op, times_us, request_ids) -> (error codes, latency factors).
FaultHook = Callable[[Op, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def arrival_times(rng: np.random.Generator, *, start_us: int, hours: float, rate: float) -> np.ndarray:
    """Sorted request times (epoch microseconds) with a daily curve and slow noise.

    ``rate`` is the mean number of requests per second over a whole day; the curve peaks
    mid-afternoon UTC at about 1.6x the mean and bottoms out at night at about 0.4x.
    """
    n_sec = max(1, round(hours * 3600))
    secs = np.arange(n_sec, dtype=np.int64)
    hour = ((start_us // US + secs) % 86400) / 3600.0
    diurnal = 1.0 + 0.55 * np.sin(2 * np.pi * (hour - 9.0) / 24.0) + 0.1 * np.sin(4 * np.pi * (hour - 11.0) / 24.0)
    n_min = n_sec // 60 + 1
    kernel = np.exp(-np.arange(30) / 10.0)
    noise = np.convolve(rng.normal(0.0, 0.05, n_min + 29), kernel, mode="valid")[:n_min]
    lam = rate * diurnal * np.exp(noise[secs // 60])
    counts = rng.poisson(lam)
    times = np.repeat(start_us + secs * US, counts) + rng.integers(0, US, counts.sum())
    times.sort()
    return times


@dataclass(frozen=True)
class Traffic:
    """Everything the request walk produced."""

    requests: pl.DataFrame  # req, t_us, kind, user, sku, qty, amount, trace_id, order_id, ...
    spans: pl.DataFrame  # req, role, op, attempt, start_us, dur_us, status, err, dep_role
    calls: pl.DataFrame  # req, caller, caller_op, callee, callee_op, attempt, attempts, t_us, status, err


class _Walker:
    def __init__(self, rng: np.random.Generator, fault: FaultHook) -> None:
        self.rng = rng
        self.fault = fault
        self.spans: list[dict[str, object]] = []
        self.calls: list[dict[str, object]] = []

    def run(self, op: Op, req: np.ndarray, start: np.ndarray, attempt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(req)
        rng = self.rng
        err, factor = self.fault(op, start, req)
        biz = _BUSINESS.get((op.role, op.name))
        if biz is not None:
            hit = (err == 0) & (rng.random(n) < biz[0])
            err = np.where(hit, biz[1], err)
        own = rng.lognormal(np.log(op.median_ms * 1000.0), op.sigma, n) * factor
        if op.role == "db":  # a heavy tail: some queries are slow (and get logged)
            own = np.where(rng.random(n) < 0.004, own * 150.0, own)
        pre = own * 0.6
        cursor = start + pre.astype(np.int64)
        dep_role = np.full(n, -1, dtype=np.int8)  # index into ROLES of the failed dependency
        # business failures found before the downstream calls stop the request
        blocked = err != 0
        for call in op.calls:
            made = ~blocked & (rng.random(n) < call.prob)
            pos = np.nonzero(made)[0]
            remaining = pos
            for k in range(call.attempts):
                if len(remaining) == 0:
                    break
                t0 = cursor[remaining]
                dur, c_err = self.run(call.op, req[remaining], t0, np.full(len(remaining), k + 1))
                t_back = t0 + dur
                failed = _status_of(c_err) >= 500
                last = (k == call.attempts - 1) | ~failed
                self.calls.append(
                    {
                        "req": req[remaining],
                        "caller": op.role,
                        "caller_op": op.name,
                        "callee": call.op.role,
                        "callee_op": call.op.name,
                        "attempt": np.full(len(remaining), k + 1, dtype=np.int16),
                        "attempts": np.full(len(remaining), call.attempts, dtype=np.int16),
                        "t_us": t_back,
                        "status": _status_of(c_err),
                        "err": c_err.astype(np.int16),
                        "last": last,
                    }
                )
                backoff = (100_000 * 2**k + rng.integers(0, 50_000, len(remaining))).astype(np.int64)
                cursor[remaining] = np.where(failed & ~last, t_back + backoff, t_back)
                done = remaining[last]
                # a callee's business outcome (declined, out of stock) or failure ends the request
                final = c_err[last]
                stop = final != 0
                err[done[stop]] = np.where(_status_of(final[stop]) >= 500, ERR["dependency"], final[stop])
                dep_role[done[stop]] = ROLES.index(call.op.role)
                blocked[done[stop]] = True
                remaining = remaining[~last]
        dur = cursor - start + (own * 0.4).astype(np.int64)
        self.spans.append(
            {
                "req": req,
                "role": op.role,
                "op": op.name,
                "attempt": attempt.astype(np.int16),
                "start_us": start,
                "dur_us": dur,
                "status": _status_of(err),
                "err": err.astype(np.int16),
                "dep_role": dep_role,
            }
        )
        return dur, err


def _status_of(err: np.ndarray) -> np.ndarray:
    out = np.full(len(err), 200, dtype=np.int16)
    for code, status in _STATUS.items():
        out[err == code] = status
    return out


def _frame(parts: list[dict[str, object]], order: list[str]) -> pl.DataFrame:
    """Concatenate the walk's parts; string constants become columns, role codes names."""
    frames = []
    for part in parts:
        arrays = {k: v for k, v in part.items() if not isinstance(v, str)}
        consts = [pl.lit(v, dtype=pl.String).alias(k) for k, v in part.items() if isinstance(v, str)]
        frames.append(pl.DataFrame(arrays).with_columns(consts))
    if not frames:
        return pl.DataFrame()
    out = pl.concat([f.select(order) for f in frames], how="vertical_relaxed")
    if "dep_role" in out.columns:
        names = pl.Series(["", *ROLES], dtype=pl.String)
        out = out.with_columns(dep_role=pl.lit(names).gather(pl.col("dep_role").cast(pl.Int64) + 1))
    return out


def simulate_traffic(
    rng: np.random.Generator,
    *,
    start_us: int,
    hours: float,
    rate: float,
    make_fault: Callable[[np.ndarray], FaultHook],
) -> Traffic:
    """Draw requests and walk them through the estate (see the module docstring).

    ``make_fault`` receives each request's fixed uniform draw ``u`` (whether a request
    triggers a deterministic bug must not change between retries) and returns the hook.
    """
    t = arrival_times(rng, start_us=start_us, hours=hours, rate=rate)
    n = len(t)
    kinds = list(OPS)
    shares = np.array([OPS[k][0] for k in kinds])
    kind_ix = rng.choice(len(kinds), size=n, p=shares / shares.sum())
    requests = pl.DataFrame(
        {
            "req": np.arange(n, dtype=np.int64),
            "t_us": t,
            "kind": pl.Series(np.array(kinds, dtype=object)[kind_ix], dtype=pl.String),
            "user": zipf_choice(rng, n, 4000, a=0.9),
            "sku": zipf_choice(rng, n, 2500, a=1.05),
            "qty": rng.geometric(0.6, n).astype(np.int16),
            "amount_cents": np.round(rng.lognormal(np.log(4500), 0.7, n)).astype(np.int64) + 99,
            "trace_id": random_strings(rng, n, 32),
            "order_id": random_strings(rng, n, 12),
            "pay_id": random_strings(rng, n, 14, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            "u": rng.random(n),
        }
    )
    walker = _Walker(rng, make_fault(requests["u"].to_numpy()))
    req_ids = np.arange(n, dtype=np.int64)
    for ix, kind in enumerate(kinds):
        sel = req_ids[kind_ix == ix]
        if len(sel):
            walker.run(OPS[kind][1], sel, t[sel], np.ones(len(sel), dtype=np.int16))
    spans = _frame(walker.spans, ["req", "role", "op", "attempt", "start_us", "dur_us", "status", "err", "dep_role"])
    calls = _frame(
        walker.calls,
        ["req", "caller", "caller_op", "callee", "callee_op", "attempt", "attempts", "t_us", "status", "err", "last"],
    )
    return Traffic(requests=requests, spans=spans, calls=calls)
