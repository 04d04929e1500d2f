"""Findings of a blind probe (probe AL): trace ids of Google Cloud Logging, Serilog's CLEF and
Datadog's Logs API exports; journald's byte-array messages; Graylog's numeric levels in CSV;
the prefixes of nginx's and RabbitMQ's own logs; Heroku's platform errors."""

from __future__ import annotations

import json

from rcakit.ingest import read_logs

from ._reading import attrs as _attrs
from ._reading import read_lines as _read


def test_gcp_cloud_logging_trace_resource_name(tmp_path):
    """A LogEntry's "trace" is "projects/<project>/traces/<id>" (gcloud logging read, a GCS
    sink's ndjson); an app's structured line carries it as "logging.googleapis.com/trace" in
    jsonPayload. The id is the trace id; the span id stays an attribute. A "trace" key that is
    no such name (a flag, a stack trace) is no trace id."""
    sink = _read(tmp_path, "S0.json", [
        '{"httpRequest":{"requestMethod":"POST","requestUrl":"https://checkout-3kq7xz-ew.a.run.app/api/pay","status":503,"latency":"10.004s"},'
        '"insertId":"1a80aaf0ddeff3","resource":{"type":"cloud_run_revision","labels":{"service_name":"checkout"}},'
        '"timestamp":"2024-03-05T10:00:00.250000Z","severity":"ERROR","logName":"projects/shop-prod/logs/run.googleapis.com%2Frequests",'
        '"trace":"projects/shop-prod/traces/240770ac7a3b12f2b736f7bea4cb5742","spanId":"99574852721365439","traceSampled":true}',
        '{"jsonPayload":{"message":"cart 2 priced","logging.googleapis.com/trace":"projects/shop-prod/traces/e7cb56f654510ffc65f7b4b2c104e151"},'
        '"insertId":"4ac0c84de3ea5a","resource":{"type":"cloud_run_revision","labels":{"service_name":"checkout"}},'
        '"timestamp":"2024-03-05T10:00:14.250022Z","severity":"INFO"}',
        '{"textPayload":"payment declined","timestamp":"2024-03-05T10:00:15Z","severity":"WARNING",'
        '"resource":{"type":"cloud_run_revision","labels":{"service_name":"checkout"}}}',
    ])
    assert sink["trace_id"].to_list() == ["240770ac7a3b12f2b736f7bea4cb5742", "e7cb56f654510ffc65f7b4b2c104e151", None]
    assert _attrs(sink.row(0, named=True))["spanId"] == "99574852721365439"
    assert "trace" not in _attrs(sink.row(0, named=True))
    gcloud = tmp_path / "gcloud-logging-read.json"
    gcloud.write_text(json.dumps([
        {"insertId": "7f1584e0402dccf8", "jsonPayload": {"message": "charge accepted for order 1"},
         "resource": {"labels": {"container_name": "payments", "pod_name": "payments-7c9d8f6b5-x2k4q"}, "type": "k8s_container"},
         "severity": "INFO", "spanId": "9d233d321754ad6a", "timestamp": "2024-03-05T10:00:13.123Z",
         "trace": "projects/shop-prod/traces/0c41bf6909b9563ca6ffa32a7dfe20e5", "traceSampled": True},
        {"insertId": "0f49cffc46e0c166", "textPayload": "Error: connect ECONNREFUSED 10.4.2.9:5432",
         "resource": {"labels": {"container_name": "payments"}, "type": "k8s_container"},
         "severity": "ERROR", "timestamp": "2024-03-05T10:00:00.123Z"},
    ], indent=2), encoding="utf-8")
    frame = read_logs(gcloud)
    assert frame["trace_id"].to_list() == ["0c41bf6909b9563ca6ffa32a7dfe20e5", None]
    other = _read(tmp_path, "app.json", [
        '{"time":"2024-03-05T10:00:00Z","level":"info","msg":"ok","trace":true}',
        '{"time":"2024-03-05T10:00:01Z","level":"error","msg":"boom","trace":"java.lang.IllegalStateException: x"}',
    ])
    assert other["trace_id"].to_list() == [None, None]
    assert _attrs(other.row(0, named=True))["trace"] == "true"


def test_serilog_clef_and_datadog_api_trace_ids(tmp_path):
    """Serilog 3.1+ writes the trace and span ids of CLEF as "@tr" / "@sp"; Datadog's Logs API
    v2 keeps a record's own attributes under "attributes", its trace id as dd.trace_id."""
    clef = _read(tmp_path, "claims-clef.json", [
        '{"@t":"2024-03-05T10:00:00.1234561Z","@mt":"Claim {ClaimId} processed","@tr":"709d2450d3ecaa7995b69457dbc9d3ee",'
        '"@sp":"8510ef90e64896a7","ClaimId":"CLM-1000","SourceContext":"Claims.Api.Services.ClaimProcessor"}',
        '{"@t":"2024-03-05T10:00:08.1234561Z","@mt":"Claim {ClaimId} failed","@tr":"595fcc26d20f9841c60d378042ad3cd4",'
        '"@sp":"daefa02c855f0bcd","@l":"Error","ClaimId":"CLM-1002"}',
    ])
    assert clef["trace_id"].to_list() == ["709d2450d3ecaa7995b69457dbc9d3ee", "595fcc26d20f9841c60d378042ad3cd4"]
    assert _attrs(clef.row(0, named=True))["@sp"] == "8510ef90e64896a7"
    path = tmp_path / "datadog-logs-api.json"
    path.write_text(json.dumps({"data": [
        {"id": "AQAAAY407ee48beca1c1b7eab3e", "type": "log", "attributes": {
            "service": "shipping", "host": "i-0abc123def456", "status": "error",
            "timestamp": "2024-03-05T10:00:21.321Z", "message": "Failed to charge card for order 1: upstream 502",
            "attributes": {"dd": {"trace_id": "3444528362476400616", "span_id": "43461908607386036"},
                           "logger": {"name": "com.shop.shipping.Dispatcher"}}}},
    ]}, indent=2), encoding="utf-8")
    dd = read_logs(path)
    row = dd.row(0, named=True)
    assert (row["service"], row["severity_text"], row["trace_id"]) == ("shipping", "ERROR", "3444528362476400616")
    assert _attrs(row)["attributes.dd.span_id"] == "43461908607386036"


def test_journal_message_as_byte_array(tmp_path):
    """journalctl -o json writes a MESSAGE holding control characters (a coloured line's
    escape codes) or invalid UTF-8 as an array of bytes: it is decoded (invalid bytes
    replaced) and its colour codes removed, as in any other message."""
    text = "\x1b[31mERROR\x1b[0m disk full on /var/lib/payments"
    raw = [*text.encode(), 0xFF]
    head = '{"__REALTIME_TIMESTAMP":"1709632820123461","_HOSTNAME":"node-7","PRIORITY":"3","SYSLOG_IDENTIFIER":"payments","_PID":"812",'
    frame = _read(tmp_path, "journal-export.json", [
        head + '"MESSAGE":"payments event 0: ok"}',
        head + '"MESSAGE":' + json.dumps(raw) + "}",
        head + '"MESSAGE":[104,105]}',
    ])
    assert frame["body"].to_list() == ["payments event 0: ok", "ERROR disk full on /var/lib/payments\ufffd", "hi"]
    assert frame["severity_text"].to_list() == ["ERROR"] * 3
    assert frame["service"].to_list() == ["payments"] * 3


def test_nginx_error_log_and_rabbitmq_process_ids(tmp_path):
    """nginx's error log writes "<pid>#<tid>: " and a connection's "*<id> " before the message,
    RabbitMQ 3.9+ the Erlang process after the level: ids, not the message's start (else every
    connection number is a template of its own)."""
    nginx = _read(tmp_path, "error.log", [
        '2024/03/05 10:00:00 [notice] 1#1: using the "epoll" event method',
        "2024/03/05 10:00:12 [error] 29#29: *12 upstream timed out (110: Connection timed out) while reading response header"
        ' from upstream, client: 10.0.0.7, server: shop.example.com, request: "POST /api/pay HTTP/1.1"',
        "2024/03/05 10:00:16 [warn] 29#31: *13 an upstream response is buffered to a temporary file",
    ])
    assert nginx["format"][0] == "text"
    assert [b[:25] for b in nginx["body"]] == ['using the "epoll" event m', "upstream timed out (110: ", "an upstream response is b"]
    assert nginx["severity_text"].to_list() == ["INFO", "ERROR", "WARN"]
    assert [_attrs(r) for r in nginx.to_dicts()] == [
        {"pid": "1", "thread": "1"},
        {"pid": "29", "thread": "29", "connection": "12"},
        {"pid": "29", "thread": "31", "connection": "13"},
    ]
    # the ingress-nginx controller's output: a few nginx error lines among klog lines
    ingress = _read(tmp_path, "ingress-nginx-controller.log", [
        'I0305 10:00:00.123456       7 main.go:205] "Creating API client" host="https://10.96.0.1:443"',
        "W0305 10:00:00.223456       7 client_config.go:618] Neither --kubeconfig nor --master was specified.",
        'I0305 10:00:01.123456       7 controller.go:190] "Configuration changes detected, backend reload required"',
        "2024/03/05 10:00:11 [error] 31#31: *902 upstream prematurely closed connection while reading response header from upstream",
        'I0305 10:01:02.000123       7 controller.go:210] "Backend successfully reloaded"',
    ])
    assert ingress["body"][3].startswith("upstream prematurely closed connection")
    assert _attrs(ingress.row(3, named=True)) == {"pid": "31", "thread": "31", "connection": "902"}
    assert ingress["body"][0] == '"Creating API client" host="https://10.96.0.1:443"'
    assert _attrs(ingress.row(0, named=True))["pid"] == "7"
    rabbit = _read(tmp_path, "rabbit@mq01.log", [
        "2024-03-05 10:00:00.123456+00:00 [info] <0.230.0> Starting RabbitMQ 3.12.13 on Erlang 26.2.2 [jit]",
        "2024-03-05 10:00:06.123458+00:00 [info] <0.812.0> accepting AMQP connection <0.812.0> (10.0.0.12:51234 -> 10.0.0.5:5672)",
        "2024-03-05 10:00:09.123458+00:00 [error] <0.901.0> Error on AMQP connection <0.901.0> (10.0.0.13:40222 -> 10.0.0.5:5672,"
        " vhost: '/', user: 'shop', state: running), channel 1:",
        " operation basic.publish caused a channel exception not_found: no exchange 'orders' in vhost '/'",
    ])
    assert rabbit["body"].str.slice(0, 20).to_list() == ["Starting RabbitMQ 3.", "accepting AMQP conne", "Error on AMQP connec"]
    assert rabbit["n_lines"].to_list() == [1, 1, 2]
    assert [_attrs(r).get("pid") for r in rabbit.to_dicts()] == ["<0.230.0>", "<0.812.0>", "<0.901.0>"]


def test_heroku_platform_errors(tmp_path):
    """Heroku's dyno errors (R14, R10) have no at= level: ERROR, as the router's at=error H12."""
    frame = _read(tmp_path, "heroku-logs.txt", [
        '2024-03-05T10:00:15.503456+00:00 heroku[router]: at=error code=H12 desc="Request timeout" method=POST path="/checkout" status=503',
        "2024-03-05T10:00:59.000001+00:00 heroku[web.2]: Process running mem=1054M(205.9%)",
        "2024-03-05T10:01:00.000001+00:00 heroku[web.2]: Error R14 (Memory quota exceeded)",
        "2024-03-05T10:02:00.000001+00:00 heroku[web.1]: Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 60 seconds of launch",
        "2024-03-05T10:02:01.000001+00:00 app[web.1]: Error R14 is what the docs call it",
    ])
    assert frame["severity_text"].to_list() == ["ERROR", None, "ERROR", "ERROR", None]
    assert frame["body"][2] == "Error R14 (Memory quota exceeded)"


def test_graylog_csv_syslog_number_levels(tmp_path):
    """Graylog's message table export keeps GELF's level, a syslog severity number: 3 is
    ERROR, 4 WARN, 6 INFO. Numbers under another column name, or mixed with level words,
    are not read so."""
    frame = _read(tmp_path, "graylog-search-result.csv", [
        '"timestamp","source","level","application_name","message"',
        '"2024-03-05T10:04:00.900Z","app-01.prod.internal","6","checkout","order 0 accepted"',
        '"2024-03-05T10:03:49.897Z","app-02.prod.internal","3","checkout","payment gateway returned 502 for order 1"',
        '"2024-03-05T10:03:38.894Z","app-03.prod.internal","4","checkout","slow response from inventory 2300ms"',
        '"2024-03-05T10:03:30.001Z","app-03.prod.internal","2","checkout","disk controller failure"',
    ])
    assert frame["severity_text"].to_list() == ["INFO", "ERROR", "WARN", "FATAL"]
    assert "level" not in _attrs(frame.row(1, named=True))
    other = _read(tmp_path, "export.csv", [
        "timestamp,priority,message",
        "2024-03-05T10:04:00Z,3,order 0 accepted",
    ])
    assert other["severity_text"].to_list() == [None]
