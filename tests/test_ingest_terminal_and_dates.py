"""Exports as engineers are handed them: colour codes, UTF-16 files, day-first dates,
year-less stamps across New Year."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import polars as pl

from rcakit import read_logs


def _stamps(frame: pl.DataFrame) -> list[str]:
    return [t.strftime("%Y-%m-%d %H:%M:%S") for t in frame["timestamp"].to_list()]


def test_colour_codes_are_removed_and_the_head_is_read(tmp_path):
    # Spring Boot with spring.output.ansi.enabled=always, Rust tracing, Python colorlog
    p = tmp_path / "orders.log"
    p.write_bytes(
        b"\x1b[2m2024-03-01T09:58:00.123Z\x1b[0;39m \x1b[32m INFO\x1b[0;39m \x1b[35m4242\x1b[0;39m --- [main] "
        b"\x1b[36mc.s.orders.OrderService\x1b[0;39m : order created\n"
        b"\x1b[2m2024-03-01T09:58:01.923Z\x1b[0;39m \x1b[31mERROR\x1b[0;39m \x1b[35m4242\x1b[0;39m --- [main] "
        b"\x1b[36mc.s.orders.OrderService\x1b[0;39m : order failed: timeout\n"
        b"\x1b[32m2024-03-01 09:58:02,123 WARNING  [worker.tasks] retrying\x1b[0m\n"
    )
    df = read_logs(p)
    assert df["n_lines"].sum() == 3
    assert df["parse_error"].null_count() == 3
    assert df["severity_text"].to_list() == ["INFO", "ERROR", "WARN"]
    assert _stamps(df) == ["2024-03-01 09:58:00", "2024-03-01 09:58:01", "2024-03-01 09:58:02"]
    assert not df["body"].str.contains("\x1b", literal=True).any()
    assert df["body"][1].endswith("order failed: timeout")


def test_utf16_with_a_byte_order_mark_is_decoded(tmp_path):
    # PowerShell's Out-File and .NET write UTF-16LE with a BOM and CRLF line ends
    text = (
        "2024-03-01 09:58:00,123 [7] INFO  OrderWorker - Heartbeat ok\r\n"
        "2024-03-01 09:58:02,323 [7] ERROR OrderWorker - Sync failed for batch 2 (Müller)\r\n"
        "System.Net.Http.HttpRequestException: Connection refused\r\n"
        "   at OrderWorker.Sync() in C:\\src\\Sync.cs:line 42\r\n"
    )
    for encoding, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        p = tmp_path / f"worker-{encoding}.log"
        p.write_bytes(bom + text.encode(encoding))
        df = read_logs(p)
        assert df["n_lines"].sum() == 4
        assert df["severity_text"].to_list() == ["INFO", "ERROR"]
        assert df["body"][1].startswith("Sync failed for batch 2 (Müller)\nSystem.Net.Http.HttpRequestException")


def test_a_line_may_start_with_a_slashed_or_dotted_date(tmp_path):
    p = tmp_path / "billing.log"
    p.write_text(
        "25/03/2024 09:58:00 ERROR [billing] invoice 2000 failed: timeout\n"  # 25: day first
        "26/03/2024 09:58:01 INFO [billing] invoice 2001 generated\n"
    )
    df = read_logs(p)
    assert _stamps(df) == ["2024-03-25 09:58:00", "2024-03-26 09:58:01"]
    assert df["severity_text"].to_list() == ["ERROR", "INFO"]
    assert df["body"][0] == "invoice 2000 failed: timeout"  # "[billing]": the logger
    us = tmp_path / "us.log"
    us.write_text("3/1/2024 9:58:00 AM ERROR orders - order 42 failed\n3/1/2024 1:58:01 PM INFO orders - ok\n")
    assert _stamps(read_logs(us)) == ["2024-03-01 09:58:00", "2024-03-01 13:58:01"]  # month first
    eu = tmp_path / "eu.log"
    eu.write_text("01.03.2024 13:58:02,123 WARN [main] orders - slow\n")
    assert _stamps(read_logs(eu)) == ["2024-03-01 13:58:02"]


def test_year_less_stamps_roll_over_new_year_and_are_never_in_the_future(tmp_path):
    p = tmp_path / "messages"
    p.write_text(
        "Dec 31 23:59:58 web-1 app[12]: ERROR before midnight\n"
        "Jan  1 00:00:01 web-1 app[12]: ERROR after midnight\n"
    )
    written = datetime(2026, 1, 1, 0, 5, tzinfo=UTC).timestamp()
    os.utime(p, (written, written))
    assert _stamps(read_logs(p)) == ["2025-12-31 23:59:58", "2026-01-01 00:00:01"]
    # a year given is the first line's year
    assert _stamps(read_logs(p, year=2024)) == ["2024-12-31 23:59:58", "2025-01-01 00:00:01"]
    # a December log whose file was written in March is from the December before
    dec = tmp_path / "auth.log"
    dec.write_text("Dec 10 06:55:46 node sshd[24200]: Invalid user webmaster from 173.234.31.186\n")
    written = datetime(2026, 3, 1, tzinfo=UTC).timestamp()
    os.utime(dec, (written, written))
    assert _stamps(read_logs(dec)) == ["2025-12-10 06:55:46"]
    # logcat (year-less MM-dd) too
    cat = tmp_path / "logcat.txt"
    cat.write_text(
        "12-31 23:59:59.100  1234  1250 E ActivityManager: before\n"
        "01-01 00:00:00.200  1234  1250 E ActivityManager: after\n"
    )
    os.utime(cat, (written, written))
    assert _stamps(read_logs(cat)) == ["2025-12-31 23:59:59", "2026-01-01 00:00:00"]


def test_year_less_stamps_of_a_file_kept_for_years_take_the_year_of_its_modification_time(tmp_path):
    # an archive handed over long after it was written: the year comes from the file's
    # modification time, however many years back (not the year before this one)
    written = datetime(2024, 3, 3, 14, 0, tzinfo=UTC).timestamp()
    journal = tmp_path / "journal-web1.txt"
    journal.write_text(
        "Mar 03 13:02:03.123456 web1 systemd[1]: Started Shop API.\n"
        "Mar 03 13:02:04.500000 web1 java[812]: 2024-03-03 13:02:04,500 ERROR [main] c.s.Api - boom\n"
    )
    os.utime(journal, (written, written))
    assert _stamps(read_logs(journal)) == ["2024-03-03 13:02:03", "2024-03-03 13:02:04"]
    klog = tmp_path / "kube-controller-manager.log"
    klog.write_text(
        'I0303 13:02:03.123456       1 serving.go:386] Generated self-signed cert in-memory\n'
        'E0303 13:02:05.000001       1 leaderelection.go:330] error retrieving resource lock\n'
    )
    os.utime(klog, (written, written))
    assert _stamps(read_logs(klog)) == ["2024-03-03 13:02:03", "2024-03-03 13:02:05"]


def test_a_year_less_29_february_is_a_time_in_a_common_year_too(tmp_path):
    # a 2024 syslog file read in a year that has no 29 February: its stamps of that day parse
    leap = tmp_path / "messages"
    leap.write_text(
        "Feb 28 23:59:58 db-1 postgres[7]: LOG:  checkpoint starting\n"
        "Feb 29 10:00:00 db-1 postgres[7]: LOG:  checkpoint complete\n"
        "Mar  1 00:00:01 db-1 postgres[7]: LOG:  autovacuum launcher started\n"
    )
    written = datetime(2024, 3, 1, 12, 0, tzinfo=UTC).timestamp()
    os.utime(leap, (written, written))
    assert _stamps(read_logs(leap)) == ["2024-02-28 23:59:58", "2024-02-29 10:00:00", "2024-03-01 00:00:01"]
    # the same file touched in 2026: a 29 February says it is from a leap year, the latest one
    written = datetime(2026, 5, 1, 12, 0, tzinfo=UTC).timestamp()
    os.utime(leap, (written, written))
    assert _stamps(read_logs(leap)) == ["2024-02-28 23:59:58", "2024-02-29 10:00:00", "2024-03-01 00:00:01"]


def test_levels_of_klog_and_logfmt_messages_in_a_journal_file(tmp_path):
    p = tmp_path / "journal.txt"
    p.write_text(
        "Mar 01 09:58:00 node-3 kubelet[1234]: E0301 09:58:00.123456    1234 pod_workers.go:1298] "
        '"Error syncing pod, skipping" pod="shop/payments-6f7d9c8b7-xk2zq"\n'
        'Mar 01 09:58:01 node-3 containerd[900]: time="2024-03-01T09:58:01.023456Z" level=warning '
        'msg="image pull slow"\n'
        "Mar 01 09:58:02 node-3 kubelet[1234]: I0301 09:58:02.000001    1234 kubelet.go:2000] sync done\n"
        "Mar 01 09:58:03 node-3 systemd[1]: Started Session 12 of user core.\n"
    )
    df = read_logs(p, year=2024)
    assert df["severity_text"].to_list() == ["ERROR", "WARN", "INFO", None]
    # a program's structured line is read like a container's app line: its message is the body
    assert df["body"].to_list()[:3] == [
        '"Error syncing pod, skipping" pod="shop/payments-6f7d9c8b7-xk2zq"', "image pull slow", "sync done",
    ]


def test_json_records_with_an_unusual_time_key_and_http_fields(tmp_path):
    # Cloudflare Logpush: a nanosecond epoch under EdgeStartTimestamp; Kubernetes audit events
    cf = tmp_path / "http_requests.json"
    cf.write_text(
        '{"ClientIP":"198.51.100.7","ClientRequestMethod":"POST","ClientRequestURI":"/api/cart?x=1",'
        '"EdgeResponseStatus":520,"EdgeStartTimestamp":1709287080168456000,"RayID":"86a1"}\n'
        '{"ClientIP":"198.51.100.8","ClientRequestMethod":"GET","ClientRequestURI":"/api/pay",'
        '"EdgeResponseStatus":200,"EdgeStartTimestamp":1709287081168456000,"RayID":"86a2"}\n'
    )
    df = read_logs(cf)
    assert _stamps(df) == ["2024-03-01 09:58:00", "2024-03-01 09:58:01"]
    assert df["body"].to_list() == ["POST /api/cart 520", "GET /api/pay 200"]
    assert df["severity_text"].to_list() == ["ERROR", "INFO"]
    audit = tmp_path / "audit.log"
    audit.write_text(
        '{"kind":"Event","level":"Metadata","verb":"delete","requestURI":"/api/v1/namespaces/shop/pods/p-2",'
        '"responseStatus":{"code":403},"requestReceivedTimestamp":"2024-03-01T09:58:02.123456Z",'
        '"user":{"username":"ci-bot"}}\n'
    )
    df = read_logs(audit)
    assert _stamps(df) == ["2024-03-01 09:58:02"]
    assert df["body"].to_list() == ["DELETE /api/v1/namespaces/shop/pods/p-2 403"]
    # a duration is not a time: no timestamp rather than a wrong one
    dur = tmp_path / "durations.jsonl"
    dur.write_text('{"msg":"done","request_time":1709287080,"elapsed_ms":1709287080}\n')
    assert read_logs(dur)["timestamp"].to_list() == [None]


def test_utf16_without_a_byte_order_mark_is_decoded_with_a_warning(tmp_path):
    """UTF-16 without a BOM (a tool that wrote ``Encoding.Unicode`` bytes without the
    preamble): a NUL byte beside every ASCII character gives it away."""
    import pytest

    from rcakit.errors import RcakitWarning

    text = (
        "2024-03-05 10:00:01,123 [7] INFO  Shop.Svc.Boot - started\r\n"
        "2024-03-05 10:00:02,500 [7] ERROR Shop.Svc.Pay - charge failed (Müller)\r\n"
        "2024-03-05 10:00:03,000 [7] WARN  Shop.Svc.Sync - retry in 30 s\r\n"
    )
    for encoding in ("utf-16-le", "utf-16-be"):
        p = tmp_path / f"svc-{encoding}.log"
        p.write_bytes(text.encode(encoding))
        with pytest.warns(RcakitWarning, match="UTF-16.*without a byte-order mark"):
            df = read_logs(p)
        assert df["n_lines"].sum() == 3
        assert df["severity_text"].to_list() == ["INFO", "ERROR", "WARN"]
        assert df["body"][1] == "charge failed (Müller)"


def test_a_24_hour_stamp_of_another_layout_below_the_sample(tmp_path):
    """gunicorn's own '[2026-03-22 13:20:49 +0000] [1] [ERROR]' lines far down a Python
    logging file (beyond the lines the layouts are guessed from) are read by the general
    rules: 12 h and 13 h as they are, not as a 12-hour clock's (00:20:49 and no stamp)."""
    lines = [f"2026-03-22 11:{i // 60:02d}:{i % 60:02d},427 INFO     [7] board.cache: refreshed in {i}ms" for i in range(1200)]
    lines += [
        "[2026-03-22 12:20:49 +0000] [1] [INFO] Starting gunicorn 21.2.0",
        "[2026-03-22 13:20:49 +0000] [1] [ERROR] Worker (pid:7) was sent SIGKILL! Perhaps out of memory?",
        "[2026-03-22 01:20:49 PM +0000] [1] [INFO] a 12-hour stamp",
    ]
    path = tmp_path / "leaderboard.log"
    path.write_text("\n".join(lines) + "\n")
    out = read_logs(path)
    assert out["timestamp"].tail(3).to_list() == [
        datetime(2026, 3, 22, 12, 20, 49, tzinfo=UTC),
        datetime(2026, 3, 22, 13, 20, 49, tzinfo=UTC),
        datetime(2026, 3, 22, 13, 20, 49, tzinfo=UTC),
    ]
