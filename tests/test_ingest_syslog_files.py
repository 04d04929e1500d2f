"""Syslog files as rsyslog and journalctl write them (no PRI): detection and levels."""

from __future__ import annotations

import pytest

from rcakit.ingest import detect_format, read_logs
from rcakit.ingest._text import SYSLOG, TEXT

from ._ingest_helpers import OPTS, attrs, parse_lines

RSYSLOG = """\
2024-03-01T10:00:01.123456+00:00 node-1 payments[123]: ERROR payment declined for order 7
2024-03-01T10:00:02.000001+00:00 node-1 sshd[812]: error: Received disconnect from 10.0.0.9: 3: Auth fail [preauth]
2024-03-01T10:00:03.000001+00:00 node-1 systemd[1]: Started payments.service.
2024-03-01T10:00:04.000001+00:00 node-1 app[9]: fine tuning finished
2024-03-01T10:00:05.000001+00:00 node-1 app[9]: [WARN] queue depth 900
"""


@pytest.mark.parametrize(
    "text",
    [
        RSYSLOG,
        # journalctl -o short-iso
        "2024-03-01T10:00:01+0000 node-1 payments[123]: ERROR payment declined\n"
        "2024-03-01T10:00:02+0000 node-1 systemd[1]: Started payments.service.\n",
        # journalctl (short): a classic RFC 3164 file
        "Mar 01 10:00:01 node-1 payments[123]: ERROR payment declined\n"
        "Mar 01 10:00:02 node-1 systemd[1]: Started payments.service.\n",
    ],
)
def test_detected_as_syslog(tmp_path, text):
    path = tmp_path / "messages"
    path.write_text(text)
    assert detect_format(path) == "syslog"
    rows = read_logs(path, year=2024).to_dicts()
    assert (rows[0]["service"], rows[0]["severity_text"]) == ("payments", "ERROR")
    assert attrs(rows[0])["host"] == "node-1"


def test_level_from_the_message_when_there_is_no_pri():
    rows = parse_lines(SYSLOG, RSYSLOG, OPTS).to_dicts()
    assert [r["severity_text"] for r in rows] == ["ERROR", "ERROR", None, None, "WARN"]
    # the message keeps its text: it is the program's, and tools match on it whole
    assert rows[1]["body"] == "error: Received disconnect from 10.0.0.9: 3: Auth fail [preauth]"
    assert rows[3]["body"] == "fine tuning finished"  # a lower-case first word is not a level


def test_pri_wins_over_a_level_word_in_the_message():
    rows = parse_lines(SYSLOG, "<14>Mar  1 10:00:01 node-1 app[9]: ERROR but sent as info\n", OPTS).to_dicts()
    assert rows[0]["severity_text"] == "INFO"


def test_iso_stamped_app_logs_stay_text():
    text = "2024-03-01T10:00:01.123Z INFO [main] c.x.Y - started\n2024-03-01T10:00:02.123Z WARN [main] c.x.Y - slow\n"
    assert TEXT.sniff(text.splitlines()) > SYSLOG.sniff(text.splitlines())


def test_a_daemon_tagged_with_its_path_is_named_by_its_program(tmp_path):
    """Kamailio started as /usr/sbin/kamailio tags its lines with the path (probe AD): the
    service is ``kamailio``, as the change list calls it, not ``/usr/sbin/kamailio``."""
    path = tmp_path / "sipprx01.log"
    path.write_text(
        "Mar  9 11:42:03 sipprx01 /usr/sbin/kamailio[1992]: ERROR: ims_icscf [cxdx_uar.c:178]: async_cdp_uar_callback(): "
        "Error sending UAR to hss02.ims.example.org: timeout (no answer in 2000 ms)\n"
        "Mar  9 11:42:05 sipprx01 /usr/sbin/kamailio[1994]: NOTICE: <script>: REGISTER from sip:bob@ims.example.org - replied 200 OK\n"
        "Mar  9 11:42:06 sipprx01 systemd[1]: Started Session 42 of user ops.\n"
    )
    frame = read_logs(path, year=2024)
    assert frame["service"].to_list() == ["kamailio", "kamailio", "systemd"]
    assert frame["severity_text"].to_list()[:2] == ["ERROR", "INFO"]


def test_a_services_own_log_lines_in_the_journal(tmp_path):
    """A service under systemd writes log4j lines to the journal: their level, message and
    logger are read, and the stack trace it wrote one journal line per frame joins them
    (per program and process id: another program's line in between does not end it)."""
    path = tmp_path / "journal.txt"
    path.write_text(
        "Mar 01 10:00:00.456789 node-1 shop-api[2345]: 2024-03-01 10:00:00,456 INFO  [main] c.a.shop.Application - Starting\n"
        "Mar 01 10:00:02.000001 node-1 shop-api[2345]: 2024-03-01 10:00:02,000 ERROR [main] o.s.boot.SpringApplication - Application run failed\n"
        "Mar 01 10:00:02.000002 node-1 shop-api[2345]: org.springframework.beans.factory.BeanCreationException: Error creating bean\n"
        "Mar 01 10:00:02.000003 node-1 systemd[1]: shop-api.service: Main process exited, code=exited, status=1/FAILURE\n"
        "Mar 01 10:00:02.000004 node-1 shop-api[2345]:         at org.springframework.boot.SpringApplication.run(SpringApplication.java:316)\n"
        "Mar 01 10:00:02.000005 node-1 shop-api[2345]: Caused by: java.net.ConnectException: Connection refused\n"
        "Mar 01 10:00:03.000000 node-1 sshd[4567]: Failed password for invalid user admin from 198.51.100.50 port 51234 ssh2\n"
    )
    assert detect_format(path) == "syslog"
    rows = read_logs(path, year=2024).to_dicts()
    assert [(r["service"], r["severity_text"], r["n_lines"]) for r in rows] == [
        ("shop-api", "INFO", 1), ("shop-api", "ERROR", 4), ("systemd", None, 1), ("sshd", None, 1),
    ]
    assert rows[1]["body"].startswith("Application run failed\norg.springframework.beans.factory.BeanCreationException")
    assert rows[1]["body"].endswith("Caused by: java.net.ConnectException: Connection refused")
    assert attrs(rows[1])["logger"] == "o.s.boot.SpringApplication"
    assert attrs(rows[1])["procid"] == "2345"
    assert sum(r["n_lines"] for r in rows) == 7


def test_structured_app_lines_in_the_journal(tmp_path):
    """A node's journal: containerd and dockerd write logfmt, kubelet klog, a service JSON.
    Their message, level and fields are read like a container's app lines (containerd's
    lines would otherwise all be one template, 'time=<STR> level=info msg=<STR>')."""
    path = tmp_path / "node.journal"
    path.write_text(
        'Nov 29 10:00:01 node1 containerd[812]: time="2024-11-29T10:00:01.123456789Z" level=info msg="starting containerd" revision=abc\n'
        'Nov 29 10:00:02 node1 containerd[812]: time="2024-11-29T10:00:02Z" level=error msg="failed to pull image \\"nginx:1\\"" error="rpc error: code = Unknown"\n'
        'Nov 29 10:00:03 node1 kubelet[900]: E1129 10:00:03.123456     900 pod_workers.go:1298] "Error syncing pod, skipping" pod="shop/orders-1"\n'
        'Nov 29 10:00:04 node1 shop-api[1200]: {"level":"warn","msg":"payment slow","order":"o-1"}\n'
        "Nov 29 10:00:05 node1 systemd[1]: Started containerd.service.\n"
        "Nov 29 10:00:06 node1 sshd[77]: error: maximum authentication attempts exceeded\n"
    )
    rows = read_logs(path, year=2024).to_dicts()
    assert [(r["service"], r["severity_text"]) for r in rows] == [
        ("containerd", "INFO"), ("containerd", "ERROR"), ("kubelet", "ERROR"), ("shop-api", "WARN"),
        ("systemd", None), ("sshd", "ERROR"),
    ]
    assert [r["body"] for r in rows[:2]] == ["starting containerd", 'failed to pull image "nginx:1"']
    assert attrs(rows[1])["error"] == "rpc error: code = Unknown"
    assert rows[2]["body"].startswith('"Error syncing pod, skipping"')
    assert rows[3]["body"] == "payment slow"
    assert attrs(rows[3])["order"] == "o-1"
    assert rows[5]["body"] == "error: maximum authentication attempts exceeded"
    assert all(attrs(r)["procid"] for r in rows)


def test_year_before_the_time_cisco_asa(tmp_path):
    """RFC 3164 with a year between the day and the time and a colon after it (Cisco ASA,
    other appliances): a blind probe found it read as raw lines, no time and no level."""
    text = (
        "<166>Mar 01 2024 10:00:00: %ASA-6-302013: Built inbound TCP connection 123456 for outside:198.51.100.7/54321\n"
        "<164>Mar 01 2024 10:00:01: %ASA-4-106023: Deny tcp src outside:198.51.100.8/40000 dst inside:10.0.1.5/22\n"
        "<161>Mar  1 2024 10:00:03: %ASA-1-105005: (Primary) Lost Failover communications with mate on interface inside\n"
        "<163>Mar 01 2024 10:00:04 fw01 : %ASA-3-710003: TCP access denied by ACL from 198.51.100.9/1234\n"
        "<30>Mar 01 2024 10:00:05 fw01 sshd[812]: Accepted publickey for admin\n"
    )
    path = tmp_path / "asa.log"
    path.write_text(text)
    assert detect_format(path) == "syslog"
    rows = read_logs(path).to_dicts()
    assert [r["severity_text"] for r in rows] == ["INFO", "WARN", "FATAL", "ERROR", "INFO"]
    assert [r["timestamp"].isoformat() for r in rows] == [
        "2024-03-01T10:00:00+00:00", "2024-03-01T10:00:01+00:00", "2024-03-01T10:00:03+00:00",
        "2024-03-01T10:00:04+00:00", "2024-03-01T10:00:05+00:00",
    ]
    assert rows[1]["body"].startswith("%ASA-4-106023: Deny tcp")
    assert rows[3]["body"].startswith("%ASA-3-710003: TCP access denied")
    assert attrs(rows[3])["host"] == "fw01"
    assert (rows[4]["service"], rows[4]["body"]) == ("sshd", "Accepted publickey for admin")


def test_kernel_lines_without_a_pid_are_syslog(tmp_path):
    """kern.log / ufw.log as rsyslog writes them: 'kernel:' has no [pid]; the file had been
    read as a text log, the host and tag left in every message."""
    text = (
        "2024-03-01T10:00:01.123456+00:00 fw01 kernel: [123456.789012] [UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.7 DST=10.0.1.5 PROTO=TCP DPT=22\n"
        "2024-03-01T10:00:02.000001+00:00 fw01 kernel: [123457.665544] [UFW BLOCK] IN=eth0 OUT= SRC=2001:db8::66 DST=2001:db8::5 PROTO=TCP\n"
        "2024-03-01T10:00:03.000001+00:00 fw01 kernel: [123458.000001] nf_conntrack: table full, dropping packet\n"
        "2024-03-01T10:00:05.000001+00:00 fw01 systemd[1]: ufw.service: Deactivated successfully.\n"
    )
    path = tmp_path / "kern.log"
    path.write_text(text)
    assert detect_format(path) == "syslog"
    rows = read_logs(path).to_dicts()
    assert [r["service"] for r in rows] == ["kernel", "kernel", "kernel", "systemd"]
    assert rows[0]["body"].startswith("[123456.789012] [UFW BLOCK] IN=eth0")
    assert rows[3]["body"] == "ufw.service: Deactivated successfully."


def test_journalctl_short_full_and_short_monotonic(tmp_path):
    """``journalctl -o short-full`` (weekday, date, time, zone) and ``-o short-monotonic``
    (seconds since boot: no wall-clock time) are syslog lines like ``-o short-iso``'s."""
    from datetime import UTC, datetime

    full = tmp_path / "full.txt"
    full.write_text(
        "-- Boot 3f2a9c1e0b7d4e5fa1c2d3e4f5a6b7c8 --\n"
        "Tue 2024-03-05 10:00:01 UTC node-7 systemd[1]: Started orders-api.service - Orders API.\n"
        "Tue 2024-03-05 10:00:09 UTC node-7 orders-api[2345]: 2024-03-05 10:00:09,871 ERROR [http-3] c.s.o.Pay - charge failed: 504\n"
        "Tue 2024-03-05 10:00:12 UTC node-7 kernel: Out of memory: Killed process 2345 (java)\n"
        "Tue 2024-03-05 11:00:22 CET node-7 sshd[4410]: error: kex_exchange_identification: Connection closed\n"
    )
    assert detect_format(full) == "syslog"
    rows = read_logs(full).to_dicts()[1:]
    assert [(r["timestamp"], r["service"], r["severity_text"], r["body"]) for r in rows] == [
        (datetime(2024, 3, 5, 10, 0, 1, tzinfo=UTC), "systemd", None, "Started orders-api.service - Orders API."),
        (datetime(2024, 3, 5, 10, 0, 9, tzinfo=UTC), "orders-api", "ERROR", "charge failed: 504"),
        # (the kernel's OOM kill is a crash report: ERROR)
        (datetime(2024, 3, 5, 10, 0, 12, tzinfo=UTC), "kernel", "ERROR", "Out of memory: Killed process 2345 (java)"),
        (datetime(2024, 3, 5, 10, 0, 22, tzinfo=UTC), "sshd", "ERROR", "error: kex_exchange_identification: Connection closed"),
    ]
    mono = tmp_path / "mono.txt"
    mono.write_text(
        "[    0.000000] node-7 kernel: Linux version 6.1.0-18-amd64\n"
        "[    2.345678] node-7 systemd[1]: Detected virtualization kvm.\n"
        "[ 3712.451204] node-7 orders-api[2345]: 2024-03-05 10:00:09,871 ERROR [http-3] c.s.o.Pay - charge failed: 504\n"
        "[ 3713.100000] node-7 sshd[4410]: error: maximum authentication attempts exceeded\n"
    )
    assert detect_format(mono) == "syslog"
    rows = read_logs(mono).to_dicts()
    assert [(r["service"], r["severity_text"], r["body"]) for r in rows] == [
        ("kernel", None, "Linux version 6.1.0-18-amd64"),
        ("systemd", None, "Detected virtualization kvm."),
        ("orders-api", "ERROR", "charge failed: 504"),
        ("sshd", "ERROR", "error: maximum authentication attempts exceeded"),
    ]
    # (the seconds since boot are no time; the app line's own stamp is)
    assert [r["timestamp"] for r in rows][:2] == [None, None]


JOURNAL_VERBOSE = """\
Tue 2024-03-05 10:00:01.123456 UTC [s=8f2c6d1e4b3a49c0a1b2c3d4e5f60718;i=4a1;b=3f2a9c1e0b7d4e5fa1c2d3e4f5a6b7c8;m=1a2b3c;t=6130f0a1b2c3d;x=9d8e7f00]
    _TRANSPORT=journal
    PRIORITY=3
    SYSLOG_IDENTIFIER=orders-api
    _PID=2345
    _HOSTNAME=node-7
    MESSAGE=payment gateway timeout after 5000ms order=8812
    _SYSTEMD_UNIT=orders-api.service
Tue 2024-03-05 10:00:03.500000 UTC [s=8f2c6d1e4b3a49c0a1b2c3d4e5f60718;i=4a3;b=3f2a9c1e0b7d4e5fa1c2d3e4f5a6b7c8;m=1a330c;t=6130f0a1b2c3f;x=9d8e7f02]
    _TRANSPORT=kernel
    PRIORITY=4
    _HOSTNAME=node-7
    _SOURCE_MONOTONIC_TIMESTAMP=3712451204
    MESSAGE=TCP: request_sock_TCP: Possible SYN flooding on port 8080. Sending cookies.
Tue 2024-03-05 11:00:04.250000 CET [s=8f2c6d1e4b3a49c0a1b2c3d4e5f60718;i=4a4;b=3f2a9c1e0b7d4e5fa1c2d3e4f5a6b7c8;m=1a36f4;t=6130f0a1b2c40;x=9d8e7f03]
    _TRANSPORT=journal
    PRIORITY=2
    _PID=1
    _SYSTEMD_UNIT=init.scope
    MESSAGE=orders-api.service: Main process exited, code=killed, status=9/KILL
"""


def test_journalctl_verbose_blocks_are_one_record_each(tmp_path):
    """``journalctl -o verbose``: a head line (weekday, stamp, zone, cursor) and the entry's
    fields indented below it are one record, read like ``-o json``'s object: ``MESSAGE`` the
    body, ``PRIORITY`` the level, ``SYSLOG_IDENTIFIER`` (else the unit) the service, the head's
    stamp the time (not the kernel's monotonic one)."""
    from datetime import UTC, datetime

    path = tmp_path / "journal.txt"
    path.write_text(JOURNAL_VERBOSE)
    assert detect_format(path) == "syslog"
    rows = read_logs(path).to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["service"], r["body"], r["line_no"], r["n_lines"]) for r in rows] == [
        (datetime(2024, 3, 5, 10, 0, 1, 123456, tzinfo=UTC), "ERROR", "orders-api",
         "payment gateway timeout after 5000ms order=8812", 1, 8),
        (datetime(2024, 3, 5, 10, 0, 3, 500000, tzinfo=UTC), "WARN", "journal",
         "TCP: request_sock_TCP: Possible SYN flooding on port 8080. Sending cookies.", 9, 6),
        (datetime(2024, 3, 5, 10, 0, 4, 250000, tzinfo=UTC), "FATAL", "init",
         "orders-api.service: Main process exited, code=killed, status=9/KILL", 15, 6),
    ]
    assert attrs(rows[0])["_HOSTNAME"] == "node-7"
    assert all(r["parse_error"] is None for r in rows)


def test_cef_and_leef_over_syslog_name_the_device():
    """ArcSight CEF and QRadar LEEF events sent over syslog: ``CEF:`` is no tag; the device's
    vendor and product are the service, and the body keeps the whole event from ``CEF:0|``."""
    text = (
        "Mar  5 10:00:01 fw01 CEF:0|Fortinet|Fortigate|v7.2.5|0000000013|traffic:forward deny|3|act=deny src=198.51.100.7 dpt=445\n"
        "Mar  5 10:00:03 ids02 CEF:0|Trend Micro|Deep Security Agent|20.0.1|4000000|Eicar_test_file|6|act=Quarantine\n"
        "<13>Mar  5 10:00:04 qradar-src01 LEEF:2.0|Lancope|StealthWatch|6.8|41|^|src=10.0.1.5^dst=198.51.100.7^sev=7\n"
        "Mar  5 10:00:05 fw01 sshd[812]: Accepted publickey for admin\n"
    )
    rows = parse_lines(SYSLOG, text, OPTS).to_dicts()
    assert [(r["service"], r["body"].split("|")[:3]) for r in rows] == [
        ("fortinet-fortigate", ["CEF:0", "Fortinet", "Fortigate"]),
        ("trend-micro-deep-security-agent", ["CEF:0", "Trend Micro", "Deep Security Agent"]),
        ("lancope-stealthwatch", ["LEEF:2.0", "Lancope", "StealthWatch"]),
        ("sshd", ["Accepted publickey for admin"]),
    ]
    assert attrs(rows[0])["host"] == "fw01"


def test_a_java_trace_whose_tabs_rsyslog_escaped_joins_its_record(tmp_path):
    """rsyslog writes a message's tab as ``#011``: a JVM's stack trace logged to syslog one
    frame per message joins the record before it of the same host, program and process, its
    tabs restored; the JVM's ``Exception in thread "main"`` is an error (probe AL)."""
    from rcakit.ingest import read_logs

    text = (
        "Mar  5 10:01:11 web01 systemd[1]: payments.service: Failed with result 'signal'.\n"
        'Mar  5 10:01:30 web01 java[4311]: Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\n'
        "Mar  5 10:01:30 web01 java[4311]: #011at java.base/java.util.Arrays.copyOf(Arrays.java:3537)\n"
        "Mar  5 10:01:30 web01 java[4311]: #011at com.shop.payments.ReportBuilder.build(ReportBuilder.java:88)\n"
        "Mar  5 10:01:31 web01 sshd[5100]: Accepted publickey for ec2-user from 10.0.0.9 port 50022 ssh2\n"
        "Mar  5 10:01:32 web01 java[4312]: #011at a.frame.of.another.Process(Other.java:1)\n"
    )
    path = tmp_path / "messages"
    path.write_text(text)
    rows = read_logs(path, year=2024).to_dicts()
    assert [r["n_lines"] for r in rows] == [1, 3, 1, 1]
    assert rows[1]["severity_text"] == "ERROR"
    assert rows[1]["body"].endswith("\n\tat com.shop.payments.ReportBuilder.build(ReportBuilder.java:88)")
    assert rows[3]["body"].startswith("#011at a.frame")  # (another process: not joined)
