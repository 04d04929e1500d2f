"""Anomaly windows -> incident groups: drop windows without symptoms, merge close ones."""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from rcakit.correlate._records import ERROR_SEVERITY, FATAL_SEVERITY, WARN_SEVERITY
from rcakit.correlate._units import _num, tmax, tmin
from rcakit.detect._params import attribute_numbers
from rcakit.detect._rate import clock_like
from rcakit.detect._results import AnomalyWindow, Contribution
from rcakit.templates._masks import TOKEN_RE


def _merge_windows(windows: Sequence[AnomalyWindow], gap: timedelta) -> list[list[AnomalyWindow]]:
    groups: list[list[AnomalyWindow]] = []
    end: datetime | None = None
    for w in sorted(windows, key=lambda w: (w.start, w.end)):
        if groups and end is not None and w.start <= end + gap:
            groups[-1].append(w)
            end = max(end, w.end)
        else:
            groups.append([w])
            end = w.end
    return groups


def _contrib_key(c: Contribution) -> tuple[str, str | None, str | None]:
    return (c.kind, c.service, c.template_id)


def _dedupe_contributions(group: Sequence[AnomalyWindow]) -> list[Contribution]:
    best: dict[tuple[str, str | None, str | None], Contribution] = {}
    for w in group:
        for c in w.contributions:
            k = _contrib_key(c)
            old = best.get(k)
            if old is None:
                best[k] = c
            else:
                keep = c if c.score > old.score else old
                onset = min(c.onset, old.onset)
                fs = [x for x in (c.first_seen, old.first_seen) if x is not None]
                best[k] = Contribution(
                    kind=keep.kind,
                    service=keep.service,
                    template_id=keep.template_id,
                    template=keep.template,
                    score=max(c.score, old.score),
                    baseline_rate=keep.baseline_rate,
                    observed_rate=max(c.observed_rate, old.observed_rate),
                    first_seen=min(fs) if fs else None,
                    onset=onset,
                    examples=keep.examples or old.examples,
                    detail=keep.detail,
                    extra=keep.extra,
                )
    return sorted(best.values(), key=lambda c: -c.score)


def _template_shares(
    recs: pl.DataFrame, tids: Sequence[str]
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
    """Per (service, template_id): the share of WARN+/failed records, and of error/failed
    records (one pass)."""
    if not tids:
        return {}, {}
    err = pl.col("is_error")
    shares = (
        recs.filter(pl.col("template_id").is_in(list(tids)))
        .group_by("service", "template_id")
        .agg(
            bad=(err | (pl.col("severity_number").cast(pl.Int32).fill_null(0) >= WARN_SEVERITY)).mean(),
            err=err.mean(),
        )
    )
    warn: dict[tuple[str, str], float] = {}
    errors: dict[tuple[str, str], float] = {}
    for sv, t, b, e in shares.iter_rows():
        warn[(sv, t)] = float(b or 0.0)
        errors[(sv, t)] = float(e or 0.0)
    return warn, errors


def _material_shift(c: Contribution) -> bool:
    """Whether a shifted number moved its bulk (median x1.25 either way) or its tail a lot.

    Small integers wobble: "took 2ms -> 2ms, p95 3 -> 4" is one more slow request in a
    window, not a slow-down. A median that fell while the p95 stayed (within a third) is a
    change of mix, not of speed. Without the detector's figures the shift counts.
    """
    x = c.extra or {}
    obs, exp = x.get("peak_observed"), x.get("peak_expected")
    if not isinstance(obs, int | float) or not isinstance(exp, int | float) or exp <= 0 or obs <= 0:
        return True
    bq, wq, frac = x.get("base_q95"), x.get("window_q95"), x.get("fraction_beyond")
    if obs < exp and _is_duration(c.template, x.get("feature")) and not (
        isinstance(bq, int | float) and isinstance(wq, int | float) and wq > 1.1 * bq
    ):
        # (a time that fell, tail and all: the work was done faster, which is no symptom; a
        # service failing fast says so in errors of its own. A tail that grew is one)
        return False
    if obs / exp <= 0.8 and isinstance(bq, int | float) and isinstance(wq, int | float) and bq > 0 and wq >= 0.67 * bq:
        # (a median that fell while the tail stayed: more of the fast kind, health checks
        # mixed with API calls in one template as traffic ramps up, not the same requests
        # answered faster)
        return False
    if not 0.8 < obs / exp < 1.25:
        return True
    if isinstance(bq, int | float) and isinstance(wq, int | float) and bq > 0 and wq > 0:
        tail = max(wq / bq, bq / wq)
        return tail >= 2.0 and (not isinstance(frac, int | float) or frac >= 0.2)
    return False


def _near_silent(c: Contribution) -> bool:
    """A series that fell to a fifth or less of a baseline of at least 5 records per window."""
    return c.baseline_rate >= 5 and c.observed_rate <= 0.2 * c.baseline_rate


def went_quiet(c: Contribution) -> bool:
    """Whether ``c`` says a service (nearly) stopped logging: its total volume is
    :func:`_near_silent`."""
    return c.template_id is None and c.kind in {"gone", "rate_drop"} and _near_silent(c)


#: A burst of a template that already burst as much before, this long or more before its
#: onset, in the same export is a recurring pattern (a scheduled job, a client that hits the
#: rate limit now and then), not a new trouble: see :func:`_burst_seen_before`
RECUR_GAP = timedelta(minutes=10)
#: ... "as much": the earlier burst's busiest window holds this share of this one's
RECUR_SHARE = 0.5
#: A burst of warnings (no error) that bursts as much this many times more later in the export,
#: RECUR_GAP apart, recurs too, even the first time it is seen (an hourly job in a two-hour
#: export runs twice)
RECUR_LATER = 1
#: Requests refused for load (HTTP 429, a rate limit, throttling) are the callers' doing:
#: a burst of them (in this many windows or fewer of the RECUR_GAP after its onset) ...
THROTTLE_WINDOWS = 3
#: ... or a few now and then (less than this share of the service's records over RECUR_GAP)
#: is a client that went too fast, not an incident (a limit set too low refuses many, long)
THROTTLE_SHARE = 0.2
_THROTTLED = re.compile(r"(?i)\brate[ _-]?limit|\btoo many requests\b|\bthrottl|\bquota exceeded\b")
#: ... but a peer throttling the service (a mail provider's reply, "host ... said: 421 ...
#: rate limited", "(in reply to end of DATA command)"; a provider's 429 to our call) is
#: trouble from outside, not the service refusing its callers
_THROTTLED_BY_PEER = re.compile(r"(?i)\bsaid:|\bin reply to\b|\b(?:received|got|returned) (?:an? )?(?:HTTP )?429\b")

#: A service that went silent for less than this (a pod restarting) is not an incident
QUIET_MIN = timedelta(minutes=5)
#: A service's work (its records less its clock-like ones: a heartbeat, a stats line a
#: minute) of this many records a window or more over WORK_HISTORY ...
WORK_RATE = 2.0
WORK_HISTORY = timedelta(minutes=60)
#: ... that falls to a fifth or less for this long is work that stopped
WORK_QUIET = timedelta(minutes=10)
#: A service whose logs end while the others' go on for less than this is a ragged export
#: edge (files exported at different times), not a service that stopped.
QUIET_TAIL = timedelta(minutes=10)
#: A service writing fewer records than this per window on average logs little: a new
#: failure of it repeats every few minutes, never ``min_events`` times in one window (the
#: level at which the new-template detector widens its span: 100 records over 5 windows)
QUIET_RATE = 20.0
#: Such a service's new template counts its records from its first one up to this long after
#: its window ...
NEW_HORIZON = timedelta(minutes=30)
#: ... and is kept when the service's history before it is long enough to tell it is new:
#: had the template always had the share of the service's records it has after, all of its
#: ``n`` records falling after its first one has the chance ``(after / (before + after))**n``,
#: and that must be 10**-NEW_HISTORY_SCORE or less. A steady background message that is new
#: only because the export is short has no such history.
NEW_HISTORY_SCORE = 4.0
#: A new FATAL template (a service saying it is dying: ``FATAL ERROR: Reached heap limit``)
#: is kept with this many records within :data:`NEW_HORIZON`, whatever the history: a
#: healthy service does not log that now and then, so a short or thin history (an
#: out-of-memory crash every ten minutes of a service writing two records a minute) is no
#: reason to doubt it
NEW_MIN_FATAL = 3
#: A busy service's new error seen in fewer than ``min_events`` records a window is kept when
#: its records fall in this many windows within :data:`NEW_HORIZON` of its first
TRICKLE_WINDOWS = 10


def _is_trouble(
    c: Contribution,
    badness: dict[tuple[str, str], float],
    *,
    resumes: Callable[[Contribution], bool] = lambda c: True,
    stopped: Callable[[Contribution], bool] = lambda c: False,
) -> bool:
    """Whether a contribution is a symptom on its own (not just traffic moving around).

    More or fewer *successful* requests, a new INFO line after a deploy, a message that
    stops: those are context, not an incident. Errors and warnings, error ratios, and
    shifted numbers (latency, sizes) are symptoms. ``resumes``: whether a service's silence
    is long enough to matter; ``stopped``: whether a service's work stopped while its
    heartbeat went on (see :func:`_material_windows`).
    """
    if c.kind == "parameter":
        return _material_shift(c)
    if c.kind == "error_ratio":
        return True
    bad = badness.get((c.service or "", c.template_id or ""), 0.0)
    if c.kind in {"new", "rate_spike"}:
        return bad >= 0.5
    if c.kind == "rate_drop":
        # a service that (nearly) stops logging its regular messages, or all but its
        # heartbeat
        return _near_silent(c) or stopped(c)
    # a service that stops logging altogether (hung, crashed, cut off) is trouble, unless its
    # file just ends a little before the others'; a single message that stops is context
    return went_quiet(c) and resumes(c)


def _burst_seen_before(c: Contribution, sub: pl.DataFrame, own: pl.DataFrame, window: timedelta) -> bool:
    """Whether the burst of ``c``'s template is one the export has seen before (its busiest
    window earlier, :data:`RECUR_GAP` or more before ``c``'s onset, holds
    :data:`RECUR_SHARE` of this one's records), or requests refused for load
    (:data:`_THROTTLED`) in a short burst or for a small share of the service's records.
    ``sub``: the records of the windows' templates; ``own``: the service's records."""
    if not c.template_id or window <= timedelta(0):
        return False
    mine = sub.filter((pl.col("service") == c.service) & (pl.col("template_id") == c.template_id))
    ts, sev = mine["timestamp"], mine["sev"]
    counts = ts.dt.truncate(window).value_counts(name="n")
    soon = counts.filter(pl.col("timestamp").is_between(c.onset, c.onset + RECUR_GAP, closed="left"))
    now = soon["n"].max()
    if not isinstance(now, int) or now == 0:
        return False
    throttled = _THROTTLED.search(c.template or "") is not None and not _THROTTLED_BY_PEER.search(c.template or "")
    if throttled:
        # a client going too fast for a minute or two, or a few clients now and then:
        # refused, as they should be (a limit set too low refuses many, for long)
        stamps = own.get_column("timestamp")
        total = stamps.filter(stamps.is_between(c.onset, c.onset + RECUR_GAP, closed="left")).len()
        if soon.height <= THROTTLE_WINDOWS or soon["n"].sum() < THROTTLE_SHARE * total:
            return True
    # (a new template's records between its first one and the window it was flagged in are
    # this run, not an earlier burst: a service that logs little took a while to show it)
    since = min(c.onset, c.first_seen) if c.kind == "new" and c.first_seen is not None else c.onset
    before = counts.filter(pl.col("timestamp") < since - RECUR_GAP)["n"].max()
    if isinstance(before, int) and before >= RECUR_SHARE * now:
        return True
    if throttled:
        # (a limit refusing many, for long, that does so again later is no schedule's
        # chatter: the limit is too low while the traffic lasts)
        return False
    # warnings that burst as much again later, apart, are a schedule's chatter (its
    # first run in the export looks new only because the export starts just before it); a
    # failing job logs errors and stays an incident
    if sev.filter(ts >= c.onset).max() >= ERROR_SEVERITY:  # type: ignore[operator]
        return False
    # (... and so does a process whose warnings come back after it died: a leak's "GC pause"
    # warnings, an out-of-memory error, a restart, the warnings again; an error template new
    # to the service within NEW_HORIZON of the warnings' start)
    if {"template_id", "severity_number"} <= set(own.columns):
        seen = own.filter(pl.col("timestamp") < c.onset).get_column("template_id").unique()
        later = own.filter(
            pl.col("timestamp").is_between(c.onset, c.onset + NEW_HORIZON, closed="left")
            & (pl.col("severity_number").cast(pl.Int32).fill_null(0) >= ERROR_SEVERITY)
            & ~pl.col("template_id").is_in(seen.implode())
        )
        if later.height:
            return False
    # (a run starts after a pause of RECUR_GAP from the one before: a level that goes on is
    # no second run)
    bursts = counts.filter((pl.col("timestamp") >= c.onset) & (pl.col("n") >= RECUR_SHARE * now))
    starts = bursts.sort("timestamp")["timestamp"]
    runs = int((starts.diff() >= RECUR_GAP).sum()) if starts.len() else 0
    return runs >= RECUR_LATER


def _short_history(own: pl.DataFrame, onset: datetime, again: object) -> bool:
    """Whether ``own``'s records start less than one period (``onset`` to ``again``) before
    ``onset``."""
    first = own.get_column("timestamp").min()
    return isinstance(first, datetime) and isinstance(again, datetime) and onset - first < again - onset


#: a unit of time, which a plural noun after a number or a plural key is not
_TIME_WORDS = r"(?:milli|micro|nano)?(?:secs|seconds|mins|minutes|hours|hrs|days|weeks)"
#: a plural noun (not a word whose final "s" is no plural's: status, process, analysis)
_PLURAL = r"[a-z]{2,}s(?<![su]s)(?<!is)"
#: a counted thing right after a number of a template, or a count word right before it
_COUNTED_AFTER = re.compile(
    # (the first of "<NUM> of <NUM> trip updates" counts them too)
    r"(?i)^(?: of <(?:NUM|\*)>)?\s*(?:records?|items?|rows?|messages?|msgs|events?|entries|keys|requests|jobs|tasks|files|objects|docs|documents)\b"
    # (or any plural noun, maybe after a word saying what of: "Applied <NUM> price updates",
    # "settled <NUM> bets"; not a unit of time, nor a word whose "s" is no plural's)
    rf"|^(?: of <(?:NUM|\*)>)? (?:[a-z]+[ -])?(?!(?:{_TIME_WORDS}|times)\b){_PLURAL}\b"
)
#: ... or a rate after it: "<NUM> rows/sec.", "<SIZE>/sec.", "<NUM> msgs per second"
_PER_SECOND = re.compile(r"(?i)^\s*(?:[A-Za-z]+\s*)?(?:/\s*s(?:ec)?|per\s+s(?:ec(?:ond)?)?)\b")
_COUNT_BEFORE = re.compile(
    r"(?i)(?:hits|misses|evictions|count|total|records|items|rows|messages|msgs|events|entries|batch(?: of)?|batch_size|size)"
    r"[\"']?\s*[:=]?\s*[\"']?$"
    # (or a key that is a plural noun: "taps=<NUM>", "bets: <NUM>"; not a unit of time)
    rf"|(?:^|[^a-z])(?!{_TIME_WORDS}\b){_PLURAL}[\"']?\s*[:=]\s*[\"']?$"
)


#: a unit of time right after a number of a template, or a word for a time right before it
_TIMED_AFTER = re.compile(r"(?i)^\s*(?:ms|msec|millis(?:econds?)?|s|secs?|seconds?|us|µs|ns|mins?|minutes?)\b")
_TIME_BEFORE = re.compile(r"(?i)(?:\bin|took|after|elapsed|duration|latency|time|_ms|_us)[\"']?\s*[:=]?\s*[\"']?$")


def _feature_token(template: str | None, feature: str) -> re.Match[str] | None:
    """The variable token of ``template`` a ``$k`` feature (or ``#k``, as :mod:`._shifts`
    names it) reads, if it has one."""
    tokens = list(re.finditer(TOKEN_RE, template or ""))
    k = int(feature[1:]) if feature[1:].isdigit() else 0
    return tokens[k - 1] if 1 <= k <= len(tokens) else None


def _is_duration(template: str | None, feature: object) -> bool:
    """Whether a parameter feature is, by its words, a time something took (``in <NUM> s``,
    ``took <NUM>ms``, a ``<DURATION>``, an attribute named by a time)."""
    if not isinstance(feature, str):
        return False
    if feature.startswith("attributes."):
        return bool(re.search(r"(?i)time|duration|latency|elapsed|took|(?:^|[._\-])(?:ms|us|ns|millis|secs?|seconds)$", feature))
    if (tok := _feature_token(template, feature)) is None:
        return False
    text = template or ""
    if tok.group() == "<DURATION>":
        return True
    after = text[tok.end() : tok.end() + 16]
    return tok.group() in ("<NUM>", "<*>") and (
        bool(_TIMED_AFTER.match(after))
        # (a word after it says what it counts: "in <NUM> batches")
        or (bool(_TIME_BEFORE.search(text[max(0, tok.start() - 16) : tok.start()])) and not re.match(r"\s*[A-Za-z]", after))
    )


def _is_count(template: str | None, feature: object) -> bool:
    """Whether a parameter feature (``$2`` of ``template``, ``attributes.<key>``) is, by its
    words, a count of things (``batch of <NUM> records``, ``hits=<NUM>``, ``batch_size``); a
    number the template does not say more of is not (it may be a time written bare)."""
    if not isinstance(feature, str):
        return False
    if feature.startswith("attributes."):
        return bool(re.search(r"(?i)(?:^|[._])(?:count|hits|misses|records|items|rows|messages|events|batch_size)$", feature))
    if (tok := _feature_token(template, feature)) is None:
        return False
    text = template or ""
    after = text[tok.end() : tok.end() + 24]
    if _PER_SECOND.match(after):
        # (a throughput, rows or bytes a second, counts things too: more work, not slower)
        return True
    return tok.group() in ("<NUM>", "<*>") and (
        bool(_COUNTED_AFTER.match(after))
        or bool(_COUNT_BEFORE.search(text[max(0, tok.start() - 24) : tok.start()]))
    )


#: a contribution that is no symptom, this long or more before a window's first symptom, is
#: left out of it (see :func:`_material_windows`)
CONTEXT_LEAD = timedelta(minutes=30)
#: a count may rise this much more than the traffic before its rise is a symptom
COUNT_SLACK = 1.5
#: ... and fall this much more than the traffic fell: a market feed's messages a minute fall
#: far faster than the requests the estate serves before the opening bell (probe BR: 2.8 and
#: 6.7 times to the estate's 1.6 and 2); a feed that stops while the traffic goes on is a
#: symptom whatever this is
COUNT_DROP_SLACK = 5.0


def _clock_templates(frame: pl.DataFrame, step: timedelta, n_windows: float, *, keys: tuple[str, ...]) -> pl.DataFrame:
    """The ``keys`` (a template, a service's template) of ``frame`` that tick like a clock over
    its ``n_windows`` windows of ``step``: a record in most windows, counts far steadier than
    chance (the means and variances over every window, those without a record too)."""
    per = (
        frame.group_by(*keys, pl.col("timestamp").dt.truncate(step).alias("_w")).len()
        .group_by(*keys)
        .agg(pl.col("len").sum().alias("n"), (pl.col("len").cast(pl.Float64) ** 2).sum().alias("n2"), pl.len().alias("k"))
    )
    mean = pl.col("n") / n_windows
    return per.filter((pl.col("k") >= 0.9 * n_windows) & clock_like(mean, pl.col("n2") / n_windows - mean**2)).select(*keys)


def _work_volume(recs: pl.DataFrame, window: timedelta) -> pl.DataFrame:
    """The stamps of the records that follow the estate's traffic: a template that ticks like
    a clock over the export (a cache's statistics every 10 s, a pipeline's flush each minute)
    logs as much at dawn as at the peak, and where such lines are most of the records their
    count hides a morning ramp (probe BY: Aerospike's ticker a third of the records, the
    traffic "x1.02" while the requests rose by a fifth)."""
    ts = recs.get_column("timestamp").drop_nulls() if "timestamp" in recs.columns else None
    if window <= timedelta(0) or ts is None or ts.is_empty() or "template_id" not in recs.columns:
        return recs.select("timestamp")
    first, last = tmin(ts), tmax(ts)
    n_windows = max((last - first) / window, 1.0) if first is not None and last is not None else 1.0
    stamped = recs.filter(pl.col("timestamp").is_not_null())
    clocks = _clock_templates(stamped, window, n_windows, keys=("service", "template_id"))
    if clocks.is_empty():
        return stamped.select("timestamp")
    return stamped.join(clocks, on=["service", "template_id"], how="anti", nulls_equal=True).select("timestamp")


def _count_with_traffic(c: Contribution, volume: pl.DataFrame, own: pl.DataFrame, window: timedelta) -> bool:
    """Whether a shifted number is a count (:func:`_is_count`) that rose by fewer than 3 (its
    median; its 95th percentile where the median did not rise), or
    no more than the traffic did (records in a batch, cache hits a minute: more requests, more of them),
    or that counts plain work (:func:`_plain_work`) and rose, or fell by less than
    :data:`PLAIN_WORK_FLOOR`. The traffic is
    the estate's, or the service's own, in the 5 windows from the onset against the mean
    window before it (or after them, when the export starts with them)."""
    x = c.extra or {}
    obs, exp = x.get("peak_observed"), x.get("peak_expected")
    if window <= timedelta(0) or not isinstance(obs, int | float) or not isinstance(exp, int | float):
        return False
    if not _is_count(c.template, x.get("feature")):
        return False
    if exp <= 0:
        # (a count that is mostly nothing, the first taps of the night: its tail moved by
        # one or two, or it is plain work that began)
        q, wq = x.get("base_q95"), x.get("window_q95")
        wobble = isinstance(q, int | float) and isinstance(wq, int | float) and 0 <= wq - q < 3
        return wobble or (obs > exp and _plain_work(c, own))

    def ratio(frame: pl.DataFrame) -> float:
        ts = frame.get_column("timestamp").drop_nulls()
        first, last = tmin(ts), tmax(ts)
        if first is None or last is None:
            return 1.0
        now = ts.filter(ts.is_between(c.onset, c.onset + 5 * window, closed="left")).len() / 5
        # (a shift from the export's first windows has no before to speak of)
        if c.onset - 5 * window > first:
            before = ts.filter(ts < c.onset - window).len() / max((c.onset - window - first) / window, 1.0)
        elif last > c.onset + 10 * window:
            # (the export starts busy: the windows after these are the reference)
            before = ts.filter(ts >= c.onset + 5 * window).len() / max((last - c.onset - 5 * window) / window, 1.0)
        else:
            return 1.0
        return now / before if before > 0 else 1.0

    if obs <= exp:
        # (the typical count did not rise, its tail did: by fewer than 3 it is a wobble, a
        # batch of 4 records now and then where 2 was the most; a backlog grows it by many)
        q, wq = x.get("base_q95"), x.get("window_q95")
        if isinstance(q, int | float) and isinstance(wq, int | float) and 0 <= wq - q < 3:
            return True
        # (... or it is plain work that fell by less than 3/4: fewer trips to update as the
        # evening rush ends; a feed that stops falls further, or stops logging)
        if obs >= PLAIN_WORK_FLOOR * exp and _plain_work(c, own, fell=True):
            return True
        # (... or it fell with the estate's traffic: a market feed's messages a minute before
        # the opening bell, when the whole estate is quieter; a feed that stops while the
        # traffic goes on is a symptom)
        quieter = ratio(volume)
        return obs < exp and quieter < 1 / 1.2 and obs / exp >= quieter / COUNT_DROP_SLACK
    if _plain_work(c, own) or _follows_traffic(c, own, volume, window):
        return True
    traffic = max(ratio(volume), ratio(own), 1.0)
    # (a count that moved by one or two is a wobble, whatever the traffic did: a batch of 4 or
    # 5 records instead of 3 is no symptom; a backlog building up grows it by many)
    return obs - exp < 3 or (traffic > 1.2 and obs / exp <= COUNT_SLACK * traffic)


#: words of a count that tell of trouble (things failed, dropped, waiting, retried), or of a
#: consumer's batch, which a backlog grows (more records a poll as it falls behind)
_TROUBLE_COUNT = re.compile(
    r"(?i)fail|error|drop|discard|reject|refus|retr(?:y|ie)|pending|backlog|lag\b|behind|queued|wait|"
    r"time[ds]? ?out|expired|skip|lost|overflow|throttl|denied|invalid|miss|evict|dead|poison|stuck"
)
#: ... a consumer's batch, which a backlog grows (more records a poll as it falls behind):
#: trouble when it rose; a batch that shrank is less work to do (Telegraf's "Wrote batch of
#: <NUM> metrics" as a plant pauses at a shift change)
_BACKLOG_COUNT = re.compile(r"(?i)batch|poll|fetch|receiv|consum|drain")


#: a count of plain work (:func:`_plain_work`) that fell to no less than this share of its
#: usual is less work to do, no symptom
PLAIN_WORK_FLOOR = 0.25


def _plain_work(c: Contribution, own: pl.DataFrame, *, fell: bool = False) -> bool:
    """Whether a count that moved is plain work: its lines all INFO or below and its words
    telling of nothing that failed, waited or was dropped ("Applied <NUM> price updates",
    "Published <NUM> outbox messages"). More of it is the day's business, a match in play,
    the morning rush: no symptom on its own, whatever the estate's requests did (the trouble
    a flood of work brings shows in errors, in what waits, in times that grow). With
    ``fell``, the count fell: a batch or a poll's records (:data:`_BACKLOG_COUNT`) are plain
    work then too."""
    feature, text = str((c.extra or {}).get("feature", "")), c.template or ""
    tok = _feature_token(text, feature) if not feature.startswith("attributes.") else None
    # (the words around the count say what it counts: "Applied <NUM> price updates from"; a
    # lag the same line reports beside it is another number)
    if tok is not None:
        # (from the number before it to the number after it, 24 characters at most each side)
        ends = [m.span() for m in re.finditer(TOKEN_RE, text)]
        lo = max([e for _, e in ends if e <= tok.start()] + [tok.start() - 24, 0])
        hi = min([b for b, _ in ends if b >= tok.end()] + [tok.end() + 24])
        words = text[lo:hi]
    else:
        words = feature if feature.startswith("attributes.") else text
    if _TROUBLE_COUNT.search(words) or (not fell and _BACKLOG_COUNT.search(words)):
        return False
    if not c.template_id or not {"template_id", "severity_number"} <= set(own.columns):
        return False
    mine = own.filter(pl.col("template_id") == c.template_id)
    worst = mine.get_column("severity_number").cast(pl.Int32).max() if mine.height else None
    return isinstance(worst, int) and worst < WARN_SEVERITY


#: windows of history a count needs before it is told to follow the traffic, and how closely
#: (rank correlation of its median a window with the estate's records that window)
FOLLOW_WINDOWS = 20
FOLLOW_CORR = 0.6


def feature_values(rows: pl.DataFrame, feature: str, keep: Sequence[str]) -> pl.DataFrame | None:
    """The ``keep`` columns and ``value``, each record's number of ``feature``: a template's
    variable (``$k``, or ``#k`` as :mod:`._shifts` names it) or an attribute
    (``attributes.<key>``); ``None`` for a feature the records cannot give."""
    if feature.startswith("attributes."):
        return attribute_numbers(rows, list(keep)).filter(pl.col("feature") == feature).select(*keep, "value")
    if feature[1:].isdigit() and "num_params" in rows.columns:
        return rows.select(*keep, pl.col("num_params").list.get(int(feature[1:]) - 1, null_on_oob=True).alias("value"))
    return None


def _follows_traffic(c: Contribution, own: pl.DataFrame, volume: pl.DataFrame, window: timedelta) -> bool:
    """Whether a count that rose (rows a pipeline writes each flush) rises and falls with the
    estate's traffic (:data:`FOLLOW_CORR` over the export, :data:`FOLLOW_WINDOWS` windows
    or more before its onset) and, in the 5 windows from the onset, stays within
    :data:`COUNT_SLACK` of what the traffic then predicts (a line through its history before):
    a morning ramp, not a backlog, which grows it far beyond what the requests explain."""
    feature = (c.extra or {}).get("feature")
    if not isinstance(feature, str) or not feature[1:].isdigit() or "num_params" not in own.columns:
        return False
    step = pl.col("timestamp").dt.truncate(window).alias("w")
    values = (
        own.filter(pl.col("template_id") == c.template_id)
        .select(step, pl.col("num_params").list.get(int(feature[1:]) - 1, null_on_oob=True).alias("v"))
        .drop_nulls()
        .group_by("w")
        .agg(pl.col("v").median().alias("m"))
    )
    # (both smoothed over 5 windows: a minute's records scatter by chance, the trend is the traffic)
    per = (
        values.join(volume.select(step).group_by("w").len().rename({"len": "n"}), on="w")
        .sort("w")
        .with_columns(pl.col("n").cast(pl.Float64).rolling_mean(5, min_samples=1), pl.col("m").rolling_median(5, min_samples=1))
    )
    hist = per.filter(pl.col("w") < c.onset)
    now = per.filter(pl.col("w").is_between(c.onset, c.onset + 5 * window, closed="left"))
    if hist.height < FOLLOW_WINDOWS or now.is_empty():
        return False
    # (over the whole export: a morning's ramp may barely have begun at the onset)
    rho = _num(per.select(pl.corr("m", "n", method="spearman")).item())
    if rho < FOLLOW_CORR:
        return False
    fit = hist.select(
        (pl.cov("m", "n") / pl.col("n").var()).alias("slope"), pl.col("m").mean().alias("mm"), pl.col("n").mean().alias("nn")
    ).row(0)
    slope, mean_m, mean_n = (_num(x) for x in fit)
    predicted = mean_m + slope * (_num(now["n"].median()) - mean_n)
    return predicted > 0 and _num(now["m"].median()) <= COUNT_SLACK * predicted


#: a route of an access log's template: its path, segments holding a digit masked, the query cut
_ROUTE_ID = r"/[^/?]*[0-9][^/?]*"
#: records a route needs before the onset to be judged, and the share of the records after
#: it the judged routes must hold
MIX_MIN = 5
MIX_COVER = 0.7


def _change_of_mix(c: Contribution, own: pl.DataFrame, window: timedelta, since: datetime | None = None) -> bool:
    """Whether a number of a template that mixes routes (an access log's ``GET <*>``: health
    checks answered in 2 ms beside payslip downloads in 420 ms) moved only because the mix
    did: in the 5 windows from the onset its median and 95th percentile are within x1.25 of
    what each route's values before the onset give when weighed by the routes' shares after
    it. The routes seen before (:data:`MIX_MIN` records or more) must hold :data:`MIX_COVER`
    of the records after, and be two or more (probe BZ: an intranet's morning traffic moved
    IIS's median from 3 to 42 ms, twelve false alarms). ``since``: the service's first
    trouble, when earlier: the routes' values before it are the reference (not those of the
    slow-down itself)."""
    feature = (c.extra or {}).get("feature")
    if window <= timedelta(0) or not isinstance(feature, str) or not c.template_id or "params" not in own.columns:
        return False
    rows = own.filter(pl.col("template_id") == c.template_id)
    path = (
        pl.col("params").list.eval(pl.element().filter(pl.element().str.starts_with("/"))).list.first()
        .str.split("?").list.first().str.replace_all(_ROUTE_ID, "/*")
    )
    values = feature_values(rows.with_columns(path.alias("_route")), feature, ("timestamp", "_route"))
    if values is None:
        return False
    values = values.drop_nulls(["_route", "value"])
    before = values.filter(pl.col("timestamp") < min(c.onset, since or c.onset))
    now = values.filter(pl.col("timestamp").is_between(c.onset, c.onset + 5 * window, closed="left"))
    shares = now.group_by("_route").len().rename({"len": "na"}).join(
        before.group_by("_route").len().rename({"len": "nb"}), on="_route", how="left"
    )
    seen = shares.filter(pl.col("nb") >= MIX_MIN)
    if seen.height < 2 or _num(seen["na"].sum()) < MIX_COVER * now.height:
        return False
    # each route's values before, weighed by its share after the onset: the values the
    # requests after would have had, had each route answered as before
    weighed = (
        before.join(seen.select("_route", (pl.col("na") / pl.col("nb")).alias("w")), on="_route")
        .sort("value")
        .with_columns((pl.col("w").cum_sum() / pl.col("w").sum()).alias("q"))
    )

    def at(q: float) -> float:
        return _num(weighed.filter(pl.col("q") >= q)["value"].first())

    def ratio(observed: float, expected: float) -> float:
        return max(observed, 1.0) / max(expected, 1.0)

    med, p95 = _num(now["value"].median()), _num(now["value"].quantile(0.95))
    return ratio(med, at(0.5)) <= 1.25 and ratio(p95, at(0.95)) <= 1.25


def _measure_with_count(c: Contribution, own: pl.DataFrame, window: timedelta) -> bool:
    """Whether a shifted number rose no more than a count in the same message did (a batch
    of 22 records takes longer than one of 13: ``Processed batch of <NUM> records in <NUM>
    ms``): more work per message, not a slow-down. The count's median in the 5 windows
    from the onset against its median in the rest of the export (the windows before, or
    after when the export starts busy)."""
    x = c.extra or {}
    obs, exp, feature = x.get("peak_observed"), x.get("peak_expected"), x.get("feature")
    if window <= timedelta(0) or not isinstance(obs, int | float) or not isinstance(exp, int | float):
        return False
    if exp <= 0 or obs <= exp or not isinstance(feature, str) or not feature[1:].isdigit() or not c.template:
        return False
    n_vars = len(re.findall(TOKEN_RE, c.template))
    counts = [k for k in range(1, n_vars + 1) if f"${k}" != feature and _is_count(c.template, f"${k}")]
    if not counts or "num_params" not in own.columns:
        return False
    rows = own.filter(pl.col("template_id") == c.template_id)
    span = pl.col("timestamp").is_between(c.onset, c.onset + 5 * window, closed="left")
    before, now = rows.filter(~span), rows.filter(span)
    for k in counts:
        b = before.select(pl.col("num_params").list.get(k - 1, null_on_oob=True)).to_series().drop_nulls()
        a = now.select(pl.col("num_params").list.get(k - 1, null_on_oob=True)).to_series().drop_nulls()
        if b.len() < 10 or a.len() < 5:
            continue
        mb, ma = _num(b.median()), _num(a.median())
        if mb > 0 and ma / mb > 1.2 and obs / exp <= COUNT_SLACK * ma / mb:
            return True
    return False


#: a shifted number is as high as it was this share of an earlier episode's, or less: seen before
RECUR_LEVEL = 0.9
#: ... and back to its usual level when within this factor of the baseline's median
RECUR_CALM = 1.1


def _shift_seen_before(c: Contribution, own: pl.DataFrame, window: timedelta, since: datetime | None = None) -> bool:
    """Whether a number that rose (a latency, a size) rose as much before in the export,
    :data:`RECUR_GAP` or more before its onset: an hourly batch slows the service it shares
    a database with at every run, and its fourth run is no incident. The level is the
    median of three windows' medians, at its highest in the 5 windows from the onset,
    against its highest earlier (:data:`RECUR_LEVEL` of it or more), before ``since`` too
    (the service's first trouble in the report: a new fault's second burst was not "seen"
    in its first). Or as much again later, once back near its usual level, in an export
    holding less history before the onset than that period (the schedule's first run)."""
    x = c.extra or {}
    obs, exp, feature = x.get("peak_observed"), x.get("peak_expected"), x.get("feature")
    if window <= timedelta(0) or not isinstance(obs, int | float) or not isinstance(exp, int | float):
        return False
    if obs <= exp or not isinstance(feature, str) or not feature[1:].isdigit() or "num_params" not in own.columns:
        return False
    k = int(feature[1:])
    per = (
        own.filter(pl.col("template_id") == c.template_id)
        .select(pl.col("timestamp").dt.truncate(window).alias("w"), pl.col("num_params").list.get(k - 1, null_on_oob=True).alias("v"))
        .drop_nulls()
        .group_by("w")
        .agg(pl.col("v").median().alias("m"), pl.len().alias("n"))
        .filter(pl.col("n") >= 3)
        .sort("w")
        .with_columns(pl.col("m").rolling_median(3).alias("level"))
        .drop_nulls("level")
    )
    now = _num(per.filter(pl.col("w").is_between(c.onset, c.onset + 5 * window, closed="left"))["level"].max())
    if now <= 0:
        return False
    before = _num(per.filter(pl.col("w") < min(c.onset, since or c.onset) - RECUR_GAP)["level"].max())
    if before >= RECUR_LEVEL * now:
        return True
    # ... or as much again later, once it was back to its usual level in between (the
    # schedule's first run in the export: an export starting just before it); a shift that
    # lasts never comes back down
    # (its usual level in the same units: the levels before the onset, else the export's
    # lower quartile; the detector's figures may be in other units, ms for seconds)
    usual = _num(per.filter(pl.col("w") < c.onset)["level"].median()) or _num(per["level"].quantile(0.25))
    after = per.filter(pl.col("w") >= c.onset + 5 * window)
    calm = after.filter(pl.col("level") <= RECUR_CALM * usual)["w"].min()
    if calm is None:
        return False
    again = after.filter((pl.col("w") > calm) & (pl.col("w") >= c.onset + RECUR_GAP) & (pl.col("level") >= RECUR_LEVEL * now))
    if again.height == 0:
        return False
    # (only where the export holds less history before the onset than one period of the
    # schedule: a fault that comes back at every burst of traffic since a change, after
    # hours of bursts without it, is no schedule's first run)
    return _short_history(own, c.onset, again["w"].min())


#: a path segment holding a digit (an id, a UUID, a version): /v1/rides/38597143 is /*/rides/*
_ID_SEGMENT = r"/[^/]*\d[^/]*"


def _probing(c: Contribution, own: pl.DataFrame, window: timedelta) -> bool:
    """Whether a burst of answers is a client probing for what was never served: every
    record an HTTP 4xx (not 429: throttling is told apart), and 80 % or more of their paths
    (ids as ``*``) never served before the burst (never answered other than 4xx: ``/.env``,
    ``/wp-login.php``, a scanner). A route that breaks answers 404 on paths that were served
    before."""
    if not c.template_id or window <= timedelta(0) or "endpoint" not in own.columns:
        return False
    shape = pl.col("endpoint").str.replace(r"\?.*$", "").str.replace_all(_ID_SEGMENT, "/*")
    burst = own.filter(
        (pl.col("template_id") == c.template_id)
        & pl.col("timestamp").is_between(c.onset, c.onset + 5 * window, closed="left")
    )
    status = burst.get_column("status")
    if burst.height < 5 or status.null_count() or not ((status >= 400) & (status < 500) & (status != 429)).all():
        return False
    # (paths answered with a 4xx before, by an earlier scan, were never served either)
    before = own.filter(
        (pl.col("timestamp") < c.onset) & pl.col("endpoint").is_not_null() & ~pl.col("status").is_between(400, 499)
    )
    if before.height < 100:
        return False  # (too little history to tell what was served)
    seen = before.select(shape.unique()).to_series()
    novel = burst.select((~shape.is_in(seen.implode())).mean()).item()
    return bool(novel is not None and novel >= 0.8)


def _quiet_since(c: Contribution, recs: pl.DataFrame, *, earliest: datetime, window: timedelta) -> Contribution:
    """``c`` (a service that went quiet) with its onset moved back over the windows before
    it where the service was already as quiet (a fifth of its baseline or less), down to
    ``earliest``.

    The detector's onset can be late: a silence that starts in the first minutes of an
    export, before the detector's baseline ends, is seen only where the scoring starts.
    """
    if not c.service or window <= timedelta(0) or c.onset <= earliest:
        return c
    quiet = 0.2 * c.baseline_rate
    ts = recs.filter((pl.col("service") == c.service) & pl.col("timestamp").is_between(earliest, c.onset, closed="left"))
    counts = dict(
        ts.group_by(pl.col("timestamp").dt.truncate(window).alias("w")).len().iter_rows()
    )
    onset = c.onset
    while onset - window >= earliest and counts.get(onset - window, 0) <= quiet:
        onset -= window
    return c if onset == c.onset else dataclasses.replace(c, onset=onset)


def _new_and_repeating(
    c: Contribution, own: pl.DataFrame, end: datetime, *, min_events: int, window: timedelta
) -> bool:
    """Whether a new template that never shows ``min_events`` records in one window is a
    new failure that repeats, not a one-off. ``own``: the records of ``c``'s service.

    Its records from its first one to :data:`NEW_HORIZON` after ``end`` must number
    ``min_events`` and reach ERROR, and the service's records before it must be many enough
    to show it had it always been there (:data:`NEW_HISTORY_SCORE`); a FATAL one needs
    :data:`NEW_MIN_FATAL` records and no such history. A service that logs
    much (:data:`QUIET_RATE`) must show it in :data:`TRICKLE_WINDOWS` windows: a failure of
    a part of its work (one trunk of a SIP proxy's several failing a call or two a minute)
    repeats every minute or two, where a background error first seen late comes now and then.
    """
    if not c.service or window <= timedelta(0):
        return False
    first = c.first_seen or c.onset
    history = own.filter(pl.col("timestamp") < first).get_column("timestamp")
    if history.is_empty():
        return False
    windows = max((first - history.min()) / window, 1.0)  # type: ignore[operator]
    after = own.filter(pl.col("timestamp").is_between(first, end + NEW_HORIZON, closed="left"))
    mine = after.filter(pl.col("template_id") == c.template_id)
    n = mine.height
    worst = _num(mine.get_column("severity_number").cast(pl.Int32).max())
    fatal = worst >= FATAL_SEVERITY
    spread = mine.select(pl.col("timestamp").dt.truncate(window).n_unique()).item()
    # (a new warning, "login failed: invalid credentials", is too often a background message
    # whose first one just came late: only new errors count, or a warning that keeps coming,
    # in TRICKLE_WINDOWS windows within the horizon and twice a window: a leak's "GC pause
    # 920 ms" twice a minute, not a background warning every other minute)
    warns = worst >= WARN_SEVERITY and spread >= TRICKLE_WINDOWS and n >= 2 * spread
    if n < (min(min_events, NEW_MIN_FATAL) if fatal else min_events) or (worst < ERROR_SEVERITY and not warns):
        return False
    if history.len() / windows >= QUIET_RATE and spread < TRICKLE_WINDOWS:
        return False
    return fatal or n * math.log10((history.len() + after.height) / after.height) >= NEW_HISTORY_SCORE


def _material_windows(
    windows: Sequence[AnomalyWindow],
    recs: pl.DataFrame,
    *,
    min_events: int,
    badness: dict[tuple[str, str], float],
    window: timedelta = timedelta(0),
    planned: Sequence[tuple[datetime, datetime]] = (),
    changed: Sequence[datetime] = (),
) -> list[AnomalyWindow]:
    """Keep the windows that show trouble, without their one-line template anomalies.

    A template anomaly needs ``min_events`` records inside its window (a new template of a
    service that logs little: see :func:`_new_and_repeating`); a window needs at least one
    contribution that is a symptom (see :func:`_is_trouble`); its start moves
    to the first symptom. ``badness`` is the WARN+ share of the windows' templates
    (:func:`_template_shares`). A service going quiet inside a ``planned`` maintenance
    window (see :func:`maintenance_windows`) is no symptom: it was closed on purpose.
    A service's error share that rose on fewer than ``min_events`` error records is no
    symptom either, unless a change (``changed``: the change list's times) came within a
    window of it: a rollout's few failed requests are reported with the change.
    """

    def planned_quiet(c: Contribution) -> bool:
        """Less of something (fewer lines, a service silent, fewer players online) inside
        a planned window."""
        less = c.kind in {"gone", "rate_drop"} or (
            c.kind == "parameter" and _num(c.extra.get("peak_observed")) < _num(c.extra.get("peak_expected"))
        )
        return less and any(a <= c.onset < b for a, b in planned)

    data_end = tmax(recs["timestamp"]) if recs.height else None

    @functools.cache
    def own_records(service: str | None) -> pl.DataFrame:
        return recs.filter(pl.col("service") == service)

    def resumes(c: Contribution) -> bool:
        """A service's silence matters when it lasts :data:`QUIET_MIN` (a restarting pod is
        quiet for a minute) and the service logs again after it, or the others go on for
        :data:`QUIET_TAIL` (a file that just ends early is a ragged export edge)."""
        if data_end is None or not c.service:
            return True
        ts = own_records(c.service).get_column("timestamp").drop_nulls()
        before, after = tmax(ts.filter(ts < c.onset)), tmin(ts.filter(ts >= c.onset))
        start = before if before is not None else c.onset
        if after is not None:
            return after - start >= QUIET_MIN
        return data_end - start >= max(QUIET_MIN, QUIET_TAIL)

    def stopped(c: Contribution) -> bool:
        """A service whose work stopped while its heartbeat went on (a consumer hung behind
        its stats line a minute): its records less the ones that tick like a clock fell
        from :data:`WORK_RATE` a window or more over the :data:`WORK_HISTORY` before to a
        fifth or less for :data:`WORK_QUIET`, and the work comes back after it, or the
        service warns meanwhile (a batch that ended stops its work for good, saying nothing)."""
        if c.template_id is not None or not c.service or "template_id" not in recs.columns:
            return False
        step = window if window > timedelta(0) else timedelta(minutes=1)
        own = own_records(c.service)
        ts = pl.col("timestamp")
        history = own.filter(ts.is_between(c.onset - WORK_HISTORY, c.onset, closed="left"))
        n_windows = WORK_HISTORY / step
        if history.height < WORK_RATE * n_windows:
            return False
        clocks = _clock_templates(history, step, n_windows, keys=("template_id",))
        is_work = ~pl.col("template_id").is_in(clocks["template_id"].implode())
        work = own.filter(is_work)
        before = history.filter(is_work).height / n_windows
        quiet = work.filter(ts.is_between(c.onset, c.onset + WORK_QUIET, closed="left"))
        if before < WORK_RATE or quiet.height > 0.2 * before * (WORK_QUIET / step):
            return False
        back = tmin(work.filter(ts >= c.onset + WORK_QUIET)["timestamp"])
        warned = quiet.filter(pl.col("severity_number").cast(pl.Int32).fill_null(0) >= WARN_SEVERITY).height > 0
        return back is not None or warned

    near = window if window > timedelta(0) else timedelta(minutes=1)

    @functools.cache  # (a window's few errors are looked at to keep it and again to end it)
    def error_stamps(service: str | None, start: datetime, end: datetime) -> pl.Series:
        """The times of the service's ERROR and worse records in ``[start, end)``."""
        ts = pl.col("timestamp")
        return own_records(service).filter(
            ts.is_between(start, end, closed="left") & (pl.col("severity_number").cast(pl.Int32).fill_null(0) >= ERROR_SEVERITY)
        )["timestamp"]

    tids = sorted({c.template_id for w in windows for c in w.contributions if c.template_id})
    sub = recs.filter(pl.col("template_id").is_in(tids)).select(
        "timestamp", "service", "template_id", pl.col("severity_number").cast(pl.Int32).fill_null(0).alias("sev")
    )

    # (the estate's traffic without its clockwork, read only when a count shifted)
    shifted_count = any(
        c.kind == "parameter" and _is_count(c.template, (c.extra or {}).get("feature")) for w in windows for c in w.contributions
    )
    volume = _work_volume(recs, window) if shifted_count else recs.select("timestamp")
    first_trouble: dict[str, datetime] = {}
    out = []
    for w in sorted(windows, key=lambda w: (w.start, w.end)):
        counts = dict(
            sub.filter((pl.col("timestamp") >= w.start) & (pl.col("timestamp") < w.end))
            .group_by("service", "template_id")
            .len()
            .select(pl.concat_str([pl.col("service"), pl.col("template_id")], separator="\x1f"), "len")
            .iter_rows()
        )
        keep = tuple(
            c
            for c in w.contributions
            if not planned_quiet(c)
        )
        keep = tuple(
            c
            for c in keep
            # (a handful of failed requests, three 502s at the edge in an hour, is no incident
            # by its error share alone: fewer than min_events error records in the window)
            if (
                c.kind == "error_ratio"
                and (
                    error_stamps(c.service, w.start, w.end).len() >= min_events
                    or any(c.onset - 2 * near <= t <= c.onset + near for t in changed)
                )
            )
            or (c.template_id is None and c.kind != "error_ratio")
            or c.kind in {"gone", "rate_drop"}
            or counts.get(f"{c.service}\x1f{c.template_id}", 0) >= min_events
            or (
                c.kind == "new"
                and _new_and_repeating(c, own_records(c.service), w.end, min_events=min_events, window=window)
            )
        )
        # (a number that grew with the work, a batch's rows as the traffic ramps up, the time
        # a bigger batch takes, is no anomaly at all: not kept beside another's trouble either)
        keep = tuple(
            c
            for c in keep
            if not (
                c.kind == "parameter"
                and (
                    _count_with_traffic(c, volume, own_records(c.service), window)
                    or _measure_with_count(c, own_records(c.service), window)
                    or _change_of_mix(c, own_records(c.service), window, first_trouble.get(c.service or ""))
                )
            )
        )
        trouble = [
            c
            for c in keep
            if _is_trouble(c, badness, resumes=resumes, stopped=stopped)
            and not (c.kind in {"new", "rate_spike"} and _burst_seen_before(c, sub, own_records(c.service), window))
            and not (c.kind in {"new", "rate_spike"} and _probing(c, own_records(c.service), window))
            and not (
                c.kind == "parameter"
                and _shift_seen_before(c, own_records(c.service), window, first_trouble.get(c.service or ""))
            )
        ]
        if not trouble:
            continue
        for c in trouble:
            # (what recurs is judged against the history before the service's trouble began:
            # a new fault that comes back at every burst of traffic has not "been seen before")
            if c.onset < first_trouble.get(c.service or "", c.onset + window):
                first_trouble[c.service or ""] = c.onset
        # (what changed long before the first symptom and is no symptom itself, a month-end
        # batch that started an hour earlier logging its work, is another story, not this
        # one's context: left out, lest its service read as first)
        start, symptoms = min(c.onset for c in trouble), {id(c) for c in trouble}
        keep = tuple(c for c in keep if c.onset >= start - CONTEXT_LEAD or id(c) in symptoms)
        moved = {id(c): _quiet_since(c, recs, earliest=w.start, window=window) for c in keep if went_quiet(c)}
        keep = tuple(moved.get(id(c), c) for c in keep)
        trouble = [moved.get(id(c), c) for c in trouble]
        end = w.end
        stamps = [error_stamps(c.service, w.start, w.end) for c in trouble if c.kind == "error_ratio"]
        if len(stamps) == len(trouble) and all(s.len() < min_events for s in stamps):
            # (a few failed requests as a change rolled out, kept for the rollout-blip rules:
            # the window ends with them, not with the numbers that moved around them)
            end = min(w.end, max(tmax(s) or w.start for s in stamps) + near)
            keep = tuple(c for c in keep if c.onset < end)
        services = tuple(dict.fromkeys(c.service for c in keep if c.service))
        out.append(
            AnomalyWindow(
                start=max(w.start, min(c.onset for c in trouble)),
                end=end,
                score=max(c.score for c in keep),
                services=services or w.services,
                contributions=keep,
            )
        )
    return out


#: a planned window in a maintenance change's description: "05:00-06:00 UTC", "22:00 to 02:00"
_WINDOW_TEXT = re.compile(r"\b(\d{1,2}):(\d{2})\s*(?:-|–|to|until)\s*(\d{1,2}):(\d{2})\b")
#: ... or its length: "for 45 minutes", "(2h)"
_LENGTH_TEXT = re.compile(r"(?i)\b(?:for|lasting|duration:?)?\s*\(?(\d+(?:\.\d+)?)\s*(h|hours?|hrs?|m|mins?|minutes?)\b\)?")


def maintenance_windows(changes: Sequence[dict[str, Any]]) -> list[tuple[datetime, datetime]]:
    """The planned windows of the change list's ``maintenance`` changes: the times its
    description gives (``weekly maintenance window 05:00-06:00 UTC``: that day's 05:00 to
    06:00, the day of the change, or the next when the window starts more than 12 hours
    before it), or its length from the change's time (``for 45 minutes``). A maintenance
    change that gives neither has no window."""
    out = []
    for row in changes:
        if (row.get("kind") or "") != "maintenance" or row.get("time") is None:
            continue
        t: datetime = row["time"]
        text = row.get("description") or ""
        if (m := _WINDOW_TEXT.search(text)) is not None:
            h1, m1, h2, m2 = (int(x) for x in m.groups())
            if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
                continue
            start = t.replace(hour=h1, minute=m1, second=0, microsecond=0)
            if start < t - timedelta(hours=12):
                start += timedelta(days=1)
            elif start > t + timedelta(hours=12):
                start -= timedelta(days=1)
            end = start.replace(hour=h2, minute=m2)
            if end <= start:
                end += timedelta(days=1)
            out.append((start, end))
        elif (m := _LENGTH_TEXT.search(text)) is not None and m.group(0).strip():
            n, unit = float(m.group(1)), m.group(2).lower()
            length = timedelta(hours=n) if unit.startswith("h") else timedelta(minutes=n)
            if timedelta(0) < length <= timedelta(hours=24):
                out.append((t, t + length))
    return out
