"""Amazon S3 server access logs (format ``s3``).

One request per line, space-separated, strings in double quotes, ``-`` for no value::

    79a59df9... shop-assets [05/Mar/2024:10:00:05 +0000] 10.0.0.1 arn:aws:iam::123456789012:user/deploy 3E57427F3EXAMPLE REST.GET.OBJECT img/a.png "GET /shop-assets/img/a.png HTTP/1.1" 403 AccessDenied 243 - 12 - "-" "aws-sdk-java/2.20.0" - <host id> SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader shop-assets.s3.us-east-1.amazonaws.com TLSv1.2 - -

The fields, in AWS's order: bucket owner, bucket, time, remote IP, requester, request id,
operation, key, request URI, HTTP status, error code, bytes sent, object size, total time
(ms), turn-around time (ms), referer, user agent, version id, host id, signature version,
cipher suite, authentication type, host header, TLS version, access point ARN, ACL
required (later additions are kept as ``field_<n>``).

Mapping, as for an access log: ``timestamp`` from the time field; ``body`` = ``METHOD path
status`` (no query string, so that templates group by endpoint), then the S3 error code when
there is one (``GET /shop-assets/img/a.png 403 AccessDenied``: a denied request and a
throttled one, ``503 SlowDown``, are different failures); without a request URI, the
operation (``S3.EXPIRE.OBJECT img/a.png -``); severity from the status (5xx ERROR, 4xx WARN,
else INFO); ``service`` = the bucket; ``attributes``: the other fields under AWS's names
(``remote_ip``, ``requester``, ``request_id``, ``operation``, ``key``, ``method``, ``path``,
``query``, ``protocol``, ``status``, ``error_code``, ``bytes_sent``, ``object_size``,
``response_time_ms`` (the total time), ``turn_around_time_ms``, ``user_agent``, ...). A line
without this shape is kept with ``parse_error`` set.
"""

from __future__ import annotations

import re

import polars as pl

from rcakit.ingest._access import dash, is_method, request_body, url_path
from rcakit.ingest._base import (
    NO_ATTRIBUTES,
    RECORD_COLUMNS,
    LineFormat,
    ParseOptions,
    guarded_records,
    share_matching,
)
from rcakit.ingest._jsonl import encode_attributes, fold_blank_lines, timestamp_expr
from rcakit.ingest._severity import severity_from_http_status

__all__ = ["FORMAT", "FORMATS", "S3_RE"]

#: The head of an S3 server access log line, up to its operation (for sniffing): the
#: operation (``REST.GET.OBJECT``, ``S3.EXPIRE.OBJECT``, ``WEBSITE.GET.OBJECT``,
#: ``BATCH.DELETE.OBJECT``) is S3's own
S3_RE = (
    r"^\S+ \S+ \[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] \S+ \S+ \S+ "
    r"(?:REST|SOAP|WEBSITE|BATCH|S3)\.[A-Z_]+(?:\.[A-Z_]+)* "
)
_COMPILED = re.compile(S3_RE)
_Q = r'(?:"((?:[^"\\]|\\.)*)"|-)'
_LINE = (
    r"^(\S+) (\S+) \[([^\]]+)\] (\S+) (\S+) (\S+) (\S+) (\S+) "
    rf"{_Q} (\d{{3}}|-) (\S+) (\d+|-) (\d+|-) (\d+|-) (\d+|-) {_Q} {_Q}(.*)$"
)
_HEAD = (
    "bucket_owner", "bucket", "time", "remote_ip", "requester", "request_id", "operation", "key",
    "request_uri", "status", "error_code", "bytes_sent", "object_size", "total_time", "turn_around_time",
    "referer", "user_agent", "rest",
)
#: the fields after the user agent (AWS's names)
_TAIL = (
    "version_id", "host_id", "signature_version", "cipher_suite", "authentication_type", "host_header",
    "tls_version", "access_point_arn", "acl_required",
)
_INTS = ("status", "bytes_sent", "object_size")


def _parse(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    df = fold_blank_lines(lines.collect())
    groups = pl.col("line").str.extract_groups(_LINE)
    g = df.lazy().with_columns(
        *[groups.struct.field(str(i + 1)).alias(f"_{n}") for i, n in enumerate(_HEAD)]
    ).with_columns(
        pl.col("_request_uri").str.splitn(" ", 3).alias("_req"),
        pl.col("_rest").str.strip_chars(" ").str.split(" ").alias("_tail"),
    ).with_columns(
        pl.col("_req").struct.field("field_0").alias("_method"),
        pl.col("_req").struct.field("field_1").alias("_uri"),
        pl.col("_req").struct.field("field_2").alias("_protocol"),
    ).collect()
    ok = pl.col("_time").is_not_null() & pl.col("_operation").str.contains(r"^(?:REST|SOAP|WEBSITE|BATCH|S3)\.").fill_null(False)
    sample = g.filter(ok)["_time"].head(200).to_list()
    path = url_path(pl.col("_uri"))
    query = pl.col("_uri").str.extract(r"\?([^#]*)", 1)
    status = dash(pl.col("_status"))
    method_ok = is_method(pl.col("_method")) & (path.fill_null("") != "")
    error = dash(pl.col("_error_code"))
    request = pl.when(method_ok).then(request_body(pl.col("_method"), path, status)).otherwise(
        pl.concat_str(pl.col("_operation"), pl.lit(" "), pl.col("_key").fill_null("-"), pl.lit(" "), status.fill_null("-"))
    )
    body = pl.when(error.is_not_null()).then(pl.concat_str(request, pl.lit(" "), error)).otherwise(request)
    sev_text, sev_num = severity_from_http_status(status.cast(pl.Int64, strict=False))
    attributes: pl.Expr = NO_ATTRIBUTES
    if options.wants("attributes"):
        tail = {n: dash(pl.col("_tail").list.get(i, null_on_oob=True)) for i, n in enumerate(_TAIL)}
        attrs: dict[str, pl.Expr] = {
            "bucket_owner": dash(pl.col("_bucket_owner")),
            "remote_ip": dash(pl.col("_remote_ip")),
            "requester": dash(pl.col("_requester")),
            "request_id": dash(pl.col("_request_id")),
            "operation": pl.col("_operation"),
            "key": dash(pl.col("_key")),
            "method": pl.when(method_ok).then(pl.col("_method")),
            "path": pl.when(method_ok).then(path),
            "query": pl.when(method_ok).then(query),
            "protocol": pl.when(method_ok).then(pl.col("_protocol")),
            "status": status.cast(pl.Int64, strict=False),
            "error_code": error,
            "bytes_sent": dash(pl.col("_bytes_sent")).cast(pl.Int64, strict=False),
            "object_size": dash(pl.col("_object_size")).cast(pl.Int64, strict=False),
            "response_time_ms": dash(pl.col("_total_time")).cast(pl.Float64, strict=False),
            "turn_around_time_ms": dash(pl.col("_turn_around_time")).cast(pl.Float64, strict=False),
            "referer": dash(pl.col("_referer")),
            "user_agent": dash(pl.col("_user_agent")),
            **tail,
        }
        attributes = encode_attributes(attrs, numbers=(*_INTS, "response_time_ms", "turn_around_time_ms"))
    return (
        g.lazy()
        .select(
            guarded_records(
                ok,
                expected='not an S3 server access log line: expected owner bucket [time] ip requester request-id operation key "request" status ...',
                timestamp=timestamp_expr("_time", sample, options),
                severity_text=sev_text,
                severity_number=sev_num,
                service=pl.col("_bucket"),
                body=body,
                attributes=attributes,
            )
        )
        .cast(RECORD_COLUMNS)
    )


FORMAT = LineFormat(
    name="s3",
    description='Amazon S3 server access log: owner bucket [time] ip requester request-id operation key "request" status error ...',
    sniff=share_matching(_COMPILED),
    parse=_parse,
)

FORMATS = (FORMAT,)
