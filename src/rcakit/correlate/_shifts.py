"""Before/after comparison of one service around a point in time, and its evidence."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from rcakit.correlate._records import WARN_SEVERITY
from rcakit.correlate._results import Evidence
from rcakit.correlate._services import _names, callers_fault, reports_dependency_failure
from rcakit.correlate._units import _num, _squash, tmin
from rcakit.correlate._windows import _is_count
from rcakit.detect._params import STATUS_KEY, attribute_numbers, http_codes


def _reports_other(text: str, services: Sequence[str], service: str, *, certificates: bool = True) -> bool:
    """Whether a message is about another service's failure: it names one (unless it is a
    refusal of the caller's bad request) or reports a dependency it does not name (with
    ``certificates``, a server's certificate its TLS calls reject)."""
    named = bool(_names(text, services, exclude=service))
    return (named != callers_fault(text)) or (not named and reports_dependency_failure(text, certificates=certificates))


@dataclass(frozen=True, slots=True, kw_only=True)
class _Shift:
    """Before/after comparison of one service around one point in time."""

    n_before: int
    n_after: int
    err_before: float
    err_after: float
    err_z: float
    new_templates: tuple[tuple[str, int, int, datetime, bool, int], ...]  # (template, n, n_err, first, names_other, n_warn)
    param_z: float
    param_text: str
    rate_ratio: float
    version_share: float | None  # share of after-errors carrying the change's version
    err_own_z: float = 0.0  # err_z counting only errors whose text names no other service
    victim_share: float = 0.0  # share of after-errors whose text names another service
    param_names: bool = False  # the shifted variable's template names another service
    param_ratio: float = 1.0  # median after / median before of the shifted variable
    param_key: tuple[str, str] | None = None  # (template_id, "#<position>" or "attributes.<key>")
    param_count: bool = False  # the shifted variable counts things (rows, records), it times nothing
    after_minutes: float = 0.0  # length of the "after" period
    relay_share: float = 0.0  # share of after-errors that are 5xx answers relayed from an upstream
    no_history: bool = False  # nothing of the service before the point: nothing compared

    @property
    def own_new(self) -> list[tuple[str, int, int, datetime, bool, int]]:
        return [t for t in self.new_templates if not t[4]]

    def persistent_strength(self) -> float:
        """0-1 from sustained signals only: error share, a shifted variable, a new template
        with several errors (a rare new line or two is noise here)."""
        own = self.own_new
        n_new_err = sum(t[2] for t in own)
        s_new = _squash(n_new_err - 4, 5.0) if n_new_err > 4 else 0.0
        s_err = _squash(self.err_z - 3.0, 4.0) if self.err_z > 3.0 else 0.0
        s_par = _squash(self.param_z - 3.0, 4.0) if self.param_z > 3.0 else 0.0
        if self.param_z > 3.0 and self.param_ratio > 1.0:
            # a measure that rises by a factor is a clear change however wide its spread
            # (a latency that doubles: median 5 -> 10 ms with a wide tail): half at x2
            s_par = max(s_par, 0.5 * min(1.0, math.log(self.param_ratio) / math.log(2.0)))
        return max(s_new, s_err, s_par)

    def own_strength(self) -> float:
        """Like :meth:`strength`, counting only what does not name another service."""
        s_new = self._new_strength()
        s_err = _squash(self.err_own_z - 3.0, 4.0) if self.err_own_z > 3.0 else 0.0
        s_par = _squash(self.param_z - 3.0, 4.0) if self.param_z > 3.0 and not self.param_names else 0.0
        return min(1.0, max(s_new, s_err, s_par))

    def _new_strength(self) -> float:
        # new lines matter by count *and* rate: a real new error repeats, while two odd lines
        # over two hours are background noise
        own = self.own_new
        n_new = sum(t[1] for t in own)
        n_new_err = sum(t[2] for t in own)
        n_new_warn = sum(t[5] for t in own)
        n_info = n_new - n_new_err - n_new_warn
        minutes = max(self.after_minutes, 1.0)
        s_err = min(_squash(n_new_err, 3.0), _squash(n_new_err / minutes, 0.2))
        # new warnings (a pool filling up) count once they repeat
        s_warn = min(_squash(n_new_warn - 4, 5.0), _squash(n_new_warn / minutes, 0.1)) if n_new_warn > 4 else 0.0
        s_info = min(_squash(n_info, 20.0), _squash(n_info / minutes, 1.0))
        return min(1.0, s_err * 0.9 + s_warn * 0.6 + s_info * 0.35)

    def strength(self) -> float:
        """0-1: how clearly the service behaves differently after than before."""
        s_new = self._new_strength()
        s_err = _squash(self.err_z - 3.0, 4.0) if self.err_z > 3.0 else 0.0
        s_par = _squash(self.param_z - 3.0, 4.0) if self.param_z > 3.0 else 0.0
        if self.param_z > 3.0 and self.param_ratio > 1.0:
            # a measure that rises by a factor is a clear change however wide its spread
            # (a latency that doubles: median 5 -> 10 ms with a wide tail): half at x2
            s_par = max(s_par, 0.5 * min(1.0, math.log(self.param_ratio) / math.log(2.0)))
        ratio = self.rate_ratio
        s_vol = 0.0
        if ratio > 0 and (ratio > 3 or ratio < 1 / 3) and self.n_before + self.n_after > 30:
            s_vol = 0.4 * _squash(abs(math.log(ratio)) - math.log(3), 1.0)
        return min(1.0, max(s_new, s_err, s_par, s_vol) + 0.15 * sorted([s_new, s_err, s_par, s_vol])[-2])


#: the share of a template variable's values that must be numbers for it to be a measure: a
#: hex id reads as a number only where it has no letter (1 in 40 of 8-character ids); a
#: template that joined two events ("request received [id: <uuid>]" / "request done [took:
#: 2ms]") holds its measure on half of its records
_NUMERIC_SHARE = 0.25


def _param_weight(z: float, ratio: float) -> float:
    """The weight of a shifted number as evidence: by its robust z, and, for a rise by a
    factor, at least half at x2 (a request latency spreads widely, its MAD half its
    median: a median that more than doubles is a clear change, 3.6 MADs away or not)."""
    w = _squash(z - 3.0, 4.0)
    if ratio > 1.0:
        w = max(w, 0.5 * min(1.0, math.log(ratio) / math.log(2.0)))
    return w


def _param_shift(
    before: pl.DataFrame, after: pl.DataFrame
) -> tuple[float, str, str, float, tuple[str, str] | None]:
    """Largest robust shift of a numeric template variable between two periods."""

    def numeric(frame: pl.DataFrame) -> pl.DataFrame:
        # the template's numeric variables ("#1", "#2", ...) and the numbers of measure-like
        # attribute keys (a logfmt or JSON record's duration_ms, responseTime, bytes)
        schema = pl.Schema(
            {
                "timestamp": pl.Datetime("us", "UTC"), "template_id": pl.String(), "template": pl.String(),
                "pos": pl.String(), "value": pl.Float64(),
            }
        )
        if frame.height == 0:
            return pl.DataFrame(schema=schema)
        # (a variable that is a number on only some records is an id: a hex message id
        # whose all-digit values read as numbers is no measure)
        ok = pl.col("num_params").is_not_null() & pl.col("num_params").is_finite()
        parts = [
            frame.select("timestamp", "template_id", "template", "num_params")
            .filter(pl.col("num_params").list.len() > 0)
            .with_columns(pos=pl.int_ranges(1, pl.col("num_params").list.len() + 1))
            .explode("num_params", "pos")
            .filter(ok.mean().over("template_id", "pos") >= _NUMERIC_SHARE)
            .select("timestamp", "template_id", "template", pos=pl.format("#{}", "pos"), value="num_params")
        ]
        if "attributes" in frame.columns:
            parts.append(
                attribute_numbers(frame, ["timestamp", "template_id", "template"])
                .select("timestamp", "template_id", "template", pos="feature", value="value")
            )
        return (
            pl.concat([p.cast(schema) for p in parts])
            .filter(pl.col("value").is_not_null() & pl.col("value").is_finite())
        )

    b = numeric(before)
    a = numeric(after)
    if b.height == 0 or a.height == 0:
        return 0.0, "", "", 1.0, None
    bs = b.group_by("template_id", "pos").agg(
        n_b=pl.len(),
        med_b=pl.col("value").median(),
        mad_b=(pl.col("value") - pl.col("value").median()).abs().median() * 1.4826,
        q90_b=pl.col("value").quantile(0.9),
        q25_b=pl.col("value").quantile(0.25),
        q75_b=pl.col("value").quantile(0.75),
        nuniq_b=pl.col("value").n_unique(),
        codes_b=http_codes(pl.col("value")),
        # ids and counters grow with time: a rank correlation near 1 marks them
        trend_b=pl.corr(pl.col("value"), pl.col("timestamp").cast(pl.Int64), method="spearman"),
    )
    as_ = a.group_by("template_id", "pos").agg(
        n_a=pl.len(),
        med_a=pl.col("value").median(),
        q90_a=pl.col("value").quantile(0.9),
        q25_a=pl.col("value").quantile(0.25),
        q75_a=pl.col("value").quantile(0.75),
        codes_a=http_codes(pl.col("value")),
        template=pl.col("template").first(),
    )
    j = (
        bs.join(as_, on=["template_id", "pos"], how="inner")
        .filter(
            (pl.col("n_b") >= 8)
            & (pl.col("n_a") >= 5)
            & (pl.col("nuniq_b") >= 2)
            & (pl.col("trend_b").abs().fill_nan(0.0).fill_null(0.0) < 0.8)
            # an HTTP status is a category, not a measure (its 5xx are counted as errors)
            & ~(pl.col("codes_b") & pl.col("codes_a") & (pl.col("nuniq_b") <= 12))
            & ~pl.col("pos").str.contains(STATUS_KEY)
            # the bulk must move, not just the median of a noisy or mostly-zero variable: the
            # median after leaves the middle half before, and the quartile on the far side
            # moves past the median before (a whole distribution that doubles does)
            & (
                ((pl.col("med_a") > pl.col("q75_b")) & (pl.col("q25_a") > pl.col("med_b")))
                | ((pl.col("med_a") < pl.col("q25_b")) & (pl.col("q75_a") < pl.col("med_b")))
            )
        )
        .with_columns(
            scale=pl.max_horizontal(pl.col("mad_b"), pl.col("med_b").abs() * 0.05, pl.lit(1e-9))
        )
        .with_columns(
            z=pl.max_horizontal(
                (pl.col("med_a") - pl.col("med_b")).abs() / pl.col("scale"),
                (pl.col("q90_a") - pl.col("q90_b")).abs() / pl.col("scale") * 0.5,
            ),
            rel=(pl.col("med_a") - pl.col("med_b")).abs() / pl.col("med_b").abs().clip(lower_bound=1e-9),
        )
        # ids and counters move a lot relative to their spread but are not signals: demand a
        # material relative change as well as a robust z
        .filter(pl.col("rel") >= 0.25)
        # ties broken by template and position: the same input gives the same report
        .sort("z", "template_id", "pos", descending=[True, False, False])
    )
    if j.height == 0:
        return 0.0, "", "", 1.0, None
    top = j.row(0, named=True)
    what = f"variable {top['pos']}" if top["pos"].startswith("#") else top["pos"].removeprefix("attributes.")
    text = (
        f"{what} of '{top['template']}': median {top['med_b']:.4g} -> "
        f"{top['med_a']:.4g} (p90 {top['q90_b']:.4g} -> {top['q90_a']:.4g})"
    )
    ratio = float(top["med_a"]) / float(top["med_b"]) if top["med_b"] else 1.0
    key = (str(top["template_id"]), str(top["pos"]))
    return float(min(top["z"], 1e6)), text, str(top["template"] or ""), ratio, key


def _compare(
    svc: pl.DataFrame,
    at: datetime,
    *,
    before_span: timedelta,
    after_end: datetime,
    services: Sequence[str],
    service: str,
    version: str | None = None,
    ref_end: datetime | None = None,
    need_history: bool = False,
    reference: tuple[datetime, datetime] | None = None,
    certificates_are_others: bool = True,
) -> _Shift:
    """Compare a service's records in ``[at - before_span, at)`` with ``[at, after_end)``.

    New templates are those never seen in the service before ``at`` (whole history).
    ``ref_end`` (default ``at``) ends the "before" period early, to compare a span
    with the history before an earlier point. With ``need_history``, a service with no
    record before ``ref_end`` shows no shift (``no_history``): logs that start after a
    change say nothing about what the change did, every template would be "new".
    ``reference`` (start, end) replaces the "before" period (and the history) by that span,
    e.g. the calm period after logs that start during an incident. Without
    ``certificates_are_others`` (a service that calls no anomalous service), its TLS calls
    rejecting a server's certificate are failures of its own: the server is outside the logs.
    """
    ref_end = ref_end or at
    if reference is not None:
        ref_end = reference[1]
        hist = before = svc.filter(pl.col("timestamp").is_between(*reference, closed="left"))
    else:
        hist = svc.filter(pl.col("timestamp") < ref_end)
        before = hist.filter(pl.col("timestamp") >= ref_end - before_span)
    after = svc.filter((pl.col("timestamp") >= at) & (pl.col("timestamp") < after_end))
    n_b, n_a = before.height, after.height
    if need_history and hist.height == 0:
        return _Shift(
            n_before=0, n_after=n_a, err_before=0.0, err_after=0.0, err_z=0.0, new_templates=(), param_z=0.0,
            param_text="", rate_ratio=1.0, version_share=None, no_history=True,
        )
    e_b = int(before["is_error"].sum()) if n_b else 0
    e_a = int(after["is_error"].sum()) if n_a else 0
    p_b = (e_b + 0.5) / (n_b + 1.0)
    expected = p_b * n_a
    err_z = (e_a - expected) / math.sqrt(expected + 1.0) if n_a else 0.0
    seen = set(hist["template_id"].unique().to_list())
    new = (
        after.filter(~pl.col("template_id").is_in(list(seen)))
        .group_by("template_id")
        .agg(
            template=pl.col("template").first(),
            n=pl.len(),
            n_err=pl.col("is_error").sum(),
            n_warn=(
                ~pl.col("is_error") & (pl.col("severity_number").cast(pl.Int32).fill_null(0) >= WARN_SEVERITY)
            ).sum(),
            first=pl.col("timestamp").min(),
            body=pl.col("body").first(),
        )
        .sort("n_err", "n", "template", "template_id", descending=[True, True, False, False])
    )
    new_templates = tuple(
        (
            r["template"] or "",
            int(r["n"]),
            int(r["n_err"]),
            r["first"],
            # (a request refused as invalid points at its sender: the callee's refusal
            # elsewhere, the caller's report of it at the caller; a report of a dependency
            # it does not name, "StatusRuntimeException: INTERNAL", is a caller's too)
            _reports_other(f"{r['template']} {r['body']}", services, service, certificates=certificates_are_others),
            int(r["n_warn"]),
        )
        for r in new.head(20).iter_rows(named=True)
    )
    param_z, param_text, param_tpl, param_ratio, param_key = _param_shift(before, after)
    # errors whose text names another service are failures of a dependency
    err_tpl = (
        after.filter(pl.col("is_error"))
        .group_by("template_id")
        .agg(n=pl.len(), text=pl.col("template").first() + " " + pl.col("body").first())
    )
    n_victim = sum(
        int(r["n"])
        for r in err_tpl.iter_rows(named=True)
        if (_names(r["text"] or "", services, exclude=service) and not callers_fault(r["text"] or ""))
        or reports_dependency_failure(r["text"] or "", certificates=certificates_are_others)
    )
    # a 5xx in an access log reports a failed request; whose failure it is, the log cannot say
    n_reported = int(after.filter(pl.col("is_error") & (pl.col("status").fill_null(0) >= 500)).height) if n_a else 0
    n_victim = min(e_a, n_victim + n_reported)
    e_own = e_a - n_victim
    err_own_z = (e_own - expected) / math.sqrt(expected + 1.0) if n_a else 0.0
    lo_b = reference[0] if reference is not None else ref_end - before_span
    span_b = max((ref_end - max(lo_b, tmin(hist["timestamp"]) or ref_end)).total_seconds(), 1.0)
    span_a = max((after_end - at).total_seconds(), 1.0)
    rate_ratio = ((n_a + 1) / span_a) / ((n_b + 1) / span_b)
    version_share = None
    if version is not None and e_a > 0 and "version" in after.columns:
        errs = after.filter(pl.col("is_error") & pl.col("version").is_not_null())
        if errs.height:
            version_share = _num((errs["version"] == version).mean())
    return _Shift(
        n_before=n_b,
        n_after=n_a,
        err_before=e_b / n_b if n_b else 0.0,
        err_after=e_a / n_a if n_a else 0.0,
        err_z=float(err_z),
        new_templates=new_templates,
        param_z=param_z,
        param_text=param_text,
        rate_ratio=float(rate_ratio),
        version_share=version_share,
        err_own_z=float(err_own_z),
        victim_share=n_victim / e_a if e_a else 0.0,
        param_names=bool(param_tpl and _names(param_tpl, services, exclude=service)),
        param_ratio=param_ratio,
        param_key=param_key,
        param_count=param_key is not None and _is_count(param_tpl, param_key[1]),
        after_minutes=span_a / 60.0,
        relay_share=(
            int(after.filter(pl.col("is_error") & pl.col("relayed")).height) / e_a if e_a and "relayed" in after.columns else 0.0
        ),
    )


def _shift_evidence(sh: _Shift, *, service: str, after_label: str, errors_are_own: bool = False) -> list[Evidence]:
    """Evidence of a before/after comparison. ``errors_are_own``: the service is the only one
    in the incident, so the errors that look like a dependency's (5xx answers of a proxy)
    have no failing dependency in view and are its own."""
    ev: list[Evidence] = []
    own = sh.own_new
    if own:
        n_err = sum(t[2] for t in own)
        first = min(t[3] for t in own)
        tpl, tpl_first = own[0][0], own[0][3]
        # (the example's own first time when it came later: a start-up line first, the
        # failures minutes or an hour after it)
        since = f" (from {tpl_first:%H:%M:%S})" if (tpl_first - first).total_seconds() >= 60 else ""
        ev.append(
            Evidence(
                kind="new_template",
                text=(
                    f"{len(own)} template(s) new in {service} {after_label} "
                    f"({sum(t[1] for t in own)} events, {n_err} errors), first at "
                    f"{first:%H:%M:%S}, e.g. '{tpl[:160]}'{since}"
                ),
                weight=round(_squash(n_err, 3.0) * 0.9 + _squash(sum(t[1] for t in own) - n_err, 20.0) * 0.35, 3),
            )
        )
    # (an error or a warning that names another service: "connected to redis" at start-up
    # names one too, and is no failure of anything)
    victim = [t for t in sh.new_templates if t[4] and t[2] + t[5] > 0]
    if victim:
        ev.append(
            Evidence(
                kind="dependency",
                text=(
                    f"{len(victim)} new template(s) in {service} name another service "
                    f"(a dependency failing, not {service} itself), e.g. '{victim[0][0][:120]}'"
                ),
                weight=0.0,
            )
        )
    if sh.err_z > 3.0:
        # errors that name another service (or are 5xx answers) are a failing dependency's,
        # not evidence against this service's own change: weigh only the service's own errors
        own_z = sh.err_own_z if sh.victim_share >= 0.5 and not errors_are_own else sh.err_z
        note = f"; {sh.victim_share:.0%} of them name another service" if sh.victim_share >= 0.5 else ""
        if note and errors_are_own:
            note += f", but no other service is in the incident: they are {service}'s own"
        ev.append(
            Evidence(
                kind="error_ratio",
                text=(
                    f"error share in {service} {sh.err_before:.1%} before -> {sh.err_after:.1%} "
                    f"{after_label} (z={sh.err_z:.1f}{note})"
                ),
                weight=round(_squash(own_z - 3.0, 4.0), 3) if own_z > 3.0 else 0.0,
            )
        )
    if sh.param_z > 3.0:
        ev.append(
            Evidence(
                kind="parameter_shift",
                # a number that never varied before has no spread: its z is a large stand-in
                text=f"{service} {after_label}: {sh.param_text} "
                + ("(it never varied before)" if sh.param_z >= 1e5 else f"(robust z={sh.param_z:.1f})"),
                weight=round(_param_weight(sh.param_z, sh.param_ratio), 3),
            )
        )
    if sh.n_before + sh.n_after > 30 and (sh.rate_ratio > 3 or sh.rate_ratio < 1 / 3):
        ev.append(
            Evidence(
                kind="volume",
                text=f"{service} log volume x{sh.rate_ratio:.2f} {after_label}",
                weight=round(0.4 * _squash(abs(math.log(sh.rate_ratio)) - math.log(3), 1.0), 3),
            )
        )
    if sh.version_share is not None and sh.version_share >= 0.5:
        ev.append(
            Evidence(
                kind="version",
                text=f"{sh.version_share:.0%} of {service}'s errors {after_label} carry the new version",
                weight=round(0.5 * sh.version_share, 3),
            )
        )
    return ev
