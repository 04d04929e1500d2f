"""Suspect changes: scoring, the cause decision, and the impact rating of every change."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from rcakit.correlate._results import ChangeImpact, ChangeRef, Evidence, Incident, Suspect
from rcakit.correlate._services import (
    MEMORY_EXHAUSTED,
    UNAVAILABLE,
    change_keys,
    host_named,
    match_service,
    node_services,
    restart_after,
    server_product,
)
from rcakit.correlate._shifts import _compare, _Shift, _shift_evidence
from rcakit.correlate._units import _fmt_dt, _num, tmin


def _change_ref(row: dict[str, Any]) -> ChangeRef:
    return ChangeRef(
        id=row["id"],
        time=row["time"],
        service=row.get("service_raw", row["service"]),
        version=row["version"],
        kind=row["kind"] or "deploy",
        description=row["description"],
    )


def _score_suspect(
    row: dict[str, Any],
    *,
    onset: datetime,
    end: datetime,
    root: str | None,
    services: Sequence[str],
    root_names: set[str],
    by_service: dict[str, pl.DataFrame],
    known: Sequence[str],
    span_cmp: timedelta,
    window: timedelta,
    changes: Sequence[dict[str, Any]],
    first_sign: datetime | None = None,
    root_clients: frozenset[str] = frozenset(),
    relays: frozenset[str] = frozenset(),
    root_blamed: bool = False,
    resolving: str | None = None,
    refusing: str | None = None,
    failing_texts: Sequence[str] = (),
    root_failing: Sequence[str] = (),
    news: Sequence[tuple[str, str]] = (),
    new_statements: datetime | None = None,
) -> Suspect:
    """How likely the change ``row`` caused the incident (see the module's docs);
    ``resolving``: a failure line of the incident saying a host name did not resolve;
    ``refusing``: the words of the root's answers, in its callers' failures, refusing for a
    state of its own (``OOM command not allowed``); ``failing_texts``: the incident's failure
    lines (templates and examples); ``root_failing``: the root's failure lines and the
    fields read out of them (JSON), where an identifier the change names may show (a
    field's name is no failure, and another service's failures are not the root's);
    ``news``: the lines of the incident's new and surging templates, ``(service, text)``;
    ``new_statements``: the first record of the root's failing statements when they are new
    to it and one client's (``root_clients``)."""
    ref = _change_ref(row)
    t = ref.time
    lag = (onset - t).total_seconds()
    # the earliest sign of trouble (the detection window can open before the dated onset)
    first_sign = min(onset, first_sign) if first_sign is not None else onset
    ev: list[Evidence] = []
    # -- time proximity (weak: slow burns surface late)
    prox = math.exp(-max(lag, 0.0) / 3600.0)
    ev.append(Evidence(kind="timing", text=f"{_fmt_dt(lag)} {'before' if lag >= 0 else 'after'} the onset", weight=round(0.15 * prox, 3)))
    # -- service relation
    svc = row["service"]  # matched to a logging service (ref.service is as given)
    if svc is not None and svc == root:
        rel = 1.0
        ev.append(Evidence(kind="service", text=f"same service as the root ({svc})", weight=0.3))
    elif svc is not None and svc in root_names:
        rel = 0.9
        ev.append(Evidence(kind="service", text=f"{svc} is a dependency named in the root's errors", weight=0.25))
    elif svc is not None and svc in root_clients:
        # (only its statements fail, others' go through: what fails is its doing, as much as
        # a change of the root's own would be)
        rel = 1.0
        ev.append(Evidence(kind="service", text=f"the root's failing statements are {svc}'s (its client)", weight=0.2))
    elif svc is not None and svc in services:
        rel = 0.3
        ev.append(Evidence(kind="service", text=f"{svc} is affected, but is not the root ({root})", weight=0.0))
    elif svc is None and ref.kind == "feature_flag" and server_product(root):
        # (a flag switches code paths of the applications that read it: a database, a
        # pooler, a broker reads none; what its clients do differently shows in theirs)
        rel = _UNTIED_REL
        ev.append(Evidence(kind="service", text=f"{_UNTIED} a feature flag, which {root}, a server product, does not read", weight=0.0))
    elif svc is None:
        # (a change to the network path, a firewall's rules, DNS, a proxy, is likelier to
        # break calls than one that touches no call: a log forwarder's token)
        path = _path_note(ref) if lag <= _NETWORK_LEAD.total_seconds() else ""
        rel = _NETWORK_REL if path else 0.4
        ev.append(Evidence(kind="service", text=f"change has no service (global change{path})", weight=0.0))
    elif svc not in by_service and _application_change(ref):
        # a release of an application that writes no logs here (a CMDB item no log is
        # named after) changed that application: the services here only use it, so their
        # logs after it are not its doing (probe AY: a bank's "deploy of OLB-Web-Liberty"
        # was named the cause of the database's archiver stall, 15 min after it, because
        # the database "behaves differently after it")
        rel = 0.1
        ev.append(
            Evidence(
                kind="service",
                text=f"{svc} writes no logs in these exports (a {ref.kind} of that application, not of infrastructure)",
                weight=0.0,
            )
        )
    elif svc not in by_service:
        # infrastructure the exports hold no logs of (DNS, a mesh, a load balancer): what it
        # did can only show in the services that use it, as for a change with no service
        path = _path_note(ref, svc) if lag <= _NETWORK_LEAD.total_seconds() else ""
        rel = _NETWORK_REL if path else 0.4
        ev.append(Evidence(kind="service", text=f"{svc} writes no logs in these exports (infrastructure?{path})", weight=0.0))
    else:
        rel = 0.1
        ev.append(Evidence(kind="service", text=f"{svc} shows no anomaly in this incident", weight=-0.1))
    restart_strength = 0.0
    application = svc is not None and svc not in by_service and _application_change(ref)
    if (svc is None or svc not in by_service) and not application:
        # a change that restarted the root, or several services (a node drain, a cluster
        # upgrade), touched them: it is as related as the root's own deploy (which of them
        # the incident's failures reach is not always written: callers may name no callee)
        restarted = _restarted(by_service, t, sorted(by_service), changes)
        if root in restarted or len(restarted) >= 2:
            rel, restart_strength = 0.9, 0.6
            first = min(restarted, key=lambda s: restarted[s][0])
            when = _fmt_dt((restarted[first][0] - t).total_seconds())
            ev.append(
                Evidence(
                    kind="restart",
                    text=(
                        f"{', '.join(sorted(restarted))} restarted after it (first {first}, {when} after it: "
                        f"\"{restarted[first][1]}\"), with no change of their own"
                    ),
                    weight=0.3,
                )
            )
    elif svc == root and ref.kind in _ROLLOUT_KINDS and -window <= first_sign - t <= _ROLLOUT < end - t:
        # the root's own deploy restarted it, the trouble began while its new version came up
        # and outlasted the rollout (a blip of the restart itself does not): what changed may
        # be what it sends (a message format, an answer), not what it logs, so its own logs
        # need not change for the deploy to be the cause
        started = restart_after(by_service[root], t, max(first_sign, t) + window) if root in by_service else None
        if started is not None:
            restart_strength = 0.35
            when = _fmt_dt((started[0] - t).total_seconds())
            ev.append(
                Evidence(
                    kind="restart",
                    text=(
                        f"{root} restarted {when} after it (\"{started[1]}\") and the trouble began as its new "
                        f"version came up ({_fmt_dt((first_sign - t).total_seconds())} after the change)"
                    ),
                    weight=0.2,
                )
            )
    # -- before/after in the change's service (root's when the change names no service)
    # (a root that writes no logs, named by its callers' failures, has nothing to compare)
    target = svc if svc in by_service else root if root in by_service and not application else None
    strength = 0.0
    pre = 0.0
    if target is not None:
        frame = by_service[target]
        # "after" ends at the incident end, or earlier at the next change of the same service
        # (from then on the logs show that change, not this one)
        after_end = max(end, t + window)
        nxt = [c["time"] for c in changes if c["service"] == svc and c["time"] > t + window]
        if nxt:
            after_end = min(after_end, nxt[0])
        sh = _compare(
            frame, t, before_span=span_cmp, after_end=after_end, services=known,
            service=target, version=ref.version, need_history=True,
        )
        # outside the root, errors that name another service are a failing dependency's,
        # not this change's doing: only the service's own behaviour counts -- except for the
        # client whose statements fail at the root (a database): its errors naming the
        # database are what its change (a migration locking a table) did to it
        client = svc is not None and svc in root_clients
        strength = sh.strength() if target == root or client else sh.own_strength()
        # (the root's 5xx answers are its own when the others in the incident only relay them)
        alone = (target == root and all(s == root or s in relays for s in services)) or client
        label = "after the change"
        if target == root and strength < 0.3 and not sh.no_history and t < onset <= t + _ROLLOUT:
            # the root's change lands, its new version takes a rollout's time to serve, then
            # the trouble starts: in a short export (taken during the incident) the minutes
            # before the onset dilute the "after" period, so compare from the onset too
            from_onset = _compare(
                frame, onset, before_span=span_cmp, after_end=after_end, services=known,
                service=target, version=ref.version, ref_end=t,
            )
            if from_onset.strength() > strength:
                sh, strength = from_onset, from_onset.strength()
                label = f"from the onset ({_fmt_dt(lag)} after the change)"
        if target == root and strength < 0.3 and not sh.no_history and after_end - t > 2 * span_cmp:
            # a long incident (or one that runs to the export's end) dilutes a change whose
            # effect was undone or faded: the root four times slower for 40 minutes after its
            # deploy, as usual for the hour after that; its first half hour tells
            soon = _compare(
                frame, t, before_span=span_cmp, after_end=t + span_cmp, services=known,
                service=target, version=ref.version, need_history=True,
            )
            if soon.strength() > strength:
                sh, strength = soon, soon.strength()
                label = f"in the {_fmt_dt(span_cmp.total_seconds())} after the change"
        ev.extend(_shift_evidence(sh, service=target, after_label=label, errors_are_own=alone))
        stop = _stopped_after(frame, t, end, window) if target == root else None
        if stop is not None:
            # a hung or crashed new version: the root stops logging minutes after its change,
            # and stays silent to the incident's end or for a long time (in an export taken
            # during the incident the before/after volumes dilute this)
            strength = max(strength, 0.6)
            ev.append(
                Evidence(
                    kind="volume",
                    text=(
                        f"{target} stopped logging {_fmt_dt((stop[0] - t).total_seconds())} after the change "
                        f"(nothing for {_fmt_dt(stop[1])} from {stop[0]:%H:%M:%S})"
                    ),
                    weight=0.4,
                )
            )
        # the export starts moments before the change: a handful of records cannot show
        # what it did (a comparison that does show a strong shift still counts)
        first_log = tmin(frame["timestamp"])
        thin = (
            not sh.no_history and sh.n_before < _MIN_HISTORY and strength < NO_HISTORY_STRENGTH
            and first_log is not None and t - first_log < _THIN_HISTORY
        )
        unseen = sh.no_history or thin
        if unseen:
            # the export starts after the change: it can be neither confirmed nor excluded by
            # the logs, so it keeps an even chance (its relation to the root and a later
            # change of the same service still decide)
            strength = NO_HISTORY_STRENGTH
            what = (
                f"{_NO_LOGS} {target} before the change" if sh.no_history
                else f"{_FEW_LOGS} {target} before the change ({sh.n_before} records from {first_log:%H:%M:%S})"
            )
            ev.append(Evidence(kind="no_change", text=f"{what}: what it did cannot be seen, nor ruled out", weight=0.0))
        # was the service already deviating before this change? compare the span just
        # before it with the history before an earlier same-service change
        earlier = [c for c in changes if c["service"] == svc and c["time"] < t and c["time"] >= t - span_cmp * 4]
        if earlier:
            e_t = earlier[-1]["time"]
            # the half hour just before this change, against the history before the earlier one
            pre_sh = _compare(
                frame, max(e_t, t - span_cmp), before_span=span_cmp, after_end=t, services=known,
                service=target, ref_end=e_t, need_history=True,
            )
            pre = pre_sh.persistent_strength() if pre_sh.n_after >= 20 else 0.0
            if pre > 0.4 and pre >= 0.6 * strength:
                ev.append(
                    Evidence(
                        kind="pre_existing",
                        text=f"{target} already deviated after the earlier change {earlier[-1]['id']} (before this one)",
                        weight=round(-0.6 * pre, 3),
                    )
                )
        # (a feature flag switches at once, no pod restarts: its service's logs from the
        # minute after it show what it did)
        rollout = timedelta(0) if ref.kind == "feature_flag" else _ROLLOUT
        # a later change of the same service before the onset: if nothing changed until
        # then, that later change is the better explanation
        later = [c for c in changes if c["service"] == svc and t < c["time"] <= onset + window]
        if later and target == root and ref.kind == "deploy" and _memory_exhausted(frame, first_sign - window, end):
            # a leak grows from the process start, which this deploy was: a later change
            # that restarted nothing (a token renewed, a flag) is not where it began
            later = [c for c in later if c.get("kind") in ("deploy", "rollback")]
        if later:
            gap = _fmt_dt((later[0]["time"] - t).total_seconds())
            mid = _compare(
                frame, t, before_span=span_cmp, after_end=later[0]["time"], services=known,
                service=target, version=ref.version,
            )
            mid_strength = 0.0 if unseen else mid.strength()
            if mid_strength < 0.3:
                superseded = 0.35 * (1.0 - mid_strength / 0.3)
                text = (
                    f"the later change {later[0]['id']} ({gap} after this one) is nearer the onset, and "
                    f"{target}'s logs start {'after' if sh.no_history else 'just before'} this one"
                    if unseen
                    else f"{target} logs did not change until the later change {later[0]['id']} ({gap} after this one)"
                )
                ev.append(Evidence(kind="pre_existing", text=text, weight=round(-superseded, 3)))
        elif unseen:
            # its logs start after the change, so what it did cannot be compared with before;
            # but a long stretch of them before the onset in which nothing grows (a slow
            # burn would) clears it like a change that served quietly
            covered = first_sign - first_log if first_log is not None else timedelta(0)
            if first_log is not None and covered >= _STEADY_SPAN:
                half = first_log + covered / 2
                mid = _compare(
                    frame, half, before_span=half - first_log, after_end=first_sign, services=known,
                    service=target, version=ref.version,
                )
                marked = _quiet_mark(
                    mid, covered / _QUIET_HALF_LIFE, rel=rel, strength=strength,
                    what=f"{target}'s logs in the {_fmt_dt(covered.total_seconds())} they cover before the onset",
                )
                if marked is not None:
                    strength, note = marked
                    ev.append(note)
        elif (first_sign - t).total_seconds() >= max(3 * window.total_seconds(), rollout.total_seconds()):
            # the change landed well before the onset: did its service change in between?
            # A slow burn does (warnings grow); an unrelated deploy does not. (Within a
            # rollout's time, pods restarting and traffic moving over, silence proves nothing.)
            mid = _compare(
                frame, t, before_span=span_cmp, after_end=first_sign, services=known,
                service=target, version=ref.version,
            )
            # the longer the new version served with no visible effect, the less likely it
            # is the cause (a leak or a filling cache takes a while; an unrelated deploy stays
            # quiet for good): halve every 15 min after the rollout. A root that runs out of
            # memory is the exception: a leak grows unseen from the process start (which the
            # deploy was) until the heap is full; such a deploy is not marked down for the
            # first 2 h it served, then halves every 2 h
            # (a crash line without a time of its own takes the record's before it: a window
            # back from the first sign)
            exhausted = (
                _memory_exhausted(frame, first_sign - window, end) if target == root and ref.kind == "deploy" else None
            )
            served = first_sign - t - rollout
            oom_before = _first_out_of_memory(frame, t + rollout, first_sign - window) if exhausted else None
            if oom_before is not None:
                # it ran out of memory already before this onset (a first crash, restarted,
                # that made too small an incident of its own): the leak's time to fill the
                # memory is to that first time, and its logs were not quiet in between
                served = oom_before - t - rollout
            if exhausted:
                # (its new version running out of memory is what it did, however its other
                # lines look: an OOM kill may be a warning event of the kubelet's; fully for
                # the first 2 h it served, then halving every 2 h: a leak that fills the heap
                # in 2.3 h is no less a leak than one that fills it in 1.9 h)
                leak_factor = 0.5 ** (max(0.0, (served - _LEAK_GRACE) / _LEAK_HALF_LIFE))
                ev.append(
                    Evidence(
                        kind="memory",
                        text=(
                            f"{target} runs out of memory in this incident (\"{exhausted}\""
                            + (f"; first at {oom_before:%H:%M:%S}, before the onset" if oom_before is not None else "")
                            + "): a leak grows unseen from the process start (this deploy) until the memory is full"
                        ),
                        weight=round(0.4 * leak_factor, 3),
                    )
                )
                strength = max(strength, 0.6 * leak_factor)
            marked = (
                None if exhausted and (served <= _LEAK_GRACE or oom_before is not None)
                else _quiet_mark(
                    mid, (served - _LEAK_GRACE) / _LEAK_HALF_LIFE if exhausted else served / _QUIET_HALF_LIFE,
                    rel=rel, strength=strength,
                    what=f"{target}'s logs in the {_fmt_dt(lag)} between this change and the onset",
                )
            )
            if marked is not None:
                strength, note = marked
                ev.append(note)
            else:
                ev.extend(_shift_evidence(mid, service=target, after_label="between the change and the onset"))
        if sh.version_share is not None and sh.version_share >= 0.5:
            strength = min(1.0, strength + 0.2 * sh.version_share)
        strength = max(strength, restart_strength)
        blamed = (target == root and root_blamed) or (target == svc and svc in root_names)
        # (a state it refuses for, out of memory or disk, takes a while to reach after a
        # change that lowered its limit)
        lead = _STATE_LEAD if refusing and target == root else _BLAMED_LEAD
        if blamed and 0 <= lag <= lead.total_seconds() and strength < _BLAMED_STRENGTH:
            # its callers' failures name it from moments after its change: what it does for
            # them changed (one of its nodes stopped answering, its answers changed), however
            # usual the rest of its own logs look
            strength = _BLAMED_STRENGTH
            how = f", refusing for a state of its own (\"{refusing}\")" if refusing and target == root else ""
            ev.append(
                Evidence(
                    kind="dependency",
                    text=f"its callers' failures name {target} from {_fmt_dt(lag)} after it{how}",
                    weight=0.2,
                )
            )
        if client and new_statements is not None and t <= new_statements <= t + _ROLLOUT:
            # the root's failing statements are this client's, and new: a query the database
            # never ran before, from minutes after the client's release (an N+1 query, a
            # missing index on a new lookup), is what the release brought, however quietly
            # the client's own logs go on
            strength = max(strength, _KIND_STRENGTH)
            ev.append(
                Evidence(
                    kind="dependency",
                    text=(
                        f"the root's failing statements are {svc}'s and new to {root}, the first "
                        f"{_fmt_dt((new_statements - t).total_seconds())} after it: a query it brought"
                    ),
                    weight=0.3,
                )
            )
        if strength < 0.15 and not any(e.kind in _BEHAVIOUR and e.weight > 0.1 for e in ev):
            ev.append(Evidence(kind="no_change", text=f"no clear change in {target}'s logs after it", weight=-0.1))
    # (the version may be in the failing records' fields, a JSON log's "fw":"3.8.0", not in
    # their message)
    shown = (
        _version_in(ref.version, (*failing_texts, *root_failing))
        if (svc is None or svc not in by_service) and lag >= 0 else None
    )
    if shown is not None and _carried_before(by_service.get(root or ""), ref.version or "", t):
        # (... a version the root's records carried before the change already, a fleet's
        # firmware of last month, is no sign of it)
        shown = None
    if shown is not None:
        # a change of something that logs nothing here (devices, a client app) whose version
        # every new failure line carries: those failures are what it sends
        rel, strength = max(rel, 0.9), max(strength, _KIND_STRENGTH)
        ev.append(Evidence(kind="dependency", text=f"{_VERSION_SHOWN} {ref.version} (\"{shown[:100]}\")", weight=0.3))
    named_id = _id_in(ref.description, root_failing) if shown is None and lag >= 0 else None
    if named_id is not None and _carried_before(by_service.get(root or ""), named_id[0], t):
        named_id = None
    tie = (
        f"{_ID_SHOWN} '{named_id[0]}', which its description names (\"{named_id[1][:100]}\")"
        if named_id is not None else None
    )
    if tie is None and shown is None and lag >= 0 and (svc is None or svc not in by_service):
        # (... or in the new lines of a service of the incident, a fleet's updater offering
        # the campaign the change started: "Offering firmware 4.12.0 to hub-de8e2a (campaign
        # fw-4.12.0-wave3)" from 3 min after "Firmware 4.12.0 wave 3 rollout (OTA campaign
        # fw-4.12.0-wave3)": what began at the onset is what it started)
        for where, text in news:
            found = _id_in(ref.description, [text])
            if found is not None and not _carried_before(by_service.get(where), found[0], t):
                tie = f"{_ID_NEWS} '{found[0]}', which its description names, in {where} (\"{found[1][:100]}\")"
                break
    if tie is not None:
        # an identifier the change's description names (the key id a signing-key rotation
        # made current, "Rotate JWT signing key (kid k-2026-03)") in the root's failure lines
        # or their fields ("no matching key found in JWKS for kid k-2026-03"): they are its doing
        rel, strength = max(rel, 0.9), max(strength, _KIND_STRENGTH)
        ev.append(Evidence(kind="dependency", text=tie, weight=0.3))
    limit = _limit_shown(ref.description, root_failing) if tie is None and shown is None and lag >= 0 else None
    if limit is not None:
        # a limit the change set (a pool's size, "maximumPoolSize 40 -> 10") that the root's
        # failures show exhausted at that size ("total=10, active=10, idle=0, waiting=37"):
        # they hit what it set, however long it served before the peak came
        rel, strength = max(rel, 0.9), max(strength, _KIND_STRENGTH)
        # (quiet until then: a limit bites when the load reaches it, not when it is set)
        ev = [Evidence(kind=e.kind, text=e.text, weight=0.0) if e.kind == "pre_existing" else e for e in ev]
        ev.append(Evidence(kind="dependency", text=f"{_LIMIT_SHOWN} {limit[0]} (\"{limit[1][:100]}\")", weight=0.3))
    dns = _DNS_CHANGE.search(f"{ref.description or ''} {ref.service or ''}") if resolving else None
    if dns is not None and resolving is not None and -window.total_seconds() <= lag <= _DNS_LEAD.total_seconds():
        # the incident's failures are host names that do not resolve, just after a change
        # to name resolution: what it did shows in every service that resolves, not in the
        # resolver's own logs
        rel, strength = max(rel, 0.9), max(strength, _KIND_STRENGTH)
        ev.append(
            Evidence(
                kind="dependency",
                text=f"{_RESOLVES} ('{dns.group()}') and the incident's failures are host names that do not resolve (\"{resolving[:100]}\")",
                weight=0.3,
            )
        )
    if _logging_only(ref, failing_texts):
        # (a setting of what is logged, a level, request bodies, a format, changes no answer:
        # unless the incident's failures are what more logging breaks, a full disk)
        rel = min(rel, _UNTIED_REL)
        ev.append(Evidence(kind="service", text=f"{_LOGGING_ONLY} and none of the incident's failures reads like what more logging breaks (a full disk)", weight=0.0))
    undo = _undone_at_end(row, changes, onset=onset, end=end, window=window)
    if undo is not None:
        # the incident ended as this change was undone (a rollback, a revert, the flag
        # turned off): what an engineer asks first -- "did it stop when we took it back?" --
        # answers yes, whatever its logs showed between it and the onset (a flag whose code
        # path waits for a trigger: goal alerts sent at the next goal, 34 min later). (A
        # change of another service of the incident than the root says the root may be
        # that one: which is for the close call to try, not for this root's cause.)
        if svc is None or svc not in by_service or svc == root or svc in root_names or svc in root_clients:
            rel, strength = max(rel, 0.9), max(strength, _KIND_STRENGTH)
        ev.append(
            Evidence(
                kind="undone",
                text=(
                    f"{_UNDONE} by {undo['id']} at {undo['time']:%H:%M:%S} "
                    f"(\"{(undo['description'] or undo['kind'] or '')[:80].strip()}\"), and the incident ended "
                    + (
                        f"{_fmt_dt((end - undo['time']).total_seconds())} after it"
                        if end - undo["time"] >= window else "with it"
                    )
                ),
                weight=0.3,
            )
        )
    # (a root that stopped logging after it says nothing of why: not told apart)
    tied = any(e.kind in ("restart", "dependency", "undone") or (e.kind == "volume" and "stopped logging" in e.text) for e in ev)
    if (svc is None or (svc not in by_service and not application)) and not tied:
        # a change of something that writes no logs here is related by timing alone: a busy
        # change calendar (a Terraform run on every workspace all day) puts one minutes
        # before any incident. Where its description says what it changes (alert rules, a
        # DNS TXT record, an IAM grant) and the incident's failures show nothing such a
        # change breaks, it is not taken for the cause (probe BC: 13 causes of this kind)
        loose = _untied(ref, root=root, services=services, root_names=root_names, failing_texts=failing_texts)
        if loose is not None:
            rel = min(rel, _UNTIED_REL)
            ev.append(Evidence(kind="service", text=loose, weight=0.0))
    # -- combine
    score = rel * (0.2 + 0.65 * strength) + 0.15 * prox
    score += sum(e.weight for e in ev if e.kind == "pre_existing" and not e.text.startswith(_QUIET))
    score = round(max(0.0, min(1.0, score)), 3)
    return Suspect(change=ref, score=score, lag_seconds=lag, evidence=tuple(ev))


def _quiet_mark(mid: _Shift, served: float, *, rel: float, strength: float, what: str) -> tuple[float, Evidence] | None:
    """A change whose service showed nothing (``mid``, the comparison over the time it
    served) is less likely the cause the longer that lasted: its strength halves per
    ``served`` half-life, down to a tenth (a half when ``mid`` shows a weak shift). Returns
    the new strength and the evidence (its weight is what it takes off the score: rel x 0.65
    x the strength lost), or ``None`` when the service did change, or logged too little to
    tell (20 records)."""
    mid_strength = mid.strength()
    if mid_strength >= 0.3 or mid.n_after < 20:
        return None
    factor = max(0.1 if mid_strength < 0.15 else 0.5, 0.5**served)
    lost = rel * 0.65 * strength * (1 - factor)
    note = Evidence(kind="pre_existing", text=f"{_QUIET} {what} (strength x{factor:.2f})", weight=round(-lost, 3))
    return strength * factor, note


def _out_of_memory(frame: pl.DataFrame, start: datetime, end: datetime) -> tuple[datetime, str] | None:
    """``(time, words)`` of the first line of ``frame`` in ``[start, end]`` that reports the
    process out of memory (a Java heap, a Node heap, a Python ``MemoryError``, an OOM kill,
    Rust's allocator), or ``None``."""
    hit = frame.filter(
        pl.col("timestamp").is_between(start, end) & pl.col("body").str.contains(MEMORY_EXHAUSTED)
    ).sort("timestamp").head(1)
    if hit.is_empty():
        return None
    found = re.search(MEMORY_EXHAUSTED, hit["body"][0])
    return hit["timestamp"][0], found.group(0) if found else ""


def _first_out_of_memory(frame: pl.DataFrame, start: datetime, end: datetime) -> datetime | None:
    """The time of the first line of ``frame`` in ``[start, end]`` that reports the process
    out of memory (see :func:`_out_of_memory`), or ``None``."""
    hit = _out_of_memory(frame, start, end)
    return hit[0] if hit is not None else None


def _memory_exhausted(frame: pl.DataFrame, start: datetime, end: datetime) -> str | None:
    """The words of the first line of ``frame`` in ``[start, end]`` that reports the process
    out of memory (see :func:`_out_of_memory`), or ``None``."""
    hit = _out_of_memory(frame, start, end)
    return hit[1] or None if hit is not None else None


def _stopped_after(
    frame: pl.DataFrame, at: datetime, until: datetime, window: timedelta
) -> tuple[datetime, float] | None:
    """``(last record, seconds of silence)`` when a service stops logging within a rollout's
    time after ``at``: its first pause from then that lasts three windows and three times its
    longest pause of the 30 minutes before ``at``, up to its next record or to ``until``
    (the incident's end: a silence that lasts to the end of the export counts). ``None``
    without 20 records before ``at`` to know its usual pauses."""
    ts = frame.get_column("timestamp").drop_nulls()
    before = ts.filter((ts >= at - timedelta(minutes=30)) & (ts < at)).sort()
    if before.len() < 20 or until <= at:
        return None
    usual = _num(before.diff().dt.total_microseconds().max()) / 1e6
    times = pl.concat([before.tail(1), ts.filter((ts >= at) & (ts < until)).sort(), pl.Series([until]).cast(ts.dtype)])
    need = max(3 * window.total_seconds(), 3 * usual)
    pauses = (
        pl.DataFrame({"prev": times.head(-1), "next": times.tail(-1)})
        .filter(
            (pl.col("prev") <= at + _ROLLOUT)
            & ((pl.col("next") - pl.col("prev")).dt.total_microseconds() >= need * 1e6)
        )
        .head(1)
    )
    if pauses.is_empty():
        return None
    prev, nxt = pauses.row(0)
    # (a pause that began before the change is not the change's doing)
    return (prev, (nxt - prev).total_seconds()) if prev >= at else None


def _restarted(
    by_service: dict[str, pl.DataFrame], at: datetime, services: Sequence[str], changes: Sequence[dict[str, Any]]
) -> dict[str, tuple[datetime, str]]:
    """Services of ``services`` that restarted within a rollout's time after ``at`` (see
    :func:`restart_after`), with no change of their own in the rollout's time before the
    restart: ``{service: (when, the start line)}``."""
    out: dict[str, tuple[datetime, str]] = {}
    for svc in services:
        frame = by_service.get(svc)
        found = restart_after(frame, at, at + _ROLLOUT) if frame is not None else None
        if found is None:
            continue
        own = any(c["service"] == svc and found[0] - _ROLLOUT <= c["time"] <= found[0] for c in changes)
        if not own:
            out[svc] = found
    return out


#: the strength of a change whose service has no logs before it (neither seen nor ruled out)
NO_HISTORY_STRENGTH = 0.5
#: ... or fewer records than this, all logged less than ``_THIN_HISTORY`` before the change
_MIN_HISTORY = 20
_THIN_HISTORY = timedelta(minutes=5)
#: how the evidence of such a change starts (the cause decision reads it back)
_NO_LOGS, _FEW_LOGS = "no logs of", "too few logs of"

#: change kinds that roll a new version or configuration out (and restart the service)
_ROLLOUT_KINDS = frozenset({"deploy", "config", "rollback", "release", "upgrade"})

#: how long a rollout may take before the new version serves traffic (a deploy event is
#: stamped when it starts; the new pods take minutes to start, warm up and get traffic)
_ROLLOUT = timedelta(minutes=10)

#: a change of the root whose callers' failures name it this soon after it is related by them
_BLAMED_LEAD = timedelta(minutes=5)
#: ... with this strength (what its own logs show may be nothing: a node stopped answering)
_BLAMED_STRENGTH = 0.4
#: ... or up to this long when they say it refuses for a state of its own (memory, disk)
_STATE_LEAD = timedelta(minutes=30)

#: a change whose service shows nothing until the onset loses half its strength per this
#: much time served after its rollout
_QUIET_HALF_LIFE = timedelta(minutes=15)
#: ... unless the service runs out of memory (a leak fills it slowly): then not for this long,
#: then halving per this much
_LEAK_GRACE = _LEAK_HALF_LIFE = timedelta(hours=2)

#: a change older than its service's logs is judged by them when they cover this long
#: before the onset (an export starting half an hour before a slow leak's onset is not)
_STEADY_SPAN = timedelta(minutes=45)

#: how the evidence of a change that served quietly starts (:func:`_quiet_mark`; its weight is
#: already in the strength, and the cause decision reads it back)
_QUIET = "no visible change in"
QUIET_MARK = _QUIET  # (read back by correlate_changes: a surge explains an onset better)

#: the impact score of a change whose rollout only blipped (callers failed for a moment): it
#: counts as a change in behaviour (0.3 and up), well below any cause
_BLIP_SCORE = 0.3

#: evidence kinds that show a service behaving differently
_BEHAVIOUR = frozenset({"new_template", "parameter_shift", "error_ratio", "version", "volume", "restart", "dependency", "memory"})


#: a change to name resolution: a DNS server or zone, a resolver's configuration
_DNS_CHANGE = re.compile(
    r"(?i)\b(?:core|kube-?)?dns\b|coredns|corefile|\bresolv|\bbind9?\b|\bnamed\b|\bunbound\b|\broute ?53\b|\bstub zone|\bzone file"
    # (a record of a zone: "replace A record with CNAME mes-vip", "plant.local zone: ...")
    r"|(?-i:\b(?:A|AAAA|CNAME|PTR|SRV|NS) [Rr]ecords?\b)|\bcname\b|\b[\w-]+\.[a-z][\w.-]* zone\b"
)
#: how long before the onset a change to name resolution counts (caches keep old answers
#: for their time to live: minutes)
_DNS_LEAD = timedelta(minutes=15)
_RESOLVES = "it changes name resolution"
#: the strength of a change whose kind of effect the incident's failures show (host names
#: that stop resolving after a DNS change, its version in every rejected payload): as strong
#: as a service's own new errors after its change
_KIND_STRENGTH = 0.8
_VERSION_SHOWN = "the incident's failures carry its version"
#: a version distinctive enough to be looked for in log lines: three dotted parts at least
#: (5.2.0, 2024.03.1, 3.13.0-rc2), not a bare build number nor a date
# (a model's or an artefact's name may come first: ctr-2026.11.20-0400)
_DISTINCT_VERSION = re.compile(r"(?:[A-Za-z][A-Za-z0-9]*[-_])?v?\d+\.\d+\.\w+(?:[.\-]\w+)*")


def _version_in(version: str | None, texts: Sequence[str]) -> str | None:
    """The first of ``texts`` (failure lines) that carries ``version`` as a word, if it is
    distinctive (:data:`_DISTINCT_VERSION`)."""
    if not version or not _DISTINCT_VERSION.fullmatch(version.strip()):
        return None
    word = re.compile(rf"(?<![\w.]){re.escape(version.strip())}(?![\w.])")
    return next((t for t in texts if word.search(t)), None)

def _carried_before(frame: pl.DataFrame | None, word: str, t: datetime) -> bool:
    """Whether a record of ``frame`` (a service's) before ``t`` carries ``word`` (a version,
    an identifier) in its message or its fields."""
    if frame is None or not word or "timestamp" not in frame.columns:
        return False
    pattern = rf"(?:^|[^\w.-]){re.escape(word)}(?:$|[^\w.-]|[.-](?:$|\W))"
    found = pl.lit(False)
    for col in ("body", "attributes"):
        if col in frame.columns and frame.schema[col] == pl.String:
            found = found | pl.col(col).str.contains(pattern).fill_null(False)
    return bool(frame.filter(pl.col("timestamp") < t).select(found.any()).item())


_LIMIT_SHOWN = "the root's failures show the limit it set:"
#: a change's description that sets a limit to a number: "reduce HikariCP maximumPoolSize
#: 40 -> 10", "max_connections from 200 to 50", "worker concurrency = 4"
_LIMIT_SET = re.compile(
    r"(?i)\b(?P<what>(?:[A-Za-z][\w.-]*?)?(?:pool|size|max|limit|connections?|concurrency|workers?|threads?|capacity)[\w.-]*)"
    r"\b[^\d\n]{0,24}?(?:\d+\s*(?:->|→|=>|to)\s*|[=:]\s*|\bto\s+)(?P<new>\d+)\b"
    # (a count, not a size nor a time: "upload size to 10 MB", "timeout 30 -> 10 s")
    r"(?!\s*(?:%|[KMGT]i?B|bytes?|ms|s|secs?|seconds?|m|mins?|minutes?|h|hours?)\b)"
)
#: ... and failures that tell of a limit reached (a pool with none free, too many of something)
_LIMIT_REACHED = re.compile(r"(?i)pool|connection|thread|worker|limit|exhaust|not available|waiting|too many|\bmax")


def _limit_shown(description: str | None, texts: Sequence[str]) -> tuple[str, str] | None:
    """The limit a change's description sets (:data:`_LIMIT_SET`) and the first of ``texts``
    (the root's failures) that shows a capacity at that number (``total=10``, ``max: 10``,
    ``pool size 10``, ``limit of 10``), if any: ``("maximumPoolSize 10", text)``."""
    if not description:
        return None
    for m in _LIMIT_SET.finditer(description):
        new = m.group("new")
        if int(new) < 1:
            continue
        shows = re.compile(
            rf"(?i)\b(?:total|max\w*|size|limit|capacity|pool(?:[ _-]?size)?)\s*(?:[=:]\s*|of\s+|\s){re.escape(new)}(?![\d.])"
        )
        for text in texts:
            if (hit := shows.search(text)) is not None and _LIMIT_REACHED.search(text):
                return f"{m.group('what')} {new}", text[max(0, hit.start() - 60) : hit.end() + 30]
    return None


_ID_SHOWN = "the incident's failures name"
_ID_NEWS = "the incident's new lines name"
#: an identifier in a change's description: letters and digits mixed, 6 characters or more
#: (a key id ``k-2026-03``, a queue ``orders-v2``), not a date nor a dotted version
_DESCRIBED_ID = re.compile(r"(?<![\w.-])(?=[\w-]*[A-Za-z])(?=[\w-]*\d)[A-Za-z0-9][\w-]{4,}[A-Za-z0-9](?![\w-]|\.\w)")
_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}.*|\d+")
#: ... or one with a version inside, a dash in it (an OTA campaign ``fw-4.12.0-wave3``, a
#: release train ``rt-2.4.1-eu``)
_DOTTED_ID = re.compile(r"(?<![\w.-])(?=[\w.-]*[A-Za-z])(?=[\w.-]*\d\.\d)[A-Za-z0-9][\w]*-[\w.-]*[A-Za-z0-9](?![\w-]|\.\w)")
#: ... or the acronym of a technical subject (``DKIM``, ``SAML``, ``MTU``): upper-case letters
#: as a word of their own (not ``DKIM-Signature``), but for the ones every log says (a
#: protocol, a format, a method, a level)
_DESCRIBED_ACRONYM = re.compile(r"(?<![\w.-])[A-Z]{3,6}(?![\w-])")
_COMMON_ACRONYMS = frozenset({
    "API", "APIS", "HTTP", "HTTPS", "URL", "URI", "JSON", "XML", "YAML", "CSV", "SQL", "REST", "GRPC", "RPC",
    "TCP", "UDP", "UTC", "GMT", "UUID", "CPU", "RAM", "JVM", "CLR", "SDK", "CLI", "DNS", "AWS", "GCP", "ETA",
    "GET", "POST", "PUT", "PATCH", "HEAD", "DELETE", "NULL", "TRUE", "FALSE", "INFO", "WARN", "WARNING", "ERROR",
    "DEBUG", "TRACE", "FATAL", "CRIT", "PROD", "DEV", "QA", "UAT", "THE", "AND", "FOR", "NOT", "NEW", "FIX",
    "ALL",
})


def _id_in(description: str | None, texts: Sequence[str]) -> tuple[str, str] | None:
    """An identifier of ``description`` (:data:`_DESCRIBED_ID`) and the words around it in
    the first of ``texts`` (the incident's failure lines and fields) that names it, if any."""
    if not description:
        return None
    acronyms = [a for a in _DESCRIBED_ACRONYM.findall(description) if a not in _COMMON_ACRONYMS]
    for word in dict.fromkeys([*_DESCRIBED_ID.findall(description), *_DOTTED_ID.findall(description), *acronyms]):
        if _DATE_LIKE.fullmatch(word):
            continue
        pattern = re.compile(rf"(?<![\w.-]){re.escape(word)}(?![\w-])")
        for text in texts:
            if (m := pattern.search(text)) is not None:
                # (the words around it: a long line or a record's fields quoted in part)
                return word, text[max(0, m.start() - 60) : m.end() + 20]
    return None


#: What a change to unlogged infrastructure is about (its description's words) and how the
#: failures it causes read; ``None``: a change that breaks no call (observability)
_INFRA_SUBJECTS: tuple[tuple[str, re.Pattern[str], re.Pattern[str] | None], ...] = (
    (
        "monitoring",
        re.compile(r"(?i)\b(?:alert(?:ing)?[ -]?rules?|alerts|dashboards?|grafana|monitoring|observability|runbooks?|documentation)\b"),
        None,
    ),
    (
        "name resolution",
        re.compile(r"(?i)\b(?:core|kube-?)?dns\b|\btxt record|\bcname\b|\bzone\b"),
        re.compile(r"(?i)resol|\bNXDOMAIN\b|\bSERVFAIL\b|UnknownHost|no such host|name or service not known|ENOTFOUND|EAI_AGAIN"),
    ),
    (
        "access",
        re.compile(
            r"(?i)\b(?:iam|rbac|roles?|permissions?|grants?|secrets?|credentials?|passwords?|api[ -]?keys?|tokens?|"
            r"service[ -]account|oauth|saml|sso|ldap|signing[ -]keys?|jwks?)\b"
        ),
        re.compile(
            r"(?i)\b40[13]\b|unauthori[sz]ed|forbidden|access ?denied|permission denied|authenticat\w* fail|"
            r"invalid (?:token|signature|credentials|api key|grant|client)|not authori[sz]ed|expired|signature|"
            r"\bkid\b|login failed|password"
        ),
    ),
    (
        "certificates",
        re.compile(r"(?i)\b(?:certificates?|certs?|tls|ssl|truststore|keystore|ca bundle)\b"),
        re.compile(r"(?i)certificate|x509|\btls\b|\bssl|handshake|pkix"),
    ),
    (
        "the network path",
        re.compile(
            r"(?i)\bfirewall|\bproxy|\bnat\b|network|\broutes?\b|\brouting\b|\bvpc\b|\bsubnet|security[ -]group|"
            r"\bacls?\b|\bpeering\b|\bload ?balancer|\bingress\b|\begress\b|\bbgp\b|\bvpn\b"
        ),
        re.compile(
            r"(?i)timed? ?out|timeout|refused|unreachable|reset|no route|\b50[234]\b|unavailable|bad gateway|"
            r"connect|broken pipe|EOF\b"
        ),
    ),
    (
        "caching",
        re.compile(r"(?i)\b(?:cdn|cache[ -]?ttl|cache rules?|static assets|cloudfront|akamai|fastly)\b"),
        re.compile(r"(?i)\bcdn\b|\bcache|\borigin\b|static"),
    ),
)
#: a change's description that says it is to the office's IT, not production: the office
#: VPN or Wi-Fi, staff laptops ("back office" systems are production's)
_OFFICE_IT = re.compile(
    r"(?i)(?<!back[- ])\b(?:office|corporate|corp|employee|staff)s?'? (?:network|vpn|wi-?fi|wlan|lan|firewall|internet"
    r"|printers?|desktops?|devices?|it|switch(?:es)?|routers?|phones?)\b|\b(?:laptops?|workstations?)\b"
)
#: ... or whose configuration item is one (corp-vpn, office-wifi)
_OFFICE_SERVICE = re.compile(r"(?i)^(?:corp|office)[-_]")
#: how related an unlogged change is whose subject the incident's failures do not show
_UNTIED_REL = 0.15
_UNTIED = "it changes"
_LOGGING_ONLY = f"{_UNTIED} only what is logged"


def _untied(
    ref: Any,
    *,
    root: str | None,
    services: Sequence[str],
    root_names: set[str],
    failing_texts: Sequence[str],
) -> str | None:
    """Why the change ``ref`` (of no service, or of one that writes no logs here) is not
    tied to the incident, or ``None`` when it may be: its description names none of the
    incident's services nor their dependencies, says what it changes (see
    :data:`_INFRA_SUBJECTS`), and the incident has failures of which none reads like what
    such a change breaks. A description that says nothing of its subject ("standard change") stays a
    suspect: the logs cannot tell."""
    text = f"{ref.description or ''} {ref.service or ''}"
    involved = sorted({*(s for s in services if s), *root_names, *([root] if root else [])})
    if any(match_service(word, involved) in involved for word in re.findall(r"[\w.-]{3,}", text)):
        return None
    if _OFFICE_IT.search(ref.description or "") or _OFFICE_SERVICE.search(ref.service or ""):
        # (the office's own network and machines: a VPN concentrator for staff, a Wi-Fi,
        # laptops; no production call goes through them)
        return f"{_UNTIED} the office's own IT, not the production estate, nor does it name a service of the incident"
    subjects = [(name, sign) for name, words, sign in _INFRA_SUBJECTS if words.search(text)]
    if not subjects:
        return None
    failures = " ".join(failing_texts)
    if not failures.strip():
        return None  # (an incident of silence or slowness has no failure to read)
    if any(sign is not None and sign.search(failures) for _name, sign in subjects):
        return None
    about = " and ".join(name for name, _sign in subjects)
    return f"{_UNTIED} {about} and none of the incident's failures reads like what such a change breaks, nor does it name a service of the incident"


#: a change's description that says it changes what is logged: a level, request bodies, a
#: logging library's configuration, a format or retention
_LOGGING_CHANGE = re.compile(
    r"(?i)\blog(?:ging)?[ -]?levels?\b|\b(?:debug|verbose|trace|request|response|body|access|audit|sql|query)(?: body)?[ -]logging\b"
    r"|\b(?:enable|disable|turn (?:on|off)|increase|reduce|lower|raise)d? (?:\w+ ){0,2}logging\b|\blogging (?:config(?:uration)?|format)\b"
    r"|\b(?:serilog|log4j2?|logback|nlog|log4net|winston|pino|structlog)\b.*\b(?:level|logging|sink|format|enricher)\b"
    r"|\blog (?:format|retention|rotation|sampling)\b"
)
#: ... and words that say it changes more than that
_BEHAVIOUR_WORDS = re.compile(
    r"(?i)\b(?:pool|timeouts?|limits?|retr(?:y|ies)|threads?|workers?|connections?|cache|memory|heap|replicas?|scal\w+|"
    r"flags?|schema|migrat\w*|upgrade|version|endpoint|url|host|rate|batch|queue|quota|concurrency)\b"
)
#: the failures more logging can cause: a full disk, a log shipper's back-pressure
_LOGGING_BREAKS = re.compile(r"(?i)no space|disk (?:is )?full|ENOSPC|could not write|write error|quota exceeded|\blog(?:s|ging|file)?\b")


#: words that say a change undid an earlier one: a rollback, a revert
_UNDO_WORDS = re.compile(
    r"(?i)\broll(?:ed|ing)?[ -]?back\b|\brollback\b|\brevert(?:ed|s|ing)?\b|\bundo(?:ne)?\b|\brestored? (?:the )?previous\b"
)
#: ... and that a flag was switched off (LaunchDarkly's "Turned off flag", Unleash's
#: ``feature-environment-disabled``, a rollout set to 0 %)
_FLAG_OFF = re.compile(r"(?i)\bturned off\b|\bdisabled?\b|\bswitched off\b|\bkill[ -]?switch\b|\brollout 0 ?%")
#: how soon after its undoing an incident is taken to have ended with it: the rollback's own
#: rollout (pods of the old version coming up) and a window to see the calm
_UNDO_SETTLE = _ROLLOUT
_UNDONE = "undone as the incident ended"


def _undone_at_end(
    row: dict[str, Any], changes: Sequence[dict[str, Any]], *, onset: datetime, end: datetime, window: timedelta
) -> dict[str, Any] | None:
    """The later change that undid ``row`` as the incident ended, or ``None``.

    Undoing is a change of the same subject after the onset -- the same flag's key quoted,
    or the same service with no other change of it in between, not deploying this change's
    version again -- that says it undoes (a ``rollback``, "Revert ...", "Turned off
    flag ...") or that deploys the version the service ran before ``row``; the incident
    ends at most :data:`_UNDO_SETTLE` and a window after it, and not before it. A change
    of the same subject that undoes nothing (the flag's rollout widened, a fix forward)
    tells nothing of which change the trouble came with."""
    t = row["time"]
    keys = set(change_keys(row["description"])) if row["kind"] == "feature_flag" else set()
    svc = row["service"]
    if not keys and svc is None:
        return None
    earlier = [c for c in changes if c["service"] == svc and c["time"] < t and c["version"]] if svc is not None else []
    before = earlier[-1]["version"] if earlier else None
    for c in changes:
        u = c["time"]
        if u <= max(t, onset) or u > end + window or end - u > _UNDO_SETTLE + window or c["id"] == row["id"]:
            continue
        text = c["description"] or ""
        if keys:
            same = c["kind"] == "feature_flag" and bool(keys & set(change_keys(text)))
        else:
            # (a rollback undoes the service's latest change before it, and one that deploys
            # this change's version again restores it: "rollback inventory to v1.10.2")
            same = (
                c["service"] == svc and c["kind"] != "feature_flag"
                and not (c["version"] and c["version"] == row["version"])
                and not any(o["service"] == svc and t < o["time"] < u and o["id"] != row["id"] for o in changes)
            )
        if not same:
            continue
        if c["kind"] == "rollback" or _UNDO_WORDS.search(text) or (keys and _FLAG_OFF.search(text)) or (
            before is not None and c["version"] == before and c["version"] != row["version"]
        ):
            return c
    return None


def _logging_only(ref: Any, failing_texts: Sequence[str]) -> bool:
    """Whether the change ``ref`` (not a release: a config or standard change) only changes
    what is logged ("Serilog: enable request body logging for /api/v2/accounts", "set log
    level to DEBUG") and the incident's failures, if any, show nothing that breaks (a full
    disk)."""
    text = ref.description or ""
    if ref.kind in ("deploy", "rollback", "release", "feature_flag") or not _LOGGING_CHANGE.search(text):
        return False
    if _BEHAVIOUR_WORDS.search(_LOGGING_CHANGE.sub(" ", text)):
        return False
    failures = " ".join(failing_texts)
    return bool(failures.strip()) and not _LOGGING_BREAKS.search(failures)


#: the kinds of change that are an application's own (a release, its rollback, a flag in it)
_APPLICATION_KINDS = frozenset({"deploy", "rollback", "feature_flag"})
#: words that say a release is of infrastructure all services use (a cluster's or its nodes'
#: upgrade, a mesh's, an operating system's), though its kind reads like an application's
_INFRA_WORDS = re.compile(
    r"(?i)\b(?:cluster|nodes?|node ?pool|kubernetes|k8s|eks|aks|gke|openshift|kernel|os|operating system|platform"
    r"|hypervisor|vmware|esxi|storage|san|certificates?|certs?|tls|ssl|load ?balancer|ingress|vpn)\b"
)


def _application_change(ref: Any) -> bool:
    """Whether the change ``ref`` (a :class:`ChangeRef`) is a release of an application, not a
    change of infrastructure that may touch every service: a feature flag, or a deploy or a
    rollback whose service and description name neither the network path nor a platform (a
    kind unknown, "standard", a config or a patch stays infrastructure's)."""
    if ref.kind == "feature_flag":
        # (a flag switches code paths of the application that reads it, whatever its project
        # is called: LaunchDarkly's "analytics-platform" is no platform change)
        return True
    text = f"{ref.description or ''} {ref.service or ''}"
    return ref.kind in _APPLICATION_KINDS and not _NETWORK_PATH.search(text) and not _INFRA_WORDS.search(text)


#: a change to the way calls travel: name resolution, proxies, egress, routing and firewalls
_NETWORK_PATH = re.compile(
    r"(?i)\b(?:core)?dns\b|coredns|\bresolv|\begress\b|\bfirewall|\bproxy|\bnat\b|network[ -]?polic|\broute|\bvpc\b"
    r"|\bsubnet|security[ -]group|\bservice[ -]?mesh|\bistio\b|\blinkerd\b"
    r"|\bacls?\b|\beast[ -]west\b|\bnorth[ -]south\b|\bcidr\b|\b\d{1,3}(?:\.\d{1,3}){3}/\d{1,2}\b|\bpalo ?alto\b|\bfortigate\b"
)
#: how related a change with no service (or to unlogged infrastructure) is when it changes
#: the network path (see :data:`_NETWORK_PATH`) at most :data:`_NETWORK_LEAD` before the
#: onset: more than one that touches no call (0.4). Calls that a firewall rule or a route
#: breaks fail at once; one applied 20 minutes before has shown whatever it did.
_NETWORK_REL = 0.55
_NETWORK_LEAD = timedelta(minutes=5)


def _path_note(ref: Any, svc: str | None = None) -> str:
    """What the evidence adds when a change's description (or service) names the network path."""
    m = _NETWORK_PATH.search(f"{ref.description or ''} {svc or ''}")
    return f": it changes the network path, '{m.group()}'" if m else ""


#: a change's description that says it set a timeout (a client's wait for the calls it makes)
_TIMEOUT_CHANGE = re.compile(r"(?i)\btime-?outs?\b")
#: a change that may decide whether a peer's certificate is accepted: certificates, TLS, the
#: trust store or CA bundle, pinning, the clock
_TRUST_CHANGE = re.compile(
    r"(?i)cert|\btls\b|\bssl\b|trust|\bca[ -]?bundle|\bcas?\b|\bpki\b|x\.?509|keystore|\bpin(?:ning|ned)?\b|\bclock|\bntp\b|chrony|timezone"
)
#: a change this close before the onset is taken for the trigger of calls out timing out
_TRIGGER_LAG = 120.0


def undone_cause(
    suspects: Sequence[Suspect],
    *,
    root: str | None,
    root_names: set[str],
    threshold: float,
    services: Sequence[str] = (),
    root_clients: frozenset[str] = frozenset(),
) -> tuple[str, str] | None:
    """``(change id, why)`` when the best suspect was undone as the incident ended (evidence
    kind ``undone``), for the incident whose evidence names no cause (:func:`_decide`): the
    trouble stopped when it was taken back, whatever else the failures name (a host outside
    the logs among them). ``None`` otherwise, and for a change of another service of the
    incident than the root: which says the root may be that one, for the close call to try."""
    if not suspects:
        return None
    best = suspects[0]
    undone = next((e.text for e in best.evidence if e.kind == "undone"), None)
    svc = match_service(best.change.service, services)
    near = svc is None or svc not in services or svc == root or svc in root_names or svc in root_clients
    if undone is None or not near or best.score < threshold:
        return None
    return best.change.id, (
        f"{best.change.id} ({best.change.kind} of {best.change.service or 'no service'}: "
        f"{best.change.description or 'no description'}) precedes the onset by {_fmt_dt(best.lag_seconds)} and was {undone}"
    )


def _decide(
    suspects: Sequence[Suspect],
    *,
    root: str | None,
    root_names: set[str],
    threshold: float,
    services: Sequence[str] = (),
    n_changes: int | None = None,
    external: Sequence[str] = (),
    root_clients: frozenset[str] = frozenset(),
    unavailable: str | None = None,
    peer_expired: bool = False,
) -> tuple[str | None, str]:
    """The cause (a change id, or ``None``) and why. ``external``: hosts outside the logs that
    the root's anomalies name (a payment provider, a SaaS API); ``root_clients``: the one
    client whose statements the root's failures are (see :func:`statement_client`);
    ``unavailable``: a failure of the root's where one of those hosts answers that it is
    unavailable (503); ``peer_expired``: the root's failures say the certificate of the peer
    it calls (such a host, or another) has expired."""
    if not suspects and n_changes == 0:
        return None, (
            "no change events were given (no --deploys file, or an empty one), so no change can be "
            f"named; check for deploys, config changes or restarts of {root or 'the root service'} "
            "around the onset"
        )
    if not suspects:
        return None, "no change event precedes the onset"
    best = suspects[0]
    carries = (_VERSION_SHOWN, _ID_SHOWN, _ID_NEWS, _LIMIT_SHOWN)
    if not any(e.text.startswith(carries) for e in best.evidence):
        # a change whose version (or an identifier its description names) the incident's
        # failures carry, and the root's records never did before it, is what they are: it
        # outweighs one that only came closer in time, however the root behaves after that
        best = next(
            (s for s in suspects if s.score >= threshold and any(e.text.startswith(carries) for e in s.evidence)), best
        )
    svc = match_service(best.change.service, services)
    if svc not in services and (nodes := node_services(svc, services)):
        # (a change of an application whose numbered nodes log, ehr-web of ehr-web01 and
        # ehr-web02, is each node's: the root's when the root is one of them)
        svc = root if root in nodes else nodes[0]
    if best.change.service:
        # (a host the change itself is to, a vendor system its ticket names, is not outside it)
        external = [h for h in external if match_service(h.split(".")[0], [best.change.service]) != best.change.service]
    if peer_expired and not _TRUST_CHANGE.search(f"{best.change.description or ''} {best.change.kind} {best.change.service or ''}"):
        # (a peer whose own certificate expired: no release here let it expire; one that
        # changed certificates or what the root trusts, its CA bundle or its clock, might
        # have made the root reject it)
        peer = f"to {external[0]}, outside these logs," if external else "out"
        return None, (
            f"the root {root}'s calls {peer} fail because the called server's certificate has expired: its owners must "
            f"renew it; {best.change.id} ({_fmt_dt(best.lag_seconds)} before the onset) does not say it changed "
            "certificates or what the root trusts, so no change explains this incident"
        )
    related = (svc is not None and (svc == root or svc in root_names or svc in root_clients)) or any(
        e.text.startswith((_RESOLVES, _VERSION_SHOWN, _ID_SHOWN, _ID_NEWS, _LIMIT_SHOWN)) for e in best.evidence
    )
    behaviour = any(e.kind in _BEHAVIOUR and e.weight > 0.1 for e in best.evidence)
    unseen = next((e.text for e in best.evidence if e.kind == "no_change" and e.text.startswith((_NO_LOGS, _FEW_LOGS))), None)
    # a change with no service (a secret rotation, a network policy, a node upgrade) or to
    # infrastructure that writes no logs here (DNS, a mesh) can touch every service
    unlogged = svc is not None and svc not in services and svc not in root_names
    # (... but a release of an application that writes no logs here changes that application)
    everywhere = best.change.service is None or (unlogged and not _application_change(best.change))
    if (
        (best.change.service is None or unlogged)
        and root is not None
        and external
        and best.score >= threshold
        and not _NETWORK_PATH.search(f"{best.change.description or ''} {best.change.service or ''}")
    ):
        # ... but not when the root's failures are its calls to a host outside the estate
        # failing (a provider's outage, a name that no longer resolves): a change that only
        # shows as that one service's calls out failing is likelier to be a coincidence,
        # unless it changed the way out (DNS, a proxy, egress rules)
        return None, (
            f"the root {root}'s failures name {', '.join(external)} outside these logs; the best suspect "
            f"{best.change.id} is a change {'with no service' if best.change.service is None else f'of {svc}, which writes no logs here'} "
            f"({best.change.description or best.change.kind}) {_fmt_dt(best.lag_seconds)} before the onset: check "
            f"{external[0]}'s status first; no change explains this incident for certain"
        )
    carried = next((e.text for e in best.evidence if e.text.startswith((_VERSION_SHOWN, _ID_SHOWN, _ID_NEWS))), None)
    if (best.change.service is None or unlogged) and root is not None and carried and best.score >= threshold:
        return best.change.id, (
            f"{best.change.id} ({best.change.kind} of {best.change.service or 'no service'}: "
            f"{best.change.description or 'no description'}) precedes the onset by {_fmt_dt(best.lag_seconds)} and {carried}"
        )
    if everywhere and root is not None and behaviour and best.score >= threshold:
        # ... it is the cause when the root visibly changed after it
        what = "with no service" if best.change.service is None else f"of {svc}, which writes no logs here"
        return best.change.id, (
            f"{best.change.id} ({best.change.kind} {what}: {best.change.description or 'no description'}) "
            f"precedes the onset by {_fmt_dt(best.lag_seconds)} and {root} behaves differently after it "
            f"(a change {'with no service' if best.change.service is None else 'to infrastructure'} may touch every service)"
        )
    quiet = next((e.text for e in best.evidence if e.kind == "pre_existing" and e.text.startswith(_QUIET)), None)
    if related and external and quiet and best.score >= threshold:
        # the root's change served with nothing visible until the root's calls to a host
        # outside the estate started failing: that host is the likelier cause
        return None, (
            f"the root {root}'s failures name {', '.join(external)} outside these logs, and its change "
            f"{best.change.id} served before the onset with {quiet}: check {external[0]}'s status; "
            "no change explains this incident for certain"
        )
    resolves = next((e.text for e in best.evidence if e.text.startswith(_RESOLVES)), None)
    if (
        related and unavailable and external and best.score >= threshold and svc == root
        and not any(host_named(h, best.change.description or "") for h in external)
        # (a change that set how long the calls wait may be why they time out; and calls
        # that time out within a couple of minutes of a change, a feature flag turning on a
        # new call, are likelier its doing than an outage that began just then)
        and (
            UNAVAILABLE.search(unavailable) is not None
            or (not _TIMEOUT_CHANGE.search(best.change.description or "") and best.lag_seconds >= _TRIGGER_LAG)
        )
    ):
        # the host outside the estate answers that it is unavailable: its outage, not the
        # root's change (one that changed the calls to it, its address, its payload, would
        # be refused as a bad request, or say so in its description)
        return None, (
            f"the root {root}'s failures are {external[0]}, outside these logs, answering that it is unavailable "
            f"(\"{unavailable[:120]}\"); {best.change.id} ({_fmt_dt(best.lag_seconds)} before the onset) does not "
            f"say it changed the calls to it: check {external[0]}'s status first; no change explains this incident for certain"
        )
    if related and (behaviour or unseen) and best.score >= threshold:
        leak = any(e.kind == "memory" and e.weight > 0.1 for e in best.evidence)
        what = (
            resolves
            if resolves is not None
            else carried
            if carried is not None
            else f"{svc} runs out of memory in this incident (a leak grows unseen from the process start this {best.change.kind} was)"
            if leak
            else f"{svc} behaves differently after it"
            if behaviour
            else f"it is the latest change of {svc} before the onset (its logs start "
            f"{'just before' if unseen and unseen.startswith(_FEW_LOGS) else 'after'} the change, "
            "so what it did cannot be compared: check it first)"
        )
        return best.change.id, (
            f"{best.change.id} ({best.change.kind} of {svc}{' ' + best.change.version if best.change.version else ''}) precedes the "
            f"onset by {_fmt_dt(best.lag_seconds)} and {what}"
        ).replace("  ", " ")
    if best.change.service is None or unlogged:
        loose = next((e.text for e in best.evidence if e.kind == "service" and e.text.startswith(_UNTIED)), None)
        if loose is not None:
            return None, (
                f"the best suspect {best.change.id} is a change "
                f"{'with no service' if best.change.service is None else f'of {svc}, which writes no logs here'} "
                f"({best.change.description or best.change.kind}) {_fmt_dt(best.lag_seconds)} before the onset, but "
                f"{loose} (score {best.score:.2f} < {threshold:.2f}); no change explains this incident for certain: check it"
            )
        weak = (
            f"do not show enough after it (score {best.score:.2f} < {threshold:.2f})"
            if best.score < threshold
            else "do not visibly change after it"
        )
        return None, (
            f"the best suspect {best.change.id} is a change "
            f"{'with no service' if best.change.service is None else f'of {svc}, which writes no logs here'} "
            f"({best.change.description or best.change.kind}) {_fmt_dt(best.lag_seconds)} before the onset, but "
            f"{root or 'the root'}'s logs {weak}; no change explains this incident for certain: check it"
        )
    if not related:
        return None, (
            f"no change in the root service {root} or a dependency it names; the best suspect "
            f"{best.change.id} ({svc or best.change.service}) is not related, so no change explains this incident"
        )
    logged_only = any(e.kind == "service" and e.text.startswith(_LOGGING_ONLY) for e in best.evidence)
    if best.score < threshold and logged_only:
        return None, (
            f"{best.change.id} touches {svc} but changes only what is logged (\"{best.change.description}\"), and none "
            "of the incident's failures reads like what more logging breaks (a full disk); no change explains this incident"
        )
    if best.score < threshold:
        late = next((e.text for e in best.evidence if e.kind == "pre_existing"), None)
        if behaviour and late:
            return None, (
                f"{best.change.id} touches {svc} but scores {best.score:.2f} < {threshold:.2f}: {late}; "
                "no change explains this incident"
            )
        return None, (
            f"{best.change.id} touches {svc} but its logs do not change after it "
            f"(score {best.score:.2f} < {threshold:.2f}); no change explains this incident"
        )
    return None, (
        f"{best.change.id} touches {svc} (score {best.score:.2f}) but no new template, shift or error share "
        f"of {svc}'s own follows it; no change explains this incident"
    )


def _rate_changes(
    change_rows: Sequence[dict[str, Any]],
    suspect_by_change: dict[str, tuple[float, str, tuple[Evidence, ...]]],
    by_service: dict[str, pl.DataFrame],
    known: Sequence[str],
    span_cmp: timedelta,
    period_end: datetime | None,
    incidents: Sequence[Incident],
    blips: dict[str, Evidence] | None = None,
) -> list[ChangeImpact]:
    causes = {i.cause: i.id for i in incidents if i.cause}
    out: list[ChangeImpact] = []
    blips = blips or {}
    for row in change_rows:
        ref = _change_ref(row)
        if ref.id in blips and ref.id not in suspect_by_change:
            # its rollout made callers fail for a moment (see _rollout_blip): notable, not a cause
            out.append(ChangeImpact(change=ref, impact_score=_BLIP_SCORE, incident_id=None, evidence=(blips[ref.id],)))
            continue
        if ref.id in suspect_by_change:
            score, inc, ev = suspect_by_change[ref.id]
            if ref.id not in causes:
                # implicated but not the decided cause: keep it below any cause
                score = round(max(_BLIP_SCORE if ref.id in blips else 0.0, min(0.49, 0.6 * score)), 3)
            if ref.id in blips:
                ev = (blips[ref.id], *ev)
            out.append(ChangeImpact(change=ref, impact_score=score, incident_id=causes.get(ref.id, inc), evidence=ev))
            continue
        svc = row["service"]
        if svc in by_service and period_end is not None and ref.time < period_end:
            sh = _compare(
                by_service[svc], ref.time, before_span=span_cmp,
                after_end=min(period_end + timedelta(microseconds=1), ref.time + span_cmp),
                services=known, service=svc, version=ref.version,
            )
            ev = tuple(_shift_evidence(sh, service=svc, after_label="after the change"))
            score = round(0.45 * sh.strength(), 3)
            if not ev:
                ev = (Evidence(kind="no_change", text=f"{svc}'s logs look the same before and after", weight=0.0),)
            out.append(ChangeImpact(change=ref, impact_score=score, incident_id=None, evidence=ev))
        else:
            why = (
                "no logs from this service in the analysed data"
                if svc not in by_service
                else "after the end of the analysed logs"
            )
            out.append(ChangeImpact(change=ref, impact_score=0.0, incident_id=None, evidence=(Evidence(kind="no_change", text=why, weight=0.0),)))
    # (a change of several nodes was rated on each: its best rating stands for it)
    best: dict[str, ChangeImpact] = {}
    for impact in out:
        if impact.change.id not in best or impact.impact_score > best[impact.change.id].impact_score:
            best[impact.change.id] = impact
    return [impact for impact in out if best[impact.change.id] is impact]


#: the database user in the line prefix of a database's record ("ledger@bankdb" as
#: PostgreSQL's "%u@%d" writes it, in ``mdc``)
_DB_USER = r'"mdc":\s*"([A-Za-z][\w.\-]*)@'


def statement_client(span: pl.DataFrame, root: str | None, template_ids: set[str], services: Sequence[str]) -> frozenset[str]:
    """The one service whose statements the root's failing records are, else empty.

    A database's log names the user of each statement (``ledger@bankdb ERROR: canceling
    statement due to statement timeout``). When its new failures are all one client's
    statements (others' succeed), that client's change (a schema migration, a new query) is
    related to them even though the database names no dependency. Several clients failing
    alike (a full disk) point at none of them.
    """
    if root is None or not template_ids or "attributes" not in span.columns:
        return frozenset()
    failing = span.filter((pl.col("service") == root) & pl.col("template_id").is_in(sorted(template_ids)))
    if "body" in failing.columns:
        # (a full disk fails whoever writes: those statements are not one client's doing)
        failing = failing.filter(~pl.col("body").str.contains(_NO_SPACE).fill_null(False))
    users = (
        failing
        .select(pl.col("attributes").str.extract(_DB_USER, 1))
        .to_series()
        .drop_nulls()
    )
    if users.len() < _MIN_STATEMENTS:
        return frozenset()
    matched = {m for u in users.unique().to_list() if (m := _user_service(u, services)) not in (None, root)}
    if len(matched) == 1:
        return frozenset(matched)
    # (or nearly all of them: a report or another client running the same query now and
    # then, 40 of 8,600 slow statements, does not make it several clients failing alike)
    top, n = users.value_counts(sort=True).row(0)
    main = _user_service(top, services)
    return frozenset({main}) if main not in (None, root) and n >= _STATEMENT_SHARE * users.len() else frozenset()


def _user_service(user: str, services: Sequence[str]) -> str | None:
    """The service a database user is: its name (:func:`match_service`), or the one service
    whose name starts with it as a word (``drm`` -> ``drm-license``, ``orders`` ->
    ``orders-api``: a login is often the service's short name) or, of 4 letters or more,
    whose first word it begins (``prov`` -> ``provisioning``)."""
    found = match_service(user, services)
    if found in services:
        return found
    low = user.lower()
    heads = [s for s in services if re.split(r"[-_.]", s.lower())[0] == low]
    if not heads and len(low) >= 4:
        # (... or abbreviates that word: ``prov`` of ``provisioning``)
        heads = [s for s in services if re.split(r"[-_.]", s.lower())[0].startswith(low)]
    return heads[0] if len(heads) == 1 else None


#: a database out of disk space, whichever client's statement meets it
_NO_SPACE = r"(?i)no space left on device|\bENOSPC\b|\bdisk (?:is )?full\b|could not extend file|\btablespace\b.*\bfull\b"
#: failing records of the root that must name their user for :func:`statement_client`
_MIN_STATEMENTS = 5
#: ... and the share of them one client's must be, when other clients' are among them
_STATEMENT_SHARE = 0.9
