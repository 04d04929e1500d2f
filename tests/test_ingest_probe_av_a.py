"""Findings of a blind probe (probe AV): levels in vendors' own places after head fields,
head fields left in the body, JSON audit events without a message, and error cases (a CSV
row cut short, a logfmt quote never closed, ``--year abc``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from tests._reading import attrs, read_lines

from rcakit import read_logs
from rcakit.cli import main
from rcakit.errors import RcakitWarning


def test_logcat_with_a_year(tmp_path):
    """``logcat -v year`` (threadtime with the year): pid, thread id, level letter and tag
    are head, as in the year-less layout."""
    frame = read_lines(tmp_path, "logcat.txt", [
        "2024-03-05 10:00:00.765  1234  1260 I ActivityManager: Start proc 4321:com.shop.app/u0a123 for activity",
        "2024-03-05 10:00:02.100  4321  4321 E AndroidRuntime: FATAL EXCEPTION: main",
        "2024-03-05 10:00:03.000  1234  1300 W ActivityManager:   Force finishing activity com.shop.app/.MainActivity",
    ])
    assert frame["severity_text"].to_list() == ["INFO", "ERROR", "WARN"]
    assert frame["body"][1] == "FATAL EXCEPTION: main"
    assert attrs(frame.row(1, named=True)) == {"logger": "AndroidRuntime", "thread": "4321", "pid": "4321"}
    assert frame["timestamp"][1] == datetime(2024, 3, 5, 10, 0, 2, 100000, tzinfo=UTC)


def test_macos_log_show_compact_codes(tmp_path):
    """``log show --style compact``: the type's code (``Df`` default, ``E`` error, ``Fa``
    fault), the process with its pid and thread id, the subsystem and category."""
    frame = read_lines(tmp_path, "compact.log", [
        "2024-03-05 11:00:02.500 E  MyApp[412:1a2b3] [com.shop.myapp:network] Request failed: The network connection was lost.",
        "2024-03-05 11:00:03.100 Df MyApp[412:1a2b3] [com.shop.myapp:ui] Showing retry banner",
        "2024-03-05 11:00:04.000 Fa MyApp[412:1a2c0] [com.shop.myapp:db] Database corrupted",
    ])
    assert frame["severity_text"].to_list() == ["ERROR", "INFO", "FATAL"]
    assert frame["body"].to_list() == [
        "Request failed: The network connection was lost.", "Showing retry banner", "Database corrupted",
    ]
    assert attrs(frame.row(0, named=True)) == {
        "logger": "MyApp", "thread": "1a2b3", "pid": "412", "mdc": "com.shop.myapp:network",
    }


def test_ceph_debug_levels_and_cluster_log(tmp_path):
    """Ceph's daemon log: debug level -1 is an error, a cluster log entry's ``[WRN]`` its
    level; the cluster log's ``cluster [WRN]``/``[INF]``/``[ERR]``."""
    osd = read_lines(tmp_path, "ceph-osd.3.log", [
        "2024-03-05T10:00:31.123+0000 7f3a2b1c0700  0 log_channel(cluster) log [WRN] : slow request osd_op(client.4123.0:88)",
        "2024-03-05T10:00:35.456+0000 7f3a2a1b0700 -1 osd.3 1234 heartbeat_check: no reply from 10.0.0.6:6804 osd.5",
        "2024-03-05T10:00:40.000+0000 7f3a2b1c0700  1 osd.3 pg_epoch: 1235 pg[2.1f] start_peering_interval",
    ])
    assert osd["severity_text"].to_list() == ["WARN", "ERROR", None]
    cluster = read_lines(tmp_path, "ceph.log", [
        "2024-03-05T10:00:31.123456+0000 mon.a (mon.0) 4321 : cluster [WRN] Health check failed: 1 osds down (OSD_DOWN)",
        "2024-03-05T10:00:32.000000+0000 mon.a (mon.0) 4322 : cluster [INF] osd.5 marked itself down",
        "2024-03-05T10:00:45.500000+0000 mgr.x (mgr.4104) 980 : cluster [ERR] Health check failed: Reduced data availability",
    ])
    assert cluster["severity_text"].to_list() == ["WARN", "INFO", "ERROR"]
    assert cluster["body"][0].startswith("mon.a (mon.0) 4321 : cluster [WRN] Health check failed")


def test_levels_after_vendor_head_fields(tmp_path):
    """A level after a process or thread number, a CPU share or a source and function:
    corosync, rsyncd, Veeam, FreeSWITCH, Gitea. The body keeps the line's text."""
    cases = {
        "corosync.log": [
            ("Mar 05 10:00:31 [1234] node1 corosync notice  [TOTEM ] A new membership (10.0.0.1:1234) was formed.", "INFO"),
            ("Mar 05 10:00:32 [1234] node1 corosync warning [QUORUM] Members[1]: 1", "WARN"),
            ("Mar 05 10:00:33 [1234] node1 corosync error   [KNET  ] host: host: 2 has no active links", "ERROR"),
        ],
        "rsyncd.log": [
            ("2024/03/05 10:00:31 [4321] connect from backup01 (10.0.0.5)", None),
            ("2024/03/05 10:00:45 [4321] rsync error: some files/attrs were not transferred (code 23) at main.c(1338)", "ERROR"),
        ],
        "Job.log": [
            ("[05.03.2024 10:00:31.123] <01> Info     [JobSession] Job 'Nightly SQL' started", "INFO"),
            ("[05.03.2024 10:00:35.456] <23> Warning  [ProxyDetector] Unable to use proxy VBR01", "WARN"),
            ("[05.03.2024 10:00:40.000] <23> Error    Failed to process VM SQL01 (System.Exception)", "ERROR"),
        ],
        "freeswitch.log": [
            ("2024-03-05 10:00:32.000001 95.33% [ERR] sofia.c:2345 Error Creating Session", "ERROR"),
            ("2024-03-05 10:00:33.000001 97.00% [WARNING] switch_core_session.c:1234 Session 12 Locked", "WARN"),
        ],
        "gitea.log": [
            ("2024/03/05 10:00:31 cmd/web.go:242:runWeb() [I] Starting Gitea on PID: 4321", "INFO"),
            ("2024/03/05 10:00:35 ...s/repo/repo.go:123:Download() [E] Failed to get archive: context canceled", "ERROR"),
            ("2024/03/05 10:00:36 .../web/routing/logger.go:102:func1() [W] router: slow      GET /user/alice", "WARN"),
        ],
    }
    for name, rows in cases.items():
        frame = read_lines(tmp_path, name, [line for line, _ in rows])
        assert frame["severity_text"].to_list() == [level for _, level in rows], name
    assert frame["body"][1] == "...s/repo/repo.go:123:Download() [E] Failed to get archive: context canceled"


def test_dovecot_levels_in_its_own_log(tmp_path):
    """Dovecot's ``log_path`` file (no host, no PRI): ``service(user)<pid><session>: Level:``
    is the level, as in its syslog lines."""
    frame = read_lines(tmp_path, "dovecot.log", [
        "Mar 05 10:00:31 imap-login: Info: Login: user=<alice@example.com>, method=PLAIN, rip=10.0.0.5",
        "Mar 05 10:00:35 imap(alice@example.com)<4321><AbCdEf12>: Error: Mailbox INBOX: write() failed: No space left on device",
        "Mar 05 10:00:36 auth: Warning: auth client 4321 disconnected with 1 pending requests: EOF",
        "Mar 05 10:00:40 master: Fatal: listen(*, 993) failed: Address already in use",
    ])
    assert frame["severity_text"].to_list() == ["INFO", "ERROR", "WARN", "FATAL"]
    assert frame["body"][1].startswith("imap(alice@example.com)<4321><AbCdEf12>: Error: Mailbox INBOX")


def test_pacemaker_level_after_its_function(tmp_path):
    """Pacemaker 2's detail log: the daemon, its pid, the function in parentheses, a tab,
    then the level (the daemon's name padded before its pid too)."""
    frame = read_lines(tmp_path, "pacemaker.log", [
        "Mar 05 10:00:31 node1 pacemaker-controld  [1240] (do_state_transition) \tnotice: State transition S_IDLE -> S_POLICY_ENGINE",
        "Mar 05 10:00:33 node1 pacemaker-schedulerd[1239] (pe_fence_node) \twarning: Cluster node node2 will be fenced",
        "Mar 05 10:00:40 node1 pacemaker-fenced    [1236] (remote_op_done) \terror: Operation 'reboot' targeting node2: Timer expired",
    ])
    assert frame["severity_text"].to_list() == ["INFO", "WARN", "ERROR"]


def test_pihole_thread_inside_the_stamps_bracket(tmp_path):
    """Pi-hole FTL closes its stamp's bracket after the process and thread: they are the
    thread, not the message, and the level word starting the message is read."""
    frame = read_lines(tmp_path, "pihole-FTL.log", [
        "[2024-03-05 10:00:31.123 4321M] ########## FTL started on pihole! ##########",
        "[2024-03-05 10:00:31.200 4321M] WARNING: Long-term load (15min avg) larger than number of processors: 4.2 > 4",
        "[2024-03-05 10:00:35.000 4321/T4330] ERROR: SQLite3 database is locked",
    ])
    assert frame["severity_text"].to_list() == [None, "WARN", "ERROR"]
    assert frame["body"].to_list()[2] == "ERROR: SQLite3 database is locked"
    assert attrs(frame.row(2, named=True)) == {"thread": "4321/T4330"}


def test_openvpn_microseconds(tmp_path):
    """OpenVPN's ``--log`` file writes the microseconds after the stamp as ``us=``: part of
    the time, not of the message."""
    frame = read_lines(tmp_path, "openvpn.log", [
        "2024-03-05 10:00:31 us=123456 10.0.0.5:51234 TLS: Initial packet from [AF_INET]10.0.0.5:51234",
        "2024-03-05 10:01:31 us=200 10.0.0.5:51234 TLS Error: TLS handshake failed",
    ])
    assert frame["timestamp"].to_list() == [
        datetime(2024, 3, 5, 10, 0, 31, 123456, tzinfo=UTC),
        datetime(2024, 3, 5, 10, 1, 31, 200, tzinfo=UTC),
    ]
    assert frame["body"][1] == "10.0.0.5:51234 TLS Error: TLS handshake failed"


def test_oracle_error_code_makes_a_listener_entry_an_error(tmp_path):
    """listener.log: a refused connect's ``TNS-12514:`` line joins it and makes it an error."""
    path = tmp_path / "listener.log"
    path.write_text(
        "05-MAR-2024 10:00:31 * (CONNECT_DATA=(SERVICE_NAME=PROD)) * (ADDRESS=(PROTOCOL=tcp)(HOST=10.0.0.5)) * establish * PROD * 0\n"
        "05-MAR-2024 10:00:35 * (CONNECT_DATA=(SERVICE_NAME=PRODX)) * (ADDRESS=(PROTOCOL=tcp)(HOST=10.0.0.6)) * establish * PRODX * 12514\n"
        "TNS-12514: TNS:listener does not currently know of service requested in connect descriptor\n"
        "05-MAR-2024 10:01:00 * service_update * PROD * 0\n"
    )
    frame = read_logs(path, year=2024)
    assert frame["n_lines"].to_list() == [1, 2, 1]
    assert frame["severity_text"].to_list() == [None, "ERROR", None]


def test_time_only_heads_keep_logger_and_thread_out_of_the_body(tmp_path):
    """dbt's log file (``[info ] [MainThread]: ``) and WildFly's time-only console
    (``[logger] (thread) ``): the thread and logger are head, as in the dated layouts."""
    with pytest.warns(RcakitWarning, match="times of day"):
        dbt = read_lines(tmp_path, "dbt.log", [
            "10:00:31.124000 [info ] [MainThread]: Running with dbt=1.7.4",
            "10:00:36.450000 [error] [Thread-1 (]: 1 of 3 ERROR creating sql view model analytics.stg_orders",
        ])
    assert dbt["body"].to_list() == ["Running with dbt=1.7.4", "1 of 3 ERROR creating sql view model analytics.stg_orders"]
    assert attrs(dbt.row(1, named=True)) == {"thread": "Thread-1 ("}
    with pytest.warns(RcakitWarning, match="times of day"):
        wildfly = read_lines(tmp_path, "console.log", [
            "10:00:31,123 INFO  [org.jboss.as] (MSC service thread 1-2) WFLYSRV0049: WildFly Full 30.0.1.Final starting",
            "10:00:40,456 ERROR [org.jboss.msc.service.fail] (MSC service thread 1-4) MSC000001: Failed to start service",
        ])
    assert wildfly["body"].to_list()[1] == "MSC000001: Failed to start service"
    assert attrs(wildfly.row(1, named=True)) == {"logger": "org.jboss.msc.service.fail", "thread": "MSC service thread 1-4"}


def test_nextcloud_numeric_levels(tmp_path):
    """Nextcloud's JSON log: ``level`` 0-4 is DEBUG, INFO, WARN, ERROR, FATAL."""
    rows = [
        {"reqId": "Zec8rT1m", "level": n, "time": "2024-03-05T10:00:31+00:00", "remoteAddr": "10.0.0.5",
         "user": "alice", "app": "webdav", "method": "PUT", "url": "/remote.php/dav", "message": f"event {n}"}
        for n in range(5)
    ]
    path = tmp_path / "nextcloud.log"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    frame = read_logs(path)
    assert frame["severity_text"].to_list() == ["DEBUG", "INFO", "WARN", "ERROR", "FATAL"]


def test_okta_and_azure_activity_events_get_a_readable_body(tmp_path):
    """Okta's System Log: ``published`` is the time, ``displayMessage`` and a failed
    outcome the body; Azure's activity log: the operation and its result. Not the whole
    raw JSON line."""
    okta = tmp_path / "okta.json"
    okta.write_text(
        json.dumps({"actor": {"id": "00u1", "type": "User", "alternateId": "alice@example.com"},
                    "displayMessage": "User login to Okta", "eventType": "user.session.start",
                    "outcome": {"result": "FAILURE", "reason": "INVALID_CREDENTIALS"},
                    "published": "2024-03-05T10:00:31.123Z", "severity": "WARN", "uuid": "2b1c"}) + "\n"
        + json.dumps({"displayMessage": "OIDC access token is granted", "eventType": "app.oauth2.as.token.grant",
                      "outcome": {"result": "SUCCESS"}, "published": "2024-03-05T10:00:32.000Z", "severity": "INFO"}) + "\n"
    )
    frame = read_logs(okta)
    assert frame["timestamp"].to_list() == [
        datetime(2024, 3, 5, 10, 0, 31, 123000, tzinfo=UTC), datetime(2024, 3, 5, 10, 0, 32, tzinfo=UTC),
    ]
    assert frame["body"].to_list() == ["User login to Okta: FAILURE INVALID_CREDENTIALS", "OIDC access token is granted"]
    assert attrs(frame.row(0, named=True))["eventType"] == "user.session.start"
    azure = tmp_path / "activity.json"
    azure.write_text(json.dumps({
        "time": "2024-03-05T10:00:31.1234567Z", "resourceId": "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/SHOP-RG",
        "operationName": "MICROSOFT.COMPUTE/VIRTUALMACHINES/DEALLOCATE/ACTION", "category": "Administrative",
        "resultType": "Failure", "level": "Error", "properties": {"statusCode": "Conflict"},
    }) + "\n")
    frame = read_logs(azure)
    assert frame["body"].to_list() == ["MICROSOFT.COMPUTE/VIRTUALMACHINES/DEALLOCATE/ACTION Failure"]
    assert frame["severity_text"].to_list() == ["ERROR"]


def test_csv_export_row_cut_short_is_a_parse_error(tmp_path):
    """A CSV export's row with fewer fields than the header is kept with its raw text and a
    parse error; the fields it has are read."""
    path = tmp_path / "kibana_export.csv"
    path.write_text(
        '"@timestamp",level,message,"service.name"\n'
        '"Mar 5, 2024 @ 10:00:31.123",error,"payment failed",checkout\n'
        '"Mar 5, 2024 @ 10:00:32.000",info\n'
        '"Mar 5, 2024 @ 10:00:33.000",info,"ok, done",checkout\n'
    )
    frame = read_logs(path)
    assert frame["n_lines"].sum() == 4
    assert frame["parse_error"].to_list()[0] is None
    assert frame["parse_error"].to_list()[2] is None
    assert "fewer fields" in frame["parse_error"][1]
    assert frame["body"].to_list() == ["payment failed", '"Mar 5, 2024 @ 10:00:32.000",info', "ok, done"]
    assert frame["severity_text"][1] == "INFO"


def test_logfmt_unclosed_quote_keeps_its_text(tmp_path):
    """A logfmt value whose quote never closes: the line's text is the body, a parse error
    says why, and a ``key=`` inside the open quote is no field (no ``service=w``)."""
    path = tmp_path / "worker.logfmt"
    path.write_text(
        'time=2024-03-05T10:00:31Z level=info msg="started" component=w\n'
        'time=2024-03-05T10:00:32Z level=error msg="unterminated component=w\n'
        'time=2024-03-05T10:00:33Z level=info msg="done" component=w\n'
    )
    frame = read_logs(path)
    row = frame.row(1, named=True)
    assert row["body"] == 'time=2024-03-05T10:00:32Z level=error msg="unterminated component=w'
    assert "unclosed quote" in row["parse_error"]
    assert row["service"] == "worker"
    assert row["severity_text"] == "ERROR"
    assert row["timestamp"] == datetime(2024, 3, 5, 10, 0, 32, tzinfo=UTC)
    assert frame["parse_error"].null_count() == 2


def test_bad_year_is_one_line(tmp_path):
    """``--year abc`` is a user error on one line (exit 2), as a bad ``--tz`` is."""
    path = tmp_path / "dpkg.log"
    path.write_text("2024-03-05 10:00:31 startup archives unpack\n")
    result = CliRunner().invoke(main, ["parse", str(path), "--year", "abc", "-o", str(tmp_path / "x.parquet")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["Error: year='abc' is not a year; use a number such as 2024"]
