"""What two more blind probes of the thirty-third session found in the reader: a hotel booking
platform's incidents (BT: Jira's change export, Elasticsearch 8's ECS logs, varnishncsa's
absolute request targets, structlog's padded level inside CRI lines) and twelve more template
systems (BU: Teleport's and logrus' DEBU, Zigbee2MQTT's layout)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import rcakit


def test_a_jira_change_export_is_read_by_its_change_start_date(tmp_path):
    # Jira's CSV export: "Created" and a custom field "Custom field (Change start date)".
    # Before: "no time column", and the whole report exited 2.
    path = tmp_path / "changes-jira.csv"
    path.write_text(
        "Summary,Issue key,Issue id,Issue Type,Status,Component/s,Created,Custom field (Change start date)\n"
        "Deploy extranet 8.2.0 (bulk rate editor),CHG-512,10512,Change,Done,extranet,16/Mar/24 9:00 AM,17/Mar/24 10:46 AM\n",
        encoding="utf-8",
    )
    changes = rcakit.read_changes(path)
    assert changes["id"].to_list() == ["CHG-512"]
    assert changes["service"].to_list() == ["extranet"]
    # the change's start, not when its issue was created
    assert changes["time"].to_list() == [datetime(2024, 3, 17, 10, 46, tzinfo=UTC)]


def test_elasticsearch_8s_ecs_placeholder_service_name_is_elasticsearch(tmp_path):
    # Elasticsearch 8 writes "service.name": "ES_ECS" in every line of its ECS JSON log; its
    # clients' errors name elasticsearch (before: a service called ES_ECS nobody named)
    path = tmp_path / "es.json"
    path.write_text(
        json.dumps({
            "@timestamp": "2024-03-20T16:42:12.295Z", "log.level": "WARN", "message": "rejected execution",
            "ecs.version": "1.2.0", "service.name": "ES_ECS", "event.dataset": "elasticsearch.server",
            "log.logger": "org.elasticsearch.action.search.SearchTransportService",
        }) + "\n",
        encoding="utf-8",
    )
    assert rcakit.read_logs(path)["service"].to_list() == ["elasticsearch"]


def test_an_access_logs_absolute_request_target_is_the_site_and_the_path(tmp_path):
    # varnishncsa logs the request as the cache got it: "GET http://img.staybook.example/...".
    # Before: the site's own host stayed in the path, read as a provider outside the estate
    # whose answers failed, which vetoed the change that caused it (probe BT's c23).
    path = tmp_path / "access.log"
    path.write_text(
        '10.0.32.191 - - [27/Mar/2024:14:01:01 +0200] "GET http://img.staybook.example/hotels/1222/25.jpg?w=320 HTTP/1.1" '
        '503 211 "https://www.staybook.example/hotel/1212" "Mozilla/5.0"\n',
        encoding="utf-8",
    )
    df = rcakit.read_logs(path)
    assert df["body"].to_list() == ["GET /hotels/1222/25.jpg 503"]
    attrs = json.loads(df["attributes"][0])
    assert (attrs["vhost"], attrs["path"], attrs["query"]) == ("img.staybook.example", "/hotels/1222/25.jpg", "w=320")


def test_structlogs_padded_level_inside_a_container_line_leaves_no_bracket_in_the_message(tmp_path):
    # structlog's console renderer pads the level inside its brackets; inside a CRI line the
    # message kept the closing bracket: "] email sent ..."
    path = tmp_path / "notifications-6b7f9c8d5-k2x7p_booking_notifications-0123456789ab.log"
    path.write_text(
        "2024-03-05T09:07:21.698212862Z stdout F 2024-03-05T09:07:21.698140Z [warning  ] email sent      "
        "[notifications.mailer] template=booking_confirmation\n",
        encoding="utf-8",
    )
    df = rcakit.read_logs(path)
    assert df["severity_text"].to_list() == ["WARN"]
    assert df["body"][0].startswith("email sent")


def test_logrus_debu_and_zigbee2mqtts_layout_have_their_levels(tmp_path):
    # Teleport (logrus' four-letter levels): DEBU was not read, the head stayed in the
    # message; Zigbee2MQTT's "<program>:<level>  <stamp>: msg" was read as raw lines
    teleport = tmp_path / "teleport.log"
    teleport.write_text(
        "2024-03-11T08:00:02Z DEBU [SSH:PROXY] Incoming connection 203.0.113.7:41702 -> 10.0.0.5:3023 version: SSH-2.0-Go.\n"
        "2024-03-11T08:00:02Z WARN [CA]        Re-init the cache on error. error:[watcher closed]\n",
        encoding="utf-8",
    )
    df = rcakit.read_logs(teleport)
    assert df["severity_text"].to_list() == ["DEBUG", "WARN"]
    assert df["body"][0].startswith("Incoming connection")
    z2m = tmp_path / "log.txt"
    z2m.write_text(
        "Zigbee2MQTT:info  2024-03-11 08:00:01: Starting interview of '0x02ef1ccfa7ee6835'\n"
        "Zigbee2MQTT:error 2024-03-11 08:00:03: Failed to configure 'Kitchen Motion'\n",
        encoding="utf-8",
    )
    df = rcakit.read_logs(z2m)
    assert df["severity_text"].to_list() == ["INFO", "ERROR"]
    assert df["timestamp"][1] == datetime(2024, 3, 11, 8, 0, 3, tzinfo=UTC)
    assert df["body"].to_list() == ["Starting interview of '0x02ef1ccfa7ee6835'", "Failed to configure 'Kitchen Motion'"]


def test_scylla_arangodb_and_jellyfin_heads_are_out_of_the_message(tmp_path):
    # before: "[shard 6] storage_service - ", "{startup}" (and ArangoDB's log id lost), and
    # Serilog's "[44] Category: " opened every message (probe BU: PA 0 on all three)
    files = {
        "scylla.log": "ERROR 2024-03-11 08:00:02,335 [shard 7] storage_proxy - Exception when communicating with 10.0.37.204\n",
        "arangod.log": "2024-03-11T08:00:01Z [35429] INFO [144fe] {startup} using storage engine 'rocksdb'\n",
        "jellyfin.log": "[2024-03-11 08:00:06.123 +00:00] [WRN] [44] Jellyfin.Server.Implementations.Users.UserManager: "
        'Authentication request for "admin" has been denied\n',
    }
    got = {}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        df = rcakit.read_logs(tmp_path / name)
        got[name] = (df["severity_text"][0], df["body"][0], json.loads(df["attributes"][0]))
    assert got["scylla.log"] == ("ERROR", "Exception when communicating with 10.0.37.204", {"logger": "storage_proxy", "thread": "7"})
    assert got["arangod.log"] == (
        "INFO", "using storage engine 'rocksdb'", {"logger": "startup", "pid": "35429", "code": "144fe"}
    )
    assert got["jellyfin.log"] == (
        "WARN", 'Authentication request for "admin" has been denied',
        {"logger": "Jellyfin.Server.Implementations.Users.UserManager", "thread": "44"},
    )
