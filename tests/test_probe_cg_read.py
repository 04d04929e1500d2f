"""Layouts probe CG found read wrong: heads of real products' default layouts left in the
body (or not recognised), thread names with nested brackets, request lines glued to the
record above."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests._reading import attrs, read_lines


def read(path: Path, text: str) -> list[dict]:
    """``text`` written to ``path`` and read (:func:`tests._reading.read_lines`), as dicts."""
    return read_lines(path.parent, path.name, text.splitlines()).to_dicts()


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_389ds_errors_log(tmp_path):
    rows = read(
        tmp_path / "errors",
        "[05/Mar/2024:10:00:31.123456789 +0100] - NOTICE - ldbm_back_start - found 3953788k physical memory\n"
        "[05/Mar/2024:10:00:32.000000001 +0100] - ERR - NSMMReplicationPlugin - bind_and_check_pwp - "
        'agmt="cn=to-ds2" (ds2:636) - Replication bind with SIMPLE auth failed: LDAP error 49 (Invalid credentials) ()\n'
        "[05/Mar/2024:10:00:33.500000000 +0100] - WARN - Account Policy Plugin - acct_policy_op - "
        "Account uid=bob,ou=People,dc=example,dc=com is inactive\n",
    )
    assert [(r["format"], r["timestamp"], r["severity_text"]) for r in rows] == [
        ("text", at(2024, 3, 5, 9, 0, 31, 123456), "INFO"),  # (NOTICE reads as INFO)
        ("text", at(2024, 3, 5, 9, 0, 32), "ERROR"),
        ("text", at(2024, 3, 5, 9, 0, 33, 500000), "WARN"),
    ]
    assert [r["body"] for r in rows] == [
        "found 3953788k physical memory",
        'bind_and_check_pwp - agmt="cn=to-ds2" (ds2:636) - Replication bind with SIMPLE auth failed: '
        "LDAP error 49 (Invalid credentials) ()",
        "acct_policy_op - Account uid=bob,ou=People,dc=example,dc=com is inactive",
    ]
    assert [attrs(r)["logger"] for r in rows] == ["ldbm_back_start", "NSMMReplicationPlugin", "Account Policy Plugin"]


def test_icecast_error_log(tmp_path):
    rows = read(
        tmp_path / "error.log",
        "[2024-03-05  10:00:31] INFO main/main Icecast 2.4.4 server started\n"
        '[2024-03-05  10:00:32] EROR fserve/fserve_client_create req for file "/var/www/x.mp3" No such file or directory\n'
        "[2024-03-05  10:00:33] WARN connection/connection_complete_source Request to add source when maximum source limit reached 2\n"
        '[2024-03-05  10:00:34] DBUG stats/modify_node_event update "/stream" listeners (3)\n',
    )
    assert [(r["format"], r["timestamp"], r["severity_text"]) for r in rows] == [
        ("text", at(2024, 3, 5, 10, 0, 31), "INFO"),
        ("text", at(2024, 3, 5, 10, 0, 32), "ERROR"),
        ("text", at(2024, 3, 5, 10, 0, 33), "WARN"),
        ("text", at(2024, 3, 5, 10, 0, 34), "DEBUG"),
    ]
    assert rows[1]["body"] == 'req for file "/var/www/x.mp3" No such file or directory'
    assert attrs(rows[2])["logger"] == "connection/connection_complete_source"


def test_oauth2_proxy_standard_request_and_auth_lines(tmp_path):
    rows = read(
        tmp_path / "oauth2-proxy.log",
        "[2024/03/05 10:00:31] [oauthproxy.go:832] Error loading cookied session: cookie \"_oauth2_proxy\" not present, removing session\n"
        '10.0.0.5:54321 - 4b1f2c3d-0e9a-4c1b-9f2e-7a6b5c4d3e2f - - [2024/03/05 10:00:31] app.example.com GET - "/oauth2/auth" '
        'HTTP/1.1 "curl/8.4.0" 401 13 0.001\n'
        "[2024/03/05 10:00:32] [stored_session.go:176] Refreshing session - User: alice; SessionAge: 1h0m2s\n"
        "10.0.0.6:40000 - 5c2a3d4e-1f0b-4d2c-8a3f-8b7c6d5e4f3a - alice@example.com [2024/03/05 10:00:33] [AuthSuccess] "
        "Authenticated via OAuth2: Session{email:alice@example.com user:12345}\n"
        "10.0.0.7:40001 - 6d3b4e5f-2a1c-4e3d-9b4a-9c8d7e6f5a4b - - [2024/03/05 10:00:34] [AuthFailure] "
        "Invalid authentication via OAuth2: unauthorized\n",
    )
    assert [r["n_lines"] for r in rows] == [1, 1, 1, 1, 1]
    assert [r["body"] for r in rows] == [
        'Error loading cookied session: cookie "_oauth2_proxy" not present, removing session',
        'app.example.com GET - "/oauth2/auth" HTTP/1.1 "curl/8.4.0" 401 13 0.001',
        "Refreshing session - User: alice; SessionAge: 1h0m2s",
        "Authenticated via OAuth2: Session{email:alice@example.com user:12345}",
        "Invalid authentication via OAuth2: unauthorized",
    ]
    # (its standard log has no level: "Error" is the message's first word)
    assert [r["severity_text"] for r in rows] == [None, None, None, "INFO", "WARN"]
    assert [r["timestamp"] for r in rows] == [
        at(2024, 3, 5, 10, 0, 31), at(2024, 3, 5, 10, 0, 31), at(2024, 3, 5, 10, 0, 32),
        at(2024, 3, 5, 10, 0, 33), at(2024, 3, 5, 10, 0, 34),
    ]
    assert attrs(rows[0])["code"] == "oauthproxy.go:832"


def test_bracketed_log4j_thread_with_nested_brackets(tmp_path):
    # Apache Ignite's "[%d{ISO8601}][%-5p][%t][%c{1}] %m"
    rows = read(
        tmp_path / "ignite.log",
        "[2024-03-05T10:00:31,123][INFO ][exchange-worker-#40][time] Started exchange init [topVer=AffinityTopologyVersion [topVer=3]]\n"
        "[2024-03-05T10:00:32,123][INFO ][tcp-disco-srvr-[:47500]-#3-#51][TcpDiscoverySpi] TCP discovery accepted incoming connection\n"
        "[2024-03-05T10:00:33,123][WARN ][tcp-disco-sock-reader-[610c2cb3 10.0.0.7:14956]-#8-#89][TcpDiscoverySpi] "
        "Finished serving remote node connection [rmtAddr=/10.0.0.7, rmtPort=14956]\n",
    )
    assert [r["n_lines"] for r in rows] == [1, 1, 1]
    assert [r["severity_text"] for r in rows] == ["INFO", "INFO", "WARN"]
    assert [r["body"] for r in rows] == [
        "Started exchange init [topVer=AffinityTopologyVersion [topVer=3]]",
        "TCP discovery accepted incoming connection",
        "Finished serving remote node connection [rmtAddr=/10.0.0.7, rmtPort=14956]",
    ]


def test_jitsi_thread_context_and_method_line(tmp_path):
    rows = read(
        tmp_path / "jvb.log",
        "2024-03-05 10:00:31.123 INFO: [44] HealthChecker.run#175: Performed a successful health check in PT0S. Sticky failure: false\n"
        "2024-03-05 10:00:32.123 INFO: [57] [confId=9a31 conf_name=room@conference.meet.jitsi epId=2a6b gid=44506] "
        "Endpoint.<init>#341: Created new endpoint isUsingSourceNames=true\n"
        "2024-03-05 10:00:33.123 WARNING: [81] [confId=9a31 epId=2a6b] Endpoint$setupDtlsTransport$3.handshakeComplete#433: "
        "DTLS handshake complete\n"
        "2024-03-05 10:00:34.123 INFO: [44] HealthChecker.run#175: Performed a successful health check in PT0.0001S. Sticky failure: false\n",
    )
    assert [r["body"] for r in rows] == [
        "Performed a successful health check in PT0S. Sticky failure: false",
        "Created new endpoint isUsingSourceNames=true",
        "DTLS handshake complete",
        "Performed a successful health check in PT0.0001S. Sticky failure: false",
    ]
    assert [r["severity_text"] for r in rows] == ["INFO", "INFO", "WARN", "INFO"]
    assert attrs(rows[1]) == {
        "logger": "Endpoint.<init>#341", "thread": "57", "mdc": "confId=9a31 conf_name=room@conference.meet.jitsi epId=2a6b gid=44506",
    }


def test_metabase_logger_double_colon(tmp_path):
    rows = read(
        tmp_path / "metabase.log",
        "2024-03-05 10:00:31,123 INFO sync.util :: FINISHED: Sync metadata for postgres Database 2 'Sample' (12.3 ms)\n"
        "2024-03-05 10:00:32,123 DEBUG middleware.log :: GET /api/card/12 200 1.7 s (3 DB calls) App DB connections: 1/15\n"
        "2024-03-05 10:00:33,123 ERROR task.send-pulses :: Error sending Pulse 4 to channel email\n",
    )
    assert [r["body"] for r in rows] == [
        "FINISHED: Sync metadata for postgres Database 2 'Sample' (12.3 ms)",
        "GET /api/card/12 200 1.7 s (3 DB calls) App DB connections: 1/15",
        "Error sending Pulse 4 to channel email",
    ]
    assert [attrs(r)["logger"] for r in rows] == ["sync.util", "middleware.log", "task.send-pulses"]


def test_redpanda_seastar_shard_group_and_source_line(tmp_path):
    rows = read(
        tmp_path / "redpanda.log",
        "INFO  2024-03-05 10:00:31,123 [shard 3:admi] cluster - members_manager.cc:1123 - Processing node join request\n"
        "WARN  2024-03-05 10:00:32,123 [shard 0:raft] kafka/client - broker.h:63 - Failed to fetch metadata: broker not available\n"
        "INFO  2024-03-05 10:00:33,123 [shard 1:main] raft - [group_id:103, {kafka/orders/18}] consensus.cc:1479 - "
        "Starting with voted_for {id: {0}, revision: {24}} term 6\n"
        "WARN  2024-03-05 10:00:34,123 [shard 1:kafk] seastar_memory - oversized allocation: 207637 bytes.\n",
    )
    assert [r["body"] for r in rows] == [
        "Processing node join request",
        "Failed to fetch metadata: broker not available",
        "Starting with voted_for {id: {0}, revision: {24}} term 6",
        "oversized allocation: 207637 bytes.",
    ]
    assert [r["severity_text"] for r in rows] == ["INFO", "WARN", "INFO", "WARN"]
    assert attrs(rows[0]) == {"logger": "cluster", "thread": "3:admi", "code": "members_manager.cc:1123"}


def test_netdata_error_log(tmp_path):
    rows = read(
        tmp_path / "error.log",
        "2024-03-05 10:00:31: netdata INFO  : MAIN : netdata started\n"
        "2024-03-05 10:00:32: netdata ERROR : PLUGIN[proc] : Cannot refresh interface eth0 speed (errno 22, Invalid argument)\n"
        "2024-03-05 10:00:33: apps.plugin ERROR : APPS.PLUGIN : Cannot process /proc/42/status (errno 13, Permission denied)\n",
    )
    assert [(r["timestamp"], r["severity_text"]) for r in rows] == [
        (at(2024, 3, 5, 10, 0, 31), "INFO"), (at(2024, 3, 5, 10, 0, 32), "ERROR"), (at(2024, 3, 5, 10, 0, 33), "ERROR"),
    ]
    assert [r["body"] for r in rows] == [
        "netdata started",
        "Cannot refresh interface eth0 speed (errno 22, Invalid argument)",
        "Cannot process /proc/42/status (errno 13, Permission denied)",
    ]
    assert attrs(rows[1]) == {"logger": "netdata", "thread": "PLUGIN[proc]"}


def test_log4j_thread_before_level_with_nested_brackets(tmp_path):
    # Gerrit's error_log: "[%d] [%t] %-5p %c %x: %m"
    rows = read(
        tmp_path / "error_log",
        "[2024-03-05T10:00:31.123Z] [main] INFO  com.google.gerrit.pgm.Daemon : Gerrit Code Review 3.9.1 ready\n"
        "[2024-03-05T10:00:32.123Z] [sshd-SshServer[6d9f8a2](port=29418)-nio2-thread-2] WARN  "
        "org.apache.sshd.server.session.ServerSessionImpl : exceptionCaught(ServerSessionImpl[bob@/10.0.0.5:5113])[state=Opened] "
        "IOException: Connection reset by peer\n"
        "[2024-03-05T10:00:33.123Z] [HTTP GET /a/changes/1/detail (alice from 10.0.0.6)] ERROR "
        "com.google.gerrit.httpd.restapi.RestApiServlet : Error in GET /a/changes/1/detail\n",
    )
    assert [r["severity_text"] for r in rows] == ["INFO", "WARN", "ERROR"]
    assert rows[1]["body"] == (
        "exceptionCaught(ServerSessionImpl[bob@/10.0.0.5:5113])[state=Opened] IOException: Connection reset by peer"
    )
    assert attrs(rows[1]) == {
        "logger": "org.apache.sshd.server.session.ServerSessionImpl", "thread": "sshd-SshServer[6d9f8a2](port=29418)-nio2-thread-2",
    }
