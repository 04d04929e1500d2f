"""Levels behind something between the stamp and the level word, found unread by a blind
probe (probe AI): a logger padded before ``[pid]:`` (fail2ban), a source file, line and
function (ProxySQL), `` : `` after the stamp (FreeRADIUS), brackets glued before the level's
(IBM DataPower), .NET's unbracketed ``Information`` (Azure App Service), Oracle ODL's message
types. The prefix leaves the body; a prefix without a level after it stays the message's."""

from __future__ import annotations

from datetime import UTC, datetime

from rcakit.ingest import read_logs

from ._ingest_helpers import attrs


def _read(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    out = read_logs(path, year=2024)
    assert out["n_lines"].sum() == text.count("\n")
    assert out["parse_error"].is_null().all()
    return out.to_dicts()


FAIL2BAN = """\
2024-03-05 10:00:00,000 fail2ban.server         [812]: INFO    Starting Fail2ban v1.0.2
2024-03-05 10:00:01,001 fail2ban.filter         [812]: INFO    [sshd] Found 203.0.113.7 - 2024-03-05 10:00:01
2024-03-05 10:00:02,002 fail2ban.filter         [812]: INFO    [sshd] Found 203.0.113.7 - 2024-03-05 10:00:02
2024-03-05 10:00:31,123 fail2ban.actions        [812]: NOTICE  [sshd] Ban 203.0.113.7
2024-03-05 10:00:32,500 fail2ban.filter         [812]: WARNING Determined IP using DNS Lookup: mail.example.com = ['198.51.100.4']
2024-03-05 10:00:33,000 fail2ban.actions        [812]: ERROR   Failed to execute ban jail 'sshd' action 'iptables-multiport'
"""


def test_fail2ban_logger_and_pid_before_the_level(tmp_path):
    rows = _read(tmp_path, "fail2ban.log", FAIL2BAN)
    assert [r["severity_text"] for r in rows] == ["INFO", "INFO", "INFO", "INFO", "WARN", "ERROR"]
    assert rows[3]["body"] == "[sshd] Ban 203.0.113.7"
    assert rows[5]["body"] == "Failed to execute ban jail 'sshd' action 'iptables-multiport'"
    assert attrs(rows[5]) == {"logger": "fail2ban.actions", "pid": "812"}
    assert rows[3]["timestamp"] == datetime(2024, 3, 5, 10, 0, 31, 123000, tzinfo=UTC)


AZURE_APP_SERVICE = """\
2024-03-05T10:00:00  PID[4321] Information Request finished GET /health 200 in 3 ms
2024-03-05T10:00:01  PID[4321] Information Request finished GET /health 200 in 4 ms
2024-03-05T10:00:31  PID[4321] Error       Payment capture failed for order 8812
System.TimeoutException: The operation has timed out.
   at Shop.Payments.Gateway.CaptureAsync(String id) in D:\\a\\shop\\Gateway.cs:line 88
2024-03-05T10:00:35  PID[4321] Warning     Retrying capture in 2s (attempt 2/3)
2024-03-05T10:00:41  PID[4321] Information Order 8812 marked as failed
"""


def test_azure_app_service_pid_and_dotnet_level_names(tmp_path):
    rows = _read(tmp_path, "a1b2c3-4321-application.txt", AZURE_APP_SERVICE)
    assert [(r["severity_text"], r["n_lines"]) for r in rows] == [
        ("INFO", 1), ("INFO", 1), ("ERROR", 3), ("WARN", 1), ("INFO", 1),
    ]
    assert rows[2]["body"].split("\n")[0] == "Payment capture failed for order 8812"
    assert rows[4]["body"] == "Order 8812 marked as failed"


PROXYSQL = """\
2024-03-05 10:00:00 MySQL_Monitor.cpp:1400:monitor_ping(): [INFO] Server 10.0.0.20:3306 ping ok
2024-03-05 10:00:01 MySQL_Monitor.cpp:1401:monitor_ping(): [INFO] Server 10.0.0.21:3306 ping ok
2024-03-05 10:00:31 MySQL_HostGroups_Manager.cpp:1234:set_server_current_latency_us(): [ERROR] Shunning server 10.0.0.21:3306 with 5 errors/sec
2024-03-05 10:00:32 MySQL_Session.cpp:3550:handler_again___status_CONNECTING_SERVER(): [WARNING] Max connect timeout reached
2024-03-05 10:00:33 main.cpp:1250: [INFO] ProxySQL version 2.5.5
"""


def test_proxysql_source_location_before_the_level(tmp_path):
    rows = _read(tmp_path, "proxysql.log", PROXYSQL)
    assert [r["severity_text"] for r in rows] == ["INFO", "INFO", "ERROR", "WARN", "INFO"]
    assert rows[2]["body"] == "Shunning server 10.0.0.21:3306 with 5 errors/sec"
    assert rows[4]["body"] == "ProxySQL version 2.5.5"
    assert attrs(rows[2])["code"] == "MySQL_HostGroups_Manager.cpp:1234"


RADIUS = """\
Tue Mar  5 10:00:00 2024 : Info: Debugger not attached
Tue Mar  5 10:00:01 2024 : Auth: (100) Login OK: [user0] (from client wlc01 port 0 cli 0A-1B-2C-3D-4E-00)
Tue Mar  5 10:00:02 2024 : Auth: (101) Login OK: [user1] (from client wlc01 port 0 cli 0A-1B-2C-3D-4E-01)
Tue Mar  5 10:00:31 2024 : Error: (123) eap_peap: ERROR: TLS Alert read:fatal:unknown CA
Tue Mar  5 10:00:32 2024 : Warning: Please use tls_min_version and tls_max_version instead of disable_tlsv1
"""


def test_freeradius_colon_after_the_stamp(tmp_path):
    rows = _read(tmp_path, "radius.log", RADIUS)
    assert [r["severity_text"] for r in rows] == ["INFO", None, None, "ERROR", "WARN"]
    # the " : " is the head's, not the message's
    assert rows[1]["body"] == "Auth: (100) Login OK: [user0] (from client wlc01 port 0 cli 0A-1B-2C-3D-4E-00)"
    assert rows[3]["body"].endswith("TLS Alert read:fatal:unknown CA")
    assert rows[3]["timestamp"] == datetime(2024, 3, 5, 10, 0, 31, tzinfo=UTC)


DATAPOWER = """\
20240305T100000.000Z [0x80e0003a][mpgw][info] mpgw(OrdersGW): tid(9000)[10.0.4.0] gtid(9000): Request processed in 5 ms
20240305T100001.000Z [0x80e0003a][mpgw][info] mpgw(OrdersGW): tid(9001)[10.0.4.1] gtid(9001): Request processed in 6 ms
20240305T100031.123Z [0x80e00073][mpgw][error] mpgw(OrdersGW): tid(12345)[203.0.113.9] gtid(12345): Backside connection failed
20240305T100032.500Z [0x01130006][mpgw][warn] mpgw(OrdersGW): tid(12346)[203.0.113.9] gtid(12346): Timeout while reading response
20240305T100033.000Z [0x82400004][system][critic] system(default): Memory usage is critical
"""


def test_datapower_brackets_glued_before_the_level(tmp_path):
    rows = _read(tmp_path, "default-log", DATAPOWER)
    assert [r["severity_text"] for r in rows] == ["INFO", "INFO", "ERROR", "WARN", "FATAL"]
    assert rows[2]["body"] == "mpgw(OrdersGW): tid(12345)[203.0.113.9] gtid(12345): Backside connection failed"
    assert attrs(rows[2]) == {"logger": "mpgw", "code": "0x80e00073"}
    assert rows[2]["timestamp"] == datetime(2024, 3, 5, 10, 0, 31, 123000, tzinfo=UTC)
    # a prefix without a level after it stays the message's
    text = (
        "2024-03-05 10:00:00 backup [42]: started nightly run\n"
        "2024-03-05 10:00:01 worker.py:88: retrying upload\n"
        "2024-03-05 10:00:02 [a1][b2][c3] plain text\n"
        "2024-03-05 10:00:03 INFO done\n"
    )
    rows = _read(tmp_path, "app.log", text)
    assert [(r["severity_text"], r["body"]) for r in rows] == [
        (None, "backup [42]: started nightly run"),
        (None, "worker.py:88: retrying upload"),
        (None, "[a1][b2][c3] plain text"),
        ("INFO", "done"),
    ]


ODL = """\
[2024-03-05T10:00:00.000+01:00] [soa_server1] [NOTIFICATION] [] [oracle.soa.bpel.engine] [tid: [ACTIVE].ExecuteThread: '12' for queue: 'weblogic.kernel.Default (self-tuning)'] [userId: <anonymous>] [ecid: 0058bJ9x^Ef4yk0_Fw8DyW0003Kx0001Hd,0:1] [APP: soa-infra] Instance 900 completed
[2024-03-05T10:00:31.123+01:00] [soa_server1] [ERROR] [OWS-04115] [oracle.soa.bpel.engine.dispatch] [tid: [ACTIVE].ExecuteThread: '12' for queue: 'weblogic.kernel.Default (self-tuning)'] [userId: <anonymous>] [ecid: 0058bJ9x^Ef4yk0_Fw8DyW0003Kx0001Hd,0:1] An unhandled exception has been thrown
oracle.fabric.common.FabricException: ORA-12541: TNS:no listener
[2024-03-05T10:00:32.000+01:00] [soa_server1] [WARNING] [BEA-000449] [oracle.wls.Server] [tid: [ACTIVE].ExecuteThread: '12' for queue: 'weblogic.kernel.Default (self-tuning)'] Closing the socket
[2024-03-05T10:00:33.000+01:00] [soa_server1] [INCIDENT_ERROR] [BPEL-09006] [oracle.soa.bpel.engine] [tid: [ACTIVE].ExecuteThread: '12' for queue: 'weblogic.kernel.Default (self-tuning)'] Incident 42 created
[2024-03-05T10:00:34.000+01:00] [soa_server1] [TRACE:16] [] [oracle.soa.mediator] [tid: [ACTIVE].ExecuteThread: '12' for queue: 'weblogic.kernel.Default (self-tuning)'] Routing message to OrderProcessor
[2024-03-05T10:00:35.000+01:00] [soa_server1] [NOTIFICATION:16] [] [oracle.soa.config] Composite deployed
"""


def test_oracle_odl_message_types(tmp_path):
    rows = _read(tmp_path, "soa_server1-diagnostic.log", ODL)
    assert [(r["severity_text"], r["n_lines"]) for r in rows] == [
        ("INFO", 1), ("ERROR", 2), ("WARN", 1), ("ERROR", 1), ("TRACE", 1), ("INFO", 1),
    ]
    # the supplemental "[name: value]" fields are no part of the message (the ecid differs
    # per request: in the body it would split every template)
    assert [r["body"].split("\n")[0] for r in rows] == [
        "Instance 900 completed", "An unhandled exception has been thrown", "Closing the socket", "Incident 42 created",
        "Routing message to OrderProcessor", "Composite deployed",
    ]
    a = attrs(rows[1])
    assert a["logger"] == "oracle.soa.bpel.engine.dispatch"
    assert a["code"] == "OWS-04115"
    assert a["mdc"].startswith("[tid: [ACTIVE].ExecuteThread: '12'")
    assert a["mdc"].endswith("[ecid: 0058bJ9x^Ef4yk0_Fw8DyW0003Kx0001Hd,0:1]")
    assert "code" not in attrs(rows[0])
    assert rows[1]["timestamp"] == datetime(2024, 3, 5, 9, 0, 31, 123000, tzinfo=UTC)
