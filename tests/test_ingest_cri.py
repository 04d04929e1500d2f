"""Kubernetes CRI container-log parsing (``rcakit.ingest._cri``)."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rcakit.ingest import _access, _cri, _csv_export, _jsonl, _logfmt
from rcakit.ingest._base import ParseOptions

from ._ingest_helpers import attrs, parse_lines

OPTS = ParseOptions(tz="UTC", year=2024)
KUBELET_FILE = (
    "/var/log/containers/ts-travel-service-64469b5b48-25zj6_train-ticket_ts-travel-service-"
    "0f3c2a9b8e7d6c5b4a392817f6e5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b.log"
)


def parse(text: str, options: ParseOptions = OPTS) -> pl.DataFrame:
    return parse_lines(_cri.FORMAT, text, options)


CRI = "\n".join(
    [
        '2024-03-05T14:03:12.345678901Z stdout F {"level":"error","msg":"payment failed","trace_id":"4bf92f35","order":"o-981"}',
        "2024-03-05T14:03:13.000000001Z stderr P java.lang.NullPointerException: Cannot invoke \"RiskScore.value()\" ",
        "2024-03-05T14:03:13.000000002Z stderr P because \"score\" is null",
        "2024-03-05T14:03:13.000000003Z stderr F  [risk-scorer]",
        "2024-03-05T14:03:14.5+01:00 stdout F 2024-03-05 13:03:14.500  WARN 1 --- [main] c.x.Pool : pool low",
        "2024-03-05T14:03:15Z stdout F",
        '2024-03-05T14:03:16Z stdout F level=info msg="retry ok" attempt=2',
        "2024-03-05T14:03:17Z stdout F plain message without a head",
    ]
)


def test_cri_lines_partials_and_inner_messages():
    rows = parse(CRI + "\n", ParseOptions(tz="UTC", year=2024, source=KUBELET_FILE)).to_dicts()
    assert len(rows) == 5
    r0, r1, r2, r4, r5 = rows
    assert r0["timestamp"] == datetime(2024, 3, 5, 14, 3, 12, 345678, tzinfo=UTC)
    assert (r0["severity_text"], r0["body"], r0["trace_id"]) == ("ERROR", "payment failed", "4bf92f35")
    a0 = attrs(r0)
    assert a0["stream"] == "stdout"
    assert a0["order"] == "o-981"
    assert a0["k8s.namespace.name"] == "train-ticket"
    assert a0["k8s.pod.name"] == "ts-travel-service-64469b5b48-25zj6"
    # the workload of the pod named in the kubelet file name
    assert {r["service"] for r in rows} == {"ts-travel-service"}
    # P, P, F -> one record
    assert (r1["line_no"], r1["n_lines"]) == (2, 3)
    assert r1["body"] == (
        'java.lang.NullPointerException: Cannot invoke "RiskScore.value()" because "score" is null [risk-scorer]'
    )
    assert attrs(r1)["cri.partials"] == 3
    assert attrs(r1)["stream"] == "stderr"
    assert r2["timestamp"] == datetime(2024, 3, 5, 13, 3, 14, 500000, tzinfo=UTC)
    assert r2["severity_text"] == "WARN"
    assert r2["body"] == "pool low"  # Spring Boot head: pid, thread and logger are not message
    assert attrs(r2)["logger"] == "c.x.Pool"
    # the empty F line the app wrote after its WARN line is part of that record
    assert (r2["line_no"], r2["n_lines"]) == (5, 2)
    assert (r4["severity_text"], r4["body"]) == ("INFO", "retry ok")
    assert attrs(r4)["attempt"] == "2"
    assert (r5["severity_text"], r5["body"]) == (None, "plain message without a head")
    assert all(r["parse_error"] is None for r in rows)


def test_without_kubelet_file_name_service_is_left_to_the_reader():
    rows = parse(CRI).to_dicts()
    assert [r["service"] for r in rows] == [None] * 5
    assert "k8s.pod.name" not in attrs(rows[0])


def test_python_logger_in_brackets_inside_a_container_line():
    text = "\n".join(
        [
            "2024-11-29T10:00:03.500000000Z stderr F 2024-11-29 10:00:03,500 ERROR [orders.db] query failed",
            "2024-11-29T10:00:03.500100000Z stderr F Traceback (most recent call last):",
            "2024-11-29T10:00:04.000000000Z stdout F 2024-11-29 10:00:04,000 INFO [KafkaClient id=3] connected",
        ]
    )
    rows = parse(text).to_dicts()
    assert [(r["severity_text"], r["n_lines"]) for r in rows] == [("ERROR", 2), ("INFO", 1)]
    assert rows[0]["body"].startswith("query failed\nTraceback")
    assert attrs(rows[0])["logger"] == "orders.db"
    assert rows[1]["body"] == "[KafkaClient id=3] connected"


def test_garbage_lines_are_kept():
    text = "\n".join(["2024-03-05T14:03:12Z stdout F ok", "not a cri line", "", "2024-03-05T14:03:13Z stdout X bad tag"])
    rows = parse(text).to_dicts()
    assert [(r["line_no"], r["n_lines"]) for r in rows] == [(1, 1), (2, 2), (4, 1)]
    assert rows[1]["body"] == "not a cri line"
    assert "CRI" in rows[1]["parse_error"]
    assert rows[2]["body"] == "2024-03-05T14:03:13Z stdout X bad tag"
    assert rows[2]["parse_error"] is not None


def test_sniff_recognises_cri_and_rejects_others():
    lines = CRI.splitlines()
    assert _cri.FORMAT.sniff(lines) == 1.0
    for other in (_jsonl.FORMAT, _jsonl.DOCKER_FORMAT, _logfmt.FORMAT, _access.FORMAT, _csv_export.FORMAT):
        assert other.sniff(lines) == 0.0, other.name
    others = [
        "2024-03-05T14:03:12.345Z INFO [main] c.x.Y - started",
        "2024-03-05T14:03:12Z stdout something else",
        '{"log":"x\\n","stream":"stdout","time":"2024-03-05T14:03:12Z"}',
    ]
    assert _cri.FORMAT.sniff(others) == 0.0


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.builds(
                lambda s, t, m: f"2024-03-05T14:03:12.1Z {s} {t} {m}",
                st.sampled_from(["stdout", "stderr"]),
                st.sampled_from(["F", "P"]),
                st.text(alphabet='ab {}":=\\', max_size=12),
            ),
            st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=20),
        ),
        max_size=20,
    )
)
def test_every_line_is_accounted_for_on_random_input(lines):
    parse("\n".join(lines))


def test_end_to_end_through_read_logs(tmp_path):
    import rcakit
    from rcakit.ingest import FORMATS

    if "cri" not in FORMATS:
        pytest.skip("format 'cri' not registered in rcakit.ingest.FORMATS yet")
    path = tmp_path / "payment.log"
    path.write_text(CRI + "\n")
    assert rcakit.detect_format(path) == "cri"
    out = rcakit.read_logs(path)
    assert out["n_lines"].sum() == 8
    assert out["service"].unique().to_list() == ["payment"]


COMPOSE = (
    "web-1     | 2024-03-05 14:03:12,345 ERROR [main] c.x.App - checkout failed\n"
    "web-1     | java.lang.IllegalStateException: no stock\n"
    "db-1      | 2024-03-05 14:03:12.400 UTC [1] LOG:  checkpoint starting: time\n"
    "web-1     | \tat c.x.App.run(App.java:12)\n"
    'worker-2  | {"level":"warn","msg":"queue slow","service":"mailer"}\n'
    "web-1     | 2024-03-05 14:03:13,000 INFO [main] c.x.App - ok\n"
)


def test_docker_compose_logs(tmp_path):
    import rcakit

    path = tmp_path / "all.log"
    path.write_text(COMPOSE)
    assert rcakit.detect_format(path) == "compose"
    rows = rcakit.read_logs(path).to_dicts()
    assert sum(r["n_lines"] for r in rows) == 6
    # the service is the container's, minus its replica number, unless the line names one;
    # a stack trace joins its own container's line across the other containers' lines
    assert [(r["line_no"], r["n_lines"], r["service"], r["severity_text"]) for r in rows] == [
        (1, 3, "web", "ERROR"),
        (3, 1, "db", "INFO"),  # (PostgreSQL's LOG)
        (5, 1, "mailer", "WARN"),
        (6, 1, "web", "INFO"),
    ]
    assert rows[0]["body"].splitlines() == ["checkout failed", "java.lang.IllegalStateException: no stock", "\tat c.x.App.run(App.java:12)"]
    assert attrs(rows[0])["container.name"] == "web-1"
    assert rows[0]["timestamp"] == datetime(2024, 3, 5, 14, 3, 12, 345000, tzinfo=UTC)
    assert all(r["parse_error"] is None for r in rows)


def test_docker_compose_logs_with_timestamps_and_colours(tmp_path):
    import rcakit

    path = tmp_path / "all.log"
    path.write_text(
        "\x1b[36mapi-1  | \x1b[0m2024-03-05T14:03:12.123456789Z started\n"
        "\x1b[33mapi-2  | \x1b[0m2024-03-05T14:03:13.000000001Z 2024-03-05 14:00:00 ERROR stale app stamp\n"
        "not a compose line\n"
    )
    rows = rcakit.read_logs(path, format="compose").to_dicts()
    # the runtime's stamp wins over the app line's
    assert [(r["timestamp"], r["service"], r["body"]) for r in rows[:2]] == [
        (datetime(2024, 3, 5, 14, 3, 12, 123456, tzinfo=UTC), "api", "started"),
        (datetime(2024, 3, 5, 14, 3, 13, 0, tzinfo=UTC), "api", "stale app stamp"),
    ]
    assert rows[2]["parse_error"].startswith("not a docker compose line")
    assert rows[2]["body"] == "not a compose line"


PM2_LOGS = """\
[TAILING] Tailing last 15 lines for [api] process (change the value with --lines option)
/home/deploy/.pm2/logs/api-out.log last 15 lines:
0|api      | 2024-03-01T10:00:00: Server listening on port 3000
0|api      | 2024-03-01T10:00:09: TypeError: Cannot read properties of undefined (reading 'id')
0|api      |     at /home/deploy/api/src/routes/orders.js:57:31
1|worker   | 2024-03-01T10:02:01: Job 8812 failed: SMTP 421 4.7.0 Try again later
0|api      |     at next (/home/deploy/api/node_modules/express/lib/router/route.js:149:13)
PM2        | 2024-03-01T10:02:03: PM2 log: App [api:0] exited with code [1] via signal [SIGINT]
"""


def test_pm2_logs(tmp_path):
    """``pm2 logs``: "<id>|<app> | <pm2 --time stamp>: <line>", like docker compose's; the
    app is the service, a stack trace joins its app's line across the others'."""
    import rcakit

    path = tmp_path / "pm2.log"
    path.write_text(PM2_LOGS)
    assert rcakit.detect_format(path) == "compose"
    rows = rcakit.read_logs(path).to_dicts()
    assert sum(r["n_lines"] for r in rows) == 8
    got = [(r["line_no"], r["n_lines"], r["service"], r["timestamp"]) for r in rows[2:]]
    assert got == [
        (3, 1, "api", datetime(2024, 3, 1, 10, 0, tzinfo=UTC)),
        (4, 3, "api", datetime(2024, 3, 1, 10, 0, 9, tzinfo=UTC)),
        (6, 1, "worker", datetime(2024, 3, 1, 10, 2, 1, tzinfo=UTC)),
        (8, 1, "PM2", datetime(2024, 3, 1, 10, 2, 3, tzinfo=UTC)),
    ]
    assert rows[2]["body"] == "Server listening on port 3000"
    assert rows[3]["body"].splitlines()[-1].strip().startswith("at next (")
    # pm2's banner lines are kept, as lines that are not an app's
    assert [r["parse_error"] is not None for r in rows[:2]] == [True, True]


def test_compose_sniff_rejects_level_columns_and_pipes():
    assert _cri.COMPOSE_FORMAT.sniff(["INFO    | starting", "ERROR   | failed", "INFO    | ready"]) == 0.0
    assert _cri.COMPOSE_FORMAT.sniff(["a | b", "a | c"]) == 0.0  # one name, no replica number
    assert _cri.COMPOSE_FORMAT.sniff(COMPOSE.splitlines()) == 1.0


def test_fluentd_out_file(tmp_path):
    import json

    import rcakit

    pod_tag = "kube.var.log.containers.orders-6f7d8b9c4-k2xbz_prod_orders-" + "a" * 64 + ".log"
    lines = [
        f"2024-03-05T14:03:12+00:00\t{pod_tag}\t" + json.dumps({"log": "2024-03-05 14:03:12,345 ERROR [main] c.x.Orders - failed\n", "stream": "stderr"}),
        f"2024-03-05T14:03:12+00:00\t{pod_tag}\t" + json.dumps({"log": "java.lang.IllegalStateException: x\n", "stream": "stderr"}),
        "2024-03-05T14:03:13+00:00\tapp.payments\t" + json.dumps({"level": "warn", "msg": "slow", "service": "payments"}),
    ]
    path = tmp_path / "buffer.log"
    path.write_text("\n".join(lines) + "\n")
    assert rcakit.detect_format(path) == "fluentd"
    rows = rcakit.read_logs(path).to_dicts()
    # the pod's workload is the service; (a stack trace is not joined across JSON records:
    # fluentd's own multiline parsing does that before the output)
    assert [(r["n_lines"], r["severity_text"], r["service"], r["body"].splitlines()[0]) for r in rows] == [
        (1, "ERROR", "orders", "failed"),
        (1, None, "orders", "java.lang.IllegalStateException: x"),
        (1, "WARN", "payments", "slow"),
    ]
    # fluentd's stamp has whole seconds: the app line's own is finer
    assert rows[0]["timestamp"] == datetime(2024, 3, 5, 14, 3, 12, 345000, tzinfo=UTC)
    assert attrs(rows[2])["fluentd.tag"] == "app.payments"


def test_klog_lines_in_a_container_log_lose_their_head():
    """klog/glog inside CRI: level, stamp, thread id and source position are head."""
    text = "\n".join(
        [
            '2026-03-16T16:07:16.123456789Z stderr F E0316 16:07:16.123456       1 authorize.go:112] "Hold failed" requestID="abc" err="boom"',
            "2026-03-16T16:07:17.123456789Z stdout F I0316 16:07:17.000000       1 server.go:10] started",
        ]
    )
    rows = parse(text).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [
        ("ERROR", '"Hold failed" requestID="abc" err="boom"'),
        ("INFO", "started"),
    ]


def test_docker_service_logs_name_the_swarm_service(tmp_path):
    """``docker service logs``: "<service>.<slot>.<task id>@<node> | <line>", like compose's;
    the swarm service is the service, a stack trace joins its task's line."""
    import rcakit

    path = tmp_path / "swarm.txt"
    path.write_text(
        "shop_web.1.k3j2h1g0f9e8d7c6b5a4z3y2x@worker-1    | 2024-03-05 10:00:01,123 INFO  [main] c.s.web.Boot - started in 4.1s\n"
        "shop_web.2.m9n8b7v6c5x4z3l2k1j0h9g8f@worker-2    | 2024-03-05 10:00:02,500 ERROR [http-3] c.s.web.Pay - charge failed: 504\n"
        "shop_api.1.a1b2c3d4e5f6g7h8i9j0k1l2m@worker-1    | 2024-03-05 10:00:02,700 WARN  [main] c.s.api.Pool - pool low\n"
        "shop_web.2.m9n8b7v6c5x4z3l2k1j0h9g8f@worker-2    | java.net.SocketTimeoutException: Read timed out\n"
        "shop_web.1@worker-1    | 2024-03-05 10:00:03,000 WARN  [http-4] c.s.web.Retry - retry 1/3\n"
    )
    assert rcakit.detect_format(path) == "compose"
    rows = rcakit.read_logs(path).to_dicts()
    assert [(r["line_no"], r["n_lines"], r["service"], r["severity_text"], r["body"].splitlines()[0]) for r in rows] == [
        (1, 1, "shop_web", "INFO", "started in 4.1s"),
        (2, 2, "shop_web", "ERROR", "charge failed: 504"),
        (3, 1, "shop_api", "WARN", "pool low"),
        (5, 1, "shop_web", "WARN", "retry 1/3"),
    ]
    assert rows[1]["body"].splitlines()[1] == "java.net.SocketTimeoutException: Read timed out"
    assert rows[0]["timestamp"] == datetime(2024, 3, 5, 10, 0, 1, 123000, tzinfo=UTC)
    assert attrs(rows[1])["container.name"] == "shop_web.2.m9n8b7v6c5x4z3l2k1j0h9g8f@worker-2"
    assert all(r["parse_error"] is None for r in rows)


def test_argo_tkn_and_cf_prefixes_are_read_like_container_lines(tmp_path):
    """``argo logs`` (``<pod>: <line>``), ``tkn pr logs`` (``[<task> : <step>] <line>``) and
    ``cf logs --recent`` (an indented stamp, ``[<source>/<instance>] OUT|ERR``, the line):
    the prefix is cut off and the app line read like a container's."""
    import rcakit

    argo = tmp_path / "argo.txt"
    argo.write_text(
        'build-7xk2p-1234567890: time="2024-03-05T10:00:01.123Z" level=info msg="Starting Workflow Executor" version=v3.5.4\n'
        "build-7xk2p-1234567890: + npm ci\n"
        "build-7xk2p-1234567890: npm ERR! code E401\n"
        'build-7xk2p-1234567890: time="2024-03-05T10:00:09.000Z" level=error msg="cannot save artifact /tmp/out" error="open /tmp/out: no such file"\n'
        'build-7xk2p-9876543210: time="2024-03-05T10:00:10.000Z" level=warning msg="Non-transient error: pod deleted"\n'
    )
    assert rcakit.detect_format(argo) == "prefixed"
    rows = rcakit.read_logs(argo).to_dicts()
    assert [(r["n_lines"], r["severity_text"], r["body"]) for r in rows] == [
        (1, "INFO", "Starting Workflow Executor"),
        (1, None, "+ npm ci"),
        (1, None, "npm ERR! code E401"),
        (1, "ERROR", "cannot save artifact /tmp/out"),
        (1, "WARN", "Non-transient error: pod deleted"),
    ]
    assert rows[3]["timestamp"] == datetime(2024, 3, 5, 10, 0, 9, tzinfo=UTC)
    assert attrs(rows[4])["k8s.pod.name"] == "build-7xk2p-9876543210"
    assert all(r["parse_error"] is None for r in rows)

    tkn = tmp_path / "tkn.txt"
    tkn.write_text(
        '[build : step-git-clone] {"level":"info","ts":1709632801.123,"caller":"git/git.go:176","msg":"Successfully cloned"}\n'
        "[build : step-build] + npm ci\n"
        "[build : step-build] npm ERR! code ELIFECYCLE\n"
        '[deploy : step-apply] {"level":"error","ts":1709632809.5,"caller":"deploy/apply.go:88","msg":"kubectl apply failed"}\n'
    )
    assert rcakit.detect_format(tkn) == "prefixed"
    rows = rcakit.read_logs(tkn).to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["service"], r["body"]) for r in rows] == [
        (datetime(2024, 3, 5, 10, 0, 1, 123000, tzinfo=UTC), "INFO", "build", "Successfully cloned"),
        (None, None, "build", "+ npm ci"),
        (None, None, "build", "npm ERR! code ELIFECYCLE"),
        (datetime(2024, 3, 5, 10, 0, 9, 500000, tzinfo=UTC), "ERROR", "deploy", "kubectl apply failed"),
    ]
    assert attrs(rows[3])["tekton.step"] == "step-apply"

    cf = tmp_path / "cf.txt"
    cf.write_text(
        "Retrieving logs for app orders in org shop / space prod as admin...\n"
        "\n"
        "   2024-03-05T10:00:01.12+0100 [APP/PROC/WEB/0] OUT 2024-03-05 09:00:01.120  INFO 7 --- [main] c.s.o.OrdersApplication : Started in 6.1 seconds\n"
        "   2024-03-05T10:00:03.00+0100 [APP/PROC/WEB/0] ERR 2024-03-05 09:00:03.000 ERROR 7 --- [exec-3] c.s.o.PaymentClient : charge failed: 504\n"
        "   2024-03-05T10:00:03.00+0100 [APP/PROC/WEB/0] ERR java.net.SocketTimeoutException: Read timed out\n"
        "   2024-03-05T10:00:03.00+0100 [APP/PROC/WEB/0] ERR \tat c.s.o.PaymentClient.charge(PaymentClient.java:42)\n"
        "   2024-03-05T10:00:04.00+0100 [CELL/0] OUT Cell 4a3b2c1d stopping instance 0a1b2c3d\n"
    )
    assert rcakit.detect_format(cf) == "prefixed"
    rows = rcakit.read_logs(cf).to_dicts()
    assert sum(r["n_lines"] for r in rows) == 7
    body = [(r["line_no"], r["n_lines"], r["timestamp"], r["severity_text"], r["body"].splitlines()[0]) for r in rows[1:]]
    assert body == [
        (3, 1, datetime(2024, 3, 5, 9, 0, 1, 120000, tzinfo=UTC), "INFO", "Started in 6.1 seconds"),
        (4, 3, datetime(2024, 3, 5, 9, 0, 3, tzinfo=UTC), "ERROR", "charge failed: 504"),
        (7, 1, datetime(2024, 3, 5, 9, 0, 4, tzinfo=UTC), None, "Cell 4a3b2c1d stopping instance 0a1b2c3d"),
    ]
    assert attrs(rows[2])["cf.source"] == "APP/PROC/WEB/0"
    assert rows[0]["parse_error"] is not None  # cf's own banner line is kept


def test_cf_logs_join_a_stack_trace_per_instance_whatever_its_stream(tmp_path):
    """``cf logs --recent``: an app that logs its error line to stdout (``OUT``) and prints
    the exception to stderr (``ERR``): the trace joins its record, as the lines come from one
    app instance; another source's line in between does not end it."""
    import rcakit

    cf = tmp_path / "cf.txt"
    cf.write_text(
        "   2024-03-05T10:00:03.00+0100 [APP/PROC/WEB/0] OUT 2024-03-05 09:00:03.000 ERROR 7 --- [exec-3] c.s.o.PaymentClient : charge failed: 504\n"
        "   2024-03-05T10:00:03.01+0100 [APP/PROC/WEB/0] ERR java.net.SocketTimeoutException: Read timed out\n"
        '   2024-03-05T10:00:03.01+0100 [RTR/0] OUT orders.apps.example.com - [2024-03-05T09:00:03.010+0000] "POST /api/pay HTTP/1.1" 502 0 67 "-" "okhttp"\n'
        "   2024-03-05T10:00:03.01+0100 [APP/PROC/WEB/0] ERR \tat c.s.o.PaymentClient.charge(PaymentClient.java:42)\n"
        "   2024-03-05T10:00:03.02+0100 [APP/PROC/WEB/1] ERR \tat c.s.o.Other.run(Other.java:7)\n"
        "   2024-03-05T10:00:04.00+0100 [APP/PROC/WEB/0] OUT 2024-03-05 09:00:04.000  INFO 7 --- [exec-4] c.s.o.PaymentClient : retrying\n"
    )
    rows = rcakit.read_logs(cf).to_dicts()
    assert [(r["line_no"], r["n_lines"], r["severity_text"]) for r in rows] == [
        (1, 3, "ERROR"), (3, 1, None), (5, 1, None), (6, 1, "INFO"),
    ]
    assert rows[0]["body"].splitlines() == [
        "charge failed: 504",
        "java.net.SocketTimeoutException: Read timed out",
        "\tat c.s.o.PaymentClient.charge(PaymentClient.java:42)",
    ]


def test_prefixed_sniff_wants_the_cli_prefixes():
    # a text log whose messages start with "word: " is no argo output; "[a : b]" needs both
    assert _cri.PREFIXED_FORMAT.sniff(["main: started", "worker: job 1 done", "main: stopping"]) == 0.0
    assert _cri.PREFIXED_FORMAT.sniff(["[INFO] started", "[WARN] slow"]) == 0.0
