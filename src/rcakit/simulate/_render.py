"""Render record frames as the bytes of each log format (all polars string expressions).

Every renderer takes a frame sorted by time and returns a ``pl.Series`` of records (a
record may hold several physical lines, e.g. a Java stack trace), except
:func:`render_kibana_csv`, which returns the export as a frame to be written with
``write_csv``.
"""

from __future__ import annotations

import polars as pl

__all__ = [
    "render_container",
    "render_jsonl",
    "render_kibana_csv",
    "render_logback",
    "render_logfmt",
    "render_nginx",
    "render_python",
    "render_syslog",
]

TS = pl.col("t_us").cast(pl.Datetime("us", time_zone="UTC"))
ISO_MS = TS.dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
MS = (pl.col("t_us") // 1000 % 1000).cast(pl.String).str.zfill(3)
LEVEL_LOWER = pl.col("level").str.to_lowercase()


def render_jsonl(frame: pl.DataFrame, *, service: str, style: str) -> pl.Series:
    """JSON lines; ``style`` picks the key spellings: ``ts``, ``ecs`` or ``timestamp``."""
    if style == "ecs":
        fields = {
            "@timestamp": ISO_MS,
            "log.level": LEVEL_LOWER,
            "service.name": pl.lit(service),
            "log.logger": pl.col("logger"),
            "message": pl.col("msg"),
            "trace.id": pl.col("trace_id"),
            "event.duration": pl.col("took_ms") * 1_000_000,
            "host.name": pl.col("pod"),
            "error.stack_trace": pl.col("stack"),
        }
    elif style == "timestamp":
        fields = {
            "timestamp": ISO_MS,
            "severity": pl.col("level").replace({"WARN": "WARNING"}),
            "service": pl.lit(service),
            "logger": pl.col("logger"),
            "message": pl.col("msg"),
            "trace_id": pl.col("trace_id"),
            "duration_ms": pl.col("took_ms"),
            "pod": pl.col("pod"),
            "stack": pl.col("stack"),
        }
    else:
        fields = {
            "ts": ISO_MS,
            "level": LEVEL_LOWER,
            "service": pl.lit(service),
            "logger": pl.col("logger"),
            "msg": pl.col("msg"),
            "trace_id": pl.col("trace_id"),
            "duration_ms": pl.col("took_ms"),
            "host": pl.col("pod"),
            "stack": pl.col("stack"),
        }
    line = pl.struct([expr.alias(key) for key, expr in fields.items()]).struct.json_encode().str.replace_all(r',"[a-z_.@]+":null', "")
    return frame.select(line.alias("line")).to_series()


def _java_thread() -> pl.Expr:
    logger = pl.col("logger")
    return (
        pl.when(logger.str.ends_with("Application")).then(pl.lit("main"))
        .when(logger.str.contains("Scheduler|PoolMonitor")).then(pl.lit("scheduling-1"))
        .otherwise(pl.format("http-nio-8080-exec-{}", pl.col("t_us") // 7 % 20 + 1))
    )


def _with_stack(line: pl.Expr) -> pl.Expr:
    return pl.when(pl.col("stack").is_null()).then(line).otherwise(pl.concat_str([line, pl.lit("\n"), pl.col("stack")]))


def render_logback(frame: pl.DataFrame) -> pl.Series:
    """``%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger [trace_id=%X{traceId}] - %msg%n%ex``."""
    line = pl.format(
        "{} {} [{}] {} [trace_id={}] - {}",
        TS.dt.strftime("%Y-%m-%d %H:%M:%S%.3f"),
        pl.col("level").str.pad_end(5),
        _java_thread(),
        pl.col("logger"),
        pl.col("trace_id").fill_null(""),
        pl.col("msg"),
    )
    return frame.select(_with_stack(line).alias("line")).to_series()


def _python_line() -> pl.Expr:
    return pl.format(
        "{},{} {} [{}] [trace_id={}] - {}",
        TS.dt.strftime("%Y-%m-%d %H:%M:%S"),
        MS,
        pl.col("level").replace({"WARN": "WARNING"}),
        pl.col("logger"),
        pl.col("trace_id").fill_null("0"),
        pl.col("msg"),
    )


def render_python(frame: pl.DataFrame) -> pl.Series:
    """``%(asctime)s %(levelname)s [%(name)s] [trace_id=%(otelTraceID)s] - %(message)s`` + tracebacks."""
    return frame.select(_with_stack(_python_line()).alias("line")).to_series()


def _logfmt_quote(expr: pl.Expr) -> pl.Expr:
    escaped = expr.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)
    return pl.concat_str([pl.lit('"'), escaped, pl.lit('"')])


def render_logfmt(frame: pl.DataFrame, *, service: str) -> pl.Series:
    """go-kit style logfmt: ``ts= level= service= caller= [trace_id=] msg="..." [took_ms=]``."""
    trace = pl.when(pl.col("trace_id").is_null()).then(pl.lit("")).otherwise(pl.lit(" trace_id=") + pl.col("trace_id"))
    took = pl.when(pl.col("took_ms").is_null()).then(pl.lit("")).otherwise(pl.lit(" took_ms=") + pl.col("took_ms").cast(pl.String))
    line = pl.concat_str(
        [
            pl.lit("ts="), ISO_MS,
            pl.lit(" level="), LEVEL_LOWER,
            pl.lit(f" service={service} caller="), pl.col("logger"),
            trace,
            pl.lit(" msg="), _logfmt_quote(pl.col("msg")),
            took,
        ]
    )
    return frame.select(line.alias("line")).to_series()


def render_kibana_csv(frame: pl.DataFrame, *, namespace: str, container: str) -> pl.DataFrame:
    """A Kibana Discover CSV export (newest first, as Kibana sorts it).

    Columns ``@timestamp, kubernetes.namespace_name, kubernetes.pod_name,
    kubernetes.container_name, stream, message``; ``message`` holds the container runtime's
    JSON (``{"log": "...\\n", "stream": ..., "time": ...}``) around the application's line.
    """
    stream = pl.when(pl.col("level") == "INFO").then(pl.lit("stdout")).otherwise(pl.lit("stderr"))
    runtime = pl.struct(
        log=pl.concat_str([_python_line(), pl.lit("\n")]),
        stream=stream,
        time=TS.dt.strftime("%Y-%m-%dT%H:%M:%S%.9fZ"),
    ).struct.json_encode()
    out = frame.select(
        pl.col("t_us"),
        ISO_MS.alias("@timestamp"),
        pl.lit(namespace).alias("kubernetes.namespace_name"),
        pl.col("pod").alias("kubernetes.pod_name"),
        pl.lit(container).alias("kubernetes.container_name"),
        stream.alias("stream"),
        runtime.alias("message"),
    )
    return out.reverse().drop("t_us")


def render_nginx(frame: pl.DataFrame) -> pl.Series:
    """``$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time``."""
    line = pl.format(
        '{} - - [{}] "{} {} HTTP/1.1" {} {} "{}" "{}" {}.{}',
        pl.col("ip"),
        TS.dt.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        pl.col("method"),
        pl.col("path"),
        pl.col("status"),
        pl.col("bytes"),
        pl.col("referer"),
        pl.col("ua"),
        pl.col("rt_ms") // 1000,
        (pl.col("rt_ms") % 1000).cast(pl.String).str.zfill(3),
    )
    return frame.select(line.alias("line")).to_series()


# postgres severity -> syslog severity (as postgres maps them), facility local0
_PRI = {"LOG": 134, "WARNING": 133, "ERROR": 132, "FATAL": 131, "PANIC": 130}


def render_syslog(frame: pl.DataFrame, *, app: str, host: str, rfc: int) -> pl.Series:
    """Postgres via syslog (``log_destination=syslog``, ``syslog_ident`` = the service name).

    ``rfc=5424``: ``<PRI>1 TIMESTAMP HOST APP PID - - MSG``; ``rfc=3164``:
    ``<PRI>Mmm dd hh:mm:ss HOST APP[PID]: MSG``. The message is postgres' own
    ``[session-line] LEVEL:  text``.
    """
    pri = pl.col("level").replace_strict(_PRI, default=134).cast(pl.String)
    pid = (pl.col("t_us") // 1_000_003 % 4000 + 1200).cast(pl.String)
    body = pl.format("[{}-1] {}:  {}", pl.col("t_us") // 997 % 90 + 1, pl.col("level"), pl.col("msg"))
    if rfc == 5424:
        line = pl.format("<{}>1 {} {} {} {} - - {}", pri, ISO_MS, pl.lit(host), pl.lit(app), pid, body)
    else:
        line = pl.format("<{}>{} {} {}[{}]: {}", pri, TS.dt.strftime("%b %e %H:%M:%S"), pl.lit(host), pl.lit(app), pid, body)
    return frame.select(line.alias("line")).to_series()


def render_container(frame: pl.DataFrame, *, runtime: str) -> pl.Series:
    """What the container runtime stores for an app writing Python-style text lines.

    ``runtime="cri"``: Kubernetes CRI lines ``<RFC 3339 nanos> <stream> F <line>``;
    ``runtime="docker"``: docker json-file objects ``{"log": "<line>\\n", "stream", "time"}``.
    The runtime splits a record at its newlines, so each stack-trace line is an entry of
    its own (same time and stream), as in real container logs.
    """
    stream = pl.when(pl.col("level") == "INFO").then(pl.lit("stdout")).otherwise(pl.lit("stderr"))
    parts = frame.select(
        time=TS.dt.strftime("%Y-%m-%dT%H:%M:%S%.9fZ"),
        stream=stream,
        text=_with_stack(_python_line()).str.split("\n"),
    ).explode("text")
    if runtime == "cri":
        line = pl.format("{} {} F {}", pl.col("time"), pl.col("stream"), pl.col("text"))
    else:
        line = pl.struct(log=pl.col("text") + "\n", stream=pl.col("stream"), time=pl.col("time")).struct.json_encode()
    return parts.select(line.alias("line")).to_series()
