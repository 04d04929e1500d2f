"""Layouts found by the thirty-sixth session's blind probe CC (twelve systems' logs in their
default layouts): each test fails on the code before its fix."""

from __future__ import annotations

from tests._reading import attrs, read_lines


def test_coturn_uptime_thread_and_level_are_head(tmp_path):
    # coturn's log file: the seconds since start (no wall clock: no timestamp), the thread id,
    # the level; was read as raw lines, body the whole line, no level
    frame = read_lines(tmp_path, "turn_1630_2024-06-11.log", [
        "0: (1630): INFO: Coturn Version Coturn-4.6.2 'Gorst'",
        "0: (1630): INFO: Max number of open files/sockets allowed for this process: 65535",
        "2: (1630): WARNING: cannot find certificate file: turn_server_cert.pem (1)",
        "31: (1641): CONTROL: session 000000000000000001: realm <turn.example.com> user <1718100000:alice>: "
        "incoming packet ALLOCATE processed, success",
        "45: (1642): ERROR: check_stun_auth: Cannot find credentials of user <guest>",
        "47: (1642): DEBUG: Sending 120 bytes",
    ])
    assert frame["format"].to_list() == ["text"] * 6
    assert frame["body"].to_list() == [
        "Coturn Version Coturn-4.6.2 'Gorst'",
        "Max number of open files/sockets allowed for this process: 65535",
        "cannot find certificate file: turn_server_cert.pem (1)",
        "session 000000000000000001: realm <turn.example.com> user <1718100000:alice>: incoming packet ALLOCATE "
        "processed, success",
        "check_stun_auth: Cannot find credentials of user <guest>",
        "Sending 120 bytes",
    ]
    # (CONTROL, a session's allocations and refreshes, is syslog's notice)
    assert frame["severity_number"].to_list() == [9, 9, 13, 10, 17, 5]
    assert frame["timestamp"].null_count() == 6
    assert attrs(frame.row(4, named=True))["thread"] == "1642"
    # 4.5 wrote an empty thread field and no level but ERROR; --new-log-timestamp a stamp
    older = read_lines(tmp_path, "turn_812_2019-01-17.log", [
        "0: : log file opened: /var/log/turn_812_2019-01-17.log",
        "0: : Listener address to use: 10.0.0.5",
        "5: : ERROR: Cannot bind local socket to addr: Address already in use",
        "7: : INFO: Total General servers: 2",
    ])
    assert older["body"].to_list() == [
        "log file opened: /var/log/turn_812_2019-01-17.log", "Listener address to use: 10.0.0.5",
        "Cannot bind local socket to addr: Address already in use", "Total General servers: 2",
    ]
    assert older["severity_text"].to_list() == [None, None, "ERROR", "INFO"]
    stamped = read_lines(tmp_path, "turnserver.log", [
        "2024-06-11T10:00:01+0000(1630): INFO: Relay address to use: 10.0.0.5",
        "2024-06-11T10:00:05+0000(1641): ERROR: check_stun_auth: Cannot find credentials of user <guest>",
    ])
    assert stamped["body"].to_list() == [
        "Relay address to use: 10.0.0.5", "check_stun_auth: Cannot find credentials of user <guest>"
    ]
    assert stamped["timestamp"].dt.second().to_list() == [1, 5]


def test_linuxptp_monotonic_seconds_are_head(tmp_path):
    # ptp4l, phc2sys through syslog start the message with the monotonic clock's seconds in
    # brackets; on standard output they are the head ("ptp4l[1029.700]: ")
    frame = read_lines(tmp_path, "messages", [
        "Jun 11 10:00:01 edge-03 ptp4l: [5012.101] port 1: UNCALIBRATED to SLAVE on MASTER_CLOCK_SELECTED",
        "Jun 11 10:00:02 edge-03 phc2sys[812]: [5013.250] CLOCK_REALTIME phc offset       -12 s2 freq  -21042 delay    512",
        "Jun 11 10:00:03 edge-03 kernel: [ 5014.000001] igb 0000:01:00.0 eth0: NIC Link is Up 1000 Mbps",
    ])
    assert frame["body"].to_list() == [
        "port 1: UNCALIBRATED to SLAVE on MASTER_CLOCK_SELECTED",
        "CLOCK_REALTIME phc offset       -12 s2 freq  -21042 delay    512",
        "[ 5014.000001] igb 0000:01:00.0 eth0: NIC Link is Up 1000 Mbps",
    ]
    stdout = read_lines(tmp_path, "ptp4l.out", [
        "ptp4l[5012.101]: port 1: UNCALIBRATED to SLAVE on MASTER_CLOCK_SELECTED",
        "ptp4l[5013.102]: rms   12 max   25 freq -21040 +/-  10 delay   512 +/-   1",
        "phc2sys[5013.250]: CLOCK_REALTIME phc offset       -12 s2 freq  -21042 delay    512",
    ])
    assert stdout["format"].to_list() == ["text"] * 3
    assert stdout["body"].to_list() == [
        "port 1: UNCALIBRATED to SLAVE on MASTER_CLOCK_SELECTED",
        "rms   12 max   25 freq -21040 +/-  10 delay   512 +/-   1",
        "CLOCK_REALTIME phc offset       -12 s2 freq  -21042 delay    512",
    ]
    assert attrs(stdout.row(2, named=True))["logger"] == "phc2sys"


def test_bird_message_class_is_the_level(tmp_path):
    # BIRD's log file: "<CLASS>" after the stamp was kept as the body's start, no level
    frame = read_lines(tmp_path, "bird.log", [
        "2024-06-11 10:00:01.112 <INFO> Started",
        "2024-06-11 10:00:02.300 <TRACE> bgp_peer1: Sending KEEPALIVE",
        "2024-06-11 10:00:03.045 <RMT> bgp_peer2: Received: Hold timer expired",
        "2024-06-11 10:00:04.500 <WARN> Kernel dropped some netlink messages, will resync on next scan.",
        "2024-06-11 10:00:05.000 <ERR> KRT: Received route 10.0.0.0/8 with strange next-hop 10.9.9.9",
        "2024-06-11 10:00:06.000 <AUTH> bgp_peer3: Invalid MD5 digest",
        "2024-06-11 10:00:07.000 <BUG> Out of memory in route table",
    ])
    assert frame["body"].to_list() == [
        "Started", "bgp_peer1: Sending KEEPALIVE", "bgp_peer2: Received: Hold timer expired",
        "Kernel dropped some netlink messages, will resync on next scan.",
        "KRT: Received route 10.0.0.0/8 with strange next-hop 10.9.9.9", "bgp_peer3: Invalid MD5 digest",
        "Out of memory in route table",
    ]
    # (as BIRD gives them to syslog: RMT and AUTH are errors, BUG critical)
    assert frame["severity_text"].to_list() == ["INFO", "TRACE", "ERROR", "WARN", "ERROR", "ERROR", "FATAL"]
    # BIRD 1.x: the day first
    old = read_lines(tmp_path, "bird6.log", [
        "11-06-2024 10:00:01 <INFO> Started",
        "14-06-2024 10:00:05 <WARN> Netlink: File exists",
    ])
    assert old["body"].to_list() == ["Started", "Netlink: File exists"]
    assert old["timestamp"].dt.strftime("%Y-%m-%d").to_list() == ["2024-06-11", "2024-06-14"]


def test_log4j_class_then_thread_in_brackets(tmp_path):
    # Apache Pinot's "%d{yyyy/MM/dd HH:mm:ss.SSS} %p [%c{1}] [%t] %m%n": the class was read as
    # the thread, the thread kept as the body's start
    frame = read_lines(tmp_path, "pinotBroker.log", [
        "2024/06/11 10:00:01.004 INFO [HelixBrokerStarter] [main] Starting Pinot broker",
        "2024/06/11 10:00:02.117 WARN [BaseBrokerRequestHandler] [jersey-server-managed-async-executor-3] "
        "Request 1234: timed out [after 10000ms] on table orders_OFFLINE",
        "2024/06/11 10:00:03.230 ERROR [ZkClient] [ZkClient-EventThread-16-zk:2181] Failed to handle data change",
    ])
    assert frame["body"].to_list() == [
        "Starting Pinot broker",
        "Request 1234: timed out [after 10000ms] on table orders_OFFLINE",
        "Failed to handle data change",
    ]
    assert [attrs(r) for r in frame.iter_rows(named=True)][1] == {
        "logger": "BaseBrokerRequestHandler", "thread": "jersey-server-managed-async-executor-3"
    }


def test_graphite_carbon_separator_and_day_first_stamp(tmp_path):
    # carbon's console.log: " :: " after a day-first stamp was the body's start, the stamp
    # read month first; on standard output the log's type in brackets
    frame = read_lines(tmp_path, "console.log", [
        "11/06/2024 10:00:01 :: Log opened.",
        "11/06/2024 10:00:01 :: twistd 22.10.0 (/usr/bin/python3 3.10.12) starting up.",
        "11/06/2024 10:00:02 :: CarbonReceiverFactory starting on 2004",
    ])
    assert frame["body"].to_list() == [
        "Log opened.", "twistd 22.10.0 (/usr/bin/python3 3.10.12) starting up.", "CarbonReceiverFactory starting on 2004"
    ]
    assert frame["timestamp"].dt.strftime("%Y-%m-%d").to_list() == ["2024-06-11"] * 3
    stdout = read_lines(tmp_path, "carbon-cache.out", [
        "11/06/2024 10:00:01 :: [console] Log opened.",
        "11/06/2024 10:00:03 :: [listener] MetricLineReceiver connection with 10.0.0.7:51234 established",
    ])
    assert stdout["body"].to_list() == ["Log opened.", "MetricLineReceiver connection with 10.0.0.7:51234 established"]


def test_janus_level_and_source_location_are_head(tmp_path):
    # Janus with its stamps on: "[WARN] " and "[ERR] [file.c:function:line] " are its head,
    # the handle id in brackets after them the message's (it was taken as the thread of a
    # warning, and an error's source location was kept as the body's start)
    frame = read_lines(tmp_path, "janus.log", [
        "[Tue Jun 11 10:00:01 2024] Janus commit: 2b9dd8f7b0c1c7d6f0b5c4e2c1e1d8b4a3c2e1f0",
        "[Tue Jun 11 10:00:02 2024] [WARN] [3281921876353627] Missing valid SRTP session (packet arrived too early?), "
        "skipping...",
        "[Tue Jun 11 10:00:03 2024] [WARN] [3281921876353627] Got a DTLS error on stream 1",
        "[Tue Jun 11 10:00:04 2024] [WARN] Couldn't find any session 55441122...",
        "[Tue Jun 11 10:00:05 2024] [ERR] [ice.c:janus_ice_cb_component_state_changed:1886] [3281921876353627] "
        "ICE failed for component 1 in stream 1...",
        "[Tue Jun 11 10:00:06 2024] [7710453124] Creating ICE agent (ICE Full mode, controlling)",
        "[Tue Jun 11 10:00:07 2024] [janus.c:janus_process_incoming_request:1221] Got a Janus API request",
    ])
    assert frame["body"].to_list() == [
        "Janus commit: 2b9dd8f7b0c1c7d6f0b5c4e2c1e1d8b4a3c2e1f0",
        "[3281921876353627] Missing valid SRTP session (packet arrived too early?), skipping...",
        "[3281921876353627] Got a DTLS error on stream 1",
        "Couldn't find any session 55441122...",
        "[3281921876353627] ICE failed for component 1 in stream 1...",
        "[7710453124] Creating ICE agent (ICE Full mode, controlling)",
        "Got a Janus API request",
    ]
    # (a line naming its source's place without a level is a debug line)
    assert frame["severity_text"].to_list() == [None, "WARN", "WARN", "WARN", "ERROR", None, "DEBUG"]
    assert frame["trace_id"].null_count() == 7
    assert attrs(frame.row(4, named=True))["code"] == "ice.c:janus_ice_cb_component_state_changed:1886"


def test_logfmt_message_trailing_line_break_is_no_part_of_it(tmp_path):
    # logrus' text output of a line a Go library handed it whole (gin's access line inside
    # CrowdSec): the escaped newline ending msg="..." was kept in the body
    frame = read_lines(tmp_path, "crowdsec.log", [
        'time="2024-06-11T10:00:01Z" level=info msg="Start pull from CrowdSec Central API (interval: 2h0m0s once)"',
        'time="2024-06-11T10:00:02Z" level=info msg="10.0.0.4 - [Tue, 11 Jun 2024 10:00:02 UTC] \\"GET '
        '/v1/decisions/stream HTTP/1.1 200 1.2ms \\"crowdsec-firewall-bouncer/v0.0.28\\" \\"\\n"',
    ])
    assert frame["body"].to_list() == [
        "Start pull from CrowdSec Central API (interval: 2h0m0s once)",
        '10.0.0.4 - [Tue, 11 Jun 2024 10:00:02 UTC] "GET /v1/decisions/stream HTTP/1.1 200 1.2ms '
        '"crowdsec-firewall-bouncer/v0.0.28" "',
    ]
