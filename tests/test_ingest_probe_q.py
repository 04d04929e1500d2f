"""Layouts, levels and heads a blind probe (Q) found read wrongly: each test holds lines as
the product writes them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl

from rcakit.ingest import read_logs

from ._ingest_helpers import attrs


def _read_one(tmp_path, name: str, text: str) -> pl.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = read_logs(path, year=2024)
    assert out["n_lines"].sum() == text.count("\n") + (0 if text.endswith("\n") else 1)
    return out


def test_dotnet_json_console_loglevel_and_nginx_time_iso8601(tmp_path):
    """.NET's JSON console formatter names its level "LogLevel"; nginx's escape=json
    log_format names its time by the variable "time_iso8601"."""
    dotnet = _read_one(tmp_path, "identity.json.log", "".join(json.dumps(r) + "\n" for r in [
        {"Timestamp": "2024-03-01T10:00:01.123Z", "EventId": 14, "LogLevel": "Information",
         "Category": "Microsoft.Hosting.Lifetime", "Message": "Now listening on: http://[::]:8080"},
        {"Timestamp": "2024-03-01T10:00:03.456Z", "EventId": 3, "LogLevel": "Error",
         "Category": "Identity.Store.UserStore", "Message": "Lookup of user 42 failed"},
        {"Timestamp": "2024-03-01T10:00:05.000Z", "EventId": 0, "LogLevel": "Critical",
         "Category": "Identity.Program", "Message": "Key vault unreachable"},
    ]))
    assert dotnet["severity_text"].to_list() == ["INFO", "ERROR", "FATAL"]
    assert dotnet["body"][1] == "Lookup of user 42 failed"
    nginx = _read_one(tmp_path, "edge.access.json", "".join(json.dumps(r) + "\n" for r in [
        {"time_iso8601": "2024-03-01T10:00:01+00:00", "remote_addr": "203.0.113.5", "request_method": "GET",
         "request_uri": "/api/items?page=2", "status": "200", "request_time": "0.012"},
        {"time_iso8601": "2024-03-01T11:00:03+01:00", "remote_addr": "203.0.113.5", "request_method": "POST",
         "request_uri": "/api/pay", "status": "502", "request_time": "30.001"},
    ]))
    assert nginx["timestamp"].to_list() == [
        datetime(2024, 3, 1, 10, 0, 1, tzinfo=UTC), datetime(2024, 3, 1, 10, 0, 3, tzinfo=UTC),
    ]
    assert nginx["body"].to_list() == ["GET /api/items 200", "POST /api/pay 502"]
    assert "time_iso8601" not in attrs(nginx.row(0, named=True))


def test_epoch_with_colon_tai64n_labels_and_levels_starting_the_message(tmp_path):
    """Mosquitto's "<epoch>: msg" and svlogd's TAI64N labels are stamps; a level word that
    starts the message of such a level-less head is the record's level (the body keeps it)."""
    mq = _read_one(tmp_path, "mosquitto.log", (
        "1709287201: mosquitto version 2.0.18 starting\n"
        "1709287202: Opening ipv4 listen socket on port 1883.\n"
        "1709287281: Warning: Unable to open log file /var/log/mosquitto.log for writing.\n"
        "1709287290: Error: Address already in use\n"
    ))
    assert mq["timestamp"][0] == datetime(2024, 3, 1, 10, 0, 1, tzinfo=UTC)
    assert mq["body"].to_list()[:2] == ["mosquitto version 2.0.18 starting", "Opening ipv4 listen socket on port 1883."]
    assert mq["severity_text"].to_list() == [None, None, "WARN", "ERROR"]
    assert mq["body"][3] == "Error: Address already in use"
    sv = _read_one(tmp_path, "mailer.log", (
        "@4000000065e1a72b075bca00 mailer 2.4 starting, pid 4242\n"
        "@4000000065e1a72c00000000 connected to smtp relay relay.corp:25\n"
        "@4000000065e1a72f1dcd6500 ERROR: relay refused message 8a1b: 550 5.7.1 relaying denied\n"
        "@4000000065e1a7343b9ac618 delivered 17 messages\n"
    ))
    assert sv["timestamp"].to_list() == [
        datetime(2024, 3, 1, 10, 0, 1, 123456, tzinfo=UTC), datetime(2024, 3, 1, 10, 0, 2, tzinfo=UTC),
        datetime(2024, 3, 1, 10, 0, 5, 500000, tzinfo=UTC), datetime(2024, 3, 1, 10, 0, 10, 999999, tzinfo=UTC),
    ]
    assert sv["body"][0] == "mailer 2.4 starting, pid 4242"
    assert sv["severity_text"].to_list() == [None, None, "ERROR", None]
    assert sv["parse_error"].null_count() == 4


def test_mariadb_slow_log_short_stamps_and_entries_in_the_same_second(tmp_path):
    """MariaDB (and MySQL 5.x) write '# Time: yyMMdd H:mm:ss', and only when the second
    changed: an entry without one starts at its '# User@Host:' line, timed by its SET timestamp."""
    slow = _read_one(tmp_path, "shopdb.slow.log", (
        "# Time: 240301 10:00:01\n"
        "# User@Host: app[app] @ web1 [10.0.0.5]\n"
        "# Thread_id: 123  Schema: shop  QC_hit: No\n"
        "# Query_time: 3.215873  Lock_time: 0.000120  Rows_sent: 1  Rows_examined: 1200345\n"
        "SET timestamp=1709287201;\n"
        "SELECT * FROM orders WHERE customer_email LIKE '%@example.com';\n"
        "# User@Host: app[app] @ web2 [10.0.0.6]\n"
        "# Thread_id: 124  Schema: shop  QC_hit: No\n"
        "# Query_time: 2.004511  Lock_time: 0.000080  Rows_sent: 0  Rows_examined: 880001\n"
        "SET timestamp=1709287201;\n"
        "UPDATE carts SET status = 'expired' WHERE updated_at < NOW() - INTERVAL 1 DAY;\n"
        "# Time: 240301  9:02:17\n"
        "# User@Host: report[report] @ bi1 [10.0.0.9]\n"
        "# Query_time: 12.771002  Lock_time: 0.000210  Rows_sent: 500  Rows_examined: 9100321\n"
        "SET timestamp=1709283737;\n"
        "SELECT 1;\n"
    ))
    rows = slow.to_dicts()
    assert [(r["line_no"], r["n_lines"]) for r in rows] == [(1, 6), (7, 5), (12, 5)]
    assert [r["timestamp"] for r in rows] == [
        datetime(2024, 3, 1, 10, 0, 1, tzinfo=UTC), datetime(2024, 3, 1, 10, 0, 1, tzinfo=UTC),
        datetime(2024, 3, 1, 9, 2, 17, tzinfo=UTC),
    ]
    assert rows[1]["body"] == "UPDATE carts SET status = 'expired' WHERE updated_at < NOW() - INTERVAL 1 DAY;"
    assert attrs(rows[1])["client"] == "10.0.0.6"
    assert slow["parse_error"].null_count() == 3


def test_levels_in_sqlagent_puppet_icinga_datadog_agent_vmware_and_samba_heads(tmp_path):
    """Heads whose level was in the line but not read: SQL Server Agent's marks, Puppet's
    '(err)', Icinga's 'critical/Component:', the Datadog agent's bars, ESXi's vmkernel,
    hostd (ESXi 7 words and ESXi 8 'Er(163)') and Samba's debug level."""
    def levels_bodies(name: str, text: str) -> list[tuple]:
        out = _read_one(tmp_path, name, text)
        return [(r["severity_text"], r["body"]) for r in out.to_dicts()]

    assert levels_bodies("SQLAGENT.OUT", (
        "2024-03-01 10:00:01 - ? [100] Microsoft SQLServerAgent version 16.0.4105.2 (X64 unicode retail build) : Process ID 1234\n"
        "2024-03-01 10:00:02 - + [396] An idle CPU condition has not been defined - OnIdle job schedules will have no effect\n"
        "2024-03-01 10:00:05 - ! [298] SQLServer Error: 53, Named Pipes Provider: Could not open a connection to SQL Server [53]. [SQLSTATE 08001]\n"
    ))[1:] == [
        ("WARN", "An idle CPU condition has not been defined - OnIdle job schedules will have no effect"),
        ("ERROR", "SQLServer Error: 53, Named Pipes Provider: Could not open a connection to SQL Server [53]. [SQLSTATE 08001]"),
    ]
    puppet = _read_one(tmp_path, "puppet-agent.log", (
        "2024-03-01 10:00:01 +0000 Puppet (notice): Applying configuration version '1709287201'\n"
        "2024-03-01 11:00:04 +0100 /Stage[main]/App::Config/File[/etc/app.yml] (warning): Skipping because of failed dependencies\n"
        "2024-03-01 10:00:05 +0000 /Stage[main]/App::Install/Package[shop-app]/ensure (err): change from 'purged' to '1.3.0' failed\n"
    ))
    assert puppet["severity_text"].to_list() == ["INFO", "WARN", "ERROR"]
    assert puppet["body"][1] == "Skipping because of failed dependencies"
    assert puppet["timestamp"][1] == datetime(2024, 3, 1, 10, 0, 4, tzinfo=UTC)
    assert attrs(puppet.row(2, named=True))["logger"] == "/Stage[main]/App::Install/Package[shop-app]/ensure"
    assert levels_bodies("icinga2.log", (
        "[2024-03-01 10:00:01 +0000] information/ApiListener: Reconnecting to endpoint 'master1'\n"
        "[2024-03-01 10:00:02 +0000] critical/ApiListener: Cannot connect to host '10.0.0.1' on port '5665': Connection refused\n"
        "[2024-03-01 10:00:03 +0000] warning/PluginNotificationTask: Notification command terminated with exit code 1\n"
    )) == [
        ("INFO", "Reconnecting to endpoint 'master1'"),
        ("FATAL", "Cannot connect to host '10.0.0.1' on port '5665': Connection refused"),
        ("WARN", "Notification command terminated with exit code 1"),
    ]
    dd = _read_one(tmp_path, "datadog-agent.log", (
        "2024-03-01 10:00:01 UTC | CORE | INFO | (pkg/collector/scheduler.go:124 in Enter) | Scheduling check postgres\n"
        "2024-03-01 10:00:16 UTC | CORE | ERROR | (pkg/collector/worker/check_logger.go:71 in Error) | check:postgres | Error running check\n"
        "2024-03-01 11:00:21 CET | PROCESS | WARN | (pkg/process/checks/container.go:88 in Run) | Unable to list containers\n"
    ))
    assert [(r["severity_text"], r["body"]) for r in dd.to_dicts()] == [
        ("INFO", "Scheduling check postgres"), ("ERROR", "check:postgres | Error running check"),
        ("WARN", "Unable to list containers"),
    ]
    assert dd["timestamp"][2] == datetime(2024, 3, 1, 10, 0, 21, tzinfo=UTC)
    assert attrs(dd.row(1, named=True)) == {"logger": "CORE", "code": "pkg/collector/worker/check_logger.go:71 in Error"}
    assert levels_bodies("vmkernel.log", (
        "2024-03-01T10:00:01.200Z cpu5:2097300)ScsiDeviceIO: 4325: Cmd(0x45b8c1a2b3c4) 0x28 failed H:0x0 D:0x2 P:0x0\n"
        "2024-03-01T10:00:01.123Z cpu2:2097152)WARNING: NMP: nmp_DeviceRequestFastDeviceProbe:237: state in doubt\n"
        "2024-03-01T10:00:03.500Z cpu3:2098000)NetPort: 1632: disabled port 0x4000004\n"
    )) == [
        (None, "ScsiDeviceIO: 4325: Cmd(0x45b8c1a2b3c4) 0x28 failed H:0x0 D:0x2 P:0x0"),
        ("WARN", "WARNING: NMP: nmp_DeviceRequestFastDeviceProbe:237: state in doubt"),
        (None, "NetPort: 1632: disabled port 0x4000004"),
    ]
    assert levels_bodies("hostd.log", (
        "2024-03-01T10:00:01.123Z info hostd[2099111] [Originator@6876 sub=Vimsvc.TaskManager opID=abc-123] Task Created : haTask-12345\n"
        "2024-03-01T10:00:05.456Z error hostd[2099200] [Originator@6876 sub=Default opID=def-456 user=root] Unable to query guest info\n"
        "--> VmFault: vim.fault.InvalidState\n"
        "2024-03-01T10:00:09.000Z Er(163) Hostd[2099204]: [Originator@6876 sub=Libs] SSL Async Handshake Timeout\n"
    )) == [
        ("INFO", "Task Created : haTask-12345"),
        ("ERROR", "Unable to query guest info\n--> VmFault: vim.fault.InvalidState"),
        ("ERROR", "SSL Async Handshake Timeout"),
    ]
    smb = _read_one(tmp_path, "log.smbd", (
        "[2024/03/01 10:00:01.123456,  0] ../../source3/smbd/service.c:123(make_connection_snum)\n"
        "  make_connection_snum: canonicalize_connect_path failed for service share\n"
        "[2024/03/01 10:00:05.000000,  1] ../../source3/smbd/smb2_server.c:3456(smbd_smb2_request_error_ex)\n"
        "  smbd_smb2_request_error_ex: status[NT_STATUS_ACCESS_DENIED]\n"
        "[2024/03/01 10:00:08.000000,  5, pid=1234, effective(0, 0), real(0, 0)] ../../source3/smbd/open.c:6000(create_file_default)\n"
        "  create_file_default: access denied\n"
    ))
    assert [(r["line_no"], r["n_lines"], r["severity_text"], r["body"]) for r in smb.to_dicts()] == [
        (1, 2, "ERROR", "make_connection_snum: canonicalize_connect_path failed for service share"),
        (3, 2, "WARN", "smbd_smb2_request_error_ex: status[NT_STATUS_ACCESS_DENIED]"),
        (5, 2, "DEBUG", "create_file_default: access denied"),
    ]
    assert attrs(smb.row(0, named=True)) == {"logger": "make_connection_snum", "code": "../../source3/smbd/service.c:123"}


def test_syslog_levels_in_the_line_launchd_tags_repeats_and_postgres_parts(tmp_path):
    """Levels a syslog line carries without a PRI (F5's word before the tag, Citrix ADC's
    '<local0.err>', Solaris' '[ID n kern.warning]'); launchd's '(job)' after its tag and
    syslogd's '--- last message repeated' lines do not make the file's head layout tagless;
    PostgreSQL's '[5-1]', '[5-2]' parts are one record."""
    f5 = _read_one(tmp_path, "ltm.log", (
        "Mar  1 10:00:01 bigip1 warning tmm1[12345]: 01260013:4: SSL Handshake failed for TCP 10.0.0.1:443\n"
        "Mar  1 10:00:03 bigip1 err tmm[12345]: 01010028:3: No members available for pool /Common/web_pool\n"
        "Mar  1 10:00:04 bigip1 info tmm2[12346]: Rule /Common/irule_redirect <HTTP_REQUEST>: redirecting\n"
    ))
    assert [(r["severity_text"], r["service"], r["body"]) for r in f5.to_dicts()] == [
        ("WARN", "tmm1", "01260013:4: SSL Handshake failed for TCP 10.0.0.1:443"),
        ("ERROR", "tmm", "01010028:3: No members available for pool /Common/web_pool"),
        ("INFO", "tmm2", "Rule /Common/irule_redirect <HTTP_REQUEST>: redirecting"),
    ]
    ns = _read_one(tmp_path, "ns.log", (
        "Mar  1 10:00:01 <local0.info> 10.0.0.10 03/01/2024:10:00:01 GMT ns-vpx 0-PPE-0 : default SSLVPN LOGIN 1234 0 : Context alice\n"
        "Mar  1 10:00:05 <local0.err> 10.0.0.10 03/01/2024:10:00:05 GMT ns-vpx 0-PPE-0 : default EVENT DEVICEDOWN 1235 0 :  Device down\n"
    ))
    assert ns["severity_text"].to_list() == ["INFO", "ERROR"]
    assert ns["body"][1] == 'ns-vpx 0-PPE-0 : default EVENT DEVICEDOWN 1235 0 :  Device down'
    assert ns["format"][0] == "syslog"
    sol = _read_one(tmp_path, "sol-messages.log", (
        "Mar  1 10:00:02 sol11 scsi: [ID 107833 kern.warning] WARNING: /pci@0,0/pci15ad,1976@10/sd@1,0 (sd1):\n"
        "Mar  1 10:00:04 sol11 sshd[1234]: [ID 800047 auth.error] error: PAM: Authentication failed for root\n"
        "Mar  1 10:00:07 sol11 ntpd[501]: [ID 702911 daemon.info] frequency initialized 12.345 PPM\n"
    ))
    assert sol["severity_text"].to_list() == ["WARN", "ERROR", "INFO"]
    mac = _read_one(tmp_path, "system.log", (
        "Mar  1 10:00:01 MacBook-Pro com.apple.xpc.launchd[1] (com.example.agent[4321]): Service exited with abnormal code: 1\n"
        "Mar  1 10:00:11 --- last message repeated 2 times ---\n"
        "Mar  1 10:00:20 MacBook-Pro syslogd[98]: ASL Sender Statistics\n"
        "Mar  1 10:01:05 MacBook-Pro Shop[4321]: Error: sync failed with code -1009\n"
    ))
    assert [(r["service"], r["severity_text"], r["body"]) for r in mac.to_dicts()] == [
        ("com.apple.xpc.launchd", None, "(com.example.agent[4321]): Service exited with abnormal code: 1"),
        ("system", None, "--- last message repeated 2 times ---"),
        ("syslogd", None, "ASL Sender Statistics"),
        ("Shop", "ERROR", "Error: sync failed with code -1009"),
    ]
    assert mac["timestamp"][1] == datetime(2024, 3, 1, 10, 0, 11, tzinfo=UTC)
    pg = _read_one(tmp_path, "db1-messages.log", (
        "Mar  1 10:00:05 db1 postgres[2346]: [4-1] ERROR:  relation \"order_itemz\" does not exist at character 15\n"
        "Mar  1 10:00:05 db1 postgres[2346]: [4-2] STATEMENT:  SELECT * FROM order_itemz WHERE order_id = 42\n"
        "Mar  1 10:00:09 db1 postgres[2350]: [5-1] LOG:  duration: 2345.678 ms  statement: SELECT c.name, sum(o.total)\n"
        "Mar  1 10:00:09 db1 postgres[2350]: [5-2] #011  FROM orders o\n"
        "Mar  1 10:00:10 db1 systemd[1]: Started Session 42 of user postgres.\n"
    ))
    assert [(r["line_no"], r["n_lines"], r["severity_text"], r["body"]) for r in pg.to_dicts()] == [
        (1, 2, "ERROR", 'relation "order_itemz" does not exist at character 15\nSTATEMENT:  SELECT * FROM order_itemz WHERE order_id = 42'),
        (3, 2, "INFO", "duration: 2345.678 ms  statement: SELECT c.name, sum(o.total)\n#011  FROM orders o"),
        (5, 1, None, "Started Session 42 of user postgres."),
    ]


def test_dotnet_systemd_console_and_bracketed_year_less_stamps(tmp_path):
    """.NET's systemd console formatter ('<3>stamp Category[0] msg': the syslog priority is
    the level) and a year-less stamp in brackets before the level (Asterisk, Monit)."""
    net = _read_one(tmp_path, "catalog-api.log", (
        "<6>2024-03-01T10:00:01.123Z Microsoft.Hosting.Lifetime[14] Now listening on: http://[::]:8080\n"
        "<4>2024-03-01T10:00:03.500Z Catalog.Api.Services.PriceService[0] Price cache stale for 120 s\n"
        "<3>2024-03-01T10:00:04.250Z Catalog.Api.Controllers.ProductsController[0] Failed to load product 42\n"
        "<2>2024-03-01T10:00:05.000Z Catalog.Api.Program[0] Database unreachable, shutting down\n"
    ))
    assert [(r["severity_text"], r["body"]) for r in net.to_dicts()] == [
        ("INFO", "Now listening on: http://[::]:8080"), ("WARN", "Price cache stale for 120 s"),
        ("ERROR", "Failed to load product 42"), ("FATAL", "Database unreachable, shutting down"),
    ]
    assert net["timestamp"][0] == datetime(2024, 3, 1, 10, 0, 1, 123000, tzinfo=UTC)
    assert attrs(net.row(0, named=True)) == {"logger": "Microsoft.Hosting.Lifetime", "code": "14"}
    ast = _read_one(tmp_path, "asterisk.full.log", (
        "[Mar  1 10:00:01] NOTICE[12345] chan_sip.c: Registration from '\"bob\" <sip:bob@10.0.0.5>' failed - Wrong password\n"
        "[Mar  1 10:00:05] WARNING[12347][C-00000012] chan_sip.c: Retransmission timeout reached on transmission 1a2b3c\n"
        "[Mar  1 10:00:06] ERROR[12348] res_rtp_asterisk.c: Unable to allocate RTP port: no ports available\n"
    ))
    assert [(r["severity_text"], r["body"]) for r in ast.to_dicts()] == [
        ("INFO", "Registration from '\"bob\" <sip:bob@10.0.0.5>' failed - Wrong password"),
        ("WARN", "Retransmission timeout reached on transmission 1a2b3c"),
        ("ERROR", "Unable to allocate RTP port: no ports available"),
    ]
    assert ast["timestamp"][1] == datetime(2024, 3, 1, 10, 0, 5, tzinfo=UTC)
    assert attrs(ast.row(1, named=True)) == {"logger": "chan_sip.c", "thread": "12347", "mdc": "C-00000012"}
    monit = _read_one(tmp_path, "monit.log", (
        "[UTC Mar  1 10:00:01] info     : Starting Monit 5.33.0 daemon with http interface at [*]:2812\n"
        "[UTC Mar  1 10:00:31] error    : 'nginx' process is not running\n"
    ))
    assert [(r["timestamp"], r["severity_text"], r["body"]) for r in monit.to_dicts()] == [
        (datetime(2024, 3, 1, 10, 0, 1, tzinfo=UTC), "INFO", "Starting Monit 5.33.0 daemon with http interface at [*]:2812"),
        (datetime(2024, 3, 1, 10, 0, 31, tzinfo=UTC), "ERROR", "'nginx' process is not running"),
    ]
