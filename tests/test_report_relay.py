"""Probe AD's findings on the root and the cause: a proxy relaying its upstream's 5xx answers,
an app whose only sign is its request log, a flag flipped seconds into a window, and a
callee's node named by its callers' failures right after that callee's change."""

from __future__ import annotations

import json
import random
import warnings
from datetime import UTC, datetime, timedelta

from rcakit.errors import RcakitWarning
from rcakit.report import analyze

T0 = datetime(2024, 3, 11, 9, 0, tzinfo=UTC)


def _iso_ms(t: datetime) -> str:
    """A JSON logger's stamp: ISO 8601 with milliseconds, UTC."""
    return f"{t:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z"


def _write_changes(path, rows) -> None:
    lines = ["time,service,version,id,kind,description"]
    lines += [f"{t:%Y-%m-%dT%H:%M:%SZ},{svc},{ver},{cid},{kind},{desc}" for t, svc, ver, cid, kind, desc in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _first_incident(tmp_path, logs, changes):
    """The first incident of the report on ``logs`` with the change list ``changes``."""
    deploys = tmp_path / "changes.csv"
    _write_changes(deploys, changes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        report = analyze(logs, deploys=deploys)
    assert report.incidents, "no incident"
    return report.incidents[0]


def test_an_app_answering_500_behind_a_relaying_proxy_is_the_root_of_its_flag(tmp_path):
    """The self-care API logs only its requests (``status: 500`` at INFO) after a flag flipped
    at 12:02:10; nginx relays the 500s with its upstream's response time (``urt=``). Before,
    nginx was the root, the incident began at the window's start (12:02:00), and the flag
    (10 s into that window) came "after the onset"."""
    r = random.Random(3)
    logs = tmp_path / "logs"
    (logs / "nginx").mkdir(parents=True)
    (logs / "selfcare").mkdir()
    flag = T0 + timedelta(hours=3, minutes=2, seconds=10)
    access, app = [], []
    t = T0
    while t < T0 + timedelta(hours=4, minutes=30):
        t += timedelta(seconds=r.expovariate(1.0))
        path = r.choice(["/v1/bundles", f"/v1/subscribers/4915{r.randint(10**7, 10**8 - 1)}/usage", "/v1/bundles"])
        failing = path == "/v1/bundles" and t >= flag + timedelta(seconds=8) and r.random() < 0.6
        status = 500 if failing else 200
        ms = r.lognormvariate(3.0, 0.3)
        app.append(json.dumps({"level": "info", "ts": _iso_ms(t), "logger": "http",
                               "msg": "request completed", "method": "GET", "path": path, "status": status,
                               "duration_ms": round(ms, 1), "request_id": f"{r.getrandbits(64):016x}"}))
        ip = f"31.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        access.append(
            f'{ip} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "GET /api{path} HTTP/1.1" {status} {180 if failing else r.randint(900, 4000)} '
            f'"https://selfcare.example/" "Mozilla/5.0" rt={(ms + 2) / 1000:.3f} uct="0.001" urt="{ms / 1000:.3f}"'
        )
    (logs / "nginx" / "selfcare-web-access.log").write_text("\n".join(access) + "\n", encoding="utf-8")
    (logs / "selfcare" / "selfcare-api.log").write_text("\n".join(app) + "\n", encoding="utf-8")
    inc = _first_incident(tmp_path, logs, [
        (T0 + timedelta(minutes=46), "nginx", "cfg-r29", "CHG374599", "config", "nginx: log rotation"),
        (flag, "selfcare-api", "flag:bundle-catalog-v2=on", "CHG773789", "feature_flag", "enable bundle catalog v2"),
    ])
    assert inc.root_service == "selfcare-api", inc.root_service
    assert inc.cause == "CHG773789", inc.cause
    assert inc.start >= flag, (inc.start, flag)


def test_a_callee_node_its_callers_name_right_after_its_change_is_the_root_and_the_change_the_cause(tmp_path):
    """Kamailio's new errors name ``hss02.ims.example.org`` (a node of the ``hss`` service,
    whose logs go on as usual: hss02 drops requests without a word) a minute after hss's
    config change. Before, the caller was the root ("the failure is on its side"), the node
    name named no service, and no change explained it."""
    r = random.Random(5)
    logs = tmp_path / "logs"
    for d in ("hss01", "hss02", "sip"):
        (logs / d).mkdir(parents=True)
    change = T0 + timedelta(hours=2, minutes=41, seconds=3)
    broken = change + timedelta(seconds=60)
    sip, hss = [], {"hss01": [], "hss02": []}
    t = T0
    while t < T0 + timedelta(hours=4):
        t += timedelta(seconds=r.expovariate(2.0))
        node = r.choice(["hss01", "hss02"])
        user = f"sip:4915{r.randint(10**7, 10**8 - 1)}@ims.example.org"
        stamp = f"{t:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "+00:00"
        if node == "hss02" and t >= broken and r.random() < 0.9:
            sip.append(f"{stamp} sipprx01 kamailio[{r.randint(1900, 1999)}]: ERROR: ims_icscf [cxdx_uar.c:178]: async_cdp_uar_callback(): Error sending UAR to {node}.ims.example.org: timeout (no answer in 2000 ms)")
            continue
        sip.append(f"{stamp} sipprx01 kamailio[{r.randint(1900, 1999)}]: NOTICE: <script>: REGISTER from {user} - replied 200 OK")
        hss[node].append(f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d} INFO  [diameter-{r.randint(1, 64)}] UAR for {user} answered DIAMETER_SUCCESS in {r.randint(2, 9)} ms")
    hss["hss02"].append(f"{change:%Y-%m-%d %H:%M:%S},412 INFO  [main] configuration reloaded from /etc/hss/hss.conf: diameter.workers=4")
    hss["hss02"].sort()
    (logs / "sip" / "kamailio.log").write_text("\n".join(sip) + "\n", encoding="utf-8")
    for node, lines in hss.items():
        (logs / node / "hss.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    inc = _first_incident(tmp_path, logs, [
        (T0 + timedelta(minutes=30), "redis", "patch-2024-03", "CHG321605", "infra", "OS security patches on redis host"),
        (change, "hss", "hss02-cfg-r58", "CHG385537", "config", "hss02: diameter worker threads 64 -> 4"),
    ])
    assert inc.root_service == "hss", inc.root_service
    assert inc.cause == "CHG385537", inc.cause


def test_a_callers_retry_change_that_overloads_its_callee_is_the_cause(tmp_path):
    """The self-care API's OCS client: timeout 2000 -> 300 ms, retries 1 -> 4, 40 s into a
    minute. It retries at once (new warnings naming ocs), OCS, three times as busy, slows and
    then rejects balance queries. OCS's own deploy 90 minutes before, quiet since, ranked
    first and no change was named; the caller's change is the cause (its new lines are its
    retries, not a dependency's failures)."""
    r = random.Random(11)
    logs = tmp_path / "logs"
    (logs / "selfcare").mkdir(parents=True)
    (logs / "ocs").mkdir()
    change = T0 + timedelta(hours=3, minutes=12, seconds=40)
    api, ocs = [], []
    t = T0
    while t < T0 + timedelta(hours=4):
        t += timedelta(seconds=r.expovariate(3.0))
        msisdn = f"4915{r.randint(10**7, 10**8 - 1)}"
        storm = t >= change + timedelta(seconds=20)
        tries = 1 + (r.random() < 0.8) * r.randint(2, 3) if storm else 1
        busy = storm and t >= change + timedelta(seconds=70)
        for k in range(tries):
            tk = t + timedelta(milliseconds=310 * k)
            took = r.lognormvariate(2.2, 0.3) * (6 if busy else 1)
            stamp = f"{tk:%Y-%m-%d %H:%M:%S},{tk.microsecond // 1000:03d}"
            if busy and r.random() < 0.3:
                ocs.append(f"{stamp} WARN  [worker-{r.randint(1, 16)}] c.t.ocs.Gy - Rejected balance query for msisdn={msisdn}: worker pool exhausted (16/16 active, queue 200/200)")
            else:
                ocs.append(f"{stamp} INFO  [worker-{r.randint(1, 16)}] c.t.ocs.Gy - CCR-E msisdn={msisdn} service=data rc=2001 took={took:.1f}ms")
            if k < tries - 1:
                api.append(json.dumps({"level": "warn", "ts": _iso_ms(tk), "logger": "ocs-client",
                                       "msg": f"retrying ocs balance query for msisdn={msisdn} (attempt {k + 2}/4)"}))
        failed = busy and r.random() < 0.25
        api.append(json.dumps({"level": "error" if failed else "info", "ts": _iso_ms(t),
                               "logger": "http", "msg": "ocs balance query failed after retries" if failed else "request completed",
                               "path": "/v1/balance", "status": 503 if failed else 200}))
    ocs.sort()
    (logs / "selfcare" / "selfcare-api.log").write_text("\n".join(api) + "\n", encoding="utf-8")
    (logs / "ocs" / "ocs.log").write_text("\n".join(ocs) + "\n", encoding="utf-8")
    inc = _first_incident(tmp_path, logs, [
        (change - timedelta(minutes=90), "ocs", "7.5.0", "CHG924360", "deploy", "ocs 7.5.0: rating plan cache"),
        (change, "selfcare-api", "cfg-ocs-client-r7", "CHG586527", "config", "ocs client: timeout 2000ms -> 300ms; max_retries 1 -> 4"),
    ])
    assert inc.cause == "CHG586527", (inc.root_service, inc.cause)
