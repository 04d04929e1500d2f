"""Incident details: the onset, the anomaly findings, folded precursors, the summary line."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta

import polars as pl

from rcakit.correlate._results import (
    TRAFFIC_SURGE,
    AnomalyFinding,
    Evidence,
    Impact,
    Incident,
    Suspect,
    Symptom,
)
from rcakit.correlate._root import OUR_CERTIFICATE, OWN_CERTIFICATE
from rcakit.correlate._shifts import _Shift
from rcakit.correlate._units import _fmt_dt, _num, names_key, tmax, tmin
from rcakit.correlate._windows import _is_count, feature_values
from rcakit.detect._results import Contribution


def _parameter_onset(
    recs: pl.DataFrame, root: str, shift: _Shift, start: datetime, end: datetime, window: timedelta
) -> datetime | None:
    """First record from which the root's shifted variable stays beyond its usual range.

    Looks from 5 windows before ``start``; "beyond" is 4 robust deviations from the median
    of the 30 minutes before that, for 4 of 5 consecutive records.
    """
    if shift.param_key is None or shift.param_ratio == 1.0:
        return None
    tid, feature = shift.param_key
    lo = start - 5 * window
    of_root = feature_values(recs.filter((pl.col("service") == root) & (pl.col("template_id") == tid)), feature, ("timestamp",))
    if of_root is None:
        return None
    vals = (
        of_root.select("timestamp", "value")
        .filter(pl.col("value").is_not_null() & (pl.col("timestamp") < end))
        .sort("timestamp", maintain_order=True)
    )
    ref = vals.filter((pl.col("timestamp") < lo) & (pl.col("timestamp") >= lo - timedelta(minutes=30)))["value"]
    if ref.len() < 10:
        return None
    med = _num(ref.median())
    mad = _num((ref - med).abs().median()) * 1.4826
    direction = 1.0 if shift.param_ratio > 1 else -1.0
    thr = med + direction * 4 * max(mad, 0.05 * abs(med), 1e-9)
    run = (
        vals.filter(pl.col("timestamp") >= lo)
        .with_columns(beyond=((pl.col("value") - thr) * direction > 0).cast(pl.Float64))
        .with_columns(frac=pl.col("beyond").rolling_mean(5))
        .with_row_index("i")
    )
    hit = run.filter(pl.col("frac") >= 0.8)
    if hit.height == 0:
        return None
    i = int(hit["i"][0])
    return tmin(run.slice(max(0, i - 4), 5).filter(pl.col("beyond") > 0)["timestamp"])


def _absorb_precursors(
    incidents: list[Incident], *, gap: timedelta, failures: frozenset[str] = frozenset()
) -> list[Incident]:
    """Fold a small incident into a larger one of the same root that follows it closely (or
    an incident without errors into an errors incident of that root).

    A slow burn shows symptoms (a slower call, pool warnings) well before it fails; those
    are the same problem, reported as the bigger incident's precursor, not a second alarm.
    The incidents in ``failures`` (their root crashed: it ran out of memory) are never a
    precursor.
    """
    ordered = sorted(incidents, key=lambda i: i.start)
    out: list[Incident] = []
    for inc in ordered:
        nxt = next((j for j in ordered if j.start > inc.end), None)
        if (
            nxt is not None
            and inc.root_service is not None
            and inc.root_service == nxt.root_service
            # smaller, or without errors (warnings, slower calls) before the errors (in an export
            # that ends minutes into the failure, the failure is the smaller incident)
            and (inc.severity < nxt.severity or (nxt.symptom == "errors" and inc.symptom != "errors"))
            and nxt.start - inc.end <= gap
            and inc.id not in failures
        ):
            continue
        out.append(inc)
    kept = {i.id for i in out}
    merged: list[Incident] = []
    for inc in out:
        pre = [
            p for p in ordered
            if p.id not in kept and p.root_service == inc.root_service and p.end <= inc.start
            and inc.start - p.end <= gap
        ]
        if pre:
            first = min(p.start for p in pre)
            roles = tuple(
                dataclasses.replace(
                    r,
                    evidence=(
                        *r.evidence,
                        Evidence(kind="onset", text=f"first symptoms (precursor) from {first:%H:%M:%S}", weight=0.0),
                    ),
                )
                if r.role == "root"
                else r
                for r in inc.roles
            )
            anomalies = (*inc.anomalies, *(a for p in pre for a in p.anomalies))
            inc = dataclasses.replace(inc, roles=roles, anomalies=anomalies)
        merged.append(inc)
    return merged


#: a shift of the root's numbers dates an onset before its first new line only when it is
#: beyond doubt (-log10 p): not the noise of a number that merely looks like a measure
_SLOW_DOWN_SCORE = 12.0


def _refine_onset(
    contribs: Sequence[Contribution],
    recs: pl.DataFrame,
    root: str | None,
    start: datetime,
    end: datetime,
    window: timedelta,
    shift: _Shift | None = None,
) -> datetime:
    """The onset: the first record of a template new in the root service, else the root's
    first error record in the first window, else ``start``.

    Detection windows are coarse (and a window can open on noise); a template that did not
    exist before dates the start of the problem to the record. Without one, or when the
    root's numbers (latency) shifted well before its first new line, a shifted variable of
    the root dates it by its change point (see also :func:`quiet_onset`).
    """
    tids = [
        c.template_id
        for c in contribs
        if c.service == root and c.kind == "new" and c.template_id is not None
    ]
    if root is not None and not tids and shift is not None and shift.param_key is not None:
        drift = _parameter_onset(recs, root, shift, start, end, window) or start
        # (a slow drift stays beyond its bounds for good only minutes after detection saw
        # its first window shifted: that window dates it, not later)
        own = [c.onset for c in contribs if c.service == root and c.kind == "parameter"]
        return min(drift, min(own)) if own and min(own) >= start - 10 * window else drift
    services: Sequence[str | None] = [root]
    if root is not None and not tids:
        # a root that logs nothing new (a killed pod, a silent dependency): its callers'
        # new error lines ("connection refused", "read timed out") date the start
        tids = [c.template_id for c in contribs if c.kind == "new" and c.template_id is not None]
        services = sorted({c.service for c in contribs if c.kind == "new" and c.service})
        errs = recs.filter(pl.col("template_id").is_in(tids) & pl.col("is_error"))
        tids = errs["template_id"].unique().to_list()
    if root is None:
        return start
    if not tids:
        # no new line dates it (an app's request log answering 500 where it answered 200):
        # the root's first error record in the first anomalous window does, not the
        # window's start (a flag flipped 10 s into that window precedes the trouble)
        first_error = tmin(
            recs.filter(
                (pl.col("service") == root) & pl.col("is_error") & pl.col("timestamp").is_between(start, start + window, closed="left")
            )["timestamp"]
        )
        return first_error if first_error is not None else start
    lo = start - 10 * window
    mine = recs.filter(
        pl.col("service").is_in(services) & pl.col("template_id").is_in(tids) & (pl.col("timestamp") < end)
    )
    # a template the service logged long before (a change's new debug lines, folded in as a
    # precursor) is new to the baseline, not to this incident: it dates nothing here
    old = mine.filter(pl.col("timestamp") < lo)["template_id"].unique()
    first = tmin(mine.filter((pl.col("timestamp") >= lo) & ~pl.col("template_id").is_in(old.to_list()))["timestamp"])
    if first is None:
        return start
    slow_shifts = [c for c in contribs if c.service == root and c.kind == "parameter" and c.score >= _SLOW_DOWN_SCORE]
    # (a DEBUG line's numbers are diagnostics, a connection pool's size shrinking as its new
    # setting applies, not a slow-down: only lines at INFO or above date one)
    debug = _debug_templates(recs, root, slow_shifts)
    slow = [c.onset for c in slow_shifts if c.template_id not in debug]
    if slow and min(slow) < first - 2 * window and shift is not None and shift.param_ratio > 1:
        # the root slowed down well before its new lines (a leak: garbage collection, then
        # out-of-memory errors; a pool running dry, then timeouts): the slow-down dates it
        point = _parameter_onset(recs, root, shift, start, end, window)
        return min(min(slow), point) if point is not None else min(slow)
    # (a window opens once enough records pile up: with little traffic the first ones are
    # a few windows earlier)
    return max(first, start - 10 * window)


def _debug_templates(recs: pl.DataFrame, root: str, contribs: Sequence[Contribution]) -> set[str]:
    """The templates of ``contribs`` that the root logs at DEBUG or TRACE only."""
    tids = sorted({c.template_id for c in contribs if c.template_id is not None})
    if not tids or "severity_number" not in recs.columns:
        return set()
    top = (
        recs.filter((pl.col("service") == root) & pl.col("template_id").is_in(tids))
        .group_by("template_id")
        .agg(pl.col("severity_number").max())
    )
    return set(top.filter(pl.col("severity_number") < _INFO)["template_id"].to_list())


#: OpenTelemetry's severity number of INFO
_INFO = 9


def quiet_onset(
    contribs: Sequence[Contribution], recs: pl.DataFrame, root: str | None, onset: datetime, start: datetime, window: timedelta
) -> datetime:
    """``onset``, or the last record of a root whose volume as a whole dropped (hung, a
    queue consumer stalled, then draining its backlog: not silent over the whole incident)
    before that drop, when it comes more than two windows before ``onset``: its publishers'
    backlog warnings may come minutes later. (Within two windows the first failures date it
    better: a service that logs little may log its last record well before it hung.)"""
    dropped = [c.onset for c in contribs if c.service == root and c.template_id is None and c.kind in {"gone", "rate_drop"}]
    if root is None or not dropped:
        return onset
    lo = start - 10 * window
    ts = recs.filter((pl.col("service") == root) & pl.col("timestamp").is_between(lo, min(dropped) + window, closed="left"))
    last = tmax(ts["timestamp"])
    return last if last is not None and onset - last > 2 * window else onset


def blamed_onset(
    recs: pl.DataFrame,
    root: str | None,
    onset: datetime,
    start: datetime,
    window: timedelta,
    blaming: Sequence[Contribution],
) -> datetime:
    """``onset``, or the first record since ``start`` of the other services' failures that
    blame the root (``blaming``: callers' "payment timed out"; a proxy's error share, the
    5xx answers it gave for its upstream), when it comes more than two windows before
    ``onset``: a root whose own first new line comes late (a leak's heap warnings seven
    minutes after the ingress began answering 502 for it) was failing its callers from
    their first failure."""
    if root is None or not blaming or onset - start <= 2 * window:
        return onset
    tids = sorted({c.template_id for c in blaming if c.template_id})
    whole = sorted({c.service for c in blaming if not c.template_id and c.service})
    ts = pl.col("timestamp")
    first = tmin(
        recs.filter(
            ts.is_between(start, onset, closed="left")
            & (pl.col("template_id").is_in(tids) | (pl.col("service").is_in(whole) & pl.col("is_error")))
            & (pl.col("service") != root)
        )["timestamp"]
    )
    return first if first is not None and onset - first > 2 * window else onset


def _anomaly_findings(
    contribs: Sequence[Contribution],
    recs: pl.DataFrame,
    start: datetime,
    end: datetime,
    length: timedelta,
    names_of: dict[str, tuple[str, ...]],
) -> list[AnomalyFinding]:
    tids = [c.template_id for c in contribs if c.template_id]
    counts: dict[tuple[str | None, str | None], tuple[int, int]] = {}
    if tids:
        sub = recs.filter(
            pl.col("template_id").is_in(tids)
            & (pl.col("timestamp") >= start - length)
            & (pl.col("timestamp") < end)
        )
        agg = sub.group_by("service", "template_id").agg(
            n_before=(pl.col("timestamp") < start).sum(),
            n_during=(pl.col("timestamp") >= start).sum(),
        )
        counts = {(r["service"], r["template_id"]): (int(r["n_before"]), int(r["n_during"])) for r in agg.iter_rows(named=True)}
    # a service's own anomaly (its volume, its error share) counts its records, or its
    # error records (blind probe BK: "count": 0 beside 12.9 errors a window)
    whole = sorted({c.service for c in contribs if not c.template_id and c.service})
    if whole:
        sub = recs.filter(
            pl.col("service").is_in(whole) & (pl.col("timestamp") >= start - length) & (pl.col("timestamp") < end)
        )
        # (an error as the error share counts it: prepare_records' is_error)
        failed = pl.col("is_error")
        agg = sub.group_by("service").agg(
            n_before=(pl.col("timestamp") < start).sum(),
            n_during=(pl.col("timestamp") >= start).sum(),
            e_before=((pl.col("timestamp") < start) & failed).sum(),
            e_during=((pl.col("timestamp") >= start) & failed).sum(),
        )
        for r in agg.iter_rows(named=True):
            counts[(r["service"], None)] = (int(r["n_before"]), int(r["n_during"]))
            counts[(r["service"], "<errors>")] = (int(r["e_before"]), int(r["e_during"]))
    out = []
    for c in contribs:
        key = "<errors>" if not c.template_id and c.kind == "error_ratio" else c.template_id
        nb, nd = counts.get((c.service, key), (0, 0))
        out.append(
            AnomalyFinding(
                kind=c.kind,
                service=c.service,
                template_id=c.template_id,
                template=c.template,
                score=float(c.score),
                baseline_rate=float(c.baseline_rate),
                observed_rate=float(c.observed_rate),
                first_seen=c.first_seen,
                onset=c.onset,
                examples=tuple(c.examples[:3]),
                detail=c.detail,
                n_before=nb,
                n_during=nd,
                names_services=names_of.get(names_key(c), ()),
            )
        )
    return out


def _symptom(
    contribs: Sequence[Contribution],
    warn_share: dict[tuple[str, str], float],
    error_share: dict[tuple[str, str], float],
    *,
    root_quiet: bool,
) -> Symptom:
    """What the incident looks like from outside (see :class:`Incident`): the first that applies."""

    def share(c: Contribution, shares: dict[tuple[str, str], float]) -> float:
        return shares.get((c.service or "", c.template_id), 0.0) if c.template_id else 0.0

    if root_quiet:  # (its callers' timeouts are errors, but they follow from this)
        return "silence"
    more = [c for c in contribs if c.kind in {"new", "rate_spike"}]
    if any(c.kind == "error_ratio" for c in contribs) or any(share(c, error_share) >= 0.5 for c in more):
        return "errors"
    # (a count that moved, devices pending or rows a batch read, is no slower answer)
    if any(c.kind == "parameter" and not _is_count(c.template, (c.extra or {}).get("feature")) for c in contribs):
        return "latency"
    if any(share(c, warn_share) >= 0.5 for c in more):
        return "warnings"
    return "rates"


#: a service needs this many records in the half hour before the onset to count in
#: :func:`_traffic_ratio`
_TRAFFIC_MIN = 50


def _traffic_ratio(scan: dict[str, _Shift]) -> float:
    """Median over services (``_TRAFFIC_MIN`` records before) of their volume ratio at the onset."""
    ratios = sorted(sh.rate_ratio for sh in scan.values() if sh.n_before >= _TRAFFIC_MIN)
    if not ratios:
        return 1.0
    mid = len(ratios) // 2
    med = ratios[mid] if len(ratios) % 2 else (ratios[mid - 1] + ratios[mid]) / 2
    return round(med, 2)


def _summary(
    root: str | None,
    services: Sequence[str],
    onset: datetime,
    end: datetime,
    suspects: Sequence[Suspect],
    cause: str | None,
    impact: Impact,
    *,
    root_quiet: bool = False,
    symptom: Symptom = "errors",
    traffic_ratio: float = 1.0,
    external: Sequence[str] = (),
    expired: str | None = None,
) -> str:
    dur = _fmt_dt((end - onset).total_seconds())
    others = [s for s in services if s != root]
    what = "went (nearly) silent" if root is not None and root_quiet else "misbehaved"
    if symptom == "warnings":
        what = "logged new warnings"
    parts = [f"From {onset:%Y-%m-%d %H:%M} UTC for {dur}, {root or 'an unknown service'} {what}"]
    if others:
        parts[0] += f" and {', '.join(others)} suffered from it"
    parts[0] += "."
    if impact.n_requests:
        parts.append(f"{impact.n_failed} of {impact.n_requests} {impact.unit} failed ({impact.failed_share:.1%}).")
    if symptom == "warnings":
        parts.append("No new errors and no slower answers: check whether the warnings are expected.")
    surge = traffic_ratio >= TRAFFIC_SURGE
    if surge:
        parts.append(f"Traffic rose at the onset: the services logged x{traffic_ratio:.1f} their volume before.")
    if cause is not None:
        s = next(x for x in suspects if x.change.id == cause)
        parts.append(
            f"Likely cause: {s.change.kind} {cause} of {s.change.service} {s.change.version or ''} at "
            f"{s.change.time:%H:%M} ({_fmt_dt(s.lag_seconds)} before the onset).".replace("  ", " ")
        )
    elif surge:
        parts.append(f"No change explains this incident: look at the extra load and the capacity of {root or 'the root service'}.")
    elif external and expired is not None:
        who = root or "the root service"
        whose = (
            f"{external[0]} rejects the client certificate {who} presents as expired (renew it)"
            if expired == OUR_CERTIFICATE
            else f"the certificate of {external[0]} has expired (its owners must renew it)"
        )
        parts.append(f"No change explains this incident: {who}'s calls to {external[0]} fail because {whose}.")
    elif expired is not None:
        who = root or "the root service"
        parts.append(
            "No change explains this incident: "
            + {
                OWN_CERTIFICATE: f"the TLS certificate of {who} has expired and its callers reject it (renew it).",
                OUR_CERTIFICATE: f"the server {who} calls rejects the client certificate it presents as expired (renew it).",
            }.get(expired, f"{who}'s TLS calls reject the server's certificate as expired (its owners must renew it).")
        )
    elif external:
        parts.append(
            f"No change explains this incident: {root or 'the root service'}'s failures name "
            f"{', '.join(external)}, outside these logs (check {'its' if len(external) == 1 else 'their'} status first)."
        )
    else:
        parts.append("No change explains this incident (look at dependencies, traffic and scheduled jobs).")
    return " ".join(parts)
