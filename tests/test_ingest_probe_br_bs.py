"""Layouts and masks from two blind probes of the thirty-third session: a brokerage's
incidents (BR: a QuickFIX/J engine's screen log) and twelve more template systems (BS: Rust's
tracing layout as Vector writes it, Odoo, FRRouting, Pulsar's topics, backtick quotes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl

import rcakit

SOH = "\x01"


def test_a_quickfix_screen_log_has_its_stamps_sessions_and_errors(tmp_path):
    # QuickFIX/J's ScreenLog: "<yyyyMMdd-HH:mm:ss.SSS, session, kind> (text)"; a FIX message's
    # fields are separated by SOH. Before: read as raw lines, no time on any record, so the
    # engine was left out of the analysis (probe BR: "5,676 records have no timestamp").
    path = tmp_path / "fix-engine.log"
    heartbeat = SOH.join(["8=FIX.4.4", "9=62", "35=0", "34=83274", "49=TRADEWISE", "56=NYSE", "10=152", ""])
    path.write_text(
        f"<20261022-12:13:15.274, FIX.4.4:TRADEWISE->NYSE, outgoing> ({heartbeat})\n"
        "<20261022-13:39:15.274, FIX.4.4:TRADEWISE->NYSE, event> (Initiated logon request)\n"
        "<20261022-13:39:25.274, FIX.4.4:TRADEWISE->NYSE, error> (Logon timeout: no Logon response from NYSE "
        "gateway fixgw.nyse.example.net:4001 within 10s)\n",
        encoding="utf-8",
    )
    df = rcakit.read_logs(path)
    assert df["timestamp"].to_list() == [
        datetime(2026, 10, 22, 12, 13, 15, 274000, tzinfo=UTC),
        datetime(2026, 10, 22, 13, 39, 15, 274000, tzinfo=UTC),
        datetime(2026, 10, 22, 13, 39, 25, 274000, tzinfo=UTC),
    ]
    assert df["severity_text"].to_list() == [None, None, "ERROR"]
    assert df["body"].to_list() == [
        "8=FIX.4.4 9=62 35=0 34=83274 49=TRADEWISE 56=NYSE 10=152",
        "Initiated logon request",
        "Logon timeout: no Logon response from NYSE gateway fixgw.nyse.example.net:4001 within 10s",
    ]
    assert json.loads(df["attributes"][2]) == {"logger": "FIX.4.4:TRADEWISE->NYSE"}
    assert df["parse_error"].is_null().all()


def test_rust_tracing_lines_have_their_spans_and_target_out_of_the_message(tmp_path):
    # tracing-subscriber's fmt layer (Vector): stamp, level, span chain, target, message.
    # Before: the spans and the target opened every message (probe BS: Vector's PA 0).
    path = tmp_path / "vector.log"
    path.write_text(
        '2024-03-11T08:00:01.032926Z ERROR sink{component_kind="sink" component_id=es_out component_type=elasticsearch}'
        ":request{request_id=79165}: vector_common::internal_event::service: Service call failed. request_id=6081\n"
        '2024-03-11T08:00:05.164937Z  INFO source{component_kind="source" component_id=app_logs}:file_server: '
        "vector::internal_events::file::source: Found new file to watch. file=/var/log/app/api-10.log\n"
        "2024-03-11T08:00:06.000000Z  INFO vector::topology::running: Running healthchecks.\n"
        '2024-03-11T08:00:07.000000Z  WARN source{component_id=app_logs}: vector: Source is throttled.\n',
        encoding="utf-8",
    )
    df = rcakit.read_logs(path)
    assert df["severity_text"].to_list() == ["ERROR", "INFO", "INFO", "WARN"]
    assert df["body"].to_list() == [
        "Service call failed. request_id=6081",
        "Found new file to watch. file=/var/log/app/api-10.log",
        "Running healthchecks.",
        "Source is throttled.",
    ]
    attrs = [json.loads(a) for a in df["attributes"]]
    assert attrs[0]["logger"] == "vector_common::internal_event::service"
    assert attrs[1]["mdc"] == 'source{component_kind="source" component_id=app_logs}:file_server:'
    assert attrs[3]["logger"] == "vector"


def test_odoo_lines_have_their_database_and_logger_out_of_the_message(tmp_path):
    # Odoo: "<stamp> <pid> <LEVEL> <db> <logger>: <message>". Before: "prod_db odoo.http:" opened
    # every message and split every event by its database (probe BS: GA 0.054).
    path = tmp_path / "odoo-server.log"
    path.write_text(
        "2024-03-11 08:00:08,170 4252 INFO prod_db odoo.http: Generating routing map for key 5\n"
        "2024-03-11 08:00:10,367 4253 INFO ? odoo: database: odoo@db:5432\n"
        '2024-03-11 08:00:12,200 4253 INFO acme_prod werkzeug: 10.3.3.249 - - [11/Mar/2024 08:00:12] "GET /web/image '
        'HTTP/1.1" 304 - 52 0.300 1.335\n'
        "2024-03-11 08:00:14,781 4254 WARNING prod_db odoo.addons.base.models.ir_cron: Job `Mail: Email Queue Manager` "
        "done.\n",
        encoding="utf-8",
    )
    df = rcakit.read_logs(path)
    assert df["severity_text"].to_list() == ["INFO", "INFO", "INFO", "WARN"]
    assert df["body"][0] == "Generating routing map for key 5"
    assert df["body"][1] == "database: odoo@db:5432"
    assert df["body"][3] == "Job `Mail: Email Queue Manager` done."
    attrs = [json.loads(a) for a in df["attributes"]]
    assert (attrs[0]["logger"], attrs[0]["mdc"], attrs[0]["pid"]) == ("odoo.http", "prod_db", "4252")
    assert attrs[2]["status"] == 304


def test_frrouting_lines_have_their_daemon_and_message_id_out_of_the_message(tmp_path):
    # FRR's file log: "<stamp> BGP: [XXXXX-XXXXX] <message>". Before: the head opened every
    # message (probe BS: FRR's PA 0).
    path = tmp_path / "bgpd.log"
    path.write_text(
        "2024/03/11 06:30:06 BGP: [X0K4Z-7ANHR] 10.0.0.1 sending KEEPALIVE\n"
        "2024/03/11 06:30:12 ZEBRA: [RWWSE-6NK6G] interface eth0 up\n",
        encoding="utf-8",
    )
    df = rcakit.read_logs(path)
    assert df["body"].to_list() == ["10.0.0.1 sending KEEPALIVE", "interface eth0 up"]
    assert df["timestamp"][0] == datetime(2024, 3, 11, 6, 30, 6, tzinfo=UTC)
    assert json.loads(df["attributes"][0]) == {"logger": "BGP", "code": "X0K4Z-7ANHR"}


def _templates(lines: list[str]) -> list[str]:
    out = rcakit.mine_templates(pl.DataFrame({"body": lines}))
    return out["template"].to_list()


def test_a_phrase_in_backticks_is_one_value_and_a_dash_before_digits_keeps_an_id_whole():
    # Odoo's cron jobs by name: one event, not one per job (probe BS: 24 groups for 1)
    names = ["Mail: Email Queue Manager", "Base: Auto-vacuum internal data", "Calendar: Event Reminder"]
    got = _templates([f"Job `{names[i % 3]}` done." for i in range(30)])
    assert len(set(got)) == 1
    # "X0K4Z-7ANHR" is an identifier, not a number 7 with a unit ANHR; "5ms", "10MB" still are
    masked = _templates(["id X0K4Z-7ANHR and ORD-7ANHR", "took 5ms and 10MB"])
    assert "7ANHR" in masked[0]
    assert "<NUM>" not in masked[0]
    assert "5ms" not in masked[1]
    assert "10MB" not in masked[1]


def test_a_url_ends_before_the_brace_that_closes_its_object():
    # Pulsar's "PersistentTopic{topic=persistent://t/ns/orders-partition-2}, client=..." (probe BS:
    # the brace went into the URL)
    got = _templates([f"Producer{{topic=PersistentTopic{{topic=persistent://acme/p/orders-partition-{i}}}, client=c}}" for i in range(5)])
    assert len(set(got)) == 1
    assert "<URL>}, client=" in got[0]
