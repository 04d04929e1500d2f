"""What a blind probe (BW) of home-lab and network systems found in the reader: Node-RED's
console log, the UniFi Network application's server.log, Zeek's reporter.log (TSV with its
own header) and Pi-hole FTL's version lines read as FATAL."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

from polars.testing import assert_frame_equal
from tests._reading import attrs, read_lines

from rcakit import read_logs

NODE_RED = [
    "19 Nov 09:02:07 - [info] Welcome to Node-RED",
    "19 Nov 09:02:07 - [info] Node-RED version: v3.1.9",
    "19 Nov 09:02:08 - [warn] Projects disabled : editorTheme.projects.enabled=false",
    "19 Nov 09:02:08 - [info] [mqtt-broker:Mosquitto] Connected to broker: mqtt://localhost:1883",
    "19 Nov 13:14:34 - [error] [http request:fetch forecast] Error: connect ECONNREFUSED 10.0.0.12:8080",
]


def test_node_red_console_log(tmp_path):
    # Node's util.log stamp: day, month name, time, no year; the level in brackets.
    # Before: read as raw lines, no time, no level, the head in the body.
    path = tmp_path / "node-red.log"
    path.write_text("\n".join(NODE_RED) + "\n", encoding="utf-8")
    written = datetime(2024, 11, 19, 20, 0, tzinfo=UTC).timestamp()
    os.utime(path, (written, written))
    frame = read_logs(path)
    assert frame["format"].to_list() == ["text"] * 5
    assert frame["parse_error"].null_count() == 5
    assert frame["body"].to_list() == [
        "Welcome to Node-RED",
        "Node-RED version: v3.1.9",
        "Projects disabled : editorTheme.projects.enabled=false",
        "Connected to broker: mqtt://localhost:1883",
        "Error: connect ECONNREFUSED 10.0.0.12:8080",
    ]
    # the node (its type and name) that logs is the record's context, not its message: the
    # same event of two MQTT broker nodes is one template (probe BW: GA 0.169)
    assert [json.loads(a or "{}").get("mdc") for a in frame["attributes"]] == [
        None, None, None, "mqtt-broker:Mosquitto", "http request:fetch forecast"
    ]
    assert frame["severity_text"].to_list() == ["INFO", "INFO", "WARN", "INFO", "ERROR"]
    # year-less: dated as syslog's stamps are, by the file's modification time
    assert frame["timestamp"][0] == datetime(2024, 11, 19, 9, 2, 7, tzinfo=UTC)
    assert frame["timestamp"][4] == datetime(2024, 11, 19, 13, 14, 34, tzinfo=UTC)


def test_node_red_stamps_cross_a_new_year_and_take_year(tmp_path):
    frame = read_lines(tmp_path, "node-red.log", [
        "31 Dec 23:59:58 - [info] Started flows",
        "1 Jan 00:00:03 - [error] [function:parse] TypeError: Cannot read properties of undefined",
    ])
    assert frame["timestamp"].to_list() == [
        datetime(2024, 12, 31, 23, 59, 58, tzinfo=UTC),
        datetime(2025, 1, 1, 0, 0, 3, tzinfo=UTC),
    ]
    assert frame["severity_text"].to_list() == ["INFO", "ERROR"]


def test_unifi_server_log(tmp_path):
    # log4j "[%d] <%t> %-5p %-6c{1} - %m": the thread in angle brackets, the padded component.
    # Before: the head stayed in the body and the level was not read.
    frame = read_lines(tmp_path, "server.log", [
        "[2024-11-26 13:52:39,491] <launcher> INFO  system - UniFi 8.0.26 (build atag_8.0.26_24161 - release/release) is started",
        "[2024-11-26 13:52:39,583] <db-server> INFO  db     - Mongo is started, pid=27592",
        "[2024-11-26 13:53:22,197] <inform-35> WARN  inform - [state] dev[74:ac:b9:c7:55:75] state change: CONNECTED -> HEARTBEAT_MISSED",
        "[2024-11-26 13:54:02,011] <db-server> ERROR db     - Mongo exited with code 100",
    ])
    assert frame["body"].to_list() == [
        "UniFi 8.0.26 (build atag_8.0.26_24161 - release/release) is started",
        "Mongo is started, pid=27592",
        "[state] dev[74:ac:b9:c7:55:75] state change: CONNECTED -> HEARTBEAT_MISSED",
        "Mongo exited with code 100",
    ]
    assert frame["severity_text"].to_list() == ["INFO", "INFO", "WARN", "ERROR"]
    assert attrs(frame.row(2, named=True)) == {"thread": "inform-35", "logger": "inform"}
    assert frame["timestamp"][0] == datetime(2024, 11, 26, 13, 52, 39, 491000, tzinfo=UTC)


ZEEK_HEADER = [
    "#separator \\x09",
    "#set_separator\t,",
    "#empty_field\t(empty)",
    "#unset_field\t-",
    "#path\treporter",
    "#open\t2024-11-25-06-06-43",
    "#fields\tts\tlevel\tmessage\tlocation",
    "#types\ttime\tenum\tstring\tstring",
]
ZEEK_DATA = [
    "1732514828.602614\tReporter::WARNING\tSumStat key request for the zr9UX0K00pN SumStat uid took longer than 1 minute "
    "and was automatically cancelled.\t/opt/zeek/share/zeek/base/frameworks/sumstats/./cluster.zeek, line 161",
    "1732514869.779106\tReporter::ERROR\tno such index (Site::local_nets_table[192.168.178.103/32])\t"
    "/opt/zeek/share/zeek/base/frameworks/intel/./main.zeek, line 402",
    "1732514984.931938\tReporter::INFO\tprocessing continued\t-",
]


def test_zeek_reporter_log(tmp_path):
    # Zeek's TSV log names its fields in its "#fields" header.
    # Before: read as text, the level and location in the body, the "#close" footer glued to
    # the last record and the header lines parse errors.
    path = tmp_path / "reporter.log"
    lines = [*ZEEK_HEADER, *ZEEK_DATA, "#close\t2024-11-25-23-24-47"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = read_logs(path)
    assert frame["format"].to_list() == ["zeek"] * 3
    assert frame["parse_error"].null_count() == 3
    assert frame["body"].to_list() == [
        "SumStat key request for the zr9UX0K00pN SumStat uid took longer than 1 minute and was automatically cancelled.",
        "no such index (Site::local_nets_table[192.168.178.103/32])",
        "processing continued",
    ]
    assert frame["severity_text"].to_list() == ["WARN", "ERROR", "INFO"]
    assert frame["timestamp"].to_list() == [
        datetime(2024, 11, 25, 6, 7, 8, 602614, tzinfo=UTC),
        datetime(2024, 11, 25, 6, 7, 49, 779106, tzinfo=UTC),
        datetime(2024, 11, 25, 6, 9, 44, 931938, tzinfo=UTC),
    ]
    assert attrs(frame.row(1, named=True)) == {"location": "/opt/zeek/share/zeek/base/frameworks/intel/./main.zeek, line 402"}
    assert attrs(frame.row(2, named=True)) == {}  # "-": unset
    # every line in a record: the header in the first (from line 1), the footer in the last
    assert frame["line_no"].to_list() == [1, 10, 11]
    assert frame["n_lines"].to_list() == [9, 1, 2]
    # the columns asked for are those of a full read
    cut = ["timestamp", "body", "attributes"]
    assert_frame_equal(read_logs(path, columns=cut), frame.select(cut))


def test_zeek_log_reopened_with_other_fields_and_a_short_line(tmp_path):
    # a notice.log: "msg" is the body, counts and intervals are numbers; a header written
    # again (the log reopened) with other fields applies below it; a line with fewer values
    # is kept with a parse error
    notice = [
        "#separator \\x09", "#unset_field\t-", "#path\tnotice",
        "#fields\tts\tuid\tnote\tmsg\tn\tsuppress_for",
        "#types\ttime\tstring\tenum\tstring\tcount\tinterval",
        "1732514828.5\tCHhAvVGS1DHFjwGM9\tSSH::Password_Guessing\t10.0.0.5 appears to be guessing SSH passwords\t30\t3600.000000",
        "1732514829.5\tonly two",
        "#fields\tts\tname\tpeer",
        "#types\ttime\tstring\tstring",
        "1732514830.25\tdns_unmatched_reply\tzeek-worker-1",
    ]
    path = tmp_path / "notice.log"
    path.write_text("\n".join(notice) + "\n", encoding="utf-8")
    frame = read_logs(path)
    assert frame["format"].to_list() == ["zeek"] * 3
    assert frame["body"].to_list() == [
        "10.0.0.5 appears to be guessing SSH passwords", "1732514829.5\tonly two", "dns_unmatched_reply",
    ]
    assert attrs(frame.row(0, named=True)) == {
        "uid": "CHhAvVGS1DHFjwGM9", "note": "SSH::Password_Guessing", "n": 30, "suppress_for": 3600.0,
    }
    assert frame["parse_error"].is_null().to_list() == [True, False, True]
    assert attrs(frame.row(2, named=True)) == {"peer": "zeek-worker-1"}
    assert frame["timestamp"][2] == datetime(2024, 11, 25, 6, 7, 10, 250000, tzinfo=UTC)
    assert frame["n_lines"].sum() == len(notice)


def test_pihole_ftl_version_lines_have_no_level(tmp_path):
    # Pi-hole FTL's layout has no level field: "FTL" starting a message is its name, not
    # zerolog's abbreviation of FATAL (before: FATAL). Its "WARNING:" and "ERROR:" still are.
    frame = read_lines(tmp_path, "pihole-FTL.log", [
        "[2024-11-19 09:02:07.123 1234M] ########## FTL started on raspberrypi! ##########",
        "[2024-11-19 09:02:07.150 1234M] FTL branch: master",
        "[2024-11-19 09:02:07.160 1234M] FTL version: v5.25.2",
        "[2024-11-19 09:02:07.170 1234M] FTL commit: 1faaa9f",
        "[2024-11-19 09:05:00.000 1234M] WARNING: Long-term load (15min avg) larger than number of processors: 4.2 > 4",
        "[2024-11-19 09:05:01.000 1234/T1240] ERROR: SQLite3 database is locked",
    ])
    assert frame["severity_text"].to_list() == [None, None, None, None, "WARN", "ERROR"]
    assert frame["body"][2] == "FTL version: v5.25.2"
    assert attrs(frame.row(2, named=True)) == {"thread": "1234M"}

    # the abbreviation where a layout writes its level is still one (zerolog's console, Serilog's file)
    levelled = read_lines(tmp_path, "svc.log", [
        "2024-11-19T09:02:07Z FTL could not open the database",
        "2024-11-19 09:02:08.000 +00:00 [FTL] Host terminated unexpectedly",
    ])
    assert levelled["severity_text"].to_list() == ["FATAL", "FATAL"]
    assert levelled["body"].to_list() == ["could not open the database", "Host terminated unexpectedly"]
