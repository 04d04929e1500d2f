"""Root-service inference: anomaly onsets, names in messages, call graph, silence, traces."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal, NamedTuple

import polars as pl

from rcakit._fields import AttributeReader
from rcakit.correlate._records import WARN_SEVERITY
from rcakit.correlate._results import Evidence, ServiceRole
from rcakit.correlate._services import (
    CLIENTS_REJECT_CERTIFICATE,
    MEMORY_EXHAUSTED,
    NOT_ANSWERING,
    OUR_CERTIFICATE_EXPIRED,
    REFUSED_FOR_STATE,
    THEIR_CERTIFICATE_EXPIRED,
    _names,
    _reach,
    callers_fault,
    calls_no_anomalous,
    external_hosts,
    peers_expr,
    rejects_certificate_only,
    reports_dependency_failure,
    restart_after,
)
from rcakit.correlate._shifts import _Shift
from rcakit.correlate._units import _fmt_dt, _num, _squash, names_key, tmax, tmin
from rcakit.correlate._windows import went_quiet
from rcakit.detect._results import Contribution
from rcakit.templates._masks import TOKEN_RE


def _trace_origins(
    span: pl.DataFrame, known: Sequence[str] = (), naming: frozenset[tuple[str, str]] = frozenset()
) -> dict[str, float]:
    """Share of cross-service error traces in which each service logged the first error.

    Timestamps tie often (caller and callee log in the same millisecond); a tie goes to
    the record whose text does not name another service (the callee's own error). A trace
    whose first error names another service is left out: it started outside the trace.
    """
    if "trace_id" not in span.columns:
        return {}
    errs = span.filter(pl.col("is_error") & pl.col("trace_id").is_not_null() & (pl.col("trace_id") != ""))
    if errs.height == 0:
        return {}
    pairs = errs.select("service", "template", "template_id").unique(["service", "template"])
    flags = pl.DataFrame(
        {
            "service": pairs["service"],
            "template": pairs["template"],
            # (or quotes another's failure: its anomaly named it, see _quoting)
            "names_other": [
                bool(_names(t or "", known, exclude=sv)) or (sv, tid) in naming
                for sv, t, tid in pairs.select("service", "template", "template_id").iter_rows()
            ],
            "reports": [reports_dependency_failure(t or "") for t in pairs["template"]],
        },
        schema={"service": pl.String, "template": pl.String, "names_other": pl.Boolean, "reports": pl.Boolean},
    )
    errs = errs.join(flags, on=["service", "template"], how="left", nulls_equal=True)
    # (a trace whose first error names another service, a caller quoting its database's
    # failure, began outside the trace's services: nobody in it is its origin; a report of
    # a failing dependency it does not name, "upstream responded 500", is nobody's origin
    # either, whenever it was logged)
    # (nor is a 5xx answer: a request that failed somewhere behind it)
    answer = pl.col("status").fill_null(0) >= 500 if "status" in errs.columns else pl.lit(False)
    own = ~pl.col("reports").fill_null(False) & ~answer
    order = ["timestamp", "names_other"]
    per = (
        errs.group_by("trace_id")
        .agg(
            n_services=pl.col("service").n_unique(),
            first_service=pl.col("service").filter(own).sort_by(*(pl.col(c).filter(own) for c in order)).first(),
            first_names=pl.col("names_other").filter(own).sort_by(*(pl.col(c).filter(own) for c in order)).first(),
        )
        .filter((pl.col("n_services") >= 2) & pl.col("first_service").is_not_null() & ~pl.col("first_names").fill_null(False))
    )
    if per.height == 0:
        return {}
    counts = per.group_by("first_service").len()
    total = per.height
    return {r["first_service"]: r["len"] / total for r in counts.iter_rows(named=True)}


#: how the root's evidence names hosts outside the estate its anomalies call (the suggested
#: action reads it back)
EXTERNAL_HOSTS = "its anomalies name a host outside the logs (check its status): "
#: ... and say whose certificate expired on the way to it (the summary and the suggested
#: action read them back)
OUR_CERTIFICATE = "the host outside rejects the client certificate it presents as expired"
THEIR_CERTIFICATE = "the certificate of the host outside has expired"
#: ... or that the root's own certificate, as a server, expired (its callers reject it)
OWN_CERTIFICATE = "its own TLS certificate has expired: its callers reject it"


@dataclass
class _ServiceView:
    service: str
    onset: datetime | None = None
    score: float = 0.0
    names: set[str] = field(default_factory=set)
    failure_names: set[str] = field(default_factory=set)  # named in errors, not in timings
    n_contrib: int = 0
    n_naming: int = 0
    unnamed: int = 0  # anomalies reporting a failing dependency they do not name
    own: int = 0
    contrib_score: float = 0.0
    quiet: tuple[float, float] | None = None  # (baseline, observed) records per window
    failure_sets: list[frozenset[str]] = field(default_factory=list)  # services each failure names
    healthy_named: set[str] = field(default_factory=set)  # named by its failures, yet serving
    #: its TLS calls reject the server's certificate and no dependency of it in the logs
    #: is anomalous: the server is outside the logs, the service is the nearest root
    cert_outside: bool = False
    #: the services its failures name that present it an expired certificate
    cert_named: set[str] = field(default_factory=set)
    #: hosts outside the logs its failures call that do not answer (timed out, reset,
    #: refused), naming no service of the logs and calling no anomalous one: the outage
    #: enters the estate here
    unanswered: tuple[str, ...] = ()


def _silence(
    frame: pl.DataFrame, start: datetime | None, end: datetime | None, window: timedelta, *, after: timedelta = timedelta(0)
) -> tuple[datetime, float, float] | None:
    """A pause in a service's logs around an incident, much longer than its usual pauses.

    Returns (pause start, pause seconds, longest pause in the 30 minutes before) when the
    service logged nothing for at least one window and three times its longest usual pause
    (a killed pod, a hung process), the pause starting before the incident's end and ending
    inside it, or up to ``after`` later; else ``None``.
    """
    if start is None or end is None:
        return None
    lo = start - timedelta(minutes=30) - 5 * window
    gaps = (
        frame.filter((pl.col("timestamp") >= lo) & (pl.col("timestamp") <= end + after))
        .select("timestamp")
        .with_columns(prev=pl.col("timestamp").shift(1))
        .drop_nulls("prev")
        .with_columns(gap=(pl.col("timestamp") - pl.col("prev")).dt.total_microseconds() / 1e6)
    )
    usual = gaps.filter(pl.col("timestamp") < start - 5 * window)
    if usual.height < 20:
        return None
    longest = _num(usual["gap"].max())
    cand = gaps.filter(
        (pl.col("timestamp") >= start)
        & (pl.col("prev") <= end)
        & (pl.col("gap") >= max(window.total_seconds(), 3 * longest))
    ).sort("gap", "timestamp", descending=[True, False])
    if cand.height == 0:
        return None
    top = cand.row(0, named=True)
    return top["prev"], float(top["gap"]), longest


def _node_silence(
    frame: pl.DataFrame, start: datetime | None, end: datetime | None, window: timedelta
) -> tuple[datetime, float, float, str] | None:
    """:func:`_silence` of one of a service's files when it has several (its nodes:
    ``cassandra-1.log`` .. ``cassandra-3.log`` are one ``cassandra``): one node killed or
    hung while the others log as usual leaves the service's volume steady. Returns the
    longest such pause and its file's name. (A killed node comes back when it is restarted,
    which may be after the failures it caused end: its pause may end up to 30 min after
    the incident.)"""
    if "source" not in frame.columns or frame.get_column("source").n_unique() < 2:
        return None
    found = None
    for (src,), part in frame.sort("timestamp").group_by("source", maintain_order=True):
        gap = _silence(part, start, end, window, after=timedelta(minutes=30))
        if gap is not None and (found is None or gap[1] > found[1]):
            found = (*gap, Path(str(src)).name)
    return found


#: a service collapses when it logs at most this share of its volume of the span before,
#: from at least this many records
_COLLAPSE_RATIO = 0.2
_COLLAPSE_MIN = 50


def collapsed(shift: _Shift | None) -> bool:
    """Whether a service's volume collapsed at the onset (see ``_COLLAPSE_RATIO``)."""
    return shift is not None and shift.n_before >= _COLLAPSE_MIN and shift.rate_ratio <= _COLLAPSE_RATIO


class RootFinding(NamedTuple):
    """What :func:`_root_service` found."""

    root: str | None
    roles: list[ServiceRole]
    #: the services each anomaly names, keyed ``"{kind}|{service}|{template_id}"``
    names_of: dict[str, tuple[str, ...]]
    #: per service, the dependencies its failures name that log as usual (its own failure:
    #: see :func:`_own_failures`)
    healthy: dict[str, frozenset[str]]
    #: hosts outside the logs that the root's anomalies name (a payment provider, a SaaS API)
    external: tuple[str, ...] = ()


def _stem_only_names(
    contribs: Sequence[Contribution],
    said: dict[int, str],
    known: Sequence[str],
    named_by: dict[int, tuple[str, ...]] | None = None,
) -> set[tuple[str, str]]:
    """The pairs ``(service, named)`` where the anomalies of ``service`` name ``named`` only
    by the stem of its name (``order`` of ``order-gateway``) while those of ``named`` name
    ``service`` by its whole name: a word of the business (a matching engine's "NewOrder
    ... order rejected") against a call (the gateway's "matching engine rejected order").
    The stem is the word its work is about there, not a call to the other. ``named_by``: each
    anomaly's names (:func:`_names` of its text), when already read."""
    named: dict[str, set[str]] = {}
    whole: dict[str, set[str]] = {}
    for c in contribs:
        if c.service and id(c) in said:
            found = named_by[id(c)] if named_by is not None else _names(said[id(c)], known, exclude=c.service)
            named.setdefault(c.service, set()).update(found)
            whole.setdefault(c.service, set()).update(_names(said[id(c)], known, exclude=c.service, stems=False))
    return {
        (svc, other) for svc, others in named.items() for other in others
        if other not in whole[svc] and svc in whole.get(other, ())
    }


def _root_service(
    contribs: Sequence[Contribution],
    span: pl.DataFrame,
    known: Sequence[str],
    window: timedelta,
    *,
    scan: dict[str, _Shift] | None = None,
    graph: dict[str, set[str]] | None = None,
    frames: dict[str, pl.DataFrame] | None = None,
    covers: dict[str, set[str]] | None = None,
    changed_before: frozenset[str] = frozenset(),
) -> RootFinding:
    """Score every anomalous service as root or victim; return the root and the roles.

    ``scan`` holds, per service, the before/after comparison at the incident onset (it can
    add services that detection did not flag); ``graph`` is :func:`dependency_graph`,
    ``covers`` :func:`trace_cover`.
    """
    scan = scan or {}
    graph = graph or {}
    views: dict[str, _ServiceView] = {}
    names_of: dict[str, tuple[str, ...]] = {}
    texts: dict[str, list[str]] = {}  # the template and examples of each service's anomalies
    peers = _peer_texts(span, contribs)
    errors = _error_texts(contribs)
    anomalous = {c.service for c in contribs if c.service}
    said = {
        id(c): " ".join([c.template or "", *c.examples[:3], peers.get((c.service, c.template_id), "")])
        for c in contribs if c.service
    }
    named_by = {id(c): _names(said[id(c)], known, exclude=c.service) for c in contribs if id(c) in said}
    loose = _stem_only_names(contribs, said, known, named_by)
    # the services whose TLS handshakes fail as their clients reject their certificate: the
    # server whose certificate a caller's unnamed failures reject, when there is one
    cert_servers = {c.service for c in contribs if c.service and CLIENTS_REJECT_CERTIFICATE.search(said[id(c)])}
    for c in contribs:
        if not c.service:
            continue
        v = views.setdefault(c.service, _ServiceView(service=c.service))
        v.onset = c.onset if v.onset is None else min(v.onset, c.onset)
        peer = peers.get((c.service, c.template_id), "")
        text = said[id(c)]
        texts.setdefault(c.service, []).append(text)
        named = tuple(n for n in named_by.get(id(c), ()) if (c.service, n) not in loose)
        if c.kind in _FAILURES:
            named = tuple(sorted({*named, *_quoting(c, errors, peer)}))
            if (
                not named and len(server := cert_servers - {c.service}) == 1 and rejects_certificate_only(text)
            ):
                # (its TLS calls reject a certificate while one service's handshakes fail on
                # its clients' alert: that service is the server, probe CF c07)
                named = tuple(server)
        names_of[names_key(c)] = named
        v.n_contrib += 1
        v.contrib_score = max(v.contrib_score, c.score)
        if went_quiet(c):
            v.quiet = (c.baseline_rate, c.observed_rate)
        if callers_fault(text):
            # a request refused as invalid (HTTP 400/422, a failed validation) or a host
            # that does not resolve is the caller's fault: the caller logging it sent the
            # request (or could not find the callee), the callee logging a refusal is fine
            if named:
                v.own += 1
            continue
        if named and c.kind in _FAILURES and THEIR_CERTIFICATE_EXPIRED.search(text):
            # (a server does not log the handshakes its clients abort: that it logs as usual
            # says nothing of the certificate it presents)
            v.cert_named.update(named)
        if (
            not named and c.kind in _FAILURES and NOT_ANSWERING.search(text)
            and calls_no_anomalous(graph, c.service, anomalous) and (hosts := external_hosts([text], known))
        ):
            v.unanswered = tuple(dict.fromkeys((*v.unanswered, *hosts)))
        if not named and c.kind in _FAILURES and reports_dependency_failure(text):
            if rejects_certificate_only(text) and calls_no_anomalous(graph, c.service, anomalous):
                # its TLS calls reject a server's certificate, and it calls no anomalous
                # service: the server is outside the logs (a partner's API, a SaaS) and the
                # failure shows first here, as with a named host outside
                v.cert_outside = True
                v.own += 1
                continue
            # "upstream responded 500", "downstream call failed: read timed out": a caller's
            # report of a dependency it does not name, not a failure of its own
            v.unnamed += 1
            continue
        if named and c.kind not in {"gone", "rate_drop"}:
            v.names.update(named)
            v.n_naming += 1
            if c.kind != "parameter":
                v.failure_names.update(named)
                v.failure_sets.append(frozenset(named))
        elif c.kind in {"new", "parameter", "error_ratio", "rate_spike", "multivariate"}:
            # (a rate drop or a template going away also happens to callers of a failing
            # service and to services behind it, so it says nothing about the root)
            v.own += 1
    for svc, shift in scan.items():
        if svc not in views and shift.own_strength() >= 0.5:
            views[svc] = _ServiceView(service=svc)
    if not views:
        return RootFinding(None, [], names_of, {})
    extra_ev: dict[str, list[Evidence]] = {}
    # a dependency that callers' failures name but that logs nothing (or nearly nothing)
    # during the incident (no logs in the export, a killed pod, a hung process) cannot show
    # anomalies itself
    active = set(span["service"].unique().to_list()) if span.height else set()
    frames = frames or {}
    span_start = tmin(span["timestamp"]) if span.height else None
    span_end = tmax(span["timestamp"]) if span.height else None
    for ov in list(views.values()):
        for n in sorted(ov.failure_names):
            if n in views and n in extra_ev:  # added by this loop already (another caller blames it too)
                continue
            gap = _silence(frames[n], span_start, span_end, window) if n in active and n in frames else None
            # (or one of its nodes did, its other nodes logging as usual)
            node = _node_silence(frames[n], span_start, span_end, window) if gap is None and n in active and n in frames else None
            if node is not None:
                gap = node[:3]
            quiet = n in scan and scan[n].rate_ratio < 1 / 3
            blamers = [x for x in views.values() if n in x.failure_names]
            # several callers fail calling it while its own logs look normal (no anomaly of
            # its own): the calls get lost on the way (packet loss, a broken proxy or DNS)
            lost = n not in views and len(blamers) >= 2
            # (it restarted: evicted by a node drain, killed and started again)
            back = _restart_near(frames[n], span_start, span_end) if n in active and n in frames else None
            # (it logged an error it never logged before, too few for an anomaly of its own)
            fail = _new_errors_near(frames[n], span_start, span_end) if n in active and n in frames else None
            # (it was changed just before the incident: a node of it may have stopped
            # answering while the others log as usual)
            just_changed = n in changed_before and n in active
            # (its answers say it refuses for a state of its own, out of memory, full, read
            # only: a datastore does not log the commands it refuses)
            state = next((m for x in blamers for t in texts.get(x.service, ()) if (m := REFUSED_FOR_STATE.search(t))), None)
            cert_callers = [x.service for x in blamers if n in x.cert_named]
            if (
                n in active and not quiet and gap is None and not lost and back is None and fail is None
                and not just_changed and state is None and not cert_callers
            ):
                continue
            onset = min((x.onset for x in blamers if x.onset is not None), default=None)
            if n in views:
                # anomalies of its own that come late (a restart at the end of a hang): it
                # was quiet from the callers' first failure, which detection may not see
                # when that is in the first minutes of the export (its own baseline)
                v = views[n]
                if onset is not None and v.onset is not None and v.onset > onset + window:
                    v.onset = onset
                elif gap is None and not quiet and back is None:
                    continue  # (its own errors are in its anomalies already)
                # (else: anomalous in time, and silent or nearly so while its callers fail
                # calling it: a crashed or hung dependency, which its silence says)
            else:
                views[n] = _ServiceView(service=n, onset=onset)
            if node is not None:
                what = (
                    f"logs nothing in {node[3]} for {_fmt_dt(node[1])} from {node[0]:%H:%M:%S} (that file's longest usual "
                    f"pause is {_fmt_dt(node[2])}) while its other files log as usual: one of its nodes stopped"
                )
            elif gap is not None:
                what = f"logs nothing for {_fmt_dt(gap[1])} from {gap[0]:%H:%M:%S} (its longest usual pause is {_fmt_dt(gap[2])})"
            elif n in active and quiet:
                what = f"logs x{scan[n].rate_ratio:.2f} of its usual volume"
            elif back is not None:
                what = f'restarted at {back[0]:%H:%M:%S} ("{back[1]}")'
            elif fail is not None:
                what = f'logged an error never seen before at {fail[0]:%H:%M:%S} ("{fail[1]}")'
            elif state is not None:
                what = f'refuses its callers for a state of its own ("{state.group()}"), which it does not log'
            elif cert_callers:
                what = f"presents {', '.join(sorted(cert_callers))} an expired TLS certificate " + (
                    "(its handshakes fail on their alerts)" if n in cert_servers
                    else "(a server does not log the handshakes its clients abort)"
                )
            elif just_changed and not lost:
                what = "was changed just before it (a node of it may have stopped answering while the others log as usual)"
            elif n in active:
                who = ", ".join(sorted(x.service for x in blamers))
                what = (
                    f"looks normal in its own logs, but its callers {who} fail calling it: the fault is in {n} "
                    "or on the way to it (network, proxy)"
                )
                extra_ev[n] = [Evidence(kind="dependency", text=what, weight=0.3)]
                continue
            else:
                what = "logs nothing"
            extra_ev[n] = [Evidence(kind="own_anomaly", text=f"{n} {what} during the incident while its callers' failures name it", weight=0.3)]
    # (the anomalous services that logged no warning or error in the span: what changed in
    # their logs is news, a consumer group rebalancing, not trouble)
    warned = set(
        span.filter(pl.col("severity_number").cast(pl.Int32).fill_null(0) >= WARN_SEVERITY)["service"].drop_nulls().unique().to_list()
    ) if "severity_number" in span.columns else set(views)
    calm = {n: v.onset for n, v in views.items() if n not in warned and v.onset is not None}
    _own_failures(views, extra_ev, active, frames, changed_before, calm=calm, window=window)
    # nobody's failures name a service and every anomalous service's errors are reports of
    # failed requests (an edge's 5xx answers): a service whose volume collapses at the onset
    # is the one that stopped answering (a hung process called only by an edge whose access
    # log names no upstream; when its silence starts in detection's own baseline, nothing
    # else shows it; or only its late recovery does)
    blamed = any(v.failure_names for v in views.values())
    reporters = all(s not in scan or scan[s].err_z <= 3 or scan[s].victim_share >= 0.5 for s in views)
    if not blamed and reporters:
        first_onset = min((v.onset for v in views.values() if v.onset is not None), default=None)
        for n, fell in sorted(scan.items()):
            if not collapsed(fell):
                continue
            if n not in views:
                views[n] = _ServiceView(service=n, onset=first_onset)
            elif first_onset is not None and (late := views[n].onset) is not None and late > first_onset + window:
                # its own anomalies come late (it logs again when the hang ends): it was
                # quiet from the incident's start
                views[n].onset = first_onset
            else:
                continue
            extra_ev[n] = [
                Evidence(
                    kind="own_anomaly",
                    text=f"{n} logs x{fell.rate_ratio:.2f} of its usual volume from the incident's start",
                    weight=0.3,
                )
            ]
    # slowed services at the bottom of the anomalous call graph (no anomalous callee) with
    # no failures of their own, that all call one service which looks normal: the delay is
    # in that service or on the way to it (network delay, a pause its own logs do not time)
    def _latency_only(x: str) -> bool:
        sh = scan.get(x)
        return (
            sh is not None and sh.param_z > 3 and sh.param_ratio > 1 and not sh.own_new
            and sh.err_own_z <= 3 and views[x].n_naming == 0
        )

    bottoms = [
        x for x in sorted(views)
        if not any(t in views and t != x for t in _reach(graph, x)) and x in scan
    ]
    if len(bottoms) >= 2 and all(_latency_only(x) for x in bottoms):
        common = set.intersection(*(set(graph.get(x, ())) for x in bottoms)) - set(views)
        for n in sorted(common):
            onset = min((t for t in (views[x].onset for x in bottoms) if t is not None), default=None)
            views[n] = _ServiceView(service=n, onset=onset)
            extra_ev[n] = [
                Evidence(
                    kind="dependency",
                    text=(
                        f"the slowed services {', '.join(bottoms)} call no other anomalous service "
                        f"but all call {n}: the delay is in {n} or on the way to it"
                    ),
                    weight=round(1.5 / len(common), 3),
                )
            ]
    # a proxy whose requests slowed towards one upstream only, the others keeping their pace
    # (the ingress-nginx controller's log: the eta service's requests x6, the orders' as
    # before): the delay is in that upstream, which may time nothing itself
    for x in sorted(views):
        if views[x].failure_names or x not in frames:
            continue
        start = min((t for t in (views[x].onset, span_start) if t is not None), default=None)
        slow = _slow_upstream(frames[x], start, known, exclude=x)
        if slow is None:
            continue
        n, upstream, before_ms, after_ms = slow
        if n not in views:
            views[n] = _ServiceView(service=n, onset=views[x].onset)
        # (an upstream that times its own work and shows the delay there says so itself; the
        # delay may then be in what it calls, as slow as it or slower: the proxy's view adds
        # little to its own numbers)
        timed = (sh := scan.get(n)) is not None and sh.param_z > 3 and sh.param_ratio > 1
        extra_ev.setdefault(n, []).append(
            Evidence(
                kind="dependency",
                text=(
                    f"{x}'s requests to {upstream} slowed from {before_ms:.0f} ms to {after_ms:.0f} ms (median) "
                    f"while its other upstreams kept their pace: the delay is in {n}"
                    + (" or in what it calls (its own timings slowed too)" if timed else "")
                ),
                weight=0.3 if timed else 1.5,
            )
        )
    candidates = sorted(views)
    naming = frozenset(
        (key.split("|")[1], key.split("|", 2)[2]) for key, named in names_of.items() if named
    )
    origins = _trace_origins(span, known, naming)
    onsets = [v.onset for v in views.values() if v.onset is not None]
    first = min(onsets) if onsets else None
    roles_ev: dict[str, list[Evidence]] = {s: [] for s in candidates}
    own_strength = {s: (scan[s].own_strength() if s in scan else 0.0) for s in candidates}
    # a slow-down propagates to callers diluted by their own time: the root has the largest
    # relative shift of its own numbers
    shifted = {
        s: abs(math.log(scan[s].param_ratio))
        for s in candidates
        # (a count that grew, rows a batch reads, is more work, not a slower answer)
        if s in scan and scan[s].param_z > 3 and not scan[s].param_names and scan[s].param_ratio > 0 and not scan[s].param_count
    }
    top_shift = max(shifted, key=lambda k: shifted[k]) if len(shifted) >= 2 else None
    quiet_views = sorted(s for s, v in views.items() if v.quiet is not None)
    n_quiet = len(quiet_views)
    # (covers: containment both ways; behind: one way only, who stands behind whom)
    covers = covers or {}
    behind_of = {a: {b for b in bs if a not in covers.get(b, ())} for a, bs in covers.items()}
    # a quiet service whose traces are (nearly) all another's: that one's errors in the
    # shared traces come first because the quiet one logs nothing there
    failing = {
        q: {**_failing_callers(q, views, graph, covers, texts, known), **_backed_up_publishers(q, views, texts, frames)}
        for q in quiet_views
    }
    waits_on = {
        t: sorted(q for q in quiet_views if q != t and q in covers.get(t, ()) and t in failing[q])
        for t in views
        if views[t].quiet is None
    }
    for s, v in views.items():
        ev = roles_ev[s]
        ev.extend(extra_ev.get(s, ()))
        if first is not None and v.onset is not None:
            lag = (v.onset - first).total_seconds()
            if lag <= window.total_seconds():
                ev.append(Evidence(kind="onset", text=f"{s} anomalous from the first window ({v.onset:%H:%M:%S})", weight=1.0))
            else:
                w = -min(1.0, lag / (5 * window.total_seconds()))
                ev.append(Evidence(kind="onset", text=f"{s} anomalous {_fmt_dt(lag)} after the first service", weight=round(w, 3)))
        if v.quiet is not None:
            # told, not weighed: services behind a hung one go quiet too (nobody calls them);
            # but the only silent one, with no anomalous service calling it and no failure
            # naming it, is silent on its own (a crashed process, a consumer stuck on its queue)
            b, o = v.quiet
            what = f"stopped logging ({b:.1f} records per window before, none during)" if o == 0 else (
                f"nearly stopped logging ({b:.1f} -> {o:.1f} records per window)"
            )
            fed = any(t != s and s in _reach(graph, t) for t in views) or any(
                o != s and s in ov.names for o, ov in views.items()
            )
            # (several silent at once: one hung and the others behind it, which the call
            # graph read from the logs may not show; the silence alone cannot tell which,
            # but a call graph or shared trace ids can: the others are behind it, and no
            # other quiet service stands before it)
            others = [o for o in quiet_views if o != s]
            by_names = [o for o in others if o in _reach(graph, s)]
            by_traces = [o for o in others if o not in by_names and o in behind_of.get(s, ())]
            fed_quiet = any(s in _reach(graph, o) or s in behind_of.get(o, ()) or s in views[o].names for o in others)
            if others and not fed_quiet and len(by_names) + len(by_traces) == len(others):
                _blame_failing_callers(s, failing[s], roles_ev)
                how = [
                    *([f"it calls {', '.join(by_names)} (its logs name them)"] if by_names else []),
                    *([f"{', '.join(by_traces)} log only within requests it handles (shared trace ids)"] if by_traces else []),
                ]
                ev.append(
                    Evidence(
                        kind="own_anomaly",
                        text=f"{s} {what}; the services quiet with it wait on it: {'; '.join(how)}",
                        weight=1.0,
                    )
                )
            elif n_quiet == 1 and (callers_failing := failing[s]):
                # its callers go on and their calls fail (time out, refused): it should be
                # answering them, so its silence is its own (a hung process)
                ev.append(
                    Evidence(
                        kind="own_anomaly",
                        text=(
                            f"{s} {what} while {', '.join(callers_failing)}, which "
                            + ("calls it, goes on and fails its calls" if len(callers_failing) == 1 else "call it, go on and fail their calls")
                            + ": the silence is its own"
                        ),
                        weight=1.0,
                    )
                )
                _blame_failing_callers(s, callers_failing, roles_ev)
            elif fed or n_quiet > 1:
                ev.append(Evidence(kind="own_anomaly", text=f"{s} {what}", weight=0.0))
            else:
                ev.append(Evidence(kind="own_anomaly", text=f"{s} {what}, the only one, and no anomalous service calls it or names it: the silence is its own", weight=1.0))
        if v.healthy_named:
            ev.append(
                Evidence(
                    kind="own_anomaly",
                    text=(
                        f"{s}'s failures name {', '.join(sorted(v.healthy_named))}, which "
                        f"{'logs' if len(v.healthy_named) == 1 else 'log'} as usual (no anomaly, no pause, its volume steady) "
                        f"and no other service fails calling: the failure is on {s}'s side (its client, its settings)"
                    ),
                    weight=1.0,
                )
            )
        if v.cert_outside:
            ev.append(
                Evidence(
                    kind="own_anomaly",
                    text=(
                        f"{s}'s TLS calls reject the server's certificate and none of its dependencies in the logs "
                        f"is anomalous: the server is outside the logs, and {s} is where its failure shows"
                    ),
                    weight=1.0,
                )
            )
        if v.unanswered:
            ev.append(
                Evidence(
                    kind="own_anomaly",
                    text=(
                        f"{s}'s calls to {', '.join(v.unanswered[:2])}, outside the logs, go unanswered and it calls "
                        f"no anomalous service in them: the outage enters the estate at {s}"
                    ),
                    weight=1.0,
                )
            )
        blamed_by = [o for o, ov in views.items() if o != s and s in ov.failure_names]
        slower_by = [o for o, ov in views.items() if o != s and s in ov.names and s not in ov.failure_names]
        if blamed_by:
            ev.append(Evidence(kind="dependency", text=f"failure messages of {', '.join(sorted(blamed_by))} name {s} (it is their dependency)", weight=round(1.0 + 0.5 * len(blamed_by) / max(1, len(views) - 1), 3)))
        elif slower_by:
            # a caller's slower calls to s: s or something behind it is slow
            ev.append(Evidence(kind="dependency", text=f"slower calls of {', '.join(sorted(slower_by))} name {s}", weight=0.2))
        if v.n_naming:
            share = v.n_naming / max(1, v.n_contrib)
            targets = ", ".join(sorted(v.names))
            ev.append(Evidence(kind="dependency", text=f"{v.n_naming} of {v.n_contrib} {_anomalies(v.n_contrib)} of {s} name {targets} (failures of a dependency)", weight=round(-1.5 * share, 3)))
        if v.own:
            ev.append(Evidence(kind="own_anomaly", text=f"{v.own} {_anomalies(v.own)} of {s} {'does' if v.own == 1 else 'do'} not name another service", weight=round(0.5 * v.own / max(1, v.n_contrib), 3)))
        if v.unnamed:
            share = v.unnamed / max(1, v.n_contrib)
            ev.append(
                Evidence(
                    kind="dependency",
                    text=f"{v.unnamed} of {v.n_contrib} {_anomalies(v.n_contrib)} of {s} report a failing dependency without naming it (\"upstream ...\", \"downstream ...\")",
                    weight=round(-1.0 * share, 3),
                )
            )
        sh = scan.get(s)
        if sh is not None:
            o = own_strength[s]
            if o >= 0.3:
                changed: list[str] = []
                if sh.own_new:
                    changed.append(f"{len(sh.own_new)} new template(s)")
                if sh.err_own_z > 3:
                    changed.append(f"error share {sh.err_before:.1%} -> {sh.err_after:.1%}")
                if sh.param_z > 3 and not sh.param_names:
                    changed.append(sh.param_text)
                ev.append(Evidence(kind="own_anomaly", text=f"{s}'s own logs change at the onset: {'; '.join(changed)}", weight=round(0.8 * o, 3)))
            if s == top_shift:
                ev.append(
                    Evidence(
                        kind="parameter_shift",
                        text=f"largest relative shift of its own numbers among the anomalous services (x{sh.param_ratio:.2f})",
                        weight=0.5,
                    )
                )
            new_err = sum(t[2] for t in sh.own_new)
            if new_err:
                # an exception text nobody logged before is the service's own failure; a proxy
                # or caller only reports it with a status code or a message naming a dependency
                ev.append(
                    Evidence(
                        kind="new_template",
                        text=f"{new_err} error records of {s} use templates never seen before the onset",
                        weight=round(0.6 * _squash(new_err, 5.0), 3),
                    )
                )
            if sh.victim_share >= 0.5 and sh.n_after and not v.healthy_named and not v.cert_outside and not v.unanswered:
                ev.append(Evidence(kind="dependency", text=f"{sh.victim_share:.0%} of {s}'s errors at the onset name another service or are 5xx answers in an access log", weight=round(-0.8 * sh.victim_share, 3)))
            # (a proxy's 5xx answers that carry its upstream's response time were its
            # upstream's answers: another anomalous service answering 5xx is likelier theirs)
            others = [o for o in views if o != s and (sc := scan.get(o)) is not None and sc.err_z > 3 and sc.relay_share < 0.5]
            if sh.relay_share >= 0.5 and others:
                ev.append(
                    Evidence(
                        kind="dependency",
                        text=(
                            f"{sh.relay_share:.0%} of {s}'s errors are 5xx answers that carry its upstream's response "
                            f"time (the upstream answered them), while {', '.join(sorted(others))} also failed"
                        ),
                        weight=-0.5,
                    )
                )
        # call graph: a service that calls another anomalous service is downstream of it
        callees = sorted(
            t for t in _reach(graph, s)
            if t in views and t != s and (own_strength.get(t, 0.0) + views[t].own > 0 or t in extra_ev)
        )
        if callees:
            ev.append(Evidence(kind="dependency", text=f"{s} calls {', '.join(callees)}, also anomalous (its logs name them)", weight=-0.8))
        callers = sorted(t for t in views if t != s and s in _reach(graph, t))
        # (a service whose failures mostly report a dependency it does not name does call one)
        if callers and not callees and 2 * v.unnamed < max(1, v.n_contrib):
            ev.append(Evidence(kind="dependency", text=f"called by anomalous {', '.join(callers)} and calls no anomalous service", weight=0.6))
        if s in origins and waits_on.get(s):
            hung = ", ".join(waits_on[s])
            ev.append(
                Evidence(
                    kind="trace",
                    text=(
                        f"first to log an error in {origins[s]:.0%} of cross-service error traces, but {hung}, which "
                        f"went quiet, works within its requests (shared trace ids) and logs nothing there: "
                        f"{s} reports its calls failing"
                    ),
                    weight=-0.8,
                )
            )
        elif s in origins:
            ev.append(Evidence(kind="trace", text=f"first to log an error in {origins[s]:.0%} of cross-service error traces", weight=round(1.5 * origins[s], 3)))
        elif origins:
            ev.append(Evidence(kind="trace", text=f"never first to err in {len(origins)} services' shared error traces", weight=-0.5))
    # (after every service's evidence: one may add to another's, a caller whose callee hung)
    for s, v in views.items():
        v.score = sum(e.weight for e in roles_ev[s]) + 0.01 * math.log1p(v.contrib_score)
    ranked = sorted(views.values(), key=lambda v: (-v.score, v.onset or datetime.max.replace(tzinfo=first.tzinfo if first else None), v.service))
    root = ranked[0].service
    # a failure outside the estate (a payment provider, a SaaS API) shows only as the root's
    # calls to it failing: name the host, since no log of it is in the export
    outside = external_hosts(texts.get(root, []), known)
    if outside:
        roles_ev[root].append(Evidence(kind="dependency", text=EXTERNAL_HOSTS + ", ".join(outside[:3]), weight=0.0))
    if (outside or views[root].cert_outside) and (expired := certificate_expired(texts.get(root, []))):
        roles_ev[root].append(Evidence(kind="dependency", text=expired, weight=0.0))
    elif any(root in v.cert_named for v in views.values()):
        roles_ev[root].append(Evidence(kind="dependency", text=OWN_CERTIFICATE, weight=0.0))
    roles = []
    for v in ranked:
        role: Literal["root", "victim", "affected"]
        if v.service == root:
            role = "root"
        elif root in v.names or root in _reach(graph, v.service) or any(n in views and n != v.service for n in v.names):
            role = "victim"
        else:
            role = "affected"
        roles.append(
            ServiceRole(service=v.service, role=role, onset=v.onset, score=round(v.score, 3), evidence=tuple(roles_ev[v.service]))
        )
    healthy = {v.service: frozenset(v.healthy_named) for v in ranked if v.healthy_named}
    return RootFinding(root, roles, names_of, healthy, tuple(outside[:3]))


_FAILURES = frozenset(("new", "rate_spike", "error_ratio"))
#: words in a row of a failing template's literal text, and characters, long enough to be
#: that failure's own words when another service's record quotes them
_QUOTE_WORDS = 4
_MIN_QUOTE = 20
#: words before a run in a failing template for the run to start that failure's message
#: (a level word, "ERROR:", a code)
_OWN_OFFSET = 2


#: what a caller logs when its call to another service gets no answer (a hung or dead
#: callee: a time-out, a refused or reset connection, a gateway time-out); an error answer
#: (502, "unavailable") means something answered
_CALL_FAILED = re.compile(
    r"(?i)\btimed? ?out\b|\btimeout\b|connection (?:refused|reset)|ECONNREFUSED|ECONNRESET"
    r"|\bno route to host\b|\bbroken pipe\b|\bdeadline exceeded\b|\b504\b"
)


def _failing_callers(
    s: str,
    views: dict[str, _ServiceView],
    graph: dict[str, set[str]],
    covers: dict[str, set[str]],
    texts: dict[str, list[str]],
    known: Sequence[str],
) -> dict[str, float]:
    """Anomalous services that call ``s`` (their logs name it, or its traces are nearly all
    theirs), are not quiet themselves, and whose anomalies read as failed calls: each with
    the share of its anomalies that do."""
    out = {}
    for t, tv in views.items():
        if t == s or tv.quiet is not None:
            continue
        if s not in _reach(graph, t) and s not in covers.get(t, ()) and s not in tv.names:
            continue
        # (a failure that names another service is that one's: a caller failing at its first
        # dependency never calls the next, which goes quiet for want of calls)
        failed = sum(bool(_CALL_FAILED.search(x)) and not _names(x, known, exclude=t) for x in texts.get(t, ()))
        if failed:
            out[t] = failed / max(1, len(texts.get(t, ())))
    return dict(sorted(out.items()))


#: words of a queue backing up or refusing messages (its consumer stopped)
_QUEUE_WORDS = re.compile(r"(?i)\b(?:backlog|queue|consumers?|lag|topic|partition|subscription|redeliver\w*|unacked)\b")
#: a resource's name in a message: words joined by "-", "_" or "." (order-events, jobs.high)
_RESOURCE = re.compile(r"(?<![<\w])[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)+(?![\w>])")


def _backed_up_publishers(
    s: str, views: dict[str, _ServiceView], texts: dict[str, list[str]], frames: dict[str, pl.DataFrame]
) -> dict[str, float]:
    """Services whose anomalies tell of a queue backing up (``order-events backlog high
    depth=8123 consumers=0``, ``publish rejected: queue full``) that ``s`` works on (its own
    logs name that queue: ``processed order-events message``): a consumer gone quiet makes
    its publishers fail later, and no call graph links them. Each with the share of its
    anomalies that do."""
    frame = frames.get(s)
    if frame is None or frame.height == 0:
        return {}
    bodies = frame.get_column("body").head(20_000)
    out = {}
    for t, tv in views.items():
        if t == s or tv.quiet is not None:
            continue
        hits = 0
        for x in texts.get(t, ()):
            if not _QUEUE_WORDS.search(x):
                continue
            names = {m.group() for m in _RESOURCE.finditer(x)} - {s}
            if any(bodies.str.contains(n, literal=True).any() for n in sorted(names)[:5]):
                hits += 1
        if hits:
            out[t] = hits / max(1, len(texts.get(t, ())))
    return dict(sorted(out.items()))


def _blame_failing_callers(s: str, callers: dict[str, float], roles_ev: dict[str, list[Evidence]]) -> None:
    """A quiet service's callers whose anomalies are failed calls: those failures are the
    quiet service's (as if they named it: the penalty of anomalies naming a dependency, and
    the quiet one is their dependency)."""
    if not callers:
        return
    for t, share in callers.items():
        roles_ev[t].append(
            Evidence(
                kind="dependency",
                text=(
                    f"{share:.0%} of {t}'s anomalies are calls to {s} that time out or are refused, or a queue {s} "
                    f"works on backing up, and {s} went quiet"
                ),
                weight=round(-1.5 * share, 3),
            )
        )
    roles_ev[s].append(
        Evidence(
            kind="dependency",
            text=f"{', '.join(callers)} fail{'s' if len(callers) == 1 else ''} calling it or feeding its queue (time out, refused, backlog) while it is quiet",
            weight=1.0,
        )
    )


def _plain(text: str) -> str:
    """Text compared for quoting: lower case, no quotes or backslashes (a JSON attribute
    escapes them), blanks collapsed."""
    return " ".join(text.lower().replace("\\", "").replace('"', "").replace("'", "").split())


def _error_texts(contribs: Sequence[Contribution]) -> dict[str, set[str]]:
    """Per service, the runs of :data:`_QUOTE_WORDS` words (at least :data:`_MIN_QUOTE`
    characters) in the literal text of its failing templates (``column p.discount does not
    exist at character <NUM>``: ``column p.discount does not``, ...)."""
    out: dict[str, set[str]] = {}
    # how many words come before each run in the template: the server's own failure starts
    # its message, a client's exception text has it after its own words
    offset: dict[tuple[str, str], int] = {}
    for c in contribs:
        if c.service and c.template and c.kind in _FAILURES:
            before = 0
            for part in re.split(TOKEN_RE, c.template):
                words = _plain(part).split()
                for i in range(len(words) - _QUOTE_WORDS + 1):
                    run = " ".join(words[i : i + _QUOTE_WORDS])
                    if len(run) >= _MIN_QUOTE:
                        out.setdefault(c.service, set()).add(run)
                        key = (c.service, run)
                        offset[key] = min(offset.get(key, before + i), before + i)
                before += len(words) + 1
    # words that several services' failing templates share (every client of a database
    # writing its "the database system is in recovery mode") are nobody's own -- unless one
    # of them starts its message with them and the others quote them after words of their
    # own ("ERROR: could not extend file ..." in the database, "...; SQL [INSERT ...];
    # ERROR: could not extend file ..." in its clients' exceptions)
    seen = Counter(run for runs in out.values() for run in runs)
    owner: dict[str, str] = {}
    for run, n in seen.items():
        if n > 1:
            first = [s for s, runs in out.items() if run in runs and offset[(s, run)] <= _OWN_OFFSET]
            if len(first) == 1:
                owner[run] = first[0]
    return {s: {r for r in runs if seen[r] == 1 or owner.get(r) == s} for s, runs in out.items()}


def _quoting(c: Contribution, errors: dict[str, set[str]], peers: str) -> tuple[str, ...]:
    """The services whose own failure ``c``'s records quote: the error a client got back
    (``err="ERROR: could not extend file ... No space left on device"``) is the server's,
    which logged the same words as its failure. Words in the records' variables or error
    attributes count, and words of ``c``'s own template only when another service owns
    them (starts its failure with them while ``c`` has them after words of its own: two
    services that log the same sentence of their own do not quote each other, see
    :func:`_error_texts`)."""
    if not c.template:  # (a service's error share: no template to tell its own words by)
        return ()
    own = _plain(c.template)
    quoted = _plain(" ".join([*c.examples[:3], peers]))
    return tuple(
        s for s, parts in errors.items()
        if s != c.service and any(p in quoted or p in own for p in parts)
    )


#: a proxy's record of a request: the upstream it went to (the access-log reader's
#: ``upstream``; Envoy's ``upstream_cluster``) and how long it took (``response_time_ms``)
_UPSTREAM_KEYS = ("upstream", "upstream_cluster", "upstream_name", "backend")


def _slow_upstream(
    frame: pl.DataFrame, onset: datetime | None, services: Sequence[str], *, exclude: str
) -> tuple[str, str, float, float] | None:
    """The logging service behind the one upstream a proxy's requests slowed towards:
    ``(service, upstream, median ms before, median ms after)``, comparing the 30 minutes
    before ``onset`` with the 15 after it. The upstream at least twice
    as slow (with 5 requests or more each side) and twice as much as the next one, and at least
    one other upstream no more than 1.5 times slower (a proxy slow towards all is slow itself,
    or its network); ``None``
    otherwise, or when the upstream names no logging service (``prod-eta-8080`` names ``eta``)."""
    if onset is None or "attributes" not in frame.columns or frame.height == 0:
        return None
    stop = onset + timedelta(minutes=15)
    ts = pl.col("timestamp")
    span = frame.filter((ts >= onset - timedelta(minutes=30)) & (ts <= stop))
    read = AttributeReader(span)
    recs = span.select(
        after=ts >= onset,
        up=pl.coalesce(*(read(k) for k in _UPSTREAM_KEYS)).replace("", None),
        ms=read("response_time_ms").cast(pl.Float64, strict=False),
    ).drop_nulls()
    if recs.height == 0:
        return None
    per = (
        recs.group_by("up")
        .agg(
            nb=(~pl.col("after")).sum(),
            na=pl.col("after").sum(),
            mb=pl.col("ms").filter(~pl.col("after")).median(),
            ma=pl.col("ms").filter(pl.col("after")).median(),
        )
        .filter((pl.col("nb") >= 5) & (pl.col("na") >= 5))
        .with_columns(ratio=pl.col("ma") / pl.max_horizontal(pl.col("mb"), pl.lit(1.0)))
    )
    ranked = per.sort("ratio", "up", descending=[True, False])
    ratios = ranked["ratio"].to_list()
    # (the slowest at least twice as slow as before and as the next one: a service calling
    # it slows less, diluted by its own time)
    if len(ratios) < 2 or ratios[0] < 2.0 or ratios[1] * 2.0 > ratios[0] or ratios[-1] > 1.5:
        return None
    up, before_ms, after_ms = ranked.select("up", "mb", "ma").row(0)
    named = _names(up, services, exclude=exclude)
    return (named[0], up, before_ms, after_ms) if len(named) == 1 else None


def _peer_texts(span: pl.DataFrame, contribs: Sequence[Contribution]) -> dict[tuple[str, str | None], str]:
    """The peers (``upstream=order-service``) the attributes of each anomalous template's
    first records in the span name, as text (see :func:`peers_expr`)."""
    tids = {c.template_id for c in contribs if c.template_id}
    if not tids or "attributes" not in span.columns or "template_id" not in span.columns:
        return {}
    rows = (
        span.filter(pl.col("template_id").is_in(sorted(tids)))
        .group_by("service", "template_id")
        .agg(peers_expr(pl.col("attributes")).head(3).str.join(" ").alias("peers"))
    )
    return {(s, t): p for s, t, p in rows.iter_rows() if p}


def _own_failures(
    views: dict[str, _ServiceView],
    extra_ev: dict[str, list[Evidence]],
    active: set[str],
    frames: dict[str, pl.DataFrame],
    changed_before: frozenset[str] = frozenset(),
    *,
    calm: dict[str, datetime] | None = None,
    window: timedelta = timedelta(minutes=1),
) -> None:
    """A service's failures that name only a dependency that logs as usual (no anomaly of
    its own, not silent, no restart, no other service failing to call it) are its own: a
    timeout set too short, a client misconfigured. (A dependency two or more callers fail
    to reach while it looks normal is the network's or its proxy's: see the silence loop's
    ``lost``.) The silence loop before this has made every named dependency that went
    quiet, restarted near the incident's start (:func:`_restart_near`) or logged a new error
    (:func:`_new_errors_near`) a candidate (in ``views``), so those are not looked at here.
    A dependency that logs less than a record a minute cannot show it serves as usual
    (:func:`_logs_enough`), nor can one changed just before the incident (``changed_before``: one of
    its nodes may have stopped answering while the others log as usual). A dependency whose
    own anomalies begin a window or more after the service's and that logs no warning or
    error (``calm``: such services' onsets) logs as usual too: a Kafka broker's consumer group
    rebalancing after its consumer's commits fail."""
    calm = calm or {}

    def logs_as_usual(n: str, since: datetime | None) -> bool:
        if n not in views:
            return True
        began = calm.get(n)
        return began is not None and since is not None and began >= since + window

    for ov in views.values():
        healthy = {
            n for n in ov.failure_names
            if logs_as_usual(n, ov.onset) and n not in extra_ev and n in frames and n in active and n not in changed_before
            and sum(n in x.failure_names for x in views.values()) == 1
            and _logs_enough(frames[n])
        }
        if not healthy or healthy != ov.failure_names:
            continue  # (it blames an anomalous service too: the usual victim's picture)
        own = sum(1 for named in ov.failure_sets if named <= healthy)
        ov.n_naming -= own
        ov.own += own
        ov.failure_names -= healthy
        ov.names -= healthy
        if not ov.names:
            # (its slower calls named them too: with nothing else named, they are its own)
            ov.own += ov.n_naming
            ov.n_naming = 0
        ov.healthy_named = healthy


def _logs_enough(frame: pl.DataFrame) -> bool:
    """Whether a service logs a record a minute or more on average over its logs' span: one
    that logs less (a database's slow-query and error logs) cannot show that it serves as
    usual, so its callers' failures naming it are not put down to them."""
    ts = frame.get_column("timestamp")
    first, last = tmin(ts), tmax(ts)
    if first is None or last is None:
        return False
    return frame.height >= max((last - first).total_seconds() / 60.0, 1.0)


#: how long before or after an incident's start a dependency's restart counts in it (a
#: rollout's time; one an hour into a long incident is someone's attempt at a fix)
_RESTART_BEFORE = timedelta(minutes=10)


def _restart_near(frame: pl.DataFrame, start: datetime | None, end: datetime | None) -> tuple[datetime, str] | None:
    """The service's restart (see :func:`restart_after`) within :data:`_RESTART_BEFORE` of
    an incident's first record ``start`` (and before its last, ``end``)."""
    if start is None or end is None:
        return None
    return restart_after(frame, start - _RESTART_BEFORE, min(end, start + _RESTART_BEFORE))


#: how long before an incident's first record a dependency's new error counts in it
_NEW_ERROR_BEFORE = timedelta(minutes=2)


def _new_errors_near(frame: pl.DataFrame, start: datetime | None, end: datetime | None) -> tuple[datetime, str] | None:
    """``(when, first line)`` of the service's first error record from
    :data:`_NEW_ERROR_BEFORE` before an incident's first record ``start`` up to
    :data:`_RESTART_BEFORE` after it (and before its last, ``end``), of a template it never
    logged before then, or one that says it ran out of memory (an OOM kill is a warning
    event): a dependency whose one or two ``OutOfMemoryError`` lines are too few for an
    anomaly of its own is not logging as usual."""
    if start is None or end is None or "template_id" not in frame.columns:
        return None
    lo = start - _NEW_ERROR_BEFORE
    seen = frame.filter(pl.col("timestamp") < lo)["template_id"].unique()
    # (or one out of memory, whatever its level: a kubelet's OOM kill is a warning event)
    hit = (
        frame.filter(
            pl.col("timestamp").is_between(lo, min(end, start + _RESTART_BEFORE))
            & (
                (pl.col("is_error") & ~pl.col("template_id").is_in(seen.implode()))
                | pl.col("body").str.contains(MEMORY_EXHAUSTED)
            )
        )
        .sort("timestamp")
        .head(1)
    )
    if hit.is_empty():
        return None
    lines = str(hit["body"][0]).splitlines() or [""]
    # (a stack trace's exception line says more than the framework's first line)
    thrown = next((x.strip() for x in lines[1:] if _THROWN_RE.search(x) and not x.lstrip().startswith("at ")), None)
    text = lines[0][:100] + (f" ... {thrown[:100]}" if thrown else "")
    return hit["timestamp"][0], text


_THROWN_RE = re.compile(r"(?:Error|Exception)\b")


def _anomalies(n: int) -> str:
    return "anomaly" if n == 1 else "anomalies"


def certificate_note(roles: Sequence[ServiceRole]) -> str | None:
    """The root's :data:`OUR_CERTIFICATE`, :data:`THEIR_CERTIFICATE` or
    :data:`OWN_CERTIFICATE` evidence, if any (the summary and the suggested action read it
    back)."""
    return next(
        (
            e.text for r in roles if r.role == "root" for e in r.evidence
            if e.text in (OUR_CERTIFICATE, THEIR_CERTIFICATE, OWN_CERTIFICATE)
        ),
        None,
    )


def certificate_expired(texts: Sequence[str]) -> str | None:
    """:data:`OUR_CERTIFICATE` when the failures say a peer rejected our certificate as
    expired ("Received fatal alert: certificate_expired": the partner's gateway, checking
    the client certificate of mutual TLS), :data:`THEIR_CERTIFICATE` when they say the
    peer's certificate expired ("x509: certificate has expired"), else None."""
    if any(OUR_CERTIFICATE_EXPIRED.search(t) for t in texts):
        return OUR_CERTIFICATE
    if any(THEIR_CERTIFICATE_EXPIRED.search(t) for t in texts):
        return THEIR_CERTIFICATE
    return None
