"""W3C extended log files (``rcakit.ingest._w3c``, format ``w3c``): IIS and CloudFront."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from tests._ingest_helpers import attrs, parse_lines

from rcakit.ingest import _w3c, detect_format, read_logs

IIS = """\
#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2024-11-02 00:00:01
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
2024-11-02 00:00:01 10.0.0.5 GET /api/orders id=42 443 - 203.0.113.7 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 200 0 0 15
2024-11-02 00:00:02 10.0.0.5 POST /api/pay - 443 alice 203.0.113.8 curl/8.0 https://shop.example.com/ 500 0 64 1203
2024-11-02 00:00:03 10.0.0.5 GET /health - 80 - 127.0.0.1 - - 404 0 2 0
#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2024-11-02 00:10:00
#Fields: date time cs-method cs-uri-stem sc-status time-taken
2024-11-02 00:10:00 GET /api/orders 200 12
"""

CLOUDFRONT = (
    "#Version: 1.0\n"
    "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
    "cs(User-Agent) cs-uri-query time-taken\n"
    "2024-11-02\t01:02:03\tFRA56-C1\t2390\t192.0.2.10\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\t"
    "Mozilla/5.0%20(Macintosh)\t-\t0.002\n"
    "2024-11-02\t01:02:04\tFRA56-C1\t512\t192.0.2.11\tGET\td111111abcdef8.cloudfront.net\t/missing.png\t404\t-\tcurl/8\tv=1\t0.001\n"
)


def test_iis_log_maps_like_an_access_log():
    out = parse_lines(_w3c.FORMAT, IIS)
    rows = out.to_dicts()
    assert [r["body"] for r in rows] == ["GET /api/orders 200", "POST /api/pay 500", "GET /health 404", "GET /api/orders 200"]
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR", "WARN", "INFO"]
    assert rows[1]["timestamp"] == datetime(2024, 11, 2, 0, 0, 2, tzinfo=UTC)
    assert out["parse_error"].null_count() == 4
    # the directives above the first data line belong to it; a repeated header block (the
    # server restarted, with other fields) belongs to the record above it
    assert [(r["line_no"], r["n_lines"]) for r in rows] == [(1, 5), (6, 1), (7, 5), (12, 1)]
    first = attrs(rows[1])
    assert first["cs-username"] == "alice"
    assert first["sc-status"] == 500
    assert first["time-taken"] == 1203
    assert first["cs(Referer)"] == "https://shop.example.com/"
    assert "date" not in first  # the stamp is the timestamp
    assert "cs-uri-query" not in first  # "-" is no value
    # the second block has its own fields
    assert attrs(rows[3]) == {"cs-method": "GET", "cs-uri-stem": "/api/orders", "sc-status": 200, "time-taken": 12}


def test_cloudfront_log_is_tab_separated():
    rows = parse_lines(_w3c.FORMAT, CLOUDFRONT).to_dicts()
    assert [r["body"] for r in rows] == ["GET /index.html 200", "GET /missing.png 404"]
    assert rows[0]["timestamp"] == datetime(2024, 11, 2, 1, 2, 3, tzinfo=UTC)
    assert attrs(rows[1])["cs-uri-query"] == "v=1"
    assert attrs(rows[1])["time-taken"] == 0.001
    assert attrs(rows[0])["cs(Host)"] == "d111111abcdef8.cloudfront.net"


def test_bad_lines_are_kept_with_the_reason():
    text = (
        "2024-11-02 00:00:00 GET / 200\n"  # before any #Fields
        "#Fields: date time cs-method cs-uri-stem sc-status\n"
        "2024-11-02 00:00:01 GET /a 200\n"
        "a line with more values than fields\n"
        "\n"
    )
    rows = parse_lines(_w3c.FORMAT, text).to_dicts()
    assert [r["parse_error"] for r in rows] == [
        "W3C data line before any #Fields directive",
        None,
        "W3C data line with another number of values than its #Fields directive (5)",
    ]
    assert rows[2]["body"] == "a line with more values than fields"
    assert [(r["line_no"], r["n_lines"]) for r in rows] == [(1, 2), (3, 1), (4, 2)]


def test_directives_only_is_one_record_with_a_parse_error():
    text = "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2024-11-02 00:00:01\n"
    rows = parse_lines(_w3c.FORMAT, text).to_dicts()
    assert len(rows) == 1
    assert rows[0]["n_lines"] == 3
    assert "no data lines" in rows[0]["parse_error"]


def test_detected_and_read_through_read_logs_with_tz(tmp_path):
    (tmp_path / "u_ex241102.log").write_text(IIS)
    (tmp_path / "cloudfront.log").write_text(CLOUDFRONT)
    assert detect_format(tmp_path / "u_ex241102.log") == "w3c"
    assert detect_format(tmp_path / "cloudfront.log") == "w3c"
    frame = read_logs(tmp_path, tz="Europe/Berlin")
    assert frame["format"].unique().to_list() == ["w3c"]
    # a W3C stamp is UTC by definition (IIS writes UTC whatever the server's zone): tz, meant
    # for the run's other files, does not move it (probe BV: an IIS log two hours early)
    assert frame.filter(pl.col("source").str.ends_with("u_ex241102.log"))["timestamp"][0] == datetime(
        2024, 11, 2, 0, 0, 1, tzinfo=UTC
    )
    assert frame["service"].unique().sort().to_list() == ["cloudfront", "u_ex241102"]
    # every attributes object is valid JSON with each key once
    for text in frame["attributes"].drop_nulls():
        pairs = json.loads(text, object_pairs_hook=lambda p: p)
        assert len({k for k, _ in pairs}) == len(pairs)
    cut = ["timestamp", "severity_text", "body"]
    assert_frame_equal(read_logs(tmp_path, columns=cut), read_logs(tmp_path).select(cut))


@pytest.mark.parametrize(
    "text",
    [
        "#Fields: date time\n",  # fields that say nothing about a request or a time... still w3c
        "# just a comment\n2024-01-02 03:04:05 INFO started\n",
        "2024-01-02 03:04:05 INFO started\n",
    ],
)
def test_sniff_needs_a_fields_directive_and_fitting_lines(text):
    from rcakit.ingest._detect import sample_lines

    score = _w3c.FORMAT.sniff(sample_lines(text))
    assert score == (1.0 if text.startswith("#Fields: date time\n") else 0.0)


def test_empty_file_has_no_record():
    assert parse_lines(_w3c.FORMAT, "").height == 0


def test_vpc_flow_log_with_its_header(tmp_path):
    """AWS VPC flow logs as delivered to S3 (a blind probe found them read as raw lines, no
    time): the flow's start is its time, the flow its message, a rejected flow a warning."""
    text = (
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
        "2 123456789012 eni-0a1b2c3d4e5f60718 10.0.1.5 10.0.2.7 49152 443 6 10 840 1709287200 1709287260 ACCEPT OK\n"
        "2 123456789012 eni-0a1b2c3d4e5f60718 198.51.100.7 10.0.1.5 54321 22 6 3 180 1709287210 1709287270 REJECT OK\n"
        "2 123456789012 eni-0a1b2c3d4e5f60718 - - - - - - - 1709287220 1709287280 - NODATA\n"
        "2 123456789012 eni-0a1b2c3d4e5f60718 2001:db8::5 2001:db8::7 443 50000 6 5 400 1709287230 1709287290 ACCEPT OK\n"
    )
    path = tmp_path / "flows.log"
    path.write_text(text)
    assert detect_format(path) == "vpc-flow"
    rows = read_logs(path).to_dicts()
    assert [(r["line_no"], r["n_lines"]) for r in rows] == [(1, 2), (3, 1), (4, 1), (5, 1)]
    assert [r["body"] for r in rows] == [
        "ACCEPT tcp 10.0.1.5:49152 -> 10.0.2.7:443", "REJECT tcp 198.51.100.7:54321 -> 10.0.1.5:22", "NODATA",
        "ACCEPT tcp [2001:db8::5]:443 -> [2001:db8::7]:50000",
    ]
    assert [r["severity_text"] for r in rows] == ["INFO", "WARN", None, "INFO"]
    assert rows[1]["timestamp"] == datetime(2024, 3, 1, 10, 0, 10, tzinfo=UTC)
    assert attrs(rows[1])["dstport"] == 22
    assert attrs(rows[1])["interface-id"] == "eni-0a1b2c3d4e5f60718"


def test_exchange_message_tracking_log(tmp_path):
    """Exchange's message tracking log: W3C directives with comma-separated, CSV-quoted
    fields (a blind probe found it read as raw lines, no time)."""
    fields = (
        "date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,"
        "internal-message-id,message-id,recipient-address,recipient-status,total-bytes,recipient-count,message-subject,sender-address"
    )
    text = (
        "#Software: Microsoft Exchange Server\n#Version: 15.02.1118.007\n#Log-type: Message Tracking Log\n"
        "#Date: 2024-03-01T10:00:00.000Z\n"
        f"#Fields: {fields}\n"
        '2024-03-01T10:00:01.123Z,10.0.0.5,APP01,10.0.0.20,EXCH01,"08DC3A1B;250 2.0.0 OK",EXCH01\\Default EXCH01,SMTP,RECEIVE,'
        '123456789,<a1b2c3@shop.example.com>,jörg@example.de,,4321,1,"Ihre Bestellung #42, ""Express""",noreply@shop.example.com\n'
        "2024-03-01T10:00:03.789Z,,,,EXCH01,,,AGENT,FAIL,123456790,<x9y8@spam.example>,victim@shop.example.com,550 5.7.1,2048,1,"
        "Cheap pills,spam@spam.example\n"
    )
    path = tmp_path / "MSGTRK20240301-1.LOG"
    path.write_text(text, encoding="utf-8")
    assert detect_format(path) == "w3c"
    rows = read_logs(path).to_dicts()
    assert [(r["line_no"], r["n_lines"], r["severity_text"]) for r in rows] == [(1, 6, "INFO"), (7, 1, "ERROR")]
    assert rows[0]["timestamp"] == datetime(2024, 3, 1, 10, 0, 1, 123000, tzinfo=UTC)
    assert rows[0]["body"] == "RECEIVE SMTP noreply@shop.example.com -> jörg@example.de"
    assert rows[1]["body"] == "FAIL AGENT spam@spam.example -> victim@shop.example.com: 550 5.7.1"
    assert attrs(rows[0])["message-subject"] == 'Ihre Bestellung #42, "Express"'
