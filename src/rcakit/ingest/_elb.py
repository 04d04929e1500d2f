"""AWS load balancer access logs: Application Load Balancer and Classic ELB (format ``elb``),
and a Network Load Balancer's TLS access log (see :func:`_nlb_records`).

One request per line, space-separated, strings in double quotes, ``-`` for no value::

    # Application Load Balancer (the first field is the request type)
    https 2024-11-02T00:00:02.186641Z app/shop-alb/50dc6c495c0c9188 203.0.113.8:2817 10.0.0.1:80 0.001 1.203 0.000 502 502 34 366 "GET https://shop.example.com:443/api/pay?x=1 HTTP/1.1" "curl/8.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:...:targetgroup/pay/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" ...
    # Classic Load Balancer
    2024-11-02T00:00:02.945958Z shop-elb 203.0.113.8:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://shop.example.com:80/ HTTP/1.1" "curl/8.0" - -

Mapping, as for an access log: ``timestamp`` from the time field; ``body`` = ``METHOD path
status`` with the path of the request URL (``GET /api/pay 502``: scheme, host, port and query
left out so that templates group by endpoint); severity from the load balancer's status (5xx
ERROR, 4xx WARN, else INFO); ``service`` = the load balancer's name (``shop-alb``); ``trace_id``
= the ALB's ``X-Amzn-Trace-Id`` (``Root=1-...`` without ``Root=``). ``attributes``: ``type``,
``client``, ``target``, ``request_processing_time``, ``target_processing_time``,
``response_processing_time`` (seconds; ``-1`` when the load balancer could not reach a target,
left out), ``response_time_ms`` (their sum in milliseconds, when all three are there), ``elb_status_code``,
``target_status_code``, ``received_bytes``, ``sent_bytes``, ``method``, ``url``, ``protocol``,
``user_agent``, ``ssl_cipher``, ``ssl_protocol``, ``target_group_arn``, ``domain_name``,
``actions_executed``, ``error_reason`` and the other ALB fields under AWS's names.
A line without this shape is kept with ``parse_error`` set.
"""

from __future__ import annotations

import re

import polars as pl

from rcakit.ingest._access import is_method, request_body, url_path
from rcakit.ingest._base import (
    NO_ATTRIBUTES,
    RECORD_COLUMNS,
    LineFormat,
    ParseOptions,
    guarded_records,
    share_matching,
)
from rcakit.ingest._jsonl import encode_attributes, fold_blank_lines, timestamp_expr
from rcakit.ingest._severity import severity_columns, severity_from_http_status

__all__ = ["ELB_RE", "FORMAT", "FORMATS", "NLB_RE"]

_TYPES = r"(?:https?|h2|grpcs|wss?)"
_TIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z"
_SECONDS = r"-?\d+(?:\.\d+)?"
#: The head of a load balancer line, up to the opening quote of the request (for sniffing).
ELB_RE = (
    rf"^(?:{_TYPES} )?{_TIME} \S+ \S+ \S+ {_SECONDS} {_SECONDS} {_SECONDS} (?:\d{{3}}|-) (?:\d{{1,3}}|-) "
    r'(?:\d+|-) (?:\d+|-) "'
)
#: The head of a Network Load Balancer's TLS access log line (type, version, time in UTC
#: without a zone, load balancer, listener, client, destination, connection and handshake
#: times in ms, bytes received and sent).
NLB_RE = rf"^tls \d+\.\d+ {_TIME[:-1]}Z? net/\S+ \S+ \S+ \S+ (?:\d+|-) (?:\d+|-) (?:\d+|-) (?:\d+|-) "
_COMPILED = re.compile(f"{ELB_RE}|{NLB_RE}")
_NLB = (
    "type", "version", "time", "elb", "listener", "client", "destination", "connection_time_ms",
    "tls_handshake_time_ms", "received_bytes", "sent_bytes", "incoming_tls_alert", "chosen_cert_arn",
    "chosen_cert_serial", "tls_cipher", "tls_protocol_version", "tls_named_group", "domain_name",
    "alpn_fe_protocol", "alpn_be_protocol", "alpn_client_preference_list", "tls_connection_creation_time",
)
_NLB_INTS = ("connection_time_ms", "tls_handshake_time_ms", "received_bytes", "sent_bytes")
# a token: a quoted string (escapes allowed) or a run of non-blanks
_TOKEN = r'"(?:[^"\\]|\\.)*"|\S+'
_CLASSIC = (
    "time", "elb", "client", "target", "request_processing_time", "target_processing_time",
    "response_processing_time", "elb_status_code", "target_status_code", "received_bytes", "sent_bytes",
    "request", "user_agent", "ssl_cipher", "ssl_protocol",
)
#: ALB fields after the classic ones (AWS names); later additions are kept as ``field_<n>``
_ALB_MORE = (
    "target_group_arn", "trace_id", "domain_name", "chosen_cert_arn", "matched_rule_priority",
    "request_creation_time", "actions_executed", "redirect_url", "error_reason", "target_port_list",
    "target_status_code_list", "classification", "classification_reason", "conn_trace_id",
)
_TIMES = ("request_processing_time", "target_processing_time", "response_processing_time")
_INTS = ("elb_status_code", "target_status_code", "received_bytes", "sent_bytes", "matched_rule_priority")


_NAMES = (*_CLASSIC, *_ALB_MORE)
# the fields AWS writes in double quotes
_QUOTED = frozenset({
    "request", "user_agent", "trace_id", "domain_name", "chosen_cert_arn", "actions_executed",
    "redirect_url", "error_reason", "target_port_list", "target_status_code_list", "classification",
    "classification_reason", "conn_trace_id",
})


def _fields(tokens: pl.Series, offset: int, escaped: bool) -> pl.DataFrame:
    """The named fields of token lists whose time is token ``offset`` ("-" and missing: null)."""
    frame = tokens.list.slice(offset, len(_NAMES)).list.to_struct([f"_{n}" for n in _NAMES]).struct.unnest()

    def clean(name: str) -> pl.Expr:
        v = pl.col(f"_{name}")
        if name in _QUOTED:
            v = pl.when(v.str.starts_with('"') & v.str.ends_with('"') & (v.str.len_bytes() >= 2)).then(
                v.str.slice(1, v.str.len_chars() - 2)
            ).otherwise(v)
            if escaped:
                v = v.str.replace_all(r'\\(["\\])', "$1")
        return pl.when(v != "-").then(v).alias(f"_{name}")

    # the raw time and statuses too: they decide whether the line has this shape
    return frame.with_columns(
        pl.col("_time").alias("_raw_time"),
        pl.col("_elb_status_code").alias("_raw_status"),
        pl.col("_request").alias("_raw_request"),
    ).with_columns([clean(n) for n in _NAMES])


# where each field is after splitting a line at its double quotes: (part, token in the part
# split at spaces) for the unquoted fields, (part, None) for the quoted ones; the head's
# tokens start at the line's offset (1 on an ALB line: its type comes first)
_SPLIT_AT: dict[str, tuple[int, int | None]] = {
    **{name: (0, i) for i, name in enumerate(_CLASSIC[:11])},
    "request": (1, None), "user_agent": (3, None),
    "ssl_cipher": (4, 0), "ssl_protocol": (4, 1), "target_group_arn": (4, 2),
    "trace_id": (5, None), "domain_name": (7, None), "chosen_cert_arn": (9, None),
    "matched_rule_priority": (10, 0), "request_creation_time": (10, 1),
    "actions_executed": (11, None), "redirect_url": (13, None), "error_reason": (15, None),
    "target_port_list": (17, None), "target_status_code_list": (19, None), "classification": (21, None),
    "classification_reason": (23, None), "conn_trace_id": (25, None),
}


def _split_fields(lines: pl.Series, alb: bool) -> pl.DataFrame:
    """The columns of :func:`_fields` from splitting each line at its quotes and then at single
    spaces: several times cheaper than the token regex, and the same result on lines whose
    quotes all open or close a field and whose fields are one space apart (what AWS writes;
    the caller checks)."""
    offset = 1 if alb else 0
    parts = pl.col("_parts")
    raw: dict[str, pl.Expr] = {}
    words = set()
    for name, (part, word) in _SPLIT_AT.items():
        if word is None:
            raw[f"_{name}"] = parts.list.get(part, null_on_oob=True)
        else:
            raw[f"_{name}"] = pl.col(f"_words_{part}").list.get(word + (offset if part == 0 else 0), null_on_oob=True)
            words.add(f"_{name}")

    def missing(c: str) -> pl.Expr:  # "-" is no value; so is an empty word
        v = pl.col(c)
        return pl.when((v != "-") & (v != "")).then(v) if c in words else pl.when(v != "-").then(v)

    n_head = pl.col("_words_0").list.len()
    return (
        lines.to_frame("l")
        .lazy()
        .select(pl.col("l").str.split('"').alias("_parts"))
        .with_columns(
            parts.list.get(i, null_on_oob=True).str.strip_chars(" ").str.split(" ").alias(f"_words_{i}") for i in (0, 4, 10)
        )
        .select(
            *[e.alias(c) for c, e in raw.items()],
            # the request is a quoted field when the head has its 11 fields and a quote follows
            pl.when((n_head == 11 + offset) & (parts.list.len() >= 3)).then(pl.lit('"')).alias("_raw_request"),
        )
        .select(
            *[missing(c).alias(c) for c in raw],
            pl.when(pl.col("_time") != "").then(pl.col("_time")).alias("_raw_time"),
            pl.when(pl.col("_elb_status_code") != "").then(pl.col("_elb_status_code")).alias("_raw_status"),
            "_raw_request",
        )
        .collect()
    )


def _nlb_records(df: pl.DataFrame, options: ParseOptions) -> pl.LazyFrame:
    """Records of a Network Load Balancer's TLS access log lines (see :data:`NLB_RE`): a TCP
    connection has no request or status; a handshake that did not complete (no handshake
    time) or a TLS alert from the client is WARN, any other connection INFO."""
    words = pl.col("line").str.split(" ")
    g = df.with_columns(
        [words.list.get(i, null_on_oob=True).alias(f"_{n}") for i, n in enumerate(_NLB)]
    ).with_columns([pl.when(pl.col(f"_{n}") != "-").then(pl.col(f"_{n}")).alias(f"_{n}") for n in _NLB])
    ok = pl.col("line").str.contains(NLB_RE)
    # (AWS writes the time in UTC without saying so)
    time = pl.col("_time").str.replace(r"(\d)$", "${1}Z")
    sample = g.filter(ok).select(time).head(200).to_series().to_list()
    alert = pl.col("_incoming_tls_alert")
    failed = pl.col("_tls_handshake_time_ms").is_null() | alert.is_not_null()
    body = (
        pl.when(alert.is_not_null()).then(pl.concat_str(pl.lit("TLS handshake failed: alert "), alert))
        .when(failed).then(pl.lit("TLS handshake failed"))
        .otherwise(pl.lit("TLS connection"))
    )
    level = pl.when(failed).then(pl.lit("warning")).otherwise(pl.lit("info"))
    sev_text, sev_num = severity_columns(level)
    attributes: pl.Expr = NO_ATTRIBUTES
    if options.wants("attributes"):
        skip = ("time", "elb")
        attrs = {
            n: pl.col(f"_{n}").cast(pl.Int64, strict=False) if n in _NLB_INTS else pl.col(f"_{n}")
            for n in _NLB if n not in skip
        }
        attributes = encode_attributes(attrs, numbers=_NLB_INTS)
    return g.lazy().select(
        guarded_records(
            ok,
            expected="not a Network Load Balancer TLS log line: expected tls version time elb listener client destination ...",
            timestamp=timestamp_expr(time, sample, options),
            severity_text=sev_text,
            severity_number=sev_num,
            service=pl.col("_elb").str.replace(r"^net/([^/]+)/[^/]+$", "$1"),
            body=body,
            attributes=attributes,
        )
    ).cast(RECORD_COLUMNS)


def _parse(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    df = fold_blank_lines(lines.collect())
    nlb = df.select(pl.col("line").str.starts_with("tls ")).to_series()
    if nlb.any():
        # a Network Load Balancer's lines (a file holds one load balancer's)
        parts = [_nlb_records(df.filter(nlb), options)]
        if not nlb.all():
            parts.append(_parse_lb(df.filter(~nlb), options))
        return pl.concat(parts).sort("line_no")
    return _parse_lb(df, options)


def _parse_lb(df: pl.DataFrame, options: ParseOptions) -> pl.LazyFrame:
    line = pl.col("line")
    escaped = bool(df.select(line.str.contains("\\", literal=True).any()).item())
    # AWS writes single spaces between fields and quotes only around whole fields: such a file
    # is split at its quotes (fast); anything else goes through the token regex
    plain = not escaped and not df.lazy().select(
        line.str.contains(r"\S\"\S|  |\t").any()
    ).collect().item()
    first = df.lazy().select(line.str.extract(r"^(\S+)")).collect().to_series()
    alb = first.str.contains(rf"^{_TYPES}$").fill_null(False)
    if plain and (alb.all() or not alb.any()):
        fields = _split_fields(df["line"], bool(alb.any()))
        g = pl.concat([df, fields, alb.alias("_alb").to_frame(), first.alias("_type").to_frame()], how="horizontal")
        return _records(g, options)
    tokens = df.select(line.str.extract_all(_TOKEN)).to_series()
    if alb.all() or not alb.any():
        fields = _fields(tokens, 1 if alb.any() else 0, escaped)
    else:  # both kinds in one file: each with its own offset, back in line order
        idx_alb, idx_classic = alb.arg_true(), (~alb).arg_true()
        parts = pl.concat(
            [
                _fields(tokens.gather(idx_alb), 1, escaped).with_columns(pl.Series("_i", idx_alb)),
                _fields(tokens.gather(idx_classic), 0, escaped).with_columns(pl.Series("_i", idx_classic)),
            ]
        )
        fields = parts.sort("_i").drop("_i")
    g = pl.concat([df, fields, alb.alias("_alb").to_frame(), tokens.list.first().alias("_type").to_frame()], how="horizontal")
    return _records(g, options)


def _records(g: pl.DataFrame, options: ParseOptions) -> pl.LazyFrame:
    g = g.lazy().with_columns(
        _ok=(
            pl.col("_raw_time").str.contains(rf"^{_TIME}$")
            & pl.col("_raw_status").str.contains(r"^(?:\d{3}|-)$")
            & pl.col("_raw_request").str.starts_with('"')
        ).fill_null(False)
    ).collect()
    sample = g.filter("_ok")["_time"].head(200).to_list()
    request = pl.col("_request").str.splitn(" ", 3)
    g = g.lazy().with_columns(
        _method=request.struct.field("field_0"),
        _url=request.struct.field("field_1"),
        _protocol=request.struct.field("field_2"),
    ).with_columns(
        # the path of the URL: no scheme, host, port or query
        _path=url_path(pl.col("_url"))
    ).collect()
    status = pl.col("_elb_status_code").cast(pl.Int64, strict=False)
    sev_text, sev_num = severity_from_http_status(status)
    method_ok = is_method(pl.col("_method")) & (pl.col("_path") != "")
    body = pl.when(method_ok).then(
        request_body(pl.col("_method"), pl.col("_path"), pl.col("_elb_status_code"))
    ).otherwise(pl.concat_str(pl.col("_request").fill_null("-"), pl.lit(" "), pl.col("_elb_status_code").fill_null("-")))
    # app/<name>/<id>, net/<name>/<id> or a classic load balancer's name
    service = pl.col("_elb").str.replace(r"^(?:app|net)/([^/]+)/[^/]+$", "$1")
    trace = pl.col("_trace_id").str.strip_prefix("Root=")
    attributes: pl.Expr = NO_ATTRIBUTES
    if options.wants("attributes"):
        seconds = {n: pl.col(f"_{n}").cast(pl.Float64, strict=False) for n in _TIMES}
        # the whole time the load balancer spent, when it has all three parts (-1: a part
        # never happened, e.g. no target answered: the status says so)
        total = pl.when(pl.all_horizontal([s >= 0 for s in seconds.values()])).then(
            (pl.sum_horizontal(list(seconds.values())) * 1000.0).round(3)
        )
        attrs: dict[str, pl.Expr] = {
            "type": pl.when("_alb").then(pl.col("_type")),
            "client": pl.col("_client"),
            "target": pl.col("_target"),
            **{n: pl.when(s >= 0).then(s) for n, s in seconds.items()},
            "response_time_ms": total,
            **{n: pl.col(f"_{n}").cast(pl.Int64, strict=False) for n in _INTS},
            "method": pl.when(method_ok).then(pl.col("_method")),
            "url": pl.when(method_ok).then(pl.col("_url")),
            "protocol": pl.when(method_ok).then(pl.col("_protocol")),
            "user_agent": pl.col("_user_agent"),
            "ssl_cipher": pl.col("_ssl_cipher"),
            "ssl_protocol": pl.col("_ssl_protocol"),
            **{n: pl.col(f"_{n}") for n in _ALB_MORE if n not in ("trace_id", "matched_rule_priority")},
        }
        numbers = (*_TIMES, "response_time_ms", *_INTS)
        attributes = encode_attributes(attrs, numbers=numbers)
    ok = pl.col("_ok")
    return (
        g.lazy()
        .select(
            guarded_records(
                ok,
                expected='not a load balancer log line: expected [type] time elb client target times status status bytes bytes "request"',
                timestamp=timestamp_expr("_time", sample, options),
                severity_text=sev_text,
                severity_number=sev_num,
                service=service,
                body=body,
                trace_id=trace,
                attributes=attributes,
            )
        )
        .cast(RECORD_COLUMNS)
    )


FORMAT = LineFormat(
    name="elb",
    description='AWS Application / Classic (and Network) Load Balancer access log: [type] time elb client:port target:port times status status bytes bytes "request" ...',
    sniff=share_matching(_COMPILED),
    parse=_parse,
)

FORMATS = (FORMAT,)
