"""The reader core and the text formats: raw, text heads, syslog, logparser patterns."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

import rcakit
from rcakit.errors import ConfigError, InputError, RcakitWarning
from rcakit.ingest import FORMATS, detect_format, read_logs, scan_logs, summarize
from rcakit.ingest._files import expand_sources, lines_frame, physical_line_count
from rcakit.ingest._service import file_services, service_from_path, workload_from_pod
from rcakit.schemas import LOG_RECORDS

JAVA = """\
2024-01-02 03:04:05,123 ERROR [http-nio-8080-exec-1] com.shop.pay.RiskScorer - score failed for order 42
java.lang.NullPointerException: Cannot invoke "Risk.level()" because "r" is null
\tat com.shop.pay.RiskScorer.score(RiskScorer.java:42)
\tat com.shop.pay.Api.pay(Api.java:10)
Caused by: java.lang.IllegalStateException: boom
\t... 12 more
2024-01-02 03:04:06.001 [main] INFO  com.shop.pay.App - started in 3.2 s
2024-01-02T03:04:07.500+01:00  WARN 12345 --- [main] c.s.p.Config : deprecated option 'x'
"""

PYTHON = """\
2024-01-02 03:04:05,123 - checkout.api - ERROR - payment call failed status=500
Traceback (most recent call last):
  File "/app/checkout/api.py", line 88, in pay
    resp.raise_for_status()
requests.exceptions.HTTPError: 500 Server Error
2024-01-02 03:04:06,000 - checkout.api - INFO - retrying
"""

SYSLOG = (
    "<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed for lonvick on /dev/pts/8\n"
    '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" '
    'eventSource="Appl\\"ication" eventID="1011"][examplePriority@32473 class="high"] \ufeffAn application event\n'
    "<13>1 2003-10-11T22:14:15.003+02:00 2001:db8::1 app 77 - - IPv6 host\n"
    "Oct  1 22:14:15 host2 CRON[99]: (root) CMD (run-parts /etc/cron.hourly)\n"
)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def check_invariants(frame: pl.DataFrame, files: dict[str, int]) -> None:
    assert frame.schema == LOG_RECORDS
    for source, n in files.items():
        part = frame.filter(pl.col("source") == source)
        assert int(part["n_lines"].sum() or 0) == n, source
        covered = sorted(
            i for s, c in zip(part["line_no"], part["n_lines"], strict=True) for i in range(s, s + c)
        )
        assert covered == list(range(1, n + 1)), source


# ------------------------------------------------------------------------ files and lines


def test_lines_frame_crlf_final_newline_and_empty():
    assert lines_frame("").height == 0
    f = lines_frame("a\r\nb\n\nc")
    assert f["line"].to_list() == ["a", "b", "", "c"]
    assert f["line_no"].to_list() == [1, 2, 3, 4]
    assert physical_line_count("a\r\nb\n\nc") == 4
    assert physical_line_count("a\n") == 1
    assert physical_line_count("\n\n") == 2


def test_empty_file_gives_no_records(tmp_path):
    p = write(tmp_path / "empty.log", "")
    frame = read_logs(p)
    assert frame.height == 0
    assert frame.schema == LOG_RECORDS


def test_raw_keeps_every_line_and_invalid_utf8_is_replaced(tmp_path):
    p = write(tmp_path / "bin.log", b"ok line\r\nbad \xff\xfe byte\n\x00nul\n\nlast without newline")
    with pytest.warns(RcakitWarning, match="invalid UTF-8"):
        frame = read_logs(p, format="raw")
    assert frame["body"].to_list() == ["ok line", "bad \ufffd\ufffd byte", "\x00nul", "", "last without newline"]
    check_invariants(frame, {str(p): 5})
    assert frame["format"].unique().to_list() == ["raw"]


def test_gzip_is_transparent_and_truncated_gzip_keeps_the_readable_part(tmp_path):
    lines = [f"2024-01-02 03:04:{i % 60:02d},000 INFO [main] app.Main - message number {i}" for i in range(5000)]
    text = "\n".join(lines) + "\n"
    full = write(tmp_path / "app.log.gz", gzip.compress(text.encode()))
    frame = read_logs(full)
    assert frame.height == 5000
    assert frame["service"].unique().to_list() == ["app"]
    data = full.read_bytes()
    cut = write(tmp_path / "cut.log.gz", data[: len(data) // 2])
    with pytest.warns(RcakitWarning, match=r"cut\.log\.gz.*truncated"):
        part = read_logs(cut)
    assert 0 < part.height < 5000
    # what was read is a prefix of the original
    assert part["body"][0] == "message number 0"
    assert part["line_no"].to_list() == list(range(1, part.height + 1))


def test_expand_sources_glob_directory_hidden_and_errors(tmp_path):
    write(tmp_path / "b.log", "x\n")
    write(tmp_path / "a.log", "y\n")
    write(tmp_path / "sub" / "c.log", "z\n")
    write(tmp_path / ".hidden.log", "h\n")
    write(tmp_path / ".git" / "config", "h\n")
    found = expand_sources(tmp_path)
    assert [Path(f).name for f in found] == ["a.log", "b.log", "c.log"]
    assert [Path(f).name for f in expand_sources(str(tmp_path / "*.log"))] == ["a.log", "b.log"]
    assert len(expand_sources([tmp_path / "a.log", tmp_path / "a.log"])) == 1
    with pytest.raises(InputError, match="no such file"):
        expand_sources(tmp_path / "missing.log")
    with pytest.raises(InputError, match="matches no file"):
        expand_sources(str(tmp_path / "*.nope"))
    with pytest.raises(InputError, match="no input"):
        expand_sources([])
    frame = read_logs(tmp_path, format="raw")
    assert frame["body"].to_list() == ["y", "x", "z"]


def test_scan_logs_is_lazy_and_equal_to_read_logs(tmp_path):
    write(tmp_path / "payment.log", JAVA)
    write(tmp_path / "checkout.log", PYTHON)
    lazy = scan_logs(tmp_path)
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect_schema() == LOG_RECORDS
    # the order of files is the same; compare content sorted to be independent of engine order
    a = lazy.collect().sort("source", "line_no")
    b = read_logs(tmp_path).sort("source", "line_no")
    assert a.equals(b)


def test_bad_options_are_config_errors(tmp_path):
    p = write(tmp_path / "x.log", "a\n")
    with pytest.raises(ConfigError, match="not a known format"):
        read_logs(p, format="yaml")
    with pytest.raises(ConfigError, match="IANA"):
        read_logs(p, tz="Not/AZone")
    with pytest.raises(ConfigError, match="no <Field>"):
        read_logs(p, log_format="just text")
    with pytest.raises(ConfigError, match="needs log_format"):
        read_logs(p, format="pattern")


# ----------------------------------------------------------------------------- text heads


def test_java_stack_traces_join_their_record(tmp_path):
    p = write(tmp_path / "payment.log", JAVA)
    assert detect_format(p) == "text"
    frame = read_logs(p)
    check_invariants(frame, {str(p): 8})
    assert frame["line_no"].to_list() == [1, 7, 8]
    assert frame["n_lines"].to_list() == [6, 1, 1]
    first = frame.row(0, named=True)
    assert first["severity_text"] == "ERROR"
    assert first["severity_number"] == 17
    assert first["timestamp"] == datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)
    assert first["body"].startswith("score failed for order 42\njava.lang.NullPointerException")
    assert first["body"].endswith("\t... 12 more")
    assert json.loads(first["attributes"]) == {"logger": "com.shop.pay.RiskScorer", "thread": "http-nio-8080-exec-1"}
    assert first["service"] == "payment"
    spring = frame.row(2, named=True)
    assert spring["severity_text"] == "WARN"
    assert spring["timestamp"] == datetime(2024, 1, 2, 2, 4, 7, 500000, tzinfo=UTC)  # +01:00 applied
    assert spring["body"] == "deprecated option 'x'"
    assert frame["parse_error"].null_count() == 3


def test_python_traceback_and_tz_for_zoneless_stamps(tmp_path):
    p = write(tmp_path / "checkout.log", PYTHON)
    frame = read_logs(p, tz="Europe/Berlin")
    assert frame["n_lines"].to_list() == [5, 1]
    assert frame["body"][0].endswith("requests.exceptions.HTTPError: 500 Server Error")
    assert frame["timestamp"][0] == datetime(2024, 1, 2, 2, 4, 5, 123000, tzinfo=UTC)  # CET = UTC+1
    assert json.loads(frame["attributes"][0]) == {"logger": "checkout.api"}


@pytest.mark.parametrize(
    ("line", "level", "body", "stamp"),
    [
        ("ERROR:payments.worker:card declined", "ERROR", "card declined", None),
        ("E, [2024-01-02T03:04:05.123456 #1234] ERROR -- app: rails boom", "ERROR", "rails boom", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("E0102 03:04:05.123456   12345 controller.go:123] sync failed", "ERROR", "sync failed", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("2024/01/02 03:04:05 listening on :8080", None, "listening on :8080", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05.123Z\tERROR\tmessage from zap", "ERROR", "message from zap", datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)),
        ("[2024-01-02 03:04:05,123] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)", "INFO", "[KafkaServer id=1] started (kafka.server.KafkaServer)", datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)),
        ("2024-01-02 03:04:05.123 | WARNING | disk almost full", "WARN", "disk almost full", datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)),
        ("081109 203615 148 INFO dfs.DataNode$PacketResponder: Received block blk_38865049064139660", "INFO", "Received block blk_38865049064139660", datetime(2008, 11, 9, 20, 36, 15, tzinfo=UTC)),
        ("17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers   ", "INFO", "Registered signal handlers", datetime(2017, 6, 9, 20, 10, 40, tzinfo=UTC)),
        ("[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6", "ERROR", "mod_jk child workerEnv in error state 6", datetime(2005, 12, 4, 4, 47, 44, tzinfo=UTC)),
        ("[Sat Nov 02 00:00:01.123456 2024] [proxy:warn] [pid 1234:tid 140] [client 10.0.0.1:5678] AH01144: No protocol handler", "WARN", "AH01144: No protocol handler", datetime(2024, 11, 2, 0, 0, 1, 123456, tzinfo=UTC)),
        ("[Sat Nov 02 00:00:03.323456 2024] [mpm_event:notice] [pid 1:tid 1] AH00489: resuming normal operations", "INFO", "AH00489: resuming normal operations", datetime(2024, 11, 2, 0, 0, 3, 323456, tzinfo=UTC)),
        ("[2024-11-02T00:00:01,123][WARN ][o.e.c.r.a.DiskThresholdMonitor] [node-1] high disk watermark [90%] exceeded", "WARN", "high disk watermark [90%] exceeded", datetime(2024, 11, 2, 0, 0, 1, 123000, tzinfo=UTC)),
        ("[2024-11-02T00:00:02,456][INFO ][logstash.runner          ] Starting Logstash", "INFO", "Starting Logstash", datetime(2024, 11, 2, 0, 0, 2, 456000, tzinfo=UTC)),
        ("1:M 02 Nov 2024 00:00:01.123 * Ready to accept connections tcp", "INFO", "Ready to accept connections tcp", datetime(2024, 11, 2, 0, 0, 1, 123000, tzinfo=UTC)),
        ("1:M 02 Nov 2024 00:00:02.456 # WARNING overcommit_memory is set to 0", "WARN", "WARNING overcommit_memory is set to 0", datetime(2024, 11, 2, 0, 0, 2, 456000, tzinfo=UTC)),
        ("03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogs", "DEBUG", "printFreezingDisplayLogs", datetime(2024, 3, 17, 16, 13, 38, 811000, tzinfo=UTC)),
        ("2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster", "INFO", "Created MRAppMaster", datetime(2015, 10, 18, 18, 1, 47, 978000, tzinfo=UTC)),
        ("2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200", "INFO", "Notification time out: 3200", datetime(2015, 7, 29, 17, 41, 44, 747000, tzinfo=UTC)),
    ],
)
def test_text_head_layouts(tmp_path, line, level, body, stamp):
    p = write(tmp_path / "svc.log", f"{line}\n{line}\n")
    frame = read_logs(p, year=2024)
    assert frame["format"][0] == "text"
    row = frame.row(0, named=True)
    assert row["severity_text"] == level
    assert row["body"] == body
    assert row["timestamp"] == stamp
    assert row["parse_error"] is None


def test_unmatched_line_is_kept_with_parse_error(tmp_path):
    text = JAVA.splitlines()[0] + "\n=== garbage banner ===\n" + JAVA.splitlines()[6] + "\n"
    p = write(tmp_path / "x.log", text)
    frame = read_logs(p, format="text")
    check_invariants(frame, {str(p): 3})
    bad = frame.row(1, named=True)
    assert bad["body"] == "=== garbage banner ==="
    assert "expected a log line starting with a timestamp" in bad["parse_error"]
    assert bad["line_no"] == 2


def test_forced_format_on_foreign_lines_loses_nothing(tmp_path):
    p = write(tmp_path / "x.log", "just words\nmore words\n")
    for name in ("text", "syslog"):
        frame = read_logs(p, format=name)
        check_invariants(frame, {str(p): 2})
        assert frame["parse_error"].null_count() == 0 or frame["body"].to_list() == ["just words", "more words"]


# -------------------------------------------------------------------------------- syslog


def test_syslog_rfc3164_and_rfc5424(tmp_path):
    p = write(tmp_path / "messages", SYSLOG)
    assert detect_format(p) == "syslog"
    frame = read_logs(p, year=2023)
    check_invariants(frame, {str(p): 4})
    r0, r1, r2, r3 = frame.iter_rows(named=True)
    assert (r0["severity_text"], r0["severity_number"]) == ("FATAL", 21)  # <34>: auth.crit
    assert r0["service"] == "su"
    assert r0["timestamp"] == datetime(2023, 10, 11, 22, 14, 15, tzinfo=UTC)
    assert json.loads(r0["attributes"]) == {"host": "mymachine", "app_name": "su", "procid": "123", "facility": 4}
    assert r1["body"] == "An application event"  # BOM dropped
    attrs = json.loads(r1["attributes"])
    assert attrs["iut"] == "3"
    assert attrs["eventSource"] == 'Appl"ication'
    assert attrs["class"] == "high"
    assert attrs["msgid"] == "ID47"
    assert (r1["severity_text"], r1["severity_number"]) == ("INFO", 10)  # 165 = local4.notice
    assert r1["timestamp"] == datetime(2003, 10, 11, 22, 14, 15, 3000, tzinfo=UTC)
    assert json.loads(r2["attributes"])["host"] == "2001:db8::1"
    assert r2["timestamp"] == datetime(2003, 10, 11, 20, 14, 15, 3000, tzinfo=UTC)
    assert r3["service"] == "CRON"
    assert r3["severity_text"] is None  # no PRI, no severity
    assert r3["body"] == "(root) CMD (run-parts /etc/cron.hourly)"


# ------------------------------------------------------------------------------ patterns


def test_log_format_pattern_fields(tmp_path):
    text = (
        "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; rhost=218.188.2.4\n"
        "Jun 15 04:06:18 combo su(pam_unix)[21416]: session opened for user cyrus by (uid=0)\n"
        "Jun 15 04:06:20 combo logrotate: ALERT exited abnormally with [1]\n"
        "    continuation that is indented\n"
    )
    p = write(tmp_path / "linux.log", text)
    frame = read_logs(p, log_format=r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>", year=2005)
    check_invariants(frame, {str(p): 4})
    assert frame["format"][0] == "pattern"
    assert frame["timestamp"][0] == datetime(2005, 6, 14, 15, 16, 1, tzinfo=UTC)
    assert frame["body"][0] == "authentication failure; rhost=218.188.2.4"
    assert json.loads(frame["attributes"][0]) == {"Component": "sshd(pam_unix)", "PID": "19939"}
    assert json.loads(frame["attributes"][2]) == {"Component": "logrotate"}
    assert frame["n_lines"].to_list() == [1, 1, 2]


def test_pattern_unmatched_line_and_epoch_plus_level(tmp_path):
    text = "1117838570 INFO node-1 ciod: generated core\ntruncated-line\n"
    p = write(tmp_path / "bgl.log", text)
    frame = read_logs(p, log_format="<Timestamp> <Level> <Node> <Content>")
    assert frame["timestamp"][0] == datetime(2005, 6, 3, 22, 42, 50, tzinfo=UTC)
    assert frame["severity_text"][0] == "INFO"
    assert frame["parse_error"][1].startswith("does not match log_format")
    assert frame["body"][1] == "truncated-line"


def test_pattern_prefers_a_dated_stamp_over_a_year_less_one(tmp_path):
    # Thunderbird-like: an epoch, a full date, then a syslog stamp without a year
    text = "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2916]: (root) CMD (run-parts /etc/cron.hourly)\n"
    p = write(tmp_path / "tb.log", text)
    lf = r"<Label> <Timestamp> <Date> <User> <Month> <Day> <Time> <Location> <Component>(\[<PID>\])?: <Content>"
    frame = read_logs(p, log_format=lf)
    assert frame["timestamp"][0] == datetime(2005, 11, 9, 12, 1, 1, tzinfo=UTC)
    assert frame["body"][0] == "(root) CMD (run-parts /etc/cron.hourly)"


# ------------------------------------------------------------------------------ services


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("payment.log", "payment"),
        ("frontend.access.log", "frontend"),
        ("checkout-2024-01-02.jsonl.gz", "checkout"),
        ("logs/app.log.1", "app"),
        ("ts-order-service-5d9c7b7f6-x7k2p.log", "ts-order-service"),
        ("kafka-0.log", "kafka"),
        ("messages", "messages"),
        ("api_20240102.log", "api"),
        # a log kept a week, one file a weekday (PostgreSQL's postgresql-%a.log)
        ("pg/postgresql-Wed.log", "postgresql"),
        ("app_Tuesday.log", "app"),
        ("sun.log", "sun"),
        # the kubelet's layouts on a node: the pod's workload, not "0" or the file's ids
        ("/var/log/pods/shop_checkout-7d9f8b6c5d-x2x9z_0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9/checkout/0.log", "checkout"),
        ("/var/log/pods/shop_kafka-2_0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9/broker/3.log.20240301-101010.gz", "kafka"),
        ("/var/log/containers/checkout-7d9f8b6c5d-x2x9z_shop_checkout-" + "0a" * 32 + ".log", "checkout"),
        # a file named by a number only (copied out of such a tree) is named by its directory
        ("export/orders/0.log", "orders"),
        # ... and so is one named by a date only (NLog's ${shortdate}.log)
        ("export/label-service/2025-04-06.log", "label-service"),
        # the Hadoop family's daemon scripts: <product>-<user>-<daemon>[-<n>]-<host>, the
        # product's daemon whatever the user and host
        ("hadoop-hdfs-namenode-nn1.example.com.log", "hadoop-namenode"),
        ("flink-flink-taskexecutor-0-ip-10-1-2-3.log.1", "flink-taskexecutor"),
        ("flink-bidder-standalonesession-2-jm-0.log", "flink-standalonesession"),
        ("spark-spark-org.apache.spark.deploy.worker.Worker-1-w1.out", "spark-worker"),
        ("hbase-hbase-regionserver-rs2.log.2024-01-02", "hbase-regionserver"),
        ("kafka-consumer-orders-1-abc.log", "kafka-consumer-orders-1-abc"),  # no daemon's name
    ],
)
def test_service_from_path(path, service):
    assert service_from_path(path) == service


def test_files_with_names_that_name_no_service_are_named_by_their_directories(tmp_path):
    # an export with one folder per service and the same file name in each
    line = "2024-03-01 10:00:00,123 ERROR [main] c.x.Y - boom\n"
    for d in ("payment", "checkout", "nginx"):
        (tmp_path / "incident" / d).mkdir(parents=True)
    for rel in ("payment/app.log", "checkout/app.log", "nginx/access.log", "nginx/error.log"):
        (tmp_path / "incident" / rel).write_text(line)
    frame = rcakit.read_logs(tmp_path / "incident")
    assert sorted(frame["service"].unique().to_list()) == ["checkout", "nginx", "payment"]
    assert rcakit.scan_logs(tmp_path / "incident").select("service").collect()["service"].n_unique() == 3
    # one such file alone keeps its own name (a download folder names no service)
    assert rcakit.read_logs(tmp_path / "incident" / "payment" / "app.log")["service"].to_list() == ["app"]
    # dates and "logs" folders are skipped, the common folder is not a service; service= still wins
    paths = ["x/payment/logs/2024-03-01/app.log", "x/orders/logs/app.log", "x/app.log", "x/nginx/access.log"]
    assert file_services(paths) == dict(zip(paths, ["payment", "orders", "app", "nginx"], strict=True))
    # Rails' production.log, MySQL's slow.log, a worker.log: named by their folder too
    paths = ["x/rider-api/production.log", "x/mysql/slow.log", "x/trip-consumer/worker.log"]
    assert file_services(paths) == dict(zip(paths, ["rider-api", "mysql", "trip-consumer"], strict=True))
    # the names servers give their logs: IIS's daily u_ex<yymmdd>.log (one service, not one a
    # day), SQL Server's ERRORLOG and its rotations, a RabbitMQ node's rabbit@<host>.log, an
    # Oracle instance's alert_<SID>.log
    paths = ["x/policy-service/u_ex261205.log", "x/policy-service/u_ex261206.log", "x/sqlserver/ERRORLOG",
             "x/sqlserver/ERRORLOG.1", "x/rabbitmq/rabbit@mq01.log", "x/oracle/alert_CBSPRD.log"]
    assert file_services(paths) == dict(
        zip(paths, ["policy-service"] * 2 + ["sqlserver"] * 2 + ["rabbitmq", "oracle"], strict=True)
    )
    # a JVM's garbage-collection log beside the application's is the application's
    paths = ["x/mirth/mirth.log", "x/mirth/gc.log", "x/pacs/gc.log.0.current", "x/pacs/server.log"]
    assert file_services(paths) == dict(zip(paths, ["mirth", "mirth", "pacs", "pacs"], strict=True))
    # ingress-nginx's container is named "controller": its folder names it (was "controller")
    paths = ["x/ingress-nginx/controller.log", "x/seat-hold/seat-hold.log"]
    assert file_services(paths) == dict(zip(paths, ["ingress-nginx", "seat-hold"], strict=True))
    assert set(rcakit.read_logs(tmp_path / "incident", service="shop")["service"]) == {"shop"}


def test_files_are_named_by_a_folder_that_spells_their_name_differently_or_more_specifically(tmp_path):
    # a bank's export, one folder per CI of the change list: Redis writes redis.log wherever
    # it runs, the session store's folder says which Redis; IBM MQ's AMQERR01.LOG names no
    # service at all
    logs = tmp_path / "logs"
    files = {
        "redis-session/redis.log": "1:M 13 Nov 2026 09:01:42.113 # Connection with replica 10.40.3.12:6379 lost.\n",
        "fraud-scoring/fraud_scoring.log": "2026-11-13 09:01:42,113 ERROR [pool-3-thread-7] c.b.f.Scorer - model timeout\n",
        "ibm-mq/AMQERR01.LOG": "11/13/2026 09:01:42 AM - Process(6494.2) User(mqm) Program(amqrmppa)\n"
        "AMQ9002I: Channel 'OLB.SVRCONN' is starting.\n",
        "payments/payments.log": "2026-11-13 09:01:42,113 INFO [main] c.b.p.Api - started\n",
    }
    for rel, text in files.items():
        (logs / rel).parent.mkdir(parents=True, exist_ok=True)
        (logs / rel).write_text(text)
    frame = rcakit.read_logs(logs)
    assert sorted(frame["service"].unique().to_list()) == ["fraud-scoring", "ibm-mq", "payments", "redis-session"]
    # a more specific folder name, rotations included; a file name more specific than its
    # folder keeps its own
    paths = ["x/checkout-service/checkout.log", "x/checkout-service/checkout.log.1", "x/api/api-gateway.log",
             "x/mq/AMQERR02.LOG"]
    assert file_services(paths) == dict(
        zip(paths, ["checkout-service", "checkout-service", "api-gateway", "mq"], strict=True)
    )
    # a folder holding several services' files names none of them, and files in the common
    # folder keep their names
    paths = ["x/shop/checkout.log", "x/shop/payment.log", "x/redis.log", "x/shop-checkout/checkout.log",
             "x/shop-checkout/payment.log"]
    assert file_services(paths) == dict(
        zip(paths, ["checkout", "payment", "redis", "checkout", "payment"], strict=True)
    )


def test_workload_from_pod():
    pods = pl.Series(
        "pod",
        [
            "ts-travel-service-64469b5b48-25zj6",
            "redis-master-0",
            "fluentd-x7k2p",
            "envoy-proxy",
            "frontend",
            None,
            "web-12",
            # a CronJob's run: every run is a Job named after its schedule, a pod of it
            "order-reconcile-28551840-k2x7p",
            "order-reconcile-28551900",
        ],
    )
    out = pods.to_frame().select(workload_from_pod("pod"))["pod"].to_list()
    assert out == [
        "ts-travel-service", "redis-master", "fluentd", "envoy-proxy", "frontend", None, "web",
        "order-reconcile", "order-reconcile",
    ]


def test_service_precedence_record_argument_file(tmp_path):
    p = write(tmp_path / "payment.log", JAVA)
    assert read_logs(p)["service"].unique().to_list() == ["payment"]
    assert read_logs(p, service="pay-api")["service"].unique().to_list() == ["pay-api"]
    s = write(tmp_path / "messages.log", SYSLOG)
    # syslog names the app in the record: it wins over service=
    assert read_logs(s, service="fallback")["service"].to_list() == ["su", "evntslog", "app", "CRON"]


# ------------------------------------------------------------------------- mixed + summary


def test_mixed_directory_detects_per_file_and_summarizes(tmp_path):
    write(tmp_path / "payment.log", JAVA)
    write(tmp_path / "checkout.log", PYTHON)
    write(tmp_path / "syslog" / "messages.log", SYSLOG)
    write(tmp_path / "notes.txt", "free text without any structure\nsecond line\n")
    frame = read_logs(tmp_path)
    formats = dict(frame.select("source", "format").unique().iter_rows())
    assert {Path(k).name: v for k, v in formats.items()} == {
        "checkout.log": "text",
        "notes.txt": "raw",
        "payment.log": "text",
        "messages.log": "syslog",
    }
    summary = summarize(frame)
    total = summary.row(-1, named=True)
    assert total["source"] == "TOTAL"
    assert total["n_lines"] == 8 + 6 + 4 + 2
    assert total["n_records"] == frame.height
    assert summary.height == 5


def test_registry_and_public_names():
    assert {"raw", "text", "syslog", "pattern"} <= set(FORMATS)
    assert rcakit.read_logs is read_logs
    assert rcakit.detect_format is detect_format


def test_progress_callback_sees_every_file(tmp_path):
    write(tmp_path / "a.log", JAVA)
    write(tmp_path / "b.log", PYTHON)
    seen = []
    frame = read_logs(tmp_path, progress=lambda path, n_bytes: seen.append((Path(path).name, n_bytes)))
    assert [name for name, _ in seen] == ["a.log", "b.log"]
    assert all(n > 0 for _, n in seen)
    assert frame.height == 5


def test_one_file_with_several_head_layouts(tmp_path):
    text = (
        "2024-01-02 03:04:05,123 - checkout.api - ERROR - payment call failed\n"
        "ERROR:root:plain message\n"
        "E, [2024-01-02T03:04:05.123456 #1234] ERROR -- app: rails boom\n"
        "W0102 03:04:05.123456   12345 controller.go:123] klog warning\n"
        "2024/01/02 03:04:05 go message without level\n"
    )
    p = write(tmp_path / "mixed.log", text)
    frame = read_logs(p, year=2024)
    assert frame["format"].unique().to_list() == ["text"]
    assert frame["body"].to_list() == [
        "payment call failed",
        "plain message",
        "rails boom",
        "klog warning",
        "go message without level",
    ]
    assert frame["severity_text"].to_list() == ["ERROR", "ERROR", "ERROR", "WARN", None]
    assert [json.loads(a)["logger"] if a else None for a in frame["attributes"]] == [
        "checkout.api", "root", "app", "controller.go:123", None,
    ]
    assert frame["parse_error"].null_count() == 5


def test_postgres_and_program_dash_layouts(tmp_path):
    pg = write(
        tmp_path / "postgres.log",
        "2024-01-02 03:04:05.123 UTC [1234] LOG:  checkpoint starting: time\n"
        "2024-01-02 03:04:06.000 UTC [1234] ERROR:  deadlock detected\n",
    )
    frame = read_logs(pg)
    assert frame["severity_text"].to_list() == ["INFO", "ERROR"]
    assert frame["body"].to_list() == ["checkpoint starting: time", "deadlock detected"]
    assert json.loads(frame["attributes"][1]) == {"thread": "1234"}
    px = write(tmp_path / "proxifier.log", "[10.30 16:49:06] chrome.exe - proxy.example.com:5070 open through proxy\n")
    row = read_logs(px, year=2024).row(0, named=True)
    assert row["body"] == "proxy.example.com:5070 open through proxy"
    assert json.loads(row["attributes"]) == {"logger": "chrome.exe"}
    assert row["timestamp"] == datetime(2024, 10, 30, 16, 49, 6, tzinfo=UTC)


def test_scan_logs_checks_paths_and_options_at_once(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        scan_logs(tmp_path / "missing.log")
    with pytest.raises(ConfigError, match="IANA"):
        scan_logs(tmp_path, tz="Nowhere/Land")


def test_a_crashing_parser_falls_back_to_raw_with_a_warning(tmp_path, monkeypatch):
    import rcakit.ingest as ingest
    from rcakit.ingest._base import LineFormat

    def boom(lines, options):
        msg = "simulated parser bug"
        raise RuntimeError(msg)

    broken = LineFormat(name="text", description="broken", sniff=lambda s: 1.0, parse=boom)
    monkeypatch.setitem(ingest.FORMATS, "text", broken)
    p = write(tmp_path / "payment.log", JAVA)
    with pytest.warns(RcakitWarning, match=r"payment\.log: the 'text' parser could not read this file.*simulated parser bug"):
        frame = read_logs(p, format="text")
    check_invariants(frame, {str(p): 8})
    assert frame["format"].unique().to_list() == ["raw"]
    assert frame["body"][0] == JAVA.splitlines()[0]


def test_specialised_head_and_the_lines_it_does_not_fit(tmp_path):
    same = [
        f"2024-01-02 03:04:{i:02d}.{i:03d} INFO  [exec-{i}] c.s.Api [trace_id=abcdef{i:02d}0123] - request {i} ok"
        for i in range(12)
    ]
    odd = [
        "2024-01-02 03:05:00.000 ERROR [main] c.s.Api - no mdc here",  # no MDC block
        "2024-01-02 03:05:01,5 WARN odd stamp and no thread",  # other stamp width, no logger
    ]
    p = write(tmp_path / "api.log", "\n".join(same[:6] + odd + same[6:]) + "\n")
    frame = read_logs(p)
    assert frame.height == 14
    assert frame["parse_error"].null_count() == 14
    row = frame.row(0, named=True)
    assert row["body"] == "request 0 ok"
    assert row["trace_id"] == "abcdef000123"
    assert json.loads(row["attributes"]) == {"logger": "c.s.Api", "thread": "exec-0", "mdc": "trace_id=abcdef000123"}
    assert frame["body"][6] == "no mdc here"
    assert json.loads(frame["attributes"][6]) == {"logger": "c.s.Api", "thread": "main"}
    assert frame["severity_text"][7] == "WARN"
    assert frame["body"][7] == "odd stamp and no thread"
    assert frame["timestamp"][7] == datetime(2024, 1, 2, 3, 5, 1, 500000, tzinfo=UTC)
    assert frame["line_no"].to_list() == list(range(1, 15))


# ---------------------------------------------------------------- capture-free shortcuts


def test_trace_ids_match_the_capture_regex():
    from rcakit.ingest._text import _TRACE_KV, _trace_ids

    values = pl.Series(
        "mdc",
        [
            "trace_id=4bf92f3577b34da6a3ce929d0e0e4736",
            "user=7 traceId: 0af7651916cd43dd8448eb211c80319c span=1",
            "trace_id=short other=1 X-B3-TraceId=80f198ee56343ba864fe8b2a57d3eff7",  # first key too short
            "TRACE_ID=" + "a" * 80,  # longer than 64: the first 64
            "trace.id=\t0123456789-abc,rest",
            "trace_id=ünïcode-0123456789",  # no id characters after the key
            "no key here",
            "",
            None,
        ],
    )
    assert _trace_ids(values).to_list() == values.str.extract(_TRACE_KV, 1).to_list()
    assert _trace_ids(values)[2] == "80f198ee56343ba864fe8b2a57d3eff7"


def test_level_lookup_over_distinct_spellings_matches_row_normalisation():
    from rcakit.ingest._severity import severity_columns

    levels = ["INFO", "[WARN]", " err ", "Notice:", "fatal", "6", "30", "bogus", None, "I", "warning"]
    frame = pl.DataFrame({"level": levels})
    text, number = severity_columns("level")
    got = frame.select(text, number)
    assert got["severity_text"].to_list() == ["INFO", "WARN", "ERROR", "INFO", "FATAL", None, "INFO", None, None, "INFO", "WARN"]
    assert got["severity_number"].to_list() == [9, 13, 17, 10, 21, None, 9, None, None, 9, 13]
    text, number = severity_columns("level", syslog_numeric=True)
    assert frame.select(text)["severity_text"][5] == "INFO"
    # Android's V(erbose) is below D(ebug): TRACE
    assert pl.DataFrame({"level": ["V", "D"]}).select(severity_columns("level")[0]).to_series().to_list() == ["TRACE", "DEBUG"]


def test_attributes_json_members_nulls_and_extra():
    from rcakit.ingest._base import json_object

    frame = pl.DataFrame(
        {
            "a": ["x", None, None, "v{,", None],
            "n": [1, 2, None, None, None],
            "gone": pl.Series([None] * 5, dtype=pl.String),
            "sd": ['"k":"1"', "", None, '"k":"2"', None],
        }
    )
    plain = frame.select(json_object({"a": pl.col("a"), "n": pl.col("n"), "gone": pl.col("gone")}))
    assert plain.to_series().to_list() == ['{"a":"x","n":1}', '{"n":2}', None, '{"a":"v{,"}', None]
    with_extra = frame.select(json_object({"a": pl.col("a"), "gone": pl.col("gone")}, extra=pl.col("sd")))
    assert with_extra.to_series().to_list() == ['{"a":"x","k":"1"}', None, None, '{"a":"v{,","k":"2"}', None]
    for value in [*plain.to_series().drop_nulls(), *with_extra.to_series().drop_nulls()]:
        json.loads(value)


def test_stack_traces_join_their_head_between_plain_records(tmp_path):
    heads = [f"2024-01-02 03:04:{i:02d},000 INFO [main] c.s.Api - step {i}" for i in range(6)]
    lines = [*heads[:2], JAVA.splitlines()[0], *JAVA.splitlines()[1:6], *heads[2:4], "orphan line", *heads[4:]]
    p = write(tmp_path / "api.log", "\n".join(lines) + "\n")
    frame = read_logs(p)
    # every head is stamped: an unstamped line belongs to the record above (the multi-line
    # convention of log shippers), whatever it looks like
    assert frame["n_lines"].to_list() == [1, 1, 6, 1, 2, 1, 1]
    assert frame["body"][2].endswith("\t... 12 more")
    assert frame["body"][2].count("\n") == 5
    assert frame["parse_error"].is_null().all()
    assert frame["body"][4] == "step 3\norphan line"
    assert frame["line_no"].to_list() == [1, 2, 3, 9, 10, 12, 13]


def test_unstamped_lines_under_stamped_records_join_them(tmp_path):
    """Serilog/.NET: the SQL of a failed command and an exception's trailer lines follow
    their record without a stamp; "Error Number:53,State:0,Class:20" is not a record at
    level Error, and [VRB] is Serilog's Verbose (TRACE)."""
    text = """\
2024-03-01 10:00:07.333 +01:00 [INF] Now listening on: "http://[::]:8080"
2024-03-01 10:00:08.000 +01:00 [VRB] Cache lookup "order:42" miss
2024-03-01 10:00:09.444 +01:00 [ERR] Failed executing DbCommand (30,012ms) [Parameters=[@p0='?' (DbType = Int32)]]
SELECT [o].[Id], [o].[Total]
FROM [Orders] AS [o]
WHERE [o].[CustomerId] = @p0
2024-03-01 10:00:09.445 +01:00 [ERR] An exception occurred while iterating over the results of a query
Microsoft.Data.SqlClient.SqlException (0x80131904): Execution Timeout Expired.
   at Microsoft.Data.SqlClient.SqlConnection.OnError(SqlException exception, Boolean breakConnection)
ClientConnectionId:1f2e3d4c-5b6a-7980-abcd-1234567890ab
Error Number:-2,State:0,Class:11
2024-03-01 10:00:10.000 +01:00 [WRN] Health check "sql" completed after 5000.1234ms with status Unhealthy
2024-03-01 10:00:11.000 +01:00 [INF] HTTP "GET" "/api/orders" responded 200 in 12.3456 ms
"""
    frame = read_logs(write(tmp_path / "api.log", text))
    assert frame["line_no"].to_list() == [1, 2, 3, 7, 12, 13]
    assert frame["n_lines"].to_list() == [1, 1, 4, 5, 1, 1]
    assert frame["severity_text"].to_list() == ["INFO", "TRACE", "ERROR", "ERROR", "WARN", "INFO"]
    assert frame["body"][2].endswith("WHERE [o].[CustomerId] = @p0")
    assert frame["body"][3].endswith("Error Number:-2,State:0,Class:11")
    assert frame["parse_error"].is_null().all()


def test_syslog_specialised_head_keeps_the_general_layouts_answers(tmp_path):
    same = [f"<14>May 30 09:33:{i:02d} web-{i % 3} app[{100 + i}]: request {i} ok" for i in range(12)]
    odd = [
        "<11>May 30 09:34:00 web-0 app[100]:  two leading blanks",  # ': ?' takes one
        "<13>May 30 09:34:01 web-1 kernel: no pid here",  # tag without [pid]
        "<14>May  3 09:34:02 web-2 just a message",  # no tag at all, day padded
    ]
    p = write(tmp_path / "messages.log", "\n".join(same[:5] + odd + same[5:]) + "\n")
    frame = read_logs(p, year=2025)
    assert frame["format"].unique().to_list() == ["syslog"]
    assert frame["parse_error"].null_count() == frame.height == 15
    assert frame["body"][0] == "request 0 ok"
    assert json.loads(frame["attributes"][0]) == {"host": "web-0", "app_name": "app", "procid": "100", "facility": 1}
    assert frame["body"][5] == " two leading blanks"
    assert frame["severity_text"][5] == "ERROR"
    assert frame["body"][6] == "no pid here"
    assert frame["service"][6] == "kernel"
    assert frame["body"][7] == "just a message"
    assert frame["timestamp"][7] == datetime(2025, 5, 3, 9, 34, 2, tzinfo=UTC)
    assert frame["line_no"].to_list() == list(range(1, 16))


def test_mixed_head_shapes_read_as_without_specialised_regexes(tmp_path, monkeypatch):
    import rcakit.ingest._text as text_format

    levels = ["INFO ", "WARN ", "ERROR", "DEBUG"]
    lines = []
    for i in range(300):
        stamp = f"2024-01-02 03:{i // 60:02d}:{i % 60:02d}.{i:03d}"
        if i % 5 in (0, 1, 2):  # with an MDC block
            lines.append(f"{stamp} {levels[i % 4]} [exec-{i % 7}] c.s.pay.Api [trace_id=ab{i:08d}cd] - paid order {i}")
        elif i % 5 == 3:  # no MDC
            lines.append(f"{stamp} {levels[i % 4]} [main] c.s.pay.Worker - batch {i} done in {i * 3} ms")
        else:  # a stack trace after an error head
            lines.append(f"{stamp} ERROR [exec-1] c.s.pay.Api [trace_id=ef{i:08d}00] - failed order {i}")
            lines.extend(["java.lang.IllegalStateException: boom", "\tat c.s.pay.Api.pay(Api.java:42)"])
    lines.insert(17, "2024-01-02 03:00:17,5 WARN odd stamp and no thread")
    lines.insert(40, "a line that fits no layout")
    p = write(tmp_path / "pay.log", "\n".join(lines) + "\n")
    sample = [line for line in lines[:200] if line.strip()]
    variants = text_format._pick_variants(text_format._TEXT_VARIANTS, sample)
    assert len(text_format._specialise(variants[0], sample)) == 2
    fast = read_logs(p)
    monkeypatch.setattr(text_format, "_specialise", lambda *a, **k: ())
    general = read_logs(p)
    assert fast.equals(general)
    assert fast["n_lines"].sum() == len(lines)
    # every head is stamped: the line that fits no layout is part of the record above
    assert fast["parse_error"].is_not_null().sum() == 0
    assert fast.filter(pl.col("body").str.ends_with("\na line that fits no layout")).height == 1


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_files_read_side_by_side_give_the_same_frame_in_file_order(tmp_path, monkeypatch, workers):
    import rcakit.ingest as ingest

    write(tmp_path / "a.log", JAVA)
    write(tmp_path / "b.log", PYTHON)
    write(tmp_path / "c.log", "plain line one\nplain line two\n")
    expected = pl.concat([read_logs(tmp_path / n) for n in ("a.log", "b.log", "c.log")])
    monkeypatch.setattr(ingest, "_read_workers", lambda: workers)
    seen = []
    frame = read_logs(tmp_path, progress=lambda path, n_bytes: seen.append(Path(path).name))
    assert frame.equals(expected)
    assert seen == ["a.log", "b.log", "c.log"]
    assert [Path(s).name for s in frame["source"].unique(maintain_order=True)] == seen


def test_haproxy_http_lines_in_syslog(tmp_path):
    p = write(
        tmp_path / "haproxy.log",
        "Nov  2 00:00:01 lb1 haproxy[1234]: 10.0.0.1:5000 [02/Nov/2024:00:00:01.123] fe_https~ be_api/srv1 0/0/1/12/13 200 1234 - - ---- 10/10/1/1/0 0/0 \"GET /api/orders?page=2 HTTP/1.1\"\n"
        "Nov  2 00:00:02 lb1 haproxy[1234]: 10.0.0.2:5001 [02/Nov/2024:00:00:02.456] fe_https~ be_api/srv2 0/0/1/-1/5001 504 194 - - sH-- 10/10/1/1/0 0/0 \"POST /api/pay HTTP/1.1\"\n"
        "Nov  2 00:00:03 lb1 haproxy[1234]: Server be_api/srv2 is DOWN, reason: Layer4 timeout\n",
    )
    frame = read_logs(p, year=2024)
    assert frame["format"].unique().to_list() == ["syslog"]
    rows = frame.to_dicts()
    assert [r["body"] for r in rows] == ["GET /api/orders 200", "POST /api/pay 504", "Server be_api/srv2 is DOWN, reason: Layer4 timeout"]
    assert [r["severity_text"] for r in rows[:2]] == ["INFO", "ERROR"]
    a = json.loads(rows[1]["attributes"])
    assert a["haproxy.server"] == "srv2"
    assert a["response_time_ms"] == 5001
    assert "haproxy.Tr_ms" not in a  # -1: no response from the server
    assert a["haproxy.termination_state"] == "sH--"
    assert json.loads(rows[2]["attributes"])["app_name"] == "haproxy"


def test_a_file_cut_inside_a_long_stack_trace_is_still_read_by_its_heads(tmp_path):
    # log rotation cut a Java trace: the file starts with 80 frames of it (more than the
    # detection sample), then ordinary records
    frames = [f"\tat com.acme.pay.Step{i}.run(Step{i}.java:{i + 10})" for i in range(80)]
    records = [
        f"2024-03-05 14:03:{s:02d},123 {'ERROR' if s % 5 == 0 else 'INFO'} [main] c.a.Pay - charge {s} done"
        for s in range(30)
    ]
    path = tmp_path / "payment.log"
    path.write_text("\n".join(["Caused by: java.io.IOException: reset", *frames, *records]) + "\n")
    assert detect_format(path) == "text"
    out = read_logs(path)
    assert out["n_lines"].sum() == 111
    parsed = out.filter(pl.col("parse_error").is_null())
    assert parsed.height == 30
    assert parsed["timestamp"].null_count() == 0
    assert parsed["severity_text"].to_list()[:2] == ["ERROR", "INFO"]
    # the orphaned frames are kept, each with the reason
    assert out.filter(pl.col("parse_error").is_not_null()).height == 81


def test_times_of_day_without_a_date_are_dated_from_the_file(tmp_path):
    import os

    # logback's default console pattern (%d{HH:mm:ss.SSS}), across midnight, saved at 00:10
    text = (
        "23:59:58.100 [main] INFO  c.a.Pay - charge 1 done\n"
        "23:59:59.900 [main] ERROR c.a.Pay - charge 2 failed\n"
        "java.lang.IllegalStateException: boom\n"
        "\tat c.a.Pay.run(Pay.java:1)\n"
        "00:00:01.250 [main] INFO  c.a.Pay - charge 3 done\n"
    )
    path = write(tmp_path / "pay.log", text)
    saved = datetime(2024, 3, 6, 0, 10, tzinfo=UTC).timestamp()
    os.utime(path, (saved, saved))
    with pytest.warns(RcakitWarning, match="times of day without a date; dated from the file's modification time"):
        out = read_logs(path)
    assert out["format"][0] == "text"
    assert out["timestamp"].to_list() == [
        datetime(2024, 3, 5, 23, 59, 58, 100000, tzinfo=UTC),
        datetime(2024, 3, 5, 23, 59, 59, 900000, tzinfo=UTC),
        datetime(2024, 3, 6, 0, 0, 1, 250000, tzinfo=UTC),
    ]
    assert out["severity_text"].to_list() == ["INFO", "ERROR", "INFO"]
    assert out["n_lines"].to_list() == [1, 3, 1]
    # a file saved just after midnight whose lines end before it: they are from the day before
    before = write(tmp_path / "before.log", "".join(text.splitlines(keepends=True)[:2]))
    os.utime(before, (saved, saved))
    with pytest.warns(RcakitWarning):
        out = read_logs(before)
    assert out["timestamp"].to_list() == [
        datetime(2024, 3, 5, 23, 59, 58, 100000, tzinfo=UTC),
        datetime(2024, 3, 5, 23, 59, 59, 900000, tzinfo=UTC),
    ]


def test_crash_reports_in_a_stamped_file_are_records_of_their_own(tmp_path):
    """Under the stamped-file rule, a runtime's crash report still starts a record (FATAL):
    Go's ``panic:`` / ``fatal error:``, Rust's ``thread '...' panicked at``; each keeps its
    words."""
    text = """\
2024/03/01 10:00:12 GET /api/stock/SKU-4 200 2.7ms
panic: runtime error: index out of range [5] with length 3

goroutine 1 [running]:
main.main()
\t/app/main.go:58 +0x1d
exit status 2
2024/03/01 10:00:20 starting inventory-svc version=1.8.3
2024/03/01 10:00:21 listening on :8080
thread 'main' panicked at src/main.rs:31:10:
failed to bind 0.0.0.0:8080: Os { code: 98, kind: AddrInUse }
2024/03/01 10:00:22 listening on :8081
"""
    frame = read_logs(write(tmp_path / "svc.log", text))
    assert frame["line_no"].to_list() == [1, 2, 8, 9, 10, 12]
    assert frame["n_lines"].to_list() == [1, 6, 1, 1, 2, 1]
    assert frame["severity_text"].to_list() == [None, "FATAL", None, None, "FATAL", None]
    # Go's "panic: " is the message's words, as a JSON lines file's crash keeps them (probe AL)
    assert frame["body"][1].startswith("panic: runtime error: index out of range")
    assert frame["body"][4].endswith("failed to bind 0.0.0.0:8080: Os { code: 98, kind: AddrInUse }")
    # Rust's header names the thread and the place: it stays the message's start
    assert frame["body"][4].startswith("thread 'main' panicked at src/main.rs:31:10:\n")
    assert frame["parse_error"].is_null().all()
    fatal = "2024/03/01 10:00:12 GET /api/stock/SKU-4 200 2.7ms\n" * 3
    fatal += "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n"
    frame = read_logs(write(tmp_path / "deadlock.log", fatal))
    assert frame["body"][3].startswith("fatal error: all goroutines are asleep - deadlock!")
    assert frame["severity_text"][3] == "FATAL"
