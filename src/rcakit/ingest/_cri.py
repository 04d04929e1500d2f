"""Kubernetes CRI container logs (containerd / CRI-O, ``/var/log/pods/.../0.log``).

Each line is ``<RFC 3339 nano time> <stream> <tag> <message>``, e.g.
``2024-01-02T03:04:05.123456789Z stdout F payment failed``. The tag is ``F`` (full line) or
``P`` (partial: the runtime split a long line); consecutive ``P`` lines are joined with the
line that follows them into one record. The message is an application log line and is read
like docker's (:func:`rcakit.ingest._jsonl.parse_inner_messages`): JSON, logfmt, or a text
line with a timestamp/level head give ``severity_*``, ``body``, ``service``, ``trace_id`` and
``attributes``; ``timestamp`` is the runtime's (falling back to the inner one) and ``stream``
goes to ``attributes``.

Stack traces the app wrote line by line (one CRI line per frame) are joined back to the app
line they belong to, per stream (:func:`rcakit.ingest._multiline.join_container_continuations`).

The ``kubectl`` format reads what ``kubectl logs --timestamps`` and ``docker logs
--timestamps`` print, ``<RFC 3339 nano time> <message>``, the same way (no stream, no tag).

The ``compose`` format reads what ``docker compose logs`` prints: ``<container> | <line>``
(the container name padded to a common width; ``web-1``, or ``web_1`` from docker-compose
v1), with ``--timestamps`` ``<container> | <RFC 3339 nano time> <line>``. The container's
service (``web-1`` -> ``web``) is the record's ``service`` unless its line names one, the
container is ``container.name`` in ``attributes``, and stack traces are joined per container
(the containers' lines are interleaved).

Files named the kubelet way, ``/var/log/containers/<pod>_<namespace>_<container>-<id>.log``,
give the workload of ``<pod>`` as ``service`` (``ts-travel-service-64469b5b48-25zj6`` ->
``ts-travel-service``) and ``k8s.namespace.name`` / ``k8s.pod.name`` / ``k8s.container.name``
attributes, unless the record names its own service.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

import polars as pl

from rcakit.ingest._base import (
    NO_ATTRIBUTES,
    RECORD_COLUMNS,
    LineFormat,
    ParseOptions,
    guarded_records,
    share_matching,
)
from rcakit.ingest._jsonl import (
    drop_shared_members,
    encode_attributes,
    fold_blank_lines,
    merge_attributes,
    parse_inner_messages,
    timestamp_expr,
    without_timestamp,
)
from rcakit.ingest._multiline import blank_lines_with_the_line_above, join_container_continuations
from rcakit.ingest._service import _HASH as _POD_HASH

__all__ = ["COMPOSE_FORMAT", "CRI_RE", "FLUENTD_FORMAT", "FORMAT", "FORMATS", "POD_PREFIX_FORMAT", "PREFIXED_FORMAT", "TIMESTAMPED_FORMAT"]

#: One CRI line: time, stream, tag (F/P, possibly with ':'-separated extensions), message.
CRI_RE = (
    r"^(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2}))"
    r" (?P<stream>stdout|stderr) (?P<tag>[FP])(?::\S*)?(?: (?P<msg>.*))?$"
)
_COMPILED = re.compile(CRI_RE)
_TIME_RE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$"
# /var/log/containers/<pod>_<namespace>_<container>-<64 hex>.log
_KUBELET_NAME = re.compile(
    r"^(?P<pod>[a-z0-9][-a-z0-9.]*)_(?P<ns>[a-z0-9][-a-z0-9]*)_(?P<container>[a-z0-9][-a-z0-9]*)-[0-9a-f]{64}\.log"
)


def _kubelet_attrs(source: str) -> dict[str, str]:
    m = _KUBELET_NAME.match(PurePath(source).name) if source else None
    if m is None:
        return {}
    return {"k8s.pod.name": m["pod"], "k8s.namespace.name": m["ns"], "k8s.container.name": m["container"]}


def _parse(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:

    heads = fold_blank_lines(lines.collect())
    # split at the first three spaces (no capture regex), then validate each part
    g = (
        heads.lazy()
        .with_columns(_p=pl.col("line").str.splitn(" ", 4))
        .unnest("_p")
        .with_columns(
            _ok=(
                pl.col("field_0").str.contains(_TIME_RE)
                & pl.col("field_1").is_in(["stdout", "stderr"])
                & pl.col("field_2").str.contains(r"^[FP](?::\S*)?$")
            ).fill_null(False)
        )
        .select(
            "line_no", "n_lines", "_blank", "line",
            *[pl.when("_ok").then(pl.col(f)).alias(n) for f, n in (("field_0", "time"), ("field_1", "stream"))],
            pl.when("_ok").then(pl.col("field_2").str.slice(0, 1)).alias("tag"),
            pl.when("_ok").then(pl.col("field_3").fill_null("")).alias("msg"),
        )
        .collect()
    )
    ok = pl.col("tag").is_not_null()
    # a record starts at a line whose predecessor is not a partial CRI line
    prev_partial = (pl.col("tag") == "P").fill_null(False).shift(1, fill_value=False)
    if not g.select(prev_partial.any()).item():
        rec = g.select(
            "line_no", "n_lines", "_blank", pl.col("line").alias("_raw"), "time", "stream", "tag", "msg",
            pl.lit(1, dtype=pl.UInt32).alias("_parts"),
        )
    else:
        rec = _join_partials(g.with_columns(_grp=((~prev_partial) | ~ok).cum_sum()))
    return _records(rec, options)


def _prefixed_rows(
    heads: pl.DataFrame, *, with_columns: dict[str, pl.Expr], matched: pl.Expr, time: pl.Expr, stream: pl.Expr, msg: pl.Expr
) -> pl.DataFrame:
    """Runtime records of a format that puts a prefix in front of each whole app line
    (kubectl/docker ``--timestamps``, docker compose, fluentd): the rows :func:`_records`
    reads, one per line, ``tag`` "F" where the prefix ``matched``, else null."""
    return (
        heads.lazy()
        .with_columns(**with_columns)
        .select(
            "line_no", "n_lines", "_blank", pl.col("line").alias("_raw"),
            pl.when(matched).then(time).alias("time"),
            pl.when(matched).then(stream).alias("stream"),
            pl.when(matched).then(pl.lit("F")).alias("tag"),
            pl.when(matched).then(msg).alias("msg"),
            pl.lit(1, dtype=pl.UInt32).alias("_parts"),
        )
        .collect()
    )


def _parse_timestamped(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    """``kubectl logs --timestamps`` / ``docker logs --timestamps``: a stamp, then the app line."""
    heads = fold_blank_lines(lines.collect())
    g = _prefixed_rows(
        heads,
        with_columns={"_p": pl.col("line").str.splitn(" ", 2)},
        matched=pl.col("_p").struct.field("field_0").str.contains(_TIME_RE).fill_null(False),
        time=pl.col("_p").struct.field("field_0"),
        stream=pl.lit(None, dtype=pl.String),
        msg=pl.col("_p").struct.field("field_1").fill_null(""),
    )
    labels = _loki_labels(g["msg"])
    if labels is not None:
        g = g.with_columns(msg=labels["_msg"])
    return _records(g, options, expected=_TIMESTAMPED_EXPECTED, labels=labels)


# Loki's logcli prints "<time> {label="value", ...} <line>": the label set, then the line
_LOKI_LABELS = r'^\{(?:[A-Za-z_][A-Za-z0-9_.]*="(?:[^"\\]|\\.)*"(?:,\s*)?)*\}(?:\s|$)'
_LOKI_LABEL = r'([A-Za-z_][A-Za-z0-9_.]*)="(?:[^"\\]|\\.)*"'


def _loki_labels(msg: pl.Series) -> pl.DataFrame | None:
    """logcli's label sets, one row per line: ``_msg`` (the line after the set), and the
    set read as logfmt pairs: ``service`` (``app``, ``service_name``, ``service``...),
    ``severity_*`` (a ``level`` label), the other labels as ``attributes``, ``_keys`` (the
    label names). None when no line has one."""
    has = msg.str.contains(_LOKI_LABELS).fill_null(False)
    if not has.any():
        return None
    from rcakit.ingest._logfmt import parse_texts

    head = msg.str.extract(f"({_LOKI_LABELS})", 1)
    pairs = head.str.strip_chars().str.strip_prefix("{").str.strip_suffix("}").str.replace_all(r'",\s*', '" ')
    fields = parse_texts(pairs.fill_null(""), ParseOptions())
    return pl.DataFrame(
        {
            "_msg": msg.str.slice(head.str.len_chars().fill_null(0)),
            "service": fields["service"],
            "severity_text": fields["severity_text"],
            "severity_number": fields["severity_number"],
            "attributes": fields["attributes"].set(head.is_null(), None),
            "_keys": head.str.extract_all(_LOKI_LABEL).list.eval(pl.element().str.extract(r"^([^=]+)=", 1)),
        }
    )


def _join_partials(g: pl.DataFrame) -> pl.DataFrame:
    return (
        g.lazy()
        .group_by("_grp", maintain_order=True)
        .agg(
            pl.col("line_no").first(),
            pl.col("n_lines").sum(),
            pl.col("_blank").first(),
            pl.col("line").first().alias("_raw"),
            pl.col("time").first(),
            pl.col("stream").first(),
            pl.col("tag").first(),
            pl.col("msg").fill_null("").str.join("").alias("msg"),
            pl.len().cast(pl.UInt32).alias("_parts"),
        )
        .drop("_grp")
        .collect()
    )


_CRI_EXPECTED = "not a CRI line: expected '<RFC 3339 time> stdout|stderr F|P <message>'"
_TIMESTAMPED_EXPECTED = "not a timestamped container line: expected '<RFC 3339 time> <message>'"


def _records(
    rec: pl.DataFrame,
    options: ParseOptions,
    *,
    expected: str = _CRI_EXPECTED,
    labels: pl.DataFrame | None = None,
    stream_key: str = "stream",
    runtime_service: pl.Expr | None = None,
    inner_time_first: bool = False,
    stream_attrs: dict[str, pl.Expr] | None = None,
    join_key: pl.Expr | None = None,
) -> pl.LazyFrame:
    """Records of runtime-wrapped app lines (``rec``: one row per runtime record with
    ``time``, ``stream``, ``tag`` (null: not a runtime line), ``msg``, ``_parts``, ``_raw``).

    ``stream_key`` names the ``stream`` column in ``attributes`` (stack traces are joined per
    stream); ``runtime_service`` is the service when neither the app line nor a label names
    one (before a kubelet file name's pod); ``inner_time_first``: the app line's own stamp
    wins over ``time`` (which is coarser); ``stream_attrs``: the attributes made of the
    ``stream`` column, instead of ``stream_key``; ``join_key``: what stack traces are joined
    per (an expression over ``rec``), instead of the ``stream`` column.
    """
    from rcakit.ingest._service import workload_from_pod

    sample = rec["time"].drop_nulls().head(200).to_list()
    # the runtime's time wins over the app line's: when every CRI line has one, the app
    # line's stamp is not parsed at all
    rec = rec.lazy().with_columns(timestamp_expr("time", sample, options).alias("\x00ts")).collect()
    stamped = not inner_time_first and rec.select((pl.col("\x00ts").is_not_null() | pl.col("tag").is_null()).all()).item()
    inner = parse_inner_messages(
        rec["msg"], without_timestamp(options) if stamped else options, with_kind=True, with_text=True
    )
    text = rec["msg"] if inner["text"].is_not_null().sum() == 0 else inner["text"].fill_null(rec["msg"])
    inner = inner.drop("text")
    kube = _kubelet_attrs(options.source)
    outer = {
        **{k: pl.lit(v) for k, v in kube.items()},
        **(stream_attrs if stream_attrs is not None else {stream_key: pl.col("stream")}),
        "cri.partials": pl.when(pl.col("_parts") > 1).then(pl.col("_parts")),
    }
    if rec["stream"].null_count() == rec.height:  # kubectl/docker --timestamps: no stream
        for key in (stream_key, "cri.partials", *(stream_attrs or {})):
            outer.pop(key, None)
    frame = pl.concat([rec, inner.rename({c: f"_in_{c}" for c in inner.columns})], how="horizontal")
    label_service = pl.lit(None, dtype=pl.String)
    outer_attrs = encode_attributes(outer, numbers=("cri.partials",))
    if labels is not None:
        frame = frame.with_columns(
            _l_service=labels["service"],
            _l_attributes=labels["attributes"],
            # a "level" label is the level of lines that do not say
            _in_severity_text=pl.coalesce(frame["_in_severity_text"], labels["severity_text"]),
            _in_severity_number=pl.coalesce(frame["_in_severity_number"], labels["severity_number"]),
        )
        label_service = pl.col("_l_service")
        outer_attrs = merge_attributes(pl.col("_l_attributes"), outer_attrs)
        if options.wants("attributes"):
            # a label wins over the app line's key of the same name
            keys = labels["_keys"].explode().drop_nulls().unique().sort().to_list()
            label_keys = {
                k: pl.when(pl.col("_l_attributes").str.contains(f"[{{,]{re.escape(json.dumps(k))}:")).then(pl.lit(k))
                for k in keys
            }
            frame = drop_shared_members(frame, "_in_attributes", label_keys)
    if options.wants("attributes"):
        frame = drop_shared_members(frame, "_in_attributes", outer)  # the runtime's stream wins
    attrs = merge_attributes(outer_attrs, pl.col("_in_attributes")) if options.wants("attributes") else NO_ATTRIBUTES
    pod_service = workload_from_pod(pl.lit(kube["k8s.pod.name"])) if kube else pl.lit(None, dtype=pl.String)
    if runtime_service is not None:
        pod_service = pl.coalesce(runtime_service, pod_service)
    good = pl.col("tag").is_not_null()
    ts = pl.col("\x00ts")
    out = (
        frame.lazy()
        .select(
            guarded_records(
                good,
                expected=expected,
                timestamp=pl.coalesce(pl.col("_in_timestamp"), ts) if inner_time_first else pl.coalesce(ts, pl.col("_in_timestamp")),
                severity_text=pl.col("_in_severity_text"),
                severity_number=pl.col("_in_severity_number"),
                service=pl.coalesce(pl.col("_in_service"), label_service, pod_service),
                body=pl.col("_in_body"),
                trace_id=pl.col("_in_trace_id"),
                attributes=attrs,
                raw="_raw",
            )
        )
        .cast(RECORD_COLUMNS)
        .collect()
    )
    # a stack trace the app wrote line by line is one record (the runtime wrapped each line)
    kind = frame.select(pl.when(good).then(pl.col("_in_kind"))).to_series()
    stream = rec["stream"] if join_key is None else rec.select(join_key).to_series()
    return join_container_continuations(out, stream=stream, kind=kind, text=text).lazy()


_sniff = share_matching(_COMPILED)

# "<RFC 3339 stamp> <rest>": group 1 the stamp's fraction, group 2 the rest's first word
_TIMESTAMPED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(\d{1,9}))?(?:Z|[+-]\d{2}:?\d{2}) (\S*)")
_STAMP_START = re.compile(r"^\[?\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[T\s_]")
#: the first word of AWS Lambda's own lines between a function's (a CloudWatch Logs export
#: to S3 writes "<stamp> START RequestId: ...", "<stamp> REPORT RequestId: ... Duration: ..."
#: around each invocation's JSON or text lines)
_LAMBDA_PLATFORM = frozenset(
    ("START", "END", "REPORT", "INIT_START", "INIT_REPORT", "INIT_RUNTIME_DONE", "EXTENSION", "TELEMETRY", "RESTORE_START")
)


def _sniff_timestamped(sample: list[str]) -> float:
    """Nearly every line starts with an RFC 3339 stamp and a space, and the stamp is the
    runtime's, not the app's: nanosecond stamps (as kubectl and docker print them) or an
    app line that is JSON or starts with its own timestamp (or is AWS Lambda's own START,
    END or REPORT line: a CloudWatch Logs export to S3). A text log whose own lines
    start with an ISO stamp and a level is left to the ``text`` format."""
    lines = [s for s in sample if s.strip()]
    if not lines:
        return 0.0
    matches = [m for m in map(_TIMESTAMPED.match, lines) if m is not None]
    share = len(matches) / len(lines)
    if share < 0.9:  # an unprefixed line (a stack frame) means the app wrote the stamps
        return 0.0

    def wrapped(m: re.Match[str]) -> bool:
        rest = m.group(2)
        return (
            len(m.group(1) or "") == 9 or rest.startswith("{") or bool(_STAMP_START.match(rest))
            or rest in _LAMBDA_PLATFORM
        )

    return share if sum(map(wrapped, matches)) >= 0.5 * len(matches) else 0.0


FORMAT = LineFormat(
    name="cri",
    description="Kubernetes CRI container log (2024-01-02T03:04:05.123456789Z stdout F message), P partials joined",
    sniff=_sniff,
    parse=_parse,
)

TIMESTAMPED_FORMAT = LineFormat(
    name="kubectl",
    description="kubectl logs --timestamps / docker logs --timestamps (2024-01-02T03:04:05.123456789Z message)",
    sniff=_sniff_timestamped,
    parse=_parse_timestamped,
)

# docker compose logs: "<container> | <line>"; the container name may come in a colour
_ANSI = r"(?:\x1b\[[0-9;]*m)?"
# (pm2's "pm2 logs" writes "<app id>|<app name> | <line>": "0|api      | ...";
# "docker service logs" "<service>.<slot>.<task id>@<node> | <line>")
_COMPOSE_RE = rf"^{_ANSI}((?:\d+\|)?[A-Za-z0-9][A-Za-z0-9_.@\-]*)[ \t]+\| ?{_ANSI} ?(.*)$"
_COMPOSE = re.compile(_COMPOSE_RE)
# a swarm task: "shop_web.2.m9n8b7v6c5x4z3l2k1j0h9g8f@worker-2" (--no-task-ids: "shop_web.2@worker-2")
_SWARM_TASK_RE = r"^([A-Za-z0-9][A-Za-z0-9_.\-]*?)\.\d+(?:\.[a-z0-9]{25})?@[A-Za-z0-9_.\-]+$"
# docker's --timestamps stamp (RFC 3339 with exactly nine fraction digits), then the line
_RUNTIME_STAMP_RE = r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}(?:Z|[+-]\d{2}:\d{2})) (.*)$"
_REPLICA_RE = r"[-_][0-9]+$"
_PM2_ID_RE = r"^\d+\|"
# pm2's own lines between the apps' ("[TAILING] Tailing last 15 lines for [api] process",
# "/home/app/.pm2/logs/api-out.log last 15 lines:")
_PM2_BANNER = re.compile(r"^(?:\[TAILING\] .*|\S+\.log last \d+ lines:)$")
_LEVEL_WORDS = frozenset(
    ("trace", "debug", "info", "notice", "warn", "warning", "error", "err", "fatal", "critical", "crit", "panic", "severe")
)
_COMPOSE_EXPECTED = "not a docker compose line: expected '<container> | <line>'"


def _sniff_compose(sample: list[str]) -> float:
    """Nearly every line is ``<name> | ...``, and the names are containers: a replica number
    (``web-1``) or several names; never a level word (``INFO | msg`` is an app's own layout)."""
    lines = [s for s in sample if s.strip() and not _PM2_BANNER.match(s)]
    names = [m.group(1) for m in map(_COMPOSE.match, lines) if m is not None]
    if not lines or len(names) < 0.9 * len(lines):
        return 0.0
    if any(n.lower() in _LEVEL_WORDS for n in names):
        return 0.0
    numbered = sum(bool(re.search(_REPLICA_RE, n) or re.match(_PM2_ID_RE, n) or re.match(_SWARM_TASK_RE, n)) for n in names)
    if numbered < 0.5 * len(names) and len(set(names)) < 2:
        return 0.0
    return len(names) / len(lines)


def _parse_compose(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    """``docker compose logs``: a container name and ``|``, then the app line (see the module docs)."""
    heads = fold_blank_lines(lines.collect())
    name = pl.col("_g").struct.field("1")
    rest = pl.col("_g").struct.field("2")
    stamped = rest.str.extract_groups(_RUNTIME_STAMP_RE)
    g = _prefixed_rows(
        heads,
        with_columns={"_g": pl.col("line").str.extract_groups(_COMPOSE_RE)},
        matched=name.is_not_null(),
        time=stamped.struct.field("1"),
        stream=name,
        msg=pl.coalesce(stamped.struct.field("2"), rest),
    )
    swarm = pl.col("stream").str.extract(_SWARM_TASK_RE, 1)
    service = pl.coalesce(swarm, pl.col("stream").str.replace(_REPLICA_RE, "").str.replace(_PM2_ID_RE, ""))
    return _records(
        g, options, expected=_COMPOSE_EXPECTED, stream_key="container.name", runtime_service=service
    )


COMPOSE_FORMAT = LineFormat(
    name="compose",
    description="docker compose logs (web-1  | message; with --timestamps, a stamp after the bar)",
    sniff=_sniff_compose,
    parse=_parse_compose,
)

# fluentd's out_file (and fluent-bit's file output in its default "out_file" format):
# "<time>\t<tag>\t<JSON record>"
_FLUENTD_RE = (
    r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?)\t([^\t]+)\t(\{.*\})[ \t]*$"
)
_FLUENTD = re.compile(_FLUENTD_RE)
# a tag made from a kubelet container file name: kube.var.log.containers.<pod>_<ns>_<container>-<id>.log
_TAG_POD_RE = r"(?:^|\.)containers\.([a-z0-9][-a-z0-9.]*?)_[a-z0-9][-a-z0-9]*_[a-z0-9][-a-z0-9]*-[0-9a-f]+\.log$"
_FLUENTD_EXPECTED = "not a fluentd out_file line: expected '<time>\\t<tag>\\t<JSON record>'"


def _sniff_fluentd(sample: list[str]) -> float:
    share = share_matching(_FLUENTD)(sample)
    return share if share >= 0.9 else 0.0


def _parse_fluentd(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    """fluentd's ``out_file``: the time, the tag, the record (read as an app line: JSON,
    with docker's ``log`` inside read too). The tag is attribute ``fluentd.tag`` (stack
    traces are joined per tag); a tag made from a kubelet file name gives the pod's
    workload as the service when the record names none."""
    from rcakit.ingest._service import workload_from_pod

    heads = fold_blank_lines(lines.collect())
    field = pl.col("_g").struct.field
    g = _prefixed_rows(
        heads,
        with_columns={"_g": pl.col("line").str.extract_groups(_FLUENTD_RE)},
        matched=field("1").is_not_null(),
        time=field("1"),
        stream=field("2"),
        msg=field("3"),
    )
    pod = workload_from_pod(pl.col("stream").str.extract(_TAG_POD_RE, 1))
    # fluentd's default time format has whole seconds: an app line's finer stamp is better
    coarse = not g["time"].drop_nulls().head(200).str.contains(r"\d[.,]\d").any()
    return _records(
        g, options, expected=_FLUENTD_EXPECTED, stream_key="fluentd.tag", runtime_service=pod, inner_time_first=coarse
    )


# The stdout outputs of the log shippers, one event per line between the agent's own log
# lines: Fluent Bit's (the event's msgpack printed Ruby-style, "[0] <tag>: [[<epoch>, {}],
# {"log"=>"..."}]"; before 2.0 "[0] <tag>: [<epoch>, {...}]") and fluentd's out_stdout
# ("<time> +0000 <tag>: {<JSON record>}")
_FLUENTBIT_STDOUT_RE = r"^\[\d+\] ([^\s:\[\]]+): \[\[?(\d{9,10}(?:\.\d{1,9})?)(?:, \{[^{}]*\}\])?, (\{.*\})\][ \t]*$"
_FLUENTD_STDOUT_RE = (
    r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?: ?[+-]\d{2}:?\d{2}|Z)?) ([^\s:\[\]]+): (\{.*\})[ \t]*$"
)
_SHIPPER_STDOUT = (re.compile(_FLUENTBIT_STDOUT_RE), re.compile(_FLUENTD_STDOUT_RE))
_SHIPPER_EXPECTED = "not a Fluent Bit or fluentd stdout event: expected '[N] <tag>: [[<epoch>, {}], {...}]' or '<time> <tag>: {...}'"


def read_shipper_stdout(lines: pl.LazyFrame, options: ParseOptions, sample: list[str]) -> pl.LazyFrame | None:
    """Records of a capture of Fluent Bit's or fluentd's stdout output: each event line a
    record (the time the shipper's; the record's ``log`` or ``message``, else the record,
    read as a container's app line; the tag as attribute ``fluentd.tag``, a tag made from
    a kubelet file name giving the pod's workload as the service), the agent's own lines read
    as a text log, in line order. ``None`` when no line of ``sample`` is such an event (the
    file's other lines then pay nothing) or the text records would span event lines."""
    from rcakit.ingest._service import workload_from_pod
    from rcakit.ingest._text import parse_text_between

    which = next((i for i, rx in enumerate(_SHIPPER_STDOUT) if any(rx.match(x) for x in sample)), None)
    if which is None:
        return None
    regex = (_FLUENTBIT_STDOUT_RE, _FLUENTD_STDOUT_RE)[which]
    df = lines.collect()
    is_event = df.select(pl.col("line").str.contains(regex).fill_null(False)).to_series()
    is_event = blank_lines_with_the_line_above(df, is_event)
    rest = df.filter(~is_event)
    parts = []
    if rest.height:
        text = parse_text_between(rest, options)
        if text is None:
            return None
        parts.append(text.lazy())
    heads = fold_blank_lines(df.filter(is_event).select("line_no", "line"))
    field = pl.col("_g").struct.field
    record = field("3")
    if which == 0:  # Ruby's "key"=>value to JSON's "key":value (a quote in a string is escaped)
        record = record.str.replace_all(r'(^|[^\\])"=>', '$1":')
    # the app line a runtime wrote ("log") or an agent read ("message"), else the record
    record = pl.coalesce(record.str.json_path_match("$.log"), record.str.json_path_match("$.message"), record)
    g = _prefixed_rows(
        heads,
        with_columns={"_g": pl.col("line").str.extract_groups(regex)},
        matched=field("1").is_not_null(),
        time=field(str(2 - which)),
        stream=field(str(1 + which)),
        msg=record,
    )
    pod = workload_from_pod(pl.col("stream").str.extract(_TAG_POD_RE, 1))
    parts.insert(0, _records(g, options, expected=_SHIPPER_EXPECTED, stream_key="fluentd.tag", runtime_service=pod))
    return pl.concat(parts).sort("line_no", maintain_order=True)


FLUENTD_FORMAT = LineFormat(
    name="fluentd",
    description="fluentd out_file (2024-01-02T03:04:05+00:00<TAB>tag<TAB>{json record})",
    sniff=_sniff_fluentd,
    parse=_parse_fluentd,
)

# A command-line tool's prefix in front of each app line, as a table: each layout is a regex
# whose named groups are the prefix's parts and "msg" the app line ("time": the tool's own
# stamp), the attributes and the service made of those parts. The app line may start with
# the runtime's stamp (``--timestamps``). Lines are grouped into streams by the prefix (its
# parts), and stack traces are joined per stream.
@dataclass(frozen=True)
class _Prefix:
    regex: str
    attrs: dict[str, str]  # attribute -> group
    service: Callable[[Callable[[str], pl.Expr]], pl.Expr] | None = None
    check: Callable[[re.Match[str]], bool] | None = None  # a sniffed line's further test
    banner: str | None = None  # the tool's own lines above the app lines (not sniffed)
    #: the banner's lines are the tool's notices, records without a parse error (stern's)
    notices: bool = False
    #: the parts whose lines a stack trace joins across (default: all); cf's instance, not
    #: its OUT/ERR stream: an app may log its error to stdout and print the trace to stderr
    joined_by: tuple[str, ...] | None = None

    @functools.cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.regex)

    @functools.cached_property
    def parts(self) -> tuple[str, ...]:
        return tuple(n for n in self.compiled.groupindex if n not in ("msg", "time"))

    def share(self, lines: list[str]) -> float:
        if self.banner is not None:
            lines = [s for s in lines if not re.match(self.banner, s)]
        if not lines:
            return 0.0
        ok = [m for m in map(self.compiled.match, lines) if m is not None and (self.check is None or self.check(m))]
        return len(ok) / len(lines)


def _workload(part: str) -> Callable[[Callable[[str], pl.Expr]], pl.Expr]:
    from rcakit.ingest._service import workload_from_pod

    return lambda field: workload_from_pod(field(part))


_K8S_NAME = r"[a-z0-9][-a-z0-9.]*"
_K8S_LABEL = r"[a-z0-9][-a-z0-9]*"
_POD_ATTRS = {"k8s.pod.name": "pod", "k8s.container.name": "container"}
# a pod name's generated suffix (Deployment, DaemonSet, Job): the consonants and digits
# Kubernetes draws random names from
_POD_SUFFIX = re.compile(rf"-{_POD_HASH}{{5}}$")
#: kubectl logs --prefix (several pods: -l app=x, deploy/x), stern
_POD_PREFIXES = (
    _Prefix(rf"^\[pod/(?P<pod>{_K8S_NAME})/(?P<container>{_K8S_LABEL})\] ?(?P<msg>.*)$", _POD_ATTRS, _workload("pod")),
    _Prefix(
        rf"^(?P<pod>{_K8S_NAME}) (?P<container>{_K8S_LABEL}) (?P<msg>.*)$",
        _POD_ATTRS,
        _workload("pod"),
        check=lambda m: bool(_POD_SUFFIX.search(m["pod"])),
        # (stern's own "+ <pod> › <container>" and "- <pod> › <container>" lines, on stderr,
        # in the file when it was captured with 2>&1)
        banner=rf"^[+-] {_K8S_NAME} › {_K8S_LABEL}\s*$",
        notices=True,
    ),
)
#: argo logs (the pod of a workflow's step: "<workflow>-<node id>"), tkn pipelinerun/taskrun
#: logs ("[<task> : <step>]"), cf logs (Cloud Foundry: an indented stamp, the source and
#: instance, OUT or ERR)
_CLI_PREFIXES = (
    _Prefix(rf"^(?P<pod>{_K8S_NAME}-\d{{6,10}}): (?P<msg>.*)$", {"k8s.pod.name": "pod"}),
    _Prefix(
        rf"^\[(?P<task>{_K8S_LABEL}) : (?P<step>{_K8S_LABEL})\] (?P<msg>.*)$",
        {"tekton.task": "task", "tekton.step": "step"},
        lambda field: field("task"),
    ),
    _Prefix(
        r"^\s*(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})) "
        r"\[(?P<source>[A-Z]+(?:/[A-Za-z0-9_.\-]+)*)\] (?P<stream>OUT|ERR) (?P<msg>.*)$",
        {"cf.source": "source", "cf.stream": "stream"},
        banner=r"^(?:Retrieving logs for app |Connected, tailing logs for app )",
        joined_by=("source",),
    ),
)
_POD_STAMP_RE = r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})) (.*)$"
_POD_EXPECTED = "not a kubectl --prefix or stern line: expected '[pod/<pod>/<container>] <line>' or '<pod> <container> <line>'"
_PREFIXED_EXPECTED = (
    "not an argo, tkn or cf logs line: expected '<pod>: <line>', '[<task> : <step>] <line>' "
    "or '<time> [<source>] OUT|ERR <line>'"
)
# the parts of a stream, joined (no tool's prefix holds a unit separator)
_PART_SEP = "\x1f"


def _sniff_prefixed(layouts: tuple[_Prefix, ...]) -> Callable[[list[str]], float]:
    """Nearly every line (90 %) has one of the ``layouts``' prefixes."""

    def sniff(sample: list[str]) -> float:
        lines = [s for s in sample if s.strip()]
        share = max((p.share(lines) for p in layouts), default=0.0)
        return share if share >= 0.9 else 0.0

    return sniff


def _parse_prefixed(layouts: tuple[_Prefix, ...], expected: str) -> Callable[[pl.LazyFrame, ParseOptions], pl.LazyFrame]:
    def parse(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
        """The prefix's parts, then the app line (an optional runtime stamp first; the
        tool's own stamp wins); the service and attributes from the parts, and stack traces
        joined per stream (their lines are interleaved)."""
        heads = fold_blank_lines(lines.collect())
        sample = [s for s in heads["line"].head(200).to_list() if s.strip()]
        layout = max(layouts, key=lambda p: p.share(sample))  # (the first of equals)
        g = pl.col("_g").struct.field
        rest = g("msg")
        stamped = rest.str.extract_groups(_POD_STAMP_RE)
        with_time = "time" in layout.compiled.groupindex
        rec = _prefixed_rows(
            heads,
            with_columns={"_g": pl.col("line").str.extract_groups(layout.regex)},
            matched=rest.is_not_null(),
            time=g("time") if with_time else stamped.struct.field("1"),
            stream=pl.concat_str([g(p) for p in layout.parts], separator=_PART_SEP),
            msg=rest if with_time else pl.coalesce(stamped.struct.field("2"), rest),
        )

        def field(part: str) -> pl.Expr:
            return pl.col("stream").str.split(_PART_SEP).list.get(layout.parts.index(part), null_on_oob=True)

        records = _records(
            rec,
            options,
            expected=expected,
            runtime_service=layout.service(field) if layout.service is not None else None,
            inner_time_first=rec["time"].null_count() == rec.height,
            stream_attrs={k: field(v) for k, v in layout.attrs.items()},
            join_key=None if layout.joined_by is None else pl.concat_str([field(p) for p in layout.joined_by], separator=_PART_SEP),
        )
        if layout.notices and layout.banner is not None:
            notice = pl.col("parse_error").is_not_null() & pl.col("body").str.contains(layout.banner)
            records = records.with_columns(pl.when(notice).then(None).otherwise(pl.col("parse_error")).alias("parse_error"))
        return records

    return parse


POD_PREFIX_FORMAT = LineFormat(
    name="pod-prefix",
    description="kubectl logs --prefix ([pod/<pod>/<container>] line) and stern (<pod> <container> line)",
    sniff=_sniff_prefixed(_POD_PREFIXES),
    parse=_parse_prefixed(_POD_PREFIXES, _POD_EXPECTED),
)

PREFIXED_FORMAT = LineFormat(
    name="prefixed",
    description="argo logs (<pod>: line), tkn pr logs ([<task> : <step>] line), cf logs --recent (<time> [APP/PROC/WEB/0] OUT line)",
    sniff=_sniff_prefixed(_CLI_PREFIXES),
    parse=_parse_prefixed(_CLI_PREFIXES, _PREFIXED_EXPECTED),
)

FORMATS = (FORMAT, TIMESTAMPED_FORMAT, COMPOSE_FORMAT, FLUENTD_FORMAT, POD_PREFIX_FORMAT, PREFIXED_FORMAT)
