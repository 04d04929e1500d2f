"""Findings of a blind probe (probe AP): logcat's ``time`` format, stamps at a line's head
that were not read (Oracle's listener log, a fixed-width batch log), CSV exports with
free-form column names, S3 server access logs, log4j's ``%c{1}:`` logger (Spark, Hadoop)."""

from __future__ import annotations

from datetime import UTC, datetime

from ._reading import attrs as _attrs
from ._reading import read_lines as _read


def test_logcat_time_format(tmp_path):
    """``logcat -v time``: the level letter and the tag before the pid in parentheses, as
    threadtime's level and tag are read."""
    frame = _read(tmp_path, "logcat-time.txt", [
        "03-05 10:00:00.780 I/ActivityManager(  812): Start proc 1234:com.shop/u0a123 for activity {com.shop/.Main}",
        "03-05 10:00:00.877 D/OkHttp  ( 1234): <-- 200 https://api.shop.example.com/v2/cart (92ms)",
        "03-05 10:00:11.500 E/AndroidRuntime( 1234): FATAL EXCEPTION: main",
        "03-05 10:00:11.500 W/System.err( 1234): java.net.SocketTimeoutException: timeout",
    ])
    rows = frame.to_dicts()
    assert [r["severity_text"] for r in rows] == ["INFO", "DEBUG", "ERROR", "WARN"]
    assert rows[2]["body"] == "FATAL EXCEPTION: main"
    assert rows[2]["timestamp"] == datetime(2024, 3, 5, 10, 0, 11, 500000, tzinfo=UTC)
    assert _attrs(rows[2]) == {"logger": "AndroidRuntime", "pid": "1234"}
    assert _attrs(rows[1])["logger"] == "OkHttp"


def test_stamps_at_a_lines_head_upper_case_month_and_compact_digits(tmp_path):
    """Oracle's listener.log starts its lines with ``05-MAR-2024 10:00:00`` (the month in upper
    case, as Tomcat's in title case); a fixed-width batch log with ``yyyyMMddHHmmss``: both are
    the records' stamps, the rest the message. A line under a stamped one joins it."""
    listener = _read(tmp_path, "listener.log", [
        "05-MAR-2024 10:00:00 * (CONNECT_DATA=(SERVICE_NAME=ORCLPDB1)(CID=(PROGRAM=JDBC)(HOST=__jdbc__)(USER=shop))) * establish * ORCLPDB1 * 0",
        "05-MAR-2024 10:00:16 * (CONNECT_DATA=(SERVICE_NAME=ORCLPDB2)) * establish * ORCLPDB2 * 12514",
        "TNS-12514: TNS:listener does not currently know of service requested in connect descriptor",
        "05-MAR-2024 10:00:17 * service_update * ORCL * 0",
    ])
    assert listener["timestamp"].to_list() == [datetime(2024, 3, 5, 10, 0, s, tzinfo=UTC) for s in (0, 16, 17)]
    assert listener["n_lines"].to_list() == [1, 2, 1]
    assert listener["body"][2] == "* service_update * ORCL * 0"
    batch = _read(tmp_path, "payrun_20240305.log", [
        f"2024030510000{i} PAYRUN01 {'E' if i == 7 else 'I'} 00000{i} {'Record 004711 rejected' if i == 7 else 'Record processed'}   {i}7576"
        for i in range(9)
    ])
    assert batch["timestamp"].to_list() == [datetime(2024, 3, 5, 10, 0, i, tzinfo=UTC) for i in range(9)]
    assert batch["body"][7].startswith("PAYRUN01 E 000007 Record 004711 rejected")
    # a number of 14 digits that is no date-time is not a stamp
    ids = _read(tmp_path, "ids.log", [f"20249999999999{i} item" for i in range(3)])
    assert ids["timestamp"].null_count() == 3


def test_csv_export_with_free_form_column_names(tmp_path):
    """A spreadsheet's export names its columns freely: blanks, a zone in parentheses
    (``"Timestamp (UTC)"``, ``"Log Level"``, ``"Service Name"``, ``"Log Message"``), German
    names (``Zeitstempel;Stufe;Dienst;Meldung``, ``;``-separated, day-first dates). The columns
    are mapped by name; a quoted multi-line cell stays one record."""
    odd = _read(tmp_path, "export_odd_headers.csv", [
        '"Timestamp (UTC)","Log Level","Service Name","Host","Log Message"',
        '"2024-03-05 10:00:00","Information","checkout","web-00","Order 0 placed"',
        '"2024-03-05 10:00:02","Error","checkout","web-02","Order 2 failed"',
        '"2024-03-05 10:00:12","Error","payments","web-01","Unhandled exception',
        "System.TimeoutException: gateway timeout",
        '   at Shop.Pay.Charge()"',
    ])
    assert odd["format"].unique().to_list() == ["csv"]
    rows = odd.to_dicts()
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR", "ERROR"]
    assert [r["service"] for r in rows] == ["checkout", "checkout", "payments"]
    assert rows[0]["body"] == "Order 0 placed"
    assert _attrs(rows[0]) == {"Host": "web-00"}
    assert rows[0]["timestamp"] == datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
    assert rows[2]["n_lines"] == 3
    assert rows[2]["body"].startswith("Unhandled exception\nSystem.TimeoutException")
    de = _read(tmp_path, "lager_export_de.csv", [
        "Zeitstempel;Stufe;Dienst;Meldung",
        "05.03.2024 10:00:00;INFO;lager;Bestand für Artikel 0 aktualisiert",
        "05.03.2024 10:00:02;ERROR;lager;Bestand für Artikel 2 nicht gefunden",
    ])
    assert de["format"].unique().to_list() == ["csv"]
    assert de["timestamp"].to_list() == [datetime(2024, 3, 5, 10, 0, s, tzinfo=UTC) for s in (0, 2)]
    assert de["severity_text"].to_list() == ["INFO", "ERROR"]
    assert de["service"].unique().to_list() == ["lager"]
    assert de["body"][1] == "Bestand für Artikel 2 nicht gefunden"
    # a duration's column is not the time, whatever its name
    took = _read(tmp_path, "took.csv", [
        '"Timestamp (UTC)","Time (ms)","Message"',
        '"2024-03-05 10:00:00","1709632800","ok"',
    ])
    assert _attrs(took.row(0, named=True)) == {"Time (ms)": "1709632800"}


def test_s3_server_access_log(tmp_path):
    """Amazon S3's server access log: the stamp in brackets after the owner and bucket, the
    request quoted after the operation and key; read as an access log (``METHOD path status``,
    the level from the status) with the S3 error code after it; the bucket is the service."""
    owner = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    tail = '"-" "aws-sdk-java/2.20.0" - aGVsbG8= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader shop-assets.s3.us-east-1.amazonaws.com TLSv1.2 - -'

    def line(s: int, status: int, error: str, op: str = "REST.GET.OBJECT") -> str:
        return (
            f"{owner} shop-assets [05/Mar/2024:10:00:{s:02d} +0000] 10.0.0.1 arn:aws:iam::123456789012:user/deploy "
            f'3E57427F3EXAMPL{s % 10} {op} img/a.png "GET /shop-assets/img/a.png?v=2 HTTP/1.1" {status} {error} 243 - 12 - {tail}'
        )

    frame = _read(tmp_path, "2024-03-05-10-00-00-A1B2C3D4E5F6A7B8", [
        line(0, 200, "-"), line(5, 403, "AccessDenied"), line(9, 503, "SlowDown"),
        f"{owner} shop-assets [05/Mar/2024:10:00:10 +0000] - AmazonS3 4C8E0D3EXAMPLE S3.EXPIRE.OBJECT img/old.png - - - - - - - - - - - -",
    ])
    assert frame["format"].unique().to_list() == ["s3"]
    rows = frame.to_dicts()
    assert [r["timestamp"] for r in rows] == [datetime(2024, 3, 5, 10, 0, s, tzinfo=UTC) for s in (0, 5, 9, 10)]
    assert [r["severity_text"] for r in rows] == ["INFO", "WARN", "ERROR", None]  # (no HTTP status: no level)
    assert [r["body"] for r in rows] == [
        "GET /shop-assets/img/a.png 200", "GET /shop-assets/img/a.png 403 AccessDenied",
        "GET /shop-assets/img/a.png 503 SlowDown", "S3.EXPIRE.OBJECT img/old.png -",
    ]
    assert frame["service"].unique().to_list() == ["shop-assets"]
    a = _attrs(rows[1])
    assert (a["status"], a["error_code"], a["operation"], a["query"], a["response_time_ms"]) == (
        403, "AccessDenied", "REST.GET.OBJECT", "v=2", 12.0,
    )
    assert a["host_header"] == "shop-assets.s3.us-east-1.amazonaws.com"


def test_log4j_short_logger_before_a_colon(tmp_path):
    """log4j's ``%p %c{1}: %m`` (Spark's and Hadoop's default layout): the undotted name glued
    to a colon after the level is the logger, as a dotted one is, in a file where most heads
    have one; a colon later in the message, or a first word without one, stays the message's."""
    frame = _read(tmp_path, "driver-stderr", [
        "24/03/05 10:00:00 INFO TaskSetManager: Finished task 0.0 in stage 3.0 (TID 40) in 119 ms",
        "24/03/05 10:00:01 INFO spark.SparkContext: Starting job: collect",
        "24/03/05 10:00:02 INFO DAGScheduler: Job 3 finished: collect, took 1.5 s",
        "24/03/05 10:00:03 ERROR Executor: Exception in task 11.0 in stage 3.0 (TID 51)",
        "java.lang.OutOfMemoryError: Java heap space",
        "\tat java.util.Arrays.copyOf(Arrays.java:3236)",
        "24/03/05 10:00:04 WARN Lost task 11.0 on 10.0.2.11: executor lost",
    ])
    rows = frame.to_dicts()
    assert [_attrs(r).get("logger") for r in rows] == ["TaskSetManager", "spark.SparkContext", "DAGScheduler", "Executor", None]
    assert [r["body"].split("\n")[0] for r in rows] == [
        "Finished task 0.0 in stage 3.0 (TID 40) in 119 ms", "Starting job: collect",
        "Job 3 finished: collect, took 1.5 s", "Exception in task 11.0 in stage 3.0 (TID 51)",
        "Lost task 11.0 on 10.0.2.11: executor lost",
    ]
    assert rows[3]["n_lines"] == 3
    # a file whose lines do not have that layout keeps a capitalised word and colon in the message
    plain = _read(tmp_path, "app.log", [
        "2024-03-05 10:00:00 ERROR Failed: connection refused",
        "2024-03-05 10:00:01 INFO started in 3 s",
        "2024-03-05 10:00:02 INFO ready",
    ])
    assert plain["body"][0] == "Failed: connection refused"


def test_gitlab_job_log_stream_marker(tmp_path):
    """GitLab's job log with timestamps: the stream marker after the stamp (``00O`` stdout,
    ``01E`` stderr, ``+`` on a line going on) is the thread, not the message's start; a level
    word starting the line is the level, as after any stamp."""
    frame = _read(tmp_path, "gitlab-job-4711.log", [
        "2024-03-05T10:00:00.123456Z 00O Running with gitlab-runner 16.9.1 (782c6ecb)",
        "2024-03-05T10:00:01.100000Z 01O $ npm test -- --shard=0/15",
        "2024-03-05T10:00:02.100000Z 01O $ npm test -- --shard=1/15",
        "2024-03-05T10:00:20.000000Z 01E npm ERR! code ELIFECYCLE",
        "2024-03-05T10:00:20.100000Z 00O \x1b[31;1mERROR: Job failed: exit code 1\x1b[0;m",
    ])
    rows = frame.to_dicts()
    assert [r["body"] for r in rows] == [
        "Running with gitlab-runner 16.9.1 (782c6ecb)", "$ npm test -- --shard=0/15", "$ npm test -- --shard=1/15",
        "npm ERR! code ELIFECYCLE", "Job failed: exit code 1",
    ]
    assert [r["severity_text"] for r in rows] == [None, None, None, None, "ERROR"]
    assert [_attrs(r)["thread"] for r in rows] == ["00O", "01O", "01O", "01E", "00O"]
    assert rows[0]["timestamp"] == datetime(2024, 3, 5, 10, 0, 0, 123456, tzinfo=UTC)


def test_klog_file_header_lines_are_records_of_their_own(tmp_path):
    """klog's and glog's file header: each line a record of its own (``Binary: Built with
    ...`` too), not joined to the line above."""
    frame = _read(tmp_path, "kubelet.INFO", [
        "Log file created at: 2024/03/05 10:00:00",
        "Running on machine: node-1",
        "Binary: Built with gc go1.21.6 for linux/amd64",
        "Log line format: [IWEF]mmdd hh:mm:ss.uuuuuu threadid file:line] msg",
        'I0305 10:00:00.196712    1234 kubelet.go:2186] "SyncLoop (PLEG): event for pod"',
        'E0305 10:00:01.000000    1234 pod_workers.go:1300] "Error syncing pod"',
    ])
    assert frame["n_lines"].to_list() == [1] * 6
    assert frame["body"][2] == "Binary: Built with gc go1.21.6 for linux/amd64"
    assert frame["severity_text"].to_list()[4:] == ["INFO", "ERROR"]
