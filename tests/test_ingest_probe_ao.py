"""Findings of a blind probe (probe AO): heads whose fields stayed in the body, Calico
Felix's, CouchDB 3's, Apache NiFi's logback layout without a dash after the logger, and
Bacula's job messages."""

from __future__ import annotations

import json

from rcakit.ingest import read_logs


def _read(tmp_path, name: str, lines: list[str], **kw):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = read_logs(path, year=2024, **kw)
    assert frame["n_lines"].sum() == len(lines)
    assert frame["parse_error"].null_count() == len(frame)
    return frame


def _attrs(row: dict) -> dict:
    return json.loads(row["attributes"]) if row["attributes"] else {}


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

