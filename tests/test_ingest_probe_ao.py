"""Findings of a blind probe (probe AO): heads whose fields stayed in the body, Calico
Felix's, CouchDB 3's, Apache NiFi's logback layout without a dash after the logger, and
Bacula's job messages."""

from __future__ import annotations

from ._reading import attrs as _attrs
from ._reading import read_lines as _read


def test_calico_pid_and_source_after_the_level(tmp_path):
    """Calico's components (Felix, Typha, confd) write the process id in a bracket glued to
    the level's, then the source file and its line before a colon: both are the head's (the
    pid as ``pid``, the source as ``code``), the message starts after the colon."""
    frame = _read(tmp_path, "calico-node.log", [
        '2024-03-01 09:58:12.702 [INFO][85] felix/table.go 1263: Invalidating dataplane cache ipVersion=0x4 reason="refresh requested"',
        "2024-03-01 09:58:13.429 [WARNING][85] felix/int_dataplane.go 1850: Failed to apply dataplane update error=timeout",
        "2024-03-01 09:58:14.001 [ERROR][7] typha/sync_server.go 447: Client disconnected connID=0x12",
        "2024-03-01 09:58:15.930 [INFO][85] felix/int_dataplane.go 1316: Received interface addresses update",
    ])
    assert frame["body"].to_list() == [
        'Invalidating dataplane cache ipVersion=0x4 reason="refresh requested"',
        "Failed to apply dataplane update error=timeout",
        "Client disconnected connID=0x12",
        "Received interface addresses update",
    ]
    assert frame["severity_text"].to_list() == ["INFO", "WARN", "ERROR", "INFO"]
    first = _attrs(frame.row(0, named=True))
    assert first["pid"] == "85"
    assert first["code"] == "felix/table.go 1263"
    assert _attrs(frame.row(2, named=True))["pid"] == "7"


def test_couchdb_node_process_and_request_id(tmp_path):
    """CouchDB 2+ writes the Erlang node, the process and the request id ("--------" outside
    a request) after the level and the stamp: the head's, not the message's (the process and
    request ids differ on every line: each line would be a template of its own). The process
    is ``pid``, the node and the request id are attributes."""
    frame = _read(tmp_path, "couchdb.log", [
        "[notice] 2024-03-01T09:58:13.432242Z couchdb@couchdb-0.couchdb.default.svc.cluster.local <0.46363.0> aba34ebe7b"
        " localhost:5984 192.168.1.9 admin PUT /orders/_all_docs?include_docs=true 409 ok 2",
        "[info] 2024-03-01T09:58:15.045645Z couchdb@couchdb-1.couchdb.default.svc.cluster.local <0.23254.0> -------- Starting couch_sup",
        "[error] 2024-03-01T09:58:16.100000Z nonode@nohost <0.912.0> -------- rexi_server: from: couchdb@db-2(<0.31.0>)"
        " mfa: fabric_rpc:map_view/5 error:function_clause",
    ])
    assert frame["body"].to_list() == [
        "localhost:5984 192.168.1.9 admin PUT /orders/_all_docs?include_docs=true 409 ok 2",
        "Starting couch_sup",
        "rexi_server: from: couchdb@db-2(<0.31.0>) mfa: fabric_rpc:map_view/5 error:function_clause",
    ]
    assert frame["severity_text"].to_list() == ["INFO", "INFO", "ERROR"]
    assert [_attrs(r) for r in frame.to_dicts()] == [
        {"pid": "<0.46363.0>", "node": "couchdb@couchdb-0.couchdb.default.svc.cluster.local", "request_id": "aba34ebe7b"},
        {"pid": "<0.23254.0>", "node": "couchdb@couchdb-1.couchdb.default.svc.cluster.local"},
        {"pid": "<0.912.0>", "node": "nonode@nohost"},
    ]
    # a level-first line without an Erlang node keeps its words
    other = _read(tmp_path, "other.log", [
        "[info] 2024-03-01T09:58:15.045645Z worker-1 <job 12> started",
        "[error] 2024-03-01T09:58:16.045645Z worker-1 <job 12> failed",
    ])
    assert other["body"].to_list() == ["worker-1 <job 12> started", "worker-1 <job 12> failed"]


def test_logback_logger_without_separator(tmp_path):
    """logback's "%d %-5level [%thread] %logger{40} %msg" writes no " - " after the logger
    (Apache NiFi's nifi-app.log): in a file whose lines mostly have a Java class name there,
    full or abbreviated, maybe nested, it is the logger, and a thread holding blanks is the
    thread; a layout without a logger keeps its message's first word."""
    frame = _read(tmp_path, "nifi-app.log", [
        "2024-03-01 09:58:13,230 INFO [main] o.a.n.c.c.node.NodeClusterCoordinator Status of nifi-1:11443 changed",
        "2024-03-01 09:58:14,185 ERROR [Timer-Driven Process Thread-8] o.a.n.processors.standard.InvokeHTTP"
        " InvokeHTTP[id=f1af] Routing to Failure due to exception: java.net.SocketTimeoutException: timeout",
        "2024-03-01 09:58:16,445 INFO [Flow Service Tasks Thread-2] org.apache.nifi.controller.StandardFlowService$SaveReportingTask"
        " Saved flow controller",
        "2024-03-01 09:58:17,001 WARN [NiFi Web Server-21] o.a.n.w.a.c.IllegalStateExceptionMapper java.lang.IllegalStateException: gone",
    ])
    assert frame["body"].to_list() == [
        "Status of nifi-1:11443 changed",
        "InvokeHTTP[id=f1af] Routing to Failure due to exception: java.net.SocketTimeoutException: timeout",
        "Saved flow controller",
        "java.lang.IllegalStateException: gone",
    ]
    assert [(_attrs(r)["logger"], _attrs(r)["thread"]) for r in frame.to_dicts()] == [
        ("o.a.n.c.c.node.NodeClusterCoordinator", "main"),
        ("o.a.n.processors.standard.InvokeHTTP", "Timer-Driven Process Thread-8"),
        ("org.apache.nifi.controller.StandardFlowService$SaveReportingTask", "Flow Service Tasks Thread-2"),
        ("o.a.n.w.a.c.IllegalStateExceptionMapper", "NiFi Web Server-21"),
    ]
    # no logger in the layout: the message keeps its first word, a class name included
    plain = _read(tmp_path, "server.log", [
        "2024-03-01 09:58:13,230 INFO [main] Starting server on port 8080",
        "2024-03-01 09:58:14,230 INFO [main] Loading plugins",
        "2024-03-01 09:58:15,230 ERROR [main] com.shop.Orders failed to start",
        "2024-03-01 09:58:16,230 INFO [main] Server started",
    ])
    assert plain["body"].to_list() == [
        "Starting server on port 8080", "Loading plugins", "com.shop.Orders failed to start", "Server started",
    ]
    # (the usual "logger - msg" is unchanged)
    dashed = _read(tmp_path, "app.log", [
        "2024-03-01 09:58:13,230 INFO [main] c.s.Orders - Starting",
        "2024-03-01 09:58:14,230 ERROR [main] c.s.Orders - Failed",
        "2024-03-01 09:58:15,230 INFO [main] c.s.Orders - Stopped",
    ])
    assert dashed["body"].to_list() == ["Starting", "Failed", "Stopped"]
    assert _attrs(dashed.row(0, named=True))["logger"] == "c.s.Orders"
    # (nor does a file whose logger has an MDC before its separator take the rule's extra
    # passes: the head regex reads its logger)
    from rcakit.ingest._text import _bare_logger_names

    assert not _bare_logger_names([
        f"2025-05-30 09:33:00.{i:03d} INFO  [exec-{i}] c.s.auth.web.RequestHandler [trace_id={i:032x}] - login succeeded"
        for i in range(10)
    ])


def test_bacula_job_messages(tmp_path):
    """Bacula's job messages: a year-less day-month stamp to the minute (newer releases: the
    year and the seconds), the daemon that wrote it as logger, "JobId N" as mdc, then the
    message; "Error:"/"Warning:" starting it are the level and stay in it, "Fatal error:" is
    FATAL; a job's report continues on the indented lines below its first line."""
    frame = _read(tmp_path, "bacula.log", [
        "01-Mar 09:58 backup-sd JobId 7827: Sending spooled attrs to the Director. Despooling 17,375,991,248 bytes ...",
        '01-Mar 09:58 bacula-dir JobId 3345: Using Device "FileChgr1-Dev1" to write.',
        '01-Mar 09:59 db01-fd JobId 7697: Warning: Could not stat "/var/lib/mysql/ib_logfile0": ERR=No such file or directory',
        "01-Mar 10:02 bacula-dir JobId 7698: Fatal error: Network error with FD during Backup: ERR=Connection reset by peer",
        "01-Mar 10:03 bacula-dir JobId 7697: Bacula bacula-dir 13.0.1 (05Aug22):",
        "  Build OS:               x86_64-pc-linux-gnu ubuntu 22.04",
        "  JobId:                  7697",
        "  Termination:            Backup OK -- with warnings",
        "",
        "01-Mar 10:04 bacula-dir: ERROR in authenticate.c:301 Unable to authenticate console",
        "02-Mar-2024 01:05:07 bacula-dir JobId 7699: Start Backup JobId 7699, Job=BackupCatalog.2024-03-02_01.05.05_03",
    ])
    assert frame["body"].str.slice(0, 30).to_list() == [
        "Sending spooled attrs to the D",
        'Using Device "FileChgr1-Dev1" ',
        'Warning: Could not stat "/var/',
        "Fatal error: Network error wit",
        "Bacula bacula-dir 13.0.1 (05Au",
        "ERROR in authenticate.c:301 Un",
        "Start Backup JobId 7699, Job=B",
    ]
    assert frame["n_lines"].to_list() == [1, 1, 1, 1, 5, 1, 1]
    assert "Termination:            Backup OK" in frame["body"][4]
    assert frame["severity_text"].to_list() == [None, None, "WARN", "FATAL", None, "ERROR", None]
    assert [_attrs(r) for r in frame.to_dicts()][:2] == [
        {"logger": "backup-sd", "mdc": "JobId 7827"},
        {"logger": "bacula-dir", "mdc": "JobId 3345"},
    ]
    assert _attrs(frame.row(5, named=True)) == {"logger": "bacula-dir"}
    assert [t.strftime("%Y-%m-%d %H:%M:%S") for t in frame["timestamp"]] == [
        "2024-03-01 09:58:00", "2024-03-01 09:58:00", "2024-03-01 09:59:00", "2024-03-01 10:02:00",
        "2024-03-01 10:03:00", "2024-03-01 10:04:00", "2024-03-02 01:05:07",
    ]
