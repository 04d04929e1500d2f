"""Envoy and Istio access logs (the sidecar proxies of a service mesh, ``istio-proxy``).

Envoy's default format, and Istio's (which adds response details and the upstream cluster)::

    [2024-03-01T10:00:01.123Z] "GET /api/pay HTTP/1.1" 503 UF 0 91 30 - "10.0.0.1" "curl/7.68.0"
      "f1c2e3d4-..." "payments:8080" "10.0.0.2:8080"
    [2024-03-01T10:00:01.123Z] "GET /api/pay HTTP/1.1" 503 UF upstream_reset_before_response_started{...}
      - "-" 0 91 30 - "-" "curl/7.68.0" "f1c2e3d4-..." "payments:8080" "10.0.0.2:8080"
      outbound|8080||payments.shop.svc.cluster.local - 10.96.0.12:8080 10.0.0.1:50000 - default

Mapping, as for the other request logs (:mod:`rcakit.ingest._access`): ``timestamp`` from the
bracket, ``body`` = ``METHOD path status`` plus Envoy's response flags when there are any
(``GET /api/pay 503 UF``: ``UF`` upstream connection failure, ``UH`` no healthy upstream,
``UT`` upstream timeout, ``URX`` retry limit... are different failures, so different
templates), severity from the status; ``attributes``: ``method``, ``path``, ``query``,
``protocol``, ``status``, ``response_flags``, ``response_code_details``, ``bytes_received``,
``bytes_sent``, ``response_time_ms`` (Envoy's duration), ``upstream_service_time_ms``,
``forwarded_for``, ``user_agent``, ``request_id``, ``authority`` (the service called),
``upstream_host``, ``upstream_cluster`` and the rest as ``extra``. A TCP connection's line
(no HTTP request: ``"- - -" 0 UF ...``) has ``body`` = ``TCP <authority, else the upstream
cluster's service> <flags>`` and severity ``ERROR`` when it has flags.
A line that does not have this shape is kept with ``parse_error`` set.
"""

from __future__ import annotations

import re

import polars as pl

from rcakit.ingest._access import request_body
from rcakit.ingest._base import (
    RECORD_COLUMNS,
    LineFormat,
    ParseOptions,
    guarded_records,
    share_matching,
)
from rcakit.ingest._jsonl import encode_attributes, fold_blank_lines, timestamp_expr
from rcakit.ingest._severity import severity_from_http_status

__all__ = ["ENVOY_RE", "FORMAT", "FORMATS"]

_Q = r'"((?:[^"\\]|\\.)*)"'
#: One access-log line of Envoy's default format or Istio's (groups become attributes).
ENVOY_RE = (
    r'^\[(?P<time>\d{4}-\d{2}-\d{2}T[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d{1,3}) (?P<flags>\S+)'
    # Istio: response code details, connection termination details, "transport failure"
    r'(?: (?P<details>\S+) \S+ "[^"]*")? '
    r"(?P<bytes_received>\d+|-) (?P<bytes_sent>\d+|-) (?P<duration>\d+|-) (?P<upstream_time>\d+|-) "
    rf'{_Q.replace("(", "(?P<xff>", 1)} {_Q.replace("(", "(?P<user_agent>", 1)} '
    rf'{_Q.replace("(", "(?P<request_id>", 1)} {_Q.replace("(", "(?P<authority>", 1)} '
    rf'{_Q.replace("(", "(?P<upstream_host>", 1)}'
    r"(?: (?P<upstream_cluster>\S+))?(?P<rest>.*)$"
)
_COMPILED = re.compile(ENVOY_RE)


def _dash(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.is_in(["-", ""])).then(None).otherwise(expr)


def _parse(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    df = fold_blank_lines(lines.collect())
    # (lazily: an eager with_columns on the lines frame runs the regex about twice as slowly)
    g = df.lazy().with_columns(pl.col("line").str.extract_groups(ENVOY_RE).alias("g")).unnest("g").collect()
    sample = g["time"].drop_nulls().head(200).to_list()
    request = pl.col("request").str.splitn(" ", 3)
    g = (
        g.lazy()
        .with_columns(
            method=_dash(request.struct.field("field_0")),
            target=request.struct.field("field_1"),
            protocol=_dash(request.struct.field("field_2")),
        )
        .with_columns(
            path=_dash(pl.col("target").str.replace(r"[?#].*$", "")),
            query=pl.col("target").str.extract(r"\?([^#]*)", 1),
            status_i=pl.col("status").cast(pl.Int64, strict=False),
            flags=_dash(pl.col("flags")),
        )
        .collect()
    )
    ok = pl.col("status").is_not_null()
    http = pl.col("method").is_not_null() & pl.col("path").is_not_null()
    status_text = pl.col("status_i").cast(pl.String)
    body = (
        pl.when(http)
        .then(request_body(pl.col("method"), pl.col("path"), status_text))
        .otherwise(
            pl.concat_str(
                pl.lit("TCP "),
                # outbound|5432||db.shop.svc.cluster.local -> db.shop.svc.cluster.local
                pl.coalesce(
                    _dash(pl.col("authority")),
                    _dash(pl.col("upstream_cluster").str.extract(r"([^|]+)$", 1)),
                    pl.lit("-"),
                ),
            )
        )
    )
    body = pl.when(pl.col("flags").is_not_null()).then(pl.concat_str(body, pl.lit(" "), pl.col("flags"))).otherwise(body)
    # status 0: no response (a TCP connection, or the proxy gave up): the flags say why; the
    # client hanging up first (DC, downstream connection termination: an exchange's deadline
    # passed) is nginx's 499, a warning, not the proxy's error
    no_answer = (pl.col("status_i") == 0) & pl.col("flags").is_not_null()
    client_left = pl.col("flags").str.contains(r"(?:^|,)DC(?:,|$)").fill_null(False)
    sev_text, sev_num = severity_from_http_status(
        pl.when(no_answer & client_left).then(499).when(no_answer).then(500).otherwise(pl.col("status_i"))
    )
    number = {"status": pl.col("status_i")}
    for name, source in (
        ("bytes_received", "bytes_received"), ("bytes_sent", "bytes_sent"),
        ("response_time_ms", "duration"), ("upstream_service_time_ms", "upstream_time"),
    ):
        number[name] = _dash(pl.col(source)).cast(pl.Int64, strict=False)
    attrs = (
        encode_attributes(
            {
                "method": pl.col("method"), "path": pl.col("path"), "query": pl.col("query"),
                "protocol": pl.col("protocol"), **number, "response_flags": pl.col("flags"),
                "response_code_details": _dash(pl.col("details")), "forwarded_for": _dash(pl.col("xff")),
                "user_agent": _dash(pl.col("user_agent")), "request_id": _dash(pl.col("request_id")),
                "authority": _dash(pl.col("authority")), "upstream_host": _dash(pl.col("upstream_host")),
                "upstream_cluster": _dash(pl.col("upstream_cluster")),
                "extra": _dash(pl.col("rest").str.strip_chars()),
            },
            numbers=tuple(number),
        )
        if options.wants("attributes")
        else pl.lit(None, dtype=pl.String)
    )
    return (
        g.lazy()
        .select(
            guarded_records(
                ok,
                expected='not an Envoy access-log line: expected \'[time] "METHOD path PROTOCOL" status flags ...\'',
                timestamp=timestamp_expr("time", sample, options),
                severity_text=sev_text,
                severity_number=sev_num,
                body=body,
                attributes=attrs,
            )
        )
        .cast(RECORD_COLUMNS)
    )


FORMAT = LineFormat(
    name="envoy",
    description='Envoy / Istio sidecar access logs ([time] "GET /api HTTP/1.1" 503 UF ...), response flags in the body',
    sniff=share_matching(_COMPILED),
    parse=_parse,
)

FORMATS = (FORMAT,)
