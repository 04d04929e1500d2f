"""AWS load balancer access logs (``rcakit.ingest._elb``, format ``elb``): ALB and Classic ELB."""

from __future__ import annotations

from datetime import UTC, datetime

from polars.testing import assert_frame_equal
from tests._ingest_helpers import attrs, parse_lines

from rcakit.ingest import _elb, detect_format, read_logs
from rcakit.ingest._detect import sample_lines

ALB = (
    "http 2024-11-02T00:00:01.186641Z app/shop-alb/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 "
    '200 200 34 366 "GET http://shop.example.com:80/ HTTP/1.1" "curl/7.46.0" - - '
    "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/web/73e2d6bc24d8a067 "
    '"Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2024-11-02T00:00:01.164000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"\n'
    "https 2024-11-02T00:00:02.186641Z app/shop-alb/50dc6c495c0c9188 203.0.113.8:2817 10.0.0.2:80 0.086 1.203 0.000 "
    '502 502 0 57 "POST https://shop.example.com:443/api/pay?order=9 HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64)" '
    "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/pay/73e2d6bc24d8a067 "
    '"Root=1-58337281-1d84f3d73c47ec4e58577259" "shop.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/1234" '
    '1 2024-11-02T00:00:00.900000Z "authenticate,forward" "-" "-" "10.0.0.2:80" "502" "-" "-"\n'
)

CLASSIC = (
    '2024-11-02T00:00:03.945958Z shop-elb 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://shop.example.com:80/cart HTTP/1.1" "curl/7.38.0" - -\n'
    '2024-11-02T00:00:04.945958Z shop-elb 192.168.131.39:2818 - -1 -1 -1 504 0 0 0 "GET http://shop.example.com:80/slow?q=1 HTTP/1.1" "curl/7.38.0" - -\n'
    "not a load balancer line\n"
)


def test_application_load_balancer_lines():
    rows = parse_lines(_elb.FORMAT, ALB).to_dicts()
    assert [r["body"] for r in rows] == ["GET / 200", "POST /api/pay 502"]
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR"]
    assert [r["service"] for r in rows] == ["shop-alb", "shop-alb"]
    assert rows[1]["trace_id"] == "1-58337281-1d84f3d73c47ec4e58577259"
    assert rows[1]["timestamp"] == datetime(2024, 11, 2, 0, 0, 2, 186641, tzinfo=UTC)
    a = attrs(rows[1])
    assert a["response_time_ms"] == 1289.0
    assert a["target_processing_time"] == 1.203
    assert (a["elb_status_code"], a["target_status_code"], a["sent_bytes"]) == (502, 502, 57)
    assert a["url"] == "https://shop.example.com:443/api/pay?order=9"
    assert a["user_agent"] == "Mozilla/5.0 (X11; Linux x86_64)"
    assert a["actions_executed"] == "authenticate,forward"
    assert a["type"] == "https"
    assert "redirect_url" not in a  # "-" is no value


def test_classic_load_balancer_lines_and_a_bad_line():
    rows = parse_lines(_elb.FORMAT, CLASSIC).to_dicts()
    assert [r["body"] for r in rows] == ["GET /cart 200", "GET /slow 504", "not a load balancer line"]
    assert [r["service"] for r in rows[:2]] == ["shop-elb", "shop-elb"]
    assert attrs(rows[0])["response_time_ms"] == 1.178
    # -1: no target answered; no response time, the status tells
    assert "response_time_ms" not in attrs(rows[1])
    assert "target" not in attrs(rows[1])
    assert rows[2]["parse_error"].startswith("not a load balancer log line")
    assert rows[0]["parse_error"] is None


def test_detected_and_read_through_read_logs(tmp_path):
    path = tmp_path / "123456789012_elasticloadbalancing_us-east-2_app.shop-alb.50dc6c495c0c9188_20241102T0000Z.log"
    path.write_text(ALB + CLASSIC)
    assert detect_format(path) == "elb"
    frame = read_logs(path)
    assert frame.height == 5
    assert frame["n_lines"].sum() == 5
    cut = ["timestamp", "service", "body"]
    assert_frame_equal(read_logs(path, columns=cut), frame.select(cut))


def test_sniff_leaves_other_formats_alone():
    access = '127.0.0.1 - - [02/Jan/2024:03:04:05 +0000] "GET / HTTP/1.1" 200 12\n'
    text = "2024-11-02T00:00:03.945958Z INFO [main] started\n"
    assert _elb.FORMAT.sniff(sample_lines(access)) == 0.0
    assert _elb.FORMAT.sniff(sample_lines(text)) == 0.0
    assert _elb.FORMAT.sniff(sample_lines(ALB + CLASSIC)) == 0.8


def test_the_quote_split_path_equals_the_token_path(tmp_path, monkeypatch):
    # a plain AWS file is split at its quotes; one odd line (a quote inside a word) sends the
    # whole file through the token regex: the records of the other lines must not change
    split_calls = []
    split = _elb._split_fields
    monkeypatch.setattr(_elb, "_split_fields", lambda *a: split_calls.append(1) or split(*a))
    plain = tmp_path / "plain.log"
    plain.write_text(ALB)
    odd = tmp_path / "odd.log"
    odd.write_text(ALB + 'https not"a load balancer line\n')
    fast = read_logs(plain).drop("source")
    assert split_calls == [1]  # the quote split ran on the plain file ...
    slow = read_logs(odd).drop("source")
    assert split_calls == [1]  # ... and not on the odd one
    assert slow["parse_error"][-1] is not None
    assert_frame_equal(fast, slow.head(fast.height))


NLB = (
    "tls 2.0 2024-03-05T10:00:01 net/pay-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd 203.0.113.8:51341 10.0.2.7:443 5 2 98 246 - "
    "arn:aws:acm:eu-central-1:123456789012:certificate/0a1b2c3d - ECDHE-RSA-AES128-SHA tlsv12 - "
    "pay-nlb-c6e77e28c25b2234.elb.eu-central-1.amazonaws.com - - - 2024-03-05T10:00:01\n"
    "tls 2.0 2024-03-05T10:00:02 net/pay-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd 203.0.113.9:51342 10.0.2.7:443 60012 - 0 0 - "
    "arn:aws:acm:eu-central-1:123456789012:certificate/0a1b2c3d - ECDHE-RSA-AES128-SHA tlsv12 - "
    "pay-nlb-c6e77e28c25b2234.elb.eu-central-1.amazonaws.com - - - 2024-03-05T10:00:02\n"
    "tls 2.0 2024-03-05T10:00:03.250000 net/pay-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd 198.51.100.4:40000 10.0.2.8:443 1 - 0 7 48 "
    "arn:aws:acm:eu-central-1:123456789012:certificate/0a1b2c3d - ECDHE-RSA-AES128-SHA tlsv12 - "
    "pay-nlb-c6e77e28c25b2234.elb.eu-central-1.amazonaws.com - - - 2024-03-05T10:00:03\n"
)


def test_network_load_balancer_tls_lines(tmp_path):
    """An NLB's TLS access log: the time (UTC, no zone written), the load balancer as service,
    a failed handshake (no handshake time; an incoming TLS alert) at WARN."""
    path = tmp_path / "123456789012_elasticloadbalancing_eu-central-1_net.pay-nlb.c6e77e28c25b2234_20240305T1000Z_abc.log"
    path.write_text(NLB + "not a load balancer line\n")
    assert detect_format(path) == "elb"
    rows = read_logs(path).to_dicts()
    assert [(r["timestamp"], r["service"], r["severity_text"], r["body"]) for r in rows[:3]] == [
        (datetime(2024, 3, 5, 10, 0, 1, tzinfo=UTC), "pay-nlb", "INFO", "TLS connection"),
        (datetime(2024, 3, 5, 10, 0, 2, tzinfo=UTC), "pay-nlb", "WARN", "TLS handshake failed"),
        (datetime(2024, 3, 5, 10, 0, 3, 250000, tzinfo=UTC), "pay-nlb", "WARN", "TLS handshake failed: alert 48"),
    ]
    a = attrs(rows[0])
    assert (a["client"], a["destination"], a["connection_time_ms"], a["tls_handshake_time_ms"]) == (
        "203.0.113.8:51341", "10.0.2.7:443", 5, 2,
    )
    assert a["domain_name"] == "pay-nlb-c6e77e28c25b2234.elb.eu-central-1.amazonaws.com"
    assert rows[3]["parse_error"] is not None
    assert rows[3]["body"] == "not a load balancer line"
    assert sum(r["n_lines"] for r in rows) == 4
    cut = ["timestamp", "service", "body"]
    assert_frame_equal(read_logs(path, columns=cut), read_logs(path).select(cut))
