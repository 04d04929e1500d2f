"""Apache / Nginx access logs: common, combined, virtual-host and timing variants.

Recognised layout (``?`` = optional)::

    vhost[:port]? client ident user [time] "request" status bytes ("referer" "user-agent")? extras?

``client`` may be IPv4, IPv6 or a host name, or an X-Forwarded-For list (Apache's
``%{X-Forwarded-For}i`` in place of ``%h``: ``203.0.113.9, 198.51.100.7, 10.0.0.2``): its first
address is the client, the list is kept as ``forwarded_for``; every ``-`` field is null. ``extras`` are
whatever the format appends: nginx ``$request_time`` (seconds, ``0.123``) or Apache ``%D``
(microseconds, an integer) as the first bare number, ``key=value`` timings (``rt=``,
``request_time=``, ``urt=``, ``upstream_response_time=``, ``uct=``, ``uht=``), quoted values
(``"$http_x_forwarded_for"``) kept as ``extra``.

Mapping: ``timestamp`` from ``[time]``; ``body`` = ``METHOD path status`` (query string
left out so that templates group by endpoint, e.g. ``GET /api/pay 500``); severity from the
status (5xx ERROR, 4xx WARN, else INFO); ``attributes``: ``client``, ``user``, ``vhost``,
``forwarded_for``, ``method``, ``path``, ``query``, ``protocol``, ``status``, ``bytes``, ``referer``,
``user_agent``, ``response_time_ms``, ``upstream_response_time_ms``, ``extra``.
A line that does not have this shape is kept with ``parse_error`` set.
"""

from __future__ import annotations

import re

import polars as pl

from rcakit.ingest._base import (
    RECORD_COLUMNS,
    LineFormat,
    ParseOptions,
    by_distinct,
    guarded_records,
    share_matching,
)
from rcakit.ingest._jsonl import encode_attributes, fold_blank_lines, timestamp_expr
from rcakit.ingest._multiline import blank_lines_with_the_line_above
from rcakit.ingest._severity import severity_from_http_status

__all__ = ["ACCESS_RE", "FORMAT", "request_body"]

_Q = r'"((?:[^"\\]|\\.)*)"'
#: The access-log line; named groups become attributes.
ACCESS_RE = (
    # (the client may be an X-Forwarded-For list: "203.0.113.9, 198.51.100.7, 10.0.0.2")
    r"^\s*(?:(?P<vhost>\S+)\s+)??(?P<client>(?:\S+,[ \t]+)*\S+)\s+(?P<ident>\S+)\s+(?P<user>\S+|\"[^\"]*\")\s+"
    r"\[(?P<time>[^\]]+)\]\s+"
    r'"(?P<request>(?:[^"\\]|\\.)*)"\s+'
    r"(?P<status>\d{3}|-)\s+(?P<bytes>\d+|-)"
    r'(?:\s+"(?P<referer>(?:[^"\\]|\\.)*)"\s+"(?P<user_agent>(?:[^"\\]|\\.)*)")?'
    r"(?P<rest>.*?)\s*$"
)
_COMPILED = re.compile(ACCESS_RE)
_NUMBERS = ("status", "bytes", "response_time_ms", "upstream_response_time_ms")


def request_body(method: pl.Expr, path: pl.Expr, status: pl.Expr) -> pl.Expr:
    """The body of an HTTP request record: ``METHOD path status`` (``GET /api/pay 500``).

    Shared by every format that logs requests (access, W3C, load balancer and HAProxy
    lines); callers pass the path without its query string, so that templates group by
    endpoint. A missing status is written ``-``.
    """
    return pl.concat_str(method, pl.lit(" "), path, pl.lit(" "), status.fill_null("-"))


def dash(expr: pl.Expr) -> pl.Expr:
    """An access log's field, null for its ``-`` (or an empty field)."""
    return pl.when(expr.is_in(["-", ""])).then(None).otherwise(expr)


def url_path(url: pl.Expr) -> pl.Expr:
    """The path of a request's URL: no scheme, host, port, query or fragment."""
    return url.str.replace(r"^[A-Za-z][A-Za-z0-9+.\-]*://[^/]*", "").str.replace(r"[?#].*$", "")


def is_method(method: pl.Expr) -> pl.Expr:
    """Whether ``method`` reads as an HTTP method (``GET``, ``PROPFIND``, ``M-SEARCH``)."""
    return method.str.contains(r"^[A-Z][A-Z_-]{1,19}$").fill_null(False)



#: the tail the ingress-nginx controller's default ``log-format-upstream`` writes after the user
#: agent: ``$request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name]
#: $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id``
#: (the first bare number is the request's length, not a time; the upstream, ``prod-eta-8080``,
#: is the Kubernetes service called: namespace, name and port)
_INGRESS_TAIL = (
    r"^\s*(?P<request_length>\d+)\s+(?P<request_time>\d+(?:\.\d+)?|-)\s+\[(?P<upstream>[^\]\s]*)\]\s+\[[^\]]*\]"
    # (a retried request lists each attempt's address, length and time: ``a, b``; the first
    # attempt's time is taken, as for other upstream timings)
    r"(?:\s+[^\s,]+(?:,\s*[^\s,]+)*\s+[^\s,]+(?:,\s*[^\s,]+)*\s+(?P<upstream_time>\d+(?:\.\d+)?))?"
)


def _timing(rest: pl.Expr, keys: str) -> pl.Expr:
    """Seconds in ``key=0.123`` / ``key="0.120"`` (first of comma lists) -> milliseconds."""
    val = rest.str.extract(rf'(?:^|\s)(?:{keys})[=:]"?(\d+(?:\.\d+)?)', 1)
    return val.cast(pl.Float64, strict=False) * 1000.0


_SPACED = r"\S\s{2,}\S.*\["
# a line can hold two blanks in a row only if it has two spaces, another ASCII blank, or a
# non-ASCII character (Unicode blanks): cheap tests pick the lines to run the regex on
_BLANKS = r"[\t\n\x0B\f\r]"


def _any_spaced(lines: pl.Series) -> bool:
    """Whether some line has a run of blanks between two fields before a '[' (``_SPACED``)."""
    line = pl.col("line")
    maybe = lines.to_frame("line").select(
        (
            line.str.contains("  ", literal=True)
            | (line.str.len_bytes() != line.str.len_chars())
            | line.str.contains(_BLANKS)
        ).fill_null(False)
    ).to_series()
    if not maybe.any():
        return False
    return bool(lines.filter(maybe).str.contains(_SPACED).any())


def _split_fields(df: pl.DataFrame, *, only: tuple[str, ...] | None = None) -> pl.DataFrame:
    """The fields of :data:`ACCESS_RE` by splitting at quotes and spaces (no capture regex:
    several times faster on a million lines); fields are null where the line has not this
    shape. Computed in stages: each intermediate is materialised once. ``only`` names the
    fields to return (default: all)."""

    # backslash escapes (\" inside the request or user agent) are rare: only when a line has
    # one are escapes swapped for placeholders before splitting at quotes, and back after
    escaped = bool(df.lazy().select(pl.col("line").str.contains("\\", literal=True).any()).collect().item())

    def unesc(e: pl.Expr) -> pl.Expr:
        return e.str.replace_many(["\x00", "\x01"], ['"', "\\"]) if escaped else e

    esc = (
        pl.col("line").str.replace_all("\\\\", "\x01", literal=True).str.replace_all('\\"', "\x00", literal=True)
        if escaped
        else pl.col("line")
    )
    # runs of spaces between the head fields are rare too
    spaced = _any_spaced(df["line"])
    squeeze = (lambda e: e.str.replace_all(r"\s+", " ")) if spaced else (lambda e: e)
    q = (
        df.lazy()
        .with_columns(_q=esc.str.splitn('"', 7))
        .unnest("_q")
        .with_columns(_head=pl.col("field_0").str.strip_chars_end())
        .with_columns(_bracket=pl.col("_head").str.find("[", literal=True))
        .with_columns(
            _pre=squeeze(pl.col("_head").str.slice(0, pl.col("_bracket")).str.strip_chars()).str.split(" "),
            _tail=pl.col("field_2").str.strip_chars().str.splitn(" ", 3),
        )
        .unnest("_tail", separator="_t")
        .with_columns(_n_pre=pl.col("_pre").list.len())
    )
    # after unnest with a separator the tail fields are named "_tail_tfield_0" ...
    status, size, extra = pl.col("_tail_tfield_0"), pl.col("_tail_tfield_1"), pl.col("_tail_tfield_2")
    ok = (
        pl.col("_head").str.ends_with("]")
        & pl.col("_bracket").is_not_null()
        & pl.col("_n_pre").is_between(3, 4)
        & status.str.contains(r"^(?:\d{3}|-)$")
        & size.str.contains(r"^(?:\d+|-)$")
        & pl.col("field_1").is_not_null()
    ).fill_null(False)
    pre = pl.col("_pre")
    done = q.with_columns(_ok=ok).collect()
    forwarded = False
    if (done["_n_pre"] >= 4).any():
        # a client field that is an X-Forwarded-For list (Apache's "%{X-Forwarded-For}i %l %u
        # %t ...", nginx's $proxy_add_x_forwarded_for): "203.0.113.9, 198.51.100.7, 10.0.0.2 - -
        # [...]" is one field; it was split at its blanks (into a vhost "203.0.113.9," and a
        # client, or too many fields, also after a vhost)
        first_listed = pre.list.get(0, null_on_oob=True).str.ends_with(",")
        listed = ((pl.col("_n_pre") >= 5) | ((pl.col("_n_pre") == 4) & first_listed)).fill_null(False)
        xff = done.select(listed).to_series()
        if xff.any():
            forwarded = True
            merged = pre.list.join(" ").str.replace_all(r",[ \t]*", ",").str.split(" ")
            done = done.with_columns(_xff=xff).with_columns(
                _pre=pl.when("_xff").then(merged).otherwise(pre)
            ).with_columns(_n_pre=pre.list.len())
            done = done.with_columns(_ok=ok)
    fields = {
        "vhost": pl.when(pl.col("_n_pre") == 4).then(pre.list.get(0, null_on_oob=True)),
        "client": pre.list.get(-3, null_on_oob=True),
        "ident": pre.list.get(-2, null_on_oob=True),
        "user": pre.list.get(-1, null_on_oob=True),
        "time": pl.col("_head").str.slice(pl.col("_bracket") + 1).str.strip_suffix("]"),
        "request": unesc(pl.col("field_1")),
        "status": status,
        "bytes": size,
        "referer": unesc(pl.col("field_3")),
        "user_agent": unesc(pl.col("field_5")),
        "rest": pl.concat_str([extra, unesc(pl.col("field_6"))], separator=" ", ignore_nulls=True),
    }
    if forwarded:
        # the first address is the client's, the whole list is kept ("a, b, c" as the header has it)
        listed_client = pre.list.get(-3, null_on_oob=True)
        fields["client"] = pl.when("_xff").then(listed_client.str.replace(r",.*$", "")).otherwise(listed_client)
        fields["forwarded_for"] = pl.when(pl.col("_xff") & listed_client.str.contains(",", literal=True)).then(
            listed_client.str.replace_all(",", ", ", literal=True)
        )
    if only is not None:
        fields = {k: e for k, e in fields.items() if k in only}
    if done["_ok"].all():  # every line has the shape (the usual case): no masking pass
        return done.lazy().select(*df.columns, *[e.alias(k) for k, e in fields.items()]).collect()
    return done.lazy().select(*df.columns, *[pl.when("_ok").then(e).alias(k) for k, e in fields.items()]).collect()


#: what every access-log line has (a bracketed time, then a quoted request): a cheap first
#: test before :data:`ACCESS_RE`
_REQUEST_HINT = r'\] "[A-Z][A-Z_-]{1,19} '


def read_mixed(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame | None:
    """Records of a file that interleaves access-log lines with an application's text log
    (gunicorn with its access log on stdout; the ingress-nginx controller: klog lines, nginx
    error lines and access lines), each part read with its own parser (this one, and the
    ``text`` format), in line order. ``None`` when the file is not such a mix: all access
    lines, no access line, or the other lines are not text-log lines (a few junk lines in an
    access log stay its parse errors).

    The other lines are read together, so an application's stack trace is joined even when
    an access line was written between its lines.
    """
    from rcakit.ingest._detect import MIN_SHARE, head_lines
    from rcakit.ingest._text import TEXT, parse_text_between

    df = lines.collect()
    # (a literal test first: most text logs have no '] "' at all)
    line = pl.col("line")
    hint = df.select(
        (line.str.contains('] "', literal=True) & line.str.contains(_REQUEST_HINT)).fill_null(False)
    ).to_series()
    if not hint.any() or hint.all():
        return None
    idx = hint.arg_true()
    is_req = pl.repeat(False, df.height, dtype=pl.Boolean, eager=True).scatter(
        idx, df["line"].gather(idx).str.contains(ACCESS_RE).fill_null(False)
    )
    if not is_req.any():
        return None
    # a blank line goes with the line above it (it belongs to that record)
    is_req = blank_lines_with_the_line_above(df, is_req)
    rest = df.filter(~is_req)
    heads = head_lines("\n".join(rest["line"].head(2_000).fill_null("").to_list()))
    if TEXT.sniff(heads) < MIN_SHARE:
        return None
    # (a text record joins only the lines right below it; a file where one would not is not
    # read as a mix: its odd lines keep their parse errors)
    text = parse_text_between(rest, options)
    if text is None:
        return None
    return pl.concat([_parse_requests(df.filter(is_req).lazy(), options), text.lazy()]).sort(
        "line_no", maintain_order=True
    )


def _parse(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    records = _parse_requests(lines, options).collect()
    # (only a file with lines this format cannot read may be a mix: no second pass otherwise)
    if not records.select(pl.col("parse_error").is_not_null().any()).item():
        return records.lazy()
    mixed = read_mixed(lines, options)
    return mixed if mixed is not None else records.lazy()


def _parse_requests(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    df = fold_blank_lines(lines.collect())
    want = options.wants("attributes")  # else only what body, severity and time need
    g = _split_fields(df, only=None if want else ("time", "request", "status"))
    sample = g["time"].drop_nulls().head(200).to_list()
    # "METHOD target[ protocol]": anything else (junk bytes, a bare "-") has no method
    g = (
        g.lazy()
        .with_columns(_r=pl.col("request").str.splitn(" ", 3))
        .unnest("_r", separator="_")
        .with_columns(
            _req_ok=(
                is_method(pl.col("_r_field_0"))
                & pl.col("_r_field_1").is_not_null()
                & pl.col("_r_field_1").ne("")
                & ~pl.col("_r_field_2").str.contains(" ", literal=True).fill_null(False)
            ).fill_null(False)
        )
        .with_columns(
            method=pl.when("_req_ok").then(pl.col("_r_field_0")),
            target=pl.when("_req_ok").then(pl.col("_r_field_1")),
            protocol=pl.when("_req_ok").then(pl.col("_r_field_2")),
        )
        .collect()
    )
    rest = pl.col("rest").fill_null("")
    has_rest = want and g.select((rest != "").any()).item()
    none_f = pl.lit(None, dtype=pl.Float64)
    upstream: pl.Expr
    if has_rest:
        # first bare number of the extras: decimal = seconds ($request_time), integer = µs (%D)
        bare = rest.str.extract(r'(?:^|\s)"?(\d+(?:\.\d+)?)"?(?:\s|$)', 1)
        bare_ms = pl.when(bare.str.contains(".", literal=True)).then(
            bare.cast(pl.Float64, strict=False) * 1000.0
        ).otherwise(bare.cast(pl.Float64, strict=False) / 1000.0)
        ingress = rest.str.extract_groups(_INGRESS_TAIL)
        response_ms = pl.coalesce(
            _timing(rest, "rt|request_time|rtime|duration|took"),
            ingress.struct["request_time"].cast(pl.Float64, strict=False) * 1000.0,
            bare_ms,
        )
        upstream_ms = pl.coalesce(
            _timing(rest, "urt|upstream_response_time|upstream_time|ut"),
            ingress.struct["upstream_time"].cast(pl.Float64, strict=False) * 1000.0,
        )
        upstream = pl.when(ingress.struct["upstream"].is_in(["", "-"]).not_()).then(ingress.struct["upstream"])
    else:
        response_ms, upstream_ms = none_f, none_f
        upstream = pl.lit(None, dtype=pl.String)
    extra: pl.Expr
    if has_rest and g.select(rest.str.contains('"', literal=True).any()).item():
        # quoted extras not part of a key="value" pair ("$http_x_forwarded_for" and the like)
        quoted = (
            rest.str.extract_all(rf"(?:^|\s){_Q}")
            .list.eval(pl.element().str.strip_chars(' "'))
            .list.eval(pl.element().filter(~pl.element().is_in(["-", ""])))
            .list.join(" ")
        )
        extra = pl.when(quoted != "").then(quoted)
    else:
        extra = pl.lit(None, dtype=pl.String)
    # the extras repeat (response times in ms, a few upstream values): parsed once per
    # distinct text, every field in one pass (the ingress tail's groups read once)
    g = g.with_columns(
        *by_distinct(
            g.select("rest"),
            pl.struct(
                response_ms.alias("response_time_ms"),
                upstream_ms.alias("upstream_response_time_ms"),
                upstream.alias("upstream"),
                extra.alias("extra"),
            ).alias("_extras"),
        ).struct.unnest().get_columns()
    ) if has_rest else g.with_columns(
        response_time_ms=none_f, upstream_response_time_ms=none_f, upstream=upstream, extra=extra
    )
    # stage 1: every attribute as a plain column, computed once (body and severity need only
    # the path and the status)
    stage = (
        g.lazy()
        .with_columns(_target=pl.col("target").str.splitn("?", 2))
        .unnest("_target", separator="_")
        .rename({"_target_field_0": "path", "_target_field_1": "query"})
        .with_columns(status_i=pl.col("status").cast(pl.Int64, strict=False))
        # (a target in absolute form, as a cache or forward proxy logs it, varnishncsa's
        # "GET http://img.example.com/a.jpg": the host is the site asked for, the path the
        # endpoint; the host left in the path read as a provider outside the estate)
        .with_columns(_abs=pl.col("path").str.extract_groups(r"^[A-Za-z][A-Za-z0-9+.\-]*://([^/?#\s]+)(.*)$"))
        .with_columns(
            pl.when(pl.col("_abs").struct.field("1").is_not_null())
            .then(pl.coalesce(pl.col("_abs").struct.field("2").replace("", None), pl.lit("/")))
            .otherwise(pl.col("path"))
            .alias("path"),
            pl.coalesce(
                pl.col("vhost") if "vhost" in g.columns else pl.lit(None, dtype=pl.String),
                pl.col("_abs").struct.field("1"),
            ).alias("vhost"),
        )
        .drop("_abs")
    )
    if want:
        stage = stage.with_columns(
            bytes_i=pl.col("bytes").cast(pl.Int64, strict=False),
            client=dash(pl.col("client")),
            user=dash(pl.col("user").str.strip_chars('"')),
            forwarded_for=pl.col("forwarded_for") if "forwarded_for" in g.columns else pl.lit(None, dtype=pl.String),
            referer=dash(pl.col("referer")),
            user_agent=dash(pl.col("user_agent")),
        )
    g = stage.collect()
    attrs = {} if not want else {
        name: pl.col(source)
        for name, source in (
            ("vhost", "vhost"), ("client", "client"), ("forwarded_for", "forwarded_for"), ("user", "user"), ("method", "method"),
            ("path", "path"), ("query", "query"), ("protocol", "protocol"), ("status", "status_i"),
            ("bytes", "bytes_i"), ("referer", "referer"), ("user_agent", "user_agent"),
            ("response_time_ms", "response_time_ms"),
            ("upstream_response_time_ms", "upstream_response_time_ms"), ("upstream", "upstream"), ("extra", "extra"),
        )
        if g[source].null_count() < g.height  # a field no line has is not encoded at all
    }
    sources = {"status": "status_i", "bytes": "bytes_i"}
    nullable = [n for n in attrs if g[sources.get(n, n)].null_count() > 0]
    sev_text, sev_num = severity_from_http_status(pl.col("status_i"))
    ok = pl.col("status").is_not_null()
    request = pl.col("request")
    body = pl.when(pl.col("method").is_not_null()).then(
        request_body(pl.col("method"), pl.col("path"), pl.col("status"))
    ).otherwise(pl.concat_str(pl.when(request == "").then(pl.lit("-")).otherwise(request), pl.lit(" "), pl.col("status")))
    ts = timestamp_expr("time", sample, options)
    return (
        g.lazy()
        .select(
            guarded_records(
                ok,
                expected='not an access-log line: expected client ident user [time] "request" status bytes',
                timestamp=ts,
                severity_text=sev_text,
                severity_number=sev_num,
                body=body,
                attributes=encode_attributes(attrs, numbers=_NUMBERS, nullable=nullable),
            )
        )
        .cast(RECORD_COLUMNS)
    )


_sniff = share_matching(_COMPILED)


FORMAT = LineFormat(
    name="access",
    description='Apache/Nginx access log (common, combined, vhost, response times): host - user [time] "GET /p HTTP/1.1" 200 123',
    sniff=_sniff,
    parse=_parse,
)

FORMATS = (FORMAT,)
