"""Shifts of numeric template variables: :class:`ParameterShiftDetector`.

Input: templated records (``TEMPLATED_RECORDS``: ``params`` aligned with the template's
variable tokens, and ``attributes`` whose numeric keys such as ``response_time`` or
``status`` are read too). :func:`extract_parameters` turns them into a long frame with one
numeric value per row; the detector compares each window's values with the baseline's
5th/95th percentiles. A latency regression is caught even when nothing is logged as an
error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Self

import numpy as np
import polars as pl

from rcakit.detect._counts import _prepare, _window_starts
from rcakit.detect._estimator import check_fitted, check_positive
from rcakit.detect._stats import SCORES_SCHEMA, quasi_binomial_scores
from rcakit.errors import SchemaError

__all__ = ["DEFAULT_ATTRIBUTE_KEYS", "ParameterShiftDetector", "extract_parameters", "progress_totals", "rate_features"]

#: Attribute keys read as numbers: any key naming a time, duration, size, status or depth
#: (``response_time_ms``, ``event.duration``, ``upstream_response_time``, ``queue_size``,
#: ``status``, ``queue_depth``, ...). Clocks and counters that only grow are skipped later.
#: A response's bytes (``bytes``, ``bytes_sent``, ``content_length``) are not: they follow
#: which endpoints and clients the traffic holds (label downloads after a bulk import, route
#: files at a shift's start), not the service's health (blind probe BK: 8 of 9 false alarms
#: on normal days were an access log's "bytes" median moving).
#: ... and any key that ends in a unit of time (``route_ms``, ``db.wait_us``, ``routeMs``,
#: ``lockWaitMillis``: a zap or pino field named by what it times).
DEFAULT_ATTRIBUTE_KEYS = (
    r"[\w.\-]*(?:time|duration|dur(?:[_.\-]|\b)|latency|elapsed|took|size|status|depth)[\w.\-]*"
    r"|[\w.\-]*[_.\-](?:ms|us|ns|millis|micros|nanos|secs?|seconds)"
    r"|[\w.\-]*[a-z](?-i:Ms|Us|Ns|Millis|Micros|Nanos|Secs?|Seconds)"
)

_MEDIAN_CHI2_1 = 0.4549364

#: a whole number spread evenly over its range with mostly distinct values is an
#: identifier (a card's last four digits, a port, a short order number), not a measure:
#: durations, sizes and depths are skewed, and its "shifts" are noise. (An even spread puts
#: 90 % of the values between q05 and q95 over the whole range; a log-normal duration about
#: half, a normal one 0.5.)
_ID_LIKE = (
    pl.col("integral")
    & (pl.col("n") >= 50)
    & (pl.col("n_unique") >= 0.5 * pl.col("n"))
    & ((pl.col("q95") - pl.col("q05")) >= 0.8 * pl.col("range"))
)
#: HTTP status codes: a feature whose values are whole numbers from 100 to 599, and few, is
#: a category (an access log's "GET <PATH> <NUM>"), not a measure: its 404s are a scanner,
#: its 5xx errors (counted as such), neither a slow-down
def http_codes(v: pl.Expr) -> pl.Expr:
    """Whether every value of ``v`` reads as an HTTP status code (aggregation); ``-1`` and
    ``0`` are the codes proxies write for a request that got no answer (HAProxy's ``-1``
    when the client went away, Envoy's ``0``)."""
    return ((((v >= 100) & (v <= 599)) | v.is_in([-1.0, 0.0])) & (v.round() == v)).all() & (v >= 100).any()


_CODE_LIKE = pl.col("http_codes") & (pl.col("n_unique") <= 12)
#: an attribute that names a status or a code holds a category whatever its numbers (IIS's
#: ``sc-win32-status`` 0 / 2 / 64 / 1236, ``sc-substatus``, a gRPC status): never a measure
STATUS_KEY = r"(?i)^attributes\.[\w.\-]*(?:status|code)$"
_MIN_VALUES = 20  # values a window needs to be judged on its own
#: a shift worth telling: the window's median or p95 is 5 % of the baseline's size away
_MATERIAL = ((pl.col("observed") - pl.col("expected")).abs() > 0.05 * pl.col("expected").abs()) | (
    (pl.col("window_q95") - pl.col("base_q95")).abs() > 0.05 * pl.col("base_q95").abs()
)
# (thousands separators are read as such: 22,719ms is 22719)
_NUMBER = r"^\s*([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?:ms|s|us|µs|ns|b|kb|mb|gb|%)?\s*$"

#: Private column: the record's number within a detection run (see ``_detect._Passes``).
ROW = "__rcakit_record"

LONG_PARAMS = pl.Schema(
    {  # type: ignore[arg-type]
        "window_start": pl.Datetime("us", time_zone="UTC"),
        "timestamp": pl.Datetime("us", time_zone="UTC"),
        "service": pl.String,
        "template_id": pl.String,
        "feature": pl.String,
        "value": pl.Float64,
    }
)


def extract_parameters(
    records: pl.DataFrame,
    *,
    window: str = "1m",
    attribute_keys: str | tuple[str, ...] = DEFAULT_ATTRIBUTE_KEYS,
) -> pl.DataFrame:
    """Numeric template variables and attributes, one value per row.

    Parameters
    ----------
    records
        Templated records (``TEMPLATED_RECORDS``).
    window
        Window size (as in :func:`count_windows`) used to fill ``window_start``.
    attribute_keys
        Keys of the ``attributes`` JSON object read as numbers (feature ``"attributes.<key>"``):
        a tuple of names, or a regular expression matching whole key names (default: keys
        that name a time, duration, size, status or depth).

    Returns
    -------
    pl.DataFrame
        Columns ``window_start``, ``timestamp``, ``service``, ``template_id``, ``feature``
        (``"$1"``, ``"$2"``, ... for the 1st, 2nd variable of the template; units such as
        ``ms`` are stripped), ``value`` (Float64).
    """
    if "params" not in records.columns:
        msg = "extract_parameters: the frame has no 'params' column; pass rcakit.mine_templates() output"
        raise SchemaError(msg)
    base = _window_starts(_prepare(records, stage="extract_parameters"), window)
    keep = ["window_start", "timestamp", "service", "template_id"]
    # a private record number passes through, so detection can extract once and select
    row = [ROW] if ROW in base.columns else []
    keep += row
    parts = []
    pos = base.select(*keep, "params").filter(pl.col("params").list.len() > 0)
    if pos.height:
        pos = (
            pos.with_columns(pl.int_ranges(pl.col("params").list.len()).alias("_pos"))
            .explode("params", "_pos")
            .with_columns(
                pl.col("params")
                .str.extract(_NUMBER, 1)
                .str.replace_all(",", "", literal=True)
                .cast(pl.Float64, strict=False)
                .alias("value"),
                pl.format("${}", pl.col("_pos") + 1).alias("feature"),
            )
        )
        parts.append(pos.select(*LONG_PARAMS.names(), *row).filter(pl.col("value").is_not_null()))
    if attribute_keys and "attributes" in base.columns:
        long = attribute_numbers(base, keep, attribute_keys)
        if long.height:
            parts.append(long.select(*LONG_PARAMS.names(), *row))
    if not parts:
        return pl.DataFrame(schema=LONG_PARAMS).with_columns(pl.lit(None, dtype=pl.UInt32).alias(r) for r in row)
    return pl.concat(parts).cast(LONG_PARAMS)


def attribute_numbers(
    frame: pl.DataFrame, keep: Sequence[str], attribute_keys: str | tuple[str, ...] = DEFAULT_ATTRIBUTE_KEYS
) -> pl.DataFrame:
    """The numbers of ``attributes`` keys matching ``attribute_keys``, one row per value:
    the ``keep`` columns, ``feature`` (``"attributes.<key>"``) and ``value`` (Float64)."""
    # one regex pass over the flat JSON object (json_path_match would parse it once per key)
    names = attribute_keys if isinstance(attribute_keys, str) else "|".join(re.escape(k) for k in attribute_keys)
    pair = rf'"((?i:{names}))"\s*:\s*"?(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)[",}}\s]'
    attrs = (
        frame.select(*keep, pl.col("attributes").str.extract_all(pair).alias("_pair"))
        .filter(pl.col("_pair").list.len() > 0)
        .explode("_pair")
    )
    plain_keys = (
        attribute_keys == DEFAULT_ATTRIBUTE_KEYS
        if isinstance(attribute_keys, str)
        else not any(c in k for k in attribute_keys for c in ':"\\')
    )
    if plain_keys:
        # '"key":"?value' with a key that holds no ':' or quote: cut it at the colon
        # (two capture passes over millions of pairs cost ~10x more)
        cut = pl.col("_pair").str.splitn(":", 2)
        key = cut.struct.field("field_0").str.strip_chars('"')
        value = cut.struct.field("field_1").str.strip_chars(' \t\n\r\x0b\x0c",}')
    else:
        key, value = pl.col("_pair").str.extract(pair, 1), pl.col("_pair").str.extract(pair, 2)
    return (
        attrs.with_columns(
            pl.format("attributes.{}", key).alias("feature"),
            value.cast(pl.Float64, strict=False).alias("value"),
        )
        .filter(pl.col("value").is_not_null())
        .select(*keep, "feature", "value")
    )


class ParameterShiftDetector:
    """Flag windows where a numeric variable of a template leaves its baseline range.

    Parameters
    ----------
    threshold
        Score (``-log10 p``) at or above which a window is flagged.
    min_fraction
        Effect-size gate: at least this share of the window's values lie above the
        baseline 95th percentile (or below the 5th).
    min_count
        ... and at least this many values.
    span
        Number of consecutive windows also scored together (slow drifts).
    min_baseline
        Features with fewer baseline values are not scored.

    Attributes
    ----------
    baseline_ : pl.DataFrame
        Per service x template x feature: ``n``, ``q05``, ``q50``, ``q95``, the baseline
        shares ``p_hi`` (> q95) and ``p_lo`` (< q05) and their dispersions ``phi_hi``,
        ``phi_lo``.

    Notes
    -----
    Score: ``-log10 P(K >= k)`` for quasi-binomial ``K ~ Binomial(n, p)`` where ``k`` of the
    window's ``n`` values lie above the baseline q95 and ``p`` is the baseline share above it
    (likewise below q05; the larger score wins). A window is judged on its own only with at
    least 20 values and only for rises; otherwise, and for drops, over the last ``span``
    windows together. Values of one window are correlated, so the
    dispersion of the per-window counts is learned from the baseline (``phi_hi``,
    ``phi_lo`` >= 1) and widens the tails. Features that look like counters or ids
    (|Spearman correlation with time| > 0.8, or almost all distinct and > 1e6, or whole
    numbers, at least half of them distinct, spread evenly over their range: 90 % of them
    between q05 and q95 fill 80 % of it) are skipped, and so are HTTP status codes (at most
    12 distinct values, all of them codes): a category, whose 5xx are counted as errors.
    """

    def __init__(
        self,
        *,
        threshold: float = 6.0,
        min_fraction: float = 0.2,
        min_count: int = 3,
        span: int = 5,
        min_baseline: int = 20,
    ) -> None:
        self.threshold = threshold
        self.min_fraction = min_fraction
        self.min_count = min_count
        self.span = span
        self.min_baseline = min_baseline

    def fit(
        self,
        values: pl.DataFrame,
        load: pl.DataFrame | None = None,
        countable: pl.DataFrame | None = None,
        also: pl.DataFrame | None = None,
    ) -> Self:
        """Learn baseline percentiles of each numeric feature.

        Parameters
        ----------
        values
            Output of :func:`extract_parameters` for the baseline period.
        load
            Optional traffic per window (columns ``window_start``, ``load``: e.g. the records
            of every service). A count or a size (``countable``) that follows it (see
            :func:`load_following`) is judged per unit of traffic.
        countable
            The template variables that are counts or sizes (columns ``template_id``,
            ``feature``; see :func:`countable_features`); attributes whose key names a size
            or a count are such too.
        also
            More values (the period to be scored) that only help tell which features
            follow the traffic: a baseline of a few quiet hours may not show it.

        Returns
        -------
        ParameterShiftDetector
            ``self``.
        """
        for name in ("threshold", "min_fraction", "span", "min_baseline"):
            check_positive(name, getattr(self, name))
        _check_long(values, "ParameterShiftDetector.fit")
        keys = ["service", "template_id", "feature"]
        v = pl.col("value")
        following = None
        if load is not None:
            sized = pl.col("feature").str.starts_with("attributes.") & pl.col("feature").str.contains(_COUNT_KEYS)
            if countable is not None and countable.height:
                sized = sized | pl.struct("template_id", "feature").is_in(countable.select(pl.struct("template_id", "feature")).to_series().implode())
            following = load_following((values if also is None else pl.concat([values, also])).filter(sized), load)
        if following is not None and following.height:
            values = _per_load(values, following, load)  # type: ignore[arg-type]
        stats = values.group_by(keys).agg(
            pl.len().alias("n"),
            v.quantile(0.05, "lower").alias("q05"),
            v.quantile(0.5, "nearest").alias("q50"),
            v.quantile(0.95, "higher").alias("q95"),
            v.n_unique().alias("n_unique"),
            v.abs().max().alias("max_abs"),
            (v.max() - v.min()).alias("range"),
            (v.round() == v).all().alias("integral"),
            http_codes(v).alias("http_codes"),
            pl.corr(pl.col("timestamp").dt.epoch("us"), v, method="spearman").alias("rho"),
        )
        stats = stats.filter(
            (pl.col("n") >= self.min_baseline)
            & ~(pl.col("rho").fill_nan(0.0).fill_null(0.0).abs() > 0.8)
            & ~((pl.col("n_unique") > 0.95 * pl.col("n")) & (pl.col("max_abs") > 1e6))
            & ~_ID_LIKE
            & ~_CODE_LIKE
            & ~pl.col("feature").str.contains(STATUS_KEY)
        )
        tails = (
            values.join(stats.select(*keys, "q05", "q95"), on=keys, nulls_equal=True)
            .group_by(keys)
            .agg((v > pl.col("q95")).sum().alias("above"), (v < pl.col("q05")).sum().alias("below"))
        )
        base = stats.join(tails, on=keys, nulls_equal=True).with_columns(
            ((pl.col("above") + 1) / (pl.col("n") + 2)).alias("p_hi"),
            ((pl.col("below") + 1) / (pl.col("n") + 2)).alias("p_lo"),
        )
        # values of one window are not independent (same batch, same cache state): learn how
        # much more the per-window counts beyond the range vary than a binomial would
        per_window = (
            values.join(base.select(*keys, "q05", "q95", "p_hi", "p_lo"), on=keys, nulls_equal=True)
            .group_by(*keys, "window_start")
            .agg(
                pl.len().alias("n_w"),
                (v > pl.col("q95")).sum().alias("k_hi"),
                (v < pl.col("q05")).sum().alias("k_lo"),
                pl.col("p_hi").first(),
                pl.col("p_lo").first(),
            )
        )

        def dispersion(k: str, p: str) -> pl.Expr:
            var = pl.col("n_w") * pl.col(p) * (1.0 - pl.col(p))
            r2 = (pl.col(k) - pl.col("n_w") * pl.col(p)) ** 2 / pl.max_horizontal(var, 0.25)
            return (r2.median() / _MEDIAN_CHI2_1).clip(1.0, 100.0)

        phi = per_window.group_by(keys).agg(dispersion("k_hi", "p_hi").alias("phi_hi"), dispersion("k_lo", "p_lo").alias("phi_lo"))
        base = base.join(phi, on=keys, how="left", nulls_equal=True)
        if following is not None and following.height:
            base = base.join(following, on=keys, how="left", nulls_equal=True)
        else:
            base = base.with_columns(pl.lit(None, dtype=pl.Float64).alias("load_ref"), pl.lit(None, dtype=pl.Float64).alias("load_exp"))
        self.baseline_ = base.select(
            *keys, "n", "q05", "q50", "q95", "p_hi", "p_lo", pl.col("phi_hi").fill_null(1.0), pl.col("phi_lo").fill_null(1.0),
            pl.col("load_ref").cast(pl.Float64), pl.col("load_exp").cast(pl.Float64),
        )
        return self

    def score(self, values: pl.DataFrame, load: pl.DataFrame | None = None) -> pl.DataFrame:
        """Score each window x feature of ``values`` (from :func:`extract_parameters`);
        ``load`` as in :meth:`fit` (features that follow the traffic are scaled by it).

        Returns
        -------
        pl.DataFrame
            ``SCORES_SCHEMA`` rows (detector and kind ``"parameter"``; ``observed`` is the
            window median, ``expected`` the baseline median) plus ``base_q95``,
            ``window_q95`` and ``fraction_beyond``.
        """
        check_fitted(self, "baseline_")
        _check_long(values, "ParameterShiftDetector.score")
        keys = ["service", "template_id", "feature"]
        v = pl.col("value")
        following = self.baseline_.filter(pl.col("load_ref").is_not_null()).select(*keys, "load_ref", "load_exp")
        if load is not None and following.height:
            values = _per_load(values, following, load)
        per = (
            values.join(self.baseline_, on=keys, nulls_equal=True)
            .group_by(*keys, "window_start")
            .agg(
                pl.len().alias("n_w"),
                (v > pl.col("q95")).sum().alias("k_hi"),
                (v < pl.col("q05")).sum().alias("k_lo"),
                v.median().alias("observed"),
                v.quantile(0.95, "higher").alias("window_q95"),
                pl.col("q50").first().alias("expected"),
                pl.col("q95").first().alias("base_q95"),
                pl.col("p_hi").first(),
                pl.col("p_lo").first(),
                pl.col("phi_hi").first(),
                pl.col("phi_lo").first(),
            )
            .sort(*keys, "window_start")
        )
        span = int(self.span)
        per = per.with_columns(
            *(pl.col(c).rolling_sum(span, min_samples=1).over(keys).alias(f"{c}_k") for c in ("n_w", "k_hi", "k_lo"))
        )
        arr = {
            c: per.get_column(c).to_numpy().astype(float)
            for c in ("n_w", "k_hi", "k_lo", "n_w_k", "k_hi_k", "k_lo_k", "p_hi", "p_lo", "phi_hi", "phi_lo")
        }
        hi1 = quasi_binomial_scores(arr["k_hi"], arr["n_w"], arr["p_hi"], arr["phi_hi"])[0]
        lo1 = quasi_binomial_scores(arr["k_lo"], arr["n_w"], arr["p_lo"], arr["phi_lo"])[0]
        # a window with few values is judged together with the windows before it (one slow
        # batch or one cache-warm burst is not a shift); drops (faster, smaller) must be
        # sustained over `span` windows, rises can show in one well-filled window
        single = arr["n_w"] >= _MIN_VALUES
        hi = np.maximum(np.where(single, hi1, 0.0), quasi_binomial_scores(arr["k_hi_k"], arr["n_w_k"], arr["p_hi"], arr["phi_hi"])[0])
        lo = quasi_binomial_scores(arr["k_lo_k"], arr["n_w_k"], arr["p_lo"], arr["phi_lo"])[0]
        per = per.with_columns(pl.Series("hi", hi), pl.Series("lo", lo), pl.Series("hi1", hi1), pl.Series("lo1", lo1))
        up = pl.col("hi") >= pl.col("lo")
        k1 = pl.when(up).then(pl.col("k_hi")).otherwise(pl.col("k_lo"))
        kk = pl.when(up).then(pl.col("k_hi_k")).otherwise(pl.col("k_lo_k"))
        p0 = pl.when(up).then(pl.col("p_hi")).otherwise(pl.col("p_lo"))
        single_ok = up & (pl.col("n_w") >= _MIN_VALUES)
        gate = (single_ok & (k1 >= self.min_count) & (k1 >= self.min_fraction * pl.col("n_w"))) | (
            (kk >= self.min_count) & (kk >= self.min_fraction * pl.col("n_w_k"))
        )
        out = per.with_columns(
            pl.max_horizontal("hi", "lo").alias("score"),
            (k1 / pl.col("n_w")).alias("fraction_beyond"),
        ).with_columns(
            # this window itself must hold values beyond the range (not only the span), and
            # the shift must matter: a median or p95 moved by 5 % of its size at least (a
            # sequence number that grows, order 965,600 -> 968,100, is beyond the range at
            # every window and means nothing)
            (
                (pl.col("score") >= self.threshold) & gate & (k1 >= 1) & (k1 > p0 * pl.col("n_w")) & _MATERIAL
            ).alias("flagged"),
            # visible in this window alone: p < 0.01 in the same direction
            (pl.when(up).then(pl.col("hi1")).otherwise(pl.col("lo1")) >= 2.0).alias("weak"),
            pl.lit("parameter").alias("detector"),
            pl.lit("parameter").alias("kind"),
        ).filter(pl.col("weak") | pl.col("flagged"))
        extra = ("base_q95", "window_q95", "fraction_beyond")
        return out.select(*SCORES_SCHEMA.names(), *extra).cast(SCORES_SCHEMA).cast({c: pl.Float64() for c in extra})


#: windows per block when telling whether a feature follows the traffic (and of the rolling
#: mean that smooths the traffic)
_LOAD_BLOCK = 10
#: a feature follows the traffic when, over at least this many blocks of baseline windows, ...
_LOAD_MIN_WINDOWS = 5
#: ... the traffic itself varied (its 90th percentile this many times its 10th), ...
_LOAD_MIN_SPREAD = 1.3
#: ... the window medians rise and fall with it (Spearman), ...
_LOAD_MIN_RHO = 0.6
#: ... and dividing them by it leaves them no less steady (their log's spread at most this
#: share of what it was)
_LOAD_MAX_SPREAD_RATIO = 1.0


#: words after a number that make it a count or a size ("3002 records", "12 rows", "1.4 MB")
_COUNT_WORDS = (
    r"records?|rows?|items?|messages?|msgs|entries|events?|files?|lines?|bytes?|objects?|documents?|docs"
    r"|keys?|elements?|chunks?|batches|blocks?|packets?|requests|calls|[KMGT]i?B|[kmgt]b"
    # ... or a word that says what state the counted are in ("presence sweep: 626 online",
    # "41 active", "12 pending"): how many users, sessions or jobs, which follows the traffic
    r"|online|active|connected|pending|queued|waiting|running|idle|open|live|inflight|in-flight|concurrent|alive"
    # ... or any plural noun that is no unit of time ("27 results posted in last 60s", "12
    # orders", "40 jobs"): what a heartbeat or a batch counts
    r"|(?!(?:ms|secs|seconds|minutes|mins|hours|hrs|days|weeks|months|years|millis|micros|nanos|us|ns|times)\b)[a-z]{2,}s"
)
_TOKEN = re.compile(r"<([A-Z*][A-Z0-9_]*)>")
# (one word may qualify the counted: "Expired 12 stale tickets", "3 failed requests")
# (not a key after it: "latency_ms=80 status=200" counts no statuses)
_COUNT_AFTER = re.compile(rf"[)\],;:]?\s+\(?(?:[a-z]+\s+)?(?:{_COUNT_WORDS})\b(?!=|[.\-]\w)")
#: a bare number after a key that names no time ("searching=123", "queue_depth: 4",
#: "matched=40"): a count or a level, not a duration ("took=12", "latency_ms=80",
#: "wait=300" are measured times, whose rise with the load is a saturation worth telling)
_KEYED_NUMBER = re.compile(r"(?:^|[\s,;({\[])([A-Za-z_][\w.\-]*)[=:] ?$")
_TIME_KEY = re.compile(
    r"(?i)time|dur(?:ation)?(?:$|[_.\-])|latency|elapsed|took|wait|delay|(?:^|[_.\-])ms$|millis|micros|nanos|secs?$"
    r"|seconds|(?:^|[_.\-])age$|ttl|timeout|interval|rtt|spent|uptime|period"
)
#: attribute keys naming a count or a size
_COUNT_KEYS = r"(?i)(?:^|[._\-])(?:bytes|size|length|count|records|rows|items)(?:$|[._\-])"


def countable_features(records: pl.DataFrame) -> pl.DataFrame:
    """The variables of ``records``' templates that are counts or sizes, not durations:
    ``template_id``, ``feature`` (``$k`` for a ``<SIZE>`` token or a number followed by a
    count word, ``3002 records``). Only these, and attributes whose key names a size or a
    count (``bytes_sent``, ``content_length``), may be judged per unit of traffic
    (:func:`load_following`)."""
    return _template_features(records, _countable)


def _countable(text: str, m: re.Match[str]) -> bool:
    if m.group(1) == "SIZE" or _COUNT_AFTER.match(text, m.end()) is not None:
        return True
    if m.group(1) != "NUM":
        return False
    key = _KEYED_NUMBER.search(text, 0, m.start())
    return key is not None and _TIME_KEY.search(key.group(1)) is None


def _template_features(records: pl.DataFrame, keep: Callable[[str, re.Match[str]], bool]) -> pl.DataFrame:
    """``template_id``, ``feature`` (``$k``) of the template variables for which ``keep(template,
    token match)`` holds (over the distinct templates: a few hundred strings)."""
    schema = {"template_id": pl.String, "feature": pl.String}
    if "template" not in records.columns:
        return pl.DataFrame(schema=schema)
    tpl = records.select("template_id", "template").unique("template_id").drop_nulls()
    rows = [
        (tid, f"${k}")
        for tid, text in tpl.iter_rows()
        for k, m in enumerate(_TOKEN.finditer(text), start=1)
        if keep(text, m)
    ]
    return pl.DataFrame(rows, schema=schema, orient="row").unique()


#: the total of a progress, "batch 3/44", "part 3 of 44", "attempt 2/5": the number after
#: another number and a "/" or "of"
_TOTAL_BEFORE = re.compile(r"<NUM>(?:/| of )$")


def progress_totals(records: pl.DataFrame) -> pl.DataFrame:
    """The variables of ``records``' templates that are the total of a progress count
    (``Exported batch 1/44``, ``attempt 2 of 5``): ``template_id``, ``feature``. A total is
    fixed for a run and differs from run to run (how many batches an hourly export
    needs, how many retries a client allows): a run whose total differs from the last
    run's is no shift of a measure, and the detector skips them."""
    return _template_features(records, lambda text, m: m.group(1) == "NUM" and _TOTAL_BEFORE.search(text, 0, m.start()) is not None)


#: a rate after a number: "11 xacts/s", "130 client parses/s", "in <SIZE>/s", "42 req/sec",
#: "300 per second", "12 rps"
_RATE_AFTER = re.compile(
    r"\s*(?:[A-Za-z]+\s){0,2}?[A-Za-z]*/s(?:ec)?\b|\s+(?:per\s+(?:second|sec)|rps|qps|tps|ops)\b"
)


def rate_features(records: pl.DataFrame) -> pl.DataFrame:
    """The variables of ``records``' templates that are rates (``template_id``, ``feature``):
    PgBouncer's once-a-minute ``stats: 11 xacts/s, 25 queries/s, ...``, a consumer's ``42
    msgs/sec``. A rate is the traffic itself, which rises and falls with the day (the rate
    detectors judge the traffic from the records); its shift is no measure of the service's
    health, and the detector skips them (the durations beside them, ``query 815 us``, stay)."""
    return _template_features(records, lambda text, m: _RATE_AFTER.match(text, m.end()) is not None)


def load_following(values: pl.DataFrame, load: pl.DataFrame) -> pl.DataFrame:
    """The features of ``values`` whose size follows the traffic: per service x template x
    feature, ``load_ref`` (the median traffic) and ``load_exp`` (the slope of the log
    medians on the log traffic, 0 to 1.5) for those that do.

    A batch's record count or file size (one CDR file per switch per minute: 1,800 records
    at night, 4,500 at noon) grows with the day's traffic while nothing is wrong; judged
    against a baseline of quieter hours it reads as a shift. A feature follows the traffic
    when its medians over blocks of 10 windows rise and fall with ``load`` (Spearman >= 0.6
    over >= 5 blocks, the traffic varying by 30 % or more) and are no less steady divided by
    it (the spread of their logarithm no wider), while the number of its lines does not (a
    job's cadence: a line per file, not per request, whose size is the request's own): it is
    then judged per unit of traffic. (Give it counts and sizes only, see
    :func:`countable_features`: a latency that grows with the load is a saturation worth
    telling.)
    """
    keys = ["service", "template_id", "feature"]
    # (judged over blocks of windows: one window holds a few values, and the day's traffic
    # moves over tens of minutes)
    blocks = smooth_load(load).with_columns((pl.col("window_start").rank("dense") // _LOAD_BLOCK).alias("_block"))
    per_w = (
        values.join(blocks, on="window_start")
        .group_by(*keys, "_block")
        .agg(pl.col("value").median().alias("m"), pl.col("load").mean().alias("load"), pl.len().alias("_n"))
        .filter((pl.col("m") > 0) & (pl.col("load") > 0) & (pl.col("_n") >= 3))
    )
    stats = per_w.group_by(keys).agg(
        pl.len().alias("n_win"),
        pl.corr("m", "load", method="spearman").alias("rho"),
        pl.corr("_n", "load", method="spearman").alias("rho_n"),
        pl.col("m").log().std().alias("sd_m"),
        (pl.col("m") / pl.col("load")).log().std().alias("sd_ratio"),
        (pl.col("load").quantile(0.9) / pl.col("load").quantile(0.1)).alias("spread"),
        pl.col("load").median().cast(pl.Float64).alias("load_ref"),
        # (how strongly it follows: the slope of log median on log traffic)
        pl.cov(pl.col("m").log(), pl.col("load").log()).alias("_cov"),
        pl.col("load").log().var().alias("_var"),
    ).with_columns((pl.col("_cov") / pl.col("_var")).clip(0.0, 1.5).alias("load_exp"))
    return stats.filter(
        (pl.col("n_win") >= _LOAD_MIN_WINDOWS)
        & (pl.col("spread") >= _LOAD_MIN_SPREAD)
        & (pl.col("rho").fill_nan(0.0) >= _LOAD_MIN_RHO)
        & (pl.col("sd_ratio") <= _LOAD_MAX_SPREAD_RATIO * pl.col("sd_m"))
        # (a job's own cadence, one file a minute, not one line per request: an HTTP answer's
        # size is a request's, whatever the traffic)
        & (pl.col("rho_n").fill_nan(0.0) < _LOAD_MIN_RHO)
    ).select(*keys, "load_ref", "load_exp")


def smooth_load(load: pl.DataFrame) -> pl.DataFrame:
    """``load`` (``window_start``, ``load``) as a centred rolling mean over
    :data:`_LOAD_BLOCK` windows: the traffic's level, not its minute-to-minute noise."""
    return load.sort("window_start").with_columns(
        pl.col("load").cast(pl.Float64).rolling_mean(_LOAD_BLOCK, center=True, min_samples=1)
    )


def _per_load(values: pl.DataFrame, following: pl.DataFrame, load: pl.DataFrame) -> pl.DataFrame:
    """``values`` with the features of ``following`` scaled to the reference traffic."""
    keys = ["service", "template_id", "feature"]
    cols = values.columns
    scaled = (
        values.join(following, on=keys, how="left", nulls_equal=True)
        .join(smooth_load(load), on="window_start", how="left")
        .with_columns(
            pl.when(pl.col("load_ref").is_not_null() & (pl.col("load") > 0))
            .then(pl.col("value") * (pl.col("load_ref") / pl.col("load")).pow(pl.col("load_exp")))
            .otherwise(pl.col("value"))
            .alias("value")
        )
    )
    return scaled.select(cols)


def _check_long(values: pl.DataFrame, stage: str) -> None:
    missing = [c for c in LONG_PARAMS if c not in values.columns]
    if missing:
        msg = f"{stage}: missing columns {missing}; build the input with rcakit.detect.extract_parameters()"
        raise SchemaError(msg)
