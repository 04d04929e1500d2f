"""Correlate anomaly windows with change events: incidents, root service, suspects, cause.

Stage: after :func:`rcakit.detect_anomalies`, before the report.

In
    ``records``: templated log records (schema :data:`rcakit.schemas.TEMPLATED_RECORDS`),
    ``detection``: a :class:`rcakit.detect.DetectionResult`,
    ``changes``: change events (schema :data:`rcakit.schemas.CHANGES`).
Out
    :class:`Correlation`: incidents (with root service, ranked suspects and the decided
    ``cause``) and an impact rating for every change event in the analysed period.

How it decides (the same rules are explained to users in ``docs/report.md``):

1. **Incidents.** Anomaly windows closer than ``merge_gap`` are one incident.
2. **Root service.** Every service with anomalous templates is a candidate. Evidence for
   *root*: its anomaly starts first; other candidates' anomalous messages name it; in traces
   that cross services it is the first to log an error; it has anomalies of its own (new
   templates, parameter shifts) that do not name another service. Evidence for *victim*: its
   anomalous messages name another service ("payment call failed"), it errs after another
   service in shared traces. Error counts alone never decide (retries inflate callers).
3. **Suspects.** A change must land before the onset (one window of tolerance for the
   window grid). Each one is scored from general evidence: same service as the root (or a
   dependency the root names), templates first seen in its service after it, parameter
   shifts and error-ratio shifts in its service comparing the periods before and after it,
   the version in the records, and time proximity (a weak factor, because slow burns
   surface long after their deploy). A change after which the service was already
   deviating (the problem started earlier) is marked down.
4. **Cause.** The best suspect, when it is in the root service (or a dependency the root
   names) *and* its service changed behaviour after it; otherwise ``None``: "no change
   explains this" (a dependency outage, traffic, a cron job).
5. **Every change** in the period gets an ``impact_score`` in 0-1 from the same
   before/after comparison, whether or not it is near an incident.

The per-change comparisons are polars filters and aggregations over the records of one
service; there is no per-line Python loop.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, cast

import polars as pl

from rcakit.detect._results import AnomalyWindow, Contribution, DetectionResult
from rcakit.errors import ConfigError
from rcakit.schemas import CHANGES, check_schema

__all__ = [
    "AnomalyFinding",
    "ChangeImpact",
    "ChangeRef",
    "Correlation",
    "Evidence",
    "Impact",
    "Incident",
    "ServiceRole",
    "Suspect",
    "correlate_changes",
    "dependency_graph",
    "match_service",
    "parse_duration",
    "url_services",
]

EvidenceKind = Literal[
    "timing",
    "service",
    "new_template",
    "parameter_shift",
    "error_ratio",
    "volume",
    "version",
    "pre_existing",
    "dependency",
    "trace",
    "onset",
    "own_anomaly",
    "no_change",
]

ERROR_SEVERITY = 17  # OpenTelemetry SeverityNumber of ERROR


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """One reason for (positive ``weight``) or against (negative) a conclusion."""

    kind: EvidenceKind
    text: str
    weight: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeRef:
    """A change event as the report shows it."""

    id: str
    time: datetime
    service: str | None
    version: str | None
    kind: str
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Suspect:
    """A change that may have caused an incident, with its score (0-1) and the evidence."""

    change: ChangeRef
    score: float
    lag_seconds: float  # onset - change time
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AnomalyFinding:
    """An anomalous template/service inside an incident (from detection, with counts)."""

    kind: str
    service: str | None
    template_id: str | None
    template: str | None
    score: float
    baseline_rate: float
    observed_rate: float
    first_seen: datetime | None
    onset: datetime
    examples: tuple[str, ...]
    detail: str
    n_before: int  # events of this template/service in the same span before the incident
    n_during: int  # events inside the incident
    names_services: tuple[str, ...] = ()  # other services its text names (a dependency)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceRole:
    """How a service takes part in an incident: ``root``, ``victim`` or ``affected``."""

    service: str
    role: Literal["root", "victim", "affected"]
    onset: datetime | None
    score: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Impact:
    """Business impact in the incident span."""

    n_requests: int  # access-log requests (or records, when there is no access log)
    n_failed: int  # status >= 500, or error records
    failed_share: float
    unit: Literal["requests", "records"]
    endpoints: tuple[tuple[str, int], ...]  # (endpoint or service, failures), most first
    n_errors: int  # error records (severity >= ERROR) in the span
    duration_seconds: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Incident:
    """A group of anomaly windows judged to be one problem."""

    id: str
    start: datetime
    end: datetime
    severity: float
    severity_label: str
    services: tuple[str, ...]
    root_service: str | None
    roles: tuple[ServiceRole, ...]
    anomalies: tuple[AnomalyFinding, ...]
    suspects: tuple[Suspect, ...]
    cause: str | None
    cause_reason: str
    impact: Impact
    summary: str
    detection_score: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeImpact:
    """Rating of one change event in the analysed period (incident or not)."""

    change: ChangeRef
    impact_score: float
    incident_id: str | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Correlation:
    """What :func:`correlate_changes` returns."""

    incidents: tuple[Incident, ...]  # most severe first
    changes: tuple[ChangeImpact, ...]  # by time
    period_start: datetime | None
    period_end: datetime | None
    services: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- helpers

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(us|ms|s|m|h|d|w)")
_UNIT_S = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


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


_GENERIC_SUFFIXES = ("-service", "-svc", "-api", "-app", "-server", "-nginx", "-proxy", "-gateway", "_service", "_svc", "_api")


def _service_aliases(name: str) -> tuple[str, ...]:
    """The name and, when it carries a generic suffix (``-service``, ``-api``...), its stem."""
    low = name.lower()
    stems = [name[: -len(suf)] for suf in _GENERIC_SUFFIXES if low.endswith(suf) and len(name) - len(suf) >= 3]
    return (name, *stems)


@functools.lru_cache(maxsize=4096)
def _service_pattern(name: str) -> re.Pattern[str]:
    """A service name as a word, not as an entity or a field.

    "payment call failed" and "dependency payment-svc unavailable" name a service; "for order
    <ID>", "order=ord_8f3a", "order_id", "order #12" use the same word for a business entity,
    and "com.shop.web.Handler" is a package name.
    """
    parts = [re.escape(p) for p in re.split(r"[-_.\s]+", name) if p]
    sep = r"[-_.\s]?"
    not_entity = r"(?!\s*[=:#<]|_?ids?\b|\s+[A-Za-z]{0,6}[_-]?[0-9a-fA-F]{5,}|\s+\d)"
    # "com.shop.web.Controller" (a package in a stack trace) is not the service "web"
    return re.compile(
        r"(?<![A-Za-z0-9.])" + sep.join(parts) + r"(?![A-Za-z0-9])" + not_entity, re.IGNORECASE
    )


def _names(text: str, services: Sequence[str], *, exclude: str | None) -> tuple[str, ...]:
    """Services whose name (or stem) appears in ``text``; longer names win overlaps."""
    spans: list[tuple[int, str]] = []
    for s in services:
        if s and len(s) >= 2:
            spans.extend((len(a), s) for a in _service_aliases(s))
    found: list[str] = []
    masked = text
    excluded = set(_service_aliases(exclude)) if exclude else set()
    for _n, s in sorted(spans, key=lambda t: -t[0]):
        for alias in _service_aliases(s):
            pat = _service_pattern(alias)
            if pat.search(masked):
                if s != exclude and alias not in excluded and s not in found:
                    found.append(s)
                masked = pat.sub(" ", masked)
    return tuple(sorted(found))


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


def prepare_records(records: pl.DataFrame) -> pl.DataFrame:
    """Add the columns correlation needs: ``is_error``, ``status``, ``version``, ``endpoint``.

    ``is_error`` is severity >= ERROR or an HTTP status >= 500 in ``attributes``.
    """
    cols = records.collect_schema()
    exprs: list[pl.Expr] = []
    attrs = pl.col("attributes") if "attributes" in cols else pl.lit(None, pl.String)

    def attr(key: str) -> pl.Expr:
        # a regex on the flat JSON object is ~8x faster than json_path_match per key
        return attrs.str.extract(r'"' + key + r'"\s*:\s*"?([^",}]*)', 1)

    status = attr("status").str.extract(r"^(\d{3})", 1).cast(pl.Int32, strict=False)
    exprs.append(status.alias("status"))
    version = pl.coalesce(attr("version"), attr("service_version"), attr("app_version"))
    exprs.append(version.alias("version"))
    path = attr("path").str.replace(r"\?.*$", "")
    method = attr("method")
    exprs.append(
        pl.when(path.is_not_null())
        .then(pl.concat_str([method.fill_null(""), path], separator=" ").str.strip_chars())
        .otherwise(None)
        .alias("endpoint")
    )
    trace = pl.col("trace_id") if "trace_id" in cols else pl.lit(None, pl.String)
    exprs.append(
        pl.coalesce(
            trace.replace("", None),
            pl.col("body").str.extract(r"(?i)trace[_.\-]?id[\]\[\s\"'=:]*([0-9a-f]{16,32})\b", 1),
        ).alias("trace_id")
    )
    out = records.with_columns(exprs)
    sev = pl.col("severity_number").cast(pl.Int32).fill_null(0)
    # records without a level (raw lines) count as errors when their text says so
    unlevelled_error = pl.col("severity_number").is_null() & pl.col("body").str.contains(
        r"(?i)\b(?:error|exception|fail(?:ed|ure)?|fatal|panic|timed? ?out|refused|unavailable)\b"
    ).fill_null(False)
    out = out.with_columns(
        is_error=(sev >= ERROR_SEVERITY) | (pl.col("status").fill_null(0) >= 500) | unlevelled_error,
        service=pl.col("service").fill_null("(unknown)"),
    )
    if "template_id" not in cols:
        out = out.with_columns(template_id=pl.col("body").hash().cast(pl.String), template=pl.col("body"))
    if "params" not in cols:
        out = out.with_columns(params=pl.lit([], pl.List(pl.String)))
    # numeric variables once for all records ("87ms" -> 0.087 s, "512MB" -> 512, "ab12" -> null)
    elem = pl.element().str.strip_chars()
    out = out.with_columns(
        num_params=pl.col("params").list.eval(
            elem.str.extract(_NUMERIC_PARAM, 1).cast(pl.Float64, strict=False)
            * elem.str.extract(_NUMERIC_PARAM, 2).str.to_lowercase()
            .replace_strict(_UNIT_FACTOR, default=1.0, return_dtype=pl.Float64)
        )
    )
    return out.filter(pl.col("timestamp").is_not_null()).sort("timestamp")


# --------------------------------------------------------------------------- before/after


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
    param_key: tuple[str, int] | None = None  # (template_id, position) of that variable
    after_minutes: float = 0.0  # length of the "after" period

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
        ratio = self.rate_ratio
        s_vol = 0.0
        if ratio > 0 and (ratio > 3 or ratio < 1 / 3) and self.n_before + self.n_after > 30:
            s_vol = 0.4 * _squash(abs(math.log(ratio)) - math.log(3), 1.0)
        return min(1.0, max(s_new, s_err, s_par, s_vol) + 0.15 * sorted([s_new, s_err, s_par, s_vol])[-2])


# a whole parameter that is a number with an optional short unit ("120", "0.5", "87ms", "2.1s",
# "512MB", "93%"); hex ids, versions and mixed tokens are not numeric variables
_NUMERIC_PARAM = r"^([-+]?\d+(?:\.\d+)?)\s*([A-Za-zµ%]{0,3})$"
_UNIT_FACTOR = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}


def _param_shift(
    before: pl.DataFrame, after: pl.DataFrame
) -> tuple[float, str, str, float, tuple[str, int] | None]:
    """Largest robust shift of a numeric template variable between two periods."""

    def numeric(frame: pl.DataFrame) -> pl.DataFrame:
        if frame.height == 0:
            return pl.DataFrame(
                schema={"timestamp": pl.Datetime("us", "UTC"), "template_id": pl.String, "template": pl.String, "pos": pl.Int64, "value": pl.Float64}
            )
        return (
            frame.select("timestamp", "template_id", "template", "num_params")
            .filter(pl.col("num_params").list.len() > 0)
            .with_columns(pos=pl.int_ranges(pl.col("num_params").list.len()))
            .explode("num_params", "pos")
            .rename({"num_params": "value"})
            .filter(pl.col("value").is_not_null() & pl.col("value").is_finite())
            .select("timestamp", "template_id", "template", pl.col("pos").cast(pl.Int64), "value")
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
        # ids and counters grow with time: a rank correlation near 1 marks them
        trend_b=pl.corr(pl.col("value"), pl.col("timestamp").cast(pl.Int64), method="spearman"),
    )
    as_ = a.group_by("template_id", "pos").agg(
        n_a=pl.len(),
        med_a=pl.col("value").median(),
        q90_a=pl.col("value").quantile(0.9),
        q25_a=pl.col("value").quantile(0.25),
        q75_a=pl.col("value").quantile(0.75),
        template=pl.col("template").first(),
    )
    j = (
        bs.join(as_, on=["template_id", "pos"], how="inner")
        .filter(
            (pl.col("n_b") >= 8)
            & (pl.col("n_a") >= 5)
            & (pl.col("nuniq_b") >= 2)
            & (pl.col("trend_b").abs().fill_nan(0.0).fill_null(0.0) < 0.8)
            # the bulk must move, not just the median of a noisy or mostly-zero variable
            & ((pl.col("q25_a") > pl.col("q75_b")) | (pl.col("q75_a") < pl.col("q25_b")))
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
        .sort("z", descending=True)
    )
    if j.height == 0:
        return 0.0, "", "", 1.0, None
    top = j.row(0, named=True)
    text = (
        f"variable #{top['pos'] + 1} of '{top['template']}': median {top['med_b']:.4g} -> "
        f"{top['med_a']:.4g} (p90 {top['q90_b']:.4g} -> {top['q90_a']:.4g})"
    )
    ratio = float(top["med_a"]) / float(top["med_b"]) if top["med_b"] else 1.0
    key = (str(top["template_id"]), int(top["pos"]))
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
) -> _Shift:
    """Compare a service's records in ``[at - before_span, at)`` with ``[at, after_end)``.

    New templates are those never seen in the service before ``at`` (whole history).
    ``ref_end`` (default ``at``) ends the "before" period early, to compare a span
    with the history before an earlier point.
    """
    ref_end = ref_end or at
    hist = svc.filter(pl.col("timestamp") < ref_end)
    before = hist.filter(pl.col("timestamp") >= ref_end - before_span)
    after = svc.filter((pl.col("timestamp") >= at) & (pl.col("timestamp") < after_end))
    n_b, n_a = before.height, after.height
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
        .sort("n_err", "n", descending=True)
    )
    new_templates = tuple(
        (
            r["template"] or "",
            int(r["n"]),
            int(r["n_err"]),
            r["first"],
            bool(_names(f"{r['template']} {r['body']}", services, exclude=service)),
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
        int(r["n"]) for r in err_tpl.iter_rows(named=True) if _names(r["text"] or "", services, exclude=service)
    )
    # a 5xx in an access log reports a failed request; whose failure it is, the log cannot say
    n_reported = int(after.filter(pl.col("is_error") & (pl.col("status").fill_null(0) >= 500)).height) if n_a else 0
    n_victim = min(e_a, n_victim + n_reported)
    e_own = e_a - n_victim
    err_own_z = (e_own - expected) / math.sqrt(expected + 1.0) if n_a else 0.0
    span_b = max((ref_end - max(ref_end - before_span, tmin(hist["timestamp"]) or ref_end)).total_seconds(), 1.0)
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
        after_minutes=span_a / 60.0,
    )


def _shift_evidence(sh: _Shift, *, service: str, after_label: str) -> list[Evidence]:
    ev: list[Evidence] = []
    own = sh.own_new
    if own:
        n_err = sum(t[2] for t in own)
        first = min(t[3] for t in own)
        tpl = own[0][0]
        ev.append(
            Evidence(
                kind="new_template",
                text=(
                    f"{len(own)} template(s) new in {service} {after_label} "
                    f"({sum(t[1] for t in own)} events, {n_err} errors), first at "
                    f"{first:%H:%M:%S}, e.g. '{tpl[:160]}'"
                ),
                weight=round(_squash(n_err, 3.0) * 0.9 + _squash(sum(t[1] for t in own) - n_err, 20.0) * 0.35, 3),
            )
        )
    victim = [t for t in sh.new_templates if t[4]]
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
        own_z = sh.err_own_z if sh.victim_share >= 0.5 else sh.err_z
        note = f"; {sh.victim_share:.0%} of them name another service" if sh.victim_share >= 0.5 else ""
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
                text=f"{service} {after_label}: {sh.param_text} (robust z={sh.param_z:.1f})",
                weight=round(_squash(sh.param_z - 3.0, 4.0), 3),
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


# --------------------------------------------------------------------------- incidents


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


WARN_SEVERITY = 13  # OpenTelemetry SeverityNumber of WARN


def _template_badness(recs: pl.DataFrame, tids: Sequence[str]) -> dict[tuple[str, str], float]:
    """Share of WARN+/failed records per (service, template_id)."""
    if not tids:
        return {}
    bad = (
        recs.filter(pl.col("template_id").is_in(list(tids)))
        .group_by("service", "template_id")
        .agg(
            bad=(
                pl.col("is_error") | (pl.col("severity_number").cast(pl.Int32).fill_null(0) >= WARN_SEVERITY)
            ).mean()
        )
    )
    return {(sv, t): float(b or 0.0) for sv, t, b in bad.iter_rows()}


def _material_shift(c: Contribution) -> bool:
    """Whether a shifted number moved its bulk (median x1.25 either way) or its tail a lot.

    Small integers wobble: "took 2ms -> 2ms, p95 3 -> 4" is one more slow request in a
    window, not a slow-down. Without the detector's figures the shift counts.
    """
    x = c.extra or {}
    obs, exp = x.get("peak_observed"), x.get("peak_expected")
    if not isinstance(obs, int | float) or not isinstance(exp, int | float) or exp <= 0 or obs <= 0:
        return True
    if not 0.8 < obs / exp < 1.25:
        return True
    bq, wq, frac = x.get("base_q95"), x.get("window_q95"), x.get("fraction_beyond")
    if isinstance(bq, int | float) and isinstance(wq, int | float) and bq > 0 and wq > 0:
        tail = max(wq / bq, bq / wq)
        return tail >= 2.0 and (not isinstance(frac, int | float) or frac >= 0.2)
    return False


def _is_trouble(c: Contribution, badness: dict[tuple[str, str], float]) -> bool:
    """Whether a contribution is a symptom on its own (not just traffic moving around).

    More or fewer *successful* requests, a new INFO line after a deploy, a message that
    stops: those are context, not an incident. Errors and warnings, error ratios, and
    shifted numbers (latency, sizes) are symptoms.
    """
    if c.kind == "parameter":
        return _material_shift(c)
    if c.kind == "error_ratio":
        return True
    bad = badness.get((c.service or "", c.template_id or ""), 0.0)
    if c.kind in {"new", "rate_spike"}:
        return bad >= 0.5
    if c.kind == "rate_drop":
        # a service that (nearly) stops logging its regular messages
        return c.baseline_rate >= 5 and c.observed_rate <= 0.2 * c.baseline_rate
    return False


def _material_windows(
    windows: Sequence[AnomalyWindow], recs: pl.DataFrame, *, min_events: int
) -> list[AnomalyWindow]:
    """Keep the windows that show trouble, without their one-line template anomalies.

    A template anomaly needs ``min_events`` records inside its window; a window needs at
    least one contribution that is a symptom (see :func:`_is_trouble`); its start moves
    to the first symptom.
    """
    tids = sorted({c.template_id for w in windows for c in w.contributions if c.template_id})
    badness = _template_badness(recs, tids)
    sub = recs.filter(pl.col("template_id").is_in(tids)).select("timestamp", "service", "template_id")
    out = []
    for w in windows:
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
            if c.template_id is None
            or c.kind in {"gone", "rate_drop"}
            or counts.get(f"{c.service}\x1f{c.template_id}", 0) >= min_events
        )
        trouble = [c for c in keep if _is_trouble(c, badness)]
        if not trouble:
            continue
        services = tuple(dict.fromkeys(c.service for c in keep if c.service))
        out.append(
            AnomalyWindow(
                start=max(w.start, min(c.onset for c in trouble)),
                end=w.end,
                score=max(c.score for c in keep),
                services=services or w.services,
                contributions=keep,
            )
        )
    return out


def _trace_origins(span: pl.DataFrame, known: Sequence[str] = ()) -> dict[str, float]:
    """Share of cross-service error traces in which each service logged the first error.

    Timestamps tie often (caller and callee log in the same millisecond); a tie goes to
    the record whose text does not name another service (the callee's own error).
    """
    if "trace_id" not in span.columns:
        return {}
    errs = span.filter(pl.col("is_error") & pl.col("trace_id").is_not_null() & (pl.col("trace_id") != ""))
    if errs.height == 0:
        return {}
    pairs = errs.select("service", "template").unique()
    naming = pl.DataFrame(
        {
            "service": pairs["service"],
            "template": pairs["template"],
            "names_other": [bool(_names(t or "", known, exclude=sv)) for sv, t in pairs.iter_rows()],
        },
        schema={"service": pl.String, "template": pl.String, "names_other": pl.Boolean},
    )
    errs = errs.join(naming, on=["service", "template"], how="left", nulls_equal=True)
    per = (
        errs.group_by("trace_id")
        .agg(
            n_services=pl.col("service").n_unique(),
            first_service=pl.col("service").sort_by(["timestamp", "names_other"]).first(),
        )
        .filter(pl.col("n_services") >= 2)
    )
    if per.height == 0:
        return {}
    counts = per.group_by("first_service").len()
    total = per.height
    return {r["first_service"]: r["len"] / total for r in counts.iter_rows(named=True)}


def _impact(span: pl.DataFrame, services: Sequence[str], start: datetime, end: datetime) -> Impact:
    access = span.filter(pl.col("status").is_not_null())
    if access.height:
        n_req = access.height
        failed = access.filter(pl.col("status") >= 500)
        ep = (
            failed.with_columns(ep=pl.coalesce(pl.col("endpoint"), pl.col("service")))
            .group_by("ep")
            .len()
            .sort("len", "ep", descending=[True, False])
            .head(8)
        )
        endpoints = tuple((str(r["ep"]), int(r["len"])) for r in ep.iter_rows(named=True))
        n_fail, unit = failed.height, "requests"
    else:
        scope = span.filter(pl.col("service").is_in(list(services))) if services else span
        n_req = scope.height
        failed = scope.filter(pl.col("is_error"))
        ep = failed.group_by("service").len().sort("len", "service", descending=[True, False]).head(8)
        endpoints = tuple((str(r["service"]), int(r["len"])) for r in ep.iter_rows(named=True))
        n_fail, unit = failed.height, "records"
    return Impact(
        n_requests=int(n_req),
        n_failed=int(n_fail),
        failed_share=float(n_fail / n_req) if n_req else 0.0,
        unit=unit,  # type: ignore[arg-type]
        endpoints=endpoints,
        n_errors=int(span["is_error"].sum()) if span.height else 0,
        duration_seconds=(end - start).total_seconds(),
    )


def _severity(impact: Impact, n_services: int, detection_score: float) -> tuple[float, str]:
    s = (
        0.35 * min(1.0, impact.failed_share * 4)
        + 0.25 * _squash(impact.n_errors, 200.0)
        + 0.2 * min(1.0, impact.duration_seconds / 1800)
        + 0.1 * min(1.0, n_services / 3)
        + 0.1 * _squash(detection_score, 10.0)
    )
    s = round(min(1.0, s), 3)
    label = "critical" if s >= 0.7 else "high" if s >= 0.45 else "medium" if s >= 0.2 else "low"
    return s, label


def match_service(name: str | None, services: Sequence[str]) -> str | None:
    """The logging service a change names: exact, case-insensitive, or same stem.

    ``payment-service``, ``Payment`` and ``payment_svc`` all match a log service ``payment``;
    a name that matches none (or several) is returned unchanged.
    """
    if name is None or name in services:
        return name
    low = {s.lower(): s for s in services}
    if name.lower() in low:
        return low[name.lower()]

    def stems(x: str) -> set[str]:
        return {re.sub(r"[-_.\s]+", "-", a.lower()) for a in _service_aliases(x)}

    mine = stems(name)
    hits = [s for s in services if stems(s) & mine]
    return hits[0] if len(hits) == 1 else name


def _change_ref(row: dict[str, Any]) -> ChangeRef:
    return ChangeRef(
        id=row["id"],
        time=row["time"],
        service=row.get("service_raw", row["service"]),
        version=row["version"],
        kind=row["kind"] or "deploy",
        description=row["description"],
    )


@dataclass
class _ServiceView:
    service: str
    onset: datetime | None = None
    score: float = 0.0
    names: set[str] = field(default_factory=set)
    failure_names: set[str] = field(default_factory=set)  # named in errors, not in timings
    n_contrib: int = 0
    n_naming: int = 0
    own: int = 0
    contrib_score: float = 0.0


# a URL to an in-cluster service: "http://ts-price-service:16579/api/...", "http://payment.shop.svc.cluster.local/"
_URL_HOST = r"(?i)\bhttps?://([a-z][a-z0-9-]*[a-z0-9])((?:\.[a-z0-9-]+)*)(?::\d+)?(?:[/\s\"']|$)"


def url_services(records: pl.DataFrame, *, min_count: int = 5) -> list[str]:
    """Services named as the host of in-cluster URLs in the messages (``http://ts-price-service:16579/``).

    A dependency that writes no logs of its own (or whose logs are not in the export) is
    still named by its callers' request URLs. Only cluster-local hosts count: a bare name,
    or ``<name>.<namespace>[.svc[.cluster.local]]``; ``localhost``, IP addresses and
    public domains (``shop.example.com``) are not services.
    """
    if records.height == 0:
        return []
    hosts = (
        records.select(url=pl.col("body").str.extract_all(_URL_HOST))
        .explode("url")
        .drop_nulls("url")
        .select(
            host=pl.col("url").str.extract(_URL_HOST, 1).str.to_lowercase(),
            rest=pl.col("url").str.extract(_URL_HOST, 2).str.to_lowercase().fill_null(""),
        )
        .filter(
            (pl.col("rest") == "")
            | pl.col("rest").str.contains(r"^\.[a-z0-9-]+(?:\.svc(?:\.cluster\.local)?)?$")
            & ~pl.col("rest").str.contains(r"^\.(?:com|org|net|io|dev|app|de|uk|fr|local|internal|example)$")
        )
        .filter(pl.col("host") != "localhost")
        .group_by("host")
        .len()
        .filter(pl.col("len") >= min_count)
    )
    return sorted(hosts["host"].to_list())


def dependency_graph(records: pl.DataFrame, services: Sequence[str], *, min_count: int = 3) -> dict[str, set[str]]:
    """Who calls whom, from the logs: ``graph[a]`` holds the services that ``a``'s messages name.

    A caller logs the names of what it calls ("payment call took 80ms", "GET
    /api/inventory/..."); one pass over the distinct (service, template) pairs.
    """
    if records.height == 0:
        return {}
    pairs = (
        records.group_by("service", "template_id")
        .agg(n=pl.len(), text=pl.col("template").first())
        .filter(pl.col("n") >= min_count)
    )
    graph: dict[str, set[str]] = {}
    for svc, text in pairs.select("service", "text").iter_rows():
        if not svc or not text:
            continue
        named = _names(text, services, exclude=svc)
        if named:
            graph.setdefault(svc, set()).update(named)
    return graph


def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        n = todo.pop()
        if n in seen or n == start:
            continue
        seen.add(n)
        todo.extend(graph.get(n, ()))
    return seen


def _silence(
    frame: pl.DataFrame, start: datetime | None, end: datetime | None, window: timedelta
) -> tuple[datetime, float, float] | None:
    """A pause in a service's logs around an incident, much longer than its usual pauses.

    Returns (pause start, pause seconds, longest pause in the 30 minutes before) when the
    service logged nothing for at least one window and three times its longest usual pause
    (a killed pod, a hung process), the pause ending inside the incident; else ``None``.
    """
    if start is None or end is None:
        return None
    lo = start - timedelta(minutes=30) - 5 * window
    gaps = (
        frame.filter((pl.col("timestamp") >= lo) & (pl.col("timestamp") <= end))
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
    ).sort("gap", descending=True)
    if cand.height == 0:
        return None
    top = cand.row(0, named=True)
    return top["prev"], float(top["gap"]), longest


def _root_service(
    contribs: Sequence[Contribution],
    span: pl.DataFrame,
    known: Sequence[str],
    window: timedelta,
    *,
    scan: dict[str, _Shift] | None = None,
    graph: dict[str, set[str]] | None = None,
    frames: dict[str, pl.DataFrame] | None = None,
) -> tuple[str | None, list[ServiceRole], dict[str, tuple[str, ...]]]:
    """Score every anomalous service as root or victim; return the root and the roles.

    ``scan`` holds, per service, the before/after comparison at the incident onset (it can
    add services that detection did not flag); ``graph`` is :func:`dependency_graph`.
    """
    scan = scan or {}
    graph = graph or {}
    views: dict[str, _ServiceView] = {}
    names_of: dict[str, tuple[str, ...]] = {}
    for c in contribs:
        if not c.service:
            continue
        v = views.setdefault(c.service, _ServiceView(service=c.service))
        v.onset = c.onset if v.onset is None else min(v.onset, c.onset)
        text = " ".join([c.template or "", *c.examples[:3]])
        named = _names(text, known, exclude=c.service)
        names_of[f"{c.kind}|{c.service}|{c.template_id}"] = named
        v.n_contrib += 1
        v.contrib_score = max(v.contrib_score, c.score)
        if named and c.kind not in {"gone", "rate_drop"}:
            v.names.update(named)
            v.n_naming += 1
            if c.kind != "parameter":
                v.failure_names.update(named)
        elif c.kind in {"new", "parameter", "error_ratio", "rate_spike", "multivariate"}:
            # (a rate drop or a template going away also happens to callers of a failing
            # service and to services behind it, so it says nothing about the root)
            v.own += 1
    for svc, shift in scan.items():
        if svc not in views and shift.own_strength() >= 0.5:
            views[svc] = _ServiceView(service=svc)
    if not views:
        return None, [], names_of
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
            if n in views:
                continue
            gap = _silence(frames[n], span_start, span_end, window) if n in active and n in frames else None
            quiet = n in scan and scan[n].rate_ratio < 1 / 3
            if n in active and not quiet and gap is None:
                continue
            blamers = [x for x in views.values() if n in x.failure_names]
            onset = min((x.onset for x in blamers if x.onset is not None), default=None)
            views[n] = _ServiceView(service=n, onset=onset)
            if gap is not None:
                what = f"logs nothing for {_fmt_dt(gap[1])} from {gap[0]:%H:%M:%S} (its longest usual pause is {_fmt_dt(gap[2])})"
            elif n in active:
                what = f"logs x{scan[n].rate_ratio:.2f} of its usual volume"
            else:
                what = "logs nothing"
            extra_ev[n] = [Evidence(kind="own_anomaly", text=f"{n} {what} during the incident while its callers' failures name it", weight=0.3)]
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
            onset = min((views[x].onset for x in bottoms if views[x].onset is not None), default=None)
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
    candidates = sorted(views)
    origins = _trace_origins(span, known)
    onsets = [v.onset for v in views.values() if v.onset is not None]
    first = min(onsets) if onsets else None
    roles_ev: dict[str, list[Evidence]] = {s: [] for s in candidates}
    own_strength = {s: (scan[s].own_strength() if s in scan else 0.0) for s in candidates}
    # a slow-down propagates to callers diluted by their own time: the root has the largest
    # relative shift of its own numbers
    shifted = {
        s: abs(math.log(scan[s].param_ratio))
        for s in candidates
        if s in scan and scan[s].param_z > 3 and not scan[s].param_names and scan[s].param_ratio > 0
    }
    top_shift = max(shifted, key=lambda k: shifted[k]) if len(shifted) >= 2 else None
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
            ev.append(Evidence(kind="dependency", text=f"{v.n_naming} of {v.n_contrib} anomalies of {s} name {targets} (failures of a dependency)", weight=round(-1.5 * share, 3)))
        if v.own:
            ev.append(Evidence(kind="own_anomaly", text=f"{v.own} anomalies of {s} do not name another service", weight=round(0.5 * v.own / max(1, v.n_contrib), 3)))
        sh = scan.get(s)
        if sh is not None:
            o = own_strength[s]
            if o >= 0.3:
                what = []
                if sh.own_new:
                    what.append(f"{len(sh.own_new)} new template(s)")
                if sh.err_own_z > 3:
                    what.append(f"error share {sh.err_before:.1%} -> {sh.err_after:.1%}")
                if sh.param_z > 3 and not sh.param_names:
                    what.append(sh.param_text)
                ev.append(Evidence(kind="own_anomaly", text=f"{s}'s own logs change at the onset: {'; '.join(what)}", weight=round(0.8 * o, 3)))
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
            if sh.victim_share >= 0.5 and sh.n_after:
                ev.append(Evidence(kind="dependency", text=f"{sh.victim_share:.0%} of {s}'s errors at the onset name another service or are 5xx answers in an access log", weight=round(-0.8 * sh.victim_share, 3)))
        # call graph: a service that calls another anomalous service is downstream of it
        callees = sorted(
            t for t in _reach(graph, s)
            if t in views and t != s and (own_strength.get(t, 0.0) + views[t].own > 0 or t in extra_ev)
        )
        if callees:
            ev.append(Evidence(kind="dependency", text=f"{s} calls {', '.join(callees)}, also anomalous (its logs name them)", weight=-0.8))
        callers = sorted(t for t in views if t != s and s in _reach(graph, t))
        if callers and not callees:
            ev.append(Evidence(kind="dependency", text=f"called by anomalous {', '.join(callers)} and calls no anomalous service", weight=0.6))
        if s in origins:
            ev.append(Evidence(kind="trace", text=f"first to log an error in {origins[s]:.0%} of cross-service error traces", weight=round(1.5 * origins[s], 3)))
        elif origins:
            ev.append(Evidence(kind="trace", text=f"never first to err in {len(origins)} services' shared error traces", weight=-0.5))
        v.score = sum(e.weight for e in ev) + 0.01 * math.log1p(v.contrib_score)
    ranked = sorted(views.values(), key=lambda v: (-v.score, v.onset or datetime.max.replace(tzinfo=first.tzinfo if first else None), v.service))
    root = ranked[0].service
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
    return root, roles, names_of


# --------------------------------------------------------------------------- main entry


def correlate_changes(
    records: pl.DataFrame,
    detection: DetectionResult,
    *,
    changes: pl.DataFrame | None = None,
    merge_gap: str = "10m",
    max_lag: str = "6h",
    compare_span: str = "30m",
    cause_threshold: float = 0.45,
    min_events: int = 5,
) -> Correlation:
    """Group anomaly windows into incidents and relate them to change events.

    Parameters
    ----------
    records
        Templated records (``TEMPLATED_RECORDS``: ``timestamp``, ``service``,
        ``severity_number``, ``body``, ``template_id``, ``template``, ``params``; ``trace_id``
        and ``attributes`` are used when present).
    detection
        The result of :func:`rcakit.detect_anomalies` on the same records.
    changes
        Change events (schema ``CHANGES``), or None.
    merge_gap
        Anomaly windows closer than this are one incident.
    max_lag
        Changes older than this before an incident's onset are not suspects.
    compare_span
        Length of the period before a change that its "after" period is compared with.
    cause_threshold
        Minimum suspect score (0-1) for a change to be named the cause.
    min_events
        A template-level anomaly (new template, rate spike, parameter shift) needs at least
        this many events inside its window to count; windows left without anomalies are
        dropped (one odd line is not an incident).

    Returns
    -------
    Correlation
        Incidents (most severe first) and a rating for every change in the period.
    """
    if not 0 < cause_threshold < 1:
        msg = f"cause_threshold must be between 0 and 1, got {cause_threshold!r}"
        raise ConfigError(msg)
    gap = parse_duration(merge_gap, name="merge_gap")
    lag_max = parse_duration(max_lag, name="max_lag")
    span_cmp = parse_duration(compare_span, name="compare_span")
    window = parse_duration(detection.window, name="window")
    recs = prepare_records(records)
    if changes is None:
        changes = pl.DataFrame(schema=CHANGES)
    check_schema(changes, CHANGES, stage="correlate_changes")
    period_start = tmin(recs["timestamp"]) if recs.height else None
    period_end = tmax(recs["timestamp"]) if recs.height else None
    logged = {s for s in recs["service"].unique().to_list() if s and s != "(unknown)"}
    # services named by callers' request URLs count even when they write no logs
    hosted = {h for h in url_services(recs) if match_service(h, sorted(logged)) == h}
    known = sorted(logged | hosted | set(changes["service"].drop_nulls().unique().to_list()))
    by_service = {k[0]: g for k, g in recs.partition_by("service", as_dict=True).items()} if recs.height else {}
    n_given = changes.height  # (changes outside the period were still given)
    if period_start is not None and period_end is not None:
        # "every change in the analysed period" (plus the look-back allowed for suspects)
        changes = changes.filter(
            (pl.col("time") >= period_start - lag_max) & (pl.col("time") <= period_end)
        )
    change_rows = changes.sort("time").to_dicts()
    logging_services = sorted(by_service)
    for row in change_rows:
        # the change list may spell a service differently ("payment-service" vs "payment")
        row["service_raw"] = row["service"]
        row["service"] = match_service(row["service"], logging_services)
    graph = dependency_graph(recs, known)

    incidents: list[Incident] = []
    material = _material_windows(detection.windows, recs, min_events=min_events)
    badness = _template_badness(
        recs, sorted({c.template_id for w in material for c in w.contributions if c.template_id})
    )
    for group in _merge_windows(material, gap):
        start = min(w.start for w in group)
        end = max(w.end for w in group)
        det_score = max(w.score for w in group)
        contribs = _dedupe_contributions(group)
        span = recs.filter((pl.col("timestamp") >= start) & (pl.col("timestamp") < end))
        scan = {
            svc: _compare(
                frame, start, before_span=span_cmp, after_end=min(end, start + span_cmp),
                services=known, service=svc,
            )
            for svc, frame in by_service.items()
            if svc != "(unknown)"
        }
        root, roles, names_of = _root_service(
            contribs, span, known, window, scan=scan, graph=graph, frames=by_service
        )
        services = tuple(
            dict.fromkeys(
                [r.service for r in roles]
                + [s for w in group for s in w.services if s]
            )
        )
        # dependencies the root's *failures* name ("db timeout"): a change there may be the
        # cause; names in its ordinary lines ("connection from order_svc") are not failures
        root_names: set[str] = set()
        for c in contribs:
            if c.service == root and c.kind in {"new", "rate_spike", "error_ratio"} and (
                c.template_id is None or badness.get((c.service or "", c.template_id), 0.0) >= 0.5
            ):
                root_names.update(names_of.get(f"{c.kind}|{c.service}|{c.template_id}", ()))
        onset = _refine_onset(contribs, recs, root, start, end, window, scan.get(root) if root else None)
        # ---- anomalies with counts before/during
        length = end - start
        anomalies = _anomaly_findings(contribs, recs, start, end, length, names_of)
        # ---- suspects
        suspects: list[Suspect] = []
        for row in change_rows:
            t = row["time"]
            if t > onset + window or t < onset - lag_max:
                continue
            sus = _score_suspect(
                row, onset=onset, end=end, root=root, services=services, root_names=root_names,
                by_service=by_service, known=known, span_cmp=span_cmp, window=window,
                changes=change_rows, first_sign=start,
            )
            suspects.append(sus)
        suspects.sort(key=lambda s: (-s.score, abs(s.lag_seconds)))
        cause, reason = _decide(
            suspects, root=root, root_names=root_names, threshold=cause_threshold, services=logging_services,
            n_changes=n_given,
        )
        impact = _impact(
            recs.filter((pl.col("timestamp") >= onset) & (pl.col("timestamp") < end)), services, onset, end
        )
        severity, label = _severity(impact, len(services), det_score)
        inc_id = f"inc-{onset:%Y%m%dT%H%M}"
        summary = _summary(root, services, onset, end, suspects, cause, impact)
        incidents.append(
            Incident(
                id=inc_id,
                start=onset,
                end=end,
                severity=severity,
                severity_label=label,
                services=services,
                root_service=root,
                roles=tuple(roles),
                anomalies=tuple(anomalies),
                suspects=tuple(suspects),
                cause=cause,
                cause_reason=reason,
                impact=impact,
                summary=summary,
                detection_score=float(det_score),
            )
        )
    incidents = _absorb_precursors(incidents, gap=6 * gap)
    suspect_by_change: dict[str, tuple[float, str, tuple[Evidence, ...]]] = {}
    for inc in incidents:
        for s in inc.suspects:
            prev = suspect_by_change.get(s.change.id)
            if prev is None or s.score > prev[0]:
                suspect_by_change[s.change.id] = (s.score, inc.id, s.evidence)
    incidents.sort(key=lambda i: (-i.severity, i.start))
    ratings = _rate_changes(change_rows, suspect_by_change, by_service, known, span_cmp, period_end, incidents)
    return Correlation(
        incidents=tuple(incidents),
        changes=tuple(ratings),
        period_start=period_start,
        period_end=period_end,
        services=tuple(known),
    )


def _parameter_onset(
    recs: pl.DataFrame, root: str, shift: _Shift, start: datetime, end: datetime, window: timedelta
) -> datetime | None:
    """First record from which the root's shifted variable stays beyond its usual range.

    Looks from 5 windows before ``start``; "beyond" is 4 robust deviations from the median
    of the 30 minutes before that, for 4 of 5 consecutive records.
    """
    if shift.param_key is None or shift.param_ratio == 1.0:
        return None
    tid, pos = shift.param_key
    lo = start - 5 * window
    vals = (
        recs.filter((pl.col("service") == root) & (pl.col("template_id") == tid))
        .select("timestamp", value=pl.col("num_params").list.get(pos, null_on_oob=True))
        .filter(pl.col("value").is_not_null() & (pl.col("timestamp") < end))
        .sort("timestamp")
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


def _absorb_precursors(incidents: list[Incident], *, gap: timedelta) -> list[Incident]:
    """Fold a small incident into a larger one of the same root that follows it closely.

    A slow burn shows symptoms (a slower call, pool warnings) well before it fails; those
    are the same problem, reported as the bigger incident's precursor, not a second alarm.
    """
    ordered = sorted(incidents, key=lambda i: i.start)
    out: list[Incident] = []
    for inc in ordered:
        nxt = next((j for j in ordered if j.start > inc.end), None)
        if (
            nxt is not None
            and inc.root_service is not None
            and inc.root_service == nxt.root_service
            and inc.severity < nxt.severity
            and nxt.start - inc.end <= gap
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


def _refine_onset(
    contribs: Sequence[Contribution],
    recs: pl.DataFrame,
    root: str | None,
    start: datetime,
    end: datetime,
    window: timedelta,
    shift: _Shift | None = None,
) -> datetime:
    """The onset: the first record of a template new in the root service, else ``start``.

    Detection windows are coarse (and a window can open on noise); a template that did not
    exist before dates the start of the problem to the record. Without one, a shifted
    variable of the root (latency) dates it by its change point.
    """
    tids = [
        c.template_id
        for c in contribs
        if c.service == root and c.kind == "new" and c.template_id is not None
    ]
    if root is not None and not tids and shift is not None and shift.param_key is not None:
        return _parameter_onset(recs, root, shift, start, end, window) or start
    services = [root]
    if root is not None and not tids:
        # a root that logs nothing new (a killed pod, a silent dependency): its callers'
        # new error lines ("connection refused", "read timed out") date the start
        tids = [c.template_id for c in contribs if c.kind == "new" and c.template_id is not None]
        services = sorted({c.service for c in contribs if c.kind == "new" and c.service})
        errs = recs.filter(pl.col("template_id").is_in(tids) & pl.col("is_error"))
        tids = errs["template_id"].unique().to_list()
    if root is None or not tids:
        return start
    first = tmin(recs.filter(
        pl.col("service").is_in(services)
        & pl.col("template_id").is_in(tids)
        & (pl.col("timestamp") >= start - 10 * window)
        & (pl.col("timestamp") < end)
    )["timestamp"])
    if first is None:
        return start
    # (a window opens once enough records pile up: with little traffic the first ones are
    # a few windows earlier)
    return max(first, start - 10 * window)


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
    out = []
    for c in contribs:
        nb, nd = counts.get((c.service, c.template_id), (0, 0))
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
                names_services=names_of.get(f"{c.kind}|{c.service}|{c.template_id}", ()),
            )
        )
    return out


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
) -> Suspect:
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
    elif svc is not None and svc in services:
        rel = 0.3
        ev.append(Evidence(kind="service", text=f"{svc} is affected, but is not the root ({root})", weight=0.0))
    elif svc is None:
        rel = 0.4
        ev.append(Evidence(kind="service", text="change has no service (global change)", weight=0.0))
    else:
        rel = 0.1
        ev.append(Evidence(kind="service", text=f"{svc} shows no anomaly in this incident", weight=-0.1))
    # -- before/after in the change's service (root's when the change names no service)
    target = svc if svc in by_service else (root if svc is None else None)
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
            service=target, version=ref.version,
        )
        # outside the root, errors that name another service are a failing dependency's,
        # not this change's doing: only the service's own behaviour counts
        strength = sh.strength() if target == root else sh.own_strength()
        ev.extend(_shift_evidence(sh, service=target, after_label="after the change"))
        # was the service already deviating before this change? compare the span just
        # before it with the history before an earlier same-service change
        earlier = [c for c in changes if c["service"] == svc and c["time"] < t and c["time"] >= t - span_cmp * 4]
        if earlier:
            e_t = earlier[-1]["time"]
            # the half hour just before this change, against the history before the earlier one
            pre_sh = _compare(
                frame, max(e_t, t - span_cmp), before_span=span_cmp, after_end=t, services=known,
                service=target, ref_end=e_t,
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
        # a later change of the same service before the onset: if nothing changed until
        # then, that later change is the better explanation
        later = [c for c in changes if c["service"] == svc and t < c["time"] <= onset + window]
        if later:
            mid = _compare(
                frame, t, before_span=span_cmp, after_end=later[0]["time"], services=known,
                service=target, version=ref.version,
            )
            mid_strength = mid.strength()
            if mid_strength < 0.3:
                superseded = 0.35 * (1.0 - mid_strength / 0.3)
                ev.append(
                    Evidence(
                        kind="pre_existing",
                        text=(
                            f"{target} logs did not change until the later change "
                            f"{later[0]['id']} ({_fmt_dt((later[0]['time'] - t).total_seconds())} after this one)"
                        ),
                        weight=round(-superseded, 3),
                    )
                )
        elif (first_sign - t).total_seconds() >= max(3 * window.total_seconds(), _ROLLOUT.total_seconds()):
            # the change landed well before the onset: did its service change in between?
            # A slow burn does (warnings grow); an unrelated deploy does not. (Within a
            # rollout's time, pods restarting and traffic moving over, silence proves nothing.)
            mid = _compare(
                frame, t, before_span=span_cmp, after_end=first_sign, services=known,
                service=target, version=ref.version,
            )
            mid_strength = mid.strength()
            if mid_strength < 0.3 and mid.n_after >= 20:  # too few records to tell otherwise
                factor = 0.1 if mid_strength < 0.15 else 0.5
                strength *= factor
                ev.append(
                    Evidence(
                        kind="pre_existing",
                        text=(
                            f"no visible change in {target}'s logs in the {_fmt_dt(lag)} between "
                            "this change and the onset"
                        ),
                        weight=round(-(1 - factor) * 0.3, 3),
                    )
                )
            else:
                ev.extend(_shift_evidence(mid, service=target, after_label="between the change and the onset"))
        if sh.version_share is not None and sh.version_share >= 0.5:
            strength = min(1.0, strength + 0.2 * sh.version_share)
        if strength < 0.15:
            ev.append(Evidence(kind="no_change", text=f"no clear change in {target}'s logs after it", weight=-0.1))
    # -- combine
    score = rel * (0.2 + 0.65 * strength) + 0.15 * prox
    score += sum(e.weight for e in ev if e.kind == "pre_existing" and "no visible change" not in e.text)
    score = round(max(0.0, min(1.0, score)), 3)
    return Suspect(change=ref, score=score, lag_seconds=lag, evidence=tuple(ev))


#: how long a rollout may take before the new version serves traffic (a deploy event is
#: stamped when it starts; the new pods take minutes to start, warm up and get traffic)
_ROLLOUT = timedelta(minutes=10)


def _decide(
    suspects: Sequence[Suspect],
    *,
    root: str | None,
    root_names: set[str],
    threshold: float,
    services: Sequence[str] = (),
    n_changes: int | None = None,
) -> tuple[str | None, str]:
    if not suspects and n_changes == 0:
        return None, (
            "no change events were given (no --deploys file, or an empty one), so no change can be "
            f"named; check for deploys, config changes or restarts of {root or 'the root service'} "
            "around the onset"
        )
    if not suspects:
        return None, "no change event precedes the onset"
    best = suspects[0]
    svc = match_service(best.change.service, services)
    related = svc is not None and (svc == root or svc in root_names)
    behaviour = any(e.kind in {"new_template", "parameter_shift", "error_ratio", "version", "volume"} and e.weight > 0.1 for e in best.evidence)
    if related and behaviour and best.score >= threshold:
        return best.change.id, (
            f"{best.change.id} ({best.change.kind} of {svc} {best.change.version or ''}) precedes the "
            f"onset by {_fmt_dt(best.lag_seconds)} and {svc} behaves differently after it"
        ).replace("  ", " ")
    if not related:
        return None, (
            f"no change in the root service {root} or a dependency it names; the best suspect "
            f"{best.change.id} ({svc}) is not related, so no change explains this incident"
        )
    return None, (
        f"{best.change.id} touches {svc} but its logs do not change after it "
        f"(score {best.score:.2f} < {threshold:.2f}); no change explains this incident"
    )


def _summary(
    root: str | None,
    services: Sequence[str],
    onset: datetime,
    end: datetime,
    suspects: Sequence[Suspect],
    cause: str | None,
    impact: Impact,
) -> str:
    dur = _fmt_dt((end - onset).total_seconds())
    others = [s for s in services if s != root]
    parts = [f"From {onset:%Y-%m-%d %H:%M} UTC for {dur}, {root or 'an unknown service'} misbehaved"]
    if others:
        parts[0] += f" and {', '.join(others)} suffered from it"
    parts[0] += "."
    if impact.n_requests:
        parts.append(f"{impact.n_failed} of {impact.n_requests} {impact.unit} failed ({impact.failed_share:.1%}).")
    if cause is not None:
        s = next(x for x in suspects if x.change.id == cause)
        parts.append(
            f"Likely cause: {s.change.kind} {cause} of {s.change.service} {s.change.version or ''} at "
            f"{s.change.time:%H:%M} ({_fmt_dt(s.lag_seconds)} before the onset).".replace("  ", " ")
        )
    else:
        parts.append("No change explains this incident (look at dependencies, traffic and scheduled jobs).")
    return " ".join(parts)


def _rate_changes(
    change_rows: Sequence[dict[str, Any]],
    suspect_by_change: dict[str, tuple[float, str, tuple[Evidence, ...]]],
    by_service: dict[str, pl.DataFrame],
    known: Sequence[str],
    span_cmp: timedelta,
    period_end: datetime | None,
    incidents: Sequence[Incident],
) -> list[ChangeImpact]:
    causes = {i.cause: i.id for i in incidents if i.cause}
    out: list[ChangeImpact] = []
    for row in change_rows:
        ref = _change_ref(row)
        if ref.id in suspect_by_change:
            score, inc, ev = suspect_by_change[ref.id]
            if ref.id not in causes:
                # implicated but not the decided cause: keep it below any cause
                score = round(min(0.49, 0.6 * score), 3)
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
    return out
