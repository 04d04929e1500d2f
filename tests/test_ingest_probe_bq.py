"""Layouts from a blind template probe (BQ, thirty-second session)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import rcakit


def test_libvirt_daemon_lines_have_their_level_thread_and_function(tmp_path):
    # libvirtd's / virtqemud's log: "<stamp>: <thread>: <level> : <function>:<line> : <message>".
    # Before: no level on any line, the head left in the message.
    path = tmp_path / "libvirtd.log"
    path.write_text(
        "2026-03-05 09:00:00.254+0000: 48849: error : qemuMonitorIO:620 : internal error: End of file from qemu monitor\n"
        "2026-03-05 09:00:00.429+0000: 95242: warning : qemuDomainObjBeginJobInternal:9432 : Timed out during "
        "operation: cannot acquire state change lock (held by monitor=remoteDispatchDomainGetBlockInfo)\n"
        "2026-03-05 09:00:01.001+0000: 1375: info : virNetServerAddClient:261 : client=0x7f3c accepted\n",
        encoding="utf-8",
    )
    df = rcakit.read_logs(path)
    assert df["severity_text"].to_list() == ["ERROR", "WARN", "INFO"]
    assert df["body"][0] == "internal error: End of file from qemu monitor"
    assert df["timestamp"][1] == datetime(2026, 3, 5, 9, 0, 0, 429000, tzinfo=UTC)
    assert json.loads(df["attributes"][1]) == {"thread": "95242", "code": "qemuDomainObjBeginJobInternal:9432"}
    assert df["parse_error"].is_null().all()


def test_python_logging_with_the_line_number_and_a_request_context(tmp_path):
    # Matrix Synapse's default: "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s -
    # %(request)s - %(message)s". Before: no level on any line, the head in the message.
    path = tmp_path / "homeserver.log"
    path.write_text(
        "2026-03-05 09:00:02,807 - synapse.access.http.8008 - 450 - INFO - GET-94361 - 198.234.239.3 - 8008 - "
        '{@judy:matrix.org} Processed request: 0.858sec/0.832sec (0.959sec, 0.773sec) 34381B 200 "GET /_matrix/x HTTP/1.1"\n'
        "2026-03-05 09:00:09,198 - synapse.federation.sender.per_destination_queue - 345 - WARNING - "
        "federation_transaction_transmission_loop-80173 - TX [mozilla.org] Failed to send transaction: Connection refused.\n",
        encoding="utf-8",
    )
    df = rcakit.read_logs(path)
    assert df["severity_text"].to_list() == ["INFO", "WARN"]
    # (the access line's client and port are its message's, as Synapse writes them)
    assert df["body"][0].startswith("198.234.239.3 - 8008 - {@judy:matrix.org} Processed request")
    assert df["body"][1] == "TX [mozilla.org] Failed to send transaction: Connection refused."
    assert json.loads(df["attributes"][1]) == {
        "logger": "synapse.federation.sender.per_destination_queue",
        "mdc": "federation_transaction_transmission_loop-80173",
        "code": "345",
    }
