"""Record preparation: the columns correlation needs (``is_error``, ``status``, ``version``...)."""

from __future__ import annotations

import polars as pl

from rcakit._fields import AttributeReader, neighbour_time

ERROR_SEVERITY = 17  # OpenTelemetry SeverityNumber of ERROR
WARN_SEVERITY = 13  # OpenTelemetry SeverityNumber of WARN
FATAL_SEVERITY = 21  # OpenTelemetry SeverityNumber of FATAL


# a whole parameter that is a number with an optional short unit ("120", "0.5", "87ms", "2.1s",
# "512MB", "93%"); hex ids, versions and mixed tokens are not numeric variables
# (with thousands separators: "22,719ms")
_NUMERIC_PARAM = r"^([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*([A-Za-zµ%]{0,3})$"
_UNIT_FACTOR = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}


#: attributes holding the time a proxy's upstream took to answer
_UPSTREAM_TIME_KEYS = ("upstream_response_time_ms", "upstream_response_time", "upstream_service_time", "upstream_time")


def prepare_records(records: pl.DataFrame) -> pl.DataFrame:
    """Add the columns correlation needs: ``is_error``, ``status``, ``version``, ``endpoint``,
    ``relayed``; a record without a ``timestamp`` takes its neighbour's (:func:`neighbour_time`).

    ``is_error`` is severity >= ERROR, an HTTP status >= 500 or a gRPC server error
    (``Internal``, ``Unavailable``, ...) in ``attributes``. ``relayed`` is a 5xx answer that
    carries its upstream's response time (a proxy passing on what its upstream answered).
    """
    cols = records.collect_schema()
    exprs: list[pl.Expr] = []

    attr = AttributeReader(records)
    exprs.append(attr.http_status().alias("status"))
    # a gRPC server error in the record's fields (a call that failed logged at WARN or INFO:
    # grpc_code="Internal"), as an HTTP 5xx is
    exprs.append(attr.grpc_failed().alias("_grpc_failed"))
    # a proxy's answer that carries its upstream's response time: the upstream answered
    # (nginx's $upstream_response_time, Envoy's upstream service time)
    upstream = pl.coalesce(*(attr(k) for k in _UPSTREAM_TIME_KEYS)).str.extract(r"^\s*(\d+(?:\.\d+)?)", 1)
    exprs.append(upstream.is_not_null().alias("_upstream_timed"))
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
    if records.get_column("timestamp").null_count():
        # (a record without its own time is where it sits in its file, as detection counts it)
        out = out.with_columns(neighbour_time(cols))
    sev = pl.col("severity_number").cast(pl.Int32).fill_null(0)
    # records without a level (raw lines) count as errors when their text says so
    unlevelled_error = pl.col("severity_number").is_null() & pl.col("body").str.contains(
        r"(?i)\b(?:error|exception|fail(?:ed|ure)?|fatal|panic|timed? ?out|refused|unavailable)\b"
    ).fill_null(False)
    out = out.with_columns(
        is_error=(sev >= ERROR_SEVERITY) | (pl.col("status").fill_null(0) >= 500) | unlevelled_error | pl.col("_grpc_failed"),
        relayed=(pl.col("status").fill_null(0) >= 500) & pl.col("_upstream_timed"),
        service=pl.col("service").fill_null("(unknown)"),
    ).drop("_grpc_failed", "_upstream_timed")
    if "template_id" not in cols:
        out = out.with_columns(template_id=pl.col("body").hash().cast(pl.String), template=pl.col("body"))
    if "params" not in cols:
        out = out.with_columns(params=pl.lit([], pl.List(pl.String)))
    # numeric variables once for all records ("87ms" -> 0.087 s, "512MB" -> 512, "ab12" -> null)
    # (number and unit captured in one pass into a struct, then read: ~1.5x cheaper than two)
    parts = pl.col("params").list.eval(pl.element().str.strip_chars().str.extract_groups(_NUMERIC_PARAM))
    part = pl.element().struct.field
    out = out.with_columns(num_params=parts).with_columns(
        num_params=pl.col("num_params").list.eval(
            part("1").str.replace_all(",", "", literal=True).cast(pl.Float64, strict=False)
            * part("2").str.to_lowercase().replace_strict(_UNIT_FACTOR, default=1.0, return_dtype=pl.Float64)
        )
    )
    return out.filter(pl.col("timestamp").is_not_null()).sort("timestamp", maintain_order=True)
