"""Layouts probe AV found read as raw lines (a stamp after a short prefix, stamps spelled in
unusual ways, time-only heads, block formats) and unstamped companion lines it flagged as
parse errors."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from rcakit.errors import RcakitWarning
from rcakit.ingest import read_logs

#: every file's modification time: 2024-03-05 12:00 UTC (time-only stamps are dated by it)
MTIME = datetime(2024, 3, 5, 12, 0, tzinfo=UTC).timestamp()


def read(path: Path, text: str, *, time_only: bool = False) -> list[dict]:
    path.write_text(text)
    os.utime(path, (MTIME, MTIME))
    if time_only:
        with pytest.warns(RcakitWarning, match="times of day without a date"):
            frame = read_logs(path)
    else:
        frame = read_logs(path)
    assert int(frame["n_lines"].sum()) == len(text.splitlines())  # nothing lost
    return frame.to_dicts()


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def attrs(row: dict) -> dict:
    return json.loads(row["attributes"]) if row["attributes"] else {}


def test_cups_error_log_level_letter_before_apache_stamp(tmp_path):
    rows = read(
        tmp_path / "error_log",
        'I [05/Mar/2024:11:00:31 +0100] [Job 12] Queued on "Office" by "alice".\n'
        "W [05/Mar/2024:11:00:35 +0100] [Job 12] Printer not responding.\n"
        "E [05/Mar/2024:11:00:40 +0100] [Job 12] Unable to send data to printer.\n",
    )
    assert [(r["format"], r["timestamp"], r["severity_text"]) for r in rows] == [
        ("text", at(2024, 3, 5, 10, 0, 31), "INFO"),
        ("text", at(2024, 3, 5, 10, 0, 35), "WARN"),
        ("text", at(2024, 3, 5, 10, 0, 40), "ERROR"),
    ]
    assert rows[2]["body"] == "[Job 12] Unable to send data to printer."


def test_sap_hana_trace_ids_before_stamp(tmp_path):
    rows = read(
        tmp_path / "indexserver_hana01.30003.000.trc",
        "[4321]{-1}[-1/-1] 2024-03-05 10:00:31.123456 i Basis            TraceContext.cpp(01234) : Service started\n"
        "[4321]{200123}[45/-1] 2024-03-05 10:00:35.654321 w Memory           MemoryManager.cpp(00811) : "
        "allocation limit reached for pool\n"
        "[4388]{200123}[45/1234567] 2024-03-05 10:00:36.000001 e SQLSession       sm_handler.cc(03210) : "
        "transaction rolled back by an internal error: allocation failed\n",
    )
    assert [(r["timestamp"], r["severity_text"]) for r in rows] == [
        (at(2024, 3, 5, 10, 0, 31, 123456), "INFO"),
        (at(2024, 3, 5, 10, 0, 35, 654321), "WARN"),
        (at(2024, 3, 5, 10, 0, 36, 1), "ERROR"),
    ]
    assert rows[2]["body"] == "transaction rolled back by an internal error: allocation failed"
    assert attrs(rows[2]) == {"logger": "SQLSession", "thread": "4388", "mdc": "{200123}[45/1234567]", "code": "sm_handler.cc(03210)"}


def test_sssd_stamp_in_parentheses_both_generations(tmp_path):
    rows = read(
        tmp_path / "sssd_example.com.log",
        "(2024-03-05 10:00:31): [be[example.com]] [sdap_process_result] (0x0040): Unexpected result from ldap: "
        "Timelimit exceeded(3), Timelimit exceeded\n"
        "(2024-03-05 10:00:32:123456): [be[example.com]] [be_ptask_online_cb] (0x0400): Back end is online\n"
        "(Tue Mar  5 10:00:40 2024) [sssd[be[example.com]]] [fo_resolve_service_send] (0x0100): "
        "Trying to resolve service 'LDAP'\n",
    )
    assert [(r["timestamp"], r["severity_text"]) for r in rows] == [
        (at(2024, 3, 5, 10, 0, 31), "ERROR"),
        (at(2024, 3, 5, 10, 0, 32, 123456), "TRACE"),
        (at(2024, 3, 5, 10, 0, 40), "INFO"),
    ]
    assert rows[2]["body"] == "Trying to resolve service 'LDAP'"
    assert attrs(rows[2])["logger"] == "sssd[be[example.com]]"


def test_splunkd_month_day_year_stamp(tmp_path):
    rows = read(
        tmp_path / "splunkd.log",
        "03-05-2024 11:00:31.123 +0100 INFO  ServerConfig [0 MainThread] - Found no hostname options in server.conf.\n"
        "03-05-2024 11:00:40.000 +0100 ERROR TcpOutputFd [4330 TcpOutEloop] - Connection to host=10.0.0.5:9997 failed\n",
    )
    assert [(r["timestamp"], r["severity_text"], r["body"]) for r in rows] == [
        (at(2024, 3, 5, 10, 0, 31, 123000), "INFO", "Found no hostname options in server.conf."),
        (at(2024, 3, 5, 10, 0, 40), "ERROR", "Connection to host=10.0.0.5:9997 failed"),
    ]
    assert attrs(rows[1]) == {"logger": "TcpOutputFd", "thread": "4330 TcpOutEloop"}


def test_check_point_glued_day_month_year(tmp_path):
    rows = read(
        tmp_path / "fwlog.txt",
        "5Mar2024 10:00:31 accept gw01 >eth1 proto: tcp; src: 10.0.0.5; dst: 192.0.2.10; service: https; rule: 12;\n"
        "5Mar2024 10:00:33 drop gw01 <eth2 proto: udp; src: 203.0.113.9; dst: 10.0.0.20; service: 53; rule: 30;\n",
    )
    assert [(r["timestamp"], r["body"][:10]) for r in rows] == [
        (at(2024, 3, 5, 10, 0, 31), "accept gw0"),
        (at(2024, 3, 5, 10, 0, 33), "drop gw01 "),
    ]


def test_openldap_hex_epoch_and_nanoseconds(tmp_path):
    rows = read(
        tmp_path / "slapd.log",
        "65e6ee3f.1a2b3c4d 0x7f1234567700 conn=1000 fd=12 ACCEPT from IP=10.0.0.5:51234 (IP=0.0.0.0:389)\n"
        "65e6ee40.00000001 0x7f1234567700 conn=1000 op=0 RESULT tag=97 err=49 qtime=0.000012 etime=0.000250 text=\n"
        "65e6ee41.0f424 0x7f1234567700 conn=1000 fd=12 closed (connection lost)\n",
    )
    # 0x65e6ee3f = 1709633087 (10:04:47Z), 0x1a2b3c4d = 439041101 ns; five digits: 0x0f424 = 62500 us
    assert [r["timestamp"] for r in rows] == [
        at(2024, 3, 5, 10, 4, 47, 439041), at(2024, 3, 5, 10, 4, 48), at(2024, 3, 5, 10, 4, 49, 62500),
    ]
    assert rows[0]["body"].startswith("conn=1000 fd=12 ACCEPT")
    assert attrs(rows[0]) == {"thread": "0x7f1234567700"}


def test_msiexec_verbose_log_times_dated_by_its_banner(tmp_path):
    rows = read(
        tmp_path / "setup.log",
        "=== Verbose logging started: 3/5/2024  10:00:31  Build type: SHIP UNICODE 5.00.10011.00  "
        "Calling process: C:\\Windows\\system32\\msiexec.exe ===\n"
        "MSI (c) (A4:B8) [10:00:31:123]: Resetting cached policy values\n"
        "MSI (s) (C0:D4) [10:00:35:456]: Product: Contoso Agent -- Error 1722. There is a problem with this "
        "Windows Installer package.\n"
        "MSI (s) (C0:D4) [10:00:36:001]: Product: Contoso Agent -- Installation failed.\n"
        "=== Verbose logging stopped: 3/5/2024  10:00:36 ===\n",
    )
    assert [(r["timestamp"], r["severity_text"]) for r in rows] == [
        (at(2024, 3, 5, 10, 0, 31), None),
        (at(2024, 3, 5, 10, 0, 31, 123000), None),
        (at(2024, 3, 5, 10, 0, 35, 456000), "ERROR"),
        (at(2024, 3, 5, 10, 0, 36, 1000), None),
        (at(2024, 3, 5, 10, 0, 36), None),
    ]
    assert rows[0]["body"].startswith("=== Verbose logging started: 3/5/2024")
    assert rows[2]["body"].startswith("Product: Contoso Agent -- Error 1722.")
    assert all(r["parse_error"] is None for r in rows)


def test_dbt_console_time_of_day_then_message(tmp_path):
    rows = read(
        tmp_path / "dbt_run.txt",
        "10:00:31  Running with dbt=1.7.4\n"
        "10:00:35  1 of 3 START sql view model analytics.stg_orders ......... [RUN]\n"
        "10:00:36  1 of 3 ERROR creating sql view model analytics.stg_orders ........ [ERROR in 0.45s]\n"
        "10:00:37  \n"
        "10:00:37    relation \"raw.orders\" does not exist\n",
        time_only=True,
    )
    assert [(r["timestamp"], r["severity_text"]) for r in rows] == [
        (at(2024, 3, 5, 10, 0, 31), None),
        (at(2024, 3, 5, 10, 0, 35), None),
        (at(2024, 3, 5, 10, 0, 36), "ERROR"),
        (at(2024, 3, 5, 10, 0, 37), None),
        (at(2024, 3, 5, 10, 0, 37), None),
    ]
    assert rows[2]["body"].startswith("1 of 3 ERROR creating sql view model")


def test_teamcity_time_of_day_and_status_letter(tmp_path):
    rows = read(
        tmp_path / "teamcity-build.log",
        "[10:00:31] :\t [Step 1/2] Starting: /opt/buildagent/temp/agentTmp/custom_script.sh\n"
        "[10:00:35]W:\t [Step 1/2] npm WARN deprecated inflight@1.0.6\n"
        "[10:00:40]E:\t [Step 1/2] Process exited with code 1\n",
        time_only=True,
    )
    assert [(r["timestamp"], r["severity_text"], r["body"]) for r in rows] == [
        (at(2024, 3, 5, 10, 0, 31), None, "[Step 1/2] Starting: /opt/buildagent/temp/agentTmp/custom_script.sh"),
        (at(2024, 3, 5, 10, 0, 35), "WARN", "[Step 1/2] npm WARN deprecated inflight@1.0.6"),
        (at(2024, 3, 5, 10, 0, 40), "ERROR", "[Step 1/2] Process exited with code 1"),
    ]


def test_xorg_markers_without_a_time(tmp_path):
    rows = read(
        tmp_path / "Xorg.0.log",
        '[    12.345] (II) LoadModule: "nvidia"\n'
        "[    12.346] (WW) Warning, couldn't open module nvidia\n"
        '[    12.347] (EE) Failed to load module "nvidia" (module does not exist, 0)\n',
    )
    assert [(r["format"], r["timestamp"], r["severity_text"]) for r in rows] == [
        ("text", None, "INFO"), ("text", None, "WARN"), ("text", None, "ERROR"),
    ]
    assert rows[2]["body"] == 'Failed to load module "nvidia" (module does not exist, 0)'


def test_stamp_after_a_version_field_in_delimited_exports(tmp_path):
    pan = read(
        tmp_path / "pan_traffic.csv",
        "1,2024/03/05 10:00:31,012801012345,TRAFFIC,end,2561,2024/03/05 10:00:31,10.0.0.5,192.0.2.10,"
        "203.0.113.1,192.0.2.10,allow-web,,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1\n"
        "1,2024/03/05 10:00:35,012801012345,THREAT,vulnerability,2561,2024/03/05 10:00:35,203.0.113.9,"
        "10.0.0.20,0.0.0.0,0.0.0.0,block-exploits,,,web-browsing,vsys1,untrust,trust,ethernet1/1,ethernet1/2\n",
    )
    assert [(r["timestamp"], r["body"][:21]) for r in pan] == [
        (at(2024, 3, 5, 10, 0, 31), "012801012345,TRAFFIC,"),
        (at(2024, 3, 5, 10, 0, 35), "012801012345,THREAT,v"),
    ]
    azure = read(
        tmp_path / "000001.log",
        '1.0;2024-03-05T10:00:31.1234567Z;GetBlob;Success;200;12;10;authenticated;shopstore;shopstore;blob;'
        '"https://shopstore.blob.core.windows.net/invoices/inv-88.pdf";"/shopstore/invoices/inv-88.pdf"\n'
        '1.0;2024-03-05T10:00:32.0000000Z;PutBlob;ServerTimeoutError;500;30012;30010;authenticated;shopstore;'
        'shopstore;blob;"https://shopstore.blob.core.windows.net/invoices/inv-89.pdf";"/shopstore/invoices/inv-89.pdf"\n',
    )
    assert [(r["timestamp"], r["body"][:18]) for r in azure] == [
        (at(2024, 3, 5, 10, 0, 31, 123456), "GetBlob;Success;20"),
        (at(2024, 3, 5, 10, 0, 32), "PutBlob;ServerTime"),
    ]


MQ_ENTRY = """{stamp} - Process(4567.12) User(mqm) Program(amqrmppa)
                    Host(mqhost01) Installation(Installation1)
                    VRMF(9.3.0.15) QMgr(QM1)
                    Time({iso})
                    RemoteHost(10.0.0.5)
                    CommentInsert1(APP.SVRCONN)

{msg}

EXPLANATION:
An error occurred receiving data from '10.0.0.5' over TCP/IP.
ACTION:
Tell the systems administrator.
----- amqccita.c : 4321 -------------------------------------------------------
"""


def test_ibm_mq_error_log_one_record_per_entry(tmp_path):
    rows = read(
        tmp_path / "AMQERR01.LOG",
        MQ_ENTRY.format(
            stamp="03/05/2024 10:00:31 AM", iso="2024-03-05T10:00:31.123Z",
            msg="AMQ9209E: Connection to host '10.0.0.5 (10.0.0.5)(51234)' for channel 'APP.SVRCONN' closed.",
        )
        + MQ_ENTRY.format(
            stamp="03/05/2024 01:15:02 PM", iso="2024-03-05T13:15:02.456Z",
            msg="AMQ9545W: Disconnect interval expired.",
        ),
    )
    assert [(r["line_no"], r["n_lines"], r["timestamp"], r["severity_text"]) for r in rows] == [
        (1, 14, at(2024, 3, 5, 10, 0, 31), "ERROR"),
        (15, 14, at(2024, 3, 5, 13, 15, 2), "WARN"),
    ]
    assert "AMQ9209E: Connection to host" in rows[0]["body"]
    assert attrs(rows[0])["pid"] == "4567.12"
    assert all(r["parse_error"] is None for r in rows)


def test_ibm_mq_error_log_entries_start_with_their_message_and_keep_the_head_fields_as_attributes(tmp_path):
    # a bank's queue manager, as probe AY read it: the head's fields are the same in every
    # entry and VRMF(9.3.0.10), MQ's version, looks like an IP address to the masks
    head = (
        "11/13/2026 09:08:33 AM - Process(2142.8) User(mqm) Program(amqrmppa)\n"
        "                    Host(mqprd01) Installation(Installation1)\n"
        "                    VRMF(9.3.0.10) QMgr(QMBANK1)\n"
        "                    Time(2026-11-13T09:08:33.000Z)\n"
        "                    CommentInsert1(MON.SVRCONN)\n"
        "                    CommentInsert2(mon-agent01 (10.40.2.15))\n"
        "{extra}"
        "                   \n"
    )
    tail = (
        "AMQ9999E: Channel 'MON.SVRCONN' to host 'mon-agent01 (10.40.2.15)' ended abnormally.\n"
        "\n"
        "EXPLANATION:\n"
        "The channel program running under process ID 4711 for channel 'MON.SVRCONN' ended abnormally.\n"
        "ACTION:\n"
        "None.\n"
        "----- amqrmrsa.c : 938 --------------------------------------------------------\n"
    )
    rows = read(
        tmp_path / "AMQERR01.LOG",
        head.format(extra="") + tail + head.format(extra="                    Channel(MON.SVRCONN)\n") + tail,
    )
    assert [(r["line_no"], r["n_lines"], r["severity_text"]) for r in rows] == [(1, 14, "ERROR"), (15, 15, "ERROR")]
    assert rows[0]["body"] == tail.rstrip("\n")
    assert attrs(rows[0]) == {
        "pid": "2142.8", "user": "mqm", "program": "amqrmppa", "host": "mqprd01", "installation": "Installation1",
        "vrmf": "9.3.0.10", "qmgr": "QMBANK1", "time": "2026-11-13T09:08:33.000Z", "comment_insert1": "MON.SVRCONN",
        "comment_insert2": "mon-agent01 (10.40.2.15)",
    }
    # head text that is no field this reader knows is kept, after the message
    assert rows[1]["body"] == tail + "Channel(MON.SVRCONN)"


def test_apt_history_blocks_and_a_blank_first_line(tmp_path):
    rows = read(
        tmp_path / "history.log",
        "\n"
        "Start-Date: 2024-03-05  10:00:31\n"
        "Commandline: apt-get -y upgrade\n"
        "Requested-By: deploy (1001)\n"
        "Upgrade: openssl:amd64 (3.0.2-0ubuntu1.14, 3.0.2-0ubuntu1.15)\n"
        "End-Date: 2024-03-05  10:00:45\n"
        "\n"
        "Start-Date: 2024-03-05  11:10:02\n"
        "Commandline: apt-get install -y jq\n"
        "Install: jq:amd64 (1.6-2.1ubuntu3)\n"
        "End-Date: 2024-03-05  11:10:04\n",
    )
    assert [(r["line_no"], r["n_lines"], r["timestamp"], r["parse_error"]) for r in rows] == [
        (1, 1, None, None),
        (2, 6, at(2024, 3, 5, 10, 0, 31), None),
        (8, 4, at(2024, 3, 5, 11, 10, 2), None),
    ]
    assert rows[1]["body"].startswith("Start-Date: 2024-03-05  10:00:31\nCommandline: apt-get -y upgrade")


def test_oracle_adr_log_xml(tmp_path):
    rows = read(
        tmp_path / "log.xml",
        "<msg time='2024-03-05T11:00:31.123+01:00' org_id='oracle' comp_id='rdbms'\n"
        " type='UNKNOWN' level='16' host_id='db01.example.com'\n"
        " host_addr='10.0.0.11' module='' pid='4321'>\n"
        " <txt>Thread 1 advanced to log sequence 4512 (LGWR switch)\n"
        " </txt>\n"
        "</msg>\n"
        "<msg time='2024-03-05T11:02:11.456+01:00' org_id='oracle' comp_id='rdbms'\n"
        " msg_id='dbkedDefDump:1234:3047478447' type='INCIDENT_ERROR' group='Generic Internal Error'\n"
        " level='1' host_id='db01.example.com' host_addr='10.0.0.11'\n"
        " prob_key='ORA 600 [kdsgrp1]' errid='24801'>\n"
        " <txt>Errors in file /u01/app/oracle/diag/rdbms/prod/PROD/trace/PROD_ora_12345.trc  (incident=24801):\n"
        "ORA-00600: internal error code, arguments: [kdsgrp1], [], [], []\n"
        " </txt>\n"
        "</msg>\n",
    )
    assert [(r["format"], r["line_no"], r["n_lines"], r["timestamp"], r["severity_text"]) for r in rows] == [
        ("oracle-xml", 1, 6, at(2024, 3, 5, 10, 0, 31, 123000), "INFO"),
        ("oracle-xml", 7, 8, at(2024, 3, 5, 10, 2, 11, 456000), "ERROR"),
    ]
    assert rows[0]["body"] == "Thread 1 advanced to log sequence 4512 (LGWR switch)"
    assert rows[1]["body"].endswith("ORA-00600: internal error code, arguments: [kdsgrp1], [], [], []")
    assert attrs(rows[1]) == {"logger": "rdbms", "host": "db01.example.com", "code": "dbkedDefDump:1234:3047478447"}


def test_dbt_log_invocation_banner_is_no_parse_error(tmp_path):
    rows = read(
        tmp_path / "dbt.log",
        "============================== 10:00:31.123456 | 5f1c2d3e-aaaa-bbbb-cccc-0123456789ab "
        "==============================\n"
        "10:00:31.124000 [info ] [MainThread]: Running with dbt=1.7.4\n"
        "10:00:36.450000 [error] [Thread-1 (]: 1 of 3 ERROR creating sql view model analytics.stg_orders\n",
        time_only=True,
    )
    assert [(r["line_no"], r["severity_text"], r["parse_error"]) for r in rows] == [
        (1, None, None), (2, "INFO", None), (3, "ERROR", None),
    ]


def test_log_show_compact_header_is_no_parse_error(tmp_path):
    rows = read(
        tmp_path / "compact.txt",
        "Timestamp               Ty Process[PID:TID]\n"
        "2024-03-05 11:00:02.500 E  MyApp[412:1a2b3] [com.shop.myapp:network] Request failed: connection lost.\n"
        "2024-03-05 11:00:03.100 Df MyApp[412:1a2b3] [com.shop.myapp:ui] Showing retry banner\n",
    )
    assert [(r["line_no"], r["timestamp"], r["parse_error"]) for r in rows] == [
        (1, None, None), (2, at(2024, 3, 5, 11, 0, 2, 500000), None), (3, at(2024, 3, 5, 11, 0, 3, 100000), None),
    ]


def test_rust_panic_after_two_env_logger_lines(tmp_path):
    rows = read(
        tmp_path / "ledger.txt",
        "[2024-03-05T10:00:31Z INFO  ledger::server] listening on 0.0.0.0:8080\n"
        "[2024-03-05T10:00:35.123456789Z ERROR ledger::api] posting failed: connection refused (os error 111)\n"
        "thread 'tokio-runtime-worker' panicked at src/api.rs:88:14:\n"
        "called `Option::unwrap()` on a `None` value\n"
        "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n",
    )
    assert [(r["line_no"], r["n_lines"], r["severity_text"], r["parse_error"]) for r in rows] == [
        (1, 1, "INFO", None), (2, 1, "ERROR", None), (3, 3, "FATAL", None),
    ]
    assert rows[2]["body"].startswith("thread 'tokio-runtime-worker' panicked at src/api.rs:88:14:\ncalled")


def test_freeswitch_call_uuid_before_the_stamp(tmp_path):
    rows = read(
        tmp_path / "freeswitch.log",
        "2024-03-05 10:00:31.123456 [NOTICE] switch_channel.c:1104 New Channel sofia/internal/1000@10.0.0.1 "
        "[4a1b2c3d-1111-2222-3333-444455556666]\n"
        "4a1b2c3d-1111-2222-3333-444455556666 2024-03-05 10:00:33.500000 [WARNING] switch_core_session.c:1234 "
        "Session 12 (sofia/internal/1000@10.0.0.1) Locked, Waiting on external entities\n",
    )
    assert [(r["timestamp"], r["severity_text"], r["trace_id"], r["parse_error"]) for r in rows] == [
        (at(2024, 3, 5, 10, 0, 31, 123456), "INFO", None, None),
        (at(2024, 3, 5, 10, 0, 33, 500000), "WARN", "4a1b2c3d-1111-2222-3333-444455556666", None),
    ]
    assert rows[1]["body"].startswith("switch_core_session.c:1234 Session 12")


def test_delimited_stamp_leaves_csv_with_a_header_alone(tmp_path):
    # (a header row: the CSV export reader's, not a version field before a stamp)
    path = tmp_path / "export.csv"
    path.write_text('"@timestamp",level,message\n"2024-03-05T10:00:31.000Z",error,"payment failed"\n')
    frame = read_logs(path)
    assert frame["format"].to_list() == ["csv"]
    assert frame.select(pl.col("severity_text")).item() == "ERROR"
